"""An open GitLab issue's acceptances, CWE ids, compensating controls and safety impact. Pure.

GitLab has labels and a description, no custom fields, so:

- acceptances are labels ``<prefix><release>`` (``risk-accepted::4.1.0``), their
  justification is the issue's (the newest note starting with
  ``justification_prefix``, read by the connector), their target version the
  milestone, their expiry a description line ``Acceptance expires: 2027-06-30``,
  and who accepted and when the label's own event (the connector reads it);
- a residual item (closed risk-accepted, deferred, won't fix) was accepted by
  whoever added its resolution label, when they did (the label's event); with
  no resolution label (the closed default), by whoever closed it, when;
- CWE ids are labels like ``CWE-79``; the safety impact a scoped label
  ``safety-impact::serious``; compensating controls the description's paragraph
  starting with ``Compensating controls:``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from connectors.anomaly import (
    AcceptanceFacts,
    acceptances,
    cwe_from_labels,
    label_acceptances,
    parse_day,
    present,
    text_or_none,
    unique,
)
from connectors.gitlab.settings import GitLabSettings
from secgate_tui.domain.model import RESIDUAL, Issue


def issue_fields(
    key: str,
    settings: GitLabSettings,
    *,
    labels: Sequence[str],
    description: str,
    fix_versions: Sequence[str],
    justification: str | None,
) -> dict[str, Any]:
    """The Issue fields for unresolved anomalies, ready for ``Issue(**...)``.

    Raises:
        AnomalyFieldError: a label without a release, an expiry that is not a date.
    """
    found = label_acceptances(key, labels, settings.acceptance_labels)
    out: dict[str, Any] = {}
    if found:
        facts = AcceptanceFacts(
            justification=justification,
            expires=_expiry(key, description, settings.expiry_prefix),
        )
        out["acceptances"] = acceptances(list(found), facts, fix_versions)
    out["cwe"] = unique(cwe_from_labels(labels)) if settings.cwe_labels else ()
    out["compensating_controls"] = paragraph(description, settings.compensating_controls_prefix)
    prefix = settings.safety_impact_prefix
    impacts = [label[len(prefix) :] for label in labels if prefix and label.startswith(prefix)]
    out["safety_impact"] = text_or_none(impacts[0]) if impacts else None
    return present(out)


def with_justification(issue: Issue, text: str) -> Issue:
    """The issue with a justification read from its notes, on itself and its acceptances."""
    accepted = tuple(a.model_copy(update={"justification": text}) for a in issue.acceptances)
    return issue.model_copy(update={"justification": text, "acceptances": accepted})


def with_acceptor(
    issue: Issue, added: Mapping[str, tuple[str | None, datetime]], settings: GitLabSettings
) -> Issue:
    """Acceptances completed with who added their label and when (label -> (user, time)).

    What a field or an earlier source already says is kept; a label whose
    addition GitLab did not record leaves the acceptance without them (the
    gate blocks on that).
    """
    labels = {
        (disposition, label[len(prefix) :].strip()): label
        for label in issue.labels
        for prefix, disposition in settings.acceptance_labels.items()
        if label.startswith(prefix)
    }
    completed = []
    for acceptance in issue.acceptances:
        label = labels.get((acceptance.disposition, acceptance.release or ""))
        event = added.get(label) if label else None
        if event is not None:
            by, at = event
            acceptance = acceptance.model_copy(
                update={
                    "accepted_by": acceptance.accepted_by or by,
                    "accepted_on": acceptance.accepted_on or at,
                }
            )
        completed.append(acceptance)
    return issue.model_copy(update={"acceptances": tuple(completed)})


def needs_resolver(issue: Issue) -> bool:
    """A residual item by resolution label that does not yet say who set it, or when."""
    return (
        issue.closed
        and issue.disposition in RESIDUAL
        and bool(issue.resolution)
        and not (issue.resolved_by and issue.resolved_on)
    )


def with_resolver(issue: Issue, added: Mapping[str, tuple[str | None, datetime]]) -> Issue:
    """A residual item with who added its resolution label and when (the newest such add).

    A label whose addition GitLab did not record leaves them unset: "not stated".
    """
    events = [added[label] for label in (issue.resolution or "").split(",") if label in added]
    if not events:
        return issue
    by, at = max(events, key=lambda event: event[1])
    return issue.model_copy(update={"resolved_by": by, "resolved_on": at})


def closer(raw: Mapping[str, Any], closed_at: datetime | None) -> dict[str, Any]:
    """Who closed an issue and when, from the issue itself (``closed_by``, ``closed_at``):
    the resolution of a residual item closed without a resolution label."""
    user = raw.get("closed_by")
    name = user.get("username") if isinstance(user, dict) else None
    if not name or closed_at is None:
        return {}
    return {"resolved_by": str(name), "resolved_on": closed_at}


def needs_history(issue: Issue) -> bool:
    """An acceptance that does not yet say who accepted it, or when."""
    return any(not (a.accepted_by and a.accepted_on) for a in issue.acceptances)


def needs_notes(issue: Issue) -> bool:
    """Residual items and accepted open issues take their justification from a note."""
    return issue.disposition in RESIDUAL or bool(issue.acceptances)


def paragraph(description: str, prefix: str) -> str | None:
    """The text after ``prefix`` on the line starting with it, up to the next blank line."""
    if not prefix or prefix not in description:  # most descriptions: no line to look for
        return None
    lines = description.splitlines()
    for index, line in enumerate(lines):
        if line.strip().startswith(prefix):
            taken = [line.strip()[len(prefix) :]]
            for more in lines[index + 1 :]:
                if not more.strip():
                    break
                taken.append(more)
            return text_or_none("\n".join(taken))
    return None


def _expiry(key: str, description: str, prefix: str) -> date | None:
    if not prefix or prefix not in description:
        return None
    for line in description.splitlines():
        if line.strip().startswith(prefix):
            value = line.strip()[len(prefix) :].strip()
            return parse_day(key, value, f"the description line '{prefix}'") if value else None
    return None
