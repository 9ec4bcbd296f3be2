"""The reviews screen's charts: a product's security issues per month over 24 months.

Two plots (textual-plotext) side by side: opened, closed and still open per
month, and those still open by age at each month's end, from the review trends
(``domain.review_trends``) of the issues in the local store. Above them, one
line says whose trends they are and as of when, or why there are none (a
source never synced: no chart rather than one that understates).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from secgate_tui.domain.review_trends import ReviewTrends
from secgate_tui.domain.text import printable
from secgate_tui.services.review_trends import StoredTrends

#: Months with a label under the x axis (1-based): the first, the middle, the last.
#: Few enough that they never overlap: plotext drops overlapping labels in an order
#: that depends on Python's string hashing, which differs from one process to the next.
_TICKS = (1, 13, 24)
AGE_LABELS = ("under 30 d", "30-90 d", "90-180 d", "180 d or more")


class TrendPlot(PlotextPlot):
    """A plot drawn afresh on every render, from its data and its size alone.

    PlotextPlot keeps one figure across renders, and plotext carries state from
    one size to the next (tick positions): the same data drew different axes
    depending on how often the layout resized it first.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.draw: Callable[[Plot], None] | None = None

    def show(self, draw: Callable[[Plot], None]) -> None:
        self.draw = draw
        self.refresh()

    def render(self) -> RenderResult:
        self._plot = Plot()
        if self.draw is not None:
            self.draw(self._plot)
        return super().render()


class TrendCharts(Vertical):
    """Shows one product's :class:`StoredTrends` (``shown``), or why there are none."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: StoredTrends | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Trends: reading the local store…", style="dim"), id="trends-caption")
        with Horizontal(id="trends-plots"):
            yield TrendPlot(id="trends-flow")
            yield TrendPlot(id="trends-ages")

    def show(self, stored: StoredTrends) -> None:
        self.shown = stored
        caption = self.query_one("#trends-caption", Static)
        plots = self.query_one("#trends-plots", Horizontal)
        if stored.trends is None:
            # Wrapped, not cut: the reason says what to do, at any width.
            caption.update(Text(printable(stored.problem or "No trends.", 600), style="yellow"))
            plots.display = False
            return
        when = f"{stored.synced_at:%Y-%m-%d %H:%M} UTC" if stored.synced_at else "unknown"
        caption.update(
            Text(
                printable(
                    f"Trends of {stored.product}: security issues per month over 24 months, "
                    f"from the local store as of the last sync ({when})",
                    300,
                ),
                style="bold",
            )
        )
        plots.display = True
        self._flow(stored.trends)
        self._ages(stored.trends)

    def _flow(self, trends: ReviewTrends) -> None:
        def draw(plt: Plot) -> None:
            x = list(range(1, len(trends.months) + 1))
            plt.plot(x, [m.opened for m in trends.months], label="opened")
            plt.plot(x, [m.closed for m in trends.months], label="closed")
            plt.plot(x, [m.still_open for m in trends.months], label="still open")
            plt.xticks(*_ticks(trends))
            plt.title("Opened, closed, still open")

        self.query_one("#trends-flow", TrendPlot).show(draw)

    def _ages(self, trends: ReviewTrends) -> None:
        def draw(plt: Plot) -> None:
            x = list(range(1, len(trends.months) + 1))
            ages = [m.open_ages for m in trends.months]
            # textual-plotext's stub names it `label`; plotext 5 takes `labels` (a list).
            plt.stacked_bar(  # type: ignore[call-arg]
                x,
                [
                    [a.under_30_days for a in ages],
                    [a.days_30_to_90 for a in ages],
                    [a.days_90_to_180 for a in ages],
                    [a.over_180_days for a in ages],
                ],
                labels=list(AGE_LABELS),
            )
            plt.xticks(*_ticks(trends))
            plt.title("Still open, by age")

        self.query_one("#trends-ages", TrendPlot).show(draw)


def _ticks(trends: ReviewTrends) -> tuple[list[float], list[str]]:
    return [float(n) for n in _TICKS], [trends.months[n - 1].month for n in _TICKS]
