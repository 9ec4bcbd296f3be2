"""The bundle's format: its file name, its members and its manifest.

The archive holds one directory named like the archive (so extracting it by
hand puts every file in one place) with these files, all UTF-8 JSON unless said:

- ``snapshot.json``: every evaluated issue's canonical JSON, exactly the bytes
  the gate digested (its SHA-256 is the snapshot digest);
- ``snapshot-index.json``: per issue (source, key), the SHA-256 of its canonical
  JSON, so a changed issue can be named;
- ``inputs.json``: every other input of the gate (policy, activities, source
  states, what each category held, the evaluation time, product and release);
- ``config.json``: the configuration as digested into records (no secrets: the
  file never holds one, only the names of the variables that do);
- ``verdict.json``: the verdict the gate gave;
- ``records/<record id>.json``: each authorization record's canonical JSON and
  ``records/<record id>.comment.txt`` the tracker comment as read back;
- ``audit/entries.json``: the audit-log entries for the release with their
  chain hashes, and ``audit/anchor.txt`` the log's head at export;
- ``signatures/<n>.msg`` and ``.sig``: each signed approval of a record, with the
  allowed-signers file (and revocations) in force at export (see :mod:`.signatures`);
- ``vulnerability/sbom/<name>`` and ``vulnerability/vex/<n>-<name>``: the SBOM and
  VEX files the vulnerability assessment read, byte for byte (see :mod:`.vex_files`;
  absent from bundles written before, and for products without the check);
- ``manifest.json``: the SHA-256 of every other file.
"""

from __future__ import annotations

import re
from typing import Any, Final

from secgate_tui.domain import canonical_json, sha256_hex

PREFIX: Final = "Software-Release-Record"
KIND: Final = "secgate-evidence"
FORMAT: Final = 1

MANIFEST: Final = "manifest.json"
SNAPSHOT: Final = "snapshot.json"
SNAPSHOT_INDEX: Final = "snapshot-index.json"
INPUTS: Final = "inputs.json"
CONFIG: Final = "config.json"
VERDICT: Final = "verdict.json"
RECORDS: Final = "records/"
AUDIT_ENTRIES: Final = "audit/entries.json"
AUDIT_ANCHOR: Final = "audit/anchor.txt"
SIGNATURES: Final = "signatures/"


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "_", part).strip(".") or "_"


def bundle_stem(product: str, release: str, stamp: str) -> str:
    """``Software-Release-Record_<product>_<release>_<UTC time>``; when making a name
    safe changed it, a short hash of the raw names tells two releases apart."""
    stem = f"{PREFIX}_{_safe(product)}_{_safe(release)}_{stamp}"
    if any(_safe(name) != name for name in (product, release)):
        stem += "_" + sha256_hex(canonical_json([product, release]))[:10]
    return stem


def manifest(files: dict[str, bytes]) -> bytes:
    """The manifest over ``files`` (name -> content), as canonical JSON."""
    data: dict[str, Any] = {
        "kind": KIND,
        "format": FORMAT,
        "sha256": {name: sha256_hex(content) for name, content in sorted(files.items())},
    }
    return canonical_json(data).encode("utf-8")


def record_names(record_id: str) -> tuple[str, str]:
    return f"{RECORDS}{record_id}.json", f"{RECORDS}{record_id}.comment.txt"
