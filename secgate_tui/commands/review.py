"""`secgate review status|record`: the periodic security review (IEC 81001-5-1 4.1.8).

``review status`` exits 0 when no review is overdue, 1 when any is (so a
pipeline can alert), 2 on error. ``review record`` exits 0 only when the record
was written, read back, logged and exported (and, with ``[signing]``, signed
off under the review approval policy); 3 when it is signed but still pending
further signatures; 1 when the reviewer declined at the confirmation or the
policy refused the signer; 2 on any error (and then nothing is recorded).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from secgate_tui.commands.context import Context, UsageError, require_product
from secgate_tui.commands.publishing import CommandView, run_publish
from secgate_tui.commands.review_signing import run_signed_review
from secgate_tui.domain.review import (
    ConclusionsError,
    ReviewConclusions,
    ReviewRecord,
    parse_conclusions,
)
from secgate_tui.domain.text import printable
from secgate_tui.services import json_output
from secgate_tui.services.publish import Prepared, Published
from secgate_tui.services.publish.kinds.review import REVIEW, ReviewRequest
from secgate_tui.services.review_signoff import next_due_line
from secgate_tui.services.review_status import ReviewStatus, review_statuses

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
        print(json_output.dumps([s.as_json() for s in statuses]))
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
        if status.sign_off is not None:
            print(f"  {'':<12} sign-off: {printable(status.sign_off.describe())}")


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


class RecordReviewView(CommandView[ReviewRecord]):
    """`review record` in words: the minutes to confirm, RECORDED, or why not."""

    def __init__(self, *, signed: bool = False) -> None:
        #: With [signing], the sign-off read back says when the next review is due.
        self.signed = signed

    def preview(self, prepared: Prepared[ReviewRecord]) -> int | None:
        for warning in prepared.warnings:
            print(f"secgate: warning: {printable(warning)}", file=sys.stderr)
        record = prepared.record
        assert record is not None, "a prepared review holds its record"
        print(prepared.preview)
        if prepared.earlier:
            print(
                f"This review (same conclusions) is already in the tracker as record "
                f"{record.record_id} of {record.created_at.date().isoformat()}: it will be read "
                "back, logged and exported; nothing is posted. To record a new review, change "
                "the conclusions."
            )
        return None

    def confirm(self, prepared: Prepared[ReviewRecord]) -> bool:
        question = f"Write this review record to {prepared.tracker} issue {prepared.target}? [y/N] "
        try:
            answer = input(question)
        except EOFError:
            print()
            return False
        return answer.strip().casefold() in {"y", "yes"}

    def declined(self) -> int:
        print("Not confirmed: nothing was written.", file=sys.stderr)
        return EXIT_ATTENTION

    def failed(self, step: str, message: str) -> int:
        print(
            f"secgate: error: review not recorded (step {step}): {printable(message)}",
            file=sys.stderr,
        )
        return EXIT_ERROR

    def blocked(self, message: str) -> int:
        return self.failed("publish", message)

    def report(self, result: Published[ReviewRecord]) -> int:
        record, ref = result.record, result.comment
        assert record is not None and ref is not None, "a recorded review names its comment"
        for note in result.notes:
            print(f"  note: {printable(note)}")
        how = "adopted the earlier comment" if result.adopted else "posted comment"
        print(
            f"RECORDED: review {record.record_id} of {printable(result.product)}; {how} "
            f"{ref.id} on {result.tracker} {printable(ref.key)}, read back "
            f"sha256:{record.record_digest}, "
            + ("already in the audit log" if result.already_logged else "logged in the audit log")
            + "."
        )
        for action in record.conclusions.actions:
            if action.issue is not None:
                print(f"  action {printable(action.issue.key)}: {printable(action.title, 90)}")
        for path in result.exports:
            print(f"  exported {path}")
        if not self.signed:
            print(next_due_line(record))
        return EXIT_OK


def run_record(ctx: Context, args: argparse.Namespace) -> int:
    request = ReviewRequest(
        product=require_product(ctx, args.product),
        conclusions=read_conclusions(args.conclusions),
        create_actions=args.create_actions,
    )
    if ctx.config.settings.signing is None:
        return run_publish(ctx, REVIEW, request, RecordReviewView(), yes=args.yes)
    return run_signed_review(ctx, request, RecordReviewView(signed=True), yes=args.yes)
