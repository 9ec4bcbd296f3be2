"""The Jira connector (Cloud and Data Center) behind secgate's Connector contract."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, ClassVar
from urllib.parse import quote

from connectors import strictjson
from connectors.anomaly import severity_table
from connectors.base import (
    AttachmentRef,
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
)
from connectors.jira import acceptors, comments, links
from connectors.jira.anomaly import AnomalyRules
from connectors.jira.client import JiraClient
from connectors.jira.errors import bad_json_error
from connectors.jira.history import History
from connectors.jira.jql import scope_jql, since_text
from connectors.jira.mapping import IssueMapper
from connectors.jira.rawjson import text_digest
from connectors.jira.search import Searcher
from connectors.jira.settings import JiraSettings
from secgate_tui.domain.model import Issue, StateEvent

#: A Jira project key (what a source's ``project`` names; an id is digits).
_PROJECT_KEY = re.compile(r"[A-Z][A-Z0-9_]+")


class JiraConnector(Connector[JiraSettings]):
    """Jira Cloud (email + API token) or Data Center (personal access token)."""

    kind: ClassVar[str] = "jira"
    markup: Markup = "jira-wiki"
    comment_limit: ClassVar[int | None] = 32767

    def __init__(self, name: str, settings: TrackerSettings, token: str | None) -> None:
        super().__init__(name, settings, token)
        settings = self.settings
        self.client = JiraClient(name, settings, token)
        self.mapper = IssueMapper(
            source=name,
            base_url=self.client.base_url,
            dispositions=settings.dispositions,
            default_disposition=settings.default_disposition,
            severity_field=settings.severity_field,
            justification_field=settings.justification_field,
            justification_prefix=settings.justification_prefix,
            anomaly=AnomalyRules.of(settings),
            severity_map=severity_table(settings.severity_map),
        )

    @property
    def flavor(self) -> str:
        """ "cloud" or "datacenter", as detected or configured."""
        return "cloud" if self.client.is_cloud else "datacenter"

    # -- reading -------------------------------------------------------------

    def releases(self, scope: SourceScope) -> list[Release]:
        # Listing releases is the first step of a sync: held to the sync deadline too.
        with self.client.bounds.sync():
            return self._releases(scope)

    def _releases(self, scope: SourceScope) -> list[Release]:
        jira = self.client.jira
        versions = self.client.call(
            lambda: jira.project_versions(scope.project),
            f"reading the versions of project {scope.project}",
        )
        found = []
        for version in versions:
            raw: dict[str, Any] = getattr(version, "raw", None) or {}
            if not isinstance(raw.get("name"), str):
                raise BadResponseError(
                    f"Jira tracker '{self.name}' sent a version of {scope.project} without a name.",
                    tracker=self.name,
                )
            found.append(
                Release(
                    name=raw["name"],
                    released=bool(raw.get("released")),
                    release_date=_date(raw.get("releaseDate")),
                )
            )
        return found

    def issues(
        self, scope: SourceScope, release: str, since: datetime | None = None
    ) -> list[Issue]:
        # Every page and retry of one source's sync shares sync_deadline_seconds.
        with self.client.bounds.sync():
            return self._issues(scope, release, since)

    def _issues(self, scope: SourceScope, release: str, since: datetime | None) -> list[Issue]:
        version = scope.release_name(release)
        if since is None:
            # A full sync checks the release by name: a version of another project
            # passes JQL validation and would look like an empty, passing release.
            # Incremental syncs rely on Jira rejecting a version that disappeared.
            names = [r.name for r in self.releases(scope)]
            if version not in names:
                raise self._no_release(scope, release, version, names)
        settings = self.settings
        updated = since_text(since, settings.overlap_minutes, settings.timezone) if since else None
        jql = scope_jql(scope, version, updated)
        try:
            found = Searcher(self.client, self.mapper).issues(jql, full=since is None)
        except ReleaseNotFoundError:
            raise self._no_release(scope, release, version, None) from None
        wanted = version.casefold()
        for issue in found:
            # The JQL asked for one fix version: an issue without it is not an answer to trust.
            if wanted not in {name.casefold() for name in issue.fix_versions}:
                raise BadResponseError(
                    f"Jira tracker '{self.name}' answered the search for version '{version}' "
                    f"of {scope.project} with {issue.key}, which is not in that version; "
                    "nothing from this sync is trusted.",
                    tracker=self.name,
                )
        return self._with_acceptors(found)

    def _with_acceptors(self, issues: list[Issue]) -> list[Issue]:
        """Acceptances without acceptor or time: from their label's or field's changelog."""
        mapper = self.mapper
        return acceptors.complete(self.client, mapper.anomaly, mapper.table(), issues)

    def project_issues(self, scope: SourceScope, since: datetime | None = None) -> list[Issue]:
        # One search for every release of the source: no fixVersion clause.
        with self.client.bounds.sync():
            settings = self.settings
            updated = (
                since_text(since, settings.overlap_minutes, settings.timezone) if since else None
            )
            found = Searcher(self.client, self.mapper).issues(
                scope_jql(scope, None, updated), full=since is None
            )
            self._check_project(scope, found)
            return self._with_acceptors(found)

    def _check_project(self, scope: SourceScope, found: list[Issue]) -> None:
        """Asked for one project by key: an issue of another is not an answer to trust."""
        project = scope.project.strip()
        if not _PROJECT_KEY.fullmatch(project):
            return  # a project id: its issues' keys do not say it
        for issue in found:
            if not issue.key.startswith(f"{project}-"):
                raise BadResponseError(
                    f"Jira tracker '{self.name}' answered the search of project "
                    f"{scope.project} with {issue.key}, an issue of another project; nothing "
                    "from this sync is trusted.",
                    tracker=self.name,
                )

    def _no_release(
        self, scope: SourceScope, release: str, version: str, names: list[str] | None
    ) -> ReleaseNotFoundError:
        known = f" Its versions: {', '.join(names[-10:])}." if names else ""
        return ReleaseNotFoundError(
            f"Jira tracker '{self.name}': release '{release}' (Jira version '{version}') is "
            f"not a version of project {scope.project}.{known} Check the release name and the "
            "source's release template.",
            tracker=self.name,
        )

    def issue(self, key: str) -> Issue:
        searcher = Searcher(self.client, self.mapper)
        text = self.client.request(
            "GET",
            # The API version the sync reads, so both give the same raw digest.
            f"/rest/api/{3 if self.client.is_cloud else 2}/issue/{quote(key, safe='')}",
            f"reading issue {key}",
            params={"fields": ",".join(searcher.fields)},
            as_text=True,
        )
        try:
            raw = strictjson.loads(text)
        except ValueError:
            raise bad_json_error(self.client.ctx, f"reading issue {key}") from None
        return self._with_acceptors([searcher.one(raw, text_digest(text))])[0]

    def linked_versions(self, key: str) -> list[str]:
        """Fix versions of the issues ``key`` links to by an evidence link type."""
        types = self.settings.evidence_link_types
        if not types:
            return []
        api = "3" if self.client.is_cloud else "2"
        body = self.client.request(
            "GET",
            f"/rest/api/{api}/issue/{quote(key, safe='')}",
            f"reading the links of {key}",
            params={"fields": "issuelinks"},
        )
        versions: list[str] = []
        for other in links.linked_keys(key, body, types, self.name):
            try:
                linked = self.client.request(
                    "GET",
                    f"/rest/api/{api}/issue/{quote(other, safe='')}",
                    f"reading the fix versions of {other}",
                    params={"fields": "fixVersions"},
                )
            except NotFoundError:
                continue  # an issue this account cannot see links to no release
            fields = linked.get("fields") if isinstance(linked, dict) else None
            for version in (fields or {}).get("fixVersions") or []:
                name = version.get("name") if isinstance(version, dict) else None
                if isinstance(name, str) and name not in versions:
                    versions.append(name)
        return versions

    def whoami(self) -> Identity:
        jira = self.client.jira
        me = self.client.call(jira.myself, "asking who the token belongs to (myself)")
        if not isinstance(me, dict):
            raise BadResponseError(
                f"Jira tracker '{self.name}' answered /myself without a user.", tracker=self.name
            )
        ident = me.get("accountId") or me.get("key") or me.get("name")
        if not ident:
            raise BadResponseError(
                f"Jira tracker '{self.name}' answered /myself without an account id.",
                tracker=self.name,
            )
        return Identity(
            id=str(ident),
            name=str(me.get("emailAddress") or me.get("name") or ident),
            display_name=str(me.get("displayName") or ""),
        )

    # -- writing -------------------------------------------------------------

    def post_comment(self, key: str, body: str) -> CommentRef:
        return comments.post_comment(self.client, key, body)

    def read_comment(self, ref: CommentRef) -> Comment:
        return comments.read_comment(self.client, ref)

    def find_comments(self, key: str, marker: str) -> list[Comment]:
        return comments.find_comments(self.client, key, marker)

    def edit_comment(self, ref: CommentRef, body: str) -> Comment:
        return comments.edit_comment(self.client, ref, body)

    def delete_comment(self, ref: CommentRef) -> None:
        comments.delete_comment(self.client, ref)

    def create_issue(
        self, project: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> IssueRef:
        return comments.create_issue(
            self.client, project, title, body, labels, self.settings.issue_type
        )

    def find_issues(self, project: str, marker: str) -> list[IssueRef]:
        return comments.find_issues(self.client, project, marker)

    def attach(self, key: str, filename: str, content: bytes) -> AttachmentRef:
        return comments.attach(self.client, key, filename, content)

    def read_attachment(self, ref: AttachmentRef) -> bytes:
        return comments.read_attachment(self.client, ref)

    def find_attachments(self, key: str, filename: str) -> list[AttachmentRef]:
        return comments.find_attachments(self.client, key, filename)

    def list_attachments(self, key: str) -> list[AttachmentRef]:
        return comments.list_attachments(self.client, key)

    def state_events(self, keys: Sequence[str]) -> list[StateEvent]:
        return History(self.client).events(keys)

    def close(self) -> None:
        self.client.close()


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
