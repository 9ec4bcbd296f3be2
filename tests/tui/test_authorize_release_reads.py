"""The authorization dialog reads the release lists once per prepare (issue 13): its fresh
sync reads them, and whether the release shipped comes from that read, not another."""

from __future__ import annotations

from connectors.base import Release, SourceScope
from connectors.sandbox import SandboxConnector
from secgate_tui.commands.context import Context
from tests.tui.conftest import SIZE, AppFactory, Sandbox, plain, run, settle
from tests.tui.test_authorize_identity import open_dialog, ship


class CountingSandbox(SandboxConnector):
    """The sandbox tracker, counting how often its release list is read."""

    reads = 0

    def releases(self, scope: SourceScope) -> list[Release]:
        type(self).reads += 1
        return super().releases(scope)


def test_one_prepare_reads_each_release_list_once(
    make_app: AppFactory, sandbox: Sandbox, context: Context
) -> None:
    ship(sandbox, "2.0", "2025-11-02")
    connector = CountingSandbox("sandbox", context.config.trackers["sandbox"], None)
    context.connections._connectors["sandbox"] = connector
    sources = len(context.config.product("ipc").sources)
    CountingSandbox.reads = 0

    async def scenario() -> None:
        async with make_app("ipc", "2.0").run_test(size=SIZE) as pilot:
            await settle(pilot)
            before = CountingSandbox.reads  # after the board's own sync
            screen = await open_dialog(pilot)
            line = plain(screen.query_one("#retrospective-line"))
            assert line == "RETROSPECTIVE: the tracker shows this release shipped on 2025-11-02"
            assert CountingSandbox.reads - before == sources

    run(scenario())
