"""Issue notes (records written back and read back), issue creation and lookup.

A record is posted once: a lost answer to the POST is reported, never retried
blindly (the authorization protocol searches for the record's marker first).
Notes are read back as GitLab stores them, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from gitlab.utils import EncodedId

from connectors.base import (
    AuthError,
    Comment,
    CommentRef,
    ConnectorError,
    Identity,
    IssueRef,
    NotFoundError,
    NotSupportedError,
    comment_edited,
)
from connectors.gitlab.client import GitLabClient, Json
from connectors.gitlab.mapping import issue_key, note_justification
from connectors.gitlab.sync import all_pages
from secgate_tui.domain.text import without_userinfo

_KEY = re.compile(r"^(?P<path>[^#\s]+)#(?P<iid>\d+)$")


def split_key(key: str, tracker: str) -> tuple[str, int]:
    """``group/project#12`` -> ("group/project", 12)."""
    match = _KEY.match(key.strip())
    if not match:
        raise NotFoundError(
            f"'{key}' is not a GitLab issue key; write it as group/project#123.", tracker=tracker
        )
    return match["path"], int(match["iid"])


def issue_path(key: str, tracker: str) -> str:
    path, iid = split_key(key, tracker)
    return f"/projects/{EncodedId(path)}/issues/{iid}"


def get_issue(client: GitLabClient, key: str) -> tuple[Json, str]:
    """The issue's JSON and the digest of its text as GitLab sent it."""
    return client.get_with_digest(issue_path(key, client.tracker), None, f"issue {key}")


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def _comment(key: str, note: Json, issue_url: str) -> Comment:
    note_id = str(note.get("id"))
    author = note.get("author") or {}
    author_id = "" if author.get("id") is None else str(author["id"])
    created = _time(note.get("created_at"))
    updated = _time(note.get("updated_at"))
    return Comment(
        ref=CommentRef(
            key=key,
            id=note_id,
            url=without_userinfo(f"{issue_url}#note_{note_id}") if issue_url else "",
        ),
        body=str(note.get("body") or ""),
        author=str(author.get("username") or ""),
        author_id=author_id,
        created=created,
        updated=updated,
        # The REST API does not say who edited a note (only GraphQL's lastEditedBy
        # does): an edit shows only as updated_at moving past created_at.
        update_author_id=None,
        edited=comment_edited(created, updated, author_id, None),
    )


def _issue_url(client: GitLabClient, key: str) -> str:
    path, iid = split_key(key, client.tracker)
    return f"{client.settings.url.rstrip('/')}/{path}/-/issues/{iid}"


def post(client: GitLabClient, key: str, body: str) -> CommentRef:
    note = client.write(
        "post",
        f"{issue_path(key, client.tracker)}/notes",
        {"body": body},
        f"a new note on issue {key}",
    )
    if "id" not in note:
        raise ConnectorError(
            f"GitLab accepted the note on {key} but returned no id.", tracker=client.tracker
        )
    return _comment(key, note, _issue_url(client, key)).ref


def read(client: GitLabClient, ref: CommentRef) -> Comment:
    note = client.get(_note_path(client, ref), None, f"note {ref.id} of issue {ref.key}")
    return _comment(ref.key, note, _issue_url(client, ref.key))


def _note_path(client: GitLabClient, ref: CommentRef) -> str:
    if not ref.id.isdigit():
        raise NotFoundError(f"'{ref.id}' is not a GitLab note id.", tracker=client.tracker)
    return f"{issue_path(ref.key, client.tracker)}/notes/{ref.id}"


def _forbidden(client: GitLabClient, ref: CommentRef, action: str) -> NotSupportedError:
    return NotSupportedError(
        f"GitLab does not let this account {action} note {ref.id} of issue {ref.key} (403): "
        "only the note's author and maintainers may.",
        tracker=client.tracker,
    )


def edit(client: GitLabClient, ref: CommentRef, body: str) -> Comment:
    """PUT the note's new body ("Modify existing issue note"); GitLab answers the note."""
    try:
        note = client.write(
            "put", _note_path(client, ref), {"body": body}, f"note {ref.id} of issue {ref.key}"
        )
    except AuthError as exc:
        if "(403" in exc.message:
            raise _forbidden(client, ref, "edit") from None
        raise
    return _comment(ref.key, note, _issue_url(client, ref.key))


def delete(client: GitLabClient, ref: CommentRef) -> None:
    """DELETE the note ("Delete an issue note", 204)."""
    try:
        client.delete(_note_path(client, ref), f"note {ref.id} of issue {ref.key}")
    except AuthError as exc:
        if "(403" in exc.message:
            raise _forbidden(client, ref, "delete") from None
        raise


def notes(client: GitLabClient, key: str, *, newest_first: bool = False) -> list[Json]:
    params = {"sort": "desc" if newest_first else "asc", "order_by": "created_at"}
    return list(
        all_pages(
            client, f"{issue_path(key, client.tracker)}/notes", params, f"the notes of issue {key}"
        )
    )


def find(client: GitLabClient, key: str, marker: str) -> list[Comment]:
    url = _issue_url(client, key)
    return [
        _comment(key, note, url)
        for note in notes(client, key)
        if not note.get("system") and marker in str(note.get("body") or "")
    ]


def justification(client: GitLabClient, key: str, prefix: str) -> str | None:
    """The newest note starting with the prefix (pages newest first, stops when found)."""
    params = {"sort": "desc", "order_by": "created_at"}
    what = f"the notes of issue {key}"
    for note in all_pages(client, f"{issue_path(key, client.tracker)}/notes", params, what):
        found = note_justification([note], prefix)
        if found:
            return found
    return None


def create_issue(
    client: GitLabClient, project: str, title: str, body: str, labels: Sequence[str]
) -> IssueRef:
    data: Json = {"title": title, "description": body}
    if labels:
        data["labels"] = ",".join(labels)
    issue = client.write(
        "post",
        f"/projects/{EncodedId(project)}/issues",
        data,
        f"a new issue in project '{project}'",
    )
    return IssueRef(key=issue_key(issue), url=without_userinfo(str(issue.get("web_url") or "")))


def find_issues(client: GitLabClient, project: str, marker: str) -> list[IssueRef]:
    params = {
        "search": marker,
        "in": "title",
        "state": "all",
        "scope": "all",
        "order_by": "created_at",
        "sort": "asc",
    }
    found = all_pages(
        client,
        f"/projects/{EncodedId(project)}/issues",
        params,
        f"the issues of project '{project}'",
    )
    # GitLab's search is word-based; only an exact substring of the title counts.
    return [
        IssueRef(key=issue_key(issue), url=without_userinfo(str(issue.get("web_url") or "")))
        for issue in found
        if marker in str(issue.get("title") or "")
    ]


def whoami(client: GitLabClient) -> Identity:
    user = client.get("/user", None, "the current user (/user)")
    if "username" not in user:
        raise ConnectorError("GitLab's /user answer has no username.", tracker=client.tracker)
    return Identity(
        id=str(user.get("id")), name=str(user["username"]), display_name=str(user.get("name") or "")
    )
