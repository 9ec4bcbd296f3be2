"""Journals (Redmine's notes) as secgate comments. Pure."""

from __future__ import annotations

from connectors.base import Comment, CommentRef
from connectors.redmine import mapping
from connectors.redmine.client import JsonDict


def comment_ref(base_url: str, number: int, journal: JsonDict) -> CommentRef:
    return CommentRef(
        key=mapping.issue_key(number),
        id=str(journal["id"]),
        url=f"{base_url}/issues/{number}#change-{journal['id']}",
    )


def comment(base_url: str, number: int, journal: JsonDict) -> Comment:
    return Comment(
        ref=comment_ref(base_url, number, journal),
        body=str(journal.get("notes") or ""),
        author=str((journal.get("user") or {}).get("name", "")),
        author_id=str((journal.get("user") or {}).get("id") or ""),
        created=mapping.parse_time(journal.get("created_on")),
        updated=mapping.parse_time(journal.get("updated_on")),
    )


def own_note(journals: list[JsonDict], body: str, user_id: str) -> JsonDict | None:
    """The newest journal by ``user_id`` whose text is exactly ``body``."""
    for journal in reversed(journals):
        author = str((journal.get("user") or {}).get("id"))
        if journal.get("notes") == body and author == user_id:
            return journal
    return None
