"""The fake Jira's data: projects, versions, issues, comments, attachments, users.

Everything is held in memory behind one lock; ``revision`` moves on every write
so search results can be cached between the pages of one query.
"""

from __future__ import annotations

import functools
import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.fakes.jira_jql import JqlError, Query

DONE_STATUSES = {"Done": "done", "Closed": "done", "Resolved": "done"}
STATUS_CATEGORIES = {
    "new": (2, "To Do", "blue-gray"),
    "indeterminate": (4, "In Progress", "yellow"),
    "done": (3, "Done", "green"),
}
#: Stable ids of the workflow's statuses (GET /status lists these and any other in use).
STATUS_IDS = {
    "To Do": "10000",
    "In Progress": "3",
    "Done": "10001",
    "Closed": "6",
    "Resolved": "5",
    "Reopened": "4",
}


def category_of(status: str) -> str:
    if status in DONE_STATUSES:
        return "done"
    return "indeterminate" if status == "In Progress" else "new"


def status_id(status: str) -> str:
    """The status's id; a name outside the workflow gets one derived from its text."""
    known = STATUS_IDS.get(status)
    return known if known else str(20000 + sum(map(ord, status)) % 10000)


@dataclass
class FakeChange:
    """One changelog entry: a status transition, a change of the labels or of the
    resolution (the only fields the fake records; labels as Jira shows them,
    space-separated; no resolution is the empty string)."""

    id: int
    created: datetime
    from_status: str
    to_status: str
    field: str = "status"
    #: account id of who made the change (the API user unless said otherwise)
    author_id: str = ""


@dataclass
class FakeComment:
    id: int
    body: str
    author: str
    created: datetime
    updated: datetime
    #: account id of the last editor (Jira's updateAuthor); the author until an edit
    update_author: str = ""


@dataclass
class FakeAttachment:
    id: int
    issue_key: str
    filename: str
    content: bytes
    author: str
    created: datetime
    mime_type: str = "application/octet-stream"


@dataclass
class FakeVersion:
    id: int
    project: str
    name: str
    released: bool = False
    release_date: date | None = None


@dataclass
class FakeIssue:
    id: int
    key: str
    project: str
    summary: str
    created: datetime
    updated: datetime
    description: str = ""
    status: str = "To Do"
    resolution: str | None = None
    resolutiondate: datetime | None = None
    issuetype: str = "Bug"
    labels: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    fix_versions: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    priority: str | None = "Medium"
    severity: str | None = None
    assignee: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    comments: list[FakeComment] = field(default_factory=list)
    attachments: list[FakeAttachment] = field(default_factory=list)
    history: list[FakeChange] = field(default_factory=list)
    #: (link type name, its inward wording, its outward wording, "outward" when this
    #: issue is the link's source else "inward", the other issue's key)
    links: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    @property
    def category(self) -> str:
        return category_of(self.status)

    @property
    def category_name(self) -> str:
        return STATUS_CATEGORIES[self.category][1]

    @property
    def number(self) -> int:
        return int(self.key.rsplit("-", 1)[1])


@dataclass
class FakeUser:
    account_id: str
    name: str
    email: str
    display_name: str
    time_zone: str = "UTC"


