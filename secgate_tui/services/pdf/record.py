"""One record's PDF: its Markdown export laid out, with document metadata.

The metadata ties the file to the tracker record: the title is the record's
first heading, the subject its document number and revision (when the record
has them: record format 3) and record id, the keywords its marker line
(``<kind> <record id> sha256:<digest>``), and the creation date the export's
time in UTC. The digest is computed here
from the canonical JSON, exactly as ``sha256sum`` of the exported JSON file
gives it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from secgate_tui import __version__
from secgate_tui.domain import sha256_hex
from secgate_tui.services.pdf.glyphs import Glyphs

if TYPE_CHECKING:
    from secgate_tui.services.pdf.fonts import FontSet

SUFFIX: Final = ".pdf"
#: Longest title put into the document information (the page shows the whole heading).
TITLE_LIMIT: Final = 300
#: Review records name their kind in the JSON; authorization records are the default kind.
_REVIEW: Final = "secgate-review"


class LayoutError(OSError):
    """fpdf2 could not place the record's text (an OSError: the export fails and says why)."""


@dataclass(frozen=True, kw_only=True)
class RecordIdentity:
    """What names a record in its PDF's metadata and footer."""

    record_id: str
    digest: str
    marker: str
    document_number: str | None = None
    revision: int | None = None

    @property
    def subject(self) -> str:
        if not self.document_number:
            return f"record {self.record_id}"
        revision = f" revision {self.revision}" if self.revision is not None else ""
        return f"{self.document_number}{revision} (record {self.record_id})"


def pdf_path(md_path: Path) -> Path:
    """The PDF beside a Markdown export: same name, ``.pdf``."""
    return md_path.with_suffix(SUFFIX)


def identity(canonical: str) -> RecordIdentity:
    """The record id, digest, marker and document number of a record's canonical JSON.

    Raises:
        ValueError: the JSON is not a record (no record id).
    """
    data = json.loads(canonical)
    record_id = data.get("record_id") if isinstance(data, dict) else None
    if not isinstance(record_id, str) or not record_id:
        raise ValueError("the record's JSON holds no record id; no PDF was written")
    digest = sha256_hex(canonical)
    kind = _REVIEW if data.get("kind") == _REVIEW else "secgate-record"
    # Document control (record format 3): absent from records of earlier formats.
    number, revision = data.get("document_number"), data.get("revision")
    return RecordIdentity(
        record_id=record_id,
        digest=digest,
        marker=f"{kind} {record_id} sha256:{digest}",
        document_number=number if isinstance(number, str) and number else None,
        revision=revision if isinstance(revision, int) and not isinstance(revision, bool) else None,
    )


def record_pdf(markdown: str, canonical: str, now: datetime | None = None) -> bytes:
    """The PDF of a record exported as ``markdown`` whose canonical JSON is ``canonical``.

    Raises:
        FontError: no font to draw with (an OSError: the export fails and says why).
        LayoutError: fpdf2 could not lay the text out (an OSError too).
        ValueError: ``canonical`` is not a record's JSON.
    """
    # fpdf2, fontTools and markdown-it load only when a record is exported: commands that
    # merely import the export helpers (status --output) stay quick to start.
    from fpdf.errors import FPDFException

    from secgate_tui.services.pdf.fonts import coverage, find_fonts
    from secgate_tui.services.pdf.layout import RecordPdf, first_heading, lay_out, parse

    who = identity(canonical)
    fonts = find_fonts()
    sans = coverage(fonts.sans)
    cjk = _cjk_needed(markdown, sans, fonts)
    glyphs = Glyphs(sans | coverage(fonts.cjk) if cjk and fonts.cjk else sans)
    pdf = RecordPdf(fonts, footer=glyphs.visible(who.subject), cjk=cjk)
    tokens = parse(markdown)
    title = glyphs.visible(first_heading(tokens)).strip() or who.subject
    pdf.set_title(title[:TITLE_LIMIT])
    pdf.set_subject(glyphs.visible(who.subject))
    pdf.set_keywords(who.marker)
    pdf.set_author("secgate")
    pdf.set_creator(f"secgate {__version__}")
    pdf.set_lang("en")
    pdf.set_creation_date((now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0))
    try:
        lay_out(pdf, tokens, glyphs)
        return bytes(pdf.output())
    except FPDFException as exc:
        raise LayoutError(
            f"the PDF of record {who.record_id} could not be laid out ({exc}); the Markdown "
            "and JSON files beside it are complete"
        ) from None


def _cjk_needed(markdown: str, sans: frozenset[int], fonts: FontSet) -> bool:
    """Whether some character only the CJK font can draw occurs in ``markdown``."""
    from secgate_tui.services.pdf.fonts import coverage

    if fonts.cjk is None:
        return False
    missing = {ord(char) for char in set(markdown)} - sans
    return bool(missing & coverage(fonts.cjk))
