"""Readable Markdown (record format 3, exports): tracker text renders as itself, and reads
cleanly as plain text because only what would change the rendering is escaped."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from secgate_tui.domain.render import dialect
from secgate_tui.domain.text import printable

READABLE = dialect("markdown").readable()
# CommonMark plus the GitHub/GitLab extensions that could turn text into markup.
RENDER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# No per-example deadline: each example renders Markdown once, which is fast alone but
# can take over Hypothesis's 200 ms when other test runs share the machine's cores.
# The property is about correctness, not speed; a deadline made it fail under load.
UNTIMED = settings(deadline=None)


def as_list_item(text: str) -> str:
    return RENDER.render("- " + READABLE.text(text))


@settings(UNTIMED, max_examples=400)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40))
def test_any_ascii_text_renders_as_itself_in_a_list_item(text: str) -> None:
    shown = " ".join(text.split())
    assert as_list_item(text) == f"<ul>\n<li>{escapeHtml(shown)}</li>\n</ul>\n"


@settings(UNTIMED, max_examples=200)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40))
def test_any_ascii_text_renders_as_itself_after_other_text(text: str) -> None:
    shown = " ".join(text.split())
    html = RENDER.render("- P-1 " + READABLE.text(text) + " (Done)")
    assert html == f"<ul>\n<li>P-1 {escapeHtml(shown)} (Done)</li>\n</ul>\n"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2026-12-07T12:11:26Z", "2026-12-07T12:11:26Z"),
        ("Security-Release-Authorization_ipc_2.1", "Security-Release-Authorization_ipc_2.1"),
        ("Release 2.1: fix_versions (Done, not-a-defect).", None),
        ("https://tracker.example/browse/IPC-3", None),
        ("*bold* _em_ `code`", "\\*bold\\* \\_em\\_ \\`code\\`"),
        ("# heading", "\\# heading"),
        ("1. list", "1\\. list"),
        ("<script>", "\\<script>"),
        ("&amp; & AT&T", "\\&amp; & AT&T"),
        ("#12 @user !3 %m ~l", "\\#12 \\@user \\!3 \\%m \\~l"),
        ("--", "\\--"),  # "- --" in a list would be a thematic break
        ("a -- b", None),
    ],
)
def test_only_what_would_change_the_rendering_is_escaped(text: str, shown: str | None) -> None:
    assert READABLE.text(text) == (shown or text)


@settings(UNTIMED, max_examples=300)
@given(st.text(max_size=30))
def test_any_text_renders_as_its_printable_form(text: str) -> None:
    # Controls, bidi and invisible characters are shown as escapes (``\\u202e``): that
    # printable form, and nothing else, is what the reader sees.
    shown = printable(" ".join(text.split()))
    assert as_list_item(text) == f"<ul>\n<li>{escapeHtml(shown)}</li>\n</ul>\n"
