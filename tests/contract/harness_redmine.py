"""The Redmine harness: the real connector against a REAL Redmine 5 on loopback.

The server (Debian packages, SQLite, puma) is installed when missing, started
once per session and reset to its seed for every harness; see tests/redmine/.
The comment levers the contract suite needs on top are added here: another
account (the admin) edits a note through Redmine's own ``PUT /journals/:id.json``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.base import CommentRef
from tests.redmine.fixtures import RedmineHarness, shared_server


class ContractRedmineHarness(RedmineHarness):
    #: Redmine 5.0 keeps no trace of a note edit (no updated_on / updated_by,
    #: no journal detail), so an edited note cannot be told from an untouched one.
    reveals_edits = False

    def edit_comment_as_other(self, ref: CommentRef, body: str) -> str | None:
        self.admin.call("PUT", f"/journals/{ref.id}.json", {"journal": {"notes": body}})
        return None  # 5.0 does not say who edited a note

    def attach_file(self, key: str, filename: str, content: bytes) -> None:
        self.connector.attach(key, filename, content)

    def comments_locked(self) -> None:
        return None  # the seeded roles cannot be changed per test


@pytest.fixture
def redmine_harness() -> Iterator[ContractRedmineHarness]:
    server, proxy = shared_server()
    server.reset()
    harness = ContractRedmineHarness(server, proxy)
    yield harness
    proxy.fault = None
    proxy.fail_next = 0
    proxy.after = None
    proxy.before = None
    harness.connector.close()


__all__ = ["ContractRedmineHarness", "RedmineHarness", "redmine_harness"]