class JiraState:
    """The data behind one fake Jira; tests change it through these methods."""

    def __init__(self, user_zone: str = "UTC") -> None:
        self.lock = threading.RLock()
        self.projects: dict[str, str] = {}  # key -> name
        self.project_ids: dict[str, int] = {}
        self.versions: list[FakeVersion] = []
        self.issues: dict[str, FakeIssue] = {}
        self.by_id: dict[int, FakeIssue] = {}
        self.attachments: dict[int, FakeAttachment] = {}
        self.user = FakeUser(
            "5b10ac8d82e05b22cc7d4ef5",
            "release.manager",
            "rm@example.com",
            "Release Manager",
            user_zone,
        )
        #: Another account, for edits made tracker-side by someone else.
        self.other = FakeUser(
            "712020:0e9f8c1a-other", "dev.dana", "dana@example.com", "Dana Developer", user_zone
        )
        #: When set, the token's account lacks "Delete own comments" / "Edit own comments".
        self.comments_locked = False
        self.revision = 0
        self._ids = itertools.count(10001)
        self._comment_ids = itertools.count(20001)
        self._attachment_ids = itertools.count(30001)
        self._change_ids = itertools.count(40001)
        self._numbers: dict[str, itertools.count[int]] = {}
        self._clock_last = datetime(2000, 1, 1, tzinfo=UTC)
        self._search_cache: dict[tuple[str, int], list[str]] = {}

    @property
    def user_zone(self) -> str:
        return self.user.time_zone

    def now(self) -> datetime:
        """Strictly increasing UTC time (millisecond resolution, as Jira's)."""
        with self.lock:
            now = datetime.now(UTC)
            now = now.replace(microsecond=now.microsecond // 1000 * 1000)
            if now <= self._clock_last:
                now = self._clock_last + timedelta(milliseconds=1)
            self._clock_last = now
            return now

    def _touch(self) -> None:
        self.revision += 1
        self._search_cache.clear()

    # -- setup ---------------------------------------------------------------

    def add_project(self, key: str, name: str = "") -> None:
        with self.lock:
            self.projects[key] = name or key
            self.project_ids[key] = 10000 + len(self.projects)
            self._numbers[key] = itertools.count(1)
            self._touch()

    def add_version(
        self, project: str, name: str, *, released: bool = False, release_date: date | None = None
    ) -> FakeVersion:
        with self.lock:
            version = FakeVersion(next(self._ids), project, name, released, release_date)
            self.versions.append(version)
            self._touch()
            return version

    def add_issue(self, project: str, summary: str, **attrs: Any) -> FakeIssue:
        with self.lock:
            if project not in self.projects:
                raise KeyError(project)
            stamp = attrs.pop("created", None) or self.now()
            updated = attrs.pop("updated", None) or stamp
            number = next(self._numbers[project])
            issue = FakeIssue(
                next(self._ids), f"{project}-{number}", project, summary, stamp, updated, **attrs
            )
            if issue.category == "done" and issue.resolutiondate is None:
                issue.resolutiondate = updated
            self.issues[issue.key] = issue
            self.by_id[issue.id] = issue
            self._touch()
            return issue

    def update(self, key: str, *, by: FakeUser | None = None, **attrs: Any) -> FakeIssue:
        with self.lock:
            issue = self.issues[key]
            before = issue.status
            labels_before = list(issue.labels)
            resolution_before = issue.resolution
            for name, value in attrs.items():
                setattr(issue, name, value)
            if "status" in attrs and issue.category == "done" and issue.resolutiondate is None:
                issue.resolutiondate = self.now()
            issue.updated = self.now()
            if issue.status != before:
                # Jira writes a changelog entry for every transition.
                change = FakeChange(
                    next(self._change_ids),
                    issue.updated,
                    before,
                    issue.status,
                    author_id=(by or self.user).account_id,
                )
                issue.history.append(change)
            if issue.labels != labels_before:
                change = FakeChange(
                    next(self._change_ids),
                    issue.updated,
                    " ".join(labels_before),
                    " ".join(issue.labels),
                    field="labels",
                    author_id=(by or self.user).account_id,
                )
                issue.history.append(change)
            if issue.resolution != resolution_before:
                change = FakeChange(
                    next(self._change_ids),
                    issue.updated,
                    resolution_before or "",
                    issue.resolution or "",
                    field="resolution",
                    author_id=(by or self.user).account_id,
                )
                issue.history.append(change)
            self._touch()
            return issue

    def link(
        self,
        source: str,
        target: str,
        name: str = "Relates",
        outward: str = "relates to",
        inward: str = "relates to",
    ) -> None:
        """Link two issues as POST /issueLink does: "<source> <outward> <target>"."""
        with self.lock:
            self.issues[source].links.append((name, inward, outward, "outward", target))
            self.issues[target].links.append((name, inward, outward, "inward", source))
            self.issues[source].updated = self.issues[target].updated = self.now()
            self._touch()

    def add_comment(self, key: str, body: str) -> FakeComment:
        with self.lock:
            issue = self.issues[key]
            stamp = self.now()
            comment = FakeComment(next(self._comment_ids), body, self.user.account_id, stamp, stamp)
            issue.comments.append(comment)
            issue.updated = stamp
            self._touch()
            return comment

    def find_user(self, account_id: str) -> FakeUser:
        return self.other if account_id == self.other.account_id else self.user

    def comment(self, key: str, comment_id: int) -> FakeComment | None:
        with self.lock:
            return next((c for c in self.issues[key].comments if c.id == comment_id), None)

    def edit_comment(self, key: str, comment_id: int, body: str, by: FakeUser) -> FakeComment:
        """Jira sets ``updated`` and ``updateAuthor`` on every edit."""
        with self.lock:
            comment = self.comment(key, comment_id)
            if comment is None:
                raise KeyError(comment_id)
            comment.body = body
            comment.updated = self.now()
            comment.update_author = by.account_id
            self._touch()
            return comment

    def delete_comment(self, key: str, comment_id: int) -> bool:
        with self.lock:
            comment = self.comment(key, comment_id)
            if comment is None:
                return False
            self.issues[key].comments.remove(comment)
            self._touch()
            return True

    def add_attachment(self, key: str, filename: str, content: bytes) -> FakeAttachment:
        with self.lock:
            issue = self.issues[key]
            item = FakeAttachment(
                next(self._attachment_ids),
                key,
                filename,
                content,
                self.user.account_id,
                self.now(),
            )
            issue.attachments.append(item)
            self.attachments[item.id] = item
            issue.updated = item.created
            self._touch()
            return item

    # -- lookups -------------------------------------------------------------

    def find(self, id_or_key: str) -> FakeIssue | None:
        with self.lock:
            if id_or_key.isdigit():
                return self.by_id.get(int(id_or_key))
            return self.issues.get(id_or_key.upper())

    def statuses(self) -> list[str]:
        """The workflow's statuses and any other an issue has or had."""
        with self.lock:
            names = dict.fromkeys(STATUS_IDS)
            for issue in self.issues.values():
                names[issue.status] = None
                for change in issue.history:
                    if change.field == "status":
                        names[change.from_status] = names[change.to_status] = None
            return list(names)

    def project_versions(self, project: str) -> list[FakeVersion]:
        with self.lock:
            return [v for v in self.versions if v.project == project]

    def check_value(self, field: str, value: str) -> None:
        """Jira refuses a query naming a project or version that does not exist."""
        if field == "project" and value.upper() not in self.projects and not value.isdigit():
            raise JqlError(f"The value '{value}' does not exist for the field 'project'.")
        if field in ("fixversion", "affectedversion") and not any(
            v.name == value for v in self.versions
        ):
            label = "fixVersion" if field == "fixversion" else "affectedVersion"
            raise JqlError(f"The value '{value}' does not exist for the field '{label}'.")

    def search(self, jql: str) -> list[str]:
        """Keys matching the query, in its order; cached until the next write."""
        with self.lock:
            cached = self._search_cache.get((jql, self.revision))
            if cached is not None:
                return cached
            query = Query(jql, self)
            hits = [issue for issue in self.issues.values() if query.predicate(issue)]
            order = query.order or [("key", True)]
            for attr, asc in reversed(order):
                if attr == "key":
                    hits.sort(key=lambda i: (i.project, i.number), reverse=not asc)
                else:
                    hits.sort(key=functools.partial(_text_of, attr), reverse=not asc)
            keys = [issue.key for issue in hits]
            self._search_cache[(jql, self.revision)] = keys
            return keys


def _text_of(attr: str, issue: FakeIssue) -> str:
    return str(getattr(issue, attr) or "")
