"""Every product's periodic review: last review, due date, days left, state.

The rows appear at once from what is known (the config's last_review, or the
tracker's answer read earlier); a worker then reads every product's review
records from its tracker and updates them.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.app.render import safe
from secgate_tui.app.screens.publish import PublishScreen
from secgate_tui.app.screens.publish_review_signed import review_flow
from secgate_tui.app.view_model import ReviewView
from secgate_tui.app.widgets.trend_charts import TrendCharts
from secgate_tui.domain.review_schedule import ReviewState
from secgate_tui.services.review_trends import StoredTrends

_STATE_STYLE = {
    ReviewState.OK: "green",
    ReviewState.DUE_SOON: "bold yellow",
    ReviewState.OVERDUE: "bold red",
}
#: The state as a badge: legible on any background, and on the cursor row too.
_BADGE_STYLE = {
    ReviewState.OK: "green",
    ReviewState.DUE_SOON: "bold reverse yellow",
    ReviewState.OVERDUE: "bold reverse red",
}
#: What must stay visible at 80 columns first (state, due date, days left); the
#: free text (who recorded it, the product's name) last, where it may be cut.
COLUMNS = ("Product", "State", "Due", "Days left", "Last review", "Every", "From", "Name")


class ReviewsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("n", "record", "Record review"),
    ]

    class Read(Message):
        def __init__(self, reviews: list[ReviewView], problems: list[str]) -> None:
            super().__init__()
            self.reviews = reviews
            self.problems = problems

    class TrendsRead(Message):
        def __init__(self, trends: StoredTrends) -> None:
            super().__init__()
            self.trends = trends

    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.controller = controller
        self.reviews = controller.reviews()

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
        yield TrendCharts(id="reviews-trends")
        yield Static(Text(""), id="reviews-notes", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name in COLUMNS:
            table.add_column(name)
        self.show(self.reviews)
        self.read_trackers()

    def show(self, reviews: list[ReviewView]) -> None:
        self.reviews = reviews
        table = self.query_one(DataTable)
        table.clear()
        notes = Text()
        for review in reviews:
            table.add_row(safe(review.product, 16), *self._cells(review), safe(review.name, 40))
            for warning in review.warnings:
                notes.append_text(safe(f"{review.product}: {warning}", 300, "yellow"))
                notes.append("\n")
        notes.append(
            "n: record a review of the highlighted product (or: secgate review record "
            "--product ID --conclusions FILE)",
            style="dim",
        )
        self.query_one("#reviews-notes", Static).update(notes)

    @staticmethod
    def _cells(review: ReviewView) -> list[Text]:
        schedule = review.schedule
        if schedule is None:
            return (
                [Text(" UNKNOWN ", style="bold reverse red")]
                + [Text("?")] * 4
                + [safe(review.problem, 40, style="bold red")]
            )
        style = _STATE_STYLE[schedule.state]
        last = schedule.last_review.isoformat() if schedule.last_review else "never"
        source = review.source
        if review.recorded_by:
            source = f"{source} ({review.recorded_by})"
        due = schedule.due.isoformat() if schedule.due else "now"
        left = "—" if schedule.days_left is None else str(schedule.days_left)
        return [
            Text(f" {schedule.state.value.upper()} ", style=_BADGE_STYLE[schedule.state]),
            Text(due, style=style),
            Text(left, style=style, justify="right"),
            Text(last),
            Text(f"{schedule.interval_days} d"),
            safe(source, 24),
        ]

    @work(thread=True, exclusive=True, group="reviews", exit_on_error=False)
    def read_trackers(self) -> None:
        reviews, problems = [], []
        for review in self.reviews:
            try:
                reviews.append(self.controller.review_from_tracker(review.product))
            except UiError as exc:
                reviews.append(review)
                problems.append(exc.message)
        self.post_message(self.Read(reviews, problems))

    @on(Read)
    def _read(self, message: Read) -> None:
        self.show(message.reviews)
        for problem in message.problems:
            self.notify(problem, severity="warning", timeout=8)

    @on(DataTable.RowHighlighted, "#reviews-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.reviews):
            product = self.reviews[event.cursor_row].product
            shown = self.query_one(TrendCharts).shown
            if shown is None or shown.product != product:
                self.read_trends(product)

    @work(thread=True, exclusive=True, group="trends", exit_on_error=False)
    def read_trends(self, product: str) -> None:
        """The highlighted product's trends from the store (thousands of issues: a worker)."""
        try:
            trends = self.controller.review_trends(product)
        except UiError as exc:
            trends = StoredTrends(product=product, problem=exc.message)
        self.post_message(self.TrendsRead(trends))

    @on(TrendsRead)
    def _trends_read(self, message: TrendsRead) -> None:
        self.query_one(TrendCharts).show(message.trends)

    def action_record(self) -> None:
        table = self.query_one(DataTable)
        if not 0 <= table.cursor_row < len(self.reviews):
            return
        product = self.reviews[table.cursor_row].product

        def done(recorded: bool | None) -> None:
            if recorded:
                self.read_trackers()

        flow = review_flow(self.controller, product)
        self.app.push_screen(PublishScreen(self.controller, flow), done)
