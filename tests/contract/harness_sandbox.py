"""The embedded sandbox tracker as a contract harness (a JSON file, no network)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import CommentRef, Connector, SourceScope
from connectors.sandbox import SandboxConnector, SandboxSettings
from connectors.sandbox.tracker import Data, now_iso

PROJECT = "CT"


def seed(now: datetime) -> Data:
    from connectors.sandbox.tracker import empty_data

    data = empty_data(now)
    data["projects"][PROJECT] = {
        "name": "Contract",
        "next_id": 0,
        "versions": [
            {"name": "1.0", "released": True, "release_date": "2026-01-15"},
            {"name": "1.1", "released": False, "release_date": None},
            {"name": "1.2-empty", "released": False, "release_date": None},
        ],
    }
    return data


@dataclass
class SandboxHarness:
    name: str
    connector: SandboxConnector
    scope: SourceScope = field(default_factory=lambda: SourceScope(tracker="box", project=PROJECT))
    release: str = "1.1"
    other_release: str = "1.0"
    empty_release: str = "1.2-empty"
    comment_key: str = ""
    project: str = PROJECT
    faults: frozenset[str] = frozenset({"unavailable", "lost_response"})
    reveals_edits: bool = True

    def add_issue(
        self,
        title: str,
        *,
        release: str,
        labels: Sequence[str] = ("security", "sec-defect"),
        closed: bool = False,
    ) -> str:
        ref = self.connector.create_issue(PROJECT, title, "", labels)

        def close(data: Data) -> None:
            issue = data["issues"][ref.key]
            issue["fix_versions"] = [release]
            if closed:
                issue.update(status="Done", closed=True, resolution="Fixed", closed_at=now_iso())

        self.connector.file.write(close)
        return ref.key

    def _edit(self, key: str, **fields: object) -> None:
        def edit(data: Data) -> None:
            data["issues"][key].update(fields, updated=now_iso(datetime.now(UTC)))

        self.connector.file.write(edit)

    def rename(self, key: str, title: str) -> None:
        self._edit(key, title=title)

    def move_out(self, key: str) -> None:
        self._edit(key, fix_versions=[self.other_release])

    def bad_auth_connector(self) -> Connector | None:
        return None  # the sandbox has no credentials to get wrong

    def edit_comment_as_other(self, ref: CommentRef, body: str) -> str | None:
        def edit(data: Data) -> None:
            for raw in data["issues"][ref.key]["comments"]:
                if raw["id"] == ref.id:
                    raw.update(body=body, updated=now_iso(), update_author_id="other-account")

        self.connector.file.write(edit)
        return "other-account"

    def attach_file(self, key: str, filename: str, content: bytes) -> None:
        self.connector.attach(key, filename, content)

    def comments_locked(self) -> None:
        return None  # the sandbox has no permissions

    @contextlib.contextmanager
    def fault(self, kind: str) -> Iterator[None]:
        def switch(value: object) -> None:
            def edit(data: Data) -> None:
                data["faults"][kind] = value

            self.connector.file.write(edit)

        switch(True if kind == "unavailable" else 1)
        try:
            yield
        finally:
            switch(False if kind == "unavailable" else 0)


@pytest.fixture
def sandbox_harness(tmp_path: Path) -> SandboxHarness:
    path = tmp_path / "sandbox.json"
    path.write_text(json.dumps(seed(datetime.now(UTC))))  # a small project, not the demo
    connector = SandboxConnector("box", SandboxSettings(kind="sandbox", path=str(path)), None)
    harness = SandboxHarness("sandbox", connector)
    for n, closed in enumerate((True, False, False)):
        harness.add_issue(f"seeded issue {n}", release="1.1", closed=closed)
    harness.comment_key = harness.add_issue("record issue", release="1.0", labels=())
    return harness
