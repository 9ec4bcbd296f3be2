"""What counts as an activity's record (IEC 81001-5-1 5.8.6), observed by the sync."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from secgate_tui.config import config_from_data
from secgate_tui.domain import ActivityState
from secgate_tui.domain.model import activity_state
from secgate_tui.services.connections import Connections
from secgate_tui.services.demo import demo_data
from secgate_tui.services.store import Store
from secgate_tui.services.sync import Syncer


def syncer(tmp_path: Path, activities: list[dict]) -> Syncer:  # type: ignore[type-arg]
    data = demo_data(tmp_path)
    data["trackers"]["sandbox"]["live"] = False
    data["products"]["ipc"]["activities"] = activities
    config = config_from_data(data, tmp_path / "secgate.toml")
    store = Store(tmp_path / "s.sqlite3")
    return Syncer(config, store, Connections(config))


def sandbox_edit(tmp_path: Path, key: str, **fields: object) -> None:
    path = tmp_path / "sandbox.json"
    data = json.loads(path.read_text())
    data["issues"][key].update(fields)
    path.write_text(json.dumps(data))


def test_a_record_issue_closed_as_not_done_is_incomplete(tmp_path: Path) -> None:
    s = syncer(
        tmp_path,
        [{"id": "pt", "name": "Pentest", "evidence": {"tracker": "sandbox", "key": "IPC-3"}}],
    )
    (done,) = s.observe_activities("ipc")
    assert done.complete
    sandbox_edit(tmp_path, "IPC-3", resolution="Won't Do")
    (wont,) = s.observe_activities("ipc")
    assert not wont.complete and "not done" in wont.detail
    assert activity_state(wont, datetime.now(UTC)) is ActivityState.INCOMPLETE


def test_evidence_age_is_the_close_date_not_the_last_update(tmp_path: Path) -> None:
    s = syncer(
        tmp_path,
        [
            {
                "id": "vs",
                "name": "Vulnerability scan",
                "max_age_days": 30,
                "evidence": {"tracker": "sandbox", "key": "IPC-4"},
            }
        ],
    )
    s.observe_activities("ipc")  # seeds the sandbox on first use
    old = (datetime.now(UTC) - timedelta(days=90)).isoformat()
    sandbox_edit(tmp_path, "IPC-4", closed_at=old, updated=datetime.now(UTC).isoformat())
    (scan,) = s.observe_activities("ipc")
    assert activity_state(scan, datetime.now(UTC)) is ActivityState.STALE


@pytest.mark.parametrize(
    ("pinned_date", "expected"),
    [
        (None, ActivityState.STALE),  # no date: the age cannot be shown, fail closed
        (date.today() - timedelta(days=400), ActivityState.STALE),
        (date.today() - timedelta(days=3), ActivityState.COMPLETE),
    ],
)
def test_document_age_comes_from_its_pinned_date_not_the_file(
    tmp_path: Path, pinned_date: date | None, expected: ActivityState
) -> None:
    doc = tmp_path / "assessment.pdf"
    doc.write_bytes(b"vulnerability assessment")
    evidence: dict[str, object] = {
        "path": "assessment.pdf",
        "sha256": hashlib.sha256(doc.read_bytes()).hexdigest(),
    }
    if pinned_date is not None:
        evidence["date"] = pinned_date
    s = syncer(
        tmp_path, [{"id": "va", "name": "Assessment", "max_age_days": 30, "evidence": evidence}]
    )
    (observed,) = s.observe_activities("ipc")
    assert observed.found and observed.complete
    assert activity_state(observed, datetime.now(UTC)) is expected


def test_a_changed_document_is_incomplete(tmp_path: Path) -> None:
    doc = tmp_path / "sbom.json"
    doc.write_text("{}")
    s = syncer(
        tmp_path,
        [{"id": "sbom", "name": "SBOM", "evidence": {"path": "sbom.json", "sha256": "0" * 64}}],
    )
    (observed,) = s.observe_activities("ipc")
    assert observed.found and not observed.complete
    assert "not the configured" in observed.detail
