"""The required activities of 5.8.6 and the state of each one's record."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from secgate_tui.app.render import safe
from secgate_tui.domain import ActivityState
from secgate_tui.domain.gate import ActivityResult

_STYLE = {
    ActivityState.COMPLETE: ("✔", "green"),
    ActivityState.MISSING: ("✘", "bold red"),
    ActivityState.INCOMPLETE: ("…", "yellow"),
    ActivityState.STALE: ("⌛", "bold red"),
}


class ActivitiesPanel(Static):
    """Each activity with its state; anything but complete blocks."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("Required activities"), id=id, markup=False)
        self._shown: tuple[ActivityResult, ...] | None = None

    def show(self, activities: tuple[ActivityResult, ...]) -> None:
        if activities == self._shown:
            return
        self._shown = activities
        # One line per activity, cropped to the panel: details are in the record.
        text = Text("Required activities (5.8.6)\n", style="bold", no_wrap=True)
        text.overflow = "ellipsis"
        if not activities:
            text.append("none configured for this product", style="dim")
        for activity in activities:
            mark, style = _STYLE[activity.state]
            text.append(f"{mark} ", style=style)
            text.append_text(safe(activity.name, 40))
            text.append(": ")
            text.append(activity.state.value, style=style)
            if activity.detail:
                text.append(" · ", style="dim")
                text.append_text(safe(activity.detail, 80, "dim"))
            text.append("\n")
        text.rstrip()
        self.update(text)
