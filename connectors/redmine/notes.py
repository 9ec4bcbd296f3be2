"""Journals (Redmine's notes) as secgate comments. Pure.

What Redmine tells about edits: 5.0 (the version the tests run) lets an
account with "Edit notes" / "Edit own notes" change a note through
``PUT /journals/:id.json`` but records nothing about it: a journal has no
``updated_on`` or ``updated_by``, and an edited note adds no journal detail
(details are issue attribute changes only). So on 5.0 ``edited`` is None
("cannot tell"). Redmine 5.1 added ``updated_on`` and ``updated_by`` to the
journal; when the server sends them they are used.
"""

from __future__ import annotations

from connectors.base import Comment, CommentRef, comment_edited
from connectors.redmine import mapping
from connectors.redmine.client import JsonDict


def comment_ref(base_url: str, number: int, journal: JsonDict) -> CommentRef:
    return CommentRef(
        key=mapping.issue_key(number),
        id=str(journal["id"]),
        url=f"{base_url}/issues/{number}#change-{journal['id']}",
    )


def comment(base_url: str, number: int, journal: JsonDict) -> Comment:
    author_id = str((journal.get("user") or {}).get("id") or "")
    created = mapping.parse_time(journal.get("created_on"))
    updated = mapping.parse_time(journal.get("updated_on"))
    editor = journal.get("updated_by")
    update_author_id = str(editor["id"]) if isinstance(editor, dict) and "id" in editor else None
    tells = "updated_on" in journal  # Redmine 5.1+: the journal records its last edit
    if tells and update_author_id is None:
        update_author_id = author_id  # 5.1 sends updated_by only once someone edited
    return Comment(
        ref=comment_ref(base_url, number, journal),
        body=str(journal.get("notes") or ""),
        author=str((journal.get("user") or {}).get("name", "")),
        author_id=author_id,
        created=created,
        updated=updated,
        update_author_id=update_author_id,
        edited=comment_edited(created, updated, author_id, update_author_id) if tells else None,
    )


def own_note(journals: list[JsonDict], body: str, user_id: str) -> JsonDict | None:
    """The newest journal by ``user_id`` whose text is exactly ``body``."""
    for journal in reversed(journals):
        author = str((journal.get("user") or {}).get("id"))
        if journal.get("notes") == body and author == user_id:
            return journal
    return None
