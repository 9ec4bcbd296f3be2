"""Pieces of the GitLab client that need no server: page splitting, Retry-After."""

from __future__ import annotations

import hashlib
import time

import pytest

from connectors.gitlab.client import _retry_after, split_array


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_split_array_digests_each_item_as_sent() -> None:
    one = '{"id": 1, "title": "Ünïcødé ✓", "labels": ["a", "b"]}'
    two = '{"id":2,"nested":[{"x":[1,2]}],"s":"]\\",["}'
    items, sums = split_array(f" [ {one} ,\n{two}]\n")
    assert [item["id"] for item in items] == [1, 2]
    assert items[1]["s"] == ']",['
    assert sums == [sha(one), sha(two)]


def test_split_array_of_nothing() -> None:
    assert split_array("[]") == ([], [])
    assert split_array(" [ ] ") == ([], [])


@pytest.mark.parametrize("text", ["", "{}", "[1,", "[1 2]", "[1]x", "<html>", '[{"a":1}'])
def test_split_array_refuses_what_is_not_one_array(text: str) -> None:
    with pytest.raises(ValueError):
        split_array(text)


def test_retry_after_in_seconds_date_or_reset() -> None:
    assert _retry_after({"Retry-After": "7"}) == 7
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 <= (_retry_after({"Retry-After": later}) or 0) <= 31
    reset = str(int(time.time()) + 20)
    assert 15 <= (_retry_after({"RateLimit-Reset": reset}) or 0) <= 21
    assert _retry_after({}) is None
