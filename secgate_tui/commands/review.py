"""`secgate review status|record`: the periodic security review (IEC 81001-5-1 4.1.8).

``review status`` exits 0 when no review is overdue, 1 when any is (so a
pipeline can alert), 2 on error. ``review record`` exits 0 only when the record
was written, read back, logged and exported; 1 when the reviewer declined at
the confirmation; 2 on any error (and then nothing is recorded).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from secgate_tui.commands.context import Context, UsageError, require_product
from secgate_tui.domain.render import dialect
from secgate_tui.domain.render.review_record import render_review_text
from secgate_tui.domain.review import ConclusionsError, ReviewConclusions, parse_conclusions
from secgate_tui.domain.text import printable
from secgate_tui.services.review import (
    PreparedReview,
    ReviewError,
    ReviewStatus,
    prepare_review,
    record_review,
    review_statuses,
)

EXIT_OK, EXIT_ATTENTION, EXIT_ERROR = 0, 1, 2


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "review",
        parents=[parent],
        help="periodic security review: status and record (IEC 81001-5-1 4.1.8)",
        description="The at least annual review of the security problem-resolution process.",
    )
    rsub = p.add_subparsers(dest="review_command", metavar="SUBCOMMAND", required=True)
    status = rsub.add_parser(
        "status",
        parents=[parent],
        help="every product's last review, due date and state (exit 1 when any is overdue)",
    )
    status.add_argument("--json", action="store_true", help="print a JSON list")
    status.set_defaults(handler=run_status)
    record = rsub.add_parser(
        "record",
        parents=[parent],
        help="compute the review data, add the conclusions, write the record to the tracker",
        description="Compute the figures since the last review from the trackers, merge the "
        "reviewer's conclusions, write the record to the product's review issue, read it "
        "back, log it and export Security-Management-Review_<product>_<date>.md/.json.",
    )
    record.add_argument("--product", help="product id (from the config)")
    record.add_argument(
        "--conclusions", required=True, metavar="FILE", help="the reviewer's conclusions (TOML)"
    )
    record.add_argument("--yes", action="store_true", help="write without asking")
    record.add_argument(
        "--create-actions",
        action="store_true",
        help="create one tracker issue per improvement action (label corrective-action)",
    )
    record.set_defaults(handler=run_record)


# --------------------------------------------------------------------------- status


def run_status(ctx: Context, args: argparse.Namespace) -> int:
    statuses = review_statuses(ctx.config, ctx.connections, datetime.now(UTC))
    for status in statuses:
        for warning in status.warnings:
            print(f"secgate: warning: {status.product}: {printable(warning)}", file=sys.stderr)
    if args.json:
        print(json.dumps([s.as_json() for s in statuses], indent=2, ensure_ascii=True))
    else:
        print_statuses(statuses)
    overdue = any(s.schedule.state.value == "overdue" for s in statuses)
    return EXIT_ATTENTION if overdue else EXIT_OK


def print_statuses(statuses: list[ReviewStatus]) -> None:
    print("Periodic security reviews (IEC 81001-5-1 4.1.8: at least once a year)")
    head = f"  {'product':<12} {'last review':<22} {'every':>6} {'due':<11} {'days':>5}  state"
    print(head)
    for status in statuses:
        s = status.schedule
        last = s.last_review.isoformat() if s.last_review else "never"
        source = "" if status.source == "none" else f" ({status.source})"
        due = s.due.isoformat() if s.due else "now"
        days = "" if s.days_left is None else str(s.days_left)
        print(
            f"  {printable(status.product, 12):<12} {last + source:<22} {s.interval_days:>5}d "
            f"{due:<11} {days:>5}  {s.state.value.upper()}: {printable(s.reason)}"
        )
        if status.recorded_by:
            print(f"  {'':<12} recorded by {printable(status.recorded_by)}")


# --------------------------------------------------------------------------- record


def read_conclusions(path: str) -> ReviewConclusions:
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(
            f"the conclusions file {file} cannot be read ({reason}). Nothing was written."
        ) from None
    try:
        return parse_conclusions(text, source=str(file))
    except ConclusionsError as exc:
        raise UsageError(str(exc)) from None


def confirm(prepared: PreparedReview) -> bool:
    issue = prepared.review_issue
    question = f"Write this review record to {issue.tracker} issue {issue.key}? [y/N] "
    try:
        answer = input(question)
    except EOFError:
        print()
        return False
    return answer.strip().casefold() in {"y", "yes"}


def run_record(ctx: Context, args: argparse.Namespace) -> int:
    product = require_product(ctx, args.product)
    conclusions = read_conclusions(args.conclusions)
    try:
        prepared = prepare_review(
            ctx.config, ctx.connections, product, conclusions, datetime.now(UTC)
        )
    except ReviewError as exc:
        print(f"secgate: error: review not recorded: {printable(exc.message)}", file=sys.stderr)
        return EXIT_ERROR
    for warning in prepared.warnings:
        print(f"secgate: warning: {printable(warning)}", file=sys.stderr)
    record = prepared.record
    print(render_review_text(record, dialect("plain")))
    if prepared.earlier is not None:
        print(
            f"This review (same conclusions) is already in the tracker as record "
            f"{record.record_id} of {record.created_at.date().isoformat()}: it will be read "
            "back, logged and exported; nothing is posted. To record a new review, change "
            "the conclusions."
        )
    if not args.yes and not confirm(prepared):
        print("Not confirmed: nothing was written.", file=sys.stderr)
        return EXIT_ATTENTION
    try:
        done = record_review(
            prepared,
            ctx.connections,
            ctx.store,
            ctx.records_dir,
            create_actions=args.create_actions,
            now=datetime.now(UTC),
            progress=lambda text: print(f"  - {printable(text)}"),
        )
    except ReviewError as exc:
        print(
            f"secgate: error: review not recorded (step {exc.step}): {printable(exc.message)}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    for note in done.notes:
        print(f"  note: {printable(note)}")
    ref = done.comment.ref
    issue = prepared.review_issue
    how = "adopted the earlier comment" if done.adopted else "posted comment"
    print(
        f"RECORDED: review {done.record.record_id} of {printable(product)}; {how} {ref.id} on "
        f"{issue.tracker} {printable(ref.key)}, read back sha256:{done.record.record_digest}, "
        + ("already in the audit log" if done.already_logged else "logged in the audit log")
        + "."
    )
    for action in done.record.conclusions.actions:
        if action.issue is not None:
            print(f"  action {printable(action.issue.key)}: {printable(action.title, 90)}")
    for path in done.exports:
        print(f"  exported {path}")
    print(f"Next review due: {done.record.next_due.isoformat()}")
    return EXIT_OK
