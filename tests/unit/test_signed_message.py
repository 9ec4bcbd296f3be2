"""The signed message: canonical, versioned, strictly parsed, bound to one record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secgate_tui.domain.canonical import canonical_json
from secgate_tui.domain.signature import (
    MessageError,
    SignedMessage,
    UnknownRecordKindError,
    build_message,
    check_binds,
    format_time,
    namespace,
    parse_message,
    register_namespace,
    verify_time,
)

DIGEST = "ab" * 32
OTHER_DIGEST = "cd" * 32


def message(**overrides: object) -> SignedMessage:
    fields: dict[str, object] = {
        "record_kind": "authorization",
        "record_id": "SRA-0123456789abcdef0123",
        "record_digest": DIGEST,
        "principal": "alice@example.com",
        "name": "Alice Example",
        "role": "release-manager",
        "meaning": "I approve release 2.1 of Infusion Pump Controller for distribution",
        "signed_at": datetime(2026, 12, 7, 14, 3, 11, 999000, tzinfo=UTC),
    }
    fields.update(overrides)
    return build_message(**fields)  # type: ignore[arg-type]


def test_message_text_is_canonical_json_with_every_binding_field() -> None:
    m = message()
    text = m.text()
    assert text.endswith("}\n")
    data = canonical_json(m.as_json())
    assert text == data + "\n"
    assert m.as_json() == {
        "kind": "secgate-signed-message",
        "format": 1,
        "record_kind": "authorization",
        "record_id": "SRA-0123456789abcdef0123",
        "record_digest": DIGEST,
        "principal": "alice@example.com",
        "name": "Alice Example",
        "role": "release-manager",
        "meaning": "I approve release 2.1 of Infusion Pump Controller for distribution",
        "signed_at": "2026-12-07T14:03:11Z",
    }


def test_signing_time_is_utc_to_the_second_with_z() -> None:
    local = datetime(2026, 12, 7, 15, 3, 11, tzinfo=timezone(timedelta(hours=1)))
    assert format_time(local) == "2026-12-07T14:03:11Z"
    assert verify_time("2026-12-07T14:03:11Z") == "20261207140311Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 12, 7))


def test_parse_gives_back_the_message() -> None:
    m = message()
    assert parse_message(m.text()) == m
    assert parse_message(m.data()) == m


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("not json", "not JSON"),
        ("[1]\n", "not a secgate signed message"),
        ('{"kind": "secgate-signed-message", "format": 99}\n', "newer than this secgate"),
    ],
)
def test_parse_rejects_what_is_not_a_message(text: str, why: str) -> None:
    with pytest.raises(MessageError, match=why):
        parse_message(text)


def test_parse_rejects_a_re_encoded_message() -> None:
    m = message()
    pretty = "{\n" + m.text()[1:]  # same JSON, other bytes: not what was signed
    with pytest.raises(MessageError, match="canonical"):
        parse_message(pretty)
    with pytest.raises(MessageError, match="canonical"):
        parse_message(m.text().rstrip("\n"))


def test_parse_rejects_unknown_fields_and_bad_values() -> None:
    data = message().as_json()
    with pytest.raises(MessageError, match="role2"):
        parse_message(canonical_json({**data, "role2": "qa"}) + "\n")
    with pytest.raises(MessageError, match="signed_at"):
        parse_message(canonical_json({**data, "signed_at": "2026-12-07 14:03"}) + "\n")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("principal", "alice example"),
        ("principal", "-oProxyCommand=x"),
        ("role", "Release Manager"),
        ("record_digest", "xyz"),
        ("name", "Alice\nsecgate-signature SRA-1 sha256:" + DIGEST),
        ("meaning", " "),
    ],
)
def test_build_refuses_fields_that_could_confuse_a_reader_or_a_shell(
    field: str, value: str
) -> None:
    with pytest.raises(MessageError, match=field):
        message(**{field: value})


def test_a_signature_cannot_be_moved_to_another_record() -> None:
    m = message()
    check_binds(m, record_kind="authorization", record_id=m.record_id, record_digest=DIGEST)
    with pytest.raises(MessageError, match="cannot be moved"):
        check_binds(m, record_kind="authorization", record_id="SRA-other", record_digest=DIGEST)
    with pytest.raises(MessageError, match="record digest"):
        check_binds(
            m, record_kind="authorization", record_id=m.record_id, record_digest=OTHER_DIGEST
        )
    with pytest.raises(MessageError, match="record kind"):
        check_binds(m, record_kind="review", record_id=m.record_id, record_digest=DIGEST)


def test_each_record_kind_signs_under_its_own_namespace() -> None:
    assert namespace("authorization") == "secgate-release-authorization"
    assert namespace("review") == "secgate-security-review"
    assert message().namespace == "secgate-release-authorization"
    assert message(record_kind="review").namespace == "secgate-security-review"
    with pytest.raises(UnknownRecordKindError, match="evidence"):
        namespace("evidence")
    with pytest.raises(ValueError, match="already bound"):
        register_namespace("evidence", "secgate-release-authorization")
    with pytest.raises(ValueError, match="already bound"):
        register_namespace("review", "secgate-other")


@given(
    name=st.text(min_size=1, max_size=60).map(str.strip).filter(lambda s: s and "\n" not in s),
    meaning=st.text(min_size=1, max_size=200).filter(
        lambda s: s.strip() == s and s and "\n" not in s and "\r" not in s
    ),
)
def test_any_one_line_name_and_meaning_round_trip(name: str, meaning: str) -> None:
    if "\r" in name:
        return
    m = message(name=name, meaning=meaning)
    assert parse_message(m.data()) == m


def test_the_signature_domain_is_pure() -> None:
    import subprocess
    import sys

    modules = [
        "secgate_tui.domain.signature",
        "secgate_tui.domain.approval",
        "secgate_tui.domain.approval_facts",
        "secgate_tui.domain.render.signature",
        "secgate_tui.domain.render.signature_files",
    ]
    code = (
        f"import sys, {', '.join(modules)}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'connectors', 'requests', 'subprocess', 'sqlite3', 'textual', 'rich'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
