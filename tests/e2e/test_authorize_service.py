"""The authorization service as the terminal UI drives it: prepare, then commit.

Trackers that misbehave are real sandbox connectors with one behaviour changed
(a tracker rewriting comments, one with a small comment limit), installed in
the context's connections the way the registry would have created them.
"""

from __future__ import annotations

import argparse
import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import pytest

from connectors.base import Comment, CommentRef
from connectors.sandbox import SandboxConnector
from connectors.sandbox.tracker import Data
from secgate_tui.commands.context import Context
from secgate_tui.domain.render import dialect, render_record
from secgate_tui.services.authorization import Authorizer, Step, StepEvent
from secgate_tui.services.sync import utcnow
from secgate_tui.services.verify import verify
from tests.e2e.test_authorize_support import Setup


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    s = Setup(tmp_path)
    s.write_config()
    return s


@pytest.fixture
def ctx(setup: Setup) -> Iterator[Context]:
    with setup.context() as context:
        yield context


def install(ctx: Context, cls: type[SandboxConnector]) -> SandboxConnector:
    connector = cls("sandbox", ctx.config.trackers["sandbox"], None)
    ctx.connections._connectors["sandbox"] = connector
    return connector


def test_prepare_writes_nothing_and_commit_completes(setup: Setup, ctx: Context) -> None:
    ctx.syncer.sync_release("ipc", "2.0")  # seeds the sandbox file
    before = setup.raw()
    events: list[StepEvent] = []
    authorizer = Authorizer(ctx)
    prep = authorizer.prepare("ipc", "2.0", {}, events.append)
    assert setup.raw() == before
    assert prep.ready and prep.record is not None and prep.target is None
    assert prep.record.marker in prep.rendered
    assert [(e.step, e.state) for e in events if e.state != "started"] == [
        (Step.SYNC, "done"),
        (Step.EVALUATE, "done"),
        (Step.BUILD, "done"),
    ]
    result = authorizer.commit(prep, events.append)
    assert result.authorized and result.failed_step is None and not result.blocked
    assert result.comment is not None and result.record == prep.record
    assert all(path.exists() for path in result.exports) and [p.suffix for p in result.exports] == [
        ".md",
        ".json",
        ".pdf",
    ]
    done = [e.step for e in events if e.state == "done"]
    assert done[-4:] == [Step.POST, Step.READ_BACK, Step.LOG, Step.EXPORT]
    assert verify(ctx, "ipc", "2.0").intact


def test_a_snapshot_older_than_the_policy_is_not_written(setup: Setup, ctx: Context) -> None:
    prep = Authorizer(ctx).prepare("ipc", "2.0", {})
    before = setup.raw()
    later = Authorizer(ctx, clock=lambda: utcnow() + timedelta(seconds=301))
    result = later.commit(prep)
    assert not result.authorized and result.failed_step is Step.EVALUATE
    assert "old" in result.message and "300 s" in result.message
    assert setup.raw() == before and setup.audit() == []


def test_a_blocked_preparation_cannot_be_committed(setup: Setup, ctx: Context) -> None:
    prep = Authorizer(ctx).prepare("ipc", "2.2", {})
    before = setup.raw()
    assert prep.blocked and prep.record is None and not prep.verdict.passed
    result = Authorizer(ctx).commit(prep)
    assert result.blocked and not result.authorized
    assert setup.raw() == before and setup.audit() == []


class RewritingSandbox(SandboxConnector):
    """A tracker that changes a record comment when it is read back."""

    def read_comment(self, ref: CommentRef) -> Comment:
        comment = super().read_comment(ref)
        return comment.model_copy(update={"body": comment.body.replace('"Done"', '"Open"')})


def test_a_read_back_that_differs_is_not_authorized(setup: Setup, ctx: Context) -> None:
    install(ctx, RewritingSandbox)
    result = Authorizer(ctx).authorize("ipc", "2.0", {})
    assert not result.authorized and result.failed_step is Step.READ_BACK
    assert "does not match" in result.message
    assert setup.audit() == []


class SmallCommentsSandbox(SandboxConnector):
    comment_limit: ClassVar[int | None] = 4000


