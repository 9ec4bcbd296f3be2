"""Which record a new authorization is, and which one it supersedes, across machines.

Two "machines" are two data directories (each with its own audit log) whose
configs use the same sandbox tracker file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.sandbox.tracker import Data
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.services.authorization import Authorizer
from secgate_tui.services.demo import demo_data
from tests.e2e.exports import record_file
from tests.e2e.test_authorize_support import Setup


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    s = Setup(tmp_path / "a")
    s.root.mkdir()
    s.write_config()
    return s


def other_machine(setup: Setup) -> Setup:
    """Another data directory (own audit log) on the same tracker and config."""
    other = Setup(setup.root.parent / "b")
    other.root.mkdir(parents=True, exist_ok=True)
    other.config.write_text(setup.config.read_text(encoding="utf-8"), encoding="utf-8")
    return other


def moved_pentest_evidence(setup: Setup) -> list[dict[str, Any]]:
    """The product's activities with the pentest's evidence on another (closed) issue."""
    activities: list[dict[str, Any]] = demo_data(setup.data_dir)["products"]["ipc"]["activities"]
    threat_model = activities[0]["evidence"]
    # The threat model's issue names no release: the moved evidence is product-wide.
    return [
        {**a, "evidence": dict(threat_model), "scope": "product"} if a["id"] == "pentest" else a
        for a in activities
    ]


def authorize(setup: Setup) -> AuthorizationRecord:
    with setup.context() as ctx:
        result = Authorizer(ctx).authorize("ipc", "2.0", {})
    assert result.authorized, result.message
    assert result.record is not None
    return result.record


def test_changed_activity_evidence_is_a_new_record_not_the_old_one_again(setup: Setup) -> None:
    first = authorize(setup)
    setup.write_config(activities=moved_pentest_evidence(setup))
    second = authorize(setup)
    assert second.snapshot_digest == first.snapshot_digest  # the issues did not change
    assert second.record_id != first.record_id
    pentest = next(a for a in second.activities if a.id == "pentest")
    assert pentest.evidence == {"tracker": "sandbox", "key": "IPC-1"}
    assert second.supersedes is not None and second.supersedes.record_id == first.record_id
    assert len(setup.record_comments()) == 2 and len(setup.audit()) == 2


def test_a_superseding_record_is_the_next_revision_in_new_files(setup: Setup) -> None:
    first = authorize(setup)
    records = setup.data_dir / "records"
    first_files = {p: p.read_bytes() for p in records.glob("Security-Release-Authorization_*")}
    setup.write_config(activities=moved_pentest_evidence(setup))
    second = authorize(setup)
    assert (first.revision, second.revision) == (1, 2)
    assert second.document_number == f"SEC-REC-{second.record_id}"
    # The earlier revision's files stay exactly as they were; the new one has its own.
    assert {p: p.read_bytes() for p in first_files} == first_files
    assert record_file(records, "ipc", "2.0", ".json", revision=1).read_text() == first.canonical()
    assert record_file(records, "ipc", "2.0", ".json", revision=2).read_text() == second.canonical()
    markdown = record_file(records, "ipc", "2.0", ".md", revision=2).read_text()
    assert f"Document {second.document_number}, revision 2" in markdown
    assert f"Supersedes record {first.record_id}" in markdown


def test_changed_evidence_on_another_machine_is_recorded_not_refused(setup: Setup) -> None:
    first = authorize(setup)
    other = other_machine(setup)
    other.write_config(activities=moved_pentest_evidence(setup))
    # write_config points the sandbox at b's data dir; keep the shared tracker file.
    other.config.write_text(
        other.config.read_text(encoding="utf-8").replace(
            str(other.data_dir / "sandbox.json"), str(setup.data_dir / "sandbox.json")
        ),
        encoding="utf-8",
    )
    second = authorize(other)
    assert second.record_id != first.record_id
    assert second.supersedes is not None
    assert (second.supersedes.record_id, second.supersedes.record_digest) == (
        first.record_id,
        first.record_digest,
    )
    assert second.revision == 2  # counted from the tracker: this machine's log holds none
    assert len(setup.record_comments()) == 2


def test_the_chain_is_taken_from_the_tracker_on_another_machine(setup: Setup) -> None:
    first = authorize(setup)

    def retitle(data: Data) -> None:
        data["issues"]["IPC-10"]["title"] += " (reworded)"

    setup.edit(retitle)
    second = authorize(other_machine(setup))  # its own audit log knows nothing of `first`
    assert second.supersedes is not None
    assert (second.supersedes.record_id, second.supersedes.record_digest) == (
        first.record_id,
        first.record_digest,
    )


def test_a_record_planted_by_another_account_is_not_a_predecessor(setup: Setup) -> None:
    first = authorize(setup)

    def impostor(data: Data) -> None:
        # The comment names release.manager as authorizer but another account wrote it.
        for issue in data["issues"].values():
            for comment in issue.get("comments", []):
                if "secgate-record " in comment["body"]:
                    comment["author_id"] = "mallory"

    setup.edit(impostor)

    def retitle(data: Data) -> None:
        data["issues"]["IPC-10"]["title"] += " (reworded)"

    setup.edit(retitle)
    second = authorize(other_machine(setup))
    assert first.record_id != second.record_id
    assert second.supersedes is None
