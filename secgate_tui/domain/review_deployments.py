"""When fixes reached the field: deployments of versions to installations (FDA §V.A.6).

A deployment source says, per installation, when a version (CSV of
installations) or an issue's fix (a tracker label per deployment) was deployed.
:class:`Deployments` holds what was read, already reduced to the first
deployment per installation; :func:`fix_deployments` gives, for one deployed
defect, the days from the fix shipped to each installation that received it.

Rule, kept small so it can be checked by hand: an installation received a fix
when it deployed one of the versions the fix shipped in (the issue's released
fix versions), or when the issue carries a deployment label for it. A later
version that also carries the fix counts only when the issue names it as a fix
version too: secgate does not guess what a version contains. Deployments after
the period's end do not count yet; a deployment before the fix shipped (a pilot
site) counts as 0 days.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator

from secgate_tui.domain.model import utc
from secgate_tui.domain.review_stats import in_days

#: ``<prefix><installation>@<YYYY-MM-DD>`` (or a full ISO 8601 time after the ``@``).
_LABEL: Final = re.compile(r"^(?P<installation>.+)@(?P<when>\d{4}-\d{2}-\d{2}\S*)$")


class DeploymentError(ValueError):
    """A deployment source cannot be read as configured; the message is one paragraph."""


class Deployment(BaseModel):
    """One deployment: ``version`` (CSV) or the fix of issue ``issue`` (label) reached
    ``installation`` at ``deployed_at``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    installation: str
    deployed_at: AwareDatetime
    version: str | None = None
    #: ``(source, key)`` of the issue whose fix was deployed (label source).
    issue: tuple[str, str] | None = None

    @field_validator("deployed_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return utc(value)


class Deployments(BaseModel):
    """What a configured deployment source gave; ``source`` names it in the record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    rows: tuple[Deployment, ...] = ()


def parse_moment(text: str) -> datetime:
    """A day (00:00 UTC) or an ISO 8601 time with its offset.

    Raises:
        ValueError: neither, or a time without an offset (ambiguous).
    """
    text = text.strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"'{text}' has no time zone offset (add Z or +01:00)")
    return utc(moment)


def label_deployments(
    issues: Iterable[tuple[str, str, Sequence[str]]], prefix: str
) -> list[Deployment]:
    """Deployment labels ``<prefix><installation>@<date>`` of ``(source, key, labels)``.

    Raises:
        DeploymentError: a label with the prefix does not read as a deployment.
    """
    found: list[Deployment] = []
    for source, key, labels in issues:
        for label in labels:
            if not label.startswith(prefix):
                continue
            match = _LABEL.match(label[len(prefix) :])
            try:
                if match is None:
                    raise ValueError("not <installation>@<YYYY-MM-DD>")
                when = parse_moment(match["when"])
            except ValueError as error:
                raise DeploymentError(
                    f"The label '{label}' of {key} ({source}) starts with the deployment prefix "
                    f"'{prefix}' but does not read as a deployment ({error}). Write it as "
                    f"'{prefix}<installation>@<YYYY-MM-DD>', or remove it; the review is not "
                    "recorded while a deployment cannot be read."
                ) from None
            found.append(
                Deployment(
                    installation=match["installation"], deployed_at=when, issue=(source, key)
                )
            )
    return found


def fix_deployments(
    deployments: Deployments,
    *,
    issue: tuple[str, str],
    shipped_in: Sequence[str],
    shipped_at: datetime,
    end: datetime,
) -> tuple[float, ...]:
    """Days from the fix shipped to each installation's first deployment of it, ascending."""
    first = _first_fix(deployments, issue=issue, shipped_in=shipped_in, end=end)
    return tuple(
        sorted(in_days(max(0.0, (when - shipped_at).total_seconds())) for when in first.values())
    )


def without_fix(
    deployments: Deployments,
    *,
    issue: tuple[str, str],
    affected: Sequence[str],
    shipped_in: Sequence[str],
    end: datetime,
) -> int:
    """Installations whose latest deployment by ``end`` is an affected version and that
    have not received the fix: the field still exposed (CSV rows only; a label source
    names no versions, so it gives 0)."""
    fixed = _first_fix(deployments, issue=issue, shipped_in=shipped_in, end=end)
    latest: dict[str, Deployment] = {}
    for row in deployments.rows:
        if row.version is None or row.deployed_at > end:
            continue
        known = latest.get(row.installation)
        if known is None or row.deployed_at >= known.deployed_at:
            latest[row.installation] = row
    versions = set(affected)
    return sum(1 for name, row in latest.items() if row.version in versions and name not in fixed)


def _first_fix(
    deployments: Deployments,
    *,
    issue: tuple[str, str],
    shipped_in: Sequence[str],
    end: datetime,
) -> dict[str, datetime]:
    first: dict[str, datetime] = {}
    versions = set(shipped_in)
    for row in deployments.rows:
        if row.deployed_at > end:
            continue
        if row.issue == issue or (row.version is not None and row.version in versions):
            known = first.get(row.installation)
            if known is None or row.deployed_at < known:
                first[row.installation] = row.deployed_at
    return first
