"""A signature comment in every markup: readable manifestation, strict machine block."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from secgate_tui.domain.render import dialect
from secgate_tui.domain.render.block import BlockError
from secgate_tui.domain.render.signature import (
    extract_signature,
    manifestation,
    render_signature,
    signature_marker,
)
from secgate_tui.domain.render.signature_files import auditor_command, signature_files
from secgate_tui.domain.signature import SignedMessage, build_message

DIGEST = "ab" * 32
FINGERPRINT = "SHA256:Joq28EW9TzcLAkY2whsh96Fo9oWL19OLsmbM1Ov55z0"
ARMORED = "\n".join(
    [
        "-----BEGIN SSH SIGNATURE-----",
        "U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg5J+PPG5bxjqvg30H7aaY3BbDal",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
        "-----END SSH SIGNATURE-----",
    ]
)
DIALECTS = ["plain", "jira-wiki", "markdown", "textile"]


def message(name: str = "Alice Example", meaning: str = "I approve release 2.1") -> SignedMessage:
    return build_message(
        record_kind="authorization",
        record_id="SRA-0123456789abcdef0123",
        record_digest=DIGEST,
        principal="alice@example.com",
        name=name,
        role="release-manager",
        meaning=meaning,
        signed_at=datetime(2026, 12, 7, 14, 3, 11, tzinfo=UTC),
    )


@pytest.mark.parametrize("markup", DIALECTS)
def test_render_then_extract_gives_back_the_signature(markup: str) -> None:
    m = message()
    body = render_signature(m, ARMORED, FINGERPRINT, dialect(markup), product="ipc")
    found = extract_signature(body)
    assert found.message == m
    assert found.armored == ARMORED
    assert found.fingerprint == FINGERPRINT
    assert signature_marker(m) in body.splitlines()
    assert extract_signature(body, record_id=m.record_id, principal=m.principal).message == m


def test_manifestation_states_name_role_utc_time_meaning_and_key() -> None:
    body = render_signature(message(), ARMORED, FINGERPRINT, dialect("plain"))
    assert (
        "Signed by Alice Example (release-manager) on 2026-12-07T14:03:11Z — "
        "Meaning: I approve release 2.1"
    ) in body
    assert f"key {FINGERPRINT}" in body
    assert f"sha256:{DIGEST}" in body


HOSTILE = [
    "x\n" + "secgate-signature SRA-0123456789abcdef0123 sha256:" + "cd" * 32 + " signer:eve",
    "-----END SSH SIGNATURE----- ``` {noformat} </pre> ----",
    "secgate-signature-message: {} [x](http://evil) <script>",
    "\u202eevil\u202c *bold* _it_ #12 @admin",
]


@pytest.mark.parametrize("markup", DIALECTS)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_and_meanings_cannot_forge_or_break_the_block(
    markup: str, hostile: str
) -> None:
    # Names come from configuration and meanings may be long texts: both are escaped.
    name = " ".join(hostile.split())
    m = message(name=name, meaning=name)
    body = render_signature(m, ARMORED, FINGERPRINT, dialect(markup))
    found = extract_signature(body)
    assert found.message == m
    markers = [line for line in body.splitlines() if line.strip().startswith("secgate-signature ")]
    assert markers == [signature_marker(m)]


def body() -> str:
    return render_signature(message(), ARMORED, FINGERPRINT, dialect("markdown"))


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda b: b.replace("Alice Example", "Mallory", 1), None),  # human part: harmless
        (lambda b: b.replace('"name":"Alice', '"name": "Alice'), "not as secgate wrote it"),
        (lambda b: b.replace("signer:alice@", "signer:eve@"), "different records or signers"),
        (lambda b: b.replace("-----END SSH SIGNATURE-----\n", ""), "no END line"),
        (lambda b: b.replace("AAAAAAAAAA==", "AAAA AAA=="), "base64"),
        (lambda b: b + "\n" + b, "2 signature marker lines"),
        (lambda b: re.sub(r"secgate-signature-key: .*", "", b), "no key fingerprint"),
        (lambda b: b.replace("sha256:" + DIGEST, "sha256:" + "cd" * 32), "different records"),
    ],
)
def test_edited_comments_are_refused_with_a_reason(edit: object, why: str | None) -> None:
    edited = edit(body())  # type: ignore[operator]
    if why is None:
        assert extract_signature(edited).message == message()
        return
    with pytest.raises(BlockError, match=why):
        extract_signature(edited)


def test_a_consistent_edit_parses_but_is_another_message() -> None:
    # Parsing cannot know what was signed; OpenSSH verification then refuses the
    # signature (tests/signing). The parsed message is never the original one.
    edited = body().replace("Alice Example", "Mallory Example")
    assert extract_signature(edited).message.name == "Mallory Example"


def test_a_record_comment_is_not_a_signature() -> None:
    with pytest.raises(BlockError, match="no signature marker"):
        extract_signature("secgate-record SRA-1 sha256:" + DIGEST)
    with pytest.raises(BlockError, match="no signature marker"):
        extract_signature(body(), record_id="SRA-other")


def test_export_files_and_the_exact_auditor_command() -> None:
    m = message()
    files = signature_files("Security-Release-Authorization_ipc_2.1", 1, m, ARMORED)
    assert files.msg_name == "Security-Release-Authorization_ipc_2.1_sig1.msg"
    assert files.sig_name == "Security-Release-Authorization_ipc_2.1_sig1.sig"
    assert files.msg == m.data()
    assert files.sig == (ARMORED + "\n").encode()
    assert auditor_command(
        m, allowed_signers="allowed_signers", sig_file=files.sig_name, msg_file=files.msg_name
    ) == (
        "ssh-keygen -Y verify -f allowed_signers -I alice@example.com "
        "-n secgate-release-authorization -s Security-Release-Authorization_ipc_2.1_sig1.sig "
        "-Overify-time=20261207140311Z < Security-Release-Authorization_ipc_2.1_sig1.msg"
    )
    quoted = auditor_command(
        m, allowed_signers="QMS signers", sig_file="a.sig", msg_file="a.msg", revocations="r"
    )
    assert quoted.startswith("ssh-keygen -Y verify -f 'QMS signers' -r r -I")


def test_manifestation_text() -> None:
    assert manifestation(message()) == (
        "Signed by Alice Example (release-manager) on 2026-12-07T14:03:11Z — "
        "Meaning: I approve release 2.1"
    )
