"""Routes of the fake GitLab: each resolves a path and answers from the store.

A handler gets ``(store, user_id, params, *path_args)`` and returns
``(status, payload)``; list endpoints return items already JSON-encoded, which
the HTTP layer pages. Filters follow the GitLab REST v4 documentation of
"List project issues", "List group issues", milestones, notes and releases.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.gitlab_store import GitLabStore, Json, parse_time

Answer = tuple[int, Any]
Handler = Callable[..., Answer]

NOTE_LIMIT = 1_000_000


class ApiError(Exception):
    def __init__(self, status: int, message: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Route:
    handler: Handler
    args: tuple[Any, ...]
    paginated: bool


# --------------------------------------------------------------------------- access


def _user(user_id: int | None) -> int:
    if user_id is None:
        raise ApiError(401, "401 Unauthorized")
    return user_id


def _project(store: GitLabStore, user_id: int | None, ident: str) -> Json:
    project = store.find_project(ident)
    # Private projects are invisible (404, not 403) to anonymous and non-members.
    if (
        project is None
        or user_id is None
        or (project["_members"] and user_id not in project["_members"])
    ):
        raise ApiError(404, "404 Project Not Found")
    return project


def _group(store: GitLabStore, user_id: int | None, ident: str) -> Json:
    group = store.find_group(ident)
    if group is None or user_id is None:
        raise ApiError(404, "404 Group Not Found")
    return group


def _writable(project: Json) -> None:
    if project["archived"]:
        raise ApiError(403, "403 Forbidden")


def _issue(store: GitLabStore, project: Json, iid: str) -> Json:
    issue = store.by_iid.get((project["id"], int(iid))) if iid.isdigit() else None
    if issue is None:
        raise ApiError(404, "404 Not found")
    return issue


def _public_project(project: Json) -> Json:
    return {k: v for k, v in project.items() if not k.startswith("_")}


def _encode(items: list[Json]) -> list[bytes]:
    return [json.dumps(item).encode() for item in items]


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("true", "1", "yes")


# --------------------------------------------------------------------------- handlers


def get_user(store: GitLabStore, user_id: int | None, params: Json) -> Answer:
    user = dict(store.users[_user(user_id)])
    return 200, user | {"email": f"{user['username']}@example.com", "is_admin": False}


def get_version(store: GitLabStore, user_id: int | None, params: Json) -> Answer:
    _user(user_id)
    return 200, {"version": "17.5.2-ee", "revision": "fake0001", "enterprise": True}


def get_project(store: GitLabStore, user_id: int | None, params: Json, ident: str) -> Answer:
    return 200, _public_project(_project(store, user_id, ident))


def get_group(store: GitLabStore, user_id: int | None, params: Json, ident: str) -> Answer:
    return 200, dict(_group(store, user_id, ident))


def list_milestones(
    store: GitLabStore, user_id: int | None, params: Json, kind: str, ident: str
) -> Answer:
    if kind == "projects":
        project = _project(store, user_id, ident)
        include = _truthy(params.get("include_ancestors", params.get("include_parent_milestones")))
        found = [
            m
            for m in store.visible_milestones(project["id"])
            if include or m.get("project_id") == project["id"]
        ]
    else:
        group = _group(store, user_id, ident)
        ids = {group["id"]}
        projects: set[int] = set()
        if _truthy(params.get("include_descendants")):
            prefix = group["full_path"] + "/"
            ids |= {g["id"] for g in store.groups.values() if g["full_path"].startswith(prefix)}
            projects = store.group_projects(group)
        found = [
            m
            for m in store.milestones.values()
            if m.get("group_id") in ids or m.get("project_id") in projects
        ]
    if "state" in params:
        found = [m for m in found if m["state"] == params["state"]]
    if "title" in params:
        found = [m for m in found if m["title"] == params["title"]]
    if "search" in params:
        found = [m for m in found if params["search"].lower() in m["title"].lower()]
    if "iids" in params:
        found = [m for m in found if str(m["iid"]) in params["iids"]]
    found.sort(key=lambda m: (m["due_date"] is None, m["due_date"] or "", -m["id"]))
    return 200, _encode(found)


def list_releases(store: GitLabStore, user_id: int | None, params: Json, ident: str) -> Answer:
    project = _project(store, user_id, ident)
    found = sorted(store.releases.get(project["id"], []), key=lambda r: r["released_at"])
    return 200, _encode(list(reversed(found)))


_SORT_KEYS = {"created_at", "updated_at", "title", "due_date", "label_priority"}


def list_issues(
    store: GitLabStore, user_id: int | None, params: Json, kind: str, ident: str
) -> Answer:
    if kind == "projects":
        projects = {_project(store, user_id, ident)["id"]}
    else:
        projects = store.group_projects(_group(store, user_id, ident))
    order_by = params.get("order_by", "created_at")
    sort = params.get("sort", "desc")
    if order_by not in _SORT_KEYS or sort not in ("asc", "desc"):
        raise ApiError(400, "order_by, sort does not have a valid value")
    filters = {k: v for k, v in params.items() if k not in ("page", "per_page")}
    key = (kind, ident, json.dumps(filters, sort_keys=True, default=str))
    cached = store.cache.get(key)
    if cached and cached[0] == store.version:
        return 200, cached[1]
    found = [i for i in store.issues.values() if i["project_id"] in projects]
    found = _filter_issues(found, params)
    found.sort(key=lambda i: (i.get(order_by) or "", i["id"]), reverse=sort == "desc")
    encoded = [store.encoded(issue) for issue in found]
    store.cache[key] = (store.version, encoded)
    return 200, encoded


def _filter_issues(found: list[Json], params: Json) -> list[Json]:
    state = params.get("state", "all")
    if state in ("opened", "closed"):
        found = [i for i in found if i["state"] == state]
    milestone = params.get("milestone")
    if milestone == "None":
        found = [i for i in found if i["milestone"] is None]
    elif milestone == "Any":
        found = [i for i in found if i["milestone"] is not None]
    elif milestone:
        found = [i for i in found if i["milestone"] and i["milestone"]["title"] == milestone]
    labels = params.get("labels")
    if labels == "None":
        found = [i for i in found if not i["labels"]]
    elif labels == "Any":
        found = [i for i in found if i["labels"]]
    elif labels:
        wanted = {label.strip() for label in labels.split(",") if label.strip()}
        found = [i for i in found if wanted <= set(i["labels"])]
    for name, newer in (("updated_after", True), ("updated_before", False)):
        if name in params:
            try:
                bound = parse_time(params[name])
            except ValueError as exc:
                raise ApiError(400, f"{name} is invalid") from exc
            found = [i for i in found if (parse_time(i["updated_at"]) >= bound) == newer]
    if params.get("search"):
        fields = params.get("in", "title,description").split(",")
        needle = params["search"].lower()
        found = [i for i in found if any(needle in (i.get(f) or "").lower() for f in fields)]
    if "iids" in params:
        found = [i for i in found if str(i["iid"]) in params["iids"]]
    if "confidential" in params:
        found = [i for i in found if i["confidential"] == _truthy(params["confidential"])]
    if "issue_type" in params:
        found = [i for i in found if i["issue_type"] == params["issue_type"]]
    return found


def create_issue(store: GitLabStore, user_id: int | None, params: Json, ident: str) -> Answer:
    author = _user(user_id)
    project = _project(store, user_id, ident)
    _writable(project)
    title = str(params.get("title") or "").strip()
    if not title:
        raise ApiError(400, {"title": ["can't be blank"]})
    issue = store.add_issue(
        project["id"],
        title,
        author_id=author,
        description=str(params.get("description") or ""),
        labels=_labels(params.get("labels")),
        confidential=_truthy(params.get("confidential", False)),
        issue_type=str(params.get("issue_type") or "issue"),
    )
    if params.get("milestone_id"):
        store.update_issue(issue, milestone_id=params["milestone_id"])
    return 201, issue


def get_issue(
    store: GitLabStore, user_id: int | None, params: Json, ident: str, iid: str
) -> Answer:
    return 200, _issue(store, _project(store, user_id, ident), iid)


def update_issue(
    store: GitLabStore, user_id: int | None, params: Json, ident: str, iid: str
) -> Answer:
    author = _user(user_id)
    project = _project(store, user_id, ident)
    _writable(project)
    issue = _issue(store, project, iid)
    changes: dict[str, Any] = {
        k: params[k] for k in ("title", "description", "state_event") if k in params
    }
    if "labels" in params:
        changes["labels"] = _labels(params["labels"])
    if "add_labels" in params or "remove_labels" in params:
        current: set[str] = set(changes["labels"] if "labels" in changes else issue["labels"])
        current |= set(_labels(params.get("add_labels")))
        current -= set(_labels(params.get("remove_labels")))
        changes["labels"] = sorted(current)
    if "milestone_id" in params:
        changes["milestone_id"] = params["milestone_id"] or None
    if "confidential" in params:
        changes["confidential"] = _truthy(params["confidential"])
    return 200, store.update_issue(issue, author_id=author, **changes)


def list_notes(
    store: GitLabStore, user_id: int | None, params: Json, ident: str, iid: str
) -> Answer:
    issue = _issue(store, _project(store, user_id, ident), iid)
    order_by = params.get("order_by", "created_at")
    notes = sorted(store.notes[issue["id"]], key=lambda n: (n[order_by], n["id"]))
    if params.get("sort", "desc") == "desc":
        notes.reverse()
    return 200, _encode(notes)


def list_state_events(
    store: GitLabStore, user_id: int | None, params: Json, ident: str, iid: str
) -> Answer:
    """List project issue state events: oldest first, as GitLab orders them by id."""
    issue = _issue(store, _project(store, user_id, ident), iid)
    return 200, _encode(store.state_events.get(issue["id"], []))


def list_label_events(
    store: GitLabStore, user_id: int | None, params: Json, ident: str, iid: str
) -> Answer:
    """List project issue label events: oldest first, as GitLab orders them by id."""
    issue = _issue(store, _project(store, user_id, ident), iid)
    return 200, _encode(store.label_events.get(issue["id"], []))


def list_links(
    store: GitLabStore, user_id: int | None, params: Json, ident: str, iid: str
) -> Answer:
    """List an issue's linked issues, each with the link's type as seen from this issue."""
    issue = _issue(store, _project(store, user_id, ident), iid)
    linked = [
        {**store.issues[other], "issue_link_id": n + 1, "link_type": link_type}
        for n, (other, link_type) in enumerate(store.links.get(issue["id"], []))
    ]
    return 200, _encode(linked)


def get_note(
    store: GitLabStore, user_id: int | None, params: Json, ident: str, iid: str, nid: str
) -> Answer:
    issue = _issue(store, _project(store, user_id, ident), iid)
    for note in store.notes[issue["id"]]:
        if str(note["id"]) == nid:
            return 200, note
    raise ApiError(404, "404 Note Not Found")


def create_note(
    store: GitLabStore, user_id: int | None, params: Json, ident: str, iid: str
) -> Answer:
    author = _user(user_id)
    project = _project(store, user_id, ident)
    _writable(project)
    issue = _issue(store, project, iid)
    body = params.get("body")
    if not isinstance(body, str) or not body.strip():
        raise ApiError(400, "400 Bad request - body is missing")
    if len(body) > NOTE_LIMIT:
        raise ApiError(400, {"note": [f"is too long (maximum is {NOTE_LIMIT} characters)"]})
    return 201, store.add_note(issue, body, author_id=author)


def _own_note(
    store: GitLabStore, user_id: int | None, ident: str, iid: str, nid: str
) -> tuple[Json, Json]:
    """The note a write may change: only its author (or a maintainer) may edit or delete."""
    author = _user(user_id)
    project = _project(store, user_id, ident)
    _writable(project)
    issue = _issue(store, project, iid)
    note = store.note(issue, nid)
    if note is None:
        raise ApiError(404, "404 Note Not Found")
    if store.notes_locked or note["author"]["id"] != author:
        raise ApiError(403, "403 Forbidden")
    return issue, note


def update_note(
    store: GitLabStore, user_id: int | None, params: Json, ident: str, iid: str, nid: str
) -> Answer:
    """Modify existing issue note: PUT .../notes/:note_id with ``body``; 200 and the note."""
    issue, note = _own_note(store, user_id, ident, iid, nid)
    body = params.get("body")
    if not isinstance(body, str) or not body.strip():
        raise ApiError(400, "400 Bad request - body is missing")
    if len(body) > NOTE_LIMIT:
        raise ApiError(400, {"note": [f"is too long (maximum is {NOTE_LIMIT} characters)"]})
    return 200, store.edit_note(issue, note, body)


def delete_note(
    store: GitLabStore, user_id: int | None, params: Json, ident: str, iid: str, nid: str
) -> Answer:
    """Delete an issue note: 204 No Content."""
    issue, note = _own_note(store, user_id, ident, iid, nid)
    store.delete_note(issue, note)
    return 204, b""


def get_upload(
    store: GitLabStore, user_id: int | None, params: Json, ident: str, secret: str, name: str
) -> Answer:
    """Download an uploaded file by secret and filename (GitLab 17.4+)."""
    project = _project(store, user_id, ident)
    content = store.uploads.get((project["id"], secret, name))
    if content is None:
        raise ApiError(404, "404 Upload Not Found")
    return 200, content


def _labels(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [label.strip() for label in str(value).split(",") if label.strip()]


# --------------------------------------------------------------------------- routing


def route(method: str, segments: list[str]) -> Route:
    """The handler for a path below /api/v4/ (segments already URL-decoded)."""
    n = len(segments)
    head = segments[0] if segments else ""
    table: list[tuple[bool, Handler, tuple[Any, ...], bool]] = [
        (n == 1 and head == "user" and method == "GET", get_user, (), False),
        (n == 1 and head == "version" and method == "GET", get_version, (), False),
    ]
    if head in ("projects", "groups") and n >= 2:
        kind, ident = head, segments[1]
        rest = segments[2:]
        is_project = kind == "projects"
        table += [
            (
                not rest and method == "GET",
                get_project if is_project else get_group,
                (ident,),
                False,
            ),
            (rest == ["milestones"] and method == "GET", list_milestones, (kind, ident), True),
            (rest == ["issues"] and method == "GET", list_issues, (kind, ident), True),
        ]
        if is_project:
            table += [
                (rest == ["releases"] and method == "GET", list_releases, (ident,), True),
                (rest == ["issues"] and method == "POST", create_issue, (ident,), False),
            ]
            table.append(
                (
                    len(rest) == 3 and rest[0] == "uploads" and method == "GET",
                    get_upload,
                    (ident, *rest[1:]),
                    False,
                )
            )
            if len(rest) >= 2 and rest[0] == "issues":
                iid = rest[1]
                tail = rest[2:]
                table += [
                    (not tail and method == "GET", get_issue, (ident, iid), False),
                    (not tail and method == "PUT", update_issue, (ident, iid), False),
                    (tail == ["notes"] and method == "GET", list_notes, (ident, iid), True),
                    (tail == ["notes"] and method == "POST", create_note, (ident, iid), False),
                    (
                        tail == ["resource_state_events"] and method == "GET",
                        list_state_events,
                        (ident, iid),
                        True,
                    ),
                    (tail == ["links"] and method == "GET", list_links, (ident, iid), True),
                    (
                        tail == ["resource_label_events"] and method == "GET",
                        list_label_events,
                        (ident, iid),
                        True,
                    ),
                    (
                        len(tail) == 2 and tail[0] == "notes" and method == "GET",
                        get_note,
                        (ident, iid, tail[-1] if tail else ""),
                        False,
                    ),
                    (
                        len(tail) == 2 and tail[0] == "notes" and method == "PUT",
                        update_note,
                        (ident, iid, tail[-1] if tail else ""),
                        False,
                    ),
                    (
                        len(tail) == 2 and tail[0] == "notes" and method == "DELETE",
                        delete_note,
                        (ident, iid, tail[-1] if tail else ""),
                        False,
                    ),
                ]
    for matches, handler, args, paginated in table:
        if matches:
            return Route(handler, args, paginated)
    raise ApiError(404, "404 Not Found")
