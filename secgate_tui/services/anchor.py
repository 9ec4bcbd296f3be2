"""Anchors: the audit log's head, written into every export, checked against the log.

A hash chain proves that no entry was changed in place, but not that the log
still ends where it ended, nor that it was not rewritten from some entry on with
every hash recomputed: both leave a valid chain. So every export names the log's
head at the moment it was written (after the entry of its record was appended):
this store's random id, the entry's position and its hash. ``verify --log``
reads these anchors back from the records directory and requires, for each
anchor of this store, that the log still holds that entry with that hash.

Anchors live only in the exported files, never in the canonical record JSON or
the tracker comment: those must stay identical across machines, while an anchor
names one machine's log. An export without an anchor (written by an earlier
secgate) anchors nothing and is skipped.

The anchor is one line of the export's header (the lines before the first
Markdown heading), so tracker text in the record's body can never pose as one.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from secgate_tui.services.store import ChainReport, Store, StoreError

#: The word an anchor line starts with (inside a Markdown code span).
ANCHOR_WORD: Final = "secgate-audit-anchor"
_ANCHOR = re.compile(
    rf"`{ANCHOR_WORD} store=(?P<store>[0-9a-f]{{32}}) entry=(?P<seq>[1-9][0-9]{{0,17}}) "
    r"head=sha256:(?P<head>[0-9a-f]{64})`"
)


class AnchorError(OSError):
    """The log's head could not be read for an export (an OSError: the export fails)."""


@dataclass(frozen=True, kw_only=True)
class Anchor:
    """The audit log's head as one export saw it."""

    store_id: str
    seq: int
    head: str


@dataclass(frozen=True, kw_only=True)
class FoundAnchor:
    anchor: Anchor
    path: Path


def head_anchor(store: Store) -> Anchor | None:
    """The log's head now (None while the log is empty: there is nothing to anchor).

    Raises:
        AnchorError: the store could not be read; callers treat it as a failed export
            (the record is logged; exporting again writes the files).
    """
    try:
        head = store.head()
        store_id = store.store_id
    except (sqlite3.Error, StoreError) as exc:
        raise AnchorError(
            f"the audit log's head could not be read for the export's anchor ({exc})"
        ) from None
    if head is None:
        return None
    seq, digest = head
    return Anchor(store_id=store_id, seq=seq, head=digest)


def anchor_line(anchor: Anchor) -> str:
    """The export's header line naming ``anchor`` (Markdown; a code span keeps it literal)."""
    return (
        f"Local audit log at export: `{ANCHOR_WORD} store={anchor.store_id} "
        f"entry={anchor.seq} head=sha256:{anchor.head}`"
    )


def anchor_block(anchor: Anchor | None) -> str:
    """``anchor_line`` as a header paragraph, or ``""`` when there is no anchor."""
    return "" if anchor is None else f"{anchor_line(anchor)}\n\n"


def parse_anchors(text: str) -> list[Anchor]:
    """The anchors in an export's header (the lines before its first heading)."""
    found: list[Anchor] = []
    for line in text.splitlines():
        if line.startswith("#"):
            break
        for match in _ANCHOR.finditer(line):
            found.append(Anchor(store_id=match["store"], seq=int(match["seq"]), head=match["head"]))
    return found


def find_anchors(records_dir: Path) -> list[FoundAnchor]:
    """Every anchor in the Markdown exports of ``records_dir`` (none when it does not exist).

    Raises:
        StoreError: an export could not be read, so the log cannot be checked against it.
    """
    if not records_dir.is_dir():
        return []
    found: list[FoundAnchor] = []
    try:
        for path in sorted(records_dir.glob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            found.extend(FoundAnchor(anchor=a, path=path) for a in parse_anchors(text))
    except OSError as exc:
        raise StoreError(
            f"cannot read the exported records in {records_dir}: {exc.strerror or exc}. The "
            "audit log cannot be checked against their anchors; make them readable and "
            "verify again."
        ) from None
    return found


def check_anchors(
    store_id: str, hashes: Sequence[str], anchors: Sequence[FoundAnchor]
) -> ChainReport:
    """The log (``hashes[i]`` is entry ``i + 1``'s hash) against every anchor of this store.

    The log's own chain must have been verified first: then an anchored entry
    whose hash still matches vouches for every entry up to it. Of several
    problems, the one at the earliest entry is reported.
    """
    mine = [found for found in anchors if found.anchor.store_id == store_id]
    problems: list[tuple[int, str]] = []
    for found in mine:
        broken = _anchor_problem(hashes, found)
        if broken is not None:
            problems.append(broken)
    report = ChainReport(
        True, len(hashes), anchors=len(mine), other_anchors=len(anchors) - len(mine)
    )
    if not problems:
        return report
    first, problem = min(problems)
    return ChainReport(False, len(hashes), first, problem, report.anchors, report.other_anchors)


def _anchor_problem(hashes: Sequence[str], found: FoundAnchor) -> tuple[int, str] | None:
    anchor, name = found.anchor, found.path.name
    if anchor.seq > len(hashes):
        first = len(hashes) + 1
        ends = f"ends at entry {len(hashes)}" if hashes else "is empty"
        removed = (
            f"entry {first} was" if first == anchor.seq else f"entries {first} to {anchor.seq} were"
        )
        return first, (
            f"the log {ends}, but the export {name} anchors entry {anchor.seq} "
            f"(sha256:{anchor.head}): {removed} removed from the log (or the log was "
            "replaced by an older copy)"
        )
    if hashes[anchor.seq - 1] != anchor.head:
        return anchor.seq, (
            f"entry {anchor.seq} is not the entry the export {name} anchors "
            f"(sha256:{anchor.head}): the log was rewritten at or before entry {anchor.seq} "
            "and its chain recomputed"
        )
    return None
