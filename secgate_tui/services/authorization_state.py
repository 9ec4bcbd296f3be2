"""A release's authorization state, read from the tracker: its records and their signatures.

The record issue holds every authorization record of a release and every
signature comment. :func:`read_state` finds the newest intact record written
by the account it names (anyone can type a marker into a comment), reads back
every signature of it, verifies each with OpenSSH against the allowed-signers
file, and lets the approval policy say ``pending`` or ``authorized``.
Without a ``[signing]`` table nothing is signed and the state is ``unsigned``;
a record with no signature comment at all is ``legacy-unsigned`` (written
before signatures, or its first signature never reached the tracker), and never
satisfies a policy that requires signatures.

The CLI's ``authorize``/``approve``/``status``/``releases`` and (later) the
TUI's approve screen call this module; it writes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from connectors.base import Comment, CommentRef, Connector, ConnectorError
from secgate_tui.config import ConfigError
from secgate_tui.config_signing import SigningSettings
from secgate_tui.domain.approval import (
    MAX_SIGN_TO_POST,
    Approval,
    ApprovalPolicy,
    CheckedSignature,
    Refusal,
    State,
    evaluate_approval,
)
from secgate_tui.domain.approval_facts import authorization_facts
from secgate_tui.domain.record import RECORD_KIND, AuthorizationRecord, parse_record
from secgate_tui.domain.render import BlockError, dialect, extract
from secgate_tui.domain.render.signature import (
    extract_signature,
    render_signature,
    signature_marker_prefix,
)
from secgate_tui.domain.review import ReviewRecord
from secgate_tui.domain.signature import format_time
from secgate_tui.services.context import Context
from secgate_tui.services.readback import check_comment, unaltered
from secgate_tui.services.record_issue import find_record_issue, record_issue_for
from secgate_tui.services.signing import SigningSetupError, trust_anchors
from secgate_tui.services.signing import check_comment as check_signature

NONE: Final = "none"
PENDING: Final = "pending"
AUTHORIZED: Final = "authorized"
SUPERSEDED: Final = "superseded"
UNSIGNED: Final = "unsigned"
LEGACY_UNSIGNED: Final = "legacy-unsigned"
UNKNOWN: Final = "unknown"


@dataclass(frozen=True, kw_only=True)
class FoundRecord:
    """An intact authorization record on the record issue, and its comment."""

    record: AuthorizationRecord
    comment: CommentRef


@dataclass(frozen=True, kw_only=True)
class RecordIssue:
    """The release's record issue (``key`` None: none yet) and the records on it, oldest first."""

    tracker: str
    connector: Connector
    key: str | None
    records: tuple[FoundRecord, ...] = ()

    @property
    def latest(self) -> FoundRecord | None:
        return self.records[-1] if self.records else None


@dataclass(frozen=True, kw_only=True)
class AuthorizationState:
    """What ``status``/``releases`` show and ``authorize``/``approve`` decide on."""

    state: str
    record: AuthorizationRecord | None = None
    signatures: tuple[CheckedSignature, ...] = ()
    missing_roles: tuple[str, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    read_at: datetime | None = None
    #: Comments with a signature marker that could not be read as a signature.
    damaged: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "record_id": self.record.record_id if self.record else None,
            "signatures": [s.as_status() for s in self.signatures],
            "missing_roles": list(self.missing_roles),
            "read_at": format_time(self.read_at) if self.read_at else None,
        }


def policy_of(ctx: Context, product: str) -> ApprovalPolicy:
    return ctx.config.product(product).approval.policy("authorization")


def record_issue(ctx: Context, product: str, release: str) -> RecordIssue:
    """The record issue of a release and its intact records.

    Raises:
        ConnectorError, ConfigError: the tracker could not be asked (callers fail closed).
    """
    tracker, project, target = record_issue_for(ctx.config.product(product), product, release)
    connector = ctx.connections.get(tracker)
    if target is None:
        target = find_record_issue(connector, project, product, release)
    if target is None:
        return RecordIssue(tracker=tracker, connector=connector, key=None)
    found: list[FoundRecord] = []
    for comment in connector.find_comments(target.key, RECORD_KIND + " "):
        record = _record(connector, comment)
        if (
            record is not None
            and bool(comment.author_id)
            and comment.author_id == record.authorizer.id
            and record.authorizer.tracker == tracker
            and (record.product, record.release) == (product, release)
        ):
            found.append(FoundRecord(record=record, comment=comment.ref))
    found.sort(key=lambda f: f.record.authorized_at)
    return RecordIssue(tracker=tracker, connector=connector, key=target.key, records=tuple(found))


