"""Runs the UI's background refreshes (sync, then evaluation) in a child process.

A refresh of a big release is seconds of Python work (HTTP pages parsed, every
issue mapped and validated, the store written and read back, the gate). In a
thread of the UI process it competes with the event loop for the interpreter
lock, and key presses wait for it. In a child process it runs on another core;
the UI's thread worker only waits for the finished board, which carries just
the issues it lists. The child writes the same SQLite store (WAL mode,
transactions serialize between processes).

One long-lived child serves every sync of a session, so Python start-up and
imports are paid once, by the first sync (after the first paint, which is not
slowed by it).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path

from secgate_tui.app.errors import guard
from secgate_tui.app.view_model import BoardState, config_review, for_transfer, present
from secgate_tui.config import Config
from secgate_tui.services.board import BoardService, SyncReport
from secgate_tui.services.context import STORE_NAME, build_context


class SyncProcessGone(Exception):
    """The child cannot sync (it died); the caller syncs in a thread instead."""


_board: BoardService | None = None


def _start(config: Config, store_path: Path, clock: Callable[[], datetime]) -> None:
    global _board  # one per child process, for its whole life
    # The child shares the UI's terminal: anything it printed would land on the
    # screen. Its errors travel back to the UI as exceptions instead.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    # The UI passes the store's path; the context opens the store of its folder.
    assert store_path.name == STORE_NAME, store_path
    _board = BoardService(build_context(config, store_path.parent, clock=clock), clock)


def _ready() -> bool:
    return _board is not None


def _refresh(product: str, release: str, full: bool) -> tuple[SyncReport, BoardState]:
    """The board with the config's review date: the UI thread puts in the one it knows."""
    assert _board is not None, "the sync process was not initialized"
    with guard(f"syncing {product} {release}"):
        report, evaluated = _board.refresh(product, release, full=full)
        review = config_review(_board.ctx.config, product, evaluated.now)
        state = present(_board, evaluated, review, save=True)
    return report, for_transfer(state)


class SyncProcess:
    """A child process that syncs releases into the store on request."""

    def __init__(self, config: Config, store_path: Path, clock: Callable[[], datetime]) -> None:
        self._args = (config, store_path, clock)
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the child (on the first sync, after the board is on screen)."""
        if self._pool is None:
            # spawn, not fork: a forked child would inherit other threads' locks mid-use.
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=mp.get_context("spawn"),
                initializer=_start,
                initargs=self._args,
            )
            # Under Textual, sys.stderr has no file descriptor and multiprocessing
            # cannot start a child with it; the child silences its output anyway.
            # The pool starts its process on the first task.
            captured, sys.stderr = sys.stderr, sys.__stderr__
            try:
                self._pool.submit(_ready).result()
            finally:
                sys.stderr = captured

    def refresh(self, product: str, release: str, full: bool) -> tuple[SyncReport, BoardState]:
        """Sync, then evaluate, in the child. UiError comes back as itself.

        Raises SyncProcessGone when the child died or cannot start.
        """
        try:
            self.start()
            assert self._pool is not None
            return self._pool.submit(_refresh, product, release, full).result()
        except (BrokenProcessPool, OSError, ValueError):
            self.close()
            raise SyncProcessGone("the sync process stopped or could not start") from None

    def close(self) -> None:
        """Stop the child now, even mid-sync: its store transaction rolls back."""
        if self._pool is None:
            return
        # The executor has no "stop now"; waiting could take as long as a sync.
        for process in list(getattr(self._pool, "_processes", {}).values()):
            process.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
