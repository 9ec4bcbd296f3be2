"""The sandbox tracker's own clock (``server_time``), which tests at a fixed time set."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.base import BadResponseError
from connectors.sandbox.tracker import server_time


def test_unset_is_the_real_time_and_an_aware_time_is_the_trackers() -> None:
    assert server_time({}) is None
    assert server_time({"server_time": "2026-03-02T12:00:00+00:00"}) == datetime(
        2026, 3, 2, 12, tzinfo=UTC
    )


@pytest.mark.parametrize("value", ["2026-03-02T12:00:00", "yesterday", 1772445600, ""])
def test_a_time_without_a_zone_or_not_a_time_is_a_bad_answer(value: object) -> None:
    with pytest.raises(BadResponseError, match="not an ISO 8601 time with a time zone"):
        server_time({"server_time": value})
