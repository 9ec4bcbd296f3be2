"""The authorization line under the gate banner: what the tracker says of the release's
authorization (AUTHORIZED, PENDING, SUPERSEDED, UNSIGNED, LEGACY-UNSIGNED, NONE or
UNKNOWN), read in a worker after the board loads and after every publish."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from secgate_tui.app.render import safe

#: The first word of ``describe``'s line, and how it is painted.
_STYLES = {
    "AUTHORIZED": "bold reverse green",
    "PENDING": "bold reverse yellow",
    "UNKNOWN": "bold reverse red",
}


class AuthorizationLine(Static):
    """One line: ``Authorization: STATE, record …, signed by …, missing: …``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id, markup=False)

    def reading(self) -> None:
        self.update(Text("Authorization: reading from the tracker…", style="dim"))

    def show(self, line: str) -> None:
        state, _, rest = line.partition(",")
        text = Text("Authorization: ", no_wrap=True, overflow="ellipsis")
        # Tracker text (names, roles) is untrusted: escaped by ``safe``.
        text.append_text(safe(f" {state} ", 40))
        text.stylize(_STYLES.get(state, "bold reverse"), len("Authorization: "))
        if rest:
            text.append_text(safe("," + rest, 400))
        self.update(text)
