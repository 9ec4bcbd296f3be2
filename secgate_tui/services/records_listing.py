"""Every authorization and review record, read from the trackers (``secgate records``).

Nothing local is needed: the records are found on each release's record issue
and each product's review issue, so the listing works on a machine that never
authorized anything. An authorization record's state is the release's state
when it is the newest one, else ``superseded``; its signatures are read back
and verified like everywhere else. A review record's state is its sign-off
(``signed-off``, ``pending``, ``legacy-unsigned``; ``unsigned`` without
``[signing]``), from its signatures on the review issue. A tracker that cannot be read is
reported, never skipped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from connectors.base import ConnectorError
from secgate_tui.config import ConfigError
from secgate_tui.domain.review_schedule import next_due as due_after
from secgate_tui.domain.signature import format_time
from secgate_tui.services.authorization_state import (
    SUPERSEDED,
    UNSIGNED,
    RecordIssue,
    read_signatures,
    record_issue,
    state_of,
)
from secgate_tui.services.context import Context
from secgate_tui.services.review_signoff import next_due_line, sign_off
from secgate_tui.services.review_status import product_reviews
from secgate_tui.services.signing import SigningSetupError

#: The state reviews were listed with before review signatures (kept for importers).
RECORDED = "recorded"


@dataclass(frozen=True, kw_only=True)
class ListedRecord:
    kind: str
    product: str
    release: str
    record_id: str
    state: str
    at: str
    by: str
    where: str
    signatures: tuple[dict[str, Any], ...] = ()
    missing_roles: tuple[str, ...] = ()
    #: Document control (authorization records of format 3 on; None before).
    document_number: str | None = None
    revision: int | None = None
    #: Review records only: the day it counts as held and the next review's due date
    #: from it, as `review status` counts them (both None while it does not count),
    #: and that said in one line for a person.
    counts_from: date | None = None
    next_due: date | None = None
    next_due_line: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "document_number": self.document_number,
            "revision": self.revision,
            "kind": self.kind,
            "product": self.product,
            "release": self.release,
            "record_id": self.record_id,
            "state": self.state,
            "at": self.at,
            "by": self.by,
            "where": self.where,
            "signatures": list(self.signatures),
            "missing_roles": list(self.missing_roles),
            **(self._review_json() if self.kind == "review" else {}),
        }

    def _review_json(self) -> dict[str, Any]:
        return {
            "counts_from": self.counts_from.isoformat() if self.counts_from else None,
            "next_due": self.next_due.isoformat() if self.next_due else None,
        }


@dataclass(frozen=True, kw_only=True)
class Listing:
    records: list[ListedRecord] = field(default_factory=list)
    #: What could not be read (the listing is then incomplete, and says so).
    problems: list[str] = field(default_factory=list)


def list_records(ctx: Context, product: str | None = None, release: str | None = None) -> Listing:
    """The records of ``product`` (else every product), of ``release`` if given."""
    listing = Listing()
    products = [product] if product else list(ctx.config.products)
    for pid in products:
        try:
            releases = [release] if release else sorted(ctx.syncer.releases(pid))
        except (ConnectorError, ConfigError) as exc:
            listing.problems.append(f"{pid}: the releases could not be listed: {_text(exc)}")
            releases = []
        for name in releases:
            try:
                _authorizations(ctx, pid, name, listing)
            except (ConnectorError, ConfigError, SigningSetupError) as exc:
                listing.problems.append(f"{pid} {name}: {_text(exc)}")
        if release is None:
            try:
                _reviews(ctx, pid, listing)
            except (ConnectorError, ConfigError) as exc:
                listing.problems.append(f"{pid} reviews: {_text(exc)}")
    return listing


def _text(exc: Exception) -> str:
    return exc.message if isinstance(exc, ConnectorError) else str(exc)


def _authorizations(ctx: Context, product: str, release: str, listing: Listing) -> None:
    issue = record_issue(ctx, product, release)
    if issue.key is None:
        return
    newest = state_of(ctx, product, issue, ctx.clock()) if issue.records else None
    for found in issue.records:
        record = found.record
        if newest is not None and newest.record is not None and found is issue.latest:
            state, signatures = newest.state, [s.as_status() for s in newest.signatures]
            missing = newest.missing_roles
        else:
            state, missing = SUPERSEDED, ()
            signatures = _signatures(ctx, issue, found.record.record_id, record)
        listing.records.append(
            ListedRecord(
                kind="authorization",
                product=product,
                release=release,
                record_id=record.record_id,
                state=state,
                at=format_time(record.authorized_at),
                by=record.authorizer.display_name or record.authorizer.name,
                where=f"{issue.tracker} {issue.key}",
                signatures=tuple(signatures),
                missing_roles=tuple(missing),
                document_number=record.document_number,
                revision=record.revision,
            )
        )


def _signatures(
    ctx: Context, issue: RecordIssue, record_id: str, record: Any
) -> list[dict[str, Any]]:
    if ctx.config.settings.signing is None or issue.key is None:
        return []
    checked, _ = read_signatures(ctx, issue.connector, issue.key, record)
    return [s.as_status() for s in checked]


def _reviews(ctx: Context, product: str, listing: Listing) -> None:
    settings = ctx.config.product(product)
    issue = settings.review_issue
    if issue is None:
        return
    connector = ctx.connections.get(issue.tracker)
    found = product_reviews(ctx.config, connector, product, issue, ctx.clock())
    for review in found.reviews:
        record = review.record
        try:
            signed = sign_off(ctx.config, connector, issue.key, record)
        except SigningSetupError as exc:
            listing.problems.append(f"{product} review {record.record_id}: {exc}")
            continue
        held, interval = signed.held_on(record), settings.review_interval_days
        listing.records.append(
            ListedRecord(
                kind="review",
                product=product,
                release="",
                record_id=record.record_id,
                state=signed.state,
                at=format_time(record.created_at),
                by=record.reviewer.display_name or record.reviewer.name,
                where=f"{issue.tracker} {issue.key}",
                signatures=tuple(s.as_status() for s in signed.signatures),
                missing_roles=signed.missing_roles,
                counts_from=held,
                next_due=due_after(held, interval) if held else None,
                next_due_line=next_due_line(record, signed, interval),
            )
        )
    listing.problems.extend(f"{product} reviews: {p}" for p in found.problems)


__all__ = ["RECORDED", "UNSIGNED", "ListedRecord", "Listing", "list_records"]
