"""Signing with ssh-keygen: agent keys, passphrase-protected files, and clear refusals."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from secgate_tui.config_signing import SigningSettings
from secgate_tui.domain.approval import Signer
from secgate_tui.services.signing import (
    KeyFileError,
    KeyNotInAgentError,
    NoAgentError,
    NoPassphrasePromptError,
    SigningKey,
    SshKeygenMissingError,
    TrustAnchors,
    WrongPassphraseError,
    fingerprint,
    sign,
    verify,
)
from secgate_tui.services.signing.identity import (
    SigningNotConfiguredError,
    UnknownSignerError,
    signer_principal,
    signing_key,
    trust_anchors,
)
from tests.signing.helpers import message
from tests.signing.keys import Agent, Keys

SECRET = "correct horse battery staple 7"


def test_a_key_in_the_agent_signs_and_verifies(keys: Keys, in_agent: Agent) -> None:
    alice = keys.make("alice@example.com")
    in_agent.add(alice.private)
    alice.private.unlink()  # only the agent holds the private half now
    m = message(alice.principal)
    signature = sign(m, SigningKey.at(alice.public))
    assert signature.armored.startswith("-----BEGIN SSH SIGNATURE-----")
    assert signature.fingerprint == fingerprint(alice.public)
    verified = verify(m, signature.armored, TrustAnchors(allowed_signers=keys.allowed((alice, ""))))
    assert verified.principal == "alice@example.com"
    assert verified.fingerprint == signature.fingerprint


def test_a_passphrase_protected_key_file_signs_with_the_passphrase_from_askpass(
    keys: Keys, askpass: Callable[[str], None]
) -> None:
    bob = keys.make("bob@example.com", passphrase=SECRET)
    askpass(SECRET)
    m = message(bob.principal)
    signature = sign(m, SigningKey.at(bob.private))
    verify(m, signature.armored, TrustAnchors(allowed_signers=keys.allowed((bob, ""))))


def test_a_wrong_passphrase_signs_nothing_and_says_so_without_the_secret(
    keys: Keys, askpass: Callable[[str], None]
) -> None:
    bob = keys.make("bob@example.com", passphrase=SECRET)
    askpass("not the passphrase 42")
    with pytest.raises(WrongPassphraseError) as info:
        sign(message(bob.principal), SigningKey.at(bob.private))
    text = str(info.value)
    assert "passphrase for" in text and "nothing was signed" in text
    assert SECRET not in text and "not the passphrase 42" not in text


def test_no_way_to_ask_for_the_passphrase_is_its_own_error(keys: Keys) -> None:
    bob = keys.make("bob@example.com", passphrase=SECRET)
    try:
        open("/dev/tty").close()
    except OSError:
        pass
    else:
        pytest.skip("this run has a terminal, where ssh-keygen would ask")
    with pytest.raises(NoPassphrasePromptError, match="no terminal"):
        sign(message(bob.principal), SigningKey.at(bob.private))


def test_a_public_key_without_an_agent_is_refused(keys: Keys) -> None:
    alice = keys.make("alice@example.com")
    with pytest.raises(NoAgentError, match="no agent is reachable"):
        sign(message(alice.principal), SigningKey.at(alice.public))


def test_a_key_the_agent_does_not_hold_is_refused(keys: Keys, in_agent: Agent) -> None:
    carol = keys.make("carol@example.com")
    with pytest.raises(KeyNotInAgentError, match="ssh-add") as info:
        sign(message(carol.principal), SigningKey.at(carol.public))
    assert fingerprint(carol.public) in str(info.value)


def test_a_missing_key_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="no such file"):
        sign(message("alice@example.com"), SigningKey.at(tmp_path / "id_ed25519"))


def test_missing_ssh_keygen_is_a_clear_error(
    keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = keys.make("alice@example.com")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(SshKeygenMissingError, match="apt-get install openssh-client"):
        sign(message(alice.principal), SigningKey.at(alice.private))


def test_the_signature_is_over_the_exact_message_bytes(keys: Keys) -> None:
    alice = keys.make("alice@example.com")
    m = message(alice.principal)
    signature = sign(m, SigningKey.at(alice.private))
    sig = keys.root / "m.sig"
    sig.write_text(signature.armored + "\n")
    done = subprocess.run(
        ["ssh-keygen", "-Y", "check-novalidate", "-n", m.namespace, "-s", str(sig)],
        input=m.data(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_principal_is_found_from_the_key_in_the_allowed_signers_file(keys: Keys) -> None:
    alice, bob = keys.make("alice@example.com"), keys.make("bob@example.com")
    allowed = keys.allowed((alice, ""), (bob, 'valid-before="20300101Z"'))
    settings = SigningSettings(
        allowed_signers=allowed,
        signers={
            "alice@example.com": Signer(name="Alice", roles=("qa",)),
            "bob@example.com": Signer(name="Bob", roles=("qa",)),
        },
        key=bob.public,
    )
    assert signer_principal(settings, signing_key(settings)) == "bob@example.com"
    assert signer_principal(settings, SigningKey.at(alice.private)) == "alice@example.com"
    stranger = keys.make("eve@example.com")
    with pytest.raises(UnknownSignerError, match="not in the allowed-signers file"):
        signer_principal(settings, SigningKey.at(stranger.private))
    chosen = settings.model_copy(update={"principal": "alice@example.com"})
    assert signer_principal(chosen, SigningKey.at(stranger.private)) == "alice@example.com"
    with pytest.raises(SigningNotConfiguredError, match=r"signing\.key"):
        signing_key(settings.model_copy(update={"key": None}))
    assert trust_anchors(settings).allowed_signers == allowed
