"""The previous review's actions: their state now, from the tracker, worked out by hand.

Every action is due 2026-06-01; the review is held on TODAY = 2026-11-22.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from secgate_tui.domain.conclusions import (
    ActionLink,
    ActionReview,
    Effectiveness,
    ImprovementAction,
)
from secgate_tui.domain.model import Disposition, Issue
from secgate_tui.domain.review_followup import ActionState, follow_up

TODAY = date(2026, 11, 22)
DUE = date(2026, 6, 1)


def tracker_issue(closed_at: datetime | None, *, closed: bool = True) -> Issue:
    return Issue(
        source="jira",
        key="IPC-9",
        title="Corrective action",
        status="Done" if closed else "Open",
        closed=closed,
        disposition=Disposition.FIXED if closed else Disposition.UNKNOWN,
        created=datetime(2026, 1, 1, tzinfo=UTC),
        updated=datetime(2026, 1, 2, tzinfo=UTC),
        closed_at=closed_at,
    )


def at(day: int, month: int = 6, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("linked", "found", "today", "state"),
    [
        (True, tracker_issue(at(1)), TODAY, ActionState.DONE_ON_TIME),  # closed on its due day
        (True, tracker_issue(at(2, hour=0)), TODAY, ActionState.DONE_LATE),
        (True, tracker_issue(None), TODAY, ActionState.DONE_ON_TIME),  # done, day unknown
        (True, tracker_issue(None, closed=False), DUE, ActionState.OPEN),  # due today: not late
        (True, tracker_issue(None, closed=False), date(2026, 6, 2), ActionState.OVERDUE),
        (True, None, TODAY, ActionState.NOT_FOUND),  # the tracker no longer has it
        (False, None, TODAY, ActionState.NO_ISSUE),  # created without --create-actions
    ],
)
def test_the_state_of_a_previous_action(
    linked: bool, found: Issue | None, today: date, state: ActionState
) -> None:
    link = ActionLink(source="jira", key="IPC-9") if linked else None
    action = ImprovementAction(title="Faster triage", owner="qa.lead", due=DUE, issue=link)
    issues = {"IPC-9": found} if linked else {}
    (followed,) = follow_up([action], issues, {}, today)
    assert followed.state is state
    assert followed.ref == ("IPC-9" if linked else "Faster triage")
    assert followed.effective is None


def test_the_reviewers_effectiveness_statement_is_attached_by_key_or_title() -> None:
    actions = [
        ImprovementAction(
            title="A", owner="o", due=DUE, issue=ActionLink(source="jira", key="IPC-9")
        ),
        ImprovementAction(title="Untracked", owner="o", due=DUE),
    ]
    statements = {
        "IPC-9": ActionReview(effective=Effectiveness.YES),
        "Untracked": ActionReview(effective=Effectiveness.NO, comment="still slow"),
    }
    followed = follow_up(actions, {"IPC-9": tracker_issue(at(1))}, statements, TODAY)
    assert [(a.effective, a.comment) for a in followed] == [
        (Effectiveness.YES, ""),
        (Effectiveness.NO, "still slow"),
    ]
    assert followed[0].closed_at == at(1)
