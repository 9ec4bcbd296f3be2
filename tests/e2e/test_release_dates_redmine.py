"""Release dates from the REAL Redmine (seed: tests/redmine/seed.rb): which versions shipped
and when, the previous release of a version, and the retrospective refusal they give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from secgate_tui.config import load_config
from secgate_tui.domain.release_dates import previous_release
from secgate_tui.services.connections import Connections
from secgate_tui.services.release_dates import product_releases
from secgate_tui.services.retrospective import retrospective_for
from tests.connectors.test_redmine_cli import TOKEN_ENV, write_config
from tests.redmine.fixtures import RedmineHarness, redmine_harness

__all__ = ["redmine_harness"]
pytestmark = pytest.mark.redmine


def test_redmine_versions_give_release_dates_and_the_previous_release(
    redmine_harness: RedmineHarness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, redmine_harness.server.alice_key)
    write_config(tmp_path / "secgate.toml", redmine_harness.server.url)
    config = load_config(tmp_path / "secgate.toml")
    connections = Connections(config)
    try:
        releases = {r.name: r for r in product_releases(config, connections, "ipc")}
    finally:
        connections.close()
    today = datetime.now(UTC).date()
    # 1.0 closed (effective date 200 days ago), 1.9 open but past its date, 2.0 ahead.
    assert releases["1.0"].released
    assert releases["1.0"].released_on is not None
    assert abs((today - releases["1.0"].released_on) - timedelta(days=200)) <= timedelta(days=1)
    assert releases["1.9"].released and not releases["2.0"].released
    previous = previous_release(list(releases.values()), "2.0")
    assert previous is not None and previous.name == "1.9"
    refusal = retrospective_for(list(releases.values()), "1.0", None)
    assert isinstance(refusal, str) and "already released on" in refusal
    assert retrospective_for(list(releases.values()), "2.0", None) is None
