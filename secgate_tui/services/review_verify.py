"""Review records read back after the fact: one review's sign-off
(:func:`read_sign_off`, after a signature was posted) and ``verify --review``
(:func:`check_reviews`).

Every review record this machine logged must still be an intact record on the
review issue (an edited or deleted one is named), and every signature of the
newest review is verified with OpenSSH against the allowed-signers file: an
invalid signature, a damaged signature comment, or a signature the audit log
holds that the tracker no longer does is a problem. Writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.base import ConnectorError
from secgate_tui.config import ConfigError
from secgate_tui.services.context import Context
from secgate_tui.services.publish.kinds.review_build import review_issue
from secgate_tui.services.review_signoff import SignOff, sign_off
from secgate_tui.services.review_status import product_reviews
from secgate_tui.services.signing import SigningSetupError

REVIEW_AUDIT_KIND = "review"
SIGNATURE_AUDIT_KIND = "signature"


class ReviewUnreadableError(Exception):
    """The review issue or the allowed-signers file could not be read (exit 2)."""


def read_sign_off(ctx: Context, product: str, record_id: str) -> SignOff:
    """The sign-off of review ``record_id`` as the review issue holds it now.

    Raises:
        ReviewUnreadableError: the tracker or the allowed-signers file could not be
            read, or the review is no longer an intact record on the review issue.
    """
    try:
        issue, _ = review_issue(ctx.config, product)
        connector = ctx.connections.get(issue.tracker)
        found = product_reviews(ctx.config, connector, product, issue, ctx.clock())
        records = {f.record.record_id: f.record for f in found.reviews}
        if record_id not in records:
            raise ReviewUnreadableError(
                f"review {record_id} is no longer an intact review record on {issue.key}"
            )
        return sign_off(ctx.config, connector, issue.key, records[record_id])
    except ConnectorError as exc:
        raise ReviewUnreadableError(
            f"the review issue of {product} could not be read: {exc.message}"
        ) from None
    except (ConfigError, SigningSetupError) as exc:
        raise ReviewUnreadableError(str(exc)) from None


@dataclass(frozen=True, kw_only=True)
class ReviewCheck:
    summary: str
    problems: list[str] = field(default_factory=list)


def check_reviews(ctx: Context, product: str) -> ReviewCheck:
    """What is wrong with the product's review records and the newest one's signatures.

    Raises:
        ReviewUnreadableError: the tracker or the allowed-signers file could not be read.
    """
    try:
        issue, _ = review_issue(ctx.config, product)
        connector = ctx.connections.get(issue.tracker)
        found = product_reviews(ctx.config, connector, product, issue, ctx.clock())
        latest = found.latest
        signed = sign_off(ctx.config, connector, issue.key, latest.record) if latest else None
    except ConnectorError as exc:
        raise ReviewUnreadableError(
            f"the review issue of {product} could not be read: {exc.message}"
        ) from None
    except (ConfigError, SigningSetupError) as exc:
        raise ReviewUnreadableError(str(exc)) from None
    problems = list(found.problems)
    on_tracker = {f.record.record_id for f in found.reviews}
    for entry in ctx.store.audit_entries(REVIEW_AUDIT_KIND, product):
        record_id = entry.payload.get("record_id")
        if record_id not in on_tracker:
            problems.append(
                f"review {record_id} is in the audit log but no longer an intact review "
                f"record on {issue.key} (its comment was edited or deleted)"
            )
    if latest is None or signed is None:
        return ReviewCheck(summary="no review record on the tracker", problems=problems)
    record_id = latest.record.record_id
    problems += [
        f"the signature by {s.message.principal} ({s.message.role}, {s.message.signed_at}) "
        f"of review {record_id} fails: {s.problem}"
        for s in signed.signatures
        if not s.valid
    ]
    problems += [
        f"a signature comment of review {record_id} is damaged ({d})" for d in signed.damaged
    ]
    present = {(s.message.principal, s.message.signed_at) for s in signed.signatures}
    for entry in ctx.store.audit_entries(SIGNATURE_AUDIT_KIND, product):
        message = entry.payload.get("message") or {}
        if message.get("record_kind") != "review" or message.get("record_id") != record_id:
            continue
        if (message.get("principal"), message.get("signed_at")) not in present:
            problems.append(
                f"the signature by {message.get('principal')} of review {record_id} signed at "
                f"{message.get('signed_at')} is in the audit log but no longer in the tracker "
                "(its comment was deleted or edited)"
            )
    valid = sum(1 for s in signed.signatures if s.valid)
    summary = f"review {record_id}: {valid} valid signature(s), {signed.state}"
    return ReviewCheck(summary=summary, problems=problems)
