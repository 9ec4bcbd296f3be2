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
from secgate_tui.app.view_model import BLOCKING, RESIDUAL, BoardState, IssueRow
from secgate_tui.domain import Issue
from secgate_tui.domain.times import iso_z

Opener = Callable[[str], object]


def _row(state: BoardState, issue: Issue) -> tuple[str, IssueRow] | None:
    """Where the board lists the issue: the category's title and the row."""
    for view in state.categories:
        for row in view.rows:
            if (row.source, row.key) == issue.uid:
                return view.category.title, row
    for row in state.unclassified:
        if (row.source, row.key) == issue.uid:
            return "Unclassified", row
    return None


def _standing(state: BoardState, issue: Issue) -> Text | None:
    """One line on top: why the issue blocks, or that it is residual or closed and accepted."""
    found = _row(state, issue)
    if found is None:
        return None
    category, row = found
    if row.kind == BLOCKING:
        return safe_block(f"Blocks: {category}: {row.reason}", "bold red")
    if row.kind == RESIDUAL:
        return safe_block(
            f"Residual item in {category}: closed as {issue.disposition.value} without a "
            "fix; accepted because it is justified (the record lists it with its "
            "justification)",
            "bold yellow",
        )
    return safe_block(
        f"Closed in {category} with an accepted disposition ({issue.disposition.value})",
        "green",
    )


def acceptances_text(issue: Issue) -> Text:
    """Each acceptance of the issue for a release it affects: what, by whom, until when."""
    if not issue.acceptances:
        return Text("none recorded", style="dim")
    text = Text()
    for n, acceptance in enumerate(issue.acceptances):
        if n:
            text.append("\n")
        parts = [
            acceptance.disposition.value,
            f"for release {acceptance.release}" if acceptance.release else "for every release",
        ]
        if acceptance.accepted_by:
            parts.append(f"by {acceptance.accepted_by}")
        if acceptance.accepted_on:
            parts.append(f"on {acceptance.accepted_on.strftime('%Y-%m-%dT%H:%M:%SZ')}")
        if acceptance.expires:
            parts.append(f"expires {acceptance.expires.isoformat()}")
        if acceptance.target_version:
            parts.append(f"fix planned in {acceptance.target_version}")
        text.append("• ")
        text.append_text(safe_block(", ".join(parts)))
        text.append("\n  Justification: ")
        text.append_text(
            safe_block(acceptance.justification)
            if acceptance.justification
            else Text("none given (it does not count)", style="bold red")
        )
    return text


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
            standing = _standing(self.state, issue)
            if standing is not None:
                yield Static(standing, id="detail-blocks", markup=False)
            yield Static(self._fields(), id="detail-fields", markup=False)
            yield Static(Text("Justification", style="bold"), markup=False)
            yield Static(
                safe_block(issue.justification)
                if issue.justification
                else Text("none recorded", style="dim"),
                id="detail-justification",
                markup=False,
            )
            yield Static(Text("\nAcceptances for affected releases", style="bold"), markup=False)
            yield Static(acceptances_text(issue), id="detail-acceptances", markup=False)
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
            ("CWE", ", ".join(issue.cwe)),
            ("Safety impact", issue.safety_impact),
            ("Compensating controls", issue.compensating_controls),
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
