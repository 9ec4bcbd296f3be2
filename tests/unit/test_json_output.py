"""Printed JSON: the fast path writes exactly what json.dumps(indent=2, ensure_ascii=True) did."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from secgate_tui.services import json_output

# Tracker text included: non-ASCII, bidi overrides, line separators, controls, quotes.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.sampled_from(["\u202e", "\u2028", "\x1b[31m", '"\\', "é", "😀"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_the_same_text_as_json_dumps_indented_and_ascii(data: Any) -> None:
    text = json_output.dumps(data)
    assert text == json.dumps(data, indent=2, ensure_ascii=True)
    assert text.isascii()


def test_nan_is_written_as_before() -> None:
    data = {"share": float("nan"), "rows": [1.0, float("inf")]}
    assert json_output.dumps(data) == json.dumps(data, indent=2, ensure_ascii=True)
