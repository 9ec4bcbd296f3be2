"""Turning values into Rich ``Text`` for the screen, with tracker text kept inert.

Tracker text (titles, statuses, reasons quoting resolutions, justifications)
only ever reaches the screen through :func:`safe`: it is escaped by
``printable`` and wrapped in ``Text``, which Textual never parses as markup, so
``[@click=app.quit]`` is shown, not run.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from secgate_tui.domain.text import printable
from secgate_tui.domain.times import iso_z

BAR_WIDTH = 20


def safe(text: str | None, limit: int | None = None, style: str = "") -> Text:
    """Untrusted text as one inert, printable line."""
    return Text(printable(text or "", limit), style=style, no_wrap=True, overflow="ellipsis")


def safe_block(text: str | None, style: str = "") -> Text:
    """Untrusted multi-line text: each line made printable, line breaks kept."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    return Text("\n".join(printable(line) for line in lines), style=style)


def bar(done: int, total: int, width: int = BAR_WIDTH, *, blocking: int = 0) -> Text:
    """A progress bar as text: deterministic, no animation, fits any width.

    It shows what may ship, not only what is closed: items that block are never
    counted as done (a closed issue can still block, for its disposition), and
    the bar is green only when nothing blocks, red when something does.
    """
    if total <= 0:
        return Text("░" * width, style="dim")
    done = max(0, min(done, total - blocking))
    filled = round(width * done / total)
    if blocking and filled == width:
        filled = width - 1  # never a full bar while anything blocks
    colour = "red" if blocking else ("green" if done == total else "yellow")
    result = Text("█" * filled, style=colour)
    result.append("░" * (width - filled), style="dim")
    return result


def age(days: int | None) -> str:
    return "?" if days is None else f"{days}d"


def when(moment: datetime | None, now: datetime) -> str:
    """A sync time with how long ago it was, in UTC so reports match logs."""
    if moment is None:
        return "never"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 120:
        ago = f"{seconds} s ago"
    elif seconds < 7200:
        ago = f"{seconds // 60} min ago"
    else:
        ago = f"{seconds // 3600} h ago"
    return f"{iso_z(moment)} ({ago})"
