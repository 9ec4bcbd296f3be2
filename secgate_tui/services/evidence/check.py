"""`evidence check`: reproduce a release's verdict from its bundle alone (no tracker,
no network), and re-digest its records.

The checks run in order and stop at the first that does not hold, naming it:
the manifest; the snapshot (each issue against the digest it had at export);
the gate re-evaluated from the bundle's snapshot and inputs against the recorded
verdict; each authorization record (its id derives from its content, its digest
is the one the audit log holds, the latest covers this snapshot and this
configuration); the SBOM/VEX files (those the assessment read, and the ones the
latest record was authorized on); the audit-log entries' chain hashes and the
anchor; signatures.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from secgate_tui.domain import Issue, canonical_json, sha256_hex
from secgate_tui.domain.record import AuthorizationRecord, parse_record
from secgate_tui.services.anchor import parse_anchors
from secgate_tui.services.evidence import layout
from secgate_tui.services.evidence.inputs import GateInputs, verdict_canonical
from secgate_tui.services.evidence.signatures import check_signatures
from secgate_tui.services.evidence.vex_files import VexFileMismatch, check_bundle_files
from secgate_tui.services.store import entry_hash


class Mismatch(Exception):
    """The first thing in the bundle that does not reproduce."""


@dataclass(kw_only=True)
class CheckResult:
    reproduced: bool
    problem: str = ""
    verified: list[str] = field(default_factory=list)


def check_files(files: Mapping[str, bytes], *, allowed_signers: Path | None = None) -> CheckResult:
    """Check a bundle's files (name -> content), read by :mod:`.archive`; signatures are
    verified against ``allowed_signers`` (the auditor's controlled copy) when given."""
    verified: list[str] = []
    try:
        _check(files, verified, allowed_signers)
    except Mismatch as exc:
        return CheckResult(reproduced=False, problem=str(exc), verified=verified)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # A file that parses but has another shape than secgate writes (fail closed).
        problem = f"a file of the bundle is malformed after the last check above ({exc!r})"
        return CheckResult(reproduced=False, problem=problem[:500], verified=verified)
    return CheckResult(reproduced=True, verified=verified)


def _json(files: Mapping[str, bytes], name: str) -> Any:
    try:
        return json.loads(files[name])
    except KeyError:
        raise Mismatch(f"{name} is missing from the bundle") from None
    except ValueError as exc:
        raise Mismatch(f"{name} is not valid JSON ({exc})") from None


def _check(files: Mapping[str, bytes], verified: list[str], allowed_signers: Path | None) -> None:
    _check_manifest(files)
    verified.append(f"manifest: {len(files) - 1} file(s), each with its SHA-256")
    issues = _check_snapshot(files)
    digest = sha256_hex(files[layout.SNAPSHOT])
    verified.append(f"snapshot: {len(issues)} issue(s), sha256:{digest}")
    inputs = _inputs(files)
    verdict = inputs.evaluate(issues)
    recorded = _json(files, layout.VERDICT)
    if verdict_canonical(verdict) != files[layout.VERDICT]:
        raise Mismatch(_verdict_difference(json.loads(verdict_canonical(verdict)), recorded))
    at = inputs.evaluated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    verified.append(
        f"gate re-evaluated at {at}: {verdict.outcome.value}, equal to the recorded verdict"
    )
    records = _check_records(files, inputs, digest, verified)
    if records and not verdict.passed:
        verified.append(
            "note: the verdict at export is BLOCKED although the release has an authorization "
            "record (its data may have been stale at export; see verdict.json's reasons)"
        )
    latest = max(records, key=lambda r: r.authorized_at) if records else None
    try:
        said = check_bundle_files(files, inputs.vulnerability_assessment, latest)
    except VexFileMismatch as exc:
        raise Mismatch(str(exc)) from None
    if said:
        verified.append(said)
    _check_audit(files, records, verified)
    problem, what = check_signatures(files, allowed_signers)
    if problem:
        raise Mismatch(problem)
    verified.append(what)


def _check_manifest(files: Mapping[str, bytes]) -> None:
    data = _json(files, layout.MANIFEST)
    listed = data.get("sha256") if isinstance(data, dict) else None
    if not isinstance(listed, dict) or data.get("kind") != layout.KIND:
        raise Mismatch("manifest.json is not a secgate evidence manifest")
    for name, expected in sorted(listed.items()):
        if name not in files:
            raise Mismatch(f"the manifest lists {name}, which is missing from the bundle")
        if sha256_hex(files[name]) != expected:
            raise Mismatch(f"{name} does not match its SHA-256 in the manifest (it was changed)")
    unlisted = sorted(set(files) - set(listed) - {layout.MANIFEST})
    if unlisted:
        raise Mismatch(f"{unlisted[0]} is in the bundle but not in its manifest (added later)")


def _check_snapshot(files: Mapping[str, bytes]) -> list[Issue]:
    raw = _json(files, layout.SNAPSHOT)
    index = {(s, k): d for s, k, d in _json(files, layout.SNAPSHOT_INDEX)}
    if not isinstance(raw, list):
        raise Mismatch("snapshot.json is not a list of issues")
    issues: list[Issue] = []
    for item in raw:
        text = canonical_json(item)
        try:
            # Validated afresh (no cached text): the digest is of what the model holds.
            issue = Issue.model_validate_json(text)
        except ValidationError as exc:
            raise Mismatch(f"snapshot.json holds an entry that is not an issue ({exc})") from None
        expected = index.pop(issue.uid, None)
        if expected is None:
            raise Mismatch(
                f"issue {issue.key} (source {issue.source}) is in the snapshot but was not "
                "evaluated at export (added later)"
            )
        if sha256_hex(issue.canonical_json()) != expected:
            raise Mismatch(
                f"issue {issue.key} (source {issue.source}) in the snapshot was changed after "
                "export: it is not the issue the gate evaluated"
            )
        issues.append(issue)
    if index:
        source, key = sorted(index)[0]
        raise Mismatch(f"issue {key} (source {source}) was evaluated but is not in the snapshot")
    return issues


def _inputs(files: Mapping[str, bytes]) -> GateInputs:
    try:
        return GateInputs.model_validate_json(files.get(layout.INPUTS, b""))
    except ValidationError as exc:
        raise Mismatch(f"inputs.json does not hold the gate's inputs ({exc})") from None


def _verdict_difference(now: dict[str, Any], recorded: Any) -> str:
    if not isinstance(recorded, dict):
        return "verdict.json is not a verdict"
    first = ["outcome", "snapshot_digest", "reasons"]
    for name in first + sorted((set(now) | set(recorded)) - set(first)):
        if now.get(name) != recorded.get(name):
            return (
                f"the gate re-evaluated from the bundle gives another {name} than the recorded "
                f"verdict (now {json.dumps(now.get(name))[:300]}, recorded "
                f"{json.dumps(recorded.get(name))[:300]})"
            )
    return "the gate re-evaluated from the bundle does not give the recorded verdict"


def _check_records(
    files: Mapping[str, bytes], inputs: GateInputs, digest: str, verified: list[str]
) -> list[AuthorizationRecord]:
    records: list[AuthorizationRecord] = []
    for name in sorted(n for n in files if n.startswith(layout.RECORDS) and n.endswith(".json")):
        try:
            record = parse_record(json.loads(files[name]))
        except (ValueError, ValidationError) as exc:
            raise Mismatch(f"{name} is not a valid authorization record ({exc})") from None
        if record.canonical().encode("utf-8") != files[name]:
            raise Mismatch(f"{name} is not the record's canonical JSON")
        if (record.product, record.release) != (inputs.product, inputs.release):
            raise Mismatch(f"{name} is a record of another release")
        records.append(record)
    if not records:
        verified.append("no authorization record: this release was not authorized")
        return records
    latest = max(records, key=lambda r: r.authorized_at)
    if latest.snapshot_digest != digest:
        raise Mismatch(
            f"the latest authorization record {latest.record_id} covers snapshot "
            f"sha256:{latest.snapshot_digest}, not this bundle's snapshot: the release changed "
            "after it was authorized"
        )
    config = sha256_hex(files.get(layout.CONFIG, b""))
    if latest.config_digest != config:
        raise Mismatch(
            f"config.json (sha256:{config}) is not the configuration the latest record "
            f"{latest.record_id} was authorized under (sha256:{latest.config_digest})"
        )
    verified.append(
        f"{len(records)} authorization record(s); latest {latest.record_id} "
        f"sha256:{latest.record_digest} covers this snapshot and configuration"
    )
    return records


def _check_audit(
    files: Mapping[str, bytes], records: list[AuthorizationRecord], verified: list[str]
) -> None:
    rows = _json(files, layout.AUDIT_ENTRIES)
    logged: dict[str, str] = {}
    by_seq: dict[int, str] = {}
    for row in rows:
        try:
            args = (row["seq"], row["at"], row["kind"], row["product"], row["release"])
            recomputed = entry_hash(*args, row["payload"], row["prev_hash"])
            payload = json.loads(row["payload"])
        except (KeyError, TypeError, ValueError):
            raise Mismatch("audit/entries.json holds an entry that is not an audit entry") from None
        if recomputed != row["hash"]:
            raise Mismatch(f"audit-log entry {row['seq']} does not match its chain hash")
        if by_seq.get(row["seq"] - 1, row["prev_hash"]) != row["prev_hash"]:
            raise Mismatch(f"audit-log entry {row['seq']} does not chain to the one before it")
        by_seq[row["seq"]] = row["hash"]
        if row["kind"] == "authorization" and isinstance(payload, dict):
            logged[str(payload.get("record_digest"))] = canonical_json(payload.get("record"))
    for record in records:
        if logged.get(record.record_digest) != record.canonical():
            raise Mismatch(
                f"record {record.record_id} (sha256:{record.record_digest}) is not the record "
                "the audit log holds"
            )
    note = f"{len(rows)} audit-log entry(ies) re-hashed"
    anchors = parse_anchors(files.get(layout.AUDIT_ANCHOR, b"").decode("utf-8", "replace"))
    if anchors:
        anchor = anchors[0]
        if anchor.seq in by_seq and by_seq[anchor.seq] != anchor.head:
            raise Mismatch(f"the audit-log anchor does not match entry {anchor.seq}")
        if by_seq and max(by_seq) > anchor.seq:
            raise Mismatch("an audit-log entry is newer than the log's head at export")
        note += f"; log head at export: entry {anchor.seq} sha256:{anchor.head}"
    verified.append(note)
