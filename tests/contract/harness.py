"""What every tracker harness gives the shared connector contract suite.

A harness is a connector wired to a live tracker (the sandbox file, a fake
server on loopback, or the real Redmine) plus the tracker-side levers the suite
needs: add an issue, edit it, move it out of the release, break the credential,
and switch faults on. Each tracker provides one as a pytest fixture named
``<name>_harness`` in ``tests/contract/harness_<name>.py``; conftest.py
collects them, and every test in test_contract.py runs against each.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from connectors.base import CommentRef, Connector, SourceScope

#: Fault switches a harness may support: the tracker answers 503 / 5xx for a
#: while, an HTML login page instead of JSON, 429 with Retry-After, or loses the
#: response of a write after committing it.
FAULTS = ("unavailable", "html", "rate_limited", "lost_response")


class Harness(Protocol):
    name: str
    connector: Connector
    scope: SourceScope
    #: secgate release name with at least three seeded issues in scope
    release: str
    #: another existing release of the same project
    other_release: str
    #: an existing version / milestone with no issue at all
    empty_release: str
    #: an issue key records may be posted on
    comment_key: str
    #: project id / key / path for create_issue
    project: str
    #: the subset of FAULTS this tracker can simulate
    faults: frozenset[str]
    #: whether the tracker tells an edited comment from an untouched one
    #: (Redmine 5.0 records nothing about note edits)
    reveals_edits: bool

    def add_issue(
        self,
        title: str,
        *,
        release: str,
        labels: Sequence[str] = ("security", "sec-defect"),
        closed: bool = False,
    ) -> str:
        """Create an issue tracker-side; returns its secgate key."""

    def rename(self, key: str, title: str) -> None:
        """Edit the issue's title tracker-side (bumps its updated time)."""

    def move_out(self, key: str) -> None:
        """Move the issue into ``other_release`` tracker-side."""

    def bad_auth_connector(self) -> Connector | None:
        """A connector to the same tracker with a wrong credential (None: no credentials)."""

    def fault(self, kind: str) -> AbstractContextManager[None]:
        """Switch a fault from FAULTS on for the duration of the block."""

    def edit_comment_as_other(self, ref: CommentRef, body: str) -> str | None:
        """Edit the comment tracker-side as another account.

        Returns the id the connector must report as ``update_author_id``, or
        None when the tracker does not name who edited (GitLab notes, Redmine 5.0).
        """

    def attach_file(self, key: str, filename: str, content: bytes) -> None:
        """Attach a file to the issue tracker-side, as a person would (GitLab: an
        upload linked from a new note)."""

    def comments_locked(self) -> AbstractContextManager[None] | None:
        """While active, the connector's account may neither edit nor delete its
        comments (None: the tracker harness cannot take that permission away)."""
