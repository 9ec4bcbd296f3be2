"""`printable`: what a person reads of tracker text shows every invisible character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secgate_tui.domain.text import is_unsafe, printable, unsafe_characters


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("PUMP-1\u200b23", "PUMP-1\\u200b23"),  # zero-width space
        ("a\u200cb\u200dc", "a\\u200cb\\u200dc"),  # zero-width non-joiner, joiner
        ("\ufeffBOM", "\\ufeffBOM"),
        ("soft\u00adhyphen", "soft\\xadhyphen"),
        ("tag\U000e0041\U000e007f", "tag\\U000e0041\\U000e007f"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("abc\u202edef\u2066\u061c", "abc\\u202edef\\u2066\\u061c"),
        ("csi\x9b31m", "csi\\x9b31m"),
        ("del\x7f", "del\\x7f"),
        ("esc\x1b[2J\ttab\nnl", "esc\\x1b[2J\\x09tab\\x0anl"),
        ("word\u2060joiner\u180e", "word\\u2060joiner\\u180e"),
        ("hangul\u3164filler", "hangul\\u3164filler"),
    ],
)
def test_invisible_and_control_characters_are_escaped(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_visible_text_is_left_alone() -> None:
    text = "Überlauf im Dosisrechner — 中文 — emoji 👍 — ‘quotes’ … 100 %"
    assert printable(text) == text


def test_truncation_counts_the_escapes() -> None:
    shown = printable("\u200b" * 10, 8)
    assert len(shown) == 8 and shown.endswith("…") and shown.startswith("\\u200b")


def test_unsafe_characters_names_each_one() -> None:
    assert unsafe_characters("PUMP-1\u200b23") == ["\\u200b"]
    assert unsafe_characters("PUMP-123") == []


@given(st.text())
def test_nothing_unsafe_survives(text: str) -> None:
    assert not any(is_unsafe(c) for c in printable(text))
