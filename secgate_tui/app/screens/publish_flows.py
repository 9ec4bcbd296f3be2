"""What each record kind adds to the one publish screen (:mod:`.publish`).

A flow names the kind, its words, what is typed to confirm, and the few inputs
in front of the protocol: the authorization's not-applicable acknowledgements
(one reason per empty category), the review's conclusions (the same TOML as
``secgate review record --conclusions FILE``); and what happens at the
confirmation before publishing (the signature kind signs then). Everything else
(prepare, preview, confirmation, live steps, result) is the screen's, for every kind.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Static, TextArea

from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.app.render import safe, safe_block
from secgate_tui.app.view_model import BoardState
from secgate_tui.domain import Category
from secgate_tui.domain.review import ConclusionsError, parse_conclusions
from secgate_tui.services.authorization_state import describe
from secgate_tui.services.publish import (
    Failure,
    OnStep,
    Prepared,
    Published,
    RecordKind,
    Step,
    StepEvent,
    noop,
)
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION, AuthorizationRequest
from secgate_tui.services.publish.kinds.review import REVIEW, ReviewRequest
from secgate_tui.services.publish.kinds.signature import SIGNATURE, SignatureRequest

#: The reason recorded when a person ticks "not applicable" and types none.
ACK_REASON = "acknowledged as not applicable in the secgate UI"


class PublishFlow(ABC):
    """One record kind's part of the publish screen."""

    kind: RecordKind[Any, Any]
    #: The header's label ("Authorize") and what follows it ("ipc release 2.1").
    label: str
    heading: str
    #: What a person types back to confirm (the release, or the product).
    confirmation: str
    #: Result labels: "AUTHORIZED" / "NOT AUTHORIZED".
    done_label: str
    not_done_label: str
    #: Prepare as soon as the screen opens (else on the flow's own button).
    auto_prepare: bool = True

    def compose_inputs(self) -> ComposeResult:
        """The kind's inputs, shown above the verdict."""
        yield from ()

    @abstractmethod
    def request(self, root: DOMNode) -> Any:
        """The kind's request from the inputs under ``root``; UiError when they are wrong."""

    def prepares_on(self, message: Message) -> bool:
        """Whether this input event means "prepare again"."""
        return False

    def result_lines(self, published: Published[Any]) -> Text:
        """Kind-specific lines after a successful result."""
        return Text("")

    def prepare(
        self, controller: Controller, request: Any, on_step: OnStep = noop
    ) -> Prepared[Any]:
        """Build the record (nothing written), in the prepare worker."""
        return controller.prepare_record(self.kind, request, on_step)

    def confirm_note(self, prepared: Prepared[Any]) -> Text:
        """What the confirmation also does, said before it (the signature it makes)."""
        return Text("")

    def publish(
        self, controller: Controller, prepared: Prepared[Any], on_step: OnStep = noop
    ) -> Outcome:
        """Once confirmed: publish the record (in the publish worker)."""
        return Outcome(published=controller.publish(prepared, on_step))

    def result_label(self, outcome: Outcome) -> tuple[str, str]:
        """The result's label and its style."""
        if outcome.published.done:
            return self.done_label, "bold reverse green"
        return self.not_done_label, "bold reverse red"


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """How publishing ended, and the release's authorization state read back after a
    signature (``status --json``'s ``authorization``; None when not read)."""

    published: Published[Any]
    state: dict[str, Any] | None = None


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


def state_lines(state: dict[str, Any] | None) -> Text:
    """The state read back in words: who signed, and the roles still missing."""
    if state is None:
        return Text("")
    text = Text("\nAuthorization state: ")
    text.append_text(safe_block(describe(state)))
    missing = state.get("missing_roles") or []
    if missing:
        text.append("\nStill to sign: ", style="bold")
        text.append_text(safe(", ".join(missing), 200, "bold"))
        text.append(" (each further signer presses p on the board, or runs secgate approve)")
    return text


