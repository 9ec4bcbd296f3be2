"""The review's deployment figures and previous-period comparison on the demo sandbox.

The demo's IPC-157 affected 2.0 and was fixed in 2.1 (released 120 days ago);
the demo's CSV of installations moved three hospitals to 2.1 110, 95 and 60 days
ago: 10, 25 and 60 days after the fix shipped. A fourth still runs 2.0.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from secgate_tui.domain.render import dialect
from secgate_tui.domain.render.review_record import render_review_text
from secgate_tui.domain.review import parse_conclusions
from secgate_tui.domain.review_stats import DurationStats
from secgate_tui.services.context import Context
from secgate_tui.services.publish import Publisher
from secgate_tui.services.publish.kinds.review import REVIEW, ReviewRequest
from tests.e2e.test_review_service import CONCLUSIONS, ctx, prepare, publish

__all__ = ["ctx"]


def test_time_from_fix_shipped_to_deployment_from_the_csv(ctx: Context) -> None:
    now = datetime.now(UTC)
    record = prepare(ctx, "ipc", CONCLUSIONS, now).record
    assert record is not None
    deployed = record.metrics.deployed
    defect = next(d for d in deployed.defects if d.fix_shipped)
    assert defect.shipped_in == ("2.1",)
    assert defect.days_ship_to_deploy == (10.0, 25.0, 60.0)
    assert deployed.deployment_source == "CSV installations.csv"
    assert deployed.time_ship_to_deploy == DurationStats(count=3, median_days=25.0, p90_days=60.0)
    assert record.metrics.sources is not None
    assert [s.source for s in record.metrics.sources] == ["sandbox"]
    text = render_review_text(record, dialect("plain"))
    assert "Time from fix shipped to deployment in the field (CSV installations.csv)" in text
    assert "deployed to 3 installation(s), after 10.0, 25.0, 60.0 d" in text
    # The home-care pool still runs 2.0: the fix has not reached it.
    assert defect.installations_without_fix == 1
    assert "1 installation(s) still run an affected version without the fix" in text
    # The period starts from the config's last_review: the previous period is the
    # interval before it, recomputed; no record stored figures for it.
    assert record.fda is not None and record.fda.previous_period is not None
    assert record.fda.previous_period.end == record.period.start
    assert record.fda.stored is None


def test_dms_without_a_deployment_source_says_so(ctx: Context) -> None:
    record = prepare(ctx, "dms", CONCLUSIONS, datetime.now(UTC)).record
    assert record is not None and record.metrics.deployed.deployment_source is None
    assert "no deployment source is configured" in render_review_text(record, dialect("plain"))


def test_the_next_review_compares_with_the_figures_the_last_one_stored(
    ctx: Context, tmp_path: Path
) -> None:
    first_at = datetime.now(UTC) - timedelta(days=2)
    first = publish(ctx, prepare(ctx, "ipc", CONCLUSIONS, first_at), first_at)
    assert first.done and first.record is not None, first.message
    # Since, IPC-157 was found not to affect 2.0 after all: the first period's
    # deployed vulnerabilities, recomputed, are one fewer than the first record says.
    path = tmp_path / "sandbox.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["issues"]["IPC-157"]["affects_versions"] = []
    path.write_text(json.dumps(data), encoding="utf-8")
    second = prepare(ctx, "ipc", CONCLUSIONS.replace("ok", "fine"), datetime.now(UTC)).record
    assert second is not None and second.fda is not None
    assert second.fda.stored_record == first.record.record_id
    assert second.fda.previous_period == first.record.period
    assert second.fda.differences[0] == "deployed vulnerabilities: recorded 7, recomputed 6"
    assert "DIFFERENCES" in render_review_text(second, dialect("plain"))


def test_an_unreadable_csv_stops_the_review_before_anything_is_written(
    ctx: Context, tmp_path: Path
) -> None:
    (tmp_path / "installations.csv").write_text("version;site;when\n2.1;a;b\n", encoding="utf-8")
    request = ReviewRequest(product="ipc", conclusions=parse_conclusions(CONCLUSIONS))
    prepared = Publisher(ctx, lambda: datetime.now(UTC)).prepare(REVIEW, request)
    assert not prepared.ready
    assert "installations.csv has the columns version;site;when" in prepared.message
    assert "needs exactly version, installation, deployed_at" in prepared.message
