"""Recording a periodic review from the UI with [signing] (issue 15's sign-off): the
reviewer's signature is made at the confirmation and posted after the record, and
the result reads the sign-off back (PENDING while the review policy needs more)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import TextArea

from connectors.sandbox.demo_data import seed_demo
from secgate_tui.app.app import SecgateApp
from secgate_tui.app.controller import Controller
from secgate_tui.app.screens.publish import PublishScreen
from secgate_tui.app.screens.publish_review_signed import SignedReviewFlow
from secgate_tui.config import config_from_data
from secgate_tui.services.context import Context, build_context
from secgate_tui.services.demo import demo_data, demo_signing
from secgate_tui.services.signing.demo import DEMO_APPROVAL
from secgate_tui.services.sync import utcnow
from tests.tui.conftest import SIZE, not_shipped, plain, run, settle
from tests.tui.test_publish import press_prepare

CONCLUSIONS = (
    'complete = { answer = "yes", comment = "", explanation = "as is" }\n'
    'efficient = { answer = "yes", comment = "", explanation = "as is" }\n'
    'resolution = { answer = "yes", comment = "", explanation = "as is" }\n'
)


@pytest.fixture
def context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    """The demo with [signing] (the release manager's key) and a two-role review policy."""
    path = tmp_path / "sandbox.json"
    path.write_text(json.dumps(not_shipped(seed_demo(utcnow() - timedelta(hours=2)))))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECGATE_SIGNING__KEY", raising=False)
    data = demo_data(tmp_path, today=utcnow().date())
    data["trackers"]["sandbox"]["live"] = False
    data["trackers"]["sandbox"]["path"] = path.name
    data = demo_signing(tmp_path, data)
    data["products"]["ipc"]["approval"] = DEMO_APPROVAL
    ctx = build_context(config_from_data(data, None), tmp_path, demo=True)
    try:
        yield ctx
    finally:
        ctx.close()


def test_a_review_recorded_in_the_ui_is_signed_and_pending_the_second_signer(
    context: Context,
) -> None:
    seen: list[str] = []

    async def scenario() -> None:
        controller = Controller(context, utcnow)
        controller.releases("ipc")
        app = SecgateApp(controller, "ipc", "2.0", cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("v")
            await settle(pilot)
            await pilot.press("n")  # the highlighted row: ipc
            screen = app.screen
            assert isinstance(screen, PublishScreen)
            assert isinstance(screen.flow, SignedReviewFlow)
            screen.query_one(TextArea).load_text(CONCLUSIONS)
            await press_prepare(pilot, screen)
            note = plain(screen.query_one("#publish-verdict"))
            seen.append(note)
            await pilot.press(*"ipc", "enter")
            await settle(pilot)
            seen.append(plain(screen.query_one("#publish-result")))

    run(scenario())
    note, result = seen
    assert "You sign: Signed by Rita Release (demo) (management-representative)" in note
    assert result.startswith(" PENDING "), result
    assert "missing: security-officer" in result
    assert "secgate approve --product ipc --review" in result
    comments = json.loads((Path("sandbox.json")).read_text())["issues"]["IPC-6"]["comments"]
    assert sum("secgate-review " in c["body"] for c in comments) == 1
    assert sum("secgate-signature " in c["body"] for c in comments) == 1
