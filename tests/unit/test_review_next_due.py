"""What a review record and every place showing the next due date may honestly say.

A signed review counts from the day its approval policy is met, after the record
is written: the record states that rule and the earliest date, and only a place
that has read the signatures gives the date (the same as `review status`).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from secgate_tui.domain.approval import CheckedSignature
from secgate_tui.domain.render import dialect
from secgate_tui.domain.render.review_record import render_review_text
from secgate_tui.domain.review import ReviewRecord, record_json, review_schedule
from secgate_tui.services.review_signoff import (
    LEGACY_UNSIGNED,
    PENDING,
    SIGNED_OFF,
    UNSIGNED,
    SignOff,
    next_due_line,
)
from tests.signing.helpers import DIGEST, message
from tests.unit.test_review_render import NOW, _record


def signed_record() -> ReviewRecord:
    record = _record()
    return record.model_copy(update={"next_due_from": "sign-off"})


def test_an_unsigned_record_keeps_its_layout_and_states_its_due_date() -> None:
    record = _record()
    assert "next_due_from" not in json.loads(record_json(record))
    assert record.next_due == date(2027, 11, 22)
    text = render_review_text(record, dialect("plain"))
    assert "Next review due: 2027-11-22 (every 365 days, IEC 81001-5-1 4.1.8)" in text
    assert next_due_line(record).startswith(
        "Next review due: 2027-11-22 (365 days after 2026-11-22"
    )


def test_a_signed_record_states_the_rule_and_the_earliest_date_not_a_due_date() -> None:
    record = signed_record()
    assert json.loads(record_json(record))["next_due_from"] == "sign-off"
    text = render_review_text(record, dialect("plain"))
    assert "Next review due: 2027-11-22 (every" not in text
    assert (
        "Next review due: 365 days after the day this review's approval policy is met by "
        "signatures, not before 2027-11-22"
    ) in text
    pending = SignOff(state=PENDING, record_id=record.record_id, missing_roles=("qa",))
    for shown in (next_due_line(record), next_due_line(record, pending)):
        assert "not before 2027-11-22" in shown and "does not count as held" in shown
    legacy = SignOff(state=LEGACY_UNSIGNED, record_id=record.record_id)
    assert "not before" in next_due_line(record, legacy)


def test_once_signed_off_the_date_counts_from_the_day_the_policy_was_met() -> None:
    record = signed_record()
    met = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # three days after the record
    m = message("sam@example.com", "qa", record_id=record.record_id, digest=DIGEST, at=met)
    counted = CheckedSignature(message=m, valid=True, posted_at=met)
    done = SignOff(
        state=SIGNED_OFF, record_id=record.record_id, signatures=(counted,), counted=(counted,)
    )
    shown = next_due_line(record, done)
    # What `review status` computes from the same day.
    due = review_schedule(date(2026, 11, 25), 365, met).due
    assert due == date(2027, 11, 25)
    assert shown == (
        "Next review due: 2027-11-25 (365 days after 2026-11-25, the day this review counts from)"
    )
    # With the product's interval changed since, the place showing it uses the current one.
    assert next_due_line(record, done, 180).startswith("Next review due: 2027-05-24 ")


def test_without_signing_a_signed_records_review_counts_from_its_period_end() -> None:
    record = signed_record()
    unsigned = SignOff(state=UNSIGNED, record_id=record.record_id)
    assert next_due_line(record, unsigned).startswith("Next review due: 2027-11-22 ")
    assert record.review_day == NOW.date()
