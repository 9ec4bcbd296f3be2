"""The fonts a record's PDF is drawn with, found among the machine's font files.

PDF's built-in fonts cover Latin-1 only, so every PDF embeds TrueType fonts:
DejaVu Sans (Latin, Greek, Cyrillic, Arabic, Hebrew and many symbols; Debian
package ``fonts-dejavu-core``) is required, DejaVu Sans Mono is used for code
when present, and a CJK font (WenQuanYi Micro Hei, ``fonts-wqy-microhei``, or
one of the others listed) is a fallback for Chinese, Japanese and Korean.
Without DejaVu Sans no PDF is written (:class:`FontError`, an OSError, so the
export fails and says what to install); without a CJK font those characters are
written as their code points (see :mod:`.glyphs`), never as empty boxes.

``SECGATE_FONT_DIR``, when set, is the only directory searched: for machines
whose fonts live elsewhere, and for a manufacturer who wants every PDF drawn
with fonts it keeps under its own control.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from fontTools.ttLib import TTFont

SANS: Final = "DejaVuSans.ttf"
SANS_BOLD: Final = "DejaVuSans-Bold.ttf"
MONO: Final = "DejaVuSansMono.ttf"
#: CJK fonts in order of preference (first found wins); face 0 of a collection is used.
CJK: Final = (
    "wqy-microhei.ttc",
    "NotoSansCJK-Regular.ttc",
    "wqy-zenhei.ttc",
    "DroidSansFallbackFull.ttf",
)
FONT_DIR_ENV: Final = "SECGATE_FONT_DIR"


class FontError(OSError):
    """No font that can draw the record was found (the message says what to install)."""


@dataclass(frozen=True, kw_only=True)
class FontSet:
    sans: Path
    sans_bold: Path
    mono: Path | None
    cjk: Path | None


def font_dirs() -> tuple[Path, ...]:
    """Where fonts are looked for: ``SECGATE_FONT_DIR`` alone, else the usual places."""
    if chosen := os.environ.get(FONT_DIR_ENV):
        return (Path(chosen),)
    home = Path.home()
    dirs = [home / ".local/share/fonts", home / ".fonts"]
    if sys.platform == "darwin":
        dirs += [home / "Library/Fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    elif sys.platform == "win32":
        dirs += [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    dirs += [Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]
    return tuple(dirs)


def find_fonts(dirs: Sequence[Path] | None = None) -> FontSet:
    """The fonts to draw with, from ``dirs`` (default :func:`font_dirs`).

    Raises:
        FontError: DejaVu Sans (regular and bold) is not installed.
    """
    return _find(tuple(dirs) if dirs is not None else font_dirs())


@cache
def _find(dirs: tuple[Path, ...]) -> FontSet:
    wanted = {SANS, SANS_BOLD, MONO, *CJK}
    found: dict[str, Path] = {}
    for base in dirs:
        for root, _subdirs, files in os.walk(base):
            for name in wanted.intersection(files).difference(found):
                found[name] = Path(root) / name
    if SANS not in found or SANS_BOLD not in found:
        raise FontError(
            "no PDF could be written: the font DejaVu Sans (DejaVuSans.ttf and "
            "DejaVuSans-Bold.ttf) was not found in "
            + ", ".join(str(d) for d in dirs)
            + ". Install it (Debian/Ubuntu: apt-get install fonts-dejavu-core), or set "
            f"{FONT_DIR_ENV} to a directory that holds it"
        )
    cjk = next((found[name] for name in CJK if name in found), None)
    return FontSet(sans=found[SANS], sans_bold=found[SANS_BOLD], mono=found.get(MONO), cjk=cjk)


@cache
def coverage(path: Path) -> frozenset[int]:
    """The code points the font at ``path`` (face 0 of a collection) has glyphs for."""
    font = TTFont(path, fontNumber=0, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()
