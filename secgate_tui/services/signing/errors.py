"""What can go wrong signing or verifying, each worded for the person who has to act.

Every message is one paragraph: what happened, what it means, what to do. No
message ever carries a passphrase, a private key or an environment dump (secgate
never holds the passphrase: ``ssh-keygen`` asks for it on the terminal or
through ``SSH_ASKPASS``). Verification failures (:class:`InvalidSignatureError`)
are verdicts on a signature; the others are problems of this machine's setup.
"""

from __future__ import annotations


class SignatureError(Exception):
    """Base of every signing or verification problem."""


class SshKeygenMissingError(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            "ssh-keygen (OpenSSH) was not found on PATH, so nothing can be signed or "
            "verified. Install OpenSSH's client tools (Debian/Ubuntu: apt-get install "
            "openssh-client; macOS and Windows 10+ ship it) and run again."
        )


class SigningSetupError(SignatureError):
    """The key, the agent or the allowed-signers file is not usable; nothing was signed."""


class NoAgentError(SigningSetupError):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"the signing key {key} is a public key, so its private half must be in "
            "ssh-agent, but no agent is reachable (SSH_AUTH_SOCK is unset or its socket "
            "is gone). Start ssh-agent and `ssh-add` your key, or set signing.key to the "
            "private key file. Nothing was signed."
        )


class KeyNotInAgentError(SigningSetupError):
    def __init__(self, key: str, fingerprint: str) -> None:
        super().__init__(
            f"ssh-agent does not hold the private key of {key} ({fingerprint}). Run "
            "`ssh-add` with that key (or plug in its hardware token) and run again. "
            "Nothing was signed."
        )


class WrongPassphraseError(SigningSetupError):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"the passphrase for {key} was not accepted, so nothing was signed and "
            "nothing was posted. Run again and type the key's passphrase (the second "
            "component of your electronic signature)."
        )


class NoPassphrasePromptError(SigningSetupError):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"the signing key {key} is protected by a passphrase, but there is no "
            "terminal to ask for it and SSH_ASKPASS is not set. Run secgate in a "
            "terminal, load the key into ssh-agent, or set SSH_ASKPASS to a passphrase "
            "dialog. Nothing was signed."
        )


class KeyFileError(SigningSetupError):
    def __init__(self, key: str, detail: str) -> None:
        super().__init__(
            f"the signing key {key} cannot be used: {detail}. Check signing.key (or "
            "SECGATE_SIGNING__KEY). Nothing was signed."
        )


class AllowedSignersError(SigningSetupError):
    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"the allowed-signers file {path} cannot be used: {detail}. Check "
            "signing.allowed_signers (and signing.revocations); without it no signature "
            "can be verified, so none counts."
        )


class InvalidSignatureError(SignatureError):
    """OpenSSH refused the signature: it does not count."""


class UnknownKeyError(InvalidSignatureError):
    def __init__(self, principal: str, fingerprint: str, allowed: str) -> None:
        super().__init__(
            f"the signature for {principal} was made with key {fingerprint}, which is not "
            f"in the allowed-signers file {allowed}. It does not count. If this is a new "
            "key of an approved signer, have it added to that file under change control."
        )


class WrongPrincipalError(InvalidSignatureError):
    def __init__(self, principal: str, fingerprint: str, owners: list[str]) -> None:
        super().__init__(
            f"the signature claims to be by {principal}, but its key {fingerprint} is "
            f"listed for {', '.join(owners)} in the allowed-signers file. It does not count."
        )


class RevokedKeyError(InvalidSignatureError):
    def __init__(self, principal: str, fingerprint: str, revocations: str) -> None:
        super().__init__(
            f"the key {fingerprint} of {principal} is revoked (listed in {revocations}). "
            "Signatures made with it do not count; the signer needs a new key in the "
            "allowed-signers file."
        )


class ExpiredKeyError(InvalidSignatureError):
    def __init__(self, principal: str, detail: str) -> None:
        super().__init__(
            f"the key of {principal} was not valid at the signing time ({detail}). The "
            "signature does not count; renew the key's valid-before in the "
            "allowed-signers file, or sign with a current key."
        )


class BadSignatureError(InvalidSignatureError):
    def __init__(self, principal: str, detail: str) -> None:
        super().__init__(
            f"the signature by {principal} does not match its message ({detail}): the "
            "message or the signature was altered, or it was made for another purpose. "
            "It does not count."
        )
