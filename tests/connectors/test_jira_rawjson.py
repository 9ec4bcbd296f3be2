"""Splitting a page of issues while digesting each issue's text exactly as Jira sent it."""

from __future__ import annotations

import hashlib
import json

import pytest

from connectors.jira.rawjson import split_member


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_items_and_their_digests_with_any_whitespace() -> None:
    one = '{"key": "IPC-1", "fields": {"summary": "é \\" ]"}}'
    two = '{"key":"IPC-2","fields":{}}'
    text = f' {{ "startAt" : 0,\n "issues" :\t[ {one} ,\r\n{two} ], "total": 2 }} \n'
    members, items, sums = split_member(text, "issues")
    assert members["startAt"] == 0 and members["total"] == 2
    assert members["issues"] is items
    assert items == [json.loads(one), json.loads(two)]
    assert sums == [sha(one), sha(two)]


def test_empty_and_missing_arrays() -> None:
    assert split_member('{"issues": []}', "issues") == ({"issues": []}, [], [])
    assert split_member("{}", "issues") == ({}, [], [])
    members, items, _ = split_member('{"issues": null}', "issues")
    assert members == {"issues": None} and items == []


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"issues": [{}] ',
        '{"issues": [{} {}]}',
        '{"issues": [{}]} trailing',
        '{"issues" [{}]}',
        "<html>login</html>",
        "",
    ],
)
def test_malformed_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        split_member(text, "issues")
