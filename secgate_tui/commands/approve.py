"""`secgate approve`: a further signer signs the release's authorization record
(or, with ``--review``, the product's newest periodic review record:
:mod:`~secgate_tui.commands.review_signing`).

Re-syncs and re-evaluates; only when the fresh snapshot digest equals the
newest record's does it show the record and post this signer's signature (its
own comment), read it back and log it. Then the release's state is read back
from the tracker: exit 0 AUTHORIZED, 3 PENDING (the missing roles are named),
1 refused (gate blocked, snapshot changed, role missing, same signer), 2 error.
"""

from __future__ import annotations

import argparse
import sys

from secgate_tui.commands.context import Context, parse_acks, require_product
from secgate_tui.commands.demo_hint import security_officer_line
from secgate_tui.commands.publishing import print_step
from secgate_tui.commands.review_signing import approve_review
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.render import dialect, render_record
from secgate_tui.domain.text import printable
from secgate_tui.domain.times import iso_z
from secgate_tui.services.authorization_state import (
    AUTHORIZED,
    PENDING,
    StateUnreadableError,
    read_state,
)
from secgate_tui.services.publish import Prepared, Publisher
from secgate_tui.services.publish.kinds.signature import (
    SIGNATURE,
    SignaturePlan,
    SignatureRecord,
    SignatureRequest,
)

EXIT_AUTHORIZED, EXIT_REFUSED, EXIT_ERROR, EXIT_PENDING = 0, 1, 2, 3


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "approve",
        parents=[parent],
        help="sign a release's authorization record as a further signer "
        "(exit 0 authorized, 3 pending, 1 refused, 2 error)",
        description="Re-sync and re-evaluate the release; when the snapshot is still the "
        "one the newest authorization record states, sign that record with your key "
        "(signing.key / SECGATE_SIGNING__KEY), post the signature, read it back and log it.",
    )
    p.add_argument("--product", help="product id (from the config)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--release", help="release name: sign its newest authorization record")
    which.add_argument(
        "--review",
        action="store_true",
        help="sign the product's newest periodic review record instead (its sign-off)",
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help="do not ask to type the release name (your key still signs: --yes never "
        "replaces a signature)",
    )
    p.add_argument(
        "--ack-empty",
        action="append",
        metavar="CATEGORY[=REASON]",
        help="acknowledge an empty category as not applicable (as authorize was given)",
    )
    p.set_defaults(handler=run)


def run(ctx: Context, args: argparse.Namespace) -> int:
    product = require_product(ctx, args.product)
    release = args.release
    if ctx.config.settings.signing is None:
        return error(
            "approve needs signing: the configuration has no [signing] table (see README, "
            '"Signed approvals"). Nothing was signed.'
        )
    if args.review:
        return approve_review(ctx, product, yes=args.yes)
    request = SignatureRequest(product=product, release=release, acks=parse_acks(args.ack_empty))
    publisher = Publisher(ctx)
    prepared = publisher.prepare(SIGNATURE, request, print_step)
    if prepared.blocked:
        print(f"NOT APPROVED: {printable(prepared.message)}")
        return EXIT_REFUSED
    if prepared.failure is not None or prepared.record is None:
        step = prepared.failed_step.value if prepared.failed_step else "prepare"
        return error(f"approval failed at step '{step}': {prepared.message}")
    show(prepared)
    if not args.yes and not confirm(release):
        print(
            "secgate: not confirmed (the release name was not typed back); nothing was "
            "signed or written.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    result = publisher.publish(prepared, print_step)
    if result.blocked:
        print(f"NOT APPROVED: {printable(result.message)}")
        return EXIT_REFUSED
    if not result.done or result.failure is not None:
        step = result.failed_step.value if result.failed_step else "publish"
        return error(f"approval failed at step '{step}': {result.message}")
    ref = result.comment
    print(f"SIGNED  {printable(result.message)}")
    if ref is not None:
        print(f"  tracker comment: {printable(ref.url or f'{ref.key} comment {ref.id}')}")
    for path in result.exports:
        print(f"  exported:        {path}")
    plan = prepared.details
    assert isinstance(plan, SignaturePlan)
    return report_state(ctx, product, release, plan.record.record_id)


def show(prepared: Prepared[SignatureRecord]) -> None:
    """The record being signed, and the signature as it will read."""
    plan, signature = prepared.details, prepared.record
    assert isinstance(plan, SignaturePlan) and signature is not None
    record = plan.record
    assert isinstance(record, AuthorizationRecord), "approve --release signs an authorization"
    print(
        f"\nRecord {record.record_id} (sha256:{record.record_digest}), written by "
        f"{printable(record.authorizer.display_name or record.authorizer.name)} at "
        f"{iso_z(record.authorized_at)}, on {printable(prepared.target or '')}:\n"
    )
    for line in render_record(record, dialect("markdown")).body.splitlines():
        shown = line if len(line) <= 300 else f"{line[:120]}… ({len(line)} characters)"
        print("    " + printable(shown))
    for existing in plan.existing:
        mark = "valid" if existing.valid else f"does not count: {existing.problem}"
        print(f"  already signed: {printable(existing.message.principal)} ({mark})")
    print(f"\nYou sign: {printable(prepared.preview)} (time: when you confirm)\n")


def confirm(release: str, what: str = "release name") -> bool:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
    else:
        try:
            line = input(f"Type the {what} ({printable(release)}) to sign it: ")
        except EOFError:
            return False
    return line.strip() == release


def error(message: str) -> int:
    print(f"secgate: {printable(message)}", file=sys.stderr)
    return EXIT_ERROR


def report_state(ctx: Context, product: str, release: str, record_id: str) -> int:
    """Read the release's signatures back from the tracker and say where it stands."""
    try:
        state = read_state(ctx, product, release)
    except StateUnreadableError as exc:
        return error(
            f"the signature was posted, but the release's state could not be read back: {exc} "
            "Run `secgate status` to see it."
        )
    if state.record is None or state.record.record_id != record_id:
        newer = state.record.record_id if state.record else "none"
        return error(
            f"the tracker's newest authorization record of {product} {release} is {newer}, "
            f"not {record_id}: another authorization superseded it."
        )
    signers = ", ".join(
        f"{s.message.name} ({s.message.role}, {s.message.signed_at})"
        for s in state.signatures
        if s.valid
    )
    for refusal in state.refusals:
        print(
            f"  does not count: {printable(refusal.principal)} ({refusal.role}): "
            f"{printable(refusal.reason)}"
        )
    if state.state == AUTHORIZED:
        print(
            f"AUTHORIZED  {product} {release}: the approval policy is met by {printable(signers)}"
        )
        return EXIT_AUTHORIZED
    if state.state == PENDING:
        missing = ", ".join(state.missing_roles)
        print(
            f"PENDING  {product} {release}: record {record_id} needs further signature(s): "
            f"{missing}. Each further signer runs: secgate approve --product {product} "
            f"--release {printable(release)}"
        )
        if ctx.demo:
            print(security_officer_line(ctx, "approve", "--product", product, "--release", release))
        return EXIT_PENDING
    return error(
        f"{product} {release}: record {record_id} is {state.state}; no signature of it counts."
    )
