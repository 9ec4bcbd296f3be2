"""PDF copies of exported records, for the design history file.

Each record's Markdown export gets a PDF beside it with the same base name
(``….md`` -> ``….pdf``), laid out from that Markdown so the two always carry
the same content. :mod:`.record` builds the bytes, :mod:`.layout` turns the
Markdown into pages, :mod:`.fonts` finds the Unicode fonts, :mod:`.glyphs`
makes tracker text safe to draw, :mod:`.refresh` rewrites a PDF after its
Markdown changed (a signature was added).

The package deliberately imports nothing here: ``services.export`` imports
:mod:`.record`, and :mod:`.refresh` imports ``services.export``.
"""
