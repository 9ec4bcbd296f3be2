"""Only the product's configured reviewers can record a review that counts (issue #19, 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from secgate_tui.config import config_from_data
from secgate_tui.domain.review import parse_conclusions
from secgate_tui.services.connections import Connections
from secgate_tui.services.demo import demo_config, demo_data
from secgate_tui.services.review import prepare_review, record_review, review_status
from secgate_tui.services.store import Store

CONCLUSIONS = """\
complete = { answer = "yes", comment = "ok" }
efficient = { answer = "yes", comment = "ok" }
resolution = { answer = "yes", comment = "ok" }
"""
DANA = {"id": "dev.dana", "name": "dev.dana", "display_name": "Dana (developer)"}


@pytest.fixture
def services(tmp_path: Path) -> Iterator[tuple[Connections, Store, Path]]:
    connections = Connections(demo_config(tmp_path))
    store = Store(tmp_path / "secgate.sqlite3")
    try:
        yield connections, store, tmp_path
    finally:
        connections.close()
        store.close()


def act_as(data_dir: Path, identity: dict[str, str]) -> None:
    """Another account on the same tracker (the sandbox's token holder changes)."""
    path = data_dir / "sandbox.json"
    sandbox: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    sandbox["identity"] = identity
    path.write_text(json.dumps(sandbox), encoding="utf-8")


def review_comments(data_dir: Path, key: str) -> list[dict[str, Any]]:
    sandbox = json.loads((data_dir / "sandbox.json").read_text(encoding="utf-8"))
    return [c for c in sandbox["issues"][key]["comments"] if "secgate-review " in c["body"]]


def test_a_self_made_record_by_another_tracker_user_does_not_make_a_product_ok(
    services: tuple[Connections, Store, Path],
) -> None:
    connections, store, data_dir = services
    config = demo_config(data_dir)
    now = datetime.now(UTC)
    assert review_status(config, connections, "dms", now).schedule.state.value == "overdue"
    connections.get("sandbox").whoami()  # seeds the sandbox
    act_as(data_dir, DANA)

    # Dana records a complete, self-consistent review naming herself (digest computed).
    prepared = prepare_review(config, connections, "dms", parse_conclusions(CONCLUSIONS), now)
    done = record_review(prepared, connections, store, data_dir / "records", now=now)
    (comment,) = review_comments(data_dir, "DMS-5")
    assert comment["author_id"] == "dev.dana" and done.record.reviewer.id == "dev.dana"

    status = review_status(config, connections, "dms", now)
    assert status.schedule.state.value == "overdue" and status.source == "config"
    assert status.record_id is None and status.recorded_by is None
    (warning,) = [w for w in status.warnings if "dev.dana" in w]
    assert "not one of the product's reviewers (release.manager)" in warning

    # The command line says so too: still overdue (exit 1), the warning on stderr.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    command = ["--demo", "--data-dir", str(data_dir), "review", "status", "--json"]
    cli = subprocess.run(
        [sys.executable, "-m", "secgate_tui.cli", *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert cli.returncode == 1, cli.stderr
    dms = next(p for p in json.loads(cli.stdout) if p["product"] == "dms")
    assert dms["state"] == "overdue" and dms["recorded_by"] is None
    assert "dev.dana" in cli.stderr and "not one of the product's reviewers" in cli.stderr


def test_the_configured_reviewers_record_counts(
    services: tuple[Connections, Store, Path],
) -> None:
    connections, store, data_dir = services
    config = demo_config(data_dir)
    now = datetime.now(UTC)
    prepared = prepare_review(config, connections, "dms", parse_conclusions(CONCLUSIONS), now)
    record_review(prepared, connections, store, data_dir / "records", now=now)
    status = review_status(config, connections, "dms", now)
    assert status.schedule.state.value == "ok" and status.source == "tracker"
    assert not any("reviewer" in w for w in status.warnings)


def test_without_reviewers_no_record_counts_and_the_warning_says_how_to_list_them(
    services: tuple[Connections, Store, Path],
) -> None:
    connections, store, data_dir = services
    now = datetime.now(UTC)
    prepared = prepare_review(
        demo_config(data_dir), connections, "dms", parse_conclusions(CONCLUSIONS), now
    )
    record_review(prepared, connections, store, data_dir / "records", now=now)

    data = demo_data(data_dir)
    del data["products"]["dms"]["reviewers"]
    status = review_status(config_from_data(data, None), connections, "dms", now)
    assert status.schedule.state.value == "overdue" and status.source == "config"
    assert any(
        "products.dms.reviewers lists no account for tracker 'sandbox'" in w
        and 'reviewers = { sandbox = ["<account id>"] }' in w
        for w in status.warnings
    )
    assert any("lists no reviewer account" in w for w in status.warnings)
