"""One required activity (5.8.6): its evidence, the evidence's date and age against the
maximum, and the link to its record.

The evidence issue's title and link are read from its tracker when the screen
opens (a worker); a tracker that cannot be read says "unknown (tracker
unreachable)", never "missing".
"""

from __future__ import annotations

import webbrowser
from datetime import datetime
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.app.render import safe
from secgate_tui.app.screens.issue_detail import Opener, web_url
from secgate_tui.app.widgets.activities import UNKNOWN, state_word
from secgate_tui.domain import ActivityState, DocumentEvidence, Issue, IssueEvidence
from secgate_tui.domain.gate import ActivityResult


def age_line(activity: ActivityResult, max_age_days: int, now: datetime) -> str:
    """How old the evidence is, against the activity's maximum (0: any age)."""
    limit = f"maximum {max_age_days} days" if max_age_days else "no maximum age"
    if activity.evidence_date is None:
        if max_age_days:
            return f"unknown (no date for the evidence), {limit}: it blocks"
        return f"unknown (no date for the evidence), {limit}"
    days = max(0, (now - activity.evidence_date).days)
    over = max_age_days and days > max_age_days
    return f"{days} days, {limit}" + (": too old, it blocks" if over else "")


def when(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class ActivityDetailScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("o", "open_browser", "Open in browser"),
    ]

    #: Replaced in tests so no browser starts.
    opener: Opener = staticmethod(webbrowser.open)

    class Read(Message):
        def __init__(self, issue: Issue | None, problem: str) -> None:
            super().__init__()
            self.issue = issue
            self.problem = problem

    def __init__(
        self, controller: Controller, activity: ActivityResult, max_age_days: int, now: datetime
    ) -> None:
        super().__init__()
        self.controller = controller
        self.activity = activity
        self.max_age_days = max_age_days
        self.now = now
        self.issue: Issue | None = None
        self.problem = ""
        self.read = not isinstance(activity.evidence, IssueEvidence)

    def compose(self) -> ComposeResult:
        title = Text(" Required activity  ", style="bold")
        title.append_text(safe(self.activity.name, 200, "bold"))
        yield Static(title, id="activity-title", markup=False)
        with VerticalScroll(id="activity-body"):
            yield Static(self._fields(), id="activity-fields", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if not self.read:
            self.read_evidence()

    @work(thread=True, exclusive=True, group="evidence", exit_on_error=False)
    def read_evidence(self) -> None:
        evidence = self.activity.evidence
        assert isinstance(evidence, IssueEvidence)
        try:
            issue = self.controller.evidence_issue(evidence)
        except UiError as exc:
            self.post_message(self.Read(None, exc.message))
            return
        self.post_message(self.Read(issue, ""))

    @on(Read)
    def _read(self, message: Read) -> None:
        self.read = True
        self.issue, self.problem = message.issue, message.problem
        self.query_one("#activity-fields", Static).update(self._fields())

    def _fields(self) -> Table:
        activity = self.activity
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        mark, word, style = state_word(activity)
        state = Text(f"{mark} {word}", style=style)
        if activity.state is not ActivityState.COMPLETE:
            state.append("  (blocks the release)", style="bold")
        table.add_row("Activity", safe(f"{activity.name} ({activity.id})", 300))
        table.add_row("State", state)
        evidence = activity.evidence
        if isinstance(evidence, IssueEvidence):
            table.add_row("Evidence", safe(f"{evidence.key} in tracker '{evidence.tracker}'", 300))
            table.add_row("Title", self._title())
            link = self.issue.url if self.issue is not None else ""
            table.add_row("Link", safe(link, 500) if link else Text("—", style="dim"))
        elif isinstance(evidence, DocumentEvidence):
            table.add_row("Evidence", safe(evidence.path, 500))
            table.add_row("SHA-256", Text(evidence.sha256))
        else:
            table.add_row("Evidence", Text("none configured", style="bold red"))
        table.add_row("Evidence date", Text(when(activity.evidence_date)))
        table.add_row("Age", Text(age_line(activity, self.max_age_days, self.now)))
        table.add_row("Observed", safe(activity.detail, 500) if activity.detail else Text("—"))
        return table

    def _title(self) -> Text:
        if not self.read:
            return Text("reading from the tracker…", style="dim")
        if self.issue is not None:
            return safe(self.issue.title, 400)
        if self.problem:
            text = Text(f"{UNKNOWN}: ", style="bold red")
            text.append_text(safe(self.problem, 400))
            return text
        return Text("the issue does not exist in the tracker", style="bold red")

    def action_open_browser(self) -> None:
        url = web_url(self.issue.url) if self.issue is not None else None
        if url is None:
            self.notify("This activity's evidence has no web page to open.", severity="warning")
            return
        self.opener(url)
        self.notify("Opened the evidence in the browser.", timeout=3)
