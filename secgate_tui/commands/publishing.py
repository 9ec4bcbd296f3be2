"""The command side of publishing a record: one runner for `authorize` and `review record`.

The runner prepares through the publisher (printing each step), lets the
kind's view show what will be written, asks for the confirmation (unless
``--yes``), publishes (printing each step) and hands the result back to the
view, which prints it in the command's words and picks the exit code.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Generic, TypeVar

from secgate_tui.domain.text import printable
from secgate_tui.services.context import Context
from secgate_tui.services.publish import Prepared, Published, Publisher, RecordKind, StepEvent

R = TypeVar("R")
Q = TypeVar("Q")


def print_step(event: StepEvent) -> None:
    """A step that ended, as one line (a started step prints nothing)."""
    if event.state == "started":
        return
    detail = f": {printable(event.detail, 160)}" if event.detail else ""
    print(f"  [{event.state:>6}] {event.step.value}{detail}", flush=True)


class CommandView(ABC, Generic[R]):
    """What one command shows around the protocol; the runner decides the order."""

    @abstractmethod
    def preview(self, prepared: Prepared[R]) -> int | None:
        """Show what will be written; an exit code when it cannot be (e.g. gate blocked)."""

    @abstractmethod
    def confirm(self, prepared: Prepared[R]) -> bool:
        """Ask the person to confirm (only without ``--yes``)."""

    @abstractmethod
    def declined(self) -> int:
        """Say nothing was written because it was not confirmed; the exit code."""

    @abstractmethod
    def failed(self, step: str, message: str) -> int:
        """Report a failed step; the exit code."""

    @abstractmethod
    def blocked(self, message: str) -> int:
        """Report a refusal by the gate or policy; the exit code."""

    @abstractmethod
    def report(self, result: Published[R]) -> int:
        """Report the published record; the exit code."""


def run_publish(
    ctx: Context,
    kind: RecordKind[R, Q],
    request: Q,
    view: CommandView[R],
    *,
    yes: bool,
    publisher: Publisher | None = None,
) -> int:
    """Prepare, preview, confirm, publish and report one record; the command's exit code."""
    publisher = publisher or Publisher(ctx)
    prepared = publisher.prepare(kind, request, print_step)
    if prepared.failed_step is not None:
        return view.failed(prepared.failed_step.value, prepared.message)
    stop = view.preview(prepared)
    if stop is not None:
        return stop
    if not yes and not view.confirm(prepared):
        return view.declined()
    return finish(view, publisher.publish(prepared, print_step))


def finish(view: CommandView[Any], result: Published[Any]) -> int:
    """The view's report of ``result``: done, refused, or failed at a step."""
    if result.done and result.failure is None:
        return view.report(result)
    if result.blocked:
        return view.blocked(result.message)
    step = result.failed_step.value if result.failed_step else "publish"
    return view.failed(step, result.message)
