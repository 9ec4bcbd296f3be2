"""Electronic signatures with OpenSSH: sign with the signer's key, verify against allowed signers.

Owns running ``ssh-keygen`` (:mod:`.ssh_keygen`), signing (:mod:`.sign`),
verification with a named cause for every refusal (:mod:`.verify`), their
errors (:mod:`.errors`), finding the signer's key and principal from the
configuration (:mod:`.identity`) and the demo's signing material (:mod:`.demo`). What a
signature means and whether a policy is met is pure and lives in
:mod:`secgate_tui.domain.signature` and :mod:`secgate_tui.domain.approval`.
"""

from secgate_tui.services.signing.errors import (
    AllowedSignersError,
    BadSignatureError,
    ExpiredKeyError,
    InvalidSignatureError,
    KeyFileError,
    KeyNotInAgentError,
    NoAgentError,
    NoPassphrasePromptError,
    RevokedKeyError,
    SignatureError,
    SigningSetupError,
    SshKeygenMissingError,
    UnknownKeyError,
    WrongPassphraseError,
    WrongPrincipalError,
)
from secgate_tui.services.signing.identity import (
    SigningNotConfiguredError,
    UnknownSignerError,
    signer_principal,
    signing_key,
    trust_anchors,
)
from secgate_tui.services.signing.sign import Signature, SigningKey, sign
from secgate_tui.services.signing.ssh_keygen import fingerprint
from secgate_tui.services.signing.verify import (
    TrustAnchors,
    Verified,
    check,
    check_comment,
    find_principals,
    verify,
)

__all__ = [
    "AllowedSignersError",
    "BadSignatureError",
    "ExpiredKeyError",
    "InvalidSignatureError",
    "KeyFileError",
    "KeyNotInAgentError",
    "NoAgentError",
    "NoPassphrasePromptError",
    "RevokedKeyError",
    "Signature",
    "SignatureError",
    "SigningKey",
    "SigningNotConfiguredError",
    "SigningSetupError",
    "SshKeygenMissingError",
    "TrustAnchors",
    "UnknownKeyError",
    "UnknownSignerError",
    "Verified",
    "WrongPassphraseError",
    "WrongPrincipalError",
    "check",
    "check_comment",
    "find_principals",
    "fingerprint",
    "sign",
    "signer_principal",
    "signing_key",
    "trust_anchors",
    "verify",
]
