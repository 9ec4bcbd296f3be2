"""Offline (status --offline, the board, evidence bundles) an activity scoped since the
previous release is held to the release lists the last sync stored, and says as of when;
with no list ever stored for a source, it blocks (issue 13)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Release
from secgate_tui.config import Config, config_from_data
from secgate_tui.domain import Activity, ActivityScope, IssueEvidence
from secgate_tui.services.gate import release_activities
from secgate_tui.services.release_dates import stored_releases
from secgate_tui.services.release_view import source_key
from secgate_tui.services.store import Store

READ_AT = datetime(2026, 12, 1, 8, 30, 15, 123456, tzinfo=UTC)
SCAN = IssueEvidence(tracker="box", key="IPC-900")


def config(tmp_path: Path, projects: tuple[str, ...] = ("IPC",)) -> Config:
    data: dict[str, Any] = {
        "trackers": {"box": {"kind": "sandbox", "path": str(tmp_path / "box.json")}},
        "products": {
            "ipc": {
                "name": "Infusion Pump Controller",
                "sources": [{"tracker": "box", "project": p} for p in projects],
                "activities": [
                    {
                        "id": "scan",
                        "name": "Vulnerability scan",
                        "evidence": {"tracker": "box", "key": SCAN.key},
                        "scope": "since-previous-release",
                    }
                ],
            }
        },
    }
    return config_from_data(data, None)


def observed(store: Store, closed: datetime) -> None:
    """The scan as a sync observed it: closed as done on ``closed``."""
    scan = Activity(
        id="scan",
        name="Vulnerability scan",
        evidence=SCAN,
        found=True,
        complete=True,
        evidence_date=closed,
        scope=ActivityScope.SINCE_PREVIOUS_RELEASE,
        detail="IPC-900 is Done",
    )
    store.save_activities("ipc", [scan])


def stored(cfg: Config, store: Store, index: int = 0) -> None:
    """A sync's release list of the product's ``index``-th source: 2.0 shipped 2026-06-01."""
    listed = [
        Release(name="2.0", released=True, release_date=date(2026, 6, 1)),
        Release(name="2.1"),
    ]
    store.save_releases(source_key(cfg.product("ipc").sources[index]), listed, READ_AT)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "secgate.sqlite3")


def test_never_stored_release_lists_block_and_say_why(tmp_path: Path, store: Store) -> None:
    cfg = config(tmp_path)
    observed(store, datetime(2026, 7, 1, tzinfo=UTC))
    (scan,) = release_activities(cfg, store, "ipc", "2.1")
    assert not scan.complete
    assert "previous release's date is not known" in scan.detail
    assert "no sync has stored the release list of box (IPC) yet" in scan.detail


def test_stored_release_lists_serve_offline_as_of_their_read(tmp_path: Path, store: Store) -> None:
    cfg = config(tmp_path)
    stored(cfg, store)
    observed(store, datetime(2026, 7, 1, tzinfo=UTC))
    (scan,) = release_activities(cfg, store, "ipc", "2.1")
    assert scan.complete
    assert (
        scan.detail == "IPC-900 is Done; release dates as of 2026-12-01T08:30:15Z (the last sync's)"
    )


def test_stored_release_lists_still_refuse_older_evidence(tmp_path: Path, store: Store) -> None:
    cfg = config(tmp_path)
    stored(cfg, store)
    observed(store, datetime(2026, 5, 31, tzinfo=UTC))
    (scan,) = release_activities(cfg, store, "ipc", "2.1")
    assert not scan.complete
    assert scan.detail.startswith("evidence IPC-900 is dated 2026-05-31, not after release 2.0")
    assert scan.detail.endswith("release dates as of 2026-12-01T08:30:15Z (the last sync's)")


def test_one_source_never_stored_leaves_the_dates_unknown(tmp_path: Path, store: Store) -> None:
    # Merged without the second source, an earlier release could pass for the previous one.
    cfg = config(tmp_path, ("IPC", "IPC-FW"))
    stored(cfg, store, 0)
    observed(store, datetime(2026, 7, 1, tzinfo=UTC))
    dates = stored_releases(cfg, store, "ipc")
    assert dates.releases is None and dates.missing == ("box (IPC-FW)",)
    (scan,) = release_activities(cfg, store, "ipc", "2.1")
    assert not scan.complete
    assert "box (IPC-FW)" in scan.detail

    stored(cfg, store, 1)
    (scan,) = release_activities(cfg, store, "ipc", "2.1")
    assert scan.complete


def test_dates_read_from_the_trackers_carry_no_as_of(tmp_path: Path, store: Store) -> None:
    cfg = config(tmp_path)
    stored(cfg, store)
    observed(store, datetime(2026, 7, 1, tzinfo=UTC))
    live = stored_releases(cfg, store, "ipc").releases
    assert live is not None
    (scan,) = release_activities(cfg, store, "ipc", "2.1", live)
    assert scan.complete and scan.detail == "IPC-900 is Done"
