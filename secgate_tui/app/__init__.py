"""The Textual terminal UI (``secgate`` without a command).

Only :func:`run` is public; the CLI imports it lazily because textual is heavy.
"""

from __future__ import annotations

import argparse
import sys

from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.services.context import open_context


def run(args: argparse.Namespace) -> int:
    """Open the UI at ``--product`` / ``--release`` (else the last release shown).

    Without a terminal (a pipe, a CI job) there is nothing to draw on: the
    release overview is printed instead, as `secgate releases` would.
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        from secgate_tui.commands import releases

        args.json = False
        with open_context(args) as ctx:
            return releases.run(ctx, args)

    from secgate_tui.app.app import SecgateApp  # textual is heavy: import it only to run

    with open_context(args) as ctx:
        controller = Controller(ctx, sync_process=True)
        try:
            product, release = controller.initial_target(
                getattr(args, "product", None), getattr(args, "release", None)
            )
            result = SecgateApp(controller, product, release).run()
        except UiError as exc:
            print(f"secgate: error: {exc.message}", file=sys.stderr)
            return 2
        finally:
            controller.close()
    return result or 0


__all__ = ["run"]
