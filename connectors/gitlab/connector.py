"""The GitLab connector: projects or groups, milestones as releases, notes as records."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import ClassVar

from connectors.base import (
    AuthError,
    Comment,
    CommentRef,
    Connector,
    ConnectorError,
    Identity,
    IssueRef,
    Markup,
    Release,
    ReleaseNotFoundError,
    SourceScope,
    TrackerSettings,
)
from connectors.gitlab import notes
from connectors.gitlab.client import GitLabClient, Json
from connectors.gitlab.mapping import IssueMapper, issue_key
from connectors.gitlab.settings import GitLabSettings
from connectors.gitlab.sync import (
    Target,
    all_pages,
    fetch_issues,
    find_milestone,
    issue_params,
)
from secgate_tui.domain.model import Issue


class GitLabConnector(Connector):
    """GitLab.com or self-managed GitLab through python-gitlab (REST v4)."""

    kind: ClassVar[str] = "gitlab"
    settings_model: ClassVar[type[TrackerSettings]] = GitLabSettings
    markup: Markup = "markdown"
    #: GitLab rejects notes longer than 1,000,000 characters.
    comment_limit: ClassVar[int | None] = 1_000_000

    def __init__(self, name: str, settings: TrackerSettings, token: str | None) -> None:
        if not isinstance(settings, GitLabSettings):
            settings = GitLabSettings.model_validate(settings.model_dump(exclude_unset=True))
        super().__init__(name, settings, token)
        self.options: GitLabSettings = settings
        self.client = GitLabClient(name, settings, token)
        self.mapper = IssueMapper(name, settings)

    # -- reading -------------------------------------------------------------------

    def releases(self, scope: SourceScope) -> list[Release]:
        """Every milestone by its own title; secgate matches titles to the template."""
        target = Target.of(scope)
        params = {
            "include_ancestors" if target.kind == "projects" else "include_descendants": "true"
        }
        milestones = all_pages(
            self.client,
            f"{target.base}/milestones",
            params,
            f"the milestones of {target.describe()}",
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
        except AuthError:
            return set()  # releases can be hidden from Reporter-less tokens; milestones suffice
        titles = {str(m.get("title")) for r in releases for m in r.get("milestones") or []}
        return titles | {str(r.get("tag_name")) for r in releases}

    def issues(
        self, scope: SourceScope, release: str, since: datetime | None = None
    ) -> list[Issue]:
        target = Target.of(scope)
        title = scope.release_name(release)
        params = issue_params(title, scope.filter, since, self.options.sync_overlap_seconds)
        pairs = fetch_issues(self.client, target, params, self.options.concurrency)
        # An empty answer is either a quiet milestone or a wrong name; never pass on the latter.
        if not pairs and find_milestone(self.client, target, title) is None:
            raise ReleaseNotFoundError(
                f"GitLab {target.describe()} has no milestone titled '{title}' (release "
                f"'{release}', template '{scope.release}'). Check the release name and the "
                "source's 'release' template; group milestones need the project in that group.",
                tracker=self.name,
            )
        return self._map(pairs)

    def issue(self, key: str) -> Issue:
        return self._map([notes.get_issue(self.client, key)])[0]

    def _map(self, pairs: list[tuple[Json, str]]) -> list[Issue]:
        prefix = self.options.justification_prefix
        residual = [raw for raw, _ in pairs if self.mapper.needs_justification(raw)]
        rationale: dict[str, str | None] = {}
        if residual:
            with ThreadPoolExecutor(min(len(residual), self.options.concurrency)) as pool:
                keys = [issue_key(raw) for raw in residual]
                for key, text in zip(
                    keys,
                    pool.map(lambda k: notes.justification(self.client, k, prefix), keys),
                    strict=True,
                ):
                    rationale[key] = text
        try:
            return [
                self.mapper.issue(raw, rationale.get(issue_key(raw)), digest)
                for raw, digest in pairs
            ]
        except (ValueError, TypeError, KeyError) as exc:
            raise ConnectorError(
                f"GitLab sent an issue secgate cannot read ({type(exc).__name__}: "
                f"{self.redact(str(exc))[:200]}).",
                tracker=self.name,
            ) from None

    def whoami(self) -> Identity:
        if not self._token:
            raise AuthError(
                f"no GitLab token for tracker '{self.name}': set "
                f"{self.options.token_env or 'token_env'} or store it in the keyring.",
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

    def create_issue(
        self, project: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> IssueRef:
        return notes.create_issue(self.client, project, title, body, labels)

    def find_issues(self, project: str, marker: str) -> list[IssueRef]:
        return notes.find_issues(self.client, project, marker)

    def close(self) -> None:
        self.client.close()
