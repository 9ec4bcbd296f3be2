"""The previous review's actions followed up on every tracker (issue 15).

Sandbox, fake Jira (Cloud and Data Center), fake GitLab and the real Redmine:
an action issue closed before its due day is done on time, one still open
after its due day is overdue, and a key the tracker does not have is "issue
not found" (the tracker's 404 is not an error that stops the review).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from secgate_tui.domain.conclusions import ActionLink, ImprovementAction
from secgate_tui.domain.review_followup import ActionState, follow_up
from secgate_tui.services.review_previous import read_action_issues
from tests.contract.harness import Harness


def test_previous_actions_are_followed_up_from_the_tracker(tracker: Harness) -> None:
    today = datetime.now(UTC).date()
    done = tracker.add_issue(
        "Corrective action: triage SLA", release=tracker.release, labels=(), closed=True
    )
    late = tracker.add_issue("Corrective action: classify", release=tracker.release, labels=())
    missing = tracker.comment_key + "999999"

    def action(key: str, due_in_days: int) -> ImprovementAction:
        return ImprovementAction(
            title=f"action {key}",
            owner="qa.lead",
            due=today + timedelta(days=due_in_days),
            issue=ActionLink(source=tracker.name, key=key),
        )

    actions = [action(done, 30), action(late, -1), action(missing, 30)]
    found = read_action_issues(lambda _name: tracker.connector, actions)
    followed = follow_up(actions, found, {}, today)
    assert [a.state for a in followed] == [
        ActionState.DONE_ON_TIME,
        ActionState.OVERDUE,
        ActionState.NOT_FOUND,
    ]
