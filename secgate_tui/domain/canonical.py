"""Canonical JSON and the digests an auditor can recompute.

Canonical means: sorted keys, no insignificant whitespace, UTF-8 text kept as
is, times in UTC ISO 8601, and lists of issues sorted by (source, key). The same
snapshot therefore always gives the same digest, whatever order a tracker
returned its pages in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from pydantic import TypeAdapter

from secgate_tui.domain.model import Issue

_ISSUES = TypeAdapter(list[Issue])


def canonical_json(value: Any) -> str:
    """Serialize plain JSON data canonically."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def issues_as_json(issues: Iterable[Issue]) -> list[dict[str, Any]]:
    """Issues as plain JSON data, sorted by (source, key)."""
    ordered = sorted(issues, key=lambda issue: (issue.source, issue.key))
    # One call into pydantic-core for the whole list: per-model dumps dominate
    # the gate's cost at 100,000 issues otherwise.
    data: list[dict[str, Any]] = _ISSUES.dump_python(ordered, mode="json")
    return data


def snapshot_digest(issues: Iterable[Issue]) -> str:
    """SHA-256 over the canonical JSON of the evaluated issues."""
    return sha256_hex(canonical_json(issues_as_json(issues)))
