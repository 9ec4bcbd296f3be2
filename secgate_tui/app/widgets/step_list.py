"""A publishing protocol's steps (a record kind's ``steps``), each shown as it starts,
ends or fails."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from secgate_tui.app.render import safe
from secgate_tui.services.publish import Step, StepEvent

_MARK = {
    "pending": ("·", "dim"),
    "started": ("▶", "bold yellow"),
    "done": ("✔", "green"),
    "failed": ("✘", "bold red"),
}


class StepList(Static):
    """E.g. sync, evaluate, build, post, read back, log, export: what happened so far."""

    def __init__(self, steps: tuple[Step, ...], *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id, markup=False)
        self.states: dict[Step, tuple[str, str]] = {step: ("pending", "") for step in steps}
        self._render_steps()

    def reset(self, steps: tuple[Step, ...] | None = None) -> None:
        """Mark ``steps`` (default: every step shown) pending again."""
        for step in self.states if steps is None else steps:
            self.states[step] = ("pending", "")
        self._render_steps()

    def record(self, event: StepEvent) -> None:
        self.states[event.step] = (event.state, event.detail)
        self._render_steps()

    def _render_steps(self) -> None:
        text = Text("Protocol steps\n", style="bold")
        for step, (state, detail) in self.states.items():
            mark, style = _MARK[state]
            text.append(f"{mark} ", style=style)
            text.append(f"{step.value:<10}", style=style)
            if detail:
                text.append(" ")
                text.append_text(safe(detail, 200, style="dim" if state != "failed" else "red"))
            text.append("\n")
        text.rstrip()
        self.update(text)
