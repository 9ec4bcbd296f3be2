"""The ``[signing]`` settings and each product's ``approval`` policies.

Who may sign is OpenSSH's ``allowed_signers`` file (named here, kept in the
manufacturer's controlled QMS repository, optionally with a revocation file).
What secgate adds per principal (printed name, roles, tracker accounts) lives
here, not as options in that file, because ``ssh-keygen`` rejects options it
does not know. Each product may set an approval policy per record kind
(``[products.P.approval.authorization]``, ``...review``); a kind without one
needs one ``release-manager`` signature, with separation of duties on.

``key`` and ``principal`` are the signing person's own: they usually come from
the environment (``SECGATE_SIGNING__KEY``) rather than the shared file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel

from secgate_tui.domain.approval import ApprovalPolicy, Signer
from secgate_tui.domain.signature import Principal, record_kinds


def _expand(path: Path) -> Path:
    return path.expanduser()


UserPath = Annotated[Path, AfterValidator(_expand)]


class SigningSettings(BaseModel):
    """``[signing]``: the allowed-signers file, revocations, and the configured signers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed_signers: UserPath = Field(
        description="OpenSSH allowed_signers file: principal, options, public key per line."
    )
    revocations: UserPath | None = Field(
        None, description="Revoked keys (a KRL or public keys), as ssh-keygen -Y verify -r."
    )
    signers: dict[Principal, Signer] = Field(
        default_factory=dict, description="Per principal: printed name, roles, tracker accounts."
    )
    key: UserPath | None = Field(
        None,
        description="Your signing key: a .pub file whose private key is in ssh-agent, "
        "or a private key file (its passphrase is asked on the terminal).",
    )
    principal: Principal | None = Field(
        None, description="Your principal, when your key is listed under several."
    )

    def holders(self, role: str) -> list[str]:
        return sorted(p for p, s in self.signers.items() if role in s.roles)


def _known_kinds(value: dict[str, ApprovalPolicy]) -> dict[str, ApprovalPolicy]:
    unknown = sorted(set(value) - set(record_kinds()))
    if unknown:
        raise ValueError(
            f"unknown record kind(s) {', '.join(unknown)}; "
            f"approval policies exist for {', '.join(record_kinds())}"
        )
    return value


ApprovalPolicies = Annotated[dict[str, ApprovalPolicy], AfterValidator(_known_kinds)]


class ApprovalSettings(RootModel[ApprovalPolicies]):
    """``[products.P.approval.<kind>]``: the policy per record kind (authorization, review)."""

    model_config = ConfigDict(frozen=True)

    root: ApprovalPolicies = Field(default_factory=dict)

    def policy(self, record_kind: str) -> ApprovalPolicy:
        """The configured policy of a record kind, else the default (one release-manager)."""
        return self.root.get(record_kind) or ApprovalPolicy()


def unheld_roles(signing: SigningSettings | None, approval: ApprovalSettings) -> list[str]:
    """Roles a policy requires that no configured signer holds (the policy can never be met)."""
    if signing is None:
        return []
    missing = []
    for kind, policy in sorted(approval.root.items()):
        for role in policy.all_of:
            if not signing.holders(role):
                missing.append(f"{kind}: {role}")
    return missing
