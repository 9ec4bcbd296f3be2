"""Writing to Jira and reading it back: comments, record issues, attachments.

Comments go through ``jira.add_comment`` (REST v2, wiki markup, the body is
stored exactly as sent) and are read back through v2 too, so a record's bytes
can be compared. Writes are never retried blindly: the authorization protocol
finds its marker instead.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from connectors.base import (
    AttachmentRef,
    AuthError,
    BadResponseError,
    Comment,
    CommentRef,
    IssueRef,
    NotSupportedError,
    comment_edited,
)
from connectors.bounded import same_origin
from connectors.jira.client import JiraClient
from connectors.jira.jql import jql_string
from connectors.jira.mapping import parse_time
from secgate_tui.domain.text import without_userinfo

COMMENT_PAGE = 100


def _key(key: str) -> str:
    return quote(key, safe="")


def _bad(client: JiraClient, what: str) -> BadResponseError:
    return BadResponseError(
        f"Jira tracker '{client.name}' answered {what} in a shape secgate does not know.",
        tracker=client.name,
    )


def comment_ref(client: JiraClient, key: str, comment_id: str) -> CommentRef:
    url = f"{client.base_url}/browse/{key}?focusedCommentId={comment_id}"
    return CommentRef(key=key, id=comment_id, url=url)


def _account_id(user: Any) -> str:
    """The same precedence as whoami(): Cloud accountId, else the Data Center key/name."""
    if not isinstance(user, dict):
        return ""
    return str(user.get("accountId") or user.get("key") or user.get("name") or "")


def to_comment(client: JiraClient, key: str, raw: Any) -> Comment:
    if not isinstance(raw, dict) or "id" not in raw or not isinstance(raw.get("body"), str):
        raise _bad(client, f"a comment of {key}")
    author: dict[str, Any] = raw["author"] if isinstance(raw.get("author"), dict) else {}
    author_id = _account_id(author)
    # Jira names the last editor in updateAuthor (the author until someone edits).
    update_author_id = _account_id(raw.get("updateAuthor")) or None
    created = parse_time(raw.get("created"))
    updated = parse_time(raw.get("updated"))
    return Comment(
        ref=comment_ref(client, key, str(raw["id"])),
        body=raw["body"],
        author=str(author.get("displayName") or author.get("name") or ""),
        author_id=author_id,
        created=created,
        updated=updated,
        update_author_id=update_author_id,
        edited=comment_edited(created, updated, author_id, update_author_id),
    )


def post_comment(client: JiraClient, key: str, body: str) -> CommentRef:
    jira = client.jira
    created = client.call(
        lambda: jira.add_comment(key, body), f"posting a comment on {key}", idempotent=False
    )
    comment_id = getattr(created, "id", None)
    if not comment_id:
        raise _bad(client, f"the new comment on {key}")
    return comment_ref(client, key, str(comment_id))


def read_comment(client: JiraClient, ref: CommentRef) -> Comment:
    raw = client.request("GET", _comment_path(ref), f"reading comment {ref.id} of {ref.key}")
    return to_comment(client, ref.key, raw)


def _comment_path(ref: CommentRef) -> str:
    return f"/rest/api/2/issue/{_key(ref.key)}/comment/{quote(ref.id, safe='')}"


def _forbidden(client: JiraClient, ref: CommentRef, action: str) -> NotSupportedError:
    return NotSupportedError(
        f"Jira tracker '{client.name}' does not let this account {action} comment {ref.id} "
        f"of {ref.key} (the '{action.capitalize()} own comments' project permission).",
        tracker=client.name,
    )


def edit_comment(client: JiraClient, ref: CommentRef, body: str) -> Comment:
    """PUT the new body (REST v2, wiki markup as posted) and return the comment Jira answers."""
    try:
        raw = client.request(
            "PUT",
            _comment_path(ref),
            f"editing comment {ref.id} of {ref.key}",
            json_body={"body": body},
            idempotent=False,
        )
    except (AuthError, BadResponseError) as exc:
        # Jira Cloud answers a missing permission with 400, Data Center with 403.
        if "HTTP 400" in exc.message or "HTTP 403" in exc.message:
            raise _forbidden(client, ref, "edit") from None
        raise
    return to_comment(client, ref.key, raw)


def delete_comment(client: JiraClient, ref: CommentRef) -> None:
    try:
        client.request(
            "DELETE",
            _comment_path(ref),
            f"deleting comment {ref.id} of {ref.key}",
            idempotent=False,
            raw=True,
        )
    except (AuthError, BadResponseError) as exc:
        if "HTTP 400" in exc.message or "HTTP 403" in exc.message:
            raise _forbidden(client, ref, "delete") from None
        raise


def raw_comments(client: JiraClient, key: str) -> list[dict[str, Any]]:
    """Every comment of the issue as Jira sends it (REST v2), oldest first, page by page."""
    found: list[dict[str, Any]] = []
    start = 0
    while True:
        page = client.request(
            "GET",
            f"/rest/api/2/issue/{_key(key)}/comment",
            f"listing the comments of {key}",
            params={"startAt": start, "maxResults": COMMENT_PAGE, "orderBy": "created"},
        )
        listed = page.get("comments") if isinstance(page, dict) else None
        if not isinstance(listed, list) or not all(isinstance(c, dict) for c in listed):
            raise _bad(client, f"the comment list of {key}")
        found.extend(listed)
        start += len(listed)
        total = page.get("total")
        if not listed or not isinstance(total, int) or start >= total:
            return found


def comments(client: JiraClient, key: str) -> list[Comment]:
    """Every comment of the issue, oldest first."""
    return [to_comment(client, key, raw) for raw in raw_comments(client, key)]


def find_comments(client: JiraClient, key: str, marker: str) -> list[Comment]:
    return [comment for comment in comments(client, key) if marker in comment.body]


def create_issue(
    client: JiraClient,
    project: str,
    title: str,
    body: str,
    labels: Sequence[str],
    issue_type: str,
) -> IssueRef:
    jira = client.jira
    fields: dict[str, Any] = {
        "project": {"key": project},
        "summary": title,
        "description": body,
        "issuetype": {"name": issue_type},
        "labels": list(labels),
    }
    created = client.call(
        lambda: jira.create_issue(fields=fields, prefetch=False),
        f"creating an issue in project {project}",
        idempotent=False,
    )
    key = getattr(created, "key", None)
    if not key:
        raise _bad(client, f"the new issue in {project}")
    return IssueRef(key=str(key), url=f"{client.base_url}/browse/{key}")


def find_issues(client: JiraClient, project: str, marker: str) -> list[IssueRef]:
    """Issues whose summary contains the marker (JQL ``~`` is fuzzy: filter exactly)."""
    jql = (
        f"project = {jql_string(project)} AND summary ~ {jql_string(jql_string(marker))}"
        " ORDER BY key ASC"
    )
    path = "/rest/api/3/search/jql" if client.is_cloud else "/rest/api/2/search"
    refs: list[IssueRef] = []
    token: str | None = None
    start = 0
    while True:
        params: dict[str, Any] = {"jql": jql, "fields": "summary", "maxResults": 100}
        if client.is_cloud and token:
            params["nextPageToken"] = token
        if not client.is_cloud:
            params["startAt"] = start
        page = client.request("GET", path, f"searching issues of {project}", params=params)
        listed = page.get("issues") if isinstance(page, dict) else None
        if not isinstance(listed, list):
            raise _bad(client, f"the issue search of {project}")
        for raw in listed:
            summary = (raw.get("fields") or {}).get("summary") or ""
            if marker in summary:
                key = str(raw["key"])
                refs.append(IssueRef(key=key, url=f"{client.base_url}/browse/{key}"))
        start += len(listed)
        token = page.get("nextPageToken")
        more = token if client.is_cloud else start < int(page.get("total") or 0)
        if not listed or not more:
            return refs


def attach(client: JiraClient, key: str, filename: str, content: bytes) -> AttachmentRef:
    jira = client.jira
    created = client.call(
        lambda: jira.add_attachment(key, io.BytesIO(content), filename),
        f"attaching {filename} to {key}",
        idempotent=False,
    )
    raw = getattr(created, "raw", None)
    if not isinstance(raw, dict) or "id" not in raw:
        raise _bad(client, f"the new attachment of {key}")
    return AttachmentRef(
        key=key,
        id=str(raw["id"]),
        filename=str(raw.get("filename") or filename),
        url=without_userinfo(str(raw.get("content") or "")),
    )


def list_attachments(client: JiraClient, key: str) -> list[AttachmentRef]:
    """Every attachment of the issue, oldest first (Jira ids grow with time)."""
    raw = client.request(
        "GET",
        f"/rest/api/2/issue/{_key(key)}",
        f"listing the attachments of {key}",
        params={"fields": "attachment"},
    )
    listed = (raw.get("fields") or {}).get("attachment") if isinstance(raw, dict) else None
    if not isinstance(listed, list):
        raise _bad(client, f"the attachments of {key}")
    refs = [
        AttachmentRef(
            key=key,
            id=str(item["id"]),
            filename=str(item["filename"]),
            url=without_userinfo(str(item.get("content") or "")),
        )
        for item in listed
        if isinstance(item, dict) and isinstance(item.get("filename"), str) and "id" in item
    ]
    return sorted(refs, key=lambda ref: (len(ref.id), ref.id))


def find_attachments(client: JiraClient, key: str, filename: str) -> list[AttachmentRef]:
    return [ref for ref in list_attachments(client, key) if ref.filename == filename]


def read_attachment(client: JiraClient, ref: AttachmentRef) -> bytes:
    url = ref.url
    if not url:
        meta = client.request(
            "GET", f"/rest/api/2/attachment/{quote(ref.id, safe='')}", f"finding {ref.filename}"
        )
        url = str(meta.get("content") or "") if isinstance(meta, dict) else ""
        if not url:
            raise _bad(client, f"the attachment {ref.filename} of {ref.key}")
    url = without_userinfo(url)
    if not same_origin(url, client.base_url) or not url.startswith(client.base_url):
        # Never send the credential to a host the tracker named in its own answer.
        raise _bad(client, f"an attachment URL outside {client.base_url}")
    data: bytes = client.request("GET", url, f"reading {ref.filename} of {ref.key}", raw=True)
    return data
