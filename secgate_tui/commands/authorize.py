"""`secgate authorize`: sync, gate, confirm, write back, read back, log, export.

Exit 0 only when the release is authorized and the tracker copy verified, 1
when the gate blocks (or policy refuses the authorizer) or the confirmation is
declined, 2 on any error, with the step that failed and why.
"""

from __future__ import annotations

import argparse
import sys

from secgate_tui.commands.context import Context, parse_acks, require_product
from secgate_tui.commands.publishing import CommandView, run_publish
from secgate_tui.commands.status import print_verdict
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.text import printable
from secgate_tui.services.publish import Prepared, Published
from secgate_tui.services.publish.kinds.authorization import (
    AUTHORIZATION,
    AuthorizationRequest,
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
        action="extend",
        nargs="+",
        metavar="CATEGORY[=REASON]",
        help="acknowledge empty categories as not applicable (several after one flag, "
        "or the flag repeated)",
    )
    p.set_defaults(handler=run)


class AuthorizeView(CommandView[AuthorizationRecord]):
    """`authorize` in words: the verdict, the comment to post, AUTHORIZED or why not."""

    def __init__(self, ctx: Context, product: str, release: str) -> None:
        self.ctx, self.product, self.release = ctx, product, release

    def preview(self, prepared: Prepared[AuthorizationRecord]) -> int | None:
        assert prepared.verdict is not None, "an authorization is evaluated when prepared"
        print_verdict(self.ctx, self.product, self.release, prepared.verdict)
        if prepared.blocked or prepared.record is None:
            return self.blocked(prepared.message, lead="\n")
        where = prepared.target or "a new record issue (created on confirmation)"
        print(
            f"\nThe record below will be posted on {printable(where)} in tracker "
            f"'{prepared.tracker}':\n"
        )
        for line in prepared.rendered.splitlines():
            # The machine block's JSON line is for secgate, not for reading here.
            shown = line if len(line) <= 300 else f"{line[:120]}… ({len(line)} characters)"
            print("    " + printable(shown))
        if prepared.comment is not None and prepared.comment.attachment_name:
            name = prepared.comment.attachment_name
            print(f"    (+ attachment {name}: the full canonical JSON)")
        print()
        return None

    def confirm(self, prepared: Prepared[AuthorizationRecord]) -> bool:
        if not sys.stdin.isatty():
            line = sys.stdin.readline()
        else:
            try:
                question = f"Type the release name ({printable(self.release)}) to authorize it: "
                line = input(question)
            except EOFError:
                return False
        return line.strip() == self.release

    def declined(self) -> int:
        print(
            "secgate: not confirmed (the release name was not typed back); nothing was "
            "written. Use --yes in pipelines.",
            file=sys.stderr,
        )
        return EXIT_BLOCKED  # a person said no: like a declined `review record`

    def failed(self, step: str, message: str) -> int:
        print(
            f"secgate: authorization failed at step '{step}': {printable(message)}",
            file=sys.stderr,
        )
        return EXIT_ERROR

    def blocked(self, message: str, lead: str = "") -> int:
        print(f"{lead}NOT AUTHORIZED: {printable(message)}")
        return EXIT_BLOCKED

    def report(self, result: Published[AuthorizationRecord]) -> int:
        ref = result.comment
        link = (ref.url or f"{ref.key} comment {ref.id}") if ref else ""
        print(f"AUTHORIZED  {printable(result.message)}")
        print(f"  tracker record: {printable(link)}")
        if result.record is not None:
            print(f"  record digest:  sha256:{result.record.record_digest}")
        for path in result.exports:
            print(f"  exported:       {path}")
        return EXIT_AUTHORIZED


def run(ctx: Context, args: argparse.Namespace) -> int:
    product = require_product(ctx, args.product)
    request = AuthorizationRequest(
        product=product, release=args.release, acks=parse_acks(args.ack_empty)
    )
    view = AuthorizeView(ctx, product, args.release)
    return run_publish(ctx, AUTHORIZATION, request, view, yes=args.yes)
