"""Follow-up of the previous review's improvement actions (ISO 13485 8.5.2, IEC 81001-5-1 4.1.8).

The previous review record lists its actions, each with an owner, a due day and,
when it was created with ``--create-actions``, its tracker issue. This module
turns them and what the tracker says about each issue now into the record's
follow-up: done on time, done late, open, open and overdue, or not checkable
(no issue, or the issue is gone), with the reviewer's effectiveness judgement.

Dates are UTC calendar days: an action closed on its due day is on time; an
open action is overdue from the day after its due day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from secgate_tui.domain.conclusions import (
    ActionLink,
    ActionReview,
    Effectiveness,
    ImprovementAction,
)
from secgate_tui.domain.model import Issue


class ActionState(StrEnum):
    DONE_ON_TIME = "done on time"
    DONE_LATE = "done late"
    OPEN = "open"
    OVERDUE = "open, overdue"
    NO_ISSUE = "no tracker issue"
    NOT_FOUND = "issue not found"

    @property
    def done(self) -> bool:
        return self in {ActionState.DONE_ON_TIME, ActionState.DONE_LATE}


class PreviousAction(BaseModel):
    """One action of the previous review and where it stands now."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: How the reviewer names it in the conclusions file: the issue key, else the title.
    ref: str
    title: str
    owner: str
    due: date
    issue: ActionLink | None
    state: ActionState
    closed_at: AwareDatetime | None = None
    effective: Effectiveness | None = None
    comment: str = ""


class PreviousReview(BaseModel):
    """The review the period starts from (None fields: no record in the tracker)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_id: str | None = None
    actions: tuple[PreviousAction, ...] = ()


def action_ref(action: ImprovementAction) -> str:
    """The name a conclusions file uses for the action: its issue key, else its title."""
    return action.issue.key if action.issue is not None else action.title


def follow_up(
    actions: Sequence[ImprovementAction],
    found: Mapping[str, Issue | None],
    statements: Mapping[str, ActionReview],
    today: date,
) -> tuple[PreviousAction, ...]:
    """Each action with its state now and the reviewer's effectiveness statement.

    Args:
        actions: the previous record's actions.
        found: issue key -> the issue as the tracker has it now, None when the
            tracker no longer has it; keys of actions without an issue are absent.
        statements: the conclusions file's ``previous_actions``.
        today: the day of this review (UTC).
    """
    followed = []
    for action in actions:
        ref = action_ref(action)
        issue = found.get(action.issue.key) if action.issue is not None else None
        statement = statements.get(ref)
        followed.append(
            PreviousAction(
                ref=ref,
                title=action.title,
                owner=action.owner,
                due=action.due,
                issue=action.issue,
                state=_state(action, issue, today),
                closed_at=issue.closed_at if issue is not None and issue.closed else None,
                effective=statement.effective if statement else None,
                comment=statement.comment if statement else "",
            )
        )
    return tuple(followed)


def _state(action: ImprovementAction, issue: Issue | None, today: date) -> ActionState:
    if action.issue is None:
        return ActionState.NO_ISSUE
    if issue is None:
        return ActionState.NOT_FOUND
    if issue.closed:
        # A close without a date cannot be shown late; the tracker says it is done.
        closed_on = issue.closed_at.date() if issue.closed_at else None
        late = closed_on is not None and closed_on > action.due
        return ActionState.DONE_LATE if late else ActionState.DONE_ON_TIME
    return ActionState.OVERDUE if today > action.due else ActionState.OPEN
