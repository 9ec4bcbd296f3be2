"""The help page's text: the keys of the screen it was opened on, what the states
mean, and where records go."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.screen import Screen

STATES = (
    ("PASS", "nothing blocks: the release may be authorized"),
    (
        "BLOCKED",
        "at least one item, empty category, activity or source blocks; the Why line says what",
    ),
    ("CHECKING", "the last session's board, shown while the release is evaluated afresh"),
    ("STALE", "a tracker could not be read: its last data is kept, and the gate blocks"),
    ("EMPTY", "a category with no issue: blocks until acknowledged as not applicable"),
    ("not applicable", "an empty category acknowledged, with its reason, in the record"),
    ("AUTHORIZED", "the approval policy is met by valid signatures read back from the tracker"),
    ("PENDING", "the record is posted; the roles under 'missing' still have to sign (p)"),
    ("LEGACY-UNSIGNED", "a record with no signature: it satisfies no policy requiring one"),
    ("UNKNOWN", "the authorization state could not be read (the line says why)"),
    ("residual", "closed without a fix, with a justified disposition: listed, not blocking"),
    ("unknown", "an activity whose tracker could not be read: not known to be done; blocks"),
)


def help_text(screen: Screen[object], records_dir: Path, data_dir: Path) -> Text:
    text = Text("Keys on this screen\n", style="bold")
    # One line per action, under its shortest key (q rather than Textual's ctrl+q).
    keys: dict[str, tuple[str, str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.action in {"help", "command_palette"}:
            continue
        shown = binding.key_display or key
        if binding.action not in keys or len(shown) < len(keys[binding.action][0]):
            keys[binding.action] = (shown, binding.description)
    for shown, description in keys.values():
        text.append(f"  {shown:<10}", style="bold")
        text.append(f" {description}\n")
    text.append("  ?, F1      this help\n  ctrl+p     command palette (switch release, sync, …)\n")
    text.append("\nWhat the states mean\n", style="bold")
    for name, meaning in STATES:
        text.append(f"  {name:<15}", style="bold")
        text.append(f" {meaning}\n")
    text.append("\nWhere records are\n", style="bold")
    text.append(
        "  Authorization and review records are comments on the product's record issue in "
        "its tracker, read back after posting.\n"
        f"  Exported copies: {records_dir}\n"
        f"  Audit log and local store: {data_dir}\n"
        "  `secgate verify --product P --release R` checks a record against the tracker.\n"
    )
    return text
