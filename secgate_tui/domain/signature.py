"""The signed message: what a signer's SSH signature binds, and the namespace per record kind.

A signature is an OpenSSH SSHSIG over the bytes of :meth:`SignedMessage.text`:
the canonical JSON (sorted keys, compact, UTF-8) of the record kind, record id,
record digest, signer principal, printed name, role, meaning and signing time,
plus a trailing newline. The message names the record by id *and* digest, so a
signature copied to another record (or to an edited one) no longer matches it
(:func:`check_binds`). The SSH namespace depends on the record kind, so an
authorization signature cannot pass for a review signature either.

Parsing is strict: the bytes must be exactly the canonical form of a valid
message, so there is one text per message and what an auditor reads in the
``.msg`` file is what was signed.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from secgate_tui.domain.canonical import canonical_json
from secgate_tui.domain.times import iso_z

MESSAGE_KIND: Final = "secgate-signed-message"
#: Bump when the message's fields change; parsers keep reading every format listed here.
MESSAGE_FORMAT: Final = 1
KNOWN_FORMATS: Final = frozenset({1})

#: SSH signature namespace per record kind. Open: a new record kind registers its own
#: (:func:`register_namespace`); a namespace is never reused for another kind.
_NAMESPACES: dict[str, str] = {
    "authorization": "secgate-release-authorization",
    "review": "secgate-security-review",
}

#: What a principal may look like: it is written into marker lines and shell commands.
PRINCIPAL_PATTERN: Final = r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}"
_PRINCIPAL = re.compile(PRINCIPAL_PATTERN)
_RECORD_ID = re.compile(r"[A-Za-z0-9._-]{1,80}")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_ROLE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_SIGNED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class MessageError(ValueError):
    """A signed message that is not one secgate wrote, or not for this record."""


class UnknownRecordKindError(KeyError):
    """No SSH namespace is registered for the record kind."""


def namespace(record_kind: str) -> str:
    """The SSH signature namespace (``ssh-keygen -n``) of a record kind."""
    try:
        return _NAMESPACES[record_kind]
    except KeyError:
        known = ", ".join(sorted(_NAMESPACES))
        raise UnknownRecordKindError(
            f"no signature namespace for record kind '{record_kind}' (known: {known})"
        ) from None


def register_namespace(record_kind: str, ssh_namespace: str) -> None:
    """Give a new record kind its namespace. Refuses to rebind a kind or reuse a namespace."""
    bound = _NAMESPACES.get(record_kind)
    if bound == ssh_namespace:
        return
    if bound is not None or ssh_namespace in _NAMESPACES.values():
        raise ValueError(f"namespace {ssh_namespace} or kind {record_kind} is already bound")
    _NAMESPACES[record_kind] = ssh_namespace


def record_kinds() -> tuple[str, ...]:
    return tuple(sorted(_NAMESPACES))


def _matches(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"not a valid {what}")
        return value

    return AfterValidator(check)


def _one_line(value: str) -> str:
    if not value.strip() or value != value.strip() or any(c in value for c in "\r\n"):
        raise ValueError("must be one non-blank line without surrounding spaces")
    return value


Principal = Annotated[str, _matches(_PRINCIPAL, "principal")]
Role = Annotated[str, _matches(_ROLE, "role (lowercase letters, digits, dashes)")]
Line = Annotated[str, AfterValidator(_one_line)]


def format_time(at: datetime) -> str:
    """ISO 8601 UTC to the second with ``Z`` (how every person-facing time is written)."""
    if at.tzinfo is None:
        raise ValueError("a signing time must be timezone-aware")
    return iso_z(at)


def verify_time(signed_at: str) -> str:
    """``signed_at`` as ``ssh-keygen -Overify-time`` takes it: ``YYYYMMDDHHMMSSZ``."""
    return parse_time(signed_at).strftime("%Y%m%d%H%M%SZ")


def parse_time(signed_at: str) -> datetime:
    if not _SIGNED_AT.fullmatch(signed_at):
        raise ValueError(f"not a UTC time to the second with Z: {signed_at!r}")
    return datetime.strptime(signed_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _signed_at(value: str) -> str:
    parse_time(value)
    return value


class SignedMessage(BaseModel):
    """What one signer attests about one record (21 CFR 11.50: name, time, meaning)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = MESSAGE_KIND
    format: int = MESSAGE_FORMAT
    record_kind: Annotated[str, _matches(_ROLE, "record kind")]
    record_id: Annotated[str, _matches(_RECORD_ID, "record id")]
    record_digest: Annotated[str, _matches(_DIGEST, "SHA-256 digest")]
    principal: Principal
    name: Line = Field(max_length=200)
    role: Role
    meaning: Line = Field(max_length=2000)
    signed_at: Annotated[str, AfterValidator(_signed_at)]

    @property
    def namespace(self) -> str:
        return namespace(self.record_kind)

    @property
    def signed_time(self) -> datetime:
        return parse_time(self.signed_at)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.model_dump(mode="json")
        return data

    def text(self) -> str:
        """The exact text that is signed (and exported as ``…_sigN.msg``)."""
        return canonical_json(self.as_json()) + "\n"

    def data(self) -> bytes:
        return self.text().encode("utf-8")


def build_message(
    *,
    record_kind: str,
    record_id: str,
    record_digest: str,
    principal: str,
    name: str,
    role: str,
    meaning: str,
    signed_at: datetime,
) -> SignedMessage:
    """The message for a signature made now. Raises MessageError for invalid fields."""
    namespace(record_kind)  # an unknown kind has nothing to sign under
    try:
        return SignedMessage(
            record_kind=record_kind,
            record_id=record_id,
            record_digest=record_digest,
            principal=principal,
            name=name,
            role=role,
            meaning=meaning,
            signed_at=format_time(signed_at),
        )
    except ValidationError as exc:
        raise MessageError(_explain(exc)) from None


def parse_message(text: str | bytes) -> SignedMessage:
    """A message from its signed bytes; only the exact canonical text is accepted."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise MessageError("the signed message is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise MessageError("the signed message is not JSON (it was edited or cut)") from None
    if not isinstance(data, dict) or data.get("kind") != MESSAGE_KIND:
        raise MessageError("the text is not a secgate signed message")
    if data.get("format") not in KNOWN_FORMATS:
        raise MessageError(
            f"signed message format {data.get('format')!r} is newer than this secgate "
            "understands; upgrade secgate to check it"
        )
    try:
        message = SignedMessage.model_validate(data)
    except ValidationError as exc:
        raise MessageError(_explain(exc)) from None
    if message.record_kind not in _NAMESPACES:
        raise MessageError(f"the signed message names an unknown record kind {message.record_kind}")
    if message.text() != text:
        raise MessageError("the signed message is not in canonical form (it was re-encoded)")
    return message


def check_binds(
    message: SignedMessage, *, record_kind: str, record_id: str, record_digest: str
) -> None:
    """Raise MessageError unless ``message`` is about exactly this record (11.70 linking)."""
    wanted = {"record kind": record_kind, "record id": record_id, "record digest": record_digest}
    found = {
        "record kind": message.record_kind,
        "record id": message.record_id,
        "record digest": message.record_digest,
    }
    for what, value in wanted.items():
        if found[what] != value:
            raise MessageError(
                f"the signature by {message.principal} is for {what} {found[what]}, "
                f"not {value}: a signature cannot be moved to another record"
            )


def _explain(exc: ValidationError) -> str:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'message'}: {e['msg']}"
        for e in exc.errors(include_url=False)
    )
    return f"not a valid signed message: {problems}"
