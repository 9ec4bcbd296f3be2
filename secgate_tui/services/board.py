"""The board refresh: sync a release, evaluate it, and list what it holds.

One implementation for whoever shows a board: the UI's thread and the UI's sync
process both call :class:`BoardService`, which returns plain values (a sync
report, the verdict and the issues evaluated). How a board is drawn stays in the
UI; how a release is evaluated stays in :mod:`~secgate_tui.services.gate`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from secgate_tui.domain import Category, Issue, Verdict
from secgate_tui.services.acknowledgements import release_acknowledgements
from secgate_tui.services.context import Context
from secgate_tui.services.gate import evaluate_issues, evaluate_release_scope

_BOARD = "tui.board."


@dataclass(frozen=True, kw_only=True)
class SyncReport:
    """How a sync went: per-source problems, already in words."""

    failures: tuple[str, ...]
    count: int
    #: False when no source fetched anything and none did a full sync: the
    #: issues in the store are the ones already evaluated.
    changed: bool = True
    #: Set when every source answered and none knows the release: why, in words.
    #: The release is an error then, never a board of empty categories.
    unknown: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True, kw_only=True)
class Evaluated:
    """A release's verdict and the issues it was evaluated over."""

    product: str
    release: str
    verdict: Verdict
    issues: tuple[Issue, ...]
    now: datetime
    #: The issues were read from the store now (not the ones read last time).
    fresh: bool


class BoardService:
    """Syncs and evaluates one release at a time; remembers the issues read last."""

    def __init__(self, ctx: Context, clock: Callable[[], datetime]) -> None:
        self.ctx = ctx
        self.clock = clock
        self._issues: dict[tuple[str, str], tuple[tuple[Issue, ...], tuple[Issue, ...]]] = {}

    def sync(self, product: str, release: str, *, full: bool = False) -> SyncReport:
        """Fetch the release from its trackers; per-source failures are reported, not raised."""
        results = self.ctx.syncer.sync_release(product, release, full=full)
        unknown = ""
        if (
            results
            and not any(r.state.release_found for r in results)
            and not any(r.state.error for r in results)
        ):
            where = ", ".join(f"{r.source.tracker} ({r.source.project})" for r in results)
            unknown = (
                f"release '{release}' matches no version or milestone of product "
                f"'{product}' in any source ({where}). Pick a release the trackers know."
            )
        return SyncReport(
            unknown=unknown,
            failures=tuple(
                f"{r.state.source} ({r.state.project}): {r.state.error}"
                for r in results
                if r.state.error
            ),
            count=sum(r.count for r in results),
            changed=any(r.full or r.read for r in results),
        )

    def evaluate(
        self,
        product: str,
        release: str,
        acks: Mapping[Category, str] | None = None,
        *,
        reuse: bool = False,
    ) -> Evaluated:
        """The release as the store holds it (no tracker call).

        With ``reuse``, the issues read last time are evaluated again (sync
        state, activities and the clock are read afresh): for a refresh whose
        sync fetched nothing.
        """
        now = self.clock()
        config, store = self.ctx.config, self.ctx.store
        # An authorized release keeps the acknowledgements its record was given.
        acks = release_acknowledgements(store, product, release, acks)
        cached = self._issues.get((product, release)) if reuse else None
        if cached is None:
            verdict, read = evaluate_release_scope(config, store, product, release, now, acks)
            issues, affected = tuple(read.members), tuple(read.affected)
            self._issues = {(product, release): (issues, affected)}  # one release at a time
        else:
            issues, affected = cached
            verdict = evaluate_issues(
                config, store, product, release, list(issues), now, acks, affected=affected
            )
        return Evaluated(
            product=product,
            release=release,
            verdict=verdict,
            issues=issues,
            now=now,
            fresh=cached is None,
        )

    def refresh(
        self, product: str, release: str, *, full: bool = False
    ) -> tuple[SyncReport, Evaluated]:
        """Sync, then evaluate (the issues of last time when the sync fetched nothing)."""
        report = self.sync(product, release, full=full)
        return report, self.evaluate(product, release, reuse=not report.changed)

    # A board as the last session showed it, encoded by whoever draws it.

    def save_board(self, product: str, release: str, encoded: str) -> None:
        self.ctx.store.set_meta(_BOARD + _key(product, release), encoded)

    def saved_board(self, product: str, release: str) -> str | None:
        return self.ctx.store.get_meta(_BOARD + _key(product, release)) or None


def _key(product: str, release: str) -> str:
    return json.dumps([product, release])  # the key earlier versions wrote
