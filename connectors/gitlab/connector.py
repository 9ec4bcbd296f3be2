"""The GitLab connector: projects or groups, milestones as releases, notes as records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from connectors.base import (
    AttachmentRef,
    AuthError,
    BadResponseError,
    Comment,
    CommentRef,
    Connector,
    Identity,
    IssueRef,
    Markup,
    NotFoundError,
    Release,
    ReleaseNotFoundError,
    SourceScope,
    TrackerSettings,
    UnavailableError,
)
from connectors.gitlab import history, links, notes, residual, uploads
from connectors.gitlab.client import GitLabClient, Json
from connectors.gitlab.mapping import IssueMapper
from connectors.gitlab.pages import PagesChangedError
from connectors.gitlab.settings import GitLabSettings
from connectors.gitlab.sync import (
    PER_PAGE,
    Target,
    all_pages,
    changed_since,
    fetch_issues,
    find_milestone,
    issue_params,
    newest,
)
from secgate_tui.domain.model import Issue, StateEvent

#: A full sync re-reads a milestone whose issues changed under it at most this often.
FULL_READ_ATTEMPTS = 3
#: The Date header has second resolution and GitLab's web and database hosts may
#: disagree a little: look this much further back for changes during a read.
CLOCK_MARGIN_SECONDS = 5


class GitLabConnector(Connector[GitLabSettings]):
    """GitLab.com or self-managed GitLab through python-gitlab (REST v4)."""

    kind: ClassVar[str] = "gitlab"
    markup: Markup = "markdown"
    #: GitLab rejects notes longer than 1,000,000 characters.
    comment_limit: ClassVar[int | None] = 1_000_000

    def __init__(self, name: str, settings: TrackerSettings, token: str | None) -> None:
        super().__init__(name, settings, token)
        self.client = GitLabClient(name, self.settings, token)
        self.mapper = IssueMapper(name, self.settings)

    # -- reading -------------------------------------------------------------------

    def releases(self, scope: SourceScope) -> list[Release]:
        # Listing releases is the first step of a sync: held to the sync deadline too.
        with self.client.bounds.sync():
            return self._releases(scope)

    def _releases(self, scope: SourceScope) -> list[Release]:
        """Every milestone by its own title; secgate matches titles to the template."""
        target = Target.of(scope)
        params = {
            "include_ancestors" if target.kind == "projects" else "include_descendants": "true"
        }
        milestones = list(
            all_pages(
                self.client,
                f"{target.base}/milestones",
                params,
                f"the milestones of {target.describe()}",
            )
        )
        shipped = self._released_titles(target)
        found: dict[str, Release] = {}
        for milestone in milestones:
            title = str(milestone.get("title") or "")
            due = milestone.get("due_date")
            found[title] = Release(
                name=title,
                released=milestone.get("state") == "closed"
                or bool(milestone.get("expired"))
                or title in shipped,
                release_date=date.fromisoformat(due) if due else None,
            )
        return sorted(found.values(), key=lambda r: (r.release_date or date.max, r.name))

    def _released_titles(self, target: Target) -> set[str]:
        """Milestones that a GitLab release names count as released."""
        if target.kind != "projects":
            return set()
        try:
            releases = list(
                all_pages(
                    self.client,
                    f"{target.base}/releases",
                    {},
                    f"the releases of {target.describe()}",
                )
            )
        except (AuthError, NotFoundError):
            # Releases can be switched off or hidden from the token; milestones suffice.
            return set()
        titles = {str(m.get("title")) for r in releases for m in r.get("milestones") or []}
        return titles | {str(r.get("tag_name")) for r in releases}

    def issues(
        self, scope: SourceScope, release: str, since: datetime | None = None
    ) -> list[Issue]:
        # Every page and retry of one source's sync shares sync_deadline_seconds.
        with self.client.bounds.sync():
            return self._issues(scope, release, since)

    def _issues(self, scope: SourceScope, release: str, since: datetime | None) -> list[Issue]:
        target = Target.of(scope)
        title = scope.release_name(release)
        params = issue_params(title, scope.filter, since, self.settings.sync_overlap_seconds)
        early = residual.Early(self.client, self.settings)
        found = self._read(target, params, full=since is None, early=early)
        # An empty answer is either a quiet milestone or a wrong name; never pass on the latter.
        if not found and find_milestone(self.client, target, title) is None:
            raise ReleaseNotFoundError(
                f"GitLab {target.describe()} has no milestone titled '{title}' (release "
                f"'{release}', template '{scope.release}'). Check the release name and the "
                "source's 'release' template; group milestones need the project in that group.",
                tracker=self.name,
            )
        return self._justify(found, early)

    def project_issues(self, scope: SourceScope, since: datetime | None = None) -> list[Issue]:
        # One list for every milestone of the source: no milestone parameter.
        with self.client.bounds.sync():
            params = issue_params(None, scope.filter, since, self.settings.sync_overlap_seconds)
            early = residual.Early(self.client, self.settings)
            found = self._read(Target.of(scope), params, full=since is None, early=early)
            return self._justify(found, early)

    def _read(
        self, target: Target, params: dict[str, Any], *, full: bool, early: residual.Early
    ) -> list[Issue]:
        """The query's issues; a full read over several pages is checked for skips.

        While offset pages are read, an issue leaving the milestone shifts the
        later pages by one and the issue at a page boundary is silently skipped:
        a gate must not pass on that. Such a skip needs an issue that was read and
        then left, so one request for what changed during the read tells whether
        to read again. (An incremental read is corrected by the next full sync.)
        """
        for _ in range(FULL_READ_ATTEMPTS):
            started = datetime.now(UTC)
            try:
                found, served = fetch_issues(
                    self.client, target, params, self.settings.concurrency, self._convert, early
                )
            except PagesChangedError:
                continue  # GitLab's count moved between pages: the list changed, read again
            if not full or len(found) < PER_PAGE:
                return found  # one page is one consistent answer
            # GitLab's own clock (the Date of page 1) decides, not ours; else the overlap.
            since = (
                served - timedelta(seconds=CLOCK_MARGIN_SECONDS)
                if served is not None
                else started - timedelta(seconds=self.settings.sync_overlap_seconds)
            )
            changes = changed_since(self.client, target, since, self._convert)
            keys = {issue.key for issue in found}
            title, labels = params.get("milestone"), set(str(params.get("labels", "")).split(","))
            labels.discard("")
            # One pass: ``i not in inside`` compared each change with every other,
            # quadratic when most of a big project changed during the read.
            inside: list[Issue] = []
            left: list[Issue] = []
            for i in changes:
                if (title is None or title in i.fix_versions) and labels <= set(i.labels):
                    inside.append(i)
                elif i.key in keys:
                    left.append(i)
            if not left:
                return newest([*found, *inside])
        where = f"milestone '{params['milestone']}'" if "milestone" in params else "the list"
        raise UnavailableError(
            f"issues kept leaving {where} of {target.describe()} "
            f"while secgate read it ({FULL_READ_ATTEMPTS} attempts). Sync again in a moment.",
            tracker=self.name,
        )

    def issue(self, key: str) -> Issue:
        raw, digest = notes.get_issue(self.client, key)
        return self._justify([self._convert(raw, digest)])[0]

    def linked_versions(self, key: str) -> list[str]:
        types = self.settings.evidence_link_types
        return links.linked_milestones(self.client, key, types) if types else []

    def _convert(self, raw: Json, digest: str) -> Issue:
        try:
            return self.mapper.issue(raw, None, digest)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise BadResponseError(
                f"GitLab sent an issue secgate cannot read ({type(exc).__name__}: "
                f"{self.redact(str(exc))[:200]}).",
                tracker=self.name,
            ) from None

    def _justify(self, issues: list[Issue], early: residual.Early | None = None) -> list[Issue]:
        """Residual items and accepted issues: justification notes, acceptors' label events."""
        return residual.complete(self.client, self.settings, issues, early)

    def state_events(self, keys: Sequence[str]) -> list[StateEvent]:
        """Closes and reopens from GitLab's resource state events (not the initial open)."""
        return history.state_events(self.client, keys, self.settings.concurrency)

    def whoami(self) -> Identity:
        if not self._token:
            raise AuthError(
                f"no GitLab token for tracker '{self.name}': set "
                f"{self.settings.token_env or 'token_env'} or store it in the keyring.",
                tracker=self.name,
            )
        return notes.whoami(self.client)

    # -- writing -------------------------------------------------------------------

    def post_comment(self, key: str, body: str) -> CommentRef:
        return notes.post(self.client, key, body)

    def read_comment(self, ref: CommentRef) -> Comment:
        return notes.read(self.client, ref)

    def find_comments(self, key: str, marker: str) -> list[Comment]:
        return notes.find(self.client, key, marker)

    def edit_comment(self, ref: CommentRef, body: str) -> Comment:
        return notes.edit(self.client, ref, body)

    def delete_comment(self, ref: CommentRef) -> None:
        notes.delete(self.client, ref)

    def create_issue(
        self, project: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> IssueRef:
        return notes.create_issue(self.client, project, title, body, labels)

    def find_issues(self, project: str, marker: str) -> list[IssueRef]:
        return notes.find_issues(self.client, project, marker)

    def list_attachments(self, key: str) -> list[AttachmentRef]:
        return uploads.list_uploads(self.client, key)

    def read_attachment(self, ref: AttachmentRef) -> bytes:
        return uploads.read_upload(self.client, ref)

    def close(self) -> None:
        self.client.close()
