"""PDF copies of exported records, for the design history file.

Each record's Markdown export gets a PDF beside it with the same base name
(``….md`` -> ``….pdf``), laid out from that Markdown so the two always carry
the same content. :mod:`.record` builds the bytes, :mod:`.layout` turns the
Markdown into pages, :mod:`.fonts` finds the Unicode fonts, :mod:`.glyphs`
makes tracker text safe to draw, :mod:`.refresh` rewrites a PDF after its
Markdown changed (a signature was added).

Why fpdf2: it is a pure-Python wheel (py-pdf, the maintainers of pypdf) whose text
calls never interpret markup, with per-glyph fallback fonts for mixed scripts and
optional HarfBuzz shaping for Arabic and Hebrew. ReportLab's paragraphs parse an
XML-like markup (every tracker string would need escaping) and have no per-glyph
font fallback; WeasyPrint needs Pango and its system libraries and goes through
HTML. Measured here, a 2,000-issue record takes about 3 s of CPU
(benchmarks/README.md).

The package deliberately imports nothing here: ``services.export`` imports
:mod:`.record`, and :mod:`.refresh` imports ``services.export``.
"""
