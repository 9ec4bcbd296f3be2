"""Canonical JSON: what an auditor recomputes with any JSON library."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from secgate_tui.domain import Acceptance, Disposition, Issue
from secgate_tui.domain.canonical import (
    canonical_json,
    issues_as_json,
    issues_canonical_json,
    snapshot_digest,
)

text = st.text(max_size=40)  # any unicode, control characters included
times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@st.composite
def acceptances(draw: st.DrawFn) -> Acceptance:
    return Acceptance(
        disposition=draw(st.sampled_from([Disposition.RISK_ACCEPTED, Disposition.DEFERRED])),
        release=draw(st.one_of(st.none(), text)),
        justification=draw(st.one_of(st.none(), text)),
        target_version=draw(st.one_of(st.none(), text)),
        accepted_by=draw(st.one_of(st.none(), text)),
        accepted_on=draw(st.one_of(st.none(), times)),
        expires=draw(st.one_of(st.none(), st.dates())),
    )


@st.composite
def issues(draw: st.DrawFn) -> Issue:
    created = draw(times)
    return Issue(
        source=draw(st.sampled_from(["jira", "gitlab"])),
        key=draw(st.from_regex(r"[A-Z]{2,4}-[0-9]{1,4}", fullmatch=True)),
        title=draw(text),
        status=draw(text),
        closed=draw(st.booleans()),
        resolution=draw(st.one_of(st.none(), text)),
        disposition=draw(st.sampled_from(list(Disposition))),
        labels=tuple(draw(st.lists(text, max_size=3))),
        created=created,
        updated=created + timedelta(seconds=draw(st.integers(0, 10**7))),
        justification=draw(st.one_of(st.none(), text)),
        acceptances=tuple(draw(st.lists(acceptances(), max_size=2))),
        cwe=tuple(draw(st.lists(st.from_regex(r"CWE-[0-9]{1,4}", fullmatch=True), max_size=2))),
        compensating_controls=draw(st.one_of(st.none(), text)),
        safety_impact=draw(st.one_of(st.none(), text)),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(issues(), max_size=8))
def test_fast_path_equals_sorted_keys_json_dumps(items: list[Issue]) -> None:
    reference = json.dumps(
        issues_as_json(items), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert issues_canonical_json(items) == reference
    assert canonical_json(issues_as_json(items)).encode() == reference


@settings(max_examples=200, deadline=None)
@given(issues(), st.text(max_size=10))
def test_stored_text_round_trips_and_copies_drop_the_cache(issue: Issue, title: str) -> None:
    loaded = Issue.from_canonical_json(issue.canonical_json().decode())
    assert loaded == issue
    assert loaded.canonical_json() == issue.model_dump_json().encode()
    changed = loaded.model_copy(update={"title": title})
    assert changed.canonical_json() == changed.model_dump_json().encode()
    if title != issue.title:
        assert snapshot_digest([changed]) != snapshot_digest([loaded])


def test_non_utc_times_are_normalized_before_hashing() -> None:
    plus2 = datetime(2026, 5, 1, 14, 0, tzinfo=UTC).astimezone(
        __import__("datetime").timezone(timedelta(hours=2))
    )
    a = Issue(
        source="s", key="K-1", title="t", status="s", closed=False, created=plus2, updated=plus2
    )
    b = a.model_copy(update={"created": plus2.astimezone(UTC), "updated": plus2.astimezone(UTC)})
    assert b'"created":"2026-05-01T14:00:00Z"' in a.canonical_json()
    assert snapshot_digest([a]) == snapshot_digest([b])


def test_all_four_times_are_utc_however_the_issue_is_built() -> None:
    plus2 = datetime(2026, 5, 1, 14, 0, tzinfo=UTC).astimezone(
        __import__("datetime").timezone(timedelta(hours=2))
    )
    times = {"created": plus2, "updated": plus2, "closed_at": plus2, "resolved_on": plus2}
    built = Issue(source="s", key="K-1", title="t", status="s", closed=True, **times)
    as_text = json.dumps({**json.loads(built.canonical_json()), "created": plus2.isoformat()})
    for issue in (built, Issue.model_validate_json(as_text), Issue.from_canonical_json(as_text)):
        for name in times:
            value = getattr(issue, name)
            assert value == plus2 and value.tzinfo is UTC
        assert b'"created":"2026-05-01T14:00:00Z"' in issue.model_dump_json().encode()


def test_fields_added_later_are_left_out_while_unset() -> None:
    """An issue without acceptances, CWE, controls or safety impact keeps its old text."""
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    issue = Issue(
        source="jira", key="IPC-1", title="t", status="Open", closed=False, created=at, updated=at
    )
    data = json.loads(issue.canonical_json())
    assert not {"acceptances", "cwe", "compensating_controls", "safety_impact"} & set(data)
    accepted = issue.model_copy(
        update={"acceptances": (Acceptance(disposition=Disposition.RISK_ACCEPTED),)}
    )
    assert json.loads(accepted.canonical_json())["acceptances"][0]["disposition"] == (
        "risk-accepted"
    )
