"""Where a release's authorization records go: the configured issue, else one per release.

Without ``record_issue`` in the product's config, the record issue is found by a
marker in its title in the first source's project, and created when there is
none, so every run and every machine uses the same issue. A lost answer to the
creation is checked by searching again before giving up.
"""

from __future__ import annotations

import re

from connectors.base import (
    AuthError,
    Connector,
    ConnectorError,
    IssueRef,
    NotFoundError,
    NotSupportedError,
)
from secgate_tui.config import Product


def title_marker(product: str, release: str) -> str:
    return f"[secgate:{product}/{release}]"


def record_issue_for(
    settings: Product, product: str, release: str
) -> tuple[str, str, IssueRef | None]:
    """(tracker, project, configured issue or None) of a release's record issue."""
    if settings.record_issue is not None:
        issue = settings.record_issue
        return issue.tracker, "", IssueRef(key=issue.key)
    first = settings.sources[0]
    return first.tracker, first.project, None


def _natural(ref: IssueRef) -> tuple[int, str]:
    digits = re.findall(r"\d+", ref.key)
    return (int(digits[-1]) if digits else 0, ref.key)


def find_record_issue(
    connector: Connector, project: str, product: str, release: str
) -> IssueRef | None:
    """The oldest issue whose title carries the release's marker (None: none yet)."""
    try:
        found = connector.find_issues(project, title_marker(product, release))
    except NotSupportedError as exc:
        raise NotSupportedError(
            f"{exc.message}; configure products.{product}.record_issue "
            "(the issue authorization records are posted on)",
            tracker=exc.tracker,
        ) from None
    return min(found, key=_natural) if found else None


def create_record_issue(connector: Connector, project: str, product: str, release: str) -> IssueRef:
    marker = title_marker(product, release)
    title = f"Security Release Authorization {product} {release} {marker}"
    body = (
        f"secgate posts the security release authorization records of {product} {release} "
        "here (IEC 81001-5-1 5.8). Do not edit or delete the record comments: "
        "`secgate verify` detects any change."
    )
    try:
        return connector.create_issue(project, title, body)
    except (AuthError, NotFoundError, NotSupportedError):
        raise
    except ConnectorError:
        # The tracker may have created it and lost the answer.
        found = find_record_issue(connector, project, product, release)
        if found is None:
            raise
        return found
