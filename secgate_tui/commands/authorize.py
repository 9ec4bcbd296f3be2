"""`secgate authorize`: sync, gate, confirm, write back, read back, log, export.

Exit 0 only when the release is authorized and the tracker copy verified, 1
when the gate blocks (or policy refuses the authorizer), 2 on any error, with
the step that failed and why.
"""

from __future__ import annotations

import argparse
import sys

from secgate_tui.commands.context import Context, parse_acks, require_product
from secgate_tui.commands.status import print_verdict
from secgate_tui.domain.text import printable
from secgate_tui.services.authorization import (
    AuthorizationResult,
    Authorizer,
    Preparation,
    StepEvent,
)

EXIT_AUTHORIZED, EXIT_BLOCKED, EXIT_ERROR = 0, 1, 2


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "authorize",
        parents=[parent],
        help="authorize a release: record written to the tracker and read back "
        "(exit 0 authorized, 1 blocked, 2 error)",
        description="Run a fresh full sync, evaluate the gate, write the authorization "
        "record to the tracker, read it back, then log and export it.",
    )
    p.add_argument("--product", help="product id (from the config)")
    p.add_argument("--release", required=True, help="release name")
    p.add_argument(
        "--yes", action="store_true", help="do not ask to type the release name (CI pipelines)"
    )
    p.add_argument(
        "--ack-empty",
        action="append",
        metavar="CATEGORY[=REASON]",
        help="acknowledge an empty category as not applicable (repeatable)",
    )
    p.set_defaults(handler=run)


def _progress(event: StepEvent) -> None:
    if event.state == "started":
        return
    detail = f": {printable(event.detail, 160)}" if event.detail else ""
    print(f"  [{event.state:>6}] {event.step.value}{detail}", flush=True)


def _confirm(release: str) -> bool:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
    else:
        try:
            line = input(f"Type the release name ({printable(release)}) to authorize it: ")
        except EOFError:
            return False
    return line.strip() == release


def run(ctx: Context, args: argparse.Namespace) -> int:
    product = require_product(ctx, args.product)
    acks = parse_acks(args.ack_empty)
    authorizer = Authorizer(ctx)
    prep = authorizer.prepare(product, args.release, acks, _progress)
    if prep.failed_step is not None:
        return _failed(prep.failed_step.value, prep.message)
    print_verdict(ctx, product, args.release, prep.verdict)
    if prep.blocked or prep.record is None:
        print(f"\nNOT AUTHORIZED: {printable(prep.message)}")
        return EXIT_BLOCKED
    _show(prep)
    if not args.yes and not _confirm(args.release):
        print(
            "secgate: not confirmed (the release name was not typed back); nothing was "
            "written. Use --yes in pipelines.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return _report(authorizer.commit(prep, _progress))


def _show(prep: Preparation) -> None:
    where = prep.target.key if prep.target else "a new record issue (created on confirmation)"
    print(f"\nThe record below will be posted on {printable(where)} in tracker '{prep.tracker}':\n")
    for line in prep.rendered.splitlines():
        # The machine block's JSON line is for secgate, not for reading here.
        shown = line if len(line) <= 300 else f"{line[:120]}… ({len(line)} characters)"
        print("    " + printable(shown))
    if prep.comment is not None and prep.comment.attachment_name:
        print(f"    (+ attachment {prep.comment.attachment_name}: the full canonical JSON)")
    print()


def _report(result: AuthorizationResult) -> int:
    if result.authorized and result.failed_step is None:
        link = (
            result.comment.url or f"{result.comment.key} comment {result.comment.id}"
            if result.comment
            else ""
        )
        print(f"AUTHORIZED  {printable(result.message)}")
        print(f"  tracker record: {printable(link)}")
        if result.record is not None:
            print(f"  record digest:  sha256:{result.record.record_digest}")
        for path in result.exports:
            print(f"  exported:       {path}")
        return EXIT_AUTHORIZED
    if result.blocked:
        print(f"NOT AUTHORIZED: {printable(result.message)}")
        return EXIT_BLOCKED
    step = result.failed_step.value if result.failed_step else "commit"
    return _failed(step, result.message)


def _failed(step: str, message: str) -> int:
    print(
        f"secgate: authorization failed at step '{step}': {printable(message)}",
        file=sys.stderr,
    )
    return EXIT_ERROR
