"""What each record kind adds to the one publish screen (:mod:`.publish`).

A flow names the kind, its words, what is typed to confirm, and the few inputs
in front of the protocol: the authorization's not-applicable acknowledgements
(one reason per empty category), the software it authorizes (artifacts, commit),
the SBOM/VEX files when not the configured ones and, for a release the tracker
shows as shipped, the retrospective reason; the review's conclusions (the same
TOML as ``secgate review record --conclusions FILE``); and what preparing and
publishing run (the flows that sign are in :mod:`.publish_signed`). Everything
else (preview, confirmation, live steps, result) is the screen's, for every kind.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Static, TextArea

from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.app.render import safe, safe_block
from secgate_tui.app.screens.authorization_inputs import (
    AuthorizationInputs,
    reason_missing,
    shipped_line,
    split_artifacts,
    vex_inputs,
    vex_paths,
)
from secgate_tui.app.view_model import BoardState
from secgate_tui.domain import Category
from secgate_tui.domain.release_dates import ReleaseDate
from secgate_tui.domain.review import ConclusionsError, ReviewRecord, parse_conclusions
from secgate_tui.services.authorization_state import describe
from secgate_tui.services.publish import (
    OnStep,
    Prepared,
    Published,
    RecordKind,
    StepEvent,
    noop,
)
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION, AuthorizationRequest
from secgate_tui.services.publish.kinds.review import REVIEW, ReviewRequest
from secgate_tui.services.retrospective import retrospective_for
from secgate_tui.services.review_signoff import next_due_line

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

    def show_inputs(self, root: DOMNode) -> None:
        """After preparing: show what preparing learned (a shipped release's reason field)."""
        return None

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
        #: The release as the tracker gives it when it shipped (known once prepared).
        self.shipped: ReleaseDate | None = None
        self.empty = tuple(
            view.category
            for view in state.categories
            if view.result.empty and not view.result.acknowledged
        )

    def compose_inputs(self) -> ComposeResult:
        yield from self._compose_acks()
        with Vertical(id="retrospective"):
            yield Static(Text(""), id="retrospective-line", markup=False)
            yield Input(
                placeholder="why this shipped release is authorized only now (required)",
                id="retrospective-reason",
                classes="publish-field",
            )
        yield Static(
            Text("The software being authorized (optional; enter prepares again):", style="bold"),
            markup=False,
        )
        yield Input(
            placeholder="artifact paths, comma-separated (each file's SHA-256 is recorded)",
            id="software-artifacts",
            classes="publish-field",
        )
        yield Input(
            placeholder="commit (default: the release's tag in software.git_repository)",
            id="software-commit",
            classes="publish-field",
        )
        yield Static(
            Text(
                "The release's SBOM and VEX (optional; they replace the configured files; "
                "enter prepares again):",
                style="bold",
            ),
            markup=False,
        )
        with Horizontal(id="vex-inputs"):
            yield Input(
                placeholder="SBOM file, CycloneDX JSON (default: configured)",
                id="vex-sbom",
                classes="publish-field",
            )
            yield Input(
                placeholder="VEX files, comma-separated (default: configured)",
                id="vex-files",
                classes="publish-field",
            )

    def _compose_acks(self) -> ComposeResult:
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

    def request(self, root: DOMNode) -> AuthorizationInputs:
        reason = root.query_one("#retrospective-reason", Input).value.strip()
        commit = root.query_one("#software-commit", Input).value.strip()
        sbom, vex = vex_paths(
            root.query_one("#vex-sbom", Input).value, root.query_one("#vex-files", Input).value
        )
        return AuthorizationInputs(
            acks=self.acks(root),
            artifacts=split_artifacts(root.query_one("#software-artifacts", Input).value),
            commit=commit or None,
            sbom=sbom,
            vex=vex,
            # Only a release the tracker shows as shipped takes a reason (as the CLI).
            retrospective=reason if self.shipped is not None and reason else None,
        )

    def prepares_on(self, message: Message) -> bool:
        if isinstance(message, Checkbox.Changed):
            return True
        return isinstance(message, Input.Submitted) and (
            (message.input.id or "").startswith("reason-")
            or message.input.has_class("publish-field")
        )

    def show_inputs(self, root: DOMNode) -> None:
        section = root.query_one("#retrospective")
        section.display = self.shipped is not None
        if self.shipped is not None:
            line = Text(shipped_line(self.shipped), style="bold yellow")
            root.query_one("#retrospective-line", Static).update(line)
            reason = root.query_one("#retrospective-reason", Input)
            if not reason.value.strip():
                reason.focus()  # the one thing the dialog still needs

    def prepare(
        self, controller: Controller, request: Any, on_step: OnStep = noop
    ) -> Prepared[Any]:
        """Hash the artifacts, resolve the commit (the CLI's service), then the record.

        Whether the release shipped is learned from the release lists the
        prepare's fresh sync read (the store's copy, no second read), so the
        dialog asks for the retrospective reason even when the gate or the
        inputs refuse; inputs refused before any prepare read the lists once.
        """
        inputs: AuthorizationInputs = request
        try:
            software = controller.software(
                self.product, self.release, inputs.artifacts, inputs.commit
            )
        except UiError:
            self.shipped = controller.shipped(self.product, self.release)
            raise
        authorization = AuthorizationRequest(
            product=self.product,
            release=self.release,
            acks=inputs.acks,
            software=software,
            # request() gives a reason only for a release known to have shipped.
            retrospective=inputs.retrospective,
            vex_inputs=vex_inputs(inputs),
        )

        def reworded(event: StepEvent) -> None:
            if event.state == "failed" and event.detail:
                event = dataclasses.replace(event, detail=self._reworded(controller, event.detail))
            on_step(event)

        prepared = controller.prepare_record(self.kind, authorization, reworded)
        self.shipped = controller.shipped(self.product, self.release, stored=True)
        if prepared.failure is not None:
            message = self._reworded(controller, prepared.failure.message)
            failure = dataclasses.replace(prepared.failure, message=message)
            return dataclasses.replace(prepared, failure=failure)
        return prepared

    def _reworded(self, controller: Controller, message: str) -> str:
        """The kind's refusal speaks of --retrospective; here it is a field."""
        shipped = controller.shipped(self.product, self.release, stored=True)
        if shipped is None or message != retrospective_for([shipped], self.release, None):
            return message
        return reason_missing(shipped)


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
        if not isinstance(record, ReviewRecord):
            return Text("")
        return Text("\n" + next_due_line(record))
