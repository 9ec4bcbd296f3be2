"""The gate banner: PASS or BLOCKED, how many block, when synced, what is stale."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from secgate_tui.app.render import safe, safe_block, when
from secgate_tui.app.view_model import BoardState
from secgate_tui.domain.times import iso_z


def why_line(reasons: tuple[str, ...], width: int) -> str:
    """Every reason that fits in ``width`` whole, then "and N more" for the rest."""
    shown: list[str] = []
    for n, reason in enumerate(reasons):
        rest = len(reasons) - n - 1
        suffix = f"; and {rest} more (w lists all)" if rest else ""
        candidate = "Why: " + "; ".join([*shown, reason]) + suffix
        if len(candidate) > width:
            if shown:
                break
            room = max(20, width - len(candidate) + len(reason) - 1)
            reason = reason[:room] + "…" if len(reason) > room else reason
        shown.append(reason)
    more = len(reasons) - len(shown)
    return "Why: " + "; ".join(shown) + (f"; and {more} more (w lists all)" if more else "")


class GateBanner(Static):
    """One glance: may this release ship, and can the data be trusted."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("Loading the release from the local store…"), id=id, markup=False)
        self._state: BoardState | None = None

    def show_message(self, message: str) -> None:
        self.set_classes("")
        self.update(safe(message))

    def show_error(self, message: str) -> None:
        """What cannot be shown as a board (a release no tracker knows)."""
        self._state = None
        self.set_classes("-blocked")
        line = Text(" ERROR ", style="bold reverse")
        line.append("  ")
        line.append_text(safe_block(message))
        self.update(line)

    def show(self, state: BoardState) -> None:
        if state == self._state:
            return
        self._state = state
        verdict = state.verdict
        if state.provisional:
            self._show_provisional(state)
            return
        passed = verdict.passed
        self.set_classes("-pass" if passed else "-blocked")
        line = Text()
        line.append(" PASS " if passed else " BLOCKED ", style="bold reverse")
        line.append("  ")
        line.append_text(safe(f"{state.product_name} ({state.product}) release {state.release}"))
        if not passed:
            count = verdict.blocking_count
            # Reasons other than blocking items: empty categories, activities, sources.
            others = len(verdict.reasons) - sum(1 for c in verdict.categories if c.blocking)
            others -= 1 if verdict.unclassified else 0
            parts = []
            if count:
                parts.append(f"{count} item{'s block' if count != 1 else ' blocks'}")
            if others > 0:
                extra = "other " if count else ""
                parts.append(f"{others} {extra}reason{'s block' if others != 1 else ' blocks'}")
            line.append("  ·  " + "  ·  ".join(parts), style="bold")
        line.append("\n")
        line.append("Last sync: ")
        line.append(when(verdict.synced_at, verdict.evaluated_at))
        if state.stale:
            line.append("\n")
            line.append("STALE ", style="bold reverse")
            line.append(" ")
            line.append_text(safe("; ".join(state.stale), 300))
        elif verdict.reasons:
            line.append("\n")
            line.append_text(safe(why_line(verdict.reasons, self.app.size.width - 2), 300))
        self.update(line)

    def _show_provisional(self, state: BoardState) -> None:
        """The last session's board: no verdict is claimed until it is evaluated."""
        verdict = state.verdict
        self.set_classes("")
        line = Text()
        line.append(" CHECKING ", style="bold reverse")
        line.append("  ")
        line.append_text(safe(f"{state.product_name} ({state.product}) release {state.release}"))
        line.append("  ·  evaluating the local store…\n")
        line.append(
            f"Shown meanwhile: the board as evaluated "
            f"{iso_z(verdict.evaluated_at)} "
            f"({verdict.outcome.value} then, {verdict.blocking_count} blocking)",
            style="dim",
        )
        self.update(line)
