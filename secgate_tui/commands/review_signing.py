"""The sign-off of a periodic review on the command line (issue 15 with issue 12's signatures).

``review record`` with a ``[signing]`` table signs the record at the
confirmation (who signs, in which role, is settled before, and a refused signer
posts nothing), posts the record, then the signature, and reads the sign-off
back: exit 0 SIGNED OFF, 3 PENDING (the missing roles are named).
``approve --review`` adds a further signer's signature to the newest review
record. Both exit 1 when the policy refuses the signer, 2 on error.
"""

from __future__ import annotations

import dataclasses
import sys

from secgate_tui.commands.context import Context
from secgate_tui.commands.demo_hint import security_officer_line
from secgate_tui.commands.publishing import CommandView, finish, print_step
from secgate_tui.domain.render import dialect
from secgate_tui.domain.render.review_record import render_review_text
from secgate_tui.domain.review import ReviewRecord
from secgate_tui.domain.review_schedule import next_due
from secgate_tui.domain.text import printable
from secgate_tui.services.publish import Failure, Prepared, Publisher
from secgate_tui.services.publish.kinds.review import REVIEW, ReviewRequest
from secgate_tui.services.publish.kinds.review_signature import (
    REVIEW_SIGNATURE,
    ReviewSignatureRequest,
)
from secgate_tui.services.publish.kinds.signature import (
    AlreadySigned,
    SignaturePlan,
    SignatureRecord,
    sign_now,
)
from secgate_tui.services.review_signoff import SIGNED_OFF
from secgate_tui.services.review_verify import (
    ReviewUnreadableError,
    check_reviews,
    read_sign_off,
)

EXIT_SIGNED_OFF, EXIT_REFUSED, EXIT_ERROR, EXIT_PENDING = 0, 1, 2, 3


def _error(message: str) -> int:
    print(f"secgate: {printable(message)}", file=sys.stderr)
    return EXIT_ERROR


def run_signed_review(
    ctx: Context, request: ReviewRequest, view: CommandView[ReviewRecord], *, yes: bool
) -> int:
    """Prepare the review and its signature, confirm, sign, post both, read the sign-off."""
    publisher = Publisher(ctx)
    prepared = publisher.prepare(REVIEW, request, print_step)
    if prepared.failed_step is not None:
        return view.failed(prepared.failed_step.value, prepared.message)
    stop = view.preview(prepared)
    if stop is not None:
        return stop
    signing = ReviewSignatureRequest(product=request.product, record=prepared.record)
    planned = publisher.prepare(REVIEW_SIGNATURE, signing, print_step)
    if isinstance(planned.failure, AlreadySigned):
        # A rerun: the review and your signature are in the tracker already.
        print(f"{printable(planned.message)}\n")
        result = publisher.publish(prepared, print_step)
        if not result.done or result.failure is not None or result.record is None:
            return finish(view, result)
        view.report(result)
        return report_sign_off(ctx, request.product, result.record.record_id)
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
    if signed.record is not None and signed.record.message.record_digest != (
        result.record.record_digest
    ):
        # Action issues were linked into the record as it was posted (or an earlier
        # attempt's record adopted): sign the record as the tracker holds it.
        again = sign_now(ctx, planned, result.record)
        if isinstance(again, Failure):
            return view.failed("sign", again.message + UNSIGNED_REVIEW)
        signed = again
    target = result.comment.key if result.comment else None
    posted = publisher.publish(dataclasses.replace(signed, target=target), print_step)
    if not posted.done or posted.failure is not None:
        step = posted.failed_step.value if posted.failed_step else "sign"
        return view.failed(step, posted.message + UNSIGNED_REVIEW)
    code = report_sign_off(ctx, request.product, result.record.record_id)
    return code if code in (EXIT_SIGNED_OFF, EXIT_PENDING) else EXIT_ERROR


UNSIGNED_REVIEW = (
    " The review record is posted, but it does not carry your signature, so it does not "
    "count as held: run `secgate review record` again with the same conclusions (it adopts "
    "the record and signs it)."
)


