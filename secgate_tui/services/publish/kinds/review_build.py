"""The review kind's preparation: the last review, the period's figures, the record.

The period starts at the end of the last review that counts as held (signed off
under the review policy, or any intact record without ``[signing]``), else at
the config's ``last_review``: a newer review still pending signatures is no
review held, so its period is reviewed again and the preparation names it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from connectors.base import ConnectorError
from secgate_tui.config import Config, ConfigError, TrackerIssue
from secgate_tui.domain import canonical_json, sha256_hex
from secgate_tui.domain.review import (
    ReviewConclusions,
    Reviewer,
    ReviewRecord,
    build_review_record,
)
from secgate_tui.domain.review_checks import check_review, refusal
from secgate_tui.domain.review_deployments import DeploymentError
from secgate_tui.domain.review_record import sign_off
from secgate_tui.domain.review_targets import ReviewTargets
from secgate_tui.domain.review_trends import review_trends
from secgate_tui.services.context import Context
from secgate_tui.services.review_actions import action_project
from secgate_tui.services.review_figures import Gathered, review_figures
from secgate_tui.services.review_gather import gather_history, gather_issues, period_start
from secgate_tui.services.review_previous import previous_review
from secgate_tui.services.review_status import FoundReview, held_review, product_reviews
from secgate_tui.services.review_vex import with_vulnerabilities
from secgate_tui.services.signing import SigningSetupError

SameReview = Callable[[ReviewConclusions, ReviewConclusions], bool]


@dataclass(frozen=True, kw_only=True)
class BuiltReview:
    record: ReviewRecord
    #: Your own earlier record with the same conclusions: this review, to adopt.
    earlier: FoundReview | None = None
    #: The records on the review issue when prepared: the newest, and the newest that
    #: counts as held (the one the period starts from); a change by the time of writing
    #: means the period is out of date.
    previous_id: str | None = None
    counted_id: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Refused:
    """The conclusions contradict the figures (or lack what they need): nothing is written."""

    message: str


def review_issue(config: Config, product_id: str) -> tuple[TrackerIssue, str]:
    """The product's review issue and the project its action issues go to.

    Raises:
        ConfigError: no review issue configured.
    """
    product = config.product(product_id)
    if product.review_issue is None:
        raise ConfigError(
            f"products.{product_id}.review_issue is not set: the review record is written to "
            'that tracker issue. Add e.g. review_issue = { tracker = "jira", key = "IPC-2" }.'
        )
    issue = product.review_issue
    return issue, action_project(product, issue.tracker)


def not_a_reviewer(product_id: str, tracker: str, account: str) -> str:
    # A record by an unlisted account would never count as the product's review.
    return (
        f"your account on '{tracker}' (id {account}) is not one of "
        f"products.{product_id}.reviewers.{tracker}, so a review record written by it would "
        "not count. Nothing was written; have a listed reviewer record the review, or add "
        "the account to the config."
    )


def build_review(
    ctx: Context,
    conclusions: ReviewConclusions,
    product_id: str,
    issue: TrackerIssue,
    now: datetime,
    same: SameReview,
) -> BuiltReview | Refused | str:
    """The review's record, why the conclusions cannot be recorded with these figures,
    or why the trackers could not give its figures."""
    # Times a person reads are ISO 8601 to the second: the record's own time and its
    # period's end are whole seconds (records written before keep their precision and
    # re-render as they were).
    now = now.replace(microsecond=0)
    product = ctx.config.product(product_id)
    connections = ctx.connections
    try:
        connector = connections.get(issue.tracker)
        reviewers = product.reviewer_accounts(issue.tracker)
        found = product_reviews(ctx.config, connector, product_id, issue, now)
        latest = found.latest
        me = connector.whoami()
        if me.id not in reviewers:
            return not_a_reviewer(product_id, issue.tracker, me.id)
        # Only your own earlier record is this review retried; the same conclusions
        # from someone else are their review, not yours to adopt.
        if (
            latest is not None
            and latest.comment.author_id == me.id
            and same(latest.record.conclusions, conclusions)
        ):
            return BuiltReview(record=latest.record, earlier=latest, warnings=found.problems)
        # The period starts at the last review that counts as held: one still pending
        # signatures is not a review held, so its period is reviewed again (and named).
        warnings = list(found.problems)
        held = held_review(ctx.config, connector, issue.key, found, warnings)
        counted = held[0] if held else None
        issues, released = gather_issues(ctx.config, connections, product)
        events, history_sources = gather_history(connections, product, issues)
        previous = previous_review(
            connections,
            counted.record if counted else None,
            conclusions.previous_actions,
            now.date(),
        )
    except ConnectorError as exc:
        where = f" ({exc.tracker})" if exc.tracker else ""
        return (
            f"the review data could not be read from the tracker{where}: {exc.message} "
            "Nothing was written; a review must cover every source, so run again when the "
            "tracker answers."
        )
    except SigningSetupError as exc:
        return (
            f"the signatures of the earlier reviews on {issue.key} could not be checked "
            f"({exc}), so it is unknown which review the period starts from. Nothing was "
            "written; fix the signing setup and run again."
        )
    settings = product.review
    try:
        figures = review_figures(
            ctx.config,
            product,
            Gathered(
                issues=issues, released=released, events=events, history_sources=history_sources
            ),
            start=period_start(counted.record.period.end if counted else None, product.last_review),
            now=now,
            previous=counted.record if counted else None,
        )
    except DeploymentError as exc:
        return str(exc)
    metrics = with_vulnerabilities(ctx, product_id, figures.metrics)
    targets = settings.targets if settings else ReviewTargets()
    checks = check_review(metrics, targets, conclusions, previous.actions)
    refused = refusal(checks, conclusions, metrics, previous.actions)
    if refused is not None:
        return Refused(message=refused)
    reviewer = Reviewer(id=me.id, name=me.name, display_name=me.display_name)
    record = build_review_record(
        product=product_id,
        product_name=product.name,
        metrics=metrics,
        conclusions=conclusions,
        reviewer=reviewer,
        interval_days=product.review_interval_days,
        now=now,
        config_digest=sha256_hex(canonical_json(ctx.config.digest_source)),
        targets=targets,
        checks=checks,
        previous_review=previous,
        participants=sign_off(
            reviewer, settings.participants if settings else (), conclusions.participants
        ),
        fda=figures.fda,
        trends=review_trends(issues, product.classification(), now=now),
        signed=ctx.config.settings.signing is not None,
    )
    return BuiltReview(
        record=record,
        previous_id=latest.record.record_id if latest else None,
        counted_id=counted.record.record_id if counted else None,
        warnings=tuple(warnings),
    )
