"""The board refresh is a service: the UI's sync process never reaches the controller."""

from __future__ import annotations

import grimp


def test_the_sync_process_does_not_import_the_controller() -> None:
    graph = grimp.build_graph("secgate_tui")
    chain = graph.find_shortest_chain(
        importer="secgate_tui.app.sync_process", imported="secgate_tui.app.controller"
    )
    assert chain is None, " -> ".join(chain or ())