class AuthorizationFlow(PublishFlow):
    kind = AUTHORIZATION
    label = "Authorize"
    done_label = "AUTHORIZED"
    not_done_label = "NOT AUTHORIZED"

    def __init__(self, state: BoardState) -> None:
        self.product = state.product
        self.release = state.release
        self.heading = f"{state.product} release {state.release}"
        self.confirmation = state.release
        self.empty = tuple(
            view.category
            for view in state.categories
            if view.result.empty and not view.result.acknowledged
        )

    def compose_inputs(self) -> ComposeResult:
        if not self.empty:
            return
        yield Static(
            Text(
                "Empty categories block until acknowledged as not applicable; the "
                "acknowledgement and its reason go into the record (enter applies a reason):",
                style="bold",
            ),
            markup=False,
        )
        for category in self.empty:
            with Horizontal(classes="publish-ack"):
                yield Checkbox(f"Not applicable: {category.title}", id=f"ack-{category.value}")
                yield Input(placeholder=ACK_REASON, id=f"reason-{category.value}")

    def acks(self, root: DOMNode) -> dict[Category, str]:
        return {
            category: root.query_one(f"#reason-{category.value}", Input).value.strip() or ACK_REASON
            for category in self.empty
            if root.query_one(f"#ack-{category.value}", Checkbox).value
        }

    def request(self, root: DOMNode) -> AuthorizationRequest:
        return AuthorizationRequest(
            product=self.product, release=self.release, acks=self.acks(root)
        )

    def prepares_on(self, message: Message) -> bool:
        if isinstance(message, Checkbox.Changed):
            return True
        return isinstance(message, Input.Submitted) and (message.input.id or "").startswith(
            "reason-"
        )


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
        prepared = controller.prepare_record(self.kind, request, on_step)
        if not prepared.ready:
            return prepared
        planned = controller.plan_signature(prepared)
        if planned.failure is not None:
            # Refused before anything is signed: the dialog offers no confirmation.
            return dataclasses.replace(prepared, failure=planned.failure)
        self.planned = planned
        return prepared

    def confirm_note(self, prepared: Prepared[Any]) -> Text:
        if self.planned is None:
            return Text("")
        text = Text("\nYou sign: ", style="bold")
        text.append_text(safe_block(self.planned.preview))
        text.append(" (time: when you confirm)", style="dim")
        return text

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
    "p on the board (or run `secgate approve`) to sign it."
)


def unsigned(record: Published[Any], step: Step, why: str) -> Published[Any]:
    """The record's result, not done: its signature failed at ``step`` for ``why``."""
    message = f"your signature was not recorded: {why.rstrip()}{UNSIGNED_RECORD}"
    failure = Failure(step=step, message=message)
    return dataclasses.replace(record, done=False, failure=failure, message=message)


def authorization_flow(controller: Controller, state: BoardState) -> AuthorizationFlow:
    """The signed flow when the configuration has a ``[signing]`` table."""
    if controller.ctx.config.settings.signing is None:
        return AuthorizationFlow(state)
    return SignedAuthorizationFlow(state)


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
        text = Text("\nYou sign: ", style="bold")
        text.append_text(safe_block(prepared.preview))
        text.append(" (time: when you confirm)", style="dim")
        return text

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


TEMPLATE = """\
# Answer each question "yes" or "no"; a "no" needs a comment saying what fell short.
complete   = { answer = "yes", comment = "" }
efficient  = { answer = "yes", comment = "" }
resolution = { answer = "yes", comment = "" }
summary = ""
participants = []

# Improvement actions (optional), each with a title, an owner and a due date:
# [[actions]]
# title = "Add a triage deadline for security defects"
# owner = "qa.lead"
# due = 2027-03-01
"""


class ReviewFlow(PublishFlow):
    kind = REVIEW
    label = "Record review"
    done_label = "RECORDED"
    not_done_label = "NOT RECORDED"
    auto_prepare = False

    def __init__(self, product: str) -> None:
        self.product = product
        self.heading = f"{product}: the reviewer's conclusions"
        self.confirmation = product

    def compose_inputs(self) -> ComposeResult:
        yield TextArea(TEMPLATE, language=None, id="review-conclusions")
        yield Button("Prepare (nothing is written)", id="review-prepare", variant="primary")

    def request(self, root: DOMNode) -> ReviewRequest:
        text = root.query_one("#review-conclusions", TextArea).text
        try:
            conclusions = parse_conclusions(text, source="the conclusions")
        except ConclusionsError as exc:
            raise UiError(str(exc)) from None
        return ReviewRequest(product=self.product, conclusions=conclusions)

    def prepares_on(self, message: Message) -> bool:
        return isinstance(message, Button.Pressed) and message.button.id == "review-prepare"

    def result_lines(self, published: Published[Any]) -> Text:
        record = published.record
        next_due = getattr(record, "next_due", None)
        return Text("") if next_due is None else Text(f"\nNext review due: {next_due.isoformat()}")
