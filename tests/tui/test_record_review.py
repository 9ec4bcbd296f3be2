"""Recording a periodic review from the reviews screen."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Button, DataTable, TextArea

from secgate_tui.app.screens.record_review import RecordReviewScreen
from secgate_tui.app.screens.reviews import ReviewsScreen
from secgate_tui.commands.context import Context
from tests.tui.conftest import SIZE, AppFactory, Sandbox, plain, run, settle, wait_until

NO_WITHOUT_COMMENT = 'complete = { answer = "no" }\nefficient = { answer = "yes" }\n'


def review_comments(sandbox: Sandbox) -> list[str]:
    issue = sandbox.load()["issues"]["IPC-6"]
    return [c["body"] for c in issue.get("comments", []) if "secgate-review" in c["body"]]


async def press_prepare(pilot: Pilot[int], screen: RecordReviewScreen) -> None:
    """Click Prepare the way a person does: once the button is back up and enabled.

    A Textual button ignores clicks during its press effect (0.2 s after the
    previous click); a test that clicks again at machine speed would be ignored
    and then wait for a preparation that never started.
    """
    button = screen.query_one("#review-prepare", Button)
    await wait_until(pilot, lambda: not button.has_class("-active") and not button.disabled, 5)
    await pilot.click("#review-prepare")
    await settle(pilot)


def test_record_a_review_then_the_schedule_counts_it(
    make_app: AppFactory, sandbox: Sandbox, context: Context
) -> None:
    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("v")
            await settle(pilot)
            await pilot.press("n")  # the highlighted row: ipc
            screen = app.screen
            assert isinstance(screen, RecordReviewScreen) and screen.product == "ipc"

            # A bad answer is explained and nothing is prepared.
            screen.query_one(TextArea).text = NO_WITHOUT_COMMENT
            await press_prepare(pilot, screen)
            assert "Not prepared" in plain(screen.query_one("#review-status"))  # type: ignore[arg-type]
            assert screen.prepared is None

            screen.query_one(TextArea).load_text(
                'complete = { answer = "yes", comment = "" }\n'
                'efficient = { answer = "yes", comment = "" }\n'
                'resolution = { answer = "yes", comment = "" }\n'
            )
            await press_prepare(pilot, screen)
            assert "Ready" in plain(screen.query_one("#review-status"))  # type: ignore[arg-type]
            assert review_comments(sandbox) == []  # preparing writes nothing
            await pilot.press(*"ipc", "enter")
            await settle(pilot)
            result = plain(screen.query_one("#review-result"))  # type: ignore[arg-type]
            assert "RECORDED" in result and "NOT RECORDED" not in result
            assert "Next review due: 2027-03-02" in result

            await pilot.press("escape")
            await settle(pilot)
            reviews = app.screen
            assert isinstance(reviews, ReviewsScreen)
            table = reviews.query_one(DataTable)
            row = [str(cell) for cell in table.get_row_at(0)]
            assert row[2] == "2026-03-02" and row[3].startswith("tracker")
            assert row[7] == "OK"

    run(scenario())
    assert len(review_comments(sandbox)) == 1
    assert len(context.store.audit_entries()) == 1
