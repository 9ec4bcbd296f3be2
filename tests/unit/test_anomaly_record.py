"""The record's security assessment of unresolved anomalies: its rows, its canonical
JSON (absent while empty, so earlier records stay byte for byte) and its table in
every markup, with hostile tracker text kept inside its cell."""

from __future__ import annotations

import html
import json
from datetime import date, timedelta

import pytest

from secgate_tui.domain import (
    Acceptance,
    AnomalyPolicy,
    Category,
    Disposition,
    GatePolicy,
    SourceState,
    evaluate,
)
from secgate_tui.domain.record import build_record, parse_record
from secgate_tui.domain.render import dialect, extract, render_record
from secgate_tui.domain.render.anomaly_table import ATTACHED, NO_CONTROLS, anomaly_table
from tests.unit.test_record_support import CLASSIFICATION, ME, NOW, issue, record_for, snapshot

MARKUPS = ["plain", "jira-wiki", "markdown", "textile"]
HOSTILE = "a | b || c |_. d ||x|| \\| e [link|http://x] *bold* `code`"


def affected_issue(title: str = "Replayed configuration packets", **fields: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "status": "To Do",
        "closed": False,
        "resolution": None,
        "disposition": Disposition.UNKNOWN,
        "fix_versions": ("2.2",),
        "affects_versions": ("2.1",),
        "severity": "High",
        "cwe": ("CWE-294",),
        "acceptances": (
            Acceptance(
                disposition=Disposition.DEFERRED,
                justification="fix ships in 2.2; exploitable only on the service network",
                target_version="2.2",
                accepted_by="r.patel",
                accepted_on=NOW - timedelta(days=3),
                expires=date(2026, 9, 30),
                release="2.1",
            ),
        ),
    }
    values.update(fields)
    return issue("P-98", Category.DEFECT_MANAGEMENT, title, **values)


def record_with_anomaly(title: str = "Replayed configuration packets", **fields: object):  # type: ignore[no-untyped-def]
    members = snapshot()
    verdict = evaluate(
        members,
        [],
        GatePolicy(classification=CLASSIFICATION, anomalies=AnomalyPolicy()),
        NOW,
        [SourceState(source="box", project="P", synced_at=NOW)],
        affected=[affected_issue(title, **fields)],
        release_names=("2.1",),
    )
    assert verdict.passed, verdict.reasons
    return build_record(
        product="ipc",
        product_name="Infusion Pump Controller",
        release="2.1",
        verdict=verdict,
        issues=members,
        classification=CLASSIFICATION,
        authorizer=ME,
        at=NOW,
        secgate_version="0.1.0",
        config_digest="c" * 64,
    )


def test_one_row_per_affected_issue_and_per_residual_item() -> None:
    record = record_with_anomaly()
    rows = {row.key: row for row in record.unresolved_anomalies}
    assert set(rows) == {"P-98", "P-20"}
    assert rows["P-98"].affected and not rows["P-20"].affected
    deferred = rows["P-98"]
    assert (deferred.disposition, deferred.target_version) == (Disposition.DEFERRED, "2.2")
    assert deferred.severity is not None and deferred.severity.value == "high"
    assert (deferred.accepted_by, deferred.expires) == ("r.patel", date(2026, 9, 30))
    assert rows["P-20"].justification == "Only reachable with physical access."
    # The affected issue is in the snapshot; the categories still hold the members only.
    assert "P-98" not in {i.key for c in record.categories for i in c.issues}


def test_the_rows_are_in_the_canonical_json_and_parse_back() -> None:
    record = record_with_anomaly()
    data = json.loads(record.canonical())
    assert [row["key"] for row in data["unresolved_anomalies"]] == ["P-98", "P-20"]
    assert parse_record(data) == record


