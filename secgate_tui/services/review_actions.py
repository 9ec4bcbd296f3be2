"""Improvement actions of a review as tracker issues, labelled as corrective actions.

Each issue's title carries a tag derived from the product, the review period's
start and the action (``[secgate-action 1a2b3c4d5e]``), which stays the same
when an interrupted ``review record --create-actions`` is run again, so the
retry finds the issues it created before instead of creating them twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from connectors.base import Connector, NotSupportedError
from secgate_tui.config import Product
from secgate_tui.domain import canonical_json, sha256_hex
from secgate_tui.domain.review import ActionLink, ImprovementAction, ReviewRecord

#: The label that marks an issue as a corrective action (ISO 13485 8.5.2).
CORRECTIVE_ACTION_LABEL: Final = "corrective-action"
TAG: Final = "secgate-action"


def action_tag(record: ReviewRecord, number: int, action: ImprovementAction) -> str:
    """``[secgate-action <10 hex>]``: stable across retries of the same review."""
    start = record.period.start.isoformat() if record.period.start else "beginning"
    identity = canonical_json([record.product, start, number, action.title])
    return f"[{TAG} {sha256_hex(identity)[:10]}]"


def action_project(product: Product, tracker: str) -> str:
    """Where action issues go: the product's first source on the review issue's tracker."""
    for source in product.sources:
        if source.tracker == tracker:
            return source.project
    return product.sources[0].project


def action_body(record: ReviewRecord, action: ImprovementAction) -> str:
    start = record.period.start.date().isoformat() if record.period.start else "the beginning"
    lines = [
        f"Corrective action decided by the security management review of "
        f"{record.product_name or record.product} ({record.product}) for the period "
        f"{start} to {record.period.end.date().isoformat()} (IEC 81001-5-1 4.1.8).",
        "",
        f"Owner: {action.owner}",
        f"Due: {action.due.isoformat()}",
    ]
    if action.description:
        lines += ["", action.description]
    return "\n".join(lines) + "\n"


def create_action_issues(
    connector: Connector, project: str, record: ReviewRecord, note: Callable[[str], None]
) -> list[ActionLink | None]:
    """One issue per action, reusing any an earlier attempt created; links in action order.

    Raises:
        ConnectorError: the tracker refused or failed (issues created so far are
            found again by their tag on the next run).
    """
    tracker = connector.name
    links: list[ActionLink | None] = []
    searchable = True
    for number, action in enumerate(record.conclusions.actions, start=1):
        tag = action_tag(record, number, action)
        existing = []
        if searchable:
            try:
                existing = connector.find_issues(project, tag)
            except NotSupportedError:
                searchable = False
                note(
                    f"tracker '{tracker}' cannot search issues by title, so a retry after an "
                    "interruption could create an action issue twice"
                )
        if existing:
            ref = existing[0]
            note(f"action {number}: reusing {ref.key}, created by an earlier attempt")
        else:
            title = f"Corrective action: {action.title} {tag}"
            ref = connector.create_issue(
                project, title, action_body(record, action), [CORRECTIVE_ACTION_LABEL]
            )
        links.append(ActionLink(source=tracker, key=ref.key, url=ref.url))
    return links
