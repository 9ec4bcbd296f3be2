"""The publishing protocol's vocabulary, the same for every record kind.

Steps and their events, what preparation yields (nothing written yet) and what
publishing ends with. Failures are values, never exceptions: the UI shows them
and the CLI turns them into exit codes, for every kind alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from connectors.base import CommentRef
from secgate_tui.domain import Outcome, Verdict
from secgate_tui.domain.render import Rendered

if TYPE_CHECKING:
    from secgate_tui.services.publish.kind import RecordKind

R = TypeVar("R")


class Step(StrEnum):
    """Every step of the protocol; a kind runs the ones in its ``steps``."""

    SYNC = "sync"
    GATHER = "gather"
    EVALUATE = "evaluate"
    BUILD = "build"
    ACTIONS = "actions"
    POST = "post"
    READ_BACK = "read back"
    LOG = "log"
    EXPORT = "export"


#: The steps after the confirmation, the same for every kind.
PUBLISH_STEPS = (Step.POST, Step.READ_BACK, Step.LOG, Step.EXPORT)


@dataclass(frozen=True, kw_only=True)
class StepEvent:
    step: Step
    state: Literal["started", "done", "failed"]
    detail: str = ""


OnStep = Callable[[StepEvent], None]


def noop(event: StepEvent) -> None:
    """The default step listener."""


@dataclass(frozen=True, kw_only=True)
class Failure:
    """Why the protocol stopped: the step, one paragraph for a person, and whether the
    gate or policy refused (``blocked``) rather than something failing."""

    step: Step | None
    message: str
    blocked: bool = False


@dataclass(frozen=True, kw_only=True)
class _Outcome:
    failure: Failure | None = None

    @property
    def blocked(self) -> bool:
        """The gate or policy refused (nothing failed)."""
        return self.failure is not None and self.failure.blocked

    @property
    def failed_step(self) -> Step | None:
        """The step that failed (None when nothing did, or when the gate or policy refused)."""
        return None if self.failure is None or self.failure.blocked else self.failure.step


@dataclass(frozen=True, kw_only=True)
class Prepared(_Outcome, Generic[R]):
    """A record built and ready to be published (nothing written yet), or why not.

    ``subject`` is what the record is about within the product (a release; empty
    for a product-wide record such as a review). ``target`` is the tracker issue
    it will be posted on (None: found or created on confirmation). ``details``
    belongs to the kind.
    """

    kind: RecordKind[R, Any]
    product: str
    subject: str = ""
    record: R | None = None
    comment: Rendered | None = None
    tracker: str = ""
    target: str | None = None
    verdict: Verdict | None = None
    #: The same record is already in the tracker: publishing adopts it, posts nothing.
    earlier: bool = False
    warnings: tuple[str, ...] = ()
    details: Any = None

    @property
    def ready(self) -> bool:
        return self.record is not None and self.failure is None

    @property
    def message(self) -> str:
        return "" if self.failure is None else self.failure.message

    @property
    def rendered(self) -> str:
        """The comment body that will be posted ("" when nothing will be)."""
        return "" if self.comment is None else self.comment.body

    @property
    def confirmation(self) -> str:
        """What a person types back to confirm: the release, or the product for a
        product-wide record (a review)."""
        return self.subject or self.product

    @property
    def preview(self) -> str:
        """The record as a person confirms it (the kind decides which text that is)."""
        return self.kind.preview(self)


@dataclass(frozen=True, kw_only=True)
class Published(_Outcome, Generic[R]):
    """How publishing ended. ``done``: the record is in the tracker, read back and logged."""

    kind: RecordKind[R, Any]
    product: str
    subject: str = ""
    done: bool = False
    message: str = ""
    record: R | None = None
    tracker: str = ""
    comment: CommentRef | None = None
    exports: tuple[Path, ...] = ()
    #: An earlier attempt's comment was adopted, or the record was already logged.
    adopted: bool = False
    #: The audit log already held this record (nothing logged now).
    already_logged: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def authorized(self) -> bool:
        """For an authorization: the release is authorized (``done``)."""
        return self.done


def failed_verdict(reason: str, now: datetime) -> Verdict:
    """A BLOCKED verdict for when a release could not even be evaluated."""
    return Verdict(
        outcome=Outcome.BLOCKED,
        categories=(),
        unclassified=(),
        activities=(),
        sources=(),
        reasons=(reason,),
        snapshot_digest="",
        synced_at=None,
        evaluated_at=now,
    )
