"""What the screens show, computed once from a verdict and its issues.

Widgets receive these frozen values and nothing else: no connector, no store,
no tracker error type. Equality is meaningful, so a refresh that changed
nothing is detected by comparing values and costs no repaint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from pydantic import TypeAdapter

from secgate_tui.config import Config
from secgate_tui.domain import Category, CategoryResult, Finding, Issue, Verdict
from secgate_tui.domain.gate import ActivityResult
from secgate_tui.domain.review_schedule import ReviewSchedule, review_schedule
from secgate_tui.domain.times import iso_z
from secgate_tui.domain.vex import AssessedVulnerability, VulnerabilityAssessment
from secgate_tui.services.board import BoardService, Evaluated

#: What a row is: it blocks, it is a residual item (closed without a fix, justified),
#: or it is closed with an accepted disposition.
BLOCKING, RESIDUAL, CLOSED = "blocking", "residual", "closed"
#: A vulnerability still in the product that does not block (affected, with a
#: response and, where needed, a linked risk acceptance).
OPEN = "open"


@dataclass(frozen=True)
class IssueRow:
    """One item as a board lists it: blocking items first, then residual, then closed."""

    source: str
    key: str
    title: str
    status: str
    age_days: int | None
    #: Why it blocks; for a residual item its disposition and justification; for a
    #: closed one its disposition.
    reason: str
    kind: str = BLOCKING


@dataclass(frozen=True)
class CategoryView:
    result: CategoryResult
    rows: tuple[IssueRow, ...]

    @property
    def category(self) -> Category:
        return self.result.category


@dataclass(frozen=True)
class VulnerabilityRow:
    """One finding (a vulnerability of one component) as the vulnerability board lists it."""

    vulnerability: str
    component: str
    #: The normalized state (as the record counts it) and the document's own word.
    state: str
    raw_state: str
    #: The justification, else the response / action statement.
    said: str
    linked_issue: str
    #: Why it blocks; "" when it does not.
    reason: str
    detail: str
    kev: bool
    kind: str = BLOCKING


@dataclass(frozen=True)
class VulnerabilityView:
    """The seventh gate check (SBOM/VEX) as its board shows it: blocking findings first,
    then the open ones; settled findings (resolved, justified not_affected or
    false_positive) are only counted, as in the record."""

    passed: bool
    #: Findings in all, and those settled without blocking.
    findings: int
    settled: int
    counts: tuple[tuple[str, int], ...]
    #: The SBOM and each VEX document read, one line each.
    inputs: tuple[str, ...]
    #: Every reason the check blocks (the gate's words, without their common prefix).
    reasons: tuple[str, ...]
    rows: tuple[VulnerabilityRow, ...]

    @property
    def blocking(self) -> int:
        return sum(1 for row in self.rows if row.kind == BLOCKING)


_PREFIX = "vulnerability assessment: "


def _finding_row(item: AssessedVulnerability) -> VulnerabilityRow:
    return VulnerabilityRow(
        vulnerability=item.vulnerability,
        component=item.component,
        state=item.state.value,
        raw_state=item.raw_state,
        said=item.justification or item.response,
        linked_issue=item.linked_issue or "",
        reason=item.reason or "",
        detail=item.detail,
        kev=item.kev,
        kind=BLOCKING if item.reason is not None else OPEN,
    )


def vulnerability_view(assessment: VulnerabilityAssessment | None) -> VulnerabilityView | None:
    """The check's board; None when the release has no SBOM/VEX check."""
    if assessment is None:
        return None
    rows = sorted(
        (_finding_row(item) for item in assessment.open),
        # Blocking first, KEV-listed first among them; else the assessment's order.
        key=lambda row: (row.kind != BLOCKING, not row.kev),
    )
    inputs = []
    if assessment.sbom is not None:
        sbom = assessment.sbom
        inputs.append(
            f"SBOM {sbom.name} (CycloneDX {sbom.spec_version}): {sbom.component_count} "
            f"components, version {sbom.release_version or '(none)'}, sha256:{sbom.digest[:16]}"
        )
    for document in assessment.documents:
        at = iso_z(document.assessed_at) if document.assessed_at else "no timestamp"
        inputs.append(f"{document.format} {document.name}: assessed {at}")
    findings = sum(assessment.counts.values())
    return VulnerabilityView(
        passed=assessment.passed,
        findings=findings,
        settled=findings - len(assessment.open),
        counts=tuple(assessment.counts.items()),
        inputs=tuple(inputs),
        reasons=tuple(r.removeprefix(_PREFIX) for r in assessment.reasons),
        rows=tuple(rows),
    )


@dataclass(frozen=True)
class ReleaseChoice:
    product: str
    release: str
    released: bool


@dataclass(frozen=True)
class ReviewView:
    """A product's periodic review as the UI shows it."""

    product: str
    name: str
    schedule: ReviewSchedule | None
    problem: str = ""
    #: Where the last review date came from: "tracker" (a review record),
    #: "config" (last_review) or "none".
    source: str = "config"
    recorded_by: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def overdue(self) -> bool:
        return self.schedule is None or self.schedule.state.value == "overdue"


def config_review(config: Config, product: str, now: datetime) -> ReviewView:
    """The review schedule as the config's ``last_review`` gives it (no tracker call)."""
    settings = config.product(product)
    try:
        schedule = review_schedule(settings.last_review, settings.review_interval_days, now)
    except ValueError as exc:
        return ReviewView(product, settings.name, None, problem=str(exc))
    return ReviewView(product, settings.name, schedule)


