"""Who accepted an open Jira issue for a release, and when, from its changelog.

When no configured field says so, an acceptance's ``accepted_by`` and
``accepted_on`` are the author and time of the newest changelog entry that
added its label (``risk-accepted:4.1.0``) or set the acceptance field to its
disposition. The changelogs are read, complete, through :class:`History` for
the few issues that need them; an acceptance whose change the changelog does
not show (e.g. the label came with the issue's creation, which Jira does not
log) keeps them empty, and the gate blocks on that.

A residual item (closed risk-accepted, deferred or won't fix) was accepted by
whoever set its resolution: ``resolved_by`` and ``resolved_on`` are the author
and time of the newest changelog entry that set the resolution field to the
issue's present resolution. When the changelog shows none (or a different
newest value), they stay empty and the record says "not stated".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors.anomaly import ACCEPTANCE_DISPOSITIONS, AnomalyFieldError, label_acceptances
from connectors.jira.anomaly import AnomalyRules
from connectors.jira.client import JiraClient
from connectors.jira.history import History
from connectors.jira.mapping import parse_time
from secgate_tui.domain.model import RESIDUAL, Acceptance, Disposition, Issue

#: (disposition, release) from a label, or (disposition, None) from the acceptance field
Marker = tuple[Disposition, str | None]
Who = tuple[str | None, datetime]


def complete(
    client: JiraClient,
    rules: AnomalyRules,
    table: Mapping[str, Disposition],
    issues: Sequence[Issue],
) -> list[Issue]:
    """The issues, acceptances without acceptor or time completed from the changelogs."""
    wanted = [issue.key for issue in issues if needs_history(issue)]
    if not wanted:
        return list(issues)
    histories = History(client).histories(wanted)
    return [
        with_resolver(
            with_acceptors(issue, setters(histories[issue.key], rules, table)),
            histories[issue.key],
        )
        if issue.key in histories
        else issue
        for issue in issues
    ]


def needs_history(issue: Issue) -> bool:
    if issue.closed and issue.disposition in RESIDUAL and not issue.resolved_by:
        return True
    return any(not (a.accepted_by and a.accepted_on) for a in issue.acceptances)


def with_resolver(issue: Issue, histories: Iterable[Any]) -> Issue:
    """A residual item with who set its present resolution and when (the newest such entry)."""
    if not issue.closed or issue.disposition not in RESIDUAL or issue.resolved_by:
        return issue
    changes = [
        (at, _author(history.get("author")), item)
        for history in histories
        if isinstance(history, dict) and (at := parse_time(history.get("created"))) is not None
        for item in history.get("items") or []
        if isinstance(item, dict) and "resolution" in (item.get("field"), item.get("fieldId"))
    ]
    if not changes:
        return issue
    at, who, item = max(changes, key=lambda change: change[0])
    value = str(item.get("toString") or "").strip().casefold()
    if value != (issue.resolution or "").strip().casefold():
        return issue  # the newest change does not explain the present resolution
    return issue.model_copy(update={"resolved_by": who, "resolved_on": at})


def setters(
    histories: Iterable[Any], rules: AnomalyRules, table: Mapping[str, Disposition]
) -> dict[Marker, Who]:
    """Each acceptance marker's newest setting: the entry's author and time."""
    dated = []
    for history in histories:
        at = parse_time(history.get("created")) if isinstance(history, dict) else None
        if at is not None:
            dated.append((at, history))
    found: dict[Marker, Who] = {}
    for at, history in sorted(dated, key=lambda pair: pair[0]):
        who = _author(history.get("author"))
        for item in history.get("items") or []:
            if isinstance(item, dict):
                for marker in _markers(item, rules, table):
                    found[marker] = (who, at)
    return found


def with_acceptors(issue: Issue, found: Mapping[Marker, Who]) -> Issue:
    completed = tuple(_completed(a, found) for a in issue.acceptances)
    return issue.model_copy(update={"acceptances": completed})


def _completed(acceptance: Acceptance, found: Mapping[Marker, Who]) -> Acceptance:
    if acceptance.accepted_by and acceptance.accepted_on:
        return acceptance
    who = found.get((acceptance.disposition, acceptance.release))
    if who is None:
        who = found.get((acceptance.disposition, None))
    if who is None:
        return acceptance
    by, at = who
    return acceptance.model_copy(
        update={
            "accepted_by": acceptance.accepted_by or by,
            "accepted_on": acceptance.accepted_on or at,
        }
    )


def _markers(
    item: Mapping[str, Any], rules: AnomalyRules, table: Mapping[str, Disposition]
) -> list[Marker]:
    if item.get("field") == "labels":
        before = set(str(item.get("fromString") or "").split())
        added = [label for label in str(item.get("toString") or "").split() if label not in before]
        try:
            return list(label_acceptances("", added, rules.labels))
        except AnomalyFieldError:
            return []  # a malformed label of the past; today's labels are checked when mapped
    if rules.acceptance_field and item.get("fieldId") == rules.acceptance_field:
        disposition = table.get(str(item.get("toString") or "").strip().casefold())
        if disposition in ACCEPTANCE_DISPOSITIONS:
            assert disposition is not None
            return [(disposition, None)]
    return []


def _author(author: Any) -> str | None:
    if not isinstance(author, dict):
        return None
    for attr in ("displayName", "name", "accountId"):
        if isinstance(author.get(attr), str) and author[attr]:
            return str(author[attr])
    return None
