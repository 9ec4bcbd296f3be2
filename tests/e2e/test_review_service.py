"""Review services in-process on the demo sandbox: attachment path, overlapping reviews.

The attachment test lowers the sandbox's comment limit to stand for what a large
product meets on Jira (32,767 characters for thousands of issues): the comment
keeps the minutes' summary and the marker, the canonical JSON goes to the issue
as an attachment.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.sandbox.connector import SandboxConnector
from secgate_tui.config import Config
from secgate_tui.domain.render import dialect
from secgate_tui.domain.render.review_record import render_review
from secgate_tui.domain.review import ReviewRecord, parse_conclusions
from secgate_tui.services.context import Context, build_context
from secgate_tui.services.demo import demo_config
from secgate_tui.services.publish import Prepared, Published, Publisher, Step
from secgate_tui.services.publish.kinds.review import REVIEW, ReviewRequest
from secgate_tui.services.review import review_status

# Between the demo's shortest minutes (about 4,600 characters since the FDA, VEX and
# trend sections) and its full minutes (about 17,600): the JSON must go to an attachment.
LIMIT = 8000
CONCLUSIONS = """\
complete = { answer = "yes", comment = "ok", explanation = "as is" }
efficient = { answer = "yes", comment = "ok", explanation = "as is" }
resolution = { answer = "yes", comment = "ok", explanation = "as is" }
"""


def unsigned_demo_config(data_dir: Path) -> Config:
    """The demo without [signing]: a review record counts once written, as before
    review signatures (the signed sign-off is tested in test_review_signoff_cli)."""
    return demo_config(data_dir, signing=False)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    context = build_context(unsigned_demo_config(tmp_path), tmp_path)
    try:
        yield context
    finally:
        context.close()


def prepare(ctx: Context, product: str, conclusions: str, now: datetime) -> Prepared[ReviewRecord]:
    """The review prepared through the publisher, as `review record` prepares it."""
    request = ReviewRequest(product=product, conclusions=parse_conclusions(conclusions))
    prepared = Publisher(ctx, lambda: now).prepare(REVIEW, request)
    assert prepared.ready, prepared.message
    return prepared


def publish(
    ctx: Context, prepared: Prepared[ReviewRecord], now: datetime
) -> Published[ReviewRecord]:
    """Published at ``now`` by secgate's clock and by the tracker's: the sandbox stamps
    the comment then (a review record posted days after its own time does not count)."""
    path = ctx.data_dir / "sandbox.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "server_time": now.isoformat()}), encoding="utf-8")
    try:
        return Publisher(ctx, lambda: now).publish(prepared)
    finally:
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("server_time", None)
        path.write_text(json.dumps(data), encoding="utf-8")


def test_large_record_goes_to_an_attachment_and_is_read_back(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections, data_dir = ctx.connections, ctx.data_dir
    monkeypatch.setattr(SandboxConnector, "comment_limit", LIMIT)
    config = ctx.config
    now = datetime.now(UTC)
    prepared = prepare(ctx, "ipc", CONCLUSIONS, now)
    done = publish(ctx, prepared, now)

    assert done.comment is not None and done.failure is None
    body = connections.get("sandbox").read_comment(done.comment).body
    name = f"secgate-review-{done.record.record_id}.json"
    assert len(body) <= LIMIT
    assert f"secgate-review-attachment: {name}" in body
    assert "secgate-review-json:" not in body
    sandbox = json.loads((data_dir / "sandbox.json").read_text(encoding="utf-8"))
    (attachment,) = sandbox["issues"]["IPC-6"]["attachments"]
    assert attachment["filename"] == name
    exported = (data_dir / "records" / f"{Path(done.exports[1]).name}").read_bytes()
    assert hashlib.sha256(exported).hexdigest() == done.record.record_digest
    assert f"sha256:{done.record.record_digest}" in body

    # The next status reads the record through its attachment.
    status = review_status(config, connections, "ipc", now)
    assert status.source == "tracker" and status.record_id == done.record.record_id
    assert status.schedule.state.value == "ok" and status.warnings == ()

    # An edited attachment no longer proves the review: it does not count.
    record = json.loads(base64.b64decode(attachment["content"]))
    record["interval_days"] = 30
    attachment["content"] = base64.b64encode(json.dumps(record).encode()).decode()
    (data_dir / "sandbox.json").write_text(json.dumps(sandbox), encoding="utf-8")
    edited = review_status(config, connections, "ipc", now)
    assert edited.source == "config" and edited.schedule.state.value == "due-soon"
    assert any("not an intact review record" in w for w in edited.warnings)


def test_a_review_prepared_before_another_was_recorded_is_refused(
    ctx: Context,
) -> None:
    store, data_dir = ctx.store, ctx.data_dir
    now = datetime.now(UTC)
    first = prepare(ctx, "dms", CONCLUSIONS, now)
    other = CONCLUSIONS.replace(
        'efficient = { answer = "yes", comment = "ok", explanation = "as is" }',
        'efficient = { answer = "no", comment = "slow" }',
    )
    other += '[[actions]]\ntitle = "Faster triage"\nowner = "qa.lead"\ndue = 2027-03-01\n'
    second = prepare(ctx, "dms", other, now)
    publish(ctx, first, now)
    refused = publish(ctx, second, now)
    assert refused.failed_step is Step.POST and first.record.record_id in refused.message
    sandbox = json.loads((data_dir / "sandbox.json").read_text(encoding="utf-8"))
    bodies = [c["body"] for c in sandbox["issues"]["DMS-5"]["comments"]]
    assert sum("secgate-review-json" in b for b in bodies) == 1
    assert [e.payload["record_id"] for e in store.audit_entries("review")] == [
        first.record.record_id
    ]


def _edit_sandbox(data_dir: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = data_dir / "sandbox.json"
    sandbox = json.loads(path.read_text(encoding="utf-8"))
    edit(sandbox)
    path.write_text(json.dumps(sandbox), encoding="utf-8")


def _review_comments(sandbox: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in sandbox["issues"]["IPC-6"]["comments"] if "secgate-review " in c["body"]]


def test_status_names_who_wrote_the_record_that_counts(
    ctx: Context,
) -> None:
    connections = ctx.connections
    config = ctx.config
    now = datetime.now(UTC)
    prepared = prepare(ctx, "ipc", CONCLUSIONS, now)
    done = publish(ctx, prepared, now)
    status = review_status(config, connections, "ipc", now)
    assert status.source == "tracker" and status.record_id == done.record.record_id
    assert status.recorded_by == "release.manager (release.manager)"
    assert status.as_json()["recorded_by"] == "release.manager (release.manager)"


def test_a_review_record_dated_in_the_future_does_not_count(
    ctx: Context,
) -> None:
    connections = ctx.connections
    config = ctx.config
    now = datetime.now(UTC)
    # A self-consistent record whose period ends a year from now (a forged clock).
    future = now + timedelta(days=365)
    prepared = prepare(ctx, "ipc", CONCLUSIONS, future)
    publish(ctx, prepared, future)
    status = review_status(config, connections, "ipc", now)
    assert status.source == "config" and status.record_id is None
    assert status.schedule.state.value == "due-soon"
    assert any("in the future" in w for w in status.warnings)


def test_a_review_record_written_by_another_account_does_not_count(
    ctx: Context,
) -> None:
    connections, data_dir = ctx.connections, ctx.data_dir
    config = ctx.config
    now = datetime.now(UTC)
    prepared = prepare(ctx, "ipc", CONCLUSIONS, now)
    publish(ctx, prepared, now)

    def planted(sandbox: dict[str, Any]) -> None:
        for comment in _review_comments(sandbox):
            comment["author_id"] = "mallory"  # names release.manager as reviewer

    _edit_sandbox(data_dir, planted)
    status = review_status(config, connections, "ipc", now)
    assert status.source == "config" and status.recorded_by is None
    assert any("not by the reviewer it names" in w for w in status.warnings)


def test_a_record_with_this_reviews_marker_by_another_account_is_not_adopted(
    ctx: Context,
) -> None:
    connections, store, data_dir = ctx.connections, ctx.store, ctx.data_dir
    now = datetime.now(UTC)
    prepared = prepare(ctx, "ipc", CONCLUSIONS, now)
    connector = connections.get("sandbox")

    def identity(account: str) -> Callable[[dict[str, Any]], None]:
        def change(sandbox: dict[str, Any]) -> None:
            sandbox["identity"]["id"] = account

        return change

    _edit_sandbox(data_dir, identity("mallory"))  # same names, another account
    assert prepared.record is not None
    body = render_review(prepared.record, dialect(connector.markup), connector.comment_limit).body
    connector.post_comment("IPC-6", body)
    _edit_sandbox(data_dir, identity("release.manager"))
    refused = publish(ctx, prepared, now)
    assert refused.failed_step is Step.POST and "not by you" in refused.message
    assert store.audit_entries("review") == []


def test_an_issue_in_no_release_is_in_the_reviews_period(ctx: Context) -> None:
    """The review covers every security issue managed in the period (issue 15's
    whole-period scope): one that names no fix version counts too."""
    now = datetime.now(UTC)
    before = prepare(ctx, "ipc", CONCLUSIONS, now).record
    assert before is not None
    sandbox = ctx.connections.get("sandbox")
    created = sandbox.create_issue(
        "IPC", "Vulnerability reported by a customer", "", ["sec-defect"]
    )
    # The sandbox stamps the issue with the wall clock, however long the steps above
    # took; a period ending a second after this moment (whole seconds) includes it.
    later = datetime.now(UTC) + timedelta(seconds=1)
    after = prepare(ctx, "ipc", CONCLUSIONS, later).record
    assert after is not None
    assert after.metrics.totals.opened == before.metrics.totals.opened + 1, created.key


def test_the_reviews_times_are_read_to_the_second_with_z(ctx: Context) -> None:
    import re

    now = datetime(2026, 12, 7, 12, 11, 26, 506248, tzinfo=UTC)
    record = prepare(ctx, "ipc", CONCLUSIONS, now).record
    assert record is not None and record.created_at == now.replace(microsecond=0)
    # The human part (the machine block keeps the trackers' own times).
    human = render_review(record, dialect("plain")).body.split("Machine-readable record")[0]
    assert "2026-12-07T12:11:26Z" in human
    assert not re.search(r"T\d\d:\d\d:\d\d\.\d", human) and "+00:00" not in human
    # The Markdown export reads as plain text (no 2026\-12\-07T12\:11\:26Z).
    assert "2026-12-07T12:11:26Z" in render_review(record, dialect("markdown")).body


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        # The minutes a person reads changed, the machine block left intact.
        (
            lambda c: c.__setitem__("body", c["body"].replace("Was it", "Was it really", 1)),
            "is not the comment secgate writes for the record it holds",
        ),
        # The tracker says the comment was edited after it was posted.
        (lambda c: c.__setitem__("edited", True), "edited after it was posted"),
        # Posted an hour after the record's own time: a backdated record.
        (
            lambda c: c.update(
                dict.fromkeys(
                    ("created", "updated"),
                    (datetime.fromisoformat(c["created"]) + timedelta(hours=1)).isoformat(),
                )
            ),
            "more than 10 minutes before the comment was created",
        ),
    ],
)
def test_a_review_comment_that_is_not_exactly_what_secgate_wrote_does_not_count(
    ctx: Context, edit: Callable[[dict[str, Any]], None], named: str
) -> None:
    now = datetime.now(UTC)
    done = publish(ctx, prepare(ctx, "ipc", CONCLUSIONS, now), now)
    assert done.done, done.message
    assert review_status(ctx.config, ctx.connections, "ipc", now).source == "tracker"

    def altered(sandbox: dict[str, Any]) -> None:
        (comment,) = _review_comments(sandbox)
        assert f'"record_id":"{done.record.record_id}"' in comment["body"]  # block intact
        edit(comment)

    _edit_sandbox(ctx.data_dir, altered)
    status = review_status(ctx.config, ctx.connections, "ipc", now)
    assert status.source == "config" and status.record_id is None
    assert any(
        "is not the review record secgate wrote" in w and named in w for w in status.warnings
    )
