"""When fixes reached the field: deployments of versions to installations (FDA §V.A.6).

A deployment source says, per installation, when a version (CSV of
installations) or an issue's fix (a tracker label per deployment) was deployed.
:class:`Deployments` holds the rows as read; :class:`DeploymentIndex` indexes
them once per period and gives, for each deployed defect, the days from the fix
shipped to each installation that received it and the installations still
running an affected version without it.

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
from secgate_tui.domain.text import printable

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
                raise _bad_label(label, source, key, prefix, str(error)) from None
            found.append(
                Deployment(
                    installation=match["installation"], deployed_at=when, issue=(source, key)
                )
            )
    return found


def _bad_label(label: str, source: str, key: str, prefix: str, problem: str) -> DeploymentError:
    # Tracker text is shown escaped, so a label cannot play tricks on the terminal.
    return DeploymentError(
        f"The label '{printable(label, 200)}' of {printable(key, 80)} ({source}) starts with "
        f"the deployment prefix '{prefix}' but does not read as a deployment "
        f"({printable(problem, 200)}). Write it as '{prefix}<installation>@<YYYY-MM-DD>', or "
        "remove it; the review is not recorded while a deployment cannot be read."
    )


class DeploymentIndex:
    """The deployments up to a period's end, indexed once for every deployed defect.

    Per version and per issue, each installation's first deployment; per
    installation, the version it ran last (CSV rows only).
    """

    def __init__(self, deployments: Deployments, end: datetime) -> None:
        self.by_version: dict[str, dict[str, datetime]] = {}
        self.by_issue: dict[tuple[str, str], dict[str, datetime]] = {}
        latest: dict[str, Deployment] = {}
        for row in deployments.rows:
            if row.deployed_at > end:
                continue
            if row.issue is not None:
                _keep_first(self.by_issue.setdefault(row.issue, {}), row)
            if row.version is not None:
                _keep_first(self.by_version.setdefault(row.version, {}), row)
                known = latest.get(row.installation)
                if known is None or row.deployed_at >= known.deployed_at:
                    latest[row.installation] = row
        self.running: dict[str, set[str]] = {}
        for name, row in latest.items():
            assert row.version is not None
            self.running.setdefault(row.version, set()).add(name)

        # Most defects share their fix versions and affected versions and carry no
        # deployment label: their figures are computed once per combination.
        self._days: dict[tuple[tuple[str, ...], datetime], tuple[float, ...]] = {}
        self._exposed: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}

    def received(self, issue: tuple[str, str], shipped_in: Sequence[str]) -> dict[str, datetime]:
        """Each installation that received the issue's fix, with its first deployment."""
        first: dict[str, datetime] = dict(self.by_issue.get(issue, {}))
        for version in shipped_in:
            for name, when in self.by_version.get(version, {}).items():
                if name not in first or when < first[name]:
                    first[name] = when
        return first

    def fix_days(
        self, issue: tuple[str, str], shipped_in: Sequence[str], shipped_at: datetime
    ) -> tuple[float, ...]:
        """Days from the fix shipped to each installation's first deployment of it, ascending."""
        key = (tuple(shipped_in), shipped_at)
        shared = issue not in self.by_issue
        if shared and key in self._days:
            return self._days[key]
        days = tuple(
            sorted(
                in_days(max(0.0, (when - shipped_at).total_seconds()))
                for when in self.received(issue, shipped_in).values()
            )
        )
        if shared:
            self._days[key] = days
        return days

    def without_fix(
        self, issue: tuple[str, str], affected: Sequence[str], shipped_in: Sequence[str]
    ) -> int:
        """Installations whose latest deployment is an affected version and that have not
        received the fix: the field still exposed (a label source names no versions)."""
        key = (tuple(affected), tuple(shipped_in))
        shared = issue not in self.by_issue
        if shared and key in self._exposed:
            return self._exposed[key]
        fixed = self.received(issue, shipped_in).keys()
        exposed = sum(len(self.running.get(version, set()) - fixed) for version in set(affected))
        if shared:
            self._exposed[key] = exposed
        return exposed


def _keep_first(first: dict[str, datetime], row: Deployment) -> None:
    known = first.get(row.installation)
    if known is None or row.deployed_at < known:
        first[row.installation] = row.deployed_at
