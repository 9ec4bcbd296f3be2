"""Attachments on Redmine issues: records too long for one note go here.

Uploading is two writes (``POST /uploads.json`` gives a token, ``PUT`` on the
issue attaches it); neither is retried blindly. Reading lists the issue's
attachments (``include=attachments``) and downloads ``content_url``.
"""

from __future__ import annotations

from urllib.parse import quote

from connectors.base import AttachmentRef, BadResponseError
from connectors.redmine.client import JsonDict, RedmineClient
from secgate_tui.domain.text import without_userinfo


def attach(client: RedmineClient, number: int, filename: str, content: bytes) -> None:
    upload = client.upload(content, filename, what=f"an attachment for issue #{number}")
    token = upload.get("token")
    if not token:
        raise BadResponseError(
            f"{client.tracker}: Redmine accepted the upload of {filename} but gave no token",
            tracker=client.tracker,
        )
    client.write(
        "put",
        f"/issues/{number}.json",
        {
            "issue": {
                "uploads": [
                    {"token": token, "filename": filename, "content_type": "application/json"}
                ]
            }
        },
        what=f"issue #{number}",
    )


def list_all(client: RedmineClient, number: int) -> list[AttachmentRef]:
    """Every attachment of the issue, oldest first."""
    data = client.get(f"/issues/{number}.json", {"include": "attachments"}, what=f"issue #{number}")
    found: list[JsonDict] = [
        item
        for item in (data.get("issue") or {}).get("attachments") or []
        if isinstance(item, dict) and isinstance(item.get("filename"), str) and "id" in item
    ]
    found.sort(key=lambda item: int(item.get("id", 0)))
    return [
        AttachmentRef(
            key=f"#{number}",
            id=str(item["id"]),
            filename=str(item["filename"]),
            url=without_userinfo(str(item.get("content_url", ""))),
        )
        for item in found
    ]


def find(client: RedmineClient, number: int, filename: str) -> list[AttachmentRef]:
    """The issue's attachments named ``filename``, oldest first."""
    return [ref for ref in list_all(client, number) if ref.filename == filename]


def read(client: RedmineClient, ref: AttachmentRef) -> bytes:
    # content_url carries the host Redmine was asked through; the id is what counts.
    data = client.get(f"/attachments/{ref.id}.json", what=f"attachment {ref.id}")
    name = (data.get("attachment") or {}).get("filename")
    if name != ref.filename:
        raise BadResponseError(
            f"{client.tracker}: attachment {ref.id} is now named {name!r}, not {ref.filename!r}",
            tracker=client.tracker,
        )
    return client.get_bytes(
        f"/attachments/download/{ref.id}/{quote(ref.filename, safe='')}",
        what=f"attachment {ref.filename}",
    )
