"""An open Redmine issue's acceptances, CWE, controls, safety impact and severity, real Redmine.

The custom fields are created through the harness (as an administrator would),
their values set over REST; who accepted and when come from the journal that
set the acceptance field when no field says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from connectors.base import BadResponseError, SourceScope
from connectors.redmine import RedmineConnector
from secgate_tui.domain.model import Disposition
from tests.redmine.fixtures import (
    PROJECT,
    RedmineHarness,
    connector_settings,
    redmine_harness,
)

__all__ = ["redmine_harness"]
pytestmark = pytest.mark.redmine

SCOPE = SourceScope(tracker="redmine", project=PROJECT)
SLACK = timedelta(seconds=2)  # Redmine stores times to the second


def anomaly_fields(h: RedmineHarness, *, expiry_format: str = "date") -> dict[str, int]:
    """The custom fields a security process would add, by the default names."""
    admin = h.admin
    return {
        "Acceptance": admin.add_custom_field(
            "Acceptance", "list", possible_values=["Risk Accepted", "Deferred", "Fixed"]
        ),
        "Accepted for": admin.add_custom_field("Accepted for", "version", multiple=True),
        "Acceptance expires": admin.add_custom_field("Acceptance expires", expiry_format),
        "CWE": admin.add_custom_field("CWE", "string"),
        "Compensating controls": admin.add_custom_field("Compensating controls", "text"),
        "Safety impact": admin.add_custom_field(
            "Safety impact", "list", possible_values=["none", "minor", "serious"]
        ),
    }


def set_fields(h: RedmineHarness, key: str, ids: dict[str, int], **values: object) -> None:
    fields = [{"id": ids[name.replace("_", " ")], "value": v} for name, v in values.items()]
    h.admin.issue(key, custom_fields=fields)


def test_an_open_issue_accepted_through_custom_fields(redmine_harness: RedmineHarness) -> None:
    h = redmine_harness
    ids = anomaly_fields(h)
    key = h.add_issue("Hard-coded service password", release="2.0")
    one_oh = h.admin.version_id("1.0")
    h.admin.issue(
        key, custom_fields=[{"id": 4, "value": [str(one_oh)]}, {"id": 5, "value": "high"}]
    )
    set_fields(
        h,
        key,
        ids,
        CWE="CWE-798, CWE-259",
        Compensating_controls="Service port disabled in the field build.",
        Safety_impact="serious",
        Acceptance_expires="2027-05-01",
    )
    before = datetime.now(UTC)
    h.admin.issue(
        key,
        custom_fields=[
            {"id": ids["Acceptance"], "value": "Risk Accepted"},
            {"id": ids["Accepted for"], "value": [str(one_oh)]},
        ],
    )
    after = datetime.now(UTC)
    h.admin.issue(key, notes="Risk acceptance: needs physical access and a service cable.")

    connector = RedmineConnector(
        "redmine",
        connector_settings(h.proxy.url, severity_map={"HIGH": "high"}),
        h.server.alice_key,
    )
    try:
        issue = next(i for i in connector.issues(SCOPE, "2.0") if i.key == key)
    finally:
        connector.close()

    (acceptance,) = issue.acceptances
    assert acceptance.disposition is Disposition.RISK_ACCEPTED
    assert acceptance.release == "1.0"  # the version field's id, as the version's name
    assert acceptance.target_version == "2.0"  # its target version (the fix version)
    assert acceptance.justification == "needs physical access and a service cable."
    assert acceptance.accepted_by == "Redmine Admin"  # who set the acceptance field
    assert acceptance.accepted_on is not None
    assert before - SLACK <= acceptance.accepted_on <= after + SLACK
    assert acceptance.expires == date(2027, 5, 1)
    assert issue.affects_versions == ("1.0",)
    assert issue.cwe == ("CWE-798", "CWE-259")
    assert issue.compensating_controls == "Service port disabled in the field build."
    assert issue.safety_impact == "serious"
    assert issue.severity == "high"

    # Read by key too (the sync's vanish check and `issue`), with the same facts.
    again = h.connector.issue(key)
    assert again.acceptances == issue.acceptances


def test_fields_that_say_who_and_when_win_over_the_journal(
    redmine_harness: RedmineHarness,
) -> None:
    h = redmine_harness
    ids = anomaly_fields(h)
    ids["Accepted by"] = h.admin.add_custom_field("Accepted by", "string")
    ids["Accepted on"] = h.admin.add_custom_field("Accepted on", "date")
    key = h.add_issue("Deferred to 3.0", release="2.0")
    set_fields(
        h, key, ids, Acceptance="Deferred", Accepted_by="Quinn Officer", Accepted_on="2026-11-02"
    )
    (acceptance,) = h.connector.issue(key).acceptances
    assert acceptance.disposition is Disposition.DEFERRED
    assert acceptance.release is None  # no release named: for any release it affects
    assert acceptance.accepted_by == "Quinn Officer"
    assert acceptance.accepted_on == datetime(2026, 11, 2, tzinfo=UTC)
    assert acceptance.justification is None  # the gate blocks on that


def test_seeded_issues_serialize_as_before(redmine_harness: RedmineHarness) -> None:
    for issue in redmine_harness.connector.issues(SCOPE, "2.0"):
        text = issue.canonical_json().decode()
        for name in ("acceptances", "cwe", "compensating_controls", "safety_impact"):
            assert f'"{name}"' not in text


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("Acceptance expires", "next spring", "is not a date"),
        ("Acceptance", "Fixed", "does not map to risk-accepted or deferred"),
        ("CWE", "cross-site scripting", "names no CWE id"),
    ],
)
def test_unreadable_values_fail_the_source(
    redmine_harness: RedmineHarness, field: str, value: str, needle: str
) -> None:
    h = redmine_harness
    ids = anomaly_fields(h, expiry_format="string")  # a date field would refuse the value
    key = h.add_issue("Hostile acceptance", release="2.0")
    values = {"Acceptance": "Deferred", field: value}
    h.admin.issue(key, custom_fields=[{"id": ids[k], "value": v} for k, v in values.items()])
    with pytest.raises(BadResponseError, match=needle) as caught:
        h.connector.issues(SCOPE, "2.0")
    assert key in caught.value.message


def _status_id(h: RedmineHarness, name: str) -> int:
    return int(str(h.server.sql("SELECT id FROM issue_statuses WHERE name=?", name)[0][0]))


def test_who_closed_a_residual_item_with_its_status_and_when(
    redmine_harness: RedmineHarness,
) -> None:
    h = redmine_harness
    key = h.add_issue("Closed without a fix", release="2.0")
    h.admin.issue(key, status_id=_status_id(h, "In Progress"))  # not the resolution
    before = datetime.now(UTC)
    h.admin.issue(key, status_id=_status_id(h, "Rejected"))
    after = datetime.now(UTC)
    h.admin.issue(key, notes="Risk acceptance: the port is closed in the field build.")

    by_key = h.connector.issue(key)
    synced = next(i for i in h.connector.issues(SCOPE, "2.0") if i.key == key)

    for issue in (by_key, synced):
        assert issue.disposition is Disposition.WONT_FIX
        assert issue.resolved_by == "Redmine Admin"  # who set the status, not alice who reads
        assert issue.resolved_on is not None
        assert before - SLACK <= issue.resolved_on <= after + SLACK
        assert issue.justification == "the port is closed in the field build."


def test_a_resolution_field_names_who_set_it_and_a_fix_reads_nothing(
    redmine_harness: RedmineHarness,
) -> None:
    h = redmine_harness
    field = int(str(h.server.sql("SELECT id FROM custom_fields WHERE name='Resolution'")[0][0]))
    key = h.add_issue("Accepted as it stands", release="2.0", closed=True)
    before = datetime.now(UTC)
    h.admin.issue(key, custom_fields=[{"id": field, "value": "Risk Accepted"}])
    after = datetime.now(UTC)
    h.admin.issue(key, subject="Accepted as it stands (renamed)")
    fixed = h.add_issue("Fixed", release="2.0", closed=True)

    synced = {i.key: i for i in h.connector.issues(SCOPE, "2.0")}

    accepted = synced[key]
    assert accepted.disposition is Disposition.RISK_ACCEPTED
    assert accepted.resolved_by == "Redmine Admin"
    assert accepted.resolved_on is not None
    assert before - SLACK <= accepted.resolved_on <= after + SLACK
    assert synced[fixed].resolved_by is None  # a fix is no residual item
