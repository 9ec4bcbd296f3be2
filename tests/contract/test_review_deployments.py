"""Deployment labels read from every tracker (issue 15's label deployment source).

Sandbox, fake Jira (Cloud and Data Center), fake GitLab and the real Redmine (a
custom field mapped to labels): a label ``deployed:<installation>@<day>`` on a
security issue reaches the review as that installation's deployment of the
issue's fix, and a security issue without one gives none.
"""

from __future__ import annotations

from datetime import UTC, datetime

from secgate_tui.config_review import DeploymentSource
from secgate_tui.domain.review_deployments import Deployment
from secgate_tui.services.review_deployments import read_deployments
from tests.contract.harness import Harness


def test_deployment_labels_are_read_from_the_tracker(tracker: Harness) -> None:
    label = "deployed:ward-3@2026-01-05"
    deployed = tracker.add_issue(
        "Fix deployed at ward 3", release=tracker.release, labels=("security", "sec-defect", label)
    )
    other = tracker.add_issue("Fix not deployed yet", release=tracker.release)
    issues = [tracker.connector.issue(deployed), tracker.connector.issue(other)]
    assert label in issues[0].labels
    found = read_deployments(DeploymentSource(label_prefix="deployed:"), issues, None)
    assert found is not None
    assert found.rows == (
        Deployment(
            installation="ward-3",
            deployed_at=datetime(2026, 1, 5, tzinfo=UTC),
            issue=(issues[0].source, deployed),
        ),
    )
