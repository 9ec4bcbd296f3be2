"""The authorization kind's helpers: the fresh sync, the chain of earlier records, the
record issue and the separation-of-duties policy (kept apart from the kind's protocol)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from connectors.base import Connector, ConnectorError, IssueRef
from secgate_tui.config import ConfigError
from secgate_tui.domain import Category, Verdict
from secgate_tui.domain.record import (
    AuthorizationRecord,
    AuthorizerIdentity,
    residual_assigned_to,
)
from secgate_tui.services.authorization_chain import (
    Known,
    known,
    logged_records,
    tracker_authorizations,
)
from secgate_tui.services.context import Context
from secgate_tui.services.gate import evaluate_release
from secgate_tui.services.publish.protocol import Failure, OnStep, Step, StepEvent
from secgate_tui.services.record_issue import (
    create_record_issue,
    find_record_issue,
    record_issue_for,
)
from secgate_tui.services.store import StoreError

AUDIT_KIND = "authorization"


def fresh_sync(
    ctx: Context,
    product: str,
    release: str,
    acks: Mapping[Category, str],
    clock: Callable[[], datetime],
    on_step: OnStep,
) -> tuple[str, Verdict | None] | None:
    """A full sync of every source of the release; (why it failed, verdict if any) or None."""
    on_step(StepEvent(step=Step.SYNC, state="started", detail="full sync of every source"))
    try:
        results = ctx.syncer.sync_release(product, release, full=True)
    except (ConfigError, StoreError) as exc:
        return str(exc), None
    failed = [r for r in results if r.state.error]
    if failed:
        names = "; ".join(
            f"{r.source.tracker} ({r.source.project}): {(r.state.error or '').rstrip('.')}"
            for r in failed
        )
        message = (
            f"the fresh sync failed for {names}. Nothing was written to any tracker; "
            "fix the source and run again."
        )
        verdict, _ = evaluate_release(ctx.config, ctx.store, product, release, clock(), acks)
        return message, verdict
    if results and not any(r.state.release_found for r in results):
        return (
            f"release '{release}' matches no version or milestone of product '{product}' "
            "in any source. Check the name with `secgate releases`.",
            None,
        )
    count = sum(r.count for r in results)
    on_step(StepEvent(step=Step.SYNC, state="done", detail=f"{count} issue(s)"))
    return None


def where_and_who(
    ctx: Context, product: str, release: str
) -> tuple[Connector, IssueRef | None, AuthorizerIdentity] | Failure:
    """The record issue's tracker, the issue (None: none yet) and who you are there."""
    tracker, project, target = record_issue_for(ctx.config.product(product), product, release)
    try:
        connector = ctx.connections.get(tracker)
        if target is None:
            target = find_record_issue(connector, project, product, release)
        me = connector.whoami()
    except ConfigError as exc:
        return Failure(step=Step.BUILD, message=str(exc))
    except ConnectorError as exc:
        return Failure(
            step=Step.BUILD,
            message=f"tracker '{tracker}' could not be asked for the record issue or who "
            f"you are: {exc.message} Nothing was written.",
        )
    identity = AuthorizerIdentity(
        tracker=tracker, id=me.id, name=me.name, display_name=me.display_name
    )
    return connector, target, identity


def known_records(
    ctx: Context,
    connector: Connector,
    tracker: str,
    target: IssueRef | None,
    product: str,
    release: str,
) -> list[Known]:
    """Every earlier authorization of the release: this machine's log and the tracker's.

    Raises:
        ConnectorError: the record issue could not be searched.
    """
    return chain_records(ctx, connector, tracker, target, product, release)[0]


def chain_records(
    ctx: Context,
    connector: Connector,
    tracker: str,
    target: IssueRef | None,
    product: str,
    release: str,
) -> tuple[list[Known], list[AuthorizationRecord]]:
    """:func:`known_records`, and the records found in the tracker themselves.

    Raises:
        ConnectorError: the record issue could not be searched.
    """
    chain = logged_records(ctx.store.audit_entries(AUDIT_KIND, product, release))
    found: list[AuthorizationRecord] = []
    if target is not None:
        found = tracker_authorizations(connector, tracker, target.key, product, release)
    return chain + [known(r) for r in found], found


def record_issue(
    ctx: Context, connector: Connector, product: str, release: str, prepared: str | None
) -> IssueRef:
    """The issue to post on: the one found when preparing, else found again or created.

    Raises:
        ConnectorError: the tracker could not be searched or the issue not created.
    """
    if prepared is not None:
        return IssueRef(key=prepared)
    _, project, _ = record_issue_for(ctx.config.product(product), product, release)
    # Another run (or machine) may have created it since this one prepared.
    found = find_record_issue(connector, project, product, release)
    return found or create_record_issue(connector, project, product, release)


def separation_of_duties(ctx: Context, record: AuthorizationRecord) -> Failure | None:
    """A refusal when the authorizer is the assignee of a residual item and policy forbids it."""
    key = "separation_of_duties"
    if not ctx.config.product_policy(record.product).separation_of_duties:
        return None
    own = residual_assigned_to(record)
    if not own:
        return None
    keys = ", ".join(item.key for item in own)
    who = record.authorizer.display_name or record.authorizer.name
    return Failure(
        step=Step.BUILD,
        blocked=True,
        message=f"separation of duties: {who} is the assignee of residual item(s) {keys} and "
        f"may not authorize this release ({ctx.config.policy_key(record.product, key)}). "
        "Another person must run authorize.",
    )
