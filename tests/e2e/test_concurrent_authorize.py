"""Machines authorizing the same release at once leave exactly one record (issue 19, section 4).

2 and 4 real ``secgate authorize`` processes, each with its own data directory
(separate machines sharing one service account), race against the fake Jira,
the fake GitLab and the real Redmine: the tracker (Redmine: the proxy before it) holds
every record POST at a barrier until all of them have arrived, so every run
posts. Afterwards the tracker holds one record comment (the lowest id), every
run exited 0, and every run's audit log and ``verify`` point at that comment.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.record_trackers import TRACKERS, Tracker, redmine_tracker
from tests.redmine.fixtures import redmine_harness

__all__ = ["redmine_harness"]


@pytest.fixture(params=[*sorted(TRACKERS), pytest.param("redmine", marks=pytest.mark.redmine)])
def tracker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tracker]:
    if request.param == "redmine":
        harness = request.getfixturevalue("redmine_harness")
        with redmine_tracker(tmp_path, harness) as setup:
            yield setup
        return
    with TRACKERS[request.param](tmp_path) as setup:
        yield setup


def is_record_post(method: str, path: str) -> bool:
    """The request that adds a record comment: Jira and GitLab POST it; Redmine adds a
    note with ``PUT /issues/<id>.json`` (secgate updates no other issue field here)."""
    path = path.split("?")[0].rstrip("/")
    if method == "PUT":
        return re.fullmatch(r".*/issues/\d+\.json", path) is not None
    return method == "POST" and path.endswith(("/comment", "/notes"))


@pytest.mark.parametrize("runs", [2, 4])
def test_concurrent_runs_leave_one_record_and_all_point_at_it(tracker: Tracker, runs: int) -> None:
    barrier = threading.Barrier(runs, timeout=120)

    def hold(method: str, path: str) -> None:
        if is_record_post(method, path):
            barrier.wait()  # every run has built its record and is posting it now

    tracker.set_hook(hold)
    processes = [tracker.start_authorize(f"machine-{n}") for n in range(runs)]
    outputs = [p.communicate(timeout=300) for p in processes]
    tracker.set_hook(None)
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, out + err
    ((record_id, _),) = tracker.records()  # exactly one record comment is left
    # Every run but the one with the lowest id gave way. (Redmine answers a note with
    # no id: a run takes the newest note with its exact text as its own, so runs whose
    # records were built in the same second may all name the same copy; they still
    # end on the one record.)
    gave_way = sum("a concurrent run had posted this record first" in out for out, _ in outputs)
    assert gave_way >= runs - 1
    for n in range(runs):
        verify = tracker.verify(f"machine-{n}")
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert f"(comment {record_id})" in verify.stdout, verify.stdout
