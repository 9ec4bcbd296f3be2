"""Recording a periodic review with a ``[signing]`` table, as ``secgate review record`` does.

Who signs, in which role, is settled when the review is prepared (a signer the
review policy would not count is refused before any confirmation); the
signature is made at the confirmation, before anything is posted; the record
is posted, then the signature (of the record as the tracker holds it: action
issues linked, or an earlier attempt's record adopted), and the review's
sign-off is read back: SIGNED-OFF, or PENDING with the roles still missing.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.text import Text

from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.app.render import safe_block
from secgate_tui.app.screens.publish_flows import Outcome, ReviewFlow
from secgate_tui.app.screens.publish_signed import you_sign
from secgate_tui.domain.review import ReviewRecord
from secgate_tui.services.publish import (
    Failure,
    OnStep,
    Prepared,
    Published,
    Step,
    StepEvent,
    noop,
)
from secgate_tui.services.review_signoff import PENDING, SIGNED_OFF, SignOff, next_due_line

#: Said when the review is in the tracker but the signature did not reach it.
UNSIGNED_REVIEW = (
    " The review record is posted, but it does not carry your signature, so it does not "
    "count as held: record it again with the same conclusions (it adopts the record and "
    "signs it)."
)


def review_flow(controller: Controller, product: str) -> ReviewFlow:
    """The signed flow when the configuration has a ``[signing]`` table."""
    if controller.ctx.config.settings.signing is None:
        return ReviewFlow(product)
    return SignedReviewFlow(product)


class SignedReviewFlow(ReviewFlow):
    def __init__(self, product: str) -> None:
        super().__init__(product)
        self.planned: Prepared[Any] | None = None
        self.sign_off: SignOff | None = None

    def prepare(
        self, controller: Controller, request: Any, on_step: OnStep = noop
    ) -> Prepared[Any]:
        self.planned = None
        prepared = super().prepare(controller, request, on_step)
        if not prepared.ready:
            return prepared
        planned = controller.plan_review_signature(prepared)
        if planned.failure is not None:
            # Refused before anything is signed: the dialog offers no confirmation.
            return dataclasses.replace(prepared, failure=planned.failure)
        self.planned = planned
        return prepared

    def confirm_note(self, prepared: Prepared[Any]) -> Text:
        return Text("") if self.planned is None else you_sign(self.planned.preview)

    def publish(
        self, controller: Controller, prepared: Prepared[Any], on_step: OnStep = noop
    ) -> Outcome:
        assert self.planned is not None, "a signed review is planned when prepared"
        self.sign_off = None
        signed = controller.sign(self.planned)  # before anything is posted
        result = controller.publish(prepared, on_step)
        if not result.done or result.failure is not None or result.record is None:
            return Outcome(published=result)
        target = result.comment.key if result.comment else None

        def signature_step(event: StepEvent) -> None:
            on_step(dataclasses.replace(event, detail=f"signature: {event.detail}".strip()))

        try:
            if signed.details.record.record_digest != result.record.record_digest:
                signed = controller.sign(self.planned, result.record)
            posted = controller.publish(dataclasses.replace(signed, target=target), signature_step)
        except UiError as exc:
            return Outcome(published=unsigned(result, Step.POST, exc.message))
        if not posted.done or posted.failure is not None:
            step = posted.failed_step or Step.POST
            return Outcome(published=unsigned(result, step, posted.message))
        try:
            self.sign_off = controller.review_sign_off(self.product, result.record.record_id)
        except UiError as exc:
            note = f"The sign-off could not be read back ({exc.message}); see the reviews screen."
            return Outcome(published=dataclasses.replace(result, notes=(*result.notes, note)))
        return Outcome(published=result)

    def result_label(self, outcome: Outcome) -> tuple[str, str]:
        state = self.sign_off.state if self.sign_off and outcome.published.done else None
        if state == SIGNED_OFF:
            return "SIGNED OFF", "bold reverse green"
        if state == PENDING:
            return "PENDING", "bold reverse yellow"
        return super().result_label(outcome)

    def result_lines(self, published: Published[Any]) -> Text:
        if self.sign_off is None:
            return Text("")
        text = Text("\nSign-off: ")
        text.append_text(safe_block(self.sign_off.describe()))
        if isinstance(published.record, ReviewRecord):
            text.append("\n" + next_due_line(published.record, self.sign_off))
        if self.sign_off.missing_roles:
            text.append(
                f"\nEach further signer runs: secgate approve --product {self.product} --review",
                style="bold",
            )
        return text


def unsigned(record: Published[Any], step: Step, why: str) -> Published[Any]:
    """The review's result, not done: its signature failed at ``step`` for ``why``."""
    message = f"your signature was not recorded: {why.rstrip()}{UNSIGNED_REVIEW}"
    failure = Failure(step=step, message=message)
    return dataclasses.replace(record, done=False, failure=failure, message=message)
