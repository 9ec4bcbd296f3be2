"""Issue 13 on the fake Jira (the PyPI ``jira`` library over HTTP): a version Jira shows as
released (``released``/``releaseDate``) needs a retrospective authorization, and activity
evidence is held to its scope by the issue's fix versions and the releases' dates."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import tomli_w

from secgate_tui.domain.render import dialect, render_record
from secgate_tui.domain.render.software import retrospective_lines
from secgate_tui.services.authorization import Authorizer
from secgate_tui.services.gate import evaluate_release
from secgate_tui.services.release_dates import product_releases
from secgate_tui.services.verify import verify
from tests.e2e.test_authorize_trackers import JiraSetup, jira  # noqa: F401 - the fixture
from tests.fakes.jira_seed import OTHER_RELEASE, PROJECT, RELEASE


def ship(setup: JiraSetup, name: str, on: date) -> None:
    version = next(v for v in setup.fake.state.versions if v.name == name)
    version.released, version.release_date = True, on


def add_activity(setup: JiraSetup, **activity: Any) -> None:
    path = setup.root / "secgate.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    config["products"]["ipc"]["activities"] = [
        {"id": "pentest", "name": "Penetration test", **activity}
    ]
    path.write_text(tomli_w.dumps(config), encoding="utf-8")


def test_jira_release_dates_are_read_per_version(jira: JiraSetup) -> None:  # noqa: F811
    ship(jira, RELEASE, date(2026, 11, 30))
    with jira.context() as ctx:
        releases = {r.name: r for r in product_releases(ctx.config, ctx.connections, "ipc")}
    assert releases[OTHER_RELEASE].released_on == date(2026, 1, 15)
    assert releases[RELEASE].released and releases[RELEASE].released_on == date(2026, 11, 30)
    assert not releases["3.0"].released


def test_a_version_jira_shows_released_needs_a_retrospective_reason(jira: JiraSetup) -> None:  # noqa: F811
    ship(jira, RELEASE, date(2026, 11, 30))
    with jira.context() as ctx:
        refused = Authorizer(ctx).authorize("ipc", RELEASE, {})
        assert not refused.authorized and refused.blocked, refused.message
        assert "already released on 2026-11-30" in refused.message
        assert "--retrospective" in refused.message
        assert jira.record_comments() == []

        result = Authorizer(ctx).authorize(
            "ipc", RELEASE, {}, retrospective="the gate was introduced after 2.0 shipped"
        )
        assert result.authorized, result.message
        record = result.record
        assert record is not None and record.retrospective is not None
        assert record.retrospective.released_on == date(2026, 11, 30)
        (body,) = jira.record_comments()
        first = body.splitlines()[0]
        assert first == retrospective_lines(record, dialect("jira-wiki"))[0]
        assert first.startswith("*RETROSPECTIVE authorization of a release shipped on 2026")
        assert "the gate was introduced after 2.0 shipped" in first
        assert body == render_record(record, dialect("jira-wiki"), 32_767).body
        assert verify(ctx, "ipc", RELEASE).intact


def test_retrospective_on_an_unreleased_version_is_refused(jira: JiraSetup) -> None:  # noqa: F811
    with jira.context() as ctx:
        refused = Authorizer(ctx).authorize("ipc", RELEASE, {}, retrospective="why not")
    assert refused.blocked and "does not show release 2.0 as released" in refused.message


def test_evidence_for_another_release_leaves_the_activity_incomplete(jira: JiraSetup) -> None:  # noqa: F811
    pentest = jira.fake.state.add_issue(
        PROJECT, "Penetration test", fix_versions=[OTHER_RELEASE], status="Done", resolution="Fixed"
    ).key
    add_activity(jira, evidence={"tracker": "jira", "key": pentest}, scope="release")
    with jira.context() as ctx:
        ctx.syncer.sync_release("ipc", RELEASE, full=True)
        verdict, _ = evaluate_release(ctx.config, ctx.store, "ipc", RELEASE, datetime.now(UTC))
        (activity,) = verdict.activities
        assert activity.state.value == "incomplete"
        assert activity.detail.startswith(f"evidence {pentest} is for release 1.0, not 2.0")
        assert not verdict.passed

        jira.fake.state.update(pentest, fix_versions=[OTHER_RELEASE, RELEASE])
        ctx.syncer.sync_release("ipc", RELEASE, full=True)
        verdict, _ = evaluate_release(ctx.config, ctx.store, "ipc", RELEASE, datetime.now(UTC))
        assert verdict.activities[0].state.value == "complete", verdict.activities[0].detail


def test_evidence_older_than_the_previous_release_is_not_since_it(jira: JiraSetup) -> None:  # noqa: F811
    # 1.0 shipped 2026-01-15 (seeded); the scan was closed the day before.
    before = datetime(2026, 1, 14, 12, tzinfo=UTC)
    scan = jira.fake.state.add_issue(
        PROJECT,
        "Vulnerability scan",
        status="Done",
        resolution="Fixed",
        created=before - timedelta(days=1),
        updated=before,
    ).key
    add_activity(jira, evidence={"tracker": "jira", "key": scan}, scope="since-previous-release")
    with jira.context() as ctx:
        ctx.syncer.sync_release("ipc", RELEASE, full=True)
        releases = product_releases(ctx.config, ctx.connections, "ipc")
        now = datetime.now(UTC)
        verdict, _ = evaluate_release(ctx.config, ctx.store, "ipc", RELEASE, now, releases=releases)
        detail = verdict.activities[0].detail
        assert "dated 2026-01-14, not after release 1.0 shipped on 2026-01-15" in detail
        # Offline the release list the sync stored serves, and says as of when.
        offline, _ = evaluate_release(ctx.config, ctx.store, "ipc", RELEASE, now)
        assert offline.activities[0].state.value == "incomplete"
        assert detail in offline.activities[0].detail
        assert "; release dates as of " in offline.activities[0].detail


def test_evidence_linked_to_an_issue_of_the_release_counts_by_a_configured_link_type(
    jira: JiraSetup,  # noqa: F811
) -> None:
    state = jira.fake.state
    pentest = state.add_issue(
        PROJECT, "Penetration test", fix_versions=[OTHER_RELEASE], status="Done", resolution="Fixed"
    ).key
    epic = state.add_issue(PROJECT, "Release 2.0", fix_versions=[RELEASE]).key
    finding = state.add_issue(PROJECT, "A finding fixed in 2.0", fix_versions=[RELEASE]).key
    # A finding that merely relates to 2.0 carries no pen test of 1.0 over to 2.0 ...
    state.link(pentest, finding)
    add_activity(jira, evidence={"tracker": "jira", "key": pentest}, scope="release")
    path = jira.root / "secgate.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    config["trackers"]["jira"]["evidence_link_types"] = ["is evidence for"]
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    with jira.context() as ctx:
        ctx.syncer.sync_release("ipc", RELEASE, full=True)
        verdict, _ = evaluate_release(ctx.config, ctx.store, "ipc", RELEASE, datetime.now(UTC))
        (activity,) = verdict.activities
        assert activity.state.value == "incomplete"
        assert activity.detail.startswith(f"evidence {pentest} is for release 1.0, not 2.0")

        # ... a link of the configured type to the release's issue does.
        state.link(pentest, epic, "Evidence", outward="is evidence for", inward="has evidence")
        ctx.syncer.sync_release("ipc", RELEASE, full=True)
        verdict, _ = evaluate_release(ctx.config, ctx.store, "ipc", RELEASE, datetime.now(UTC))
        assert verdict.activities[0].state.value == "complete", verdict.activities[0].detail


def version_reads(setup: JiraSetup) -> int:
    return sum(n for key, n in setup.fake.counts.items() if key.endswith("/versions"))


def test_authorize_reads_the_version_list_once(jira: JiraSetup) -> None:  # noqa: F811
    # The fresh sync reads it; the retrospective check uses that read, not another.
    ship(jira, RELEASE, date(2026, 11, 30))
    with jira.context() as ctx:
        jira.fake.reset_counts()
        refused = Authorizer(ctx).authorize("ipc", RELEASE, {})
        assert "already released on 2026-11-30" in refused.message
        assert version_reads(jira) == 1
