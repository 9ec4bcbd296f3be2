"""The authorization protocol against real client libraries: the fake Jira (Cloud and
Data Center) that the PyPI ``jira`` library talks to over HTTP on loopback.

Covers what the sandbox cannot show: Jira's wiki markup and its 32,767-character
comment limit (the full record goes as an attachment and is read back), and a
lost answer to the comment POST after Jira stored the comment.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from secgate_tui.commands.context import Context, open_context
from secgate_tui.domain.render import block_lines, dialect, extract
from secgate_tui.services.authorization import Authorizer, Step
from secgate_tui.services.verify import verify
from secgate_tui.services.writeback import Outgoing, write_back
from tests.fakes.jira_render import JUSTIFICATION_FIELD, SEVERITY_FIELD
from tests.fakes.jira_seed import PROJECT, RELEASE, TOKEN_ENV, connector_for, seed
from tests.fakes.jira_server import FakeJira
from tests.unit.test_record_support import record_for, snapshot

CATEGORIES = {
    "system-test-findings": {"labels": ["sec-test-finding"]},
    "requirements": {"labels": ["sec-requirement"]},
    "security-by-design": {"labels": ["sec-design"]},
    "implementation": {"labels": ["sec-implementation"]},
    "verification-validation": {"labels": ["sec-verification"]},
    "defect-management": {"labels": ["sec-defect"]},
}
NOT_APPLICABLE = {
    "system-test-findings": "no system test in this fixture",
    "implementation": "none",
    "verification-validation": "none",
}


@dataclass
class JiraSetup:
    fake: FakeJira
    keys: dict[str, str]
    root: Path

    def context(self) -> Any:
        args = argparse.Namespace(
            config=str(self.root / "secgate.toml"), data_dir=str(self.root / "data"), demo=False
        )
        return open_context(args)

    def record_comments(self) -> list[str]:
        issue = self.fake.state.issues[self.keys["record"]]
        return [c.body for c in issue.comments if "secgate-record " in c.body]


@pytest.fixture(params=["cloud", "datacenter"])
def jira(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[JiraSetup]:
    with FakeJira(request.param) as fake:
        keys = seed(fake)
        # The seeded open requirement would block the gate: close it.
        fake.state.update(keys["open"], status="Done", resolution="Fixed")
        monkeypatch.setenv(TOKEN_ENV, fake.token)
        tracker: dict[str, Any] = {
            "kind": "jira",
            "url": fake.url,
            "token_env": TOKEN_ENV,
            "severity_field": SEVERITY_FIELD,
            "justification_field": JUSTIFICATION_FIELD,
            "timeout_seconds": 5.0,
        }
        if fake.cloud:
            tracker["user"] = fake.email
        config = {
            "policy": {"max_snapshot_age_seconds": 300},
            "trackers": {"jira": tracker},
            "products": {
                "ipc": {
                    "name": "Infusion Pump Controller",
                    "record_issue": {"tracker": "jira", "key": keys["record"]},
                    "security_labels": ["security"],
                    "not_applicable": NOT_APPLICABLE,
                    "sources": [{"tracker": "jira", "project": PROJECT}],
                    "categories": CATEGORIES,
                }
            },
        }
        (tmp_path / "secgate.toml").write_text(tomli_w.dumps(config), encoding="utf-8")
        yield JiraSetup(fake, keys, tmp_path)


def authorize(ctx: Context) -> Any:
    return Authorizer(ctx).authorize("ipc", RELEASE, {})


def test_authorize_on_jira_posts_wiki_markup_and_verifies(jira: JiraSetup) -> None:
    with jira.context() as ctx:
        result = authorize(ctx)
        assert result.authorized, result.message
        (body,) = jira.record_comments()
        assert "{noformat}" in body and result.record.marker in body
        assert extract(body, "secgate-record").redigest() == result.record.record_digest
        assert [r.key for r in result.record.residual] == [jira.keys["accepted"]]
        assert verify(ctx, "ipc", RELEASE).intact


def test_a_lost_comment_response_on_jira_is_adopted_not_reposted(jira: JiraSetup) -> None:
    jira.fake.set_fault("lost_response", path="comment", remaining=1)
    with jira.context() as ctx:
        result = authorize(ctx)
        assert result.authorized, result.message
    assert len(jira.record_comments()) == 1


def test_a_record_over_jiras_limit_goes_as_an_attachment(jira: JiraSetup) -> None:
    for n in range(160):
        jira.fake.state.add_issue(
            PROJECT,
            f"Hardening finding {n}: " + "long title text " * 20,
            fix_versions=[RELEASE],
            labels=["security", "sec-defect"],
            status="Done",
            resolution="Fixed",
        )
    with jira.context() as ctx:
        result = authorize(ctx)
        assert result.authorized, result.message
        (body,) = jira.record_comments()
        assert len(body) <= 32_767 < len(result.record.canonical())
        assert "secgate-record-attachment: " in body
        attached = jira.fake.state.issues[jira.keys["record"]].attachments
        assert [a.content for a in attached] == [result.record.canonical().encode()]
        assert verify(ctx, "ipc", RELEASE).intact

        attached[0].content = b'{"forged": true}'
        checked = verify(ctx, "ipc", RELEASE)
        assert not checked.intact and "attachment" in checked.message


def test_jira_failing_after_the_post_is_not_authorized_and_the_retry_adopts(
    jira: JiraSetup,
) -> None:
    with jira.context() as ctx:
        authorizer = Authorizer(ctx)
        prep = authorizer.prepare("ipc", RELEASE, {})
        jira.fake.set_fault("unavailable", path="comment/")  # reading one comment fails
        result = authorizer.commit(prep)
        assert not result.authorized and result.failed_step is Step.READ_BACK, result.message
        assert ctx.store.audit_entries("authorization") == []
        jira.fake.clear_faults()
        retry = authorize(ctx)
        assert retry.authorized and retry.adopted, retry.message
    assert len(jira.record_comments()) == 1


@pytest.mark.parametrize("flavor", ["cloud"])
def test_writeback_is_generic_over_the_marker_kind(flavor: str) -> None:
    """The periodic review reuses write_back with its own marker kind."""
    with FakeJira(flavor) as fake:
        keys = seed(fake)
        connector = connector_for(fake)
        record = record_for(snapshot())
        lines = block_lines(
            "secgate-review", record.record_id, record.record_digest, record.canonical()
        )
        body = "Review minutes\n" + "\n".join(dialect(connector.markup).verbatim(lines))
        outgoing = Outgoing("secgate-review", record.record_id, record.canonical(), body)
        first = write_back(connector, keys["record"], outgoing, lambda found: None)
        again = write_back(connector, keys["record"], outgoing, lambda found: None)
        assert not first.adopted and again.adopted
        assert first.read_back.digest == again.read_back.digest == record.record_digest
        assert len(fake.state.issues[keys["record"]].comments) == 1
        connector.close()
