"""The reviews screen's trend charts: the highlighted product's 24 months, or why none."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Static

from secgate_tui.app.screens.reviews import ReviewsScreen
from secgate_tui.app.widgets.trend_charts import TrendCharts, TrendPlot
from secgate_tui.domain.review_metrics import review_metrics
from secgate_tui.services.release_view import source_key
from tests.tui.conftest import NOW, SIZE, AppFactory, plain, run, settle


def test_the_highlighted_product_gets_its_charts_and_an_unsynced_one_says_why(
    make_app: AppFactory,
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)  # the board synced ipc's sources into the store
            await pilot.press("v")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ReviewsScreen)
            charts = screen.query_one(TrendCharts)
            shown = charts.shown
            assert shown is not None and shown.product == "ipc" and shown.trends is not None
            months = shown.trends.months
            assert (len(months), months[0].month, months[-1].month) == (24, "2024-04", "2026-03")
            # Still open now is what the review figures count as open, by their own code.
            config = screen.controller.ctx.config
            product = config.product("ipc")
            issues = screen.controller.ctx.store.issues(
                [source_key(source) for source in product.sources]
            )
            figures = review_metrics(
                issues,
                product.classification(),
                period_start=NOW - timedelta(days=365),
                now=NOW,
            )
            assert months[-1].still_open == figures.totals.open > 0
            caption = plain(charts.query_one("#trends-caption", Static))
            assert caption.startswith("Trends of ipc") and "2026-03-02" in caption
            assert charts.query_one("#trends-plots").display
            flow = str(charts.query_one("#trends-flow", TrendPlot).render())
            assert "still open" in flow and "2024-04" in flow

            await pilot.press("down")  # dms: never synced in this session
            await settle(pilot)
            assert charts.shown is not None and charts.shown.product == "dms"
            assert charts.shown.trends is None
            caption = plain(charts.query_one("#trends-caption", Static))
            assert "has not been synced yet" in caption and "secgate sync --product dms" in caption
            assert not charts.query_one("#trends-plots").display

    run(scenario())
