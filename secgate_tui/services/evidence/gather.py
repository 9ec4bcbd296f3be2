"""`evidence export`: a release's evidence collected from the store, as bundle files.

Nothing is fetched here: the caller syncs first when it wants fresh data. The
audit log's chain must be intact (a broken log cannot vouch for anything), and
the configuration copied must hold no token (it never does: secrets live in the
environment or the keyring; the check guards against a value pasted in the file).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from secgate_tui.domain import Category, Issue, Verdict, canonical_json, sha256_hex
from secgate_tui.domain.canonical import issues_canonical_json, sorted_issues
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.services.acknowledgements import recorded_acknowledgements
from secgate_tui.services.anchor import anchor_line, head_anchor
from secgate_tui.services.context import Context
from secgate_tui.services.evidence import layout
from secgate_tui.services.evidence.inputs import GateInputs, as_canonical, verdict_canonical
from secgate_tui.services.evidence.signatures import signature_files
from secgate_tui.services.evidence.vex_files import VexFileError, bundle_files
from secgate_tui.services.gate import release_activities, release_names
from secgate_tui.services.publish.kinds.authorization_payload import AuthorizationPayload
from secgate_tui.services.store import AuditEntry, StoreError, entry_hash
from secgate_tui.services.sync import release_held, release_split, source_states
from secgate_tui.services.vex_attachments import AttachedInputs
from secgate_tui.services.vex_attachments_kept import attached_for, attached_read
from secgate_tui.services.vex_inputs import VexInputs, assess_release, input_paths

AUTHORIZATION = "authorization"


class EvidenceError(Exception):
    """The evidence cannot be exported; the message says why and what to do."""


@dataclass(frozen=True, kw_only=True)
class Evidence:
    stem: str
    files: dict[str, bytes]
    verdict: Verdict
    records: tuple[AuthorizationRecord, ...]


def gather(
    ctx: Context,
    product: str,
    release: str,
    now: datetime,
    acks: Mapping[Category, str],
    vex_inputs: VexInputs | None = None,
) -> Evidence:
    """Collect the release's evidence. Raises EvidenceError.

    ``vex_inputs``: SBOM/VEX files given on the command line (``authorize --sbom``),
    read instead of the configured ones as the gate read them.
    """
    chain = ctx.store.verify_chain()
    if not chain.ok:
        raise EvidenceError(
            f"the local audit log is broken at entry {chain.first_broken}: {chain.problem}. "
            "It cannot vouch for this release's records; no bundle was written "
            "(`secgate verify --log` shows the same)."
        )
    entries = ctx.store.audit_entries(None, product, release)
    records = tuple(
        AuthorizationPayload.model_validate(e.payload).record
        for e in entries
        if e.kind == AUTHORIZATION
    )
    config = ctx.config
    settings = config.product(product)
    scope = release_split(config, ctx.store, product, release)
    issues = sorted_issues([*scope.members, *scope.affected])
    attached = attached_for(config, ctx.store, product, release)
    inputs = GateInputs(
        product=product,
        release=release,
        policy=settings.gate_policy(
            config.policy, {**recorded_acknowledgements(records), **acks}, product_id=product
        ),
        activities=tuple(release_activities(config, ctx.store, product, release)),
        sources=tuple(source_states(ctx.store, settings.sources, release)),
        held=release_held(ctx.store, product, release),
        evaluated_at=now,
        vulnerability_assessment=assess_release(
            settings=settings.vulnerability_assessment,
            release=release,
            now=now,
            inputs=vex_inputs,
            config_dir=config.path.parent if config.path else None,
            attached=attached,
        ),
        affected=tuple(issue.uid for issue in sorted_issues(scope.affected)),
        release_names=release_names(config, product, release) if scope.affected else (),
    )
    verdict = inputs.evaluate(issues)
    files = _vex_files(ctx, product, release, inputs, vex_inputs, attached)
    files |= {
        layout.SNAPSHOT: issues_canonical_json(issues, presorted=True),
        layout.SNAPSHOT_INDEX: _index(issues),
        layout.INPUTS: as_canonical(inputs),
        layout.CONFIG: _config(ctx),
        layout.VERDICT: verdict_canonical(verdict),
        layout.AUDIT_ENTRIES: _entries(entries),
    }
    for entry in entries:
        if entry.kind == AUTHORIZATION:
            payload = AuthorizationPayload.model_validate(entry.payload)
            record_json, comment = layout.record_names(payload.record_id)
            files[record_json] = payload.record.canonical().encode("utf-8")
            files[comment] = payload.comment_body.encode("utf-8")
    try:
        ids = {record.record_id for record in records}
        files.update(signature_files(entries, ids, config.settings.signing))
    except OSError as exc:
        raise EvidenceError(
            f"the allowed-signers file could not be read for the bundle: {exc.strerror or exc}"
        ) from None
    try:
        anchor = head_anchor(ctx.store)
    except OSError as exc:
        raise EvidenceError(str(exc)) from None
    if anchor is not None:
        files[layout.AUDIT_ANCHOR] = (anchor_line(anchor) + "\n").encode("utf-8")
    files[layout.MANIFEST] = layout.manifest(files)
    stamp = verdict.evaluated_at.strftime("%Y%m%dT%H%M%SZ")
    stem = layout.bundle_stem(product, release, stamp)
    return Evidence(stem=stem, files=files, verdict=verdict, records=records)


def _vex_files(
    ctx: Context,
    product: str,
    release: str,
    inputs: GateInputs,
    given: VexInputs | None,
    attached: AttachedInputs | None,
) -> dict[str, bytes]:
    """The SBOM and VEX files (and attachments) the assessment read, byte for byte."""
    config = ctx.config
    paths = input_paths(
        settings=config.product(product).vulnerability_assessment,
        release=release,
        inputs=given,
        config_dir=config.path.parent if config.path else None,
    )
    try:
        return bundle_files(
            inputs.vulnerability_assessment,
            paths.sbom,
            paths.vex,
            attached_read(attached, given),
        )
    except VexFileError as exc:
        raise EvidenceError(f"the SBOM/VEX files could not be bundled: {exc}") from None


def _index(issues: list[Issue]) -> bytes:
    index = [[i.source, i.key, sha256_hex(i.canonical_json())] for i in issues]
    return canonical_json(index).encode("utf-8")


def _config(ctx: Context) -> bytes:
    text = canonical_json(ctx.config.digest_source)
    for name, tracker in ctx.config.trackers.items():
        variable = getattr(tracker, "token_env", None)
        secret = os.environ.get(variable) if variable else None
        if secret and len(secret) >= 8 and secret in text:
            raise EvidenceError(
                f"the configuration holds the value of tracker '{name}''s token variable "
                f"({variable}); it is never copied into a bundle. Remove it from the file."
            )
    return text.encode("utf-8")


def _entries(entries: list[AuditEntry]) -> bytes:
    """Each entry as the chain hashed it: its time and payload text, with both hashes."""
    rows: list[dict[str, Any]] = []
    for e in entries:
        at = e.at.isoformat()
        payload = canonical_json(e.payload)
        if entry_hash(e.seq, at, e.kind, e.product, e.release, payload, e.prev_hash) != e.hash:
            raise StoreError(
                f"audit entry {e.seq} does not re-hash as read; the log cannot be exported"
            )
        rows.append(
            {
                "seq": e.seq,
                "at": at,
                "kind": e.kind,
                "product": e.product,
                "release": e.release,
                "payload": payload,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
        )
    return canonical_json(rows).encode("utf-8")