def _record(connector: Connector, comment: Comment) -> AuthorizationRecord | None:
    try:
        located = extract(comment.body, RECORD_KIND)
        checked = check_comment(connector, comment, RECORD_KIND, located.record_id, None)
        return parse_record(json.loads(checked.canonical))
    except (BlockError, ValueError):
        return None


def read_signatures(
    ctx: Context, connector: Connector, key: str, record: AuthorizationRecord | ReviewRecord
) -> tuple[list[CheckedSignature], list[str]]:
    """Every signature comment of ``record`` (an authorization or a review record) on
    issue ``key``, verified by OpenSSH; and the unreadable ones.

    Raises:
        ConnectorError: the issue could not be searched.
        SigningSetupError: the allowed-signers file is unusable (nothing was judged).
    """
    return signatures_of(ctx.config.settings.signing, connector, key, record)


def signatures_of(
    signing: SigningSettings | None,
    connector: Connector,
    key: str,
    record: AuthorizationRecord | ReviewRecord,
) -> tuple[list[CheckedSignature], list[str]]:
    """:func:`read_signatures` with the ``[signing]`` settings given (no context needed).

    Raises:
        ConnectorError, SigningSetupError: as :func:`read_signatures`.
    """
    anchors = trust_anchors(signing)
    checked: list[CheckedSignature] = []
    damaged: list[str] = []
    for comment in connector.find_comments(key, signature_marker_prefix(record.record_id)):
        try:
            found = extract_signature(comment.body, record.record_id)
        except BlockError as exc:
            damaged.append(f"comment {comment.ref.id}: {exc}")
            continue
        # A signature counts only in the comment as secgate wrote it (issue 19): an edited
        # manifestation ("Signed by ... Meaning: ...") would misstate what was signed.
        expected = render_signature(
            found.message,
            found.armored,
            found.fingerprint,
            dialect(connector.markup),
            product=record.product,
        )
        altered = unaltered(comment, expected, found.message.signed_time, MAX_SIGN_TO_POST)
        if altered is not None:
            damaged.append(f"comment {comment.ref.id}: {altered}")
            continue
        checked.append(check_signature(found, anchors, comment.created))
    return checked, damaged


def evaluate(
    ctx: Context,
    product: str,
    record: AuthorizationRecord,
    signatures: list[CheckedSignature],
) -> Approval:
    """The product's authorization policy over ``signatures`` of ``record``."""
    signing = ctx.config.settings.signing
    signers = signing.signers if signing else {}
    facts = authorization_facts(record, legacy=not signatures)
    return evaluate_approval(policy_of(ctx, product), signers, facts, signatures)


def state_of(ctx: Context, product: str, issue: RecordIssue, now: datetime) -> AuthorizationState:
    """The state of the release whose record issue is ``issue`` (its newest record)."""
    latest = issue.latest
    if latest is None or issue.key is None:
        return AuthorizationState(state=NONE, read_at=now)
    if ctx.config.settings.signing is None:
        return AuthorizationState(state=UNSIGNED, record=latest.record, read_at=now)
    signatures, damaged = read_signatures(ctx, issue.connector, issue.key, latest.record)
    approval = evaluate(ctx, product, latest.record, signatures)
    state = {
        State.AUTHORIZED: AUTHORIZED,
        State.PENDING: PENDING,
        State.LEGACY_UNSIGNED: LEGACY_UNSIGNED,
    }[approval.state]
    return AuthorizationState(
        state=state,
        record=latest.record,
        signatures=tuple(signatures),
        missing_roles=approval.missing_roles,
        refusals=approval.refusals,
        read_at=now,
        damaged=tuple(damaged),
    )


