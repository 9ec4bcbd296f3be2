"""Every product's periodic review: last review, due date, days left, state."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from secgate_tui.app.render import safe
from secgate_tui.app.view_model import ReviewView
from secgate_tui.domain.review_schedule import ReviewState

_STATE_STYLE = {
    ReviewState.OK: "green",
    ReviewState.DUE_SOON: "yellow",
    ReviewState.OVERDUE: "bold red",
}


class ReviewsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(self, reviews: list[ReviewView]) -> None:
        super().__init__()
        self.reviews = reviews

    def compose(self) -> ComposeResult:
        yield Static(
            Text(
                "Periodic security reviews (IEC 81001-5-1 4.1.8: at least once a year)",
                style="bold",
            ),
            id="reviews-title",
            markup=False,
        )
        table: DataTable[Text] = DataTable(cursor_type="row", id="reviews-table")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name in ("Product", "Name", "Last review", "Every", "Due", "Days left", "State"):
            table.add_column(name)
        for review in self.reviews:
            schedule = review.schedule
            if schedule is None:
                cells = [Text("?")] * 4 + [safe(review.problem, 40, style="bold red")]
            else:
                style = _STATE_STYLE[schedule.state]
                last = schedule.last_review.isoformat() if schedule.last_review else "never"
                due = schedule.due.isoformat() if schedule.due else "now"
                left = "—" if schedule.days_left is None else str(schedule.days_left)
                cells = [
                    Text(last),
                    Text(f"{schedule.interval_days} d"),
                    Text(due, style=style),
                    Text(left, style=style, justify="right"),
                    Text(schedule.state.value.upper(), style=style),
                ]
            table.add_row(safe(review.product, 20), safe(review.name, 40), *cells)
