"""Files attached to a GitLab issue: Markdown uploads linked from its description and notes.

GitLab has no attachment list per issue. A file dropped on an issue is a
project upload, and the issue's text links it as ``/uploads/<secret>/<name>``.
The issue's attachments are therefore the upload links in its description,
then in its (non-system) notes, oldest first. Each is read through
``GET /projects/:id/uploads/:secret/:filename`` (GitLab 17.4 or later; the
token's user needs the Maintainer role there). A link to another project's
upload (a full URL) is not this issue's attachment and is ignored.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from gitlab.utils import EncodedId

from connectors.base import AttachmentRef, NotFoundError
from connectors.gitlab.client import GitLabClient
from connectors.gitlab.notes import get_issue, notes, split_key

# The link GitLab writes for an upload: "/uploads/" + 32 hex digits + "/" + name.
# A full URL ("https://host/group/app/uploads/...") names a project, perhaps another
# one: only the project-relative form counts.
_UPLOAD = re.compile(r"(?<![\w/.-])/uploads/(?P<secret>[0-9a-f]{32})/(?P<name>[^\s)\]\"'<>/?#]+)")


def _links(text: str) -> list[tuple[str, str]]:
    return [(m["secret"], unquote(m["name"])) for m in _UPLOAD.finditer(text or "")]


def list_uploads(client: GitLabClient, key: str) -> list[AttachmentRef]:
    """The uploads the issue's description and notes link, oldest first, each once."""
    issue, _ = get_issue(client, key)
    texts = [str(issue.get("description") or "")]
    texts += [str(n.get("body") or "") for n in notes(client, key) if not n.get("system")]
    seen: dict[tuple[str, str], AttachmentRef] = {}
    for text in texts:
        for secret, name in _links(text):
            seen.setdefault((secret, name), AttachmentRef(key=key, id=secret, filename=name))
    return list(seen.values())


def read_upload(client: GitLabClient, ref: AttachmentRef) -> bytes:
    path, _ = split_key(ref.key, client.tracker)
    if not re.fullmatch(r"[0-9a-f]{32}", ref.id):
        raise NotFoundError(
            f"'{ref.id}' is not a GitLab upload secret (of {ref.filename} on {ref.key})",
            tracker=client.tracker,
        )
    return client.get_bytes(
        f"/projects/{EncodedId(path)}/uploads/{ref.id}/{quote(ref.filename, safe='')}",
        f"the upload {ref.filename} linked from {ref.key}",
    )
