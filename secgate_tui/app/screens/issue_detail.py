"""One issue with every normalized field, its justification and its tracker link."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar
from urllib.parse import urlparse

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from secgate_tui.app.render import safe, safe_block
from secgate_tui.app.view_model import BoardState
from secgate_tui.domain import Issue
from secgate_tui.domain.times import iso_z

Opener = Callable[[str], object]


def _reason(state: BoardState, issue: Issue) -> str | None:
    for view in state.categories:
        for row in view.rows:
            if (row.source, row.key) == issue.uid:
                return f"{view.category.title}: {row.reason}"
    for row in state.unclassified:
        if (row.source, row.key) == issue.uid:
            return f"Unclassified: {row.reason}"
    return None


def web_url(url: str) -> str | None:
    """Only http(s) links are opened: a tracker could hand us file: or other schemes."""
    parsed = urlparse(url)
    return url if parsed.scheme in {"http", "https"} and parsed.netloc else None


class IssueDetailScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("o", "open_browser", "Open in browser"),
    ]

    #: Replaced in tests so no browser starts.
    opener: Opener = staticmethod(webbrowser.open)

    def __init__(self, issue: Issue, state: BoardState) -> None:
        super().__init__()
        self.issue = issue
        self.state = state

    def compose(self) -> ComposeResult:
        issue = self.issue
        title = Text(" ")
        title.append_text(safe(issue.key, 40, style="bold"))
        title.append("  ")
        title.append_text(safe(issue.title, 400))
        yield Static(title, id="detail-title", markup=False)
        with VerticalScroll(id="detail-body"):
            reason = _reason(self.state, issue)
            if reason:
                yield Static(safe_block(f"Blocks: {reason}", "bold red"), id="detail-blocks")
            yield Static(self._fields(), id="detail-fields", markup=False)
            yield Static(Text("Justification", style="bold"), markup=False)
            yield Static(
                safe_block(issue.justification)
                if issue.justification
                else Text("none recorded", style="dim"),
                id="detail-justification",
                markup=False,
            )
        yield Footer()

    def _fields(self) -> Table:
        issue = self.issue
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")

        def when(value: object) -> str:
            return iso_z(value) if isinstance(value, datetime) else "—"

        rows: list[tuple[str, str | None]] = [
            ("Tracker", issue.source),
            ("Key", issue.key),
            ("Link", issue.url),
            ("Type", issue.type),
            ("Status", issue.status),
            ("Closed", "yes" if issue.closed else "no"),
            ("Resolution", issue.resolution),
            ("Disposition", issue.disposition.value),
            ("Priority", issue.priority),
            ("Severity", issue.severity),
            ("Assignee", issue.assignee),
            ("Labels", ", ".join(issue.labels)),
            ("Components", ", ".join(issue.components)),
            ("Fix versions", ", ".join(issue.fix_versions)),
            ("Affects versions", ", ".join(issue.affects_versions)),
            ("Created", when(issue.created)),
            ("Updated", when(issue.updated)),
            ("Closed at", when(issue.closed_at)),
            ("Raw digest", issue.raw_digest),
        ]
        for name, value in rows:
            table.add_row(name, safe(value, 500) if value else Text("—", style="dim"))
        return table

    def action_open_browser(self) -> None:
        url = web_url(self.issue.url)
        if url is None:
            self.notify(
                f"{self.issue.key} has no web page to open (its link is not http or https).",
                severity="warning",
            )
            return
        self.opener(url)
        self.notify(f"Opened {self.issue.key} in the browser.", timeout=3)
