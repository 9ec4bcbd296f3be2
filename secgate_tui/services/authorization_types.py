"""The vocabulary of the authorization protocol, shared by the CLI and the terminal UI.

Steps and their events, what preparation (steps 1-3) yields, and what a commit
(steps 4-6) ends with. Failures are values here, never exceptions: the UI
shows them, the CLI turns them into exit codes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal

from connectors.base import CommentRef, IssueRef
from secgate_tui.domain import Outcome, Verdict
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.render import Rendered


class Step(StrEnum):
    SYNC = "sync"
    EVALUATE = "evaluate"
    BUILD = "build"
    POST = "post"
    READ_BACK = "read back"
    LOG = "log"
    EXPORT = "export"


@dataclass(frozen=True)
class StepEvent:
    step: Step
    state: Literal["started", "done", "failed"]
    detail: str = ""


OnStep = Callable[[StepEvent], None]


def noop(event: StepEvent) -> None:
    """The default step listener."""


@dataclass(frozen=True)
class Preparation:
    """Steps 1-3 done: what will be written, and where (nothing written yet)."""

    product: str
    release: str
    verdict: Verdict
    record: AuthorizationRecord | None
    rendered: str
    target: IssueRef | None
    tracker: str = ""
    comment: Rendered | None = None
    blocked: bool = False
    failed_step: Step | None = None
    message: str = ""

    @property
    def ready(self) -> bool:
        return self.record is not None and not self.blocked and self.failed_step is None


@dataclass(frozen=True)
class AuthorizationResult:
    authorized: bool
    blocked: bool
    failed_step: Step | None
    message: str
    comment: CommentRef | None = None
    record: AuthorizationRecord | None = None
    exports: tuple[Path, ...] = ()
    #: An earlier attempt's comment was adopted, or the release was already logged.
    adopted: bool = False


def failed_verdict(reason: str, now: datetime) -> Verdict:
    """A BLOCKED verdict for when the release could not even be evaluated."""
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
