"""The review signature kind: one signer's SSH signature of a periodic review record.

The sign-off of issue 15, through the same protocol and the same comment
format as an authorization's signatures
(:mod:`~secgate_tui.services.publish.kinds.signature`): only what is signed
differs. The record is a review record on the product's review issue, the
policy is the product's review policy, the namespace ``secgate-security-review``.

``review record`` signs the record it has just prepared (at the confirmation);
``approve --review`` signs the newest review record on the review issue, and
only one that already carries a signature: a record with none was written
before review signatures (``legacy-unsigned``), or its reviewer's signature
never reached the tracker, and the reviewer signs it by running ``review
record`` again with the same conclusions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from connectors.base import CommentRef, ConnectorError
from secgate_tui.config import ConfigError
from secgate_tui.domain.approval import CheckedSignature
from secgate_tui.domain.approval_facts import review_facts
from secgate_tui.domain.review import REVIEW_MARKER, ReviewRecord
from secgate_tui.services.anchor import Anchor
from secgate_tui.services.authorization_state import signatures_of
from secgate_tui.services.context import Context
from secgate_tui.services.publish.kind import Wording
from secgate_tui.services.publish.kinds.review_build import review_issue
from secgate_tui.services.publish.kinds.signature import (
    Signable,
    SignatureRecord,
    SignatureSteps,
    plan_signature,
)
from secgate_tui.services.publish.kinds.signature_export import export_beside
from secgate_tui.services.publish.protocol import (
    PUBLISH_STEPS,
    Failure,
    OnStep,
    Prepared,
    Step,
    StepEvent,
)
from secgate_tui.services.review_export import PREFIX
from secgate_tui.services.review_signoff import RECORD_KIND, review_policy
from secgate_tui.services.review_status import product_reviews
from secgate_tui.services.signing import SigningSetupError


@dataclass(frozen=True, kw_only=True)
class ReviewSignatureRequest:
    product: str
    #: The review record to sign (``review record``: the one it just prepared). None:
    #: the newest review record on the review issue (``approve --review``).
    record: ReviewRecord | None = None


class ReviewSignatureKind(SignatureSteps[ReviewSignatureRequest]):
    wording: ClassVar[Wording] = Wording(
        record="the review signature",
        not_done="The signature is NOT recorded.",
        retry="approve --review",
        logged="SIGNED (logged and verified)",
    )
    steps: ClassVar[tuple[Step, ...]] = (Step.BUILD, *PUBLISH_STEPS)

    def prepare(
        self,
        ctx: Context,
        request: ReviewSignatureRequest,
        clock: Callable[[], datetime],
        on_step: OnStep,
    ) -> Prepared[SignatureRecord]:
        product = request.product

        def ended(failure: Failure) -> Prepared[SignatureRecord]:
            on_step(StepEvent(step=Step.BUILD, state="failed", detail=failure.message))
            return Prepared(kind=self, product=product, failure=failure)

        on_step(StepEvent(step=Step.BUILD, state="started"))
        try:
            issue, _ = review_issue(ctx.config, product)
            connector = ctx.connections.get(issue.tracker)
            found = product_reviews(ctx.config, connector, product, issue, clock())
            on_tracker = {f.record.record_id: f.record for f in found.reviews}
            if request.record is None:
                latest = found.latest
                if latest is None:
                    return ended(no_review(product, issue.key))
                record = latest.record
            else:
                record = on_tracker.get(request.record.record_id, request.record)
            signing = ctx.config.settings.signing
            existing: list[CheckedSignature] = []
            if record.record_id in on_tracker:
                existing, _ = signatures_of(signing, connector, issue.key, record)
            if request.record is None and not existing:
                return ended(unsigned_review(product, record.record_id))
            subject = Signable(
                record_kind=RECORD_KIND,
                record=record,
                policy=review_policy(ctx.config, product),
                facts=review_facts(record.record_id, record.record_digest, legacy=not existing),
                release="",
            )
            planned = plan_signature(ctx, product, subject, existing, connector, clock)
        except ConnectorError as exc:
            return ended(
                Failure(
                    step=Step.BUILD,
                    message=f"the tracker could not be read: {exc.message} Nothing was signed.",
                )
            )
        except (ConfigError, SigningSetupError) as exc:
            return ended(Failure(step=Step.BUILD, message=str(exc)))
        if isinstance(planned, Failure):
            return ended(planned)
        signature, plan = planned
        on_step(StepEvent(step=Step.BUILD, state="done", detail=signature.message.principal))
        return Prepared(
            kind=self,
            product=product,
            record=signature,
            tracker=issue.tracker,
            target=issue.key,
            details=plan,
        )

    def export(
        self,
        records_dir: Path,
        record: SignatureRecord,
        tracker: str,
        ref: CommentRef,
        anchor: Anchor | None,
    ) -> tuple[Path, ...]:
        md_path, json_path = review_export_of(records_dir, record.product, record.message.record_id)
        return export_beside(md_path, json_path, record.message, record.armored)


def review_export_of(records_dir: Path, product: str, record_id: str) -> tuple[Path, Path]:
    """The (markdown, json) files the review ``record_id`` was exported to, found by the
    JSON's record id; else names of its own (the record was exported elsewhere)."""
    for candidate in sorted(records_dir.glob(f"{PREFIX}_*.json")):
        try:
            data = json.loads(candidate.read_bytes())
        except (OSError, ValueError):
            continue
        if (
            isinstance(data, dict)
            and data.get("kind") == REVIEW_MARKER
            and data.get("record_id") == record_id
        ):
            return candidate.with_suffix(".md"), candidate
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in product) or "product"
    stem = f"{PREFIX}_{safe}_{record_id}"
    return records_dir / f"{stem}.md", records_dir / f"{stem}.json"


def no_review(product: str, key: str) -> Failure:
    return Failure(
        step=Step.BUILD,
        blocked=True,
        message=f"{product} has no review record on {key} to approve. Record the review "
        "first: secgate review record --product " + product + " --conclusions FILE",
    )


def unsigned_review(product: str, record_id: str) -> Failure:
    return Failure(
        step=Step.BUILD,
        blocked=True,
        message=f"review {record_id} of {product} carries no signature (legacy-unsigned: "
        "written before review signatures, or its reviewer's signature never reached the "
        "tracker), so approve does not add signatures to it. The reviewer signs it first by "
        "running `secgate review record` again with the same conclusions (the record is "
        "adopted, not posted twice); a review written before signatures is recorded afresh. "
        "Nothing was signed.",
    )


REVIEW_SIGNATURE = ReviewSignatureKind()

__all__ = ["REVIEW_SIGNATURE", "ReviewSignatureKind", "ReviewSignatureRequest"]
