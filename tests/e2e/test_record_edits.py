"""An edited record comment is never adopted, and never verified intact (issue 19, section 2).

``authorize`` killed right after its POST leaves a comment and nothing logged; the
rerun adopts that comment only when it is exactly what secgate renders for the
record it holds, never edited, and posted when the record says. Each edit
variant, through the tracker's API (the tracker records the edit) or behind its
back (as on a tracker that keeps no trace), makes the rerun refuse with exit 2,
name the comment, log and export nothing; ``verify`` then exits 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from connectors.base import CommentRef
from secgate_tui.domain import sha256_hex
from secgate_tui.domain.record import parse_record
from secgate_tui.domain.render import dialect, extract, render_record
from tests.e2e.record_trackers import TRACKERS, Tracker, sandbox_tracker

EDITED_ON = {**TRACKERS, "sandbox": sandbox_tracker}


@pytest.fixture(params=sorted(EDITED_ON))
def tracker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tracker]:
    with EDITED_ON[request.param](tmp_path) as setup:
        yield setup


def not_authorized(body: str) -> str:
    """The human text changed; the machine block untouched."""
    assert "AUTHORIZED" in body
    return body.replace("AUTHORIZED", "NOT AUTHORIZED - DO NOT SHIP", 1)


def backdated_json(body: str) -> str:
    """The JSON line's authorized_at backdated, the marker digest recomputed."""
    found = extract(body, "secgate-record")
    assert found.json_text is not None
    data = json.loads(found.json_text)
    data["authorized_at"] = "2025-01-02T09:00:00Z"
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return body.replace(found.json_text, text).replace(found.marker_digest, sha256_hex(text))


def backdated_and_rendered(markup: str) -> Callable[[str], str]:
    """A consistent forgery: the record backdated, the whole comment rendered from it."""

    def edit(body: str) -> str:
        found = extract(body, "secgate-record")
        record = parse_record(json.loads(found.canonical()))
        earlier = record.authorized_at - timedelta(hours=3)
        forged = record.model_copy(update={"authorized_at": earlier})
        return render_record(forged, dialect(markup)).body

    return edit


MARKUP = {"jira": "jira-wiki", "gitlab": "markdown", "sandbox": "plain"}
EDITS = ["not authorized", "backdated json", "backdated and rendered"]


def edited(tracker: Tracker, variant: str, body: str) -> str:
    if variant == "not authorized":
        return not_authorized(body)
    if variant == "backdated json":
        return backdated_json(body)
    return backdated_and_rendered(MARKUP[tracker.name])(body)


def exported(tracker: Tracker) -> list[Path]:
    records = tracker.root / "data" / "records"
    return sorted(records.rglob("*")) if records.exists() else []


@pytest.mark.parametrize("through", ["api", "silently"])
@pytest.mark.parametrize("variant", EDITS)
def test_an_edited_comment_of_a_killed_run_is_refused(
    tracker: Tracker, variant: str, through: str
) -> None:
    ref = tracker.post_as_a_killed_run()
    ((_, body),) = tracker.records()
    changed = edited(tracker, variant, body)
    assert changed != body
    if through == "api":
        tracker.edit_through_the_api(ref, changed)
    else:
        tracker.edit_silently(ref.id, changed)

    rerun = tracker.authorize()
    output = rerun.stdout + rerun.stderr
    assert rerun.returncode == 2, output
    assert f"comment {ref.id}" in output and "void" in output, output
    assert "Traceback" not in output
    assert [c for c, _ in tracker.records()] == [ref.id]  # nothing posted
    assert exported(tracker) == []
    verify = tracker.verify()
    assert verify.returncode == 1, verify.stdout + verify.stderr


def test_a_clean_retry_after_a_killed_run_adopts(tracker: Tracker) -> None:
    ref = tracker.post_as_a_killed_run()
    rerun = tracker.authorize()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"adopted an earlier attempt's comment {ref.id}" in rerun.stdout
    assert [c for c, _ in tracker.records()] == [ref.id]
    verify = tracker.verify()
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_voiding_the_edited_comment_lets_a_rerun_post_a_fresh_record(tracker: Tracker) -> None:
    ref = tracker.post_as_a_killed_run()
    ((_, body),) = tracker.records()
    tracker.edit_through_the_api(ref, not_authorized(body))
    assert tracker.authorize().returncode == 2
    # The void convention: the marker line removed (here: the whole machine block).
    void = not_authorized(body).split("secgate-record ")[0] + "VOID: edited after posting.\n"
    tracker.edit_through_the_api(ref, void)
    rerun = tracker.authorize()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert len(tracker.records()) == 1 and tracker.records()[0][0] != ref.id
    assert tracker.verify().returncode == 0


def test_verify_reports_a_comment_edited_back_to_the_same_text(tracker: Tracker) -> None:
    """The tracker's own edit trace counts even when the text is unchanged."""
    authorized = tracker.authorize()
    assert authorized.returncode == 0, authorized.stdout + authorized.stderr
    assert tracker.verify().returncode == 0
    ((comment_id, body),) = tracker.records()
    with tracker.context("data") as ctx:
        (entry,) = ctx.store.audit_entries("authorization")
        ref = CommentRef.model_validate(entry.payload["comment"])
        assert ref.id == comment_id
        ctx.connections.get(tracker.name).edit_comment(ref, body)
    verify = tracker.verify()
    assert verify.returncode == 1, verify.stdout + verify.stderr
    assert "edited" in verify.stdout + verify.stderr