@dataclass(frozen=True)
class BoardState:
    """Everything the board screen shows for one product and release."""

    product: str
    product_name: str
    release: str
    verdict: Verdict
    categories: tuple[CategoryView, ...]
    unclassified: tuple[IssueRow, ...]
    activities: tuple[ActivityResult, ...]
    review: ReviewView
    stale: tuple[str, ...]
    issues: Mapping[tuple[str, str], Issue] = field(default_factory=dict, compare=False, repr=False)
    #: Listed issues as canonical JSON, parsed when opened: how a board
    #: arrives from the sync process (bytes cross a process boundary cheaply;
    #: thousands of models would hold the UI's interpreter lock to unpickle).
    issue_json: Mapping[tuple[str, str], bytes] = field(
        default_factory=dict, compare=False, repr=False
    )
    #: Shown from the last session's saved board while the release is evaluated
    #: afresh: a hint, never a verdict (the banner says so, and shows no PASS).
    provisional: bool = False
    #: The SBOM/VEX check's board; None when the release has no such check.
    vulnerabilities: VulnerabilityView | None = None

    @property
    def title(self) -> str:
        return f"{self.product} {self.release}"


def _age_days(issue: Issue | None, today: date) -> int | None:
    if issue is None:
        return None
    return max(0, (today - issue.created.date()).days)


def rows_for(
    findings: Sequence[Finding], issues: Mapping[tuple[str, str], Issue], now: datetime
) -> tuple[IssueRow, ...]:
    today = now.date()
    return tuple(
        IssueRow(
            source=f.source,
            key=f.key,
            title=f.title,
            status=f.status,
            age_days=_age_days(issues.get((f.source, f.key)), today),
            reason=f.reason,
        )
        for f in findings
    )


def accepted_rows(
    result: CategoryResult,
    issues: Mapping[tuple[str, str], Issue],
    now: datetime,
    ordered: Sequence[Issue] | None = None,
) -> tuple[IssueRow, ...]:
    """The category's items that do not block: residual ones, then the others closed
    (in ``ordered``'s order: the release's issues sorted once for every category)."""
    today = now.date()
    residual = tuple(
        IssueRow(
            source=item.source,
            key=item.key,
            title=item.title,
            status=_status(issues.get((item.source, item.key))),
            age_days=_age_days(issues.get((item.source, item.key)), today),
            reason=f"{item.disposition.value} (residual): {item.justification}",
            kind=RESIDUAL,
        )
        for item in result.residual
    )
    listed = {(row.source, row.key) for row in residual}
    listed.update((f.source, f.key) for f in result.blocking)
    wanted = set(result.keys)
    closed = tuple(
        IssueRow(
            source=issue.source,
            key=issue.key,
            title=issue.title,
            status=issue.status,
            age_days=_age_days(issue, today),
            reason=issue.disposition.value,
            kind=CLOSED,
        )
        for issue in (ordered if ordered is not None else sorted(issues.values(), key=_uid))
        if issue.key in wanted and issue.uid not in listed
    )
    return residual + closed


def _uid(issue: Issue) -> tuple[str, str]:
    return issue.uid


def _status(issue: Issue | None) -> str:
    return issue.status if issue is not None else ""


def stale_reasons(verdict: Verdict) -> tuple[str, ...]:
    """Why the data on screen may be out of date: failing or unsynced sources."""
    reasons = []
    for state in verdict.sources:
        name = f"{state.source} ({state.project})"
        if state.error:
            reasons.append(f"{name}: {state.error}")
        elif state.synced_at is None and state.release_found:
            reasons.append(f"{name}: never synced")
    return tuple(reasons)


def board_state(
    product: str,
    product_name: str,
    release: str,
    verdict: Verdict,
    issues: Sequence[Issue],
    review: ReviewView,
    now: datetime,
) -> BoardState:
    by_uid = {issue.uid: issue for issue in issues}
    ordered = sorted(issues, key=_uid)
    return BoardState(
        product=product,
        product_name=product_name,
        release=release,
        verdict=verdict,
        categories=tuple(
            CategoryView(
                result,
                rows_for(result.blocking, by_uid, now)
                + accepted_rows(result, by_uid, now, ordered),
            )
            for result in verdict.categories
        ),
        unclassified=rows_for(verdict.unclassified, by_uid, now),
        activities=verdict.activities,
        review=review,
        stale=stale_reasons(verdict),
        issues=by_uid,
        vulnerabilities=vulnerability_view(verdict.vulnerability_assessment),
    )


def present(
    board: BoardService, evaluated: Evaluated, review: ReviewView, *, save: bool
) -> BoardState:
    """The board for an evaluated release; with ``save`` (a fresh read, no
    acknowledgements) also what the next start paints first."""
    product = board.ctx.config.product(evaluated.product)
    state = board_state(
        evaluated.product,
        product.name,
        evaluated.release,
        evaluated.verdict,
        evaluated.issues,
        review,
        evaluated.now,
    )
    if save and evaluated.fresh:
        board.save_board(evaluated.product, evaluated.release, encode_board(state).decode())
    return state


_SAVED = TypeAdapter(BoardState)


def encode_board(state: BoardState) -> bytes:
    """The board without its issues, for the next start's first paint."""
    return _SAVED.dump_json(state, exclude={"issues", "issue_json"})


def decode_board(data: str | bytes) -> BoardState:
    """A saved board, marked provisional (raises ValueError when unreadable)."""
    return replace(_SAVED.validate_json(data), provisional=True, issues={}, issue_json={})


def for_transfer(state: BoardState) -> BoardState:
    """The board with only the issues it lists, as text (the issue view needs no others)."""
    listed = [row for view in state.categories for row in view.rows]
    listed.extend(state.unclassified)
    issues = state.issues
    keep = {
        (row.source, row.key): issues[(row.source, row.key)].canonical_json()
        for row in listed
        if (row.source, row.key) in issues
    }
    return replace(state, issues={}, issue_json=keep)
