"""The required activities of 5.8.6 and the state of each one's record; enter opens one.

An activity whose evidence issue could not be read is shown as "unknown (tracker
unreachable)", never "missing": nobody knows whether its record exists. It
still blocks, as anything not known to be complete does.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from secgate_tui.app.render import safe
from secgate_tui.domain import ActivityState, IssueEvidence
from secgate_tui.domain.gate import ActivityResult

_STYLE = {
    ActivityState.COMPLETE: ("✔", "green"),
    ActivityState.MISSING: ("✘", "bold red"),
    ActivityState.INCOMPLETE: ("…", "yellow"),
    ActivityState.STALE: ("⌛", "bold red"),
}
UNKNOWN = "unknown (tracker unreachable)"
#: How the sync words an evidence issue it could not read (services.sync); the
#: activity then has no record found, which is not the same as a missing one.
_UNREADABLE = " could not be read: "


def unreachable(activity: ActivityResult) -> bool:
    """The evidence is a tracker issue the last sync could not read."""
    return (
        activity.state is ActivityState.MISSING
        and isinstance(activity.evidence, IssueEvidence)
        and _UNREADABLE in activity.detail
    )


def state_word(activity: ActivityResult) -> tuple[str, str, str]:
    """The mark, the word and the style an activity's state is shown with."""
    if unreachable(activity):
        return "?", UNKNOWN, "bold red"
    mark, style = _STYLE[activity.state]
    return mark, activity.state.value, style


class ActivitiesPanel(Static, can_focus=True):
    """Each activity with its state; anything but complete blocks. Enter opens one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("enter", "open", "Open activity"),
    ]

    selected: reactive[int] = reactive(0, init=False)

    class Opened(Message):
        """Enter on an activity: show its evidence."""

        def __init__(self, activity: ActivityResult) -> None:
            super().__init__()
            self.activity = activity

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("Required activities"), id=id, markup=False)
        self._shown: tuple[ActivityResult, ...] | None = None

    @property
    def activities(self) -> tuple[ActivityResult, ...]:
        return self._shown or ()

    def show(self, activities: tuple[ActivityResult, ...]) -> None:
        if activities == self._shown:
            return
        self._shown = activities
        self.set_reactive(ActivitiesPanel.selected, min(self.selected, max(0, len(activities) - 1)))
        self._paint()

    def _paint(self) -> None:
        activities = self.activities
        # One line per activity, cropped to the panel: enter shows the evidence.
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Required activities (5.8.6)\n", style="bold")
        if not activities:
            text.append("none configured for this product", style="dim")
        for n, activity in enumerate(activities):
            mark, word, style = state_word(activity)
            line = Text()
            line.append(f"{mark} ", style=style)
            line.append_text(safe(activity.name, 40))
            line.append(": ")
            line.append(word, style=style)
            if activity.detail:
                line.append(" · ", style="dim")
                line.append_text(safe(activity.detail, 80, "dim"))
            if n == self.selected and self.has_focus:
                line.stylize("reverse")
            text.append_text(line)
            text.append("\n")
        text.rstrip()
        self.update(text)

    def watch_selected(self) -> None:
        self._paint()

    def action_move(self, delta: int) -> None:
        if self.activities:
            self.selected = max(0, min(len(self.activities) - 1, self.selected + delta))

    def action_open(self) -> None:
        if 0 <= self.selected < len(self.activities):
            self.post_message(self.Opened(self.activities[self.selected]))

    def on_click(self, event: events.Click) -> None:
        index = event.y - 1  # below the heading
        if 0 <= index < len(self.activities):
            self.selected = index
            if event.chain >= 2:
                self.action_open()

    def on_focus(self) -> None:
        self._paint()

    def on_blur(self) -> None:
        self._paint()
