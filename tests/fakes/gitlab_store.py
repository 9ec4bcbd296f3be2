"""The state of the fake GitLab: users, groups, projects, milestones, issues, notes.

Objects are kept in the shape the GitLab REST v4 documentation gives them, so
the HTTP layer (gitlab_server.py) can answer with them as they are. Every
mutation bumps ``version``, which invalidates the list cache: listing 20,000
issues page by page must not re-filter them for every page.
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

Json = dict[str, Any]


def _stamp(moment: datetime) -> str:
    """GitLab's timestamp form: milliseconds, UTC, 'Z'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


class GitLabStore:
    """Thread-safe state. Admin methods are the tracker-side levers tests pull."""

    def __init__(self, base_url: str = "http://127.0.0.1") -> None:
        self.base_url = base_url
        self.lock = threading.RLock()
        self.version = 0
        self._last = datetime.now(UTC) - timedelta(days=30)
        self._ids = 0
        self.users: dict[int, Json] = {}
        self.tokens: dict[str, int] = {}
        self.groups: dict[int, Json] = {}
        self.projects: dict[int, Json] = {}
        self.milestones: dict[int, Json] = {}
        self.issues: dict[int, Json] = {}  # by global id
        self.by_iid: dict[tuple[int, int], Json] = {}
        self.notes: dict[int, list[Json]] = {}  # by issue global id
        #: When set, nobody may edit or delete a note (as a Reporter on another's note).
        self.notes_locked = False
        self.state_events: dict[int, list[Json]] = {}  # by issue global id, oldest first
        self.label_events: dict[int, list[Json]] = {}  # by issue global id, oldest first
        #: issue global id -> (linked issue's global id, link type as seen from the first)
        self.links: dict[int, list[tuple[int, str]]] = {}
        self.releases: dict[int, list[Json]] = {}
        #: Markdown uploads by (project id, secret, file name).
        self.uploads: dict[tuple[int, str, str], bytes] = {}
        self.cache: dict[Any, tuple[int, list[bytes]]] = {}
        self._encoded: dict[int, bytes] = {}

    # -- clock and ids ---------------------------------------------------------

    def now(self) -> str:
        """Strictly increasing time, so updated_after sees every change."""
        with self.lock:
            moment = max(datetime.now(UTC), self._last + timedelta(milliseconds=1))
            self._last = moment
            return _stamp(moment)

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _touch(self) -> None:
        self.version += 1

    def user_json(self, user_id: int) -> Json:
        user = self.users[user_id]
        return {k: user[k] for k in ("id", "username", "name", "state", "avatar_url", "web_url")}

    # -- admin: seeding and editing ------------------------------------------

    def add_user(self, username: str, token: str, name: str = "") -> Json:
        with self.lock:
            uid = self._next_id()
            user = {
                "id": uid,
                "username": username,
                "name": name or username.replace(".", " ").title(),
                "state": "active",
                "locked": False,
                "avatar_url": None,
                "web_url": f"{self.base_url}/{username}",
                "created_at": self.now(),
                "bot": False,
            }
            self.users[uid] = user
            self.tokens[token] = uid
            return user

    def add_group(self, full_path: str) -> Json:
        with self.lock:
            gid = self._next_id()
            group = {
                "id": gid,
                "name": full_path.rsplit("/", 1)[-1],
                "path": full_path.rsplit("/", 1)[-1],
                "full_path": full_path,
                "web_url": f"{self.base_url}/groups/{full_path}",
                "visibility": "private",
            }
            self.groups[gid] = group
            return group

    def add_project(self, path_with_namespace: str, *, members: tuple[int, ...] = ()) -> Json:
        with self.lock:
            namespace = path_with_namespace.rsplit("/", 1)[0]
            group = self.find_group(namespace) or self.add_group(namespace)
            pid = self._next_id()
            project = {
                "id": pid,
                "name": path_with_namespace.rsplit("/", 1)[-1],
                "path": path_with_namespace.rsplit("/", 1)[-1],
                "path_with_namespace": path_with_namespace,
                "namespace": {"id": group["id"], "full_path": namespace, "kind": "group"},
                "web_url": f"{self.base_url}/{path_with_namespace}",
                "visibility": "private",
                "archived": False,
                "issues_enabled": True,
                "_members": set(members),
                "_next_iid": 1,
            }
            self.projects[pid] = project
            self._touch()
            return project

    def add_milestone(
        self,
        title: str,
        *,
        project_id: int | None = None,
        group_id: int | None = None,
        state: str = "active",
        due_date: str | None = None,
    ) -> Json:
        with self.lock:
            mid = self._next_id()
            owner = {"project_id": project_id} if project_id else {"group_id": group_id}
            scope = [m for m in self.milestones.values() if _owner(m) == _owner(owner)]
            base = self.projects[project_id] if project_id else self.groups[group_id or 0]
            web = base["web_url"].replace("/groups/", "/groups/")
            now = self.now()
            milestone = {
                "id": mid,
                "iid": len(scope) + 1,
                **owner,
                "title": title,
                "description": "",
                "state": state,
                "created_at": now,
                "updated_at": now,
                "due_date": due_date,
                "start_date": None,
                "expired": bool(due_date and due_date < now[:10]),
                "web_url": f"{web}/-/milestones/{len(scope) + 1}",
            }
            self.milestones[mid] = milestone
            self._touch()
            return milestone

    def add_release(self, project_id: int, tag_name: str, milestones: list[str]) -> Json:
        with self.lock:
            now = self.now()
            release = {
                "tag_name": tag_name,
                "name": tag_name,
                "description": "",
                "created_at": now,
                "released_at": now,
                "upcoming_release": False,
                "milestones": [self.milestone_for(project_id, title) for title in milestones],
            }
            self.releases.setdefault(project_id, []).append(release)
            self._touch()
            return release

    def add_issue(
        self,
        project_id: int,
        title: str,
        *,
        author_id: int,
        description: str = "",
        labels: list[str] | tuple[str, ...] = (),
        milestone: str | None = None,
        closed: bool = False,
        confidential: bool = False,
        issue_type: str = "issue",
        assignee_id: int | None = None,
        when: str | None = None,
    ) -> Json:
        with self.lock:
            project = self.projects[project_id]
            iid = project["_next_iid"]
            project["_next_iid"] += 1
            now = when or self.now()
            assignees = [self.user_json(assignee_id)] if assignee_id else []
            path = project["path_with_namespace"]
            issue: Json = {
                "id": self._next_id(),
                "iid": iid,
                "project_id": project_id,
                "title": title,
                "description": description,
                "state": "opened",
                "created_at": now,
                "updated_at": now,
                "closed_at": None,
                "closed_by": None,
                "labels": sorted(labels),
                "milestone": self.milestone_for(project_id, milestone) if milestone else None,
                "assignees": assignees,
                "author": self.user_json(author_id),
                "type": "ISSUE",
                "assignee": assignees[0] if assignees else None,
                "user_notes_count": 0,
                "merge_requests_count": 0,
                "upvotes": 0,
                "downvotes": 0,
                "due_date": None,
                "confidential": confidential,
                "discussion_locked": None,
                "issue_type": issue_type,
                "web_url": f"{project['web_url']}/-/issues/{iid}",
                "time_stats": {
                    "time_estimate": 0,
                    "total_time_spent": 0,
                    "human_time_estimate": None,
                    "human_total_time_spent": None,
                },
                "task_completion_status": {"count": 0, "completed_count": 0},
                "has_tasks": False,
                "_links": {
                    "self": f"{self.base_url}/api/v4/projects/{project_id}/issues/{iid}",
                    "notes": f"{self.base_url}/api/v4/projects/{project_id}/issues/{iid}/notes",
                    "project": f"{self.base_url}/api/v4/projects/{project_id}",
                },
                "references": {"short": f"#{iid}", "relative": f"#{iid}", "full": f"{path}#{iid}"},
                "severity": "UNKNOWN",
                "moved_to_id": None,
                "service_desk_reply_to": None,
            }
            self.issues[issue["id"]] = issue
            self.by_iid[(project_id, iid)] = issue
            self.notes[issue["id"]] = []
            for label in issue["labels"]:
                self._label_event(issue, label, "add", now, author_id)
            if closed:
                self.update_issue(issue, state_event="close", author_id=author_id)
            self._touch()
            return issue

    def update_issue(self, issue: Json, *, author_id: int | None = None, **changes: Any) -> Json:
        """Apply an edit as PUT /projects/:id/issues/:iid would."""
        with self.lock:
            now = self.now()
            event = changes.pop("state_event", None)
            if event == "close" and issue["state"] != "closed":
                issue["state"] = "closed"
                issue["closed_at"] = now
                issue["closed_by"] = self.user_json(author_id) if author_id else None
                self._state_event(issue, "closed", now, author_id)
            elif event == "reopen" and issue["state"] == "closed":
                issue["state"], issue["closed_at"], issue["closed_by"] = "opened", None, None
                self._state_event(issue, "reopened", now, author_id)
            if "milestone" in changes:
                title = changes.pop("milestone")
                issue["milestone"] = (
                    self.milestone_for(issue["project_id"], title) if title else None
                )
            if "milestone_id" in changes:
                mid = changes.pop("milestone_id")
                issue["milestone"] = dict(self.milestones[int(mid)]) if mid else None
            if "labels" in changes:
                before = set(issue["labels"])
                issue["labels"] = sorted(_label_list(changes.pop("labels")))
                for label in sorted(before - set(issue["labels"])):
                    self._label_event(issue, label, "remove", now, author_id)
                for label in sorted(set(issue["labels"]) - before):
                    self._label_event(issue, label, "add", now, author_id)
            for key in ("title", "description", "confidential", "issue_type", "severity"):
                if key in changes:
                    issue[key] = changes.pop(key)
            issue["updated_at"] = now
            self._encoded.pop(issue["id"], None)
            self._touch()
            return issue

    def link_issues(self, source: Json, target: Json, link_type: str = "relates_to") -> None:
        """Link two issues as POST .../issues/:iid/links does (both ends see the link)."""
        back = {"blocks": "is_blocked_by", "is_blocked_by": "blocks"}.get(link_type, link_type)
        with self.lock:
            self.links.setdefault(source["id"], []).append((target["id"], link_type))
            self.links.setdefault(target["id"], []).append((source["id"], back))
            self._touch()

    def _state_event(self, issue: Json, state: str, now: str, author_id: int | None) -> None:
        """Each close and reopen (never the initial open), as GitLab records them."""
        self.state_events.setdefault(issue["id"], []).append(
            {
                "id": self._next_id(),
                "user": self.user_json(author_id) if author_id else None,
                "created_at": now,
                "resource_type": "Issue",
                "resource_id": issue["id"],
                "state": state,
            }
        )

    def _label_event(
        self, issue: Json, label: str, action: str, now: str, author_id: int | None
    ) -> None:
        """Each label added or removed, as GitLab's resource label events record them."""
        self.label_events.setdefault(issue["id"], []).append(
            {
                "id": self._next_id(),
                "user": self.user_json(author_id) if author_id else None,
                "created_at": now,
                "resource_type": "Issue",
                "resource_id": issue["id"],
                "label": {"id": sum(map(ord, label)), "name": label, "color": "#FF0000"},
                "action": action,
            }
        )

    def add_upload(self, project_id: int, filename: str, content: bytes) -> str:
        """Upload a file to the project as POST /projects/:id/uploads does; its Markdown link."""
        with self.lock:
            secret = secrets.token_hex(16)
            self.uploads[(project_id, secret, filename)] = content
            return f"[{filename}](/uploads/{secret}/{quote(filename)})"

    def add_note(self, issue: Json, body: str, *, author_id: int, system: bool = False) -> Json:
        with self.lock:
            now = self.now()
            note = {
                "id": self._next_id(),
                "type": None,
                "body": body,
                "attachment": None,
                "author": self.user_json(author_id),
                "created_at": now,
                "updated_at": now,
                "system": system,
                "noteable_id": issue["id"],
                "noteable_type": "Issue",
                "project_id": issue["project_id"],
                "resolvable": False,
                "confidential": False,
                "internal": False,
                "noteable_iid": issue["iid"],
                "commands_changes": {},
            }
            self.notes[issue["id"]].append(note)
            if not system:
                issue["user_notes_count"] += 1
            issue["updated_at"] = now  # GitLab bumps the issue when a note is added
            self._encoded.pop(issue["id"], None)
            self._touch()
            return note

    def note(self, issue: Json, note_id: str) -> Json | None:
        return next((n for n in self.notes[issue["id"]] if str(n["id"]) == note_id), None)

    def edit_note(self, issue: Json, note: Json, body: str) -> Json:
        """GitLab moves ``updated_at``; the REST note does not say who edited."""
        with self.lock:
            note["body"] = body
            note["updated_at"] = self.now()
            self._touch()
            return note

    def delete_note(self, issue: Json, note: Json) -> None:
        with self.lock:
            self.notes[issue["id"]].remove(note)
            if not note["system"]:
                issue["user_notes_count"] -= 1
            self._encoded.pop(issue["id"], None)
            self._touch()

    # -- lookups ---------------------------------------------------------------

    def find_group(self, ident: str) -> Json | None:
        for group in self.groups.values():
            if str(group["id"]) == ident or group["full_path"] == ident:
                return group
        return None

    def find_project(self, ident: str) -> Json | None:
        for project in self.projects.values():
            if str(project["id"]) == ident or project["path_with_namespace"] == ident:
                return project
        return None

    def milestone_for(self, project_id: int, title: str) -> Json:
        for milestone in self.visible_milestones(project_id):
            if milestone["title"] == title:
                return dict(milestone)
        raise KeyError(f"no milestone {title!r} visible from project {project_id}")

    def visible_milestones(self, project_id: int) -> list[Json]:
        """The project's own milestones and those of its ancestor groups."""
        path = self.projects[project_id]["path_with_namespace"]
        ancestors = {g["id"] for g in self.groups.values() if path.startswith(g["full_path"] + "/")}
        return [
            m
            for m in self.milestones.values()
            if m.get("project_id") == project_id or m.get("group_id") in ancestors
        ]

    def group_projects(self, group: Json) -> set[int]:
        prefix = group["full_path"] + "/"
        return {
            p["id"] for p in self.projects.values() if p["path_with_namespace"].startswith(prefix)
        }

    def encoded(self, issue: Json) -> bytes:
        """The issue's JSON, cached: serializing 20,000 issues per page is not GitLab's cost."""
        blob = self._encoded.get(issue["id"])
        if blob is None:
            blob = json.dumps(issue, separators=(",", ":")).encode()
            self._encoded[issue["id"]] = blob
        return blob


def _owner(milestone: Json) -> tuple[str, int]:
    if milestone.get("project_id"):
        return ("project", milestone["project_id"])
    return ("group", milestone.get("group_id") or 0)


def _label_list(labels: Any) -> list[str]:
    if isinstance(labels, str):
        return [label.strip() for label in labels.split(",") if label.strip()]
    return [str(label) for label in labels]
