"""When releases shipped: merged over sources, the previous release, retrospective refusals."""

from __future__ import annotations

from datetime import date

import pytest

from secgate_tui.domain.release_dates import (
    ReleaseDate,
    already_shipped,
    merge,
    previous_release,
)
from secgate_tui.domain.software import Retrospective
from secgate_tui.services.retrospective import retrospective_for, shipped_note

D1, D2, D3 = date(2025, 1, 1), date(2026, 1, 1), date(2026, 6, 1)


def test_merge_says_released_when_any_source_does_on_its_earliest_date() -> None:
    merged = merge(
        [
            ReleaseDate(name="2.1", released=False, released_on=D1),
            ReleaseDate(name="2.1", released=True, released_on=D3),
            ReleaseDate(name="2.1", released=True, released_on=D2),
            ReleaseDate(name="3.0", released=False, released_on=D3),
        ]
    )
    assert merged["2.1"] == ReleaseDate(name="2.1", released=True, released_on=D2)
    # A planned date is no shipping date.
    assert merged["3.0"] == ReleaseDate(name="3.0", released=False, released_on=None)


RELEASES = [
    ReleaseDate(name="1.0", released=True, released_on=D1),
    ReleaseDate(name="2.0", released=True, released_on=D2),
    ReleaseDate(name="2.0.1", released=True, released_on=None),
    ReleaseDate(name="2.1", released=True, released_on=D3),
    ReleaseDate(name="3.0", released=False),
]


@pytest.mark.parametrize(
    ("release", "previous"),
    [("3.0", "2.1"), ("2.1", "2.0"), ("2.0", "1.0"), ("1.0", None), ("9.9", "2.1")],
)
def test_previous_release_is_the_last_one_shipped_before(
    release: str, previous: str | None
) -> None:
    found = previous_release(RELEASES, release)
    assert (found.name if found else None) == previous


def test_already_shipped() -> None:
    assert already_shipped(RELEASES, "2.1") == RELEASES[3]
    assert already_shipped(RELEASES, "3.0") is None
    assert already_shipped(RELEASES, "unknown") is None


@pytest.mark.parametrize(
    ("release", "reason", "outcome"),
    [
        ("3.0", None, None),
        ("3.0", "late", "not show release 3.0 as released"),
        ("2.1", None, "already released on 2026-06-01"),
        ("2.1", "  ", "already released on 2026-06-01"),
        ("2.0.1", None, "the tracker gives no release date"),
    ],
)
def test_retrospective_refusals(release: str, reason: str | None, outcome: str | None) -> None:
    result = retrospective_for(RELEASES, release, reason)
    if outcome is None:
        assert result is None
    else:
        assert isinstance(result, str) and outcome in result


def test_a_shipped_release_with_a_reason_is_recorded_as_retrospective() -> None:
    result = retrospective_for(RELEASES, "2.1", " found during the audit ")
    assert result == Retrospective(released_on=D3, reason="found during the audit")
    assert "RETROSPECTIVE" in shipped_note(RELEASES[3])
