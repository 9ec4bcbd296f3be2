"""Rewriting a record's PDF after its Markdown export changed.

Exporting a signature adds it to the record's Markdown file
(:mod:`~secgate_tui.services.publish.kinds.signature_export`); the PDF beside it
is then laid out again from the files as they now are, so it shows the
signature too.
"""

from __future__ import annotations

from pathlib import Path

from secgate_tui.services.export import write_atomic
from secgate_tui.services.pdf.record import pdf_path, record_pdf


def rewrite_pdf(md_path: Path, json_path: Path) -> Path | None:
    """Write the PDF of the exported record ``md_path`` / ``json_path`` again.

    Returns the PDF's path, or None when the record was not exported (nothing to show).

    Raises:
        OSError: a file could not be read or written, or no font was found.
    """
    if not (md_path.is_file() and json_path.is_file()):
        return None
    markdown = md_path.read_text(encoding="utf-8")
    canonical = json_path.read_text(encoding="utf-8")
    try:
        data = record_pdf(markdown, canonical)
    except ValueError as exc:
        raise OSError(
            f"{json_path} is not a record's JSON, so no PDF was written ({exc})"
        ) from None
    path = pdf_path(md_path)
    write_atomic(path, data)
    return path
