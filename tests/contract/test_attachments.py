"""The attachment listing every tracker gives (SBOM/VEX from the record issue, issue 14).

A person attaches files to the release's record issue (GitLab: uploads linked
from a note); the connector lists them all, oldest first, with their real names,
and reads each one's bytes back unchanged.
"""

from __future__ import annotations

import uuid

from tests.contract.harness import Harness


def test_attachments_are_listed_oldest_first_and_read_back(tracker: Harness) -> None:
    stem = uuid.uuid4().hex[:8]
    sbom, vex = f"sbom-{stem}.cdx.json", f"vex-{stem}.json"
    key = tracker.comment_key
    tracker.attach_file(key, sbom, b'{"first": true}')
    tracker.attach_file(key, vex, '{"statements": ["é"]}'.encode())
    tracker.attach_file(key, sbom, b'{"first": false}')

    listed = [r for r in tracker.connector.list_attachments(key) if stem in r.filename]

    assert [r.filename for r in listed] == [sbom, vex, sbom]
    assert all(r.key == key for r in listed)
    contents = [tracker.connector.read_attachment(r) for r in listed]
    assert contents == [b'{"first": true}', '{"statements": ["é"]}'.encode(), b'{"first": false}']


def test_an_issue_without_attachments_lists_none(tracker: Harness) -> None:
    key = tracker.add_issue("Nothing attached here", release=tracker.release, labels=())
    assert tracker.connector.list_attachments(key) == []
