"""The pure Redmine mapping, against payloads recorded from the real Redmine 5.0.4."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest

from connectors.redmine import mapping
from connectors.redmine.anomaly import AnomalyRules
from connectors.redmine.settings import RedmineSettings
from secgate_tui.domain.model import Disposition

# GET /issues.json?project_id=secgate-a&status_id=* (one item), Redmine 5.0.4.
RECORDED: dict[str, Any] = {
    "id": 3,
    "project": {"id": 1, "name": "Secgate A"},
    "tracker": {"id": 1, "name": "Bug"},
    "status": {"id": 7, "name": "Risk Accepted", "is_closed": True},
    "priority": {"id": 2, "name": "Normal"},
    "author": {"id": 5, "name": "Alice Tester"},
    "assigned_to": {"id": 5, "name": "Alice Tester"},
    "category": {"id": 1, "name": "Crypto"},
    "fixed_version": {"id": 4, "name": "2.0"},
    "subject": "Timing side channel <script>",
    "description": None,
    "done_ratio": 0,
    "is_private": False,
    "custom_fields": [
        {"id": 1, "name": "Labels", "multiple": True, "value": ["security", "sec-defect"]},
        {"id": 2, "name": "Resolution", "value": None},
        {"id": 3, "name": "Justification", "value": "Rate limiting makes it impractical."},
        {"id": 4, "name": "Affects version", "multiple": True, "value": ["1"]},
        {"id": 5, "name": "Severity", "value": "low"},
    ],
    "created_on": "2026-11-22T09:46:56Z",
    "updated_on": "2026-11-22T09:47:10Z",
    "closed_on": "2026-11-22T09:47:10Z",
}


def mapper(**overrides: Any) -> mapping.IssueMapper:
    values: dict[str, Any] = {
        "source": "rm",
        "base_url": "https://redmine.example/",
        "dispositions": {},
        "default_disposition": None,
        "disposition_field": "Resolution",
        "justification_field": "Justification",
        "label_fields": ("Labels",),
        "affects_version_field": "4",
        "severity_field": "severity",
    }
    values.update(overrides)
    return mapping.IssueMapper(**values)


def raw(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(RECORDED)
    data.update(changes)
    return data


def test_recorded_issue_maps_every_field() -> None:
    issue = mapper().issue(raw(), {}, {"1": "1.0"})
    assert issue.key == "#3"
    assert issue.url == "https://redmine.example/issues/3"
    assert issue.title == "Timing side channel <script>"  # untrusted text kept verbatim
    assert issue.type == "Bug"
    assert issue.status == "Risk Accepted"
    assert issue.closed is True
    assert issue.disposition is Disposition.RISK_ACCEPTED
    assert issue.labels == ("security", "sec-defect")
    assert issue.components == ("Crypto",)
    assert issue.fix_versions == ("2.0",)
    assert issue.affects_versions == ("1.0",)
    assert issue.severity == "low"
    assert issue.priority == "Normal"
    assert issue.assignee == "Alice Tester"
    assert issue.justification == "Rate limiting makes it impractical."
    assert issue.updated == datetime(2026, 11, 22, 9, 47, 10, tzinfo=UTC)
    assert issue.closed_at == datetime(2026, 11, 22, 9, 47, 10, tzinfo=UTC)
    assert len(issue.raw_digest) == 64


def test_closed_comes_from_the_status_list_when_the_issue_does_not_say() -> None:
    data = raw(status={"id": 7, "name": "Risk Accepted"})
    assert mapper().issue(data, {7: False}).closed is False
    assert mapper().issue(data, {7: True}).closed is True
    with pytest.raises(KeyError):
        mapper().issue(data, {})


def test_open_issue_has_no_closed_time() -> None:
    data = raw(status={"id": 1, "name": "New", "is_closed": False})
    assert mapper().issue(data, {}).closed_at is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Closed", Disposition.FIXED),
        ("Resolved", Disposition.FIXED),
        ("Rejected", Disposition.WONT_FIX),
        ("risk accepted", Disposition.RISK_ACCEPTED),
        ("Deferred", Disposition.DEFERRED),
        ("Duplicate", Disposition.DUPLICATE),
        ("Done somehow", Disposition.UNKNOWN),
    ],
)
def test_disposition_from_status_name_by_default(status: str, expected: Disposition) -> None:
    data = raw(status={"id": 9, "name": status, "is_closed": True})
    data["custom_fields"][1]["value"] = None
    assert mapper().issue(data, {}).disposition is expected


def test_disposition_field_wins_over_status_and_config_over_defaults() -> None:
    data = raw(status={"id": 5, "name": "Closed", "is_closed": True})
    data["custom_fields"][1]["value"] = "Not a defect"
    assert mapper().issue(data, {}).disposition is Disposition.NOT_A_DEFECT
    configured = mapper(dispositions={"not a defect": Disposition.WONT_FIX})
    assert configured.issue(data, {}).disposition is Disposition.WONT_FIX


def test_unknown_value_on_closed_issue_uses_default_else_stays_unknown() -> None:
    data = raw(status={"id": 9, "name": "Shipped", "is_closed": True})
    data["custom_fields"][1]["value"] = None
    assert mapper().issue(data, {}).disposition is Disposition.UNKNOWN
    lenient = mapper(default_disposition=Disposition.FIXED)
    assert lenient.issue(data, {}).disposition is Disposition.FIXED
    data["status"]["is_closed"] = False
    assert lenient.issue(data, {}).disposition is Disposition.UNKNOWN


def test_fields_by_id_and_by_name_and_missing_fields() -> None:
    by_id = mapper(label_fields=("1",), justification_field="3", severity_field="5")
    issue = by_id.issue(raw(), {})
    assert issue.labels == ("security", "sec-defect")
    assert issue.severity == "low"
    absent = mapper(label_fields=("Tags",), justification_field=None, severity_field=None)
    issue = absent.issue(raw(), {})
    assert (issue.labels, issue.justification, issue.severity) == ((), None, None)


def test_version_ids_kept_when_no_name_is_known() -> None:
    assert mapper().issue(raw(), {}, None).affects_versions == ("1",)


def test_digest_changes_with_content() -> None:
    one = mapper().issue(raw(), {})
    other = mapper().issue(raw(subject="Timing side channel"), {})
    assert one.raw_digest != other.raw_digest


NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _journal(n: int, who: str, at: str, *details: dict[str, Any]) -> dict[str, Any]:
    return {"id": n, "user": {"id": n, "name": who}, "created_on": at, "details": list(details)}


def test_who_resolved_a_residual_item_is_the_newest_change_that_explains_it() -> None:
    status = {"property": "attr", "name": "status_id", "old_value": "1", "new_value": "9"}
    m = mapper()
    by_status = m.issue(raw(), {})  # "Risk Accepted" is its status; the field is empty
    journals = [
        _journal(1, "Ann", "2026-11-20T08:00:00Z", status),
        _journal(2, "Bob", "2026-11-21T08:00:00Z", {"property": "attr", "name": "subject"}),
    ]
    assert m.resolver(by_status, journals) == {
        "resolved_by": "Ann",
        "resolved_on": datetime(2026, 11, 20, 8, tzinfo=UTC),
    }
    data = raw()
    data["custom_fields"][1]["value"] = "Won't fix"
    by_field = m.issue(data, {})
    cf = {"property": "cf", "name": "2", "old_value": "", "new_value": "Won't fix"}
    changed_back = {"property": "cf", "name": "2", "old_value": "Won't fix", "new_value": "Fixed"}
    journals = [_journal(3, "Cy", "2026-11-22T08:00:00Z", cf)]
    assert m.resolver(by_field, journals)["resolved_by"] == "Cy"
    # A newest change to another value does not explain the present one: not stated.
    later = _journal(4, "Di", "2026-11-23T08:00:00Z", changed_back)
    assert m.resolver(by_field, [*journals, later]) == {}
    assert m.resolver(by_field, []) == {}


def test_journals_are_read_only_for_residual_items_missing_a_justification_or_resolver() -> None:
    m = mapper(justification_field=None)
    assert m.needs_note_justification(m.issue(raw(), {}))
    justified = mapper().issue(raw(), {})
    assert justified.justification
    # Justified by its field, but who resolved it is in the journals.
    assert mapper().needs_note_justification(justified)
    resolved = justified.model_copy(update={"resolved_by": "Quinn", "resolved_on": NOW})
    assert not mapper().needs_note_justification(resolved)
    fixed = raw(status={"id": 5, "name": "Closed", "is_closed": True})
    assert not m.needs_note_justification(m.issue(fixed, {}))


def test_justification_from_the_latest_prefixed_note() -> None:
    journals = [
        {"id": 1, "notes": "Risk acceptance: first"},
        {"id": 2, "notes": "unrelated"},
        {"id": 3, "notes": "  Risk acceptance:   second\r\nline"},
        {"id": 4, "notes": "Risk acceptance:   "},
        {"id": 5, "notes": None},
    ]
    assert mapping.justification_from_notes(journals, "Risk acceptance:") == "second\r\nline"
    assert mapping.justification_from_notes(journals[1:2], "Risk acceptance:") is None


@pytest.mark.parametrize(
    ("version", "released"),
    [
        ({"name": "1.0", "status": "closed"}, True),
        ({"name": "1.5", "status": "locked"}, True),
        ({"name": "1.9", "status": "open", "due_date": "2026-11-21"}, True),
        ({"name": "2.0", "status": "open", "due_date": "2026-11-22"}, False),
        ({"name": "2.1", "status": "open", "due_date": None}, False),
    ],
)
def test_released_versions(version: dict[str, Any], released: bool) -> None:
    release = mapping.release_of(version, date(2026, 11, 22))
    assert release.released is released
    assert release.name == version["name"]


def test_keys_times_and_markup() -> None:
    assert mapping.issue_id("#12") == 12
    assert mapping.issue_id("12") == 12
    with pytest.raises(ValueError, match="not a Redmine issue key"):
        mapping.issue_id("PROJ-12")
    moment = datetime(2026, 11, 22, 10, 0, 1, 999000, tzinfo=UTC)
    assert mapping.format_time(moment) == "2026-11-22T10:00:01Z"
    assert mapping.markup_of("common_mark") == "markdown"
    assert mapping.markup_of("markdown") == "markdown"
    assert mapping.markup_of("textile") == "textile"
    assert mapping.markup_of("") == "plain"


def test_scope_filters() -> None:
    from connectors.base import SourceScope
    from connectors.redmine.filters import issue_filters

    scope = SourceScope(
        tracker="rm",
        project="pump",
        filter="category_id=3&subject=~tls",
        options={"trackers": [1, 4], "custom_fields": {"7": ["a", "b"], "8": "yes"}},
    )
    assert issue_filters(scope) == {
        "project_id": "pump",
        "status_id": "*",
        "sort": "id",
        "tracker_id": "1|4",
        "cf_7": "a|b",
        "cf_8": "yes",
        "category_id": "3",
        "subject": "~tls",
    }
    with pytest.raises(ValueError, match="may not set 'fixed_version_id'"):
        issue_filters(SourceScope(tracker="rm", project="p", filter="fixed_version_id=2"))
    with pytest.raises(ValueError, match="unknown Redmine source option"):
        issue_filters(SourceScope(tracker="rm", project="p", options={"group": True}))


def test_own_note_is_the_newest_exact_match_by_that_user() -> None:
    from connectors.redmine.notes import own_note

    journals = [
        {"id": 1, "user": {"id": 5}, "notes": "record"},
        {"id": 2, "user": {"id": 6}, "notes": "record"},
        {"id": 3, "user": {"id": 5}, "notes": "record "},
        {"id": 4, "user": {"id": 5}, "notes": "record"},
        {"id": 5, "user": {"id": 5}, "notes": ""},
    ]
    assert own_note(journals, "record", "5") == journals[3]
    assert own_note(journals, "record", "7") is None


# --------------------------------------------------------------------------- unresolved anomalies


def anomaly_mapper(**settings: Any) -> mapping.IssueMapper:
    config = RedmineSettings(kind="redmine", **settings)
    return mapper(anomaly=AnomalyRules(config), severity_map=config.severity_map)


def open_raw(*fields: dict[str, Any]) -> dict[str, Any]:
    data = raw(status={"id": 1, "name": "New", "is_closed": False})
    data["custom_fields"] = [*data["custom_fields"], *fields]
    return data


def test_acceptance_fields_by_default_names_and_version_ids() -> None:
    data = open_raw(
        {"id": 20, "name": "Acceptance", "value": "Deferred"},
        {"id": 21, "name": "Accepted for", "multiple": True, "value": ["1", "9"]},
        {"id": 22, "name": "Acceptance expires", "value": "2027-05-01"},
        {"id": 23, "name": "CWE", "value": "CWE-208: Observable Timing Discrepancy"},
    )
    issue = anomaly_mapper().issue(data, {}, {"1": "1.0", "9": "1.9"})
    assert [(a.disposition, a.release, a.target_version) for a in issue.acceptances] == [
        (Disposition.DEFERRED, "1.0", "2.0"),
        (Disposition.DEFERRED, "1.9", "2.0"),
    ]
    assert {a.expires for a in issue.acceptances} == {date(2027, 5, 1)}
    assert {a.justification for a in issue.acceptances} == {"Rate limiting makes it impractical."}
    assert issue.cwe == ("CWE-208",)
    # Version ids to translate: the affects field's and the acceptance's.
    assert anomaly_mapper().version_values(data) == ["1", "1", "9"]


def test_the_journal_that_set_the_acceptance_names_who_and_when() -> None:
    rules = anomaly_mapper()
    issue = rules.issue(open_raw({"id": 20, "name": "Acceptance", "value": "Risk Accepted"}), {})
    journals: list[dict[str, Any]] = [
        {
            "id": 2,
            "user": {"id": 5, "name": "Quinn Officer"},
            "created_on": "2026-11-02T08:30:00Z",
            "notes": "Risk acceptance: physical access only.",
            "details": [
                {"property": "cf", "name": "20", "old_value": "", "new_value": "Risk Accepted"}
            ],
        },
        {  # older, though listed later: journals are ordered by id
            "id": 1,
            "user": {"id": 6, "name": "Someone Else"},
            "created_on": "2026-10-01T08:30:00Z",
            "details": [{"property": "cf", "name": "20", "old_value": "", "new_value": "Deferred"}],
        },
    ]
    assert rules.needs_note_justification(issue.model_copy(update={"justification": None}))
    (acceptance,) = rules.with_journals(issue, journals, "Risk acceptance:").acceptances
    assert acceptance.accepted_by == "Quinn Officer"
    assert acceptance.accepted_on == datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
    assert acceptance.justification == "Rate limiting makes it impractical."  # the field wins


@pytest.mark.parametrize(
    ("field", "needle"),
    [
        ({"id": 20, "name": "Acceptance", "value": "Maybe later"}, "does not map"),
        ({"id": 22, "name": "Acceptance expires", "value": "31/12/2027"}, "not a date"),
        ({"id": 24, "name": "Accepted on", "value": "2026-11-02T08:30:00"}, "UTC offset"),
    ],
)
def test_unreadable_values_raise(field: dict[str, Any], needle: str) -> None:
    deferred = {"id": 20, "name": "Acceptance", "value": "Deferred"}
    data = open_raw(field) if field["id"] == 20 else open_raw(deferred, field)
    with pytest.raises(ValueError, match=needle):
        anomaly_mapper().issue(data, {})


def test_severity_map_and_defaults_turned_off() -> None:
    data = open_raw({"id": 23, "name": "CWE", "value": "CWE-79"})
    issue = anomaly_mapper(severity_map={"LOW": "low"}, cwe_field="").issue(data, {})
    assert issue.severity == "low"
    assert issue.cwe == ()
    assert anomaly_mapper(severity_map={"high": "high"}).issue(data, {}).severity == "low"
