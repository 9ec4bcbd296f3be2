"""Evaluates a release from the store: the gate's inputs gathered, nothing fetched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from secgate_tui.config import Config
from secgate_tui.domain import (
    Activity,
    ActivityScope,
    Category,
    Issue,
    IssueEvidence,
    Verdict,
    evaluate,
)
from secgate_tui.domain.activity_scope import ReleaseContext, in_scope
from secgate_tui.domain.release_dates import ReleaseDate
from secgate_tui.domain.scope import ReleaseScope
from secgate_tui.services.release_dates import StoredReleaseDates, stored_releases
from secgate_tui.services.store import Store
from secgate_tui.services.sync import release_held, release_issues, release_split, source_states
from secgate_tui.services.vex_attachments_kept import attached_for
from secgate_tui.services.vex_inputs import VexInputs, assess_release

__all__ = [
    "evaluate_release",
    "evaluate_release_scope",
    "release_activities",
    "release_issues",
    "release_names",
]


def release_activities(
    config: Config,
    store: Store,
    product_id: str,
    release: str | None = None,
    releases: Sequence[ReleaseDate] | None = None,
) -> list[Activity]:
    """Observed activities; one never observed (or configured differently) is missing.

    With ``release``, each activity's evidence is held to its scope for that
    release (``domain.activity_scope``); ``releases`` are the product's release
    dates read from its trackers, needed by ``since-previous-release``. None
    (offline, or the trackers could not list them): the release lists the
    store kept at the last sync serve, and the activity says as of when; a
    product whose lists were never stored blocks such an activity.
    """
    product = config.product(product_id)
    observed = store.activities(product_id)
    dates = _dates(config, store, product_id, release, releases)
    activities = []
    for wanted in product.activities:
        seen = observed.get(wanted.id)
        if (
            seen is None
            or seen.evidence != wanted.evidence
            or seen.max_age_days != wanted.max_age_days
            or seen.name != wanted.name
            or seen.scope is not wanted.evidence_scope
        ):
            seen = Activity(
                id=wanted.id,
                name=wanted.name,
                evidence=wanted.evidence,
                max_age_days=wanted.max_age_days,
                scope=wanted.evidence_scope,
                detail="not observed since it was configured (run a sync)",
            )
        if release is not None:
            seen = in_scope(seen, _context(config, product_id, release, seen, dates))
        activities.append(seen)
    return activities


def _dates(
    config: Config,
    store: Store,
    product_id: str,
    release: str | None,
    releases: Sequence[ReleaseDate] | None,
) -> StoredReleaseDates:
    """The release dates the activities are held to: as read, else as the store kept them
    (read only when an activity needs them)."""
    if releases is not None:
        return StoredReleaseDates(releases=tuple(releases))
    needed = release is not None and any(
        a.evidence_scope is ActivityScope.SINCE_PREVIOUS_RELEASE
        for a in config.product(product_id).activities
    )
    if not needed:
        return StoredReleaseDates(releases=None)
    return stored_releases(config, store, product_id)


def _context(
    config: Config,
    product_id: str,
    release: str,
    activity: Activity,
    dates: StoredReleaseDates,
) -> ReleaseContext:
    """The release's version names in the evidence issue's tracker (its sources' templates)."""
    evidence = activity.evidence
    tracker = evidence.tracker if isinstance(evidence, IssueEvidence) else None
    names = {
        source.release_name(release)
        for source in config.product(product_id).sources
        if source.tracker == tracker
    }
    unknown = (
        "no sync has stored the release list of " + ", ".join(dates.missing) + " yet"
        if dates.missing
        else ""
    )
    return ReleaseContext(
        release=release,
        names=names or {release},
        releases=dates.releases,
        as_of=dates.as_of,
        unknown=unknown,
    )


def evaluate_release(
    config: Config,
    store: Store,
    product_id: str,
    release: str,
    now: datetime,
    acknowledged: Mapping[Category, str] | None = None,
    vex_inputs: VexInputs | None = None,
    releases: Sequence[ReleaseDate] | None = None,
) -> tuple[Verdict, list[Issue]]:
    """The verdict for a release as the store holds it, and its members (the issues of
    its closure boards; the affected ones are in ``verdict.anomalies``).

    ``vex_inputs`` are SBOM/VEX files given on the command line; the product's
    configured ones are read in any case (see ``services.vex_inputs``).
    ``releases`` are the product's release dates when they were read
    (``services.release_dates``), for activities scoped since the previous release.
    """
    verdict, scope = evaluate_release_scope(
        config, store, product_id, release, now, acknowledged, vex_inputs, releases
    )
    return verdict, scope.members


def evaluate_release_scope(
    config: Config,
    store: Store,
    product_id: str,
    release: str,
    now: datetime,
    acknowledged: Mapping[Category, str] | None = None,
    vex_inputs: VexInputs | None = None,
    releases: Sequence[ReleaseDate] | None = None,
) -> tuple[Verdict, ReleaseScope]:
    """As :func:`evaluate_release`, with the affected issues evaluated beside the members."""
    scope = release_split(config, store, product_id, release)
    verdict = evaluate_issues(
        config,
        store,
        product_id,
        release,
        scope.members,
        now,
        acknowledged,
        vex_inputs,
        releases,
        affected=scope.affected,
    )
    return verdict, scope


def release_names(config: Config, product_id: str, release: str) -> tuple[str, ...]:
    """Every name the release has: secgate's and each source's (its template applied)."""
    sources = config.product(product_id).sources
    return tuple(dict.fromkeys([release, *(source.release_name(release) for source in sources)]))


def evaluate_issues(
    config: Config,
    store: Store,
    product_id: str,
    release: str,
    issues: list[Issue],
    now: datetime,
    acknowledged: Mapping[Category, str] | None = None,
    vex_inputs: VexInputs | None = None,
    releases: Sequence[ReleaseDate] | None = None,
    *,
    affected: Sequence[Issue] = (),
) -> Verdict:
    """The verdict for ``issues`` (the members) and ``affected`` already read from the
    store, with everything else the gate needs (activities, source states, what each
    category held) read afresh."""
    product = config.product(product_id)
    return evaluate(
        issues,
        release_activities(config, store, product_id, release, releases),
        product.gate_policy(config.policy, acknowledged or {}, product_id=product_id),
        now,
        source_states(store, product.sources, release),
        release_held(store, product_id, release),
        assess_release(
            settings=product.vulnerability_assessment,
            release=release,
            now=now,
            inputs=vex_inputs,
            config_dir=config.path.parent if config.path else None,
            attached=attached_for(config, store, product_id, release),
        ),
        affected=affected,
        release_names=release_names(config, product_id, release),
    )
