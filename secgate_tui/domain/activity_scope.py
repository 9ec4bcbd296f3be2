"""Whether an activity's evidence is for the release being evaluated (issue 13).

A penetration test of 2.0 is no penetration test of 2.1. Each required
activity has a ``scope``:

- ``product`` (the default): any complete record counts, for every release
  (a threat model that covers the product);
- ``release``: the evidence issue has the release as a fix version, or is
  linked to it: it links, by one of its tracker's ``evidence_link_types``
  (none by default), to an issue that has the release as a fix version (a
  release's record issue or epic). Only configured link types count, so a
  finding that merely "relates to" a later fix does not carry a penetration
  test of one release over to the next; links are read one step, never
  transitively;
- ``since-previous-release``: the evidence is dated after the day the
  previous release shipped. Offline the release dates are those of the
  release lists kept at the last sync: the activity's detail then says as of
  when; never read, they block.

Evidence outside its scope makes the activity incomplete, with a reason that
names both releases. Pure: the services layer supplies the release's names in
the evidence's tracker and, for ``since-previous-release``, the release dates.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from secgate_tui.domain.model import Activity, ActivityScope, IssueEvidence
from secgate_tui.domain.release_dates import ReleaseDate, previous_release
from secgate_tui.domain.times import iso_z

__all__ = ["ReleaseContext", "in_scope"]


@dataclass(frozen=True, kw_only=True)
class ReleaseContext:
    """The release an activity is evaluated for."""

    release: str
    #: The release's version names in the evidence issue's tracker (source templates).
    names: Collection[str]
    #: The product's releases with their dates; None when they are not known.
    releases: Sequence[ReleaseDate] | None = None
    #: Set when ``releases`` come from the lists a sync stored: when they were read.
    as_of: datetime | None = None
    #: Why ``releases`` are not known (offline, no sync ever stored a source's list).
    unknown: str = ""


def in_scope(activity: Activity, context: ReleaseContext) -> Activity:
    """The activity as it counts for this release: incomplete when its evidence is not for it."""
    if activity.scope is ActivityScope.PRODUCT or not (activity.found and activity.complete):
        return activity
    if activity.scope is ActivityScope.RELEASE:
        problem = _release_problem(activity, context)
    else:
        problem = _since_previous_problem(activity, context)
        if context.as_of is not None and context.releases is not None:
            # Offline: whoever reads the verdict must know how old the dates are.
            note = f"release dates as of {iso_z(context.as_of)} (the last sync's)"
            if problem is None:
                detail = f"{activity.detail}; {note}" if activity.detail else note
                return activity.model_copy(update={"detail": detail})
            problem = f"{problem}; {note}"
    if problem is None:
        return activity
    return activity.model_copy(update={"complete": False, "detail": problem})


def _evidence_name(activity: Activity) -> str:
    evidence = activity.evidence
    return f"evidence {evidence.key}" if isinstance(evidence, IssueEvidence) else "the evidence"


def _release_problem(activity: Activity, context: ReleaseContext) -> str | None:
    if not isinstance(activity.evidence, IssueEvidence):
        return (
            "a document cannot show which release it is for; scope 'release' needs a tracker "
            "issue as evidence (or use scope 'since-previous-release')"
        )
    versions = activity.evidence_versions
    if set(versions) & set(context.names):
        return None
    name = _evidence_name(activity)
    if not versions:
        return (
            f"{name} has no fix version and is linked to no release, so it is for no release; "
            f"set {context.release} as its fix version when it covers this release (the "
            "activity's scope is 'release')"
        )
    listed = ", ".join(versions)
    plural = "s" if len(versions) > 1 else ""
    return (
        f"{name} is for release{plural} {listed}, not {context.release} (the activity's scope is "
        f"'release': record this release's {activity.name.lower()}, or add {context.release} "
        "to the evidence's fix versions, or link it to an issue of that release by one of the "
        "tracker's evidence_link_types, if it covers it)"
    )


def _since_previous_problem(activity: Activity, context: ReleaseContext) -> str | None:
    if context.releases is None:
        why = f" ({context.unknown})" if context.unknown else ""
        return (
            f"the previous release's date is not known{why}, so the evidence cannot be shown "
            "to be newer; status without --offline (or any sync) reads the release dates"
        )
    previous = previous_release(context.releases, context.release)
    if previous is None or previous.released_on is None:
        return None  # no earlier shipped release: any evidence is since it
    dated = activity.evidence_date
    if dated is None:
        return (
            f"{_evidence_name(activity)} has no date, so it cannot be shown to be newer than "
            f"release {previous.name} (shipped {previous.released_on.isoformat()})"
        )
    if dated.date() > previous.released_on:
        return None
    return (
        f"{_evidence_name(activity)} is dated {dated.date().isoformat()}, not after release "
        f"{previous.name} shipped on {previous.released_on.isoformat()} (the activity's scope "
        "is 'since-previous-release')"
    )
