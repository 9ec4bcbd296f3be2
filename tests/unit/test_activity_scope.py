"""Activity evidence tied to the release (issue 13): scope release, since-previous-release."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from secgate_tui.domain import Activity, ActivityScope, ActivityState, DocumentEvidence
from secgate_tui.domain.activity_scope import ReleaseContext, in_scope
from secgate_tui.domain.model import IssueEvidence, activity_state
from secgate_tui.domain.release_dates import ReleaseDate

NOW = datetime(2026, 12, 7, tzinfo=UTC)
PENTEST = IssueEvidence(tracker="jira", key="IPC-900")
RELEASES = [
    ReleaseDate(name="2.0", released=True, released_on=date(2025, 6, 1)),
    ReleaseDate(name="2.1", released=True, released_on=date(2026, 8, 9)),
    ReleaseDate(name="2.2", released=False, released_on=date(2027, 1, 1)),
]


def done(
    scope: ActivityScope,
    versions: tuple[str, ...] = (),
    dated: datetime | None = NOW,
    evidence: IssueEvidence | DocumentEvidence = PENTEST,
) -> Activity:
    return Activity(
        id="pentest",
        name="Penetration test",
        evidence=evidence,
        found=True,
        complete=True,
        evidence_date=dated,
        scope=scope,
        evidence_versions=versions,
    )


def state(activity: Activity, release: str, releases: list[ReleaseDate] | None = RELEASES) -> str:
    context = ReleaseContext(release=release, names={release}, releases=releases)
    return activity_state(in_scope(activity, context), NOW).value


R, S, P = ActivityScope.RELEASE, ActivityScope.SINCE_PREVIOUS_RELEASE, ActivityScope.PRODUCT


@pytest.mark.parametrize(
    ("activity", "release", "expected"),
    [
        # product: today's behaviour, any complete evidence for every release
        (done(P), "2.2", "complete"),
        (done(P, ("2.0",)), "2.2", "complete"),
        # release: the evidence's fix versions must name the release
        (done(R, ("2.2",)), "2.2", "complete"),
        (done(R, ("2.1", "2.2")), "2.2", "complete"),
        (done(R, ("2.0",)), "2.2", "incomplete"),
        (done(R, ()), "2.2", "incomplete"),
        (
            done(R, ("2.2",), evidence=DocumentEvidence(path="p", sha256="0" * 64)),
            "2.2",
            "incomplete",
        ),
        # since-previous-release: dated after the last shipped release before this one
        (done(S, dated=datetime(2026, 8, 10, tzinfo=UTC)), "2.2", "complete"),
        (done(S, dated=datetime(2026, 8, 9, 23, tzinfo=UTC)), "2.2", "incomplete"),
        (done(S, dated=datetime(2026, 1, 1, tzinfo=UTC)), "2.2", "incomplete"),
        (done(S, dated=None), "2.2", "incomplete"),
        # for a shipped release, the previous one is the one shipped before it
        (done(S, dated=datetime(2026, 1, 1, tzinfo=UTC)), "2.1", "complete"),
        (done(S, dated=datetime(2025, 5, 1, tzinfo=UTC)), "2.1", "incomplete"),
        # the first release has no previous one: any date counts
        (done(S, dated=datetime(2020, 1, 1, tzinfo=UTC)), "2.0", "complete"),
    ],
)
def test_evidence_counts_only_within_its_scope(
    activity: Activity, release: str, expected: str
) -> None:
    assert state(activity, release) == expected


def test_out_of_scope_evidence_names_both_releases() -> None:
    scoped = in_scope(done(R, ("2.0",)), ReleaseContext(release="2.1", names={"2.1"}))
    assert scoped.detail.startswith("evidence IPC-900 is for release 2.0, not 2.1")
    several = in_scope(done(R, ("1.9", "2.0")), ReleaseContext(release="2.1", names={"2.1"}))
    assert several.detail.startswith("evidence IPC-900 is for releases 1.9, 2.0, not 2.1")


def test_the_release_may_have_another_name_in_the_evidence_tracker() -> None:
    context = ReleaseContext(release="2.1", names={"PUMP 2.1"})
    assert in_scope(done(R, ("PUMP 2.1",)), context).complete


def test_release_dates_not_read_block_since_previous_release_only() -> None:
    assert state(done(S), "2.2", releases=None) == "incomplete"
    assert state(done(P), "2.2", releases=None) == "complete"
    assert state(done(R, ("2.2",)), "2.2", releases=None) == "complete"


@pytest.mark.parametrize(
    ("activity", "release", "complete"),
    [(done(S), "2.2", True), (done(S, dated=datetime(2026, 8, 1, tzinfo=UTC)), "2.2", False)],
)
def test_kept_release_dates_judge_alike_and_say_as_of_when(
    activity: Activity, release: str, complete: bool
) -> None:
    read_at = datetime(2026, 12, 6, 9, 5, 7, 250000, tzinfo=UTC)
    kept = ReleaseContext(release=release, names={release}, releases=RELEASES, as_of=read_at)
    live = ReleaseContext(release=release, names={release}, releases=RELEASES)
    offline, online = in_scope(activity, kept), in_scope(activity, live)
    assert offline.complete is online.complete is complete
    assert offline.detail.endswith("release dates as of 2026-12-06T09:05:07Z (the last sync's)")
    assert "as of" not in online.detail


def test_unknown_release_dates_say_why() -> None:
    context = ReleaseContext(release="2.2", names={"2.2"}, unknown="no sync has stored it yet")
    scoped = in_scope(done(S), context)
    assert not scoped.complete
    assert scoped.detail.startswith(
        "the previous release's date is not known (no sync has stored it yet)"
    )


def test_an_activity_already_blocking_keeps_its_own_reason() -> None:
    missing = Activity(id="a", name="A", evidence=PENTEST, scope=R, detail="IPC-900 does not exist")
    scoped = in_scope(missing, ReleaseContext(release="2.1", names={"2.1"}))
    assert scoped == missing and activity_state(scoped, NOW) is ActivityState.MISSING


def test_default_scope_and_versions_stay_out_of_the_stored_json() -> None:
    plain = Activity(id="a", name="A", evidence=PENTEST, found=True, complete=True)
    assert "scope" not in plain.model_dump() and "evidence_versions" not in plain.model_dump()
    assert Activity.model_validate_json(plain.model_dump_json()) == plain
    scoped = done(R, ("2.1",))
    assert Activity.model_validate_json(scoped.model_dump_json()) == scoped