def approve_review(ctx: Context, product: str, *, yes: bool) -> int:
    """``approve --review``: sign the product's newest review record as a further signer."""
    publisher = Publisher(ctx)
    prepared = publisher.prepare(
        REVIEW_SIGNATURE, ReviewSignatureRequest(product=product), print_step
    )
    if prepared.blocked:
        print(f"NOT APPROVED: {printable(prepared.message)}")
        return EXIT_REFUSED
    if prepared.failure is not None or prepared.record is None:
        step = prepared.failed_step.value if prepared.failed_step else "prepare"
        return _error(f"approval failed at step '{step}': {prepared.message}")
    show(prepared)
    if not yes and not confirm_product(product):
        print(
            "secgate: not confirmed (the product id was not typed back); nothing was signed "
            "or written.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    result = publisher.publish(prepared, print_step)
    if result.blocked:
        print(f"NOT APPROVED: {printable(result.message)}")
        return EXIT_REFUSED
    if not result.done or result.failure is not None:
        step = result.failed_step.value if result.failed_step else "publish"
        return _error(f"approval failed at step '{step}': {result.message}")
    ref = result.comment
    print(f"SIGNED  {printable(result.message)}")
    if ref is not None:
        print(f"  tracker comment: {printable(ref.url or f'{ref.key} comment {ref.id}')}")
    for path in result.exports:
        print(f"  exported:        {path}")
    plan = prepared.details
    assert isinstance(plan, SignaturePlan)
    return report_sign_off(ctx, product, plan.record.record_id)


def show(prepared: Prepared[SignatureRecord]) -> None:
    """The review record being signed, and the signature as it will read."""
    plan = prepared.details
    assert isinstance(plan, SignaturePlan)
    record = plan.record
    assert isinstance(record, ReviewRecord), "approve --review signs a review record"
    print(
        f"\nReview {record.record_id} (sha256:{record.record_digest}) of "
        f"{printable(record.product)}, recorded by "
        f"{printable(record.reviewer.display_name or record.reviewer.name)}, on "
        f"{printable(prepared.target or '')}:\n"
    )
    for line in render_review_text(record, dialect("plain")).splitlines():
        print("    " + printable(line))
    for existing in plan.existing:
        mark = "valid" if existing.valid else f"does not count: {existing.problem}"
        print(f"  already signed: {printable(existing.message.principal)} ({mark})")
    print(f"\nYou sign: {printable(prepared.preview)} (time: when you confirm)\n")


def confirm_product(product: str) -> bool:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
    else:
        try:
            line = input(f"Type the product id ({printable(product)}) to sign its review: ")
        except EOFError:
            return False
    return line.strip() == product


def report_sign_off(ctx: Context, product: str, record_id: str) -> int:
    """Read the review's signatures back from the tracker and say where it stands."""
    try:
        state = read_sign_off(ctx, product, record_id)
    except ReviewUnreadableError as exc:
        return _error(
            f"the signature was posted, but the review's sign-off could not be read back: "
            f"{exc} Run `secgate review status` to see it."
        )
    for refusal in state.refusals:
        print(
            f"  does not count: {printable(refusal.principal)} ({refusal.role}): "
            f"{printable(refusal.reason)}"
        )
    if state.state == SIGNED_OFF:
        met = state.met_at
        # The day the policy was met is known only now: the due date counts from it, as
        # `review status` counts it (the record itself gives only the earliest date).
        held = (met or ctx.clock()).date()
        interval = ctx.config.product(product).review_interval_days
        print(
            f"SIGNED OFF  review {record_id} of {product}: {printable(state.describe())}; the "
            f"next review is due {next_due(held, interval).isoformat()} ({interval} days "
            f"after {held.isoformat()}, the day the review approval policy was met)"
        )
        return EXIT_SIGNED_OFF
    missing = ", ".join(state.missing_roles)
    print(
        f"PENDING  review {record_id} of {product} needs further signature(s): {missing}. "
        "It does not count as held until they are given. Each further signer runs: "
        f"secgate approve --product {product} --review"
    )
    if ctx.demo:
        print(security_officer_line(ctx, "approve", "--product", product, "--review"))
    return EXIT_PENDING


def verify_review(ctx: Context, product: str) -> int:
    """``verify --review``: exit 0 intact, 1 a record or signature problem, 2 unreadable."""
    try:
        checked = check_reviews(ctx, product)
    except ReviewUnreadableError as exc:
        print(f"secgate: cannot verify the reviews: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    for problem in checked.problems:
        print(f"REVIEW INVALID  {printable(problem)}")
    print(f"{'REVIEW MISMATCH' if checked.problems else 'REVIEW OK'}  {printable(checked.summary)}")
    return EXIT_REFUSED if checked.problems else EXIT_SIGNED_OFF
