"""Markdown laid out as PDF pages: headings, paragraphs, lists, tables, code blocks.

The Markdown is parsed with markdown-it (CommonMark plus GFM tables, raw HTML
off, so tags in tracker text stay text) and each block is drawn with fpdf2's
text primitives, which never interpret their text: escaping that protects the
Markdown cannot be undone into PDF markup here. Every string goes through
:class:`~secgate_tui.services.pdf.glyphs.Glyphs` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from fpdf import FPDF
from fpdf.enums import TableHeadingsDisplay, XPos, YPos
from fpdf.fonts import FontFace
from markdown_it import MarkdownIt
from markdown_it.token import Token

from secgate_tui.services.pdf.fonts import FontSet
from secgate_tui.services.pdf.glyphs import Glyphs, needs_shaping

MARGIN: Final = 18.0
BODY: Final = 9.5
CODE: Final = 7.0
HEADING_SIZES: Final = {1: 15.0, 2: 13.0, 3: 11.5}
INDENT: Final = 5.0
MAX_DEPTH: Final = 10
#: Widest share one table column may claim, in characters of its longest cell.
_COLUMN_CAP: Final = 48
_COLUMN_MIN: Final = 4.0

#: Stands for the page count until the document is closed. fpdf2 would replace its default
#: ``{nb}`` inside tracker text too; a private-use character never survives Glyphs.visible.
PAGES: Final = "\ue000nb\ue000"

# markdown-it drops what is nested deeper than maxNesting (20 in the CommonMark preset);
# secgate's records nest a few levels, so a generous limit loses nothing.
_PARSER = MarkdownIt("commonmark", {"html": False, "maxNesting": 200}).enable("table")


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph in one style (``""`` regular, ``"B"`` bold, ``"mono"`` code)."""

    text: str
    style: str = ""
    link: str = ""


class RecordPdf(FPDF):
    """An A4 page with the record's identity and the page number in the footer."""

    def __init__(self, fonts: FontSet, footer: str, *, cjk: bool) -> None:
        super().__init__(format="A4")
        self.footer_text = footer
        self.alias_nb_pages(PAGES)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.add_font("sans", "", fonts.sans)
        self.add_font("sans", "B", fonts.sans_bold)
        self.add_font("mono", "", fonts.mono or fonts.sans)
        self.fallbacks = ["sans"]
        # Loading a CJK font costs more than the rest of a typical record: only when used.
        if cjk and fonts.cjk is not None:
            self.add_font("cjk", "", fonts.cjk, collection_font_number=0)
            self.fallbacks.append("cjk")
        self.shaping = self.falling_back = False

    def footer(self) -> None:
        self.set_y(-MARGIN + 4)
        # A page may break inside a paragraph: its settings must hold after the footer.
        drawing = self.shaping, self.falling_back
        self.set_font("sans", "", 7)
        self.prepare(self.footer_text)
        self.cell(0, 4, f"{self.footer_text} · page {self.page_no()} of {PAGES}", align="C")
        self._engines(*drawing)

    def prepare(self, text: str) -> None:
        """Set up for drawing ``text``: fpdf2's per-character font fallback and the shaping
        engine are slow, so they are on only for text that needs them. Every font has ASCII."""
        self._engines(needs_shaping(text), not text.isascii())

    def _engines(self, shaping: bool, falling_back: bool) -> None:
        if shaping != self.shaping:
            self.set_text_shaping(shaping)
            self.shaping = shaping
        if falling_back != self.falling_back:
            # A glyph missing in the current font (bold, mono) comes from the next that has it.
            self.set_fallback_fonts(self.fallbacks if falling_back else [], exact_match=False)
            self.falling_back = falling_back


@dataclass
class _Lists:
    """Open lists, innermost last: each holds its next number, or None for bullets."""

    numbers: list[int | None] = field(default_factory=list)
    marker: str | None = None


def parse(markdown: str) -> list[Token]:
    return _PARSER.parse(markdown)


def first_heading(tokens: Sequence[Token]) -> str:
    """The text of the document's first heading (its title), or ``""``."""
    for at, token in enumerate(tokens[:-1]):
        if token.type == "heading_open":
            return "".join(run.text for run in _runs(tokens[at + 1]))
    return ""


def lay_out(pdf: RecordPdf, tokens: Sequence[Token], glyphs: Glyphs) -> None:
    """Draw the parsed Markdown onto ``pdf``, starting a page."""
    pdf.add_page()
    _Writer(pdf, glyphs).blocks(tokens)


