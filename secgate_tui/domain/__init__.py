"""The pure core of secgate: model, classification, gate, digests.

Nothing here performs I/O or imports textual or a connector, so the standard's
rules can be tested exhaustively and evaluated anywhere.
"""

from secgate_tui.domain.anomalies import AnomalyPolicy, AnomalyResult
from secgate_tui.domain.canonical import canonical_json, sha256_hex, snapshot_digest
from secgate_tui.domain.classify import CategoryRule, Classification
from secgate_tui.domain.gate import (
    CategoryPolicy,
    CategoryResult,
    Finding,
    GatePolicy,
    Outcome,
    ResidualItem,
    Verdict,
    evaluate,
)
from secgate_tui.domain.model import (
    Acceptance,
    Activity,
    ActivityScope,
    ActivityState,
    Category,
    Disposition,
    DocumentEvidence,
    Issue,
    IssueEvidence,
    Severity,
    SourceState,
)

__all__ = [
    "Acceptance",
    "Activity",
    "ActivityScope",
    "ActivityState",
    "AnomalyPolicy",
    "AnomalyResult",
    "Category",
    "CategoryPolicy",
    "CategoryResult",
    "CategoryRule",
    "Classification",
    "Disposition",
    "DocumentEvidence",
    "Finding",
    "GatePolicy",
    "Issue",
    "IssueEvidence",
    "Outcome",
    "ResidualItem",
    "Severity",
    "SourceState",
    "Verdict",
    "canonical_json",
    "evaluate",
    "sha256_hex",
    "snapshot_digest",
]
