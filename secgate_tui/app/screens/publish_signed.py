"""The publish flows that sign (issue 12): ``a`` with a ``[signing]`` table, as
``secgate authorize`` does, and ``p``, as ``secgate approve`` does.

Who signs, in which role, is settled when the record is prepared (a signer the
approval policy would not count is refused before any confirmation); the
signature is made at the confirmation, before anything is posted
(:mod:`secgate_tui.app.signing`: never a passphrase prompt on the UI's
terminal); after posting, the release's state is read back and ends the dialog:
AUTHORIZED, or PENDING with the roles still missing.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.text import Text
from textual.dom import DOMNode

from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.app.render import safe_block
from secgate_tui.app.screens.publish_flows import AuthorizationFlow, Outcome, PublishFlow
from secgate_tui.app.view_model import BoardState
from secgate_tui.services.publish import (
    Failure,
    OnStep,
    Prepared,
    Published,
    Step,
    StepEvent,
    noop,
)
from secgate_tui.services.publish.kinds.signature import SIGNATURE, SignatureRequest


def authorization_flow(controller: Controller, state: BoardState) -> AuthorizationFlow:
    """The signed flow when the configuration has a ``[signing]`` table."""
    if controller.ctx.config.settings.signing is None:
        return AuthorizationFlow(state)
    return SignedAuthorizationFlow(state)


def you_sign(preview: str) -> Text:
    text = Text("\nYou sign: ", style="bold")
    text.append_text(safe_block(preview))
    text.append(" (time: when you confirm)", style="dim")
    return text


def read_back_state(
    controller: Controller, product: str, release: str, published: Published[Any]
) -> Outcome:
    """The release's state after a signature was posted; what was posted stands even
    when the state cannot be read (the result then says so)."""
    try:
        state = controller.authorization_state(product, release)
    except UiError as exc:
        note = f"The state could not be read back ({exc.message}); press s on the board."
        return Outcome(published=dataclasses.replace(published, notes=(*published.notes, note)))
    return Outcome(published=published, state=state)


def state_label(state: dict[str, Any] | None) -> tuple[str, str] | None:
    """AUTHORIZED (green), PENDING (yellow), anything else (red), from a state read back."""
    if state is None:
        return None
    name = str(state.get("state", "unknown")).upper()
    style = {"AUTHORIZED": "bold reverse green", "PENDING": "bold reverse yellow"}
    return name, style.get(name, "bold reverse red")


class SignedAuthorizationFlow(AuthorizationFlow):
    """Authorize with a ``[signing]`` table, as ``secgate authorize`` does.

    Who signs, and in which role, is settled when the record is prepared (a signer
    the policy would not count is refused before the confirmation); the signature
    is made at the confirmation, before anything is posted; the record is posted,
    then the signature (of the record actually in the tracker, which may be an
    earlier attempt's), and the release's state is read back: AUTHORIZED, or
    PENDING with the roles still missing.
    """

    done_label = "RECORDED"

    def __init__(self, state: BoardState) -> None:
        super().__init__(state)
        self.planned: Prepared[Any] | None = None

    def prepare(
        self, controller: Controller, request: Any, on_step: OnStep = noop
    ) -> Prepared[Any]:
        self.planned = None
        prepared = super().prepare(controller, request, on_step)
        if not prepared.ready:
            return prepared
        planned = controller.plan_signature(prepared)
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
        assert self.planned is not None, "a signed authorization is planned when prepared"
        signed = controller.sign(self.planned)  # before anything is posted
        result = controller.publish(prepared, on_step)
        if not result.done or result.failure is not None or result.record is None:
            return Outcome(published=result)
        target = result.comment.key if result.comment else None

        def signature_step(event: StepEvent) -> None:
            on_step(dataclasses.replace(event, detail=f"signature: {event.detail}".strip()))

        try:
            if signed.details.record.record_digest != result.record.record_digest:
                # An earlier attempt's record was adopted: sign that one (its own digest).
                signed = controller.sign(self.planned, result.record)
            posted = controller.publish(dataclasses.replace(signed, target=target), signature_step)
        except UiError as exc:
            return Outcome(published=unsigned(result, Step.POST, exc.message))
        if not posted.done or posted.failure is not None:
            step = posted.failed_step or Step.POST
            return Outcome(published=unsigned(result, step, posted.message))
        return read_back_state(controller, self.product, self.release, result)

    def result_label(self, outcome: Outcome) -> tuple[str, str]:
        label = state_label(outcome.state) if outcome.published.done else None
        return label or super().result_label(outcome)

    def result_lines(self, published: Published[Any]) -> Text:
        return Text("")


#: Said when the record is in the tracker but the signature did not reach it.
UNSIGNED_RECORD = (
    " The authorization record is posted, but it does not carry your signature: press "
    "a on the board again (or run `secgate authorize`): it adopts the record and signs it."
)


def unsigned(record: Published[Any], step: Step, why: str) -> Published[Any]:
    """The record's result, not done: its signature failed at ``step`` for ``why``."""
    message = f"your signature was not recorded: {why.rstrip()}{UNSIGNED_RECORD}"
    failure = Failure(step=step, message=message)
    return dataclasses.replace(record, done=False, failure=failure, message=message)


class SignatureFlow(PublishFlow):
    """Approve: sign the release's newest authorization record, as ``secgate approve``.

    Prepared after a fresh sync (the record must still match the snapshot); the
    signature is made at the confirmation, then posted, read back and logged.
    """

    kind = SIGNATURE
    label = "Approve"
    done_label = "SIGNED"
    not_done_label = "NOT SIGNED"

    def __init__(self, product: str, release: str) -> None:
        self.product = product
        self.release = release
        self.heading = f"{product} release {release}: sign its authorization record"
        self.confirmation = release

    def request(self, root: DOMNode) -> SignatureRequest:
        return SignatureRequest(product=self.product, release=self.release)

    def confirm_note(self, prepared: Prepared[Any]) -> Text:
        return you_sign(prepared.preview)

    def publish(
        self, controller: Controller, prepared: Prepared[Any], on_step: OnStep = noop
    ) -> Outcome:
        # The signature is made now, at the confirmation, before anything is posted.
        published = controller.publish(controller.sign(prepared), on_step)
        if not published.done or published.failure is not None:
            return Outcome(published=published)
        return read_back_state(controller, self.product, self.release, published)

    def result_label(self, outcome: Outcome) -> tuple[str, str]:
        label = state_label(outcome.state) if outcome.published.done else None
        return label or super().result_label(outcome)