class _Writer:
    def __init__(self, pdf: RecordPdf, glyphs: Glyphs) -> None:
        self.pdf, self.glyphs = pdf, glyphs
        self.lists = _Lists()
        self.depth = 0

    @property
    def indent(self) -> float:
        # Deep nesting stops indenting: the text keeps at least two thirds of the page.
        return min(self.depth, MAX_DEPTH) * INDENT

    def blocks(self, tokens: Sequence[Token]) -> None:
        at = 0
        while at < len(tokens):
            token = tokens[at]
            kind = token.type
            if kind == "heading_open":
                self.heading(int(token.tag[1:]), _runs(tokens[at + 1]))
                at += 2
            elif kind == "inline":
                self.paragraph(_runs(token))
            elif kind in ("bullet_list_open", "ordered_list_open"):
                start = int(token.attrs.get("start", 1)) if kind == "ordered_list_open" else None
                self.lists.numbers.append(start)
                self.depth += 1
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.numbers.pop()
                self.depth -= 1
            elif kind == "list_item_open":
                self.lists.marker = self._next_marker()
            elif kind == "blockquote_open":
                self.depth += 1
            elif kind == "blockquote_close":
                self.depth -= 1
            elif kind in ("fence", "code_block"):
                self.code(token.content)
            elif kind == "table_open":
                close = next(i for i in range(at, len(tokens)) if tokens[i].type == "table_close")
                self.table(tokens[at:close])
                at = close
            elif kind == "hr":
                self.rule()
            elif kind == "paragraph_close" and not token.hidden:
                self.pdf.ln(1.5)
            at += 1

    def _next_marker(self) -> str:
        number = self.lists.numbers[-1]
        if number is None:
            return "•"
        self.lists.numbers[-1] = number + 1
        return f"{number}."

    def heading(self, level: int, runs: list[Run]) -> None:
        size = HEADING_SIZES.get(level, BODY + 1)
        self.pdf.ln(2.5)
        self.paragraph([Run(run.text, "B", run.link) for run in runs], size=size)
        self.pdf.ln(1)

    def paragraph(self, runs: list[Run], size: float = BODY) -> None:
        pdf, left = self.pdf, MARGIN + self.indent
        height = size * 0.5
        shown = [self.glyphs.visible(run.text) for run in runs]
        pdf.prepare("".join(shown))
        pdf.set_left_margin(left)
        pdf.set_x(left)
        if (marker := self.lists.marker) is not None:
            self.lists.marker = None
            pdf.set_font("sans", "", size)
            pdf.set_x(left - INDENT)
            pdf.cell(INDENT, height, marker)
        for run, text in zip(runs, shown, strict=True):
            pdf.set_font("mono" if run.style == "mono" else "sans", "B" if run.style == "B" else "")
            pdf.set_font_size(size)
            pdf.write(height, text, link=run.link)
        pdf.ln(height)
        pdf.set_left_margin(MARGIN)

    def code(self, content: str) -> None:
        pdf, left = self.pdf, MARGIN + self.indent
        pdf.set_font("mono", "", CODE)
        height = CODE * 0.45
        # Monospaced ASCII is cut into full lines here: much faster than fpdf2 breaking
        # a megabyte of JSON with no space in it.
        per_line = max(1, int((pdf.w - MARGIN - left) / pdf.get_string_width("0")))
        pdf.ln(0.5)
        for line in content.rstrip("\n").split("\n"):
            shown = self.glyphs.visible(line)
            pdf.prepare(shown)
            pdf.set_x(left)
            if shown.isascii():
                for start in range(0, max(len(shown), 1), per_line):
                    pdf.set_x(left)
                    pdf.cell(0, height, shown[start : start + per_line])
                    pdf.ln(height)
            else:
                pdf.multi_cell(0, height, shown, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)

    def table(self, tokens: Sequence[Token]) -> None:
        rows: list[list[str]] = []
        for token in tokens:
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline" and rows:
                rows[-1].append(self.glyphs.visible(" ".join(r.text for r in _runs(token))))
        if not rows:
            return
        columns = max(len(row) for row in rows)
        rows = [row + [""] * (columns - len(row)) for row in rows]
        width = self.pdf.w - 2 * MARGIN - self.indent
        lengths = [min(_COLUMN_CAP, max(len(row[col]) for row in rows)) for col in range(columns)]
        size = 7.5 if columns <= 5 else 6.5
        pdf = self.pdf
        pdf.prepare("".join(cell for row in rows for cell in row))
        pdf.set_font("sans", "", size)
        pdf.set_x(MARGIN + self.indent)
        with pdf.table(
            width=width,
            align="LEFT",
            col_widths=_column_widths(lengths, width),
            text_align="LEFT",
            line_height=size * 0.45,
            padding=0.8,
            headings_style=FontFace(emphasis="BOLD"),
            repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        ) as table:
            for row in rows:
                table.row(row)
        pdf.ln(2)

    def rule(self) -> None:
        y = self.pdf.get_y() + 1
        self.pdf.line(MARGIN, y, self.pdf.w - MARGIN, y)
        self.pdf.ln(3)


def _column_widths(lengths: Sequence[int], width: float) -> tuple[float, ...]:
    """Each column gets at least ``_COLUMN_MIN`` mm (room for a character); the rest of
    ``width`` is shared by the length of each column's longest cell."""
    spare = width - len(lengths) * _COLUMN_MIN
    total = sum(lengths)
    if spare <= 0 or total == 0:
        return tuple(width / len(lengths) for _ in lengths)
    return tuple(_COLUMN_MIN + spare * length / total for length in lengths)


def _runs(inline: Token) -> list[Run]:
    """The styled pieces of an inline token (links keep their text; only web links link)."""
    runs: list[Run] = []
    bold, link = 0, ""
    for child in inline.children or ():
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
            link = href if href.startswith(("https://", "http://")) else ""
        elif kind == "link_close":
            link = ""
        elif kind == "code_inline":
            runs.append(Run(child.content, "mono", link))
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run(" " if kind == "softbreak" else "\n"))
        elif kind == "image":
            runs.append(Run(child.content, "", link))
        elif child.content:
            runs.append(Run(child.content, "B" if bold else "", link))
    return runs