def test_a_record_without_rows_has_the_canonical_json_it_had_before() -> None:
    record = record_for(snapshot()).model_copy(update={"unresolved_anomalies": ()})
    assert "unresolved_anomalies" not in json.loads(record.canonical())
    # An earlier record (no rows) still renders its residual items as bullets.
    body = render_record(record, dialect("markdown")).body
    assert "Only reachable with physical access" in body and "| Key |" not in body


@pytest.mark.parametrize("markup", MARKUPS)
def test_the_table_has_every_column_in_every_markup(markup: str) -> None:
    body = render_record(record_with_anomaly(), dialect(markup)).body
    human = body.split("secgate-record-json")[0]
    section = human.split("unresolved anomalies")[1]
    for column in ("Severity", "CWE", "Disposition", "Compensating controls", "Expires"):
        assert column in section
    readable = html.unescape(section).replace("\\", "")
    assert "2026-09-30" in readable and "r.patel" in readable and "CWE-294" in readable
    assert NO_CONTROLS in section  # neither issue states a compensating control


@pytest.mark.parametrize("markup", ["jira-wiki", "markdown", "textile"])
def test_hostile_text_stays_in_its_cell(markup: str) -> None:
    record = record_with_anomaly(HOSTILE, compensating_controls=HOSTILE)
    body = render_record(record, dialect(markup)).body
    assert extract(body, "secgate-record").canonical() == record.canonical()
    rows = [line for line in body.splitlines() if line.startswith("|")]
    header, *cells = rows
    columns = header.count("||") - 1 if markup == "jira-wiki" else header.count("|") - 1
    if markup == "markdown":
        cells = cells[1:]  # the delimiter row
        bare = [line.replace("\\\\", "").replace("\\|", "") for line in cells]
        assert all(line.count("|") - 1 == columns for line in bare), cells
    else:
        assert all(line.count("|") - 1 == columns for line in cells), cells


def test_a_shortened_comment_leaves_justifications_to_the_attachment() -> None:
    record = record_with_anomaly()
    full = render_record(record, dialect("markdown")).body
    short = render_record(record, dialect("markdown"), limit=len(full) - 1)
    assert short.attachment is not None  # the full record travels beside the comment
    rows = anomaly_table(record.unresolved_anomalies, dialect("plain"), 0)
    assert all(ATTACHED in row for row in rows[1:])
    assert "fix ships in 2.2" not in "".join(rows)


def test_a_residual_item_names_who_closed_it_with_its_resolution_and_when() -> None:
    members = [
        i.model_copy(update={"resolved_by": "q.officer", "resolved_on": NOW - timedelta(days=2)})
        if i.key == "P-20"
        else i
        for i in snapshot()
    ]
    record = record_for(members)
    (row,) = [r for r in record.unresolved_anomalies if r.key == "P-20"]
    assert (row.accepted_by, row.accepted_on) == ("q.officer", NOW - timedelta(days=2))
    plain = html.unescape(render_record(record, dialect("plain")).body)
    assert "q.officer" in plain
    assert (NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ") in plain


def test_a_residual_item_whose_history_is_unknown_says_not_stated() -> None:
    record = record_for(snapshot())
    (row,) = [r for r in record.unresolved_anomalies if r.key == "P-20"]
    assert (row.accepted_by, row.accepted_on) == (None, None)
    (line,) = [
        line
        for line in anomaly_table(record.unresolved_anomalies, dialect("plain"), 200)
        if line.startswith("P-20")
    ]
    cells = line.split(" | ")
    assert cells[-3:-1] == ["not stated", "not stated"]  # accepted by, accepted on


def test_an_issue_without_who_resolved_it_keeps_its_canonical_json() -> None:
    (plain,) = [i for i in snapshot() if i.key == "P-20"]
    text = plain.canonical_json().decode()
    assert '"resolved_by"' not in text and '"resolved_on"' not in text
    resolved = plain.model_copy(update={"resolved_by": "q", "resolved_on": NOW})
    assert '"resolved_by":"q"' in resolved.canonical_json().decode()