def test_a_record_longer_than_a_comment_goes_as_an_attachment_and_is_read_back(
    setup: Setup, ctx: Context
) -> None:
    connector = install(ctx, SmallCommentsSandbox)
    result = Authorizer(ctx).authorize("ipc", "2.0", {})
    assert result.authorized, result.message
    assert result.comment is not None and result.record is not None
    body = connector.read_comment(result.comment).body
    assert len(body) <= 4000 and "secgate-record-attachment: " in body
    (attachment,) = connector.find_attachments(
        result.comment.key, f"secgate-record-{result.record.record_id}.json"
    )
    assert connector.read_attachment(attachment) == result.record.canonical().encode()
    assert verify(ctx, "ipc", "2.0").intact

    key = result.comment.key

    def corrupt(data: Data) -> None:
        stored = data["issues"][key]["attachments"][0]
        stored["content"] = base64.b64encode(b'{"forged":true}').decode()

    setup.edit(corrupt)
    checked = verify(ctx, "ipc", "2.0")
    assert not checked.intact and checked.reachable
    assert "attachment" in checked.message


def test_a_marker_comment_with_a_different_decision_is_not_adopted(
    setup: Setup, ctx: Context
) -> None:
    authorizer = Authorizer(ctx)
    prep = authorizer.prepare("ipc", "2.0", {})
    assert prep.record is not None
    # Someone posts a record with this record id but different content first.
    forged = prep.record.model_copy(update={"product_name": "Forged"})
    connector = ctx.connections.get("sandbox")
    issue = connector.create_issue(
        "IPC", "Security Release Authorization ipc 2.0 [secgate:ipc/2.0]", ""
    )
    connector.post_comment(issue.key, render_record(forged, dialect("plain")).body)
    result = authorizer.commit(prep)
    assert not result.authorized and result.failed_step is Step.POST
    assert "cannot be adopted" in result.message and "different decision" in result.message
    assert len(setup.record_comments()) == 1 and setup.audit() == []


def test_verify_reports_field_changes_in_words(setup: Setup, ctx: Context) -> None:
    result = Authorizer(ctx).authorize("ipc", "2.0", {})
    assert result.comment is not None
    key = result.comment.key

    def edit(data: Data) -> None:
        for comment in data["issues"][key]["comments"]:
            comment["body"] = comment["body"].replace('"release":"2.0"', '"release":"2.9"')

    setup.edit(edit)
    checked = verify(ctx, "ipc", "2.0")
    assert not checked.intact
    assert any("field release differs" in change for change in checked.changes)


def test_verify_log_payload_keeps_the_comment_as_read_back(setup: Setup, ctx: Context) -> None:
    result = Authorizer(ctx).authorize("ipc", "2.0", {})
    (entry,) = setup.audit()
    assert result.record is not None
    assert entry.payload["record"] == json.loads(result.record.canonical())
    assert entry.payload["comment_body"] == setup.record_comments()[0]["body"]


def test_the_context_pieces_are_enough(setup: Setup) -> None:
    """The UI opens its own context from the same arguments as the CLI."""
    args = argparse.Namespace(config=str(setup.config), data_dir=str(setup.data_dir), demo=False)
    from secgate_tui.commands.context import open_context

    with open_context(args) as context:
        assert Authorizer(context).authorize("ipc", "2.0", {}).authorized


@pytest.mark.parametrize("who", ["another account, same names", "author id unknown"])
def test_a_marker_comment_not_written_by_the_authorizers_account_is_not_adopted(
    setup: Setup, ctx: Context, who: str
) -> None:
    """Names are editable and not unique: only the account id proves who wrote a record."""
    authorizer = Authorizer(ctx)
    prep = authorizer.prepare("ipc", "2.0", {})
    assert prep.record is not None
    connector = ctx.connections.get("sandbox")
    issue = connector.create_issue(
        "IPC", "Security Release Authorization ipc 2.0 [secgate:ipc/2.0]", ""
    )

    def account(account_id: str) -> None:
        def change(data: Data) -> None:
            data["identity"]["id"] = account_id  # name and display name stay the same

        setup.edit(change)

    if who == "another account, same names":
        account("mallory")  # the very record this run would post, typed in by someone else
        connector.post_comment(issue.key, prep.rendered)
        account("release.manager")
    else:
        connector.post_comment(issue.key, prep.rendered)

        def forget_author_id(data: Data) -> None:
            for comment in data["issues"][issue.key]["comments"]:
                del comment["author_id"]

        setup.edit(forget_author_id)
    result = authorizer.commit(prep)
    assert not result.authorized and result.failed_step is Step.POST
    assert "not by you" in result.message and "release.manager" in result.message
    assert "delete" not in result.message  # a tracker record is audit trail
    assert len(setup.record_comments()) == 1 and setup.audit() == []
