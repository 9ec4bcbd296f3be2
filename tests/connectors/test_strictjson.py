"""Tracker answers are parsed as strict JSON on every path, the fast split included."""

from __future__ import annotations

import pytest

from connectors import strictjson

NOT_JSON = [
    b'{"issues": [{"x": NaN}]}',
    b'{"issues": [{"x": Infinity}]}',
    b'{"issues": [{"x": -Infinity}]}',
    b'{"issues": [{"x": 1e400}]}',  # the json module reads infinity
    b'{"issues": [{"x": "\xff"}]}',  # not UTF-8
    b'{"issues": [' + b"[" * 5000 + b"]" * 5000 + b"]}",  # nested past any sane depth
]


@pytest.mark.parametrize("body", NOT_JSON)
def test_every_parser_refuses_what_is_not_strict_json(body: bytes) -> None:
    array = body[len(b'{"issues": ') : -1]
    with pytest.raises(ValueError):
        strictjson.loads(body)
    with pytest.raises(ValueError):
        strictjson.members_with_digests(body, "issues")
    with pytest.raises(ValueError):
        strictjson.items_with_digests(array)


def test_text_and_bytes_parse_alike() -> None:
    text = '{"issues": [{"title": "Ünïcødé ✓"}], "total": 1}'
    assert strictjson.members_with_digests(text, "issues") == strictjson.members_with_digests(
        text.encode(), "issues"
    )
    assert strictjson.loads(text) == strictjson.loads(text.encode())
