"""Only the product's configured reviewers can record a review that counts (issue #19, 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from secgate_tui.config import Config, config_from_data
from secgate_tui.domain.review import parse_conclusions
from secgate_tui.services.context import build_context
from secgate_tui.services.demo import demo_data
from secgate_tui.services.publish import Published, Publisher
from secgate_tui.services.publish.kinds.review import REVIEW, ReviewRequest
from secgate_tui.services.review import review_status

CONCLUSIONS = """\
complete = { answer = "yes", comment = "ok", explanation = "as is" }
efficient = { answer = "yes", comment = "ok", explanation = "as is" }
resolution = { answer = "yes", comment = "ok", explanation = "as is" }
"""
DANA = {"id": "dev.dana", "name": "dev.dana", "display_name": "Dana (developer)"}


def unsigned_demo_config(data_dir: Path) -> Config:
    """The demo without [signing]: a review record counts once written, as before
    review signatures (the signed sign-off is tested in test_review_signoff_cli)."""
    return config_from_data(demo_data(data_dir), None)


def record(config: Config, data_dir: Path, product: str, now: datetime) -> Published[Any]:
    """`review record` through the publisher, as the sandbox's current account."""
    ctx = build_context(config, data_dir)
    try:
        request = ReviewRequest(product=product, conclusions=parse_conclusions(CONCLUSIONS))
        return Publisher(ctx, lambda: now).run(REVIEW, request)
    finally:
        ctx.close()


def with_reviewers(data_dir: Path, product: str, accounts: list[str] | None) -> Config:
    data = demo_data(data_dir)
    if accounts is None:
        del data["products"][product]["reviewers"]
    else:
        data["products"][product]["reviewers"] = {"sandbox": accounts}
    return config_from_data(data, None)


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
    tmp_path: Path,
) -> None:
    config, now = unsigned_demo_config(tmp_path), datetime.now(UTC)
    ctx = build_context(config, tmp_path)
    try:
        assert review_status(config, ctx.connections, "dms", now).schedule.state.value == "overdue"
        ctx.connections.get("sandbox").whoami()  # seeds the sandbox
    finally:
        ctx.close()
    act_as(tmp_path, DANA)

    # secgate refuses to write a review for an account that is not a listed reviewer ...
    refused = record(config, tmp_path, "dms", now)
    assert not refused.done and "not one of products.dms.reviewers.sandbox" in refused.message
    assert review_comments(tmp_path, "DMS-5") == []
    # ... so Dana writes a complete, self-consistent one naming herself (digest computed)
    # with a config of her own that lists her.
    done = record(with_reviewers(tmp_path, "dms", ["dev.dana"]), tmp_path, "dms", now)
    (comment,) = review_comments(tmp_path, "DMS-5")
    assert comment["author_id"] == "dev.dana" and done.record.reviewer.id == "dev.dana"

    ctx = build_context(config, tmp_path)
    try:
        status = review_status(config, ctx.connections, "dms", now)
    finally:
        ctx.close()
    assert status.schedule.state.value == "overdue" and status.source == "config"
    assert status.record_id is None and status.recorded_by is None
    (warning,) = [w for w in status.warnings if "dev.dana" in w]
    assert "not one of the product's reviewers (release.manager)" in warning

    # The command line says so too: still overdue (exit 1), the warning on stderr.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    command = ["--demo", "--data-dir", str(tmp_path), "review", "status", "--json"]
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


def test_the_configured_reviewers_record_counts(tmp_path: Path) -> None:
    config, now = unsigned_demo_config(tmp_path), datetime.now(UTC)
    assert record(config, tmp_path, "dms", now).done
    ctx = build_context(config, tmp_path)
    try:
        status = review_status(config, ctx.connections, "dms", now)
    finally:
        ctx.close()
    assert status.schedule.state.value == "ok" and status.source == "tracker"
    assert not any("reviewer" in w for w in status.warnings)


def test_without_reviewers_no_record_counts_and_the_warning_says_how_to_list_them(
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    assert record(unsigned_demo_config(tmp_path), tmp_path, "dms", now).done
    unlisted = with_reviewers(tmp_path, "dms", None)
    ctx = build_context(unlisted, tmp_path)
    try:
        status = review_status(unlisted, ctx.connections, "dms", now)
    finally:
        ctx.close()
    assert status.schedule.state.value == "overdue" and status.source == "config"
    assert any(
        "products.dms.reviewers lists no account for tracker 'sandbox'" in w
        and 'reviewers = { sandbox = ["<account id>"] }' in w
        for w in status.warnings
    )
    assert any("lists no reviewer account" in w for w in status.warnings)
