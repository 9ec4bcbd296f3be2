"""The product's next periodic review (IEC 81001-5-1 4.1.8): due date, days left."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from secgate_tui.app.render import safe
from secgate_tui.app.view_model import ReviewView
from secgate_tui.domain.review_schedule import ReviewState


def review_text(review: ReviewView) -> Text:
    """Due date and days left; red when overdue, yellow when due soon."""
    schedule = review.schedule
    if schedule is None:
        return safe(f"Review schedule unknown: {review.problem}", style="bold red")
    if schedule.due is None:
        return Text("Review OVERDUE: none on record", style="bold red")
    days = schedule.days_left or 0
    if schedule.state is ReviewState.OVERDUE:
        return Text(
            f"Review OVERDUE since {schedule.due.isoformat()} ({-days} days)", style="bold red"
        )
    style = "yellow" if schedule.state is ReviewState.DUE_SOON else "green"
    return Text(f"Next review {schedule.due.isoformat()} ({days} days left)", style=style)


class ReviewBadge(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id, markup=False)
        self._shown: ReviewView | None = None

    def show(self, review: ReviewView) -> None:
        if review == self._shown:
            return
        self._shown = review
        self.set_class(review.overdue, "-overdue")
        self.update(review_text(review))
