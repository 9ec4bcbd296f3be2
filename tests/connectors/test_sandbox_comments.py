"""Sandbox comments written before edits were tracked still read as never edited.

The demo's data directory outlives an upgrade: a record posted by the previous
version (no ``updated`` / ``update_author_id`` stored) must still be adoptable.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from connectors.sandbox import SandboxConnector, SandboxSettings
from tests.contract.harness_sandbox import seed


def test_a_comment_from_the_previous_format_is_not_edited(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    path.write_text(json.dumps(seed(datetime.now(UTC))))
    box = SandboxConnector("box", SandboxSettings(kind="sandbox", path=str(path)), None)
    key = box.create_issue("CT", "records", "").key
    ref = box.post_comment(key, "record")
    data = json.loads(path.read_text())
    for comment in data["issues"][key]["comments"]:
        del comment["updated"], comment["update_author_id"]
    path.write_text(json.dumps(data))
    old = box.read_comment(ref)
    assert old.edited is False
    assert old.updated == old.created and old.update_author_id == old.author_id
    edited = box.edit_comment(ref, "changed")
    assert edited.edited is True and edited.update_author_id == box.whoami().id
