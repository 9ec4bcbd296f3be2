"""The previous review's improvement actions, read back from the tracker (ISO 13485 8.5.2).

The previous review record (the newest intact one on the review issue, the one
the period starts from) names its actions and, for those created with
``--create-actions``, their tracker issues. Each issue is read now, so the new
record can say which actions were done, on time or late, and which are still
open or overdue. An issue the tracker no longer has is reported, not skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from connectors.base import Connector, NotFoundError
from secgate_tui.domain.conclusions import ActionReview, ImprovementAction
from secgate_tui.domain.model import Issue
from secgate_tui.domain.review_followup import PreviousReview, follow_up
from secgate_tui.domain.review_record import ReviewRecord
from secgate_tui.services.connections import Connections


def previous_review(
    connections: Connections,
    previous: ReviewRecord | None,
    statements: Mapping[str, ActionReview],
    today: date,
) -> PreviousReview:
    """The previous record's actions with their state now and the reviewer's judgement.

    Raises:
        ConnectorError: an action's tracker could not be read (other than "not found").
    """
    if previous is None:
        return PreviousReview()
    found = read_action_issues(connections.get, previous.conclusions.actions)
    actions = follow_up(previous.conclusions.actions, found, statements, today)
    return PreviousReview(record_id=previous.record_id, actions=actions)


def read_action_issues(
    connector_for: Callable[[str], Connector], actions: Sequence[ImprovementAction]
) -> dict[str, Issue | None]:
    """Each linked action's issue as the tracker has it now (None: not found there).

    Raises:
        ConnectorError: a tracker could not be read (other than "not found").
    """
    found: dict[str, Issue | None] = {}
    for action in actions:
        link = action.issue
        if link is None:
            continue
        try:
            found[link.key] = connector_for(link.source).issue(link.key)
        except NotFoundError:
            found[link.key] = None
    return found
