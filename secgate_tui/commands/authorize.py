"""`secgate authorize`: sync, gate, confirm, write back, read back, log, export.

With a ``[signing]`` table, the authorizer's signature is made at the
confirmation and posted right after the record, then every signature of the
record is read back and the approval policy decides: exit 0 AUTHORIZED, 3
PENDING (the missing roles are named), 1 when the gate blocks, the policy
refuses the signer or the confirmation is declined, 2 on any error, with the
step that failed and why.
Without ``[signing]`` the record is posted unsigned (exit 0) and every output
says so.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import UTC, datetime
from pathlib import Path

from secgate_tui.commands.approve import EXIT_PENDING, report_state
from secgate_tui.commands.context import (
    Context,
    add_vex_arguments,
    parse_acks,
    require_product,
    vex_inputs,
)
from secgate_tui.commands.publishing import CommandView, finish, print_step, run_publish
from secgate_tui.commands.status import print_verdict
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.text import printable
from secgate_tui.services.evidence.export import export_bundle
from secgate_tui.services.evidence.gather import EvidenceError
from secgate_tui.services.publish import Failure, Prepared, Published, Publisher
from secgate_tui.services.publish.kinds.authorization import (
    AUTHORIZATION,
    AuthorizationRequest,
)
from secgate_tui.services.publish.kinds.signature import (
    SIGNATURE,
    AlreadySigned,
    SignatureRequest,
    sign_now,
)
from secgate_tui.services.software import software_identity

EXIT_AUTHORIZED, EXIT_BLOCKED, EXIT_ERROR = 0, 1, 2
UNSIGNED_WARNING = (
    "warning: the record is UNSIGNED: the configuration has no [signing] table, so no "
    'one\'s signature attests this authorization (see README, "Signed approvals").'
)


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "authorize",
        parents=[parent],
        help="authorize a release: record written to the tracker and read back, signed "
        "with your key (exit 0 authorized, 3 pending signatures, 1 blocked, 2 error)",
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
    add_identity_arguments(p)
    add_vex_arguments(p)
    p.set_defaults(handler=run)


def add_identity_arguments(p: argparse.ArgumentParser) -> None:
    """What is authorized: ``--artifact``, ``--commit``; and ``--retrospective``."""
    p.add_argument(
        "--artifact",
        type=Path,
        action="append",
        metavar="PATH",
        help="a file being released (repeatable); its SHA-256 goes into the record",
    )
    p.add_argument(
        "--commit",
        metavar="REV",
        help="the commit the release was built from (default: the release's tag in the "
        "product's software.git_repository, when configured)",
    )
    p.add_argument(
        "--retrospective",
        metavar="REASON",
        help="authorize a release the tracker already shows as released, saying why only now",
    )


class AuthorizeView(CommandView[AuthorizationRecord]):
    """`authorize` in words: the verdict, the comment to post, AUTHORIZED or why not."""

    def __init__(self, ctx: Context, product: str, release: str) -> None:
        self.ctx, self.product, self.release = ctx, product, release
        self.signed = ctx.config.settings.signing is not None

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
        # Signed: the state (AUTHORIZED or PENDING) is said once the signatures are read back.
        print(f"{'RECORDED' if self.signed else 'AUTHORIZED'}  {printable(result.message)}")
        print(f"  tracker record: {printable(link)}")
        if result.record is not None:
            print(f"  record digest:  sha256:{result.record.record_digest}")
        for path in result.exports:
            print(f"  exported:       {path}")
        if not self.signed:
            print(UNSIGNED_WARNING)
        return EXIT_AUTHORIZED


def run(ctx: Context, args: argparse.Namespace) -> int:
    product = require_product(ctx, args.product)
    config = ctx.config
    # Artifacts hashed and the commit resolved before anything is synced: bad input
    # is exit 2 with nothing written.
    software = software_identity(
        config.product(product).software,
        args.release,
        artifacts=args.artifact or (),
        commit=args.commit,
        config_dir=config.path.parent if config.path else None,
    )
    request = AuthorizationRequest(
        product=product,
        release=args.release,
        acks=parse_acks(args.ack_empty),
        vex_inputs=vex_inputs(args),
        software=software,
        retrospective=args.retrospective,
    )
    view = AuthorizeView(ctx, product, args.release)
    if not view.signed:
        code = run_publish(ctx, AUTHORIZATION, request, view, yes=args.yes)
    else:
        code = run_signed(ctx, request, view, yes=args.yes)
    if code in (EXIT_AUTHORIZED, EXIT_PENDING):
        write_evidence(ctx, request)
    return code


def write_evidence(ctx: Context, request: AuthorizationRequest) -> None:
    """The release's evidence bundle beside the exported record (issue 16).

    The authorization stands whatever happens here: a bundle that cannot be
    written is a warning with the command that writes it later.
    """
    try:
        written = export_bundle(
            ctx,
            request.product,
            request.release,
            datetime.now(UTC),
            request.acks,
            vex_inputs=request.vex_inputs,
        )
    except (EvidenceError, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(
            f"warning: the evidence bundle was not written ({printable(reason)}); write it "
            f"with `secgate evidence export --product {request.product} --release "
            f"{printable(request.release)}`.",
            file=sys.stderr,
        )
        return
    print(f"  evidence:       {written.path}")


def run_signed(
    ctx: Context, request: AuthorizationRequest, view: AuthorizeView, *, yes: bool
) -> int:
    """Prepare the record and the signature, confirm, sign, post both, read the state back.

    Who signs and in which role is settled before the confirmation, and the
    signature is made at the confirmation, before anything is posted: a refused
    signer, a wrong passphrase or an unlisted key leaves the tracker untouched.
    """
    publisher = Publisher(ctx)
    prepared = publisher.prepare(AUTHORIZATION, request, print_step)
    if prepared.failed_step is not None:
        return view.failed(prepared.failed_step.value, prepared.message)
    stop = view.preview(prepared)
    if stop is not None:
        return stop
    signing = SignatureRequest(
        product=request.product, release=request.release, record=prepared.record
    )
    planned = publisher.prepare(SIGNATURE, signing, print_step)
    if isinstance(planned.failure, AlreadySigned):
        # A rerun on the same snapshot: the record and your signature are in the tracker.
        print(f"{printable(planned.message)}\n")
        result = publisher.publish(prepared, print_step)
        if not result.done or result.failure is not None or result.record is None:
            return finish(view, result)
        view.report(result)
        return report_state(ctx, request.product, request.release, result.record.record_id)
    if planned.blocked:
        return view.blocked(planned.message)
    if planned.failure is not None:
        return view.failed("sign", planned.message)
    print(f"You sign: {printable(planned.preview)} (time: when you confirm)\n")
    if not yes and not view.confirm(prepared):
        return view.declined()
    signed = sign_now(ctx, planned)
    if isinstance(signed, Failure):
        return (
            view.blocked(signed.message) if signed.blocked else view.failed("sign", signed.message)
        )
    result = publisher.publish(prepared, print_step)
    if not result.done or result.failure is not None or result.record is None:
        return finish(view, result)
    view.report(result)
    if (
        signed.record is not None
        and signed.record.message.record_digest != result.record.record_digest
    ):
        # An earlier attempt's record was adopted: sign that one (its own time and digest).
        again = sign_now(ctx, planned, result.record)
        if isinstance(again, Failure):
            return view.failed("sign", again.message + _UNSIGNED_RECORD)
        signed = again
    target = result.comment.key if result.comment else None
    posted = publisher.publish(dataclasses.replace(signed, target=target), print_step)
    if not posted.done or posted.failure is not None:
        step = posted.failed_step.value if posted.failed_step else "sign"
        return view.failed(step, posted.message + _UNSIGNED_RECORD)
    code = report_state(ctx, request.product, request.release, result.record.record_id)
    return code if code in (EXIT_AUTHORIZED, EXIT_PENDING) else EXIT_ERROR


_UNSIGNED_RECORD = (
    " The authorization record is posted, but it does not carry your signature: run "
    "`secgate authorize` again (it adopts the record and signs it)."
)