def read_state(ctx: Context, product: str, release: str) -> AuthorizationState:
    """The release's authorization state as the tracker holds it now.

    Raises:
        StateUnreadableError: the tracker or the allowed-signers file could not be read.
    """
    try:
        issue = record_issue(ctx, product, release)
        return state_of(ctx, product, issue, ctx.clock())
    except ConnectorError as exc:
        raise StateUnreadableError(
            f"the record issue of {product} {release} could not be read: {exc.message}"
        ) from None
    except (ConfigError, SigningSetupError) as exc:
        raise StateUnreadableError(str(exc)) from None


class StateUnreadableError(Exception):
    """The authorization state could not be read (the caller shows ``unknown``)."""


def _meta_name(product: str, release: str) -> str:
    return "authorization-state " + json.dumps([product, release])


def unknown(reason: str) -> dict[str, Any]:
    return {
        "state": UNKNOWN,
        "record_id": None,
        "signatures": [],
        "missing_roles": [],
        "read_at": None,
        "reason": reason,
    }


def authorization_status(
    ctx: Context, product: str, release: str, *, offline: bool = False
) -> dict[str, Any]:
    """``authorization`` of ``status --json``/``releases --json``: read from the tracker
    (and kept in the store), or with ``offline`` the last state read, else ``unknown``.

    Raises:
        StoreError: the store could not be read or written.
    """
    name = _meta_name(product, release)
    if offline:
        stored = ctx.store.get_meta(name)
        if stored is None:
            return unknown("offline, and no state was read from the tracker before")
        data: dict[str, Any] = json.loads(stored)
        return data
    try:
        state = read_state(ctx, product, release)
    except StateUnreadableError as exc:
        return unknown(str(exc))
    data = state.as_json()
    ctx.store.set_meta(name, json.dumps(data, sort_keys=True))
    return data


def describe(data: dict[str, Any]) -> str:
    """One line for a person: the state, the record, who signed and what is missing."""
    state = str(data.get("state"))
    parts = [state.upper()]
    if data.get("record_id"):
        parts.append(f"record {data['record_id']}")
    signed = [
        f"{s['name']} ({s['role']}, {s['signed_at']}{'' if s['valid'] else ', INVALID'})"
        for s in data.get("signatures", [])
    ]
    if signed:
        parts.append("signed by " + "; ".join(signed))
    if data.get("missing_roles"):
        parts.append("missing: " + ", ".join(data["missing_roles"]))
    if state == UNSIGNED:
        parts.append("no [signing] table: nobody's signature attests it")
    if data.get("reason"):
        parts.append(str(data["reason"]))
    if data.get("read_at"):
        parts.append(f"read {data['read_at']}")
    return ", ".join(parts)


def signature_problems(ctx: Context, product: str, release: str) -> tuple[list[str], str]:
    """What is wrong with the signatures of the release's newest record, and a summary.

    Each signature is verified by OpenSSH against the allowed-signers file; a
    damaged signature comment, and a signature the local audit log holds but the
    tracker no longer does (deleted, or edited past recognition), are problems too.

    Raises:
        StateUnreadableError: the tracker or the allowed-signers file could not be read.
    """
    state = read_state(ctx, product, release)
    if state.record is None:
        return [], "no record to check signatures of"
    problems = [
        f"the signature by {s.message.principal} ({s.message.role}, {s.message.signed_at}) "
        f"fails: {s.problem}"
        for s in state.signatures
        if not s.valid
    ]
    problems += [f"a signature comment is damaged ({d})" for d in state.damaged]
    found = {(s.message.principal, s.message.signed_at) for s in state.signatures}
    for entry in ctx.store.audit_entries(SIGNATURE_AUDIT_KIND, product, release):
        message = entry.payload.get("message") or {}
        if message.get("record_id") != state.record.record_id:
            continue
        if (message.get("principal"), message.get("signed_at")) not in found:
            problems.append(
                f"the signature by {message.get('principal')} signed at "
                f"{message.get('signed_at')} is in the audit log but no longer in the tracker "
                "(its comment was deleted or edited)"
            )
    valid = sum(1 for s in state.signatures if s.valid)
    summary = f"{valid} valid signature(s) of record {state.record.record_id}: {state.state}"
    return problems, summary


SIGNATURE_AUDIT_KIND: Final = "signature"
