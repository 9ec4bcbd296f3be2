"""A GitLab issue's attachments: the uploads its description and notes link."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.base import AttachmentRef, NotFoundError
from tests.contract.harness_gitlab import GitLabHarness, shared_server


@pytest.fixture
def gl() -> Iterator[GitLabHarness]:
    harness = GitLabHarness(shared_server())
    yield harness
    harness.connector.close()


def test_description_then_notes_each_upload_once_and_only_this_projects(gl: GitLabHarness) -> None:
    store = gl.fake.store
    issue = store.by_iid[(gl.project_id, int(gl.comment_key.split("#")[1]))]
    sbom = store.add_upload(gl.project_id, "ipc 2.0.cdx.json", b'{"sbom": 1}')
    vex = store.add_upload(gl.project_id, "ipc-2.0.openvex.json", b'{"vex": 1}')
    store.update_issue(issue, description=f"SBOM: {sbom}\nagain {sbom}", author_id=gl.user)
    store.add_note(issue, f"VEX for 2.0: {vex}", author_id=gl.user)
    # A system note and a full URL to some other project's upload are not attachments.
    other = store.add_upload(gl.project_id, "other.json", b"{}")
    store.add_note(issue, f"changed the description {other}", author_id=gl.user, system=True)
    store.add_note(
        issue,
        "see https://gitlab.example.com/x/y/uploads/0123456789abcdef0123456789abcdef/z.json",
        author_id=gl.user,
    )

    listed = gl.connector.list_attachments(gl.comment_key)

    assert [ref.filename for ref in listed] == ["ipc 2.0.cdx.json", "ipc-2.0.openvex.json"]
    assert [gl.connector.read_attachment(ref) for ref in listed] == [b'{"sbom": 1}', b'{"vex": 1}']


def test_an_upload_gone_from_the_project_is_not_found(gl: GitLabHarness) -> None:
    ref = AttachmentRef(key=gl.comment_key, id="f" * 32, filename="gone.json")
    with pytest.raises(NotFoundError):
        gl.connector.read_attachment(ref)
    with pytest.raises(NotFoundError, match="not a GitLab upload secret"):
        gl.connector.read_attachment(ref.model_copy(update={"id": "../../secrets"}))
