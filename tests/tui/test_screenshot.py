""" "Save screenshot" writes beside the records, creates the folder and says where (issue 17)."""

from __future__ import annotations

from secgate_tui.services.context import Context
from tests.tui.conftest import SIZE, AppFactory, run, settle


def test_save_screenshot_creates_the_folder_and_names_the_file(
    make_app: AppFactory, context: Context
) -> None:
    folder = context.records_dir / "screenshots"
    assert not folder.exists()
    notes: list[str] = []

    async def scenario() -> None:
        app = make_app("ipc", "2.2")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.action_screenshot()
            for _ in range(50):  # the driver writes in a thread, then posts its event
                await settle(pilot)
                notes.extend(str(n.message) for n in app._notifications)
                if any("Saved screenshot" in n for n in notes):
                    break

    run(scenario())
    (saved,) = folder.glob("*.svg")
    assert saved.read_text(encoding="utf-8").startswith("<svg")
    assert any(str(saved) in note for note in notes), notes
