"""The Redmine connector: projects' target versions as releases, issues, notes as records.

Nothing the server says is trusted before ``/users/current.json`` has answered
with a user; :class:`RedmineClient` runs that check once, before its first request.

Requests per sync (what the caches are for). secgate's sync reads a source
once for all its releases (:meth:`RedmineConnector.project_issues`): the
versions, then the project's issues, ``updated_on>=cursor-overlap`` when
incremental, so three requests with the identity check when nothing changed.
Per release (:meth:`RedmineConnector.issues`, kept for the contract):

- full sync: versions (to resolve the version name to ``fixed_version_id`` and
  fail on an unknown one) + the pages of ``status_id=*`` issues, 100 each;
- incremental sync: ONE request when nothing changed. It asks for the
  project's issues with ``updated_on>=cursor-overlap`` without a version id and
  keeps those whose target version has the release's name, so it needs no
  version lookup; whether the version still exists is the full sync's job.
  Statuses come with each issue (``status.is_closed``); ``/issue_statuses.json``
  is read once only for servers that do not send it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

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
    NotSupportedError,
    Release,
    ReleaseNotFoundError,
    SourceScope,
    TrackerSettings,
)
from connectors.bounded import Bounds, Limits
from connectors.redmine import attachments, filters, history, links, mapping, notes
from connectors.redmine.anomaly import AnomalyRules
from connectors.redmine.client import JsonDict, RedmineClient
from connectors.redmine.settings import RedmineSettings
from secgate_tui.domain.model import Issue, StateEvent


class RedmineConnector(Connector[RedmineSettings]):
    kind = "redmine"
    markup: Markup = "textile"
    # Redmine keeps notes in a TEXT column: 65,535 bytes on MySQL, 4 bytes per
    # character at worst. Longer records go to an attachment, read back too.
    comment_limit = 16_000

    def __init__(self, name: str, settings: TrackerSettings, token: str | None) -> None:
        super().__init__(name, settings, token)
        settings = self.settings
        if not token:
            raise AuthError(
                f"{name}: no Redmine API key. Put it in the variable named by token_env or in "
                "the keyring (My account > API access key in Redmine).",
                tracker=name,
            )
        if not settings.url:
            raise NotSupportedError(f"{name}: the Redmine tracker needs a url", tracker=name)
        self.client = RedmineClient(
            tracker=name,
            url=settings.url,
            key=token,
            timeout=settings.timeout_seconds,
            retries=settings.retries,
            verify=settings.verify_tls,
            pool=settings.concurrency,
            redact=self.redact,
            bounds=Bounds(Limits.of(name, "Redmine", settings)),
        )
        # Redmine 5's REST API does not expose the text formatting setting, so
        # the configured value wins and Redmine's own default is assumed otherwise.
        formatting = settings.text_formatting
        self.markup = mapping.markup_of("textile" if formatting is None else formatting)
        self.mapper = mapping.IssueMapper(
            source=name,
            base_url=settings.url,
            dispositions=settings.dispositions,
            default_disposition=settings.default_disposition,
            disposition_field=settings.disposition_field,
            justification_field=settings.justification_field,
            label_fields=settings.label_fields,
            affects_version_field=settings.affects_version_field,
            severity_field=settings.severity_field,
            anomaly=AnomalyRules(settings),
            severity_map=settings.severity_map,
        )
        self._statuses: dict[int, bool] | None = None
        self._versions: dict[str, list[JsonDict]] = {}

    # -- trust ---------------------------------------------------------------

    def whoami(self) -> Identity:
        # The client asks once and makes every request wait for the answer.
        return self.client.identity()

    # -- releases ------------------------------------------------------------

    def _project_versions(self, project: str) -> list[JsonDict]:
        data = self.client.get(
            f"/projects/{_path(project)}/versions.json", what=f"the versions of project '{project}'"
        )
        versions = data.get("versions")
        if not isinstance(versions, list):
            raise BadResponseError(
                f"{self.name}: the versions of project '{project}' came back without a list",
                tracker=self.name,
            )
        self._versions[project] = versions
        return versions

    def releases(self, scope: SourceScope) -> list[Release]:
        # Listing releases is the first step of a sync: held to the sync deadline too.
        with self.client.bounds.sync():
            return self._releases(scope)

    def _releases(self, scope: SourceScope) -> list[Release]:
        today = datetime.now(UTC).date()
        return [mapping.release_of(v, today) for v in self._project_versions(scope.project)]

    def _version_id(self, scope: SourceScope, name: str) -> int:
        for version in self._project_versions(scope.project):
            if version.get("name") == name:
                return int(version["id"])
        raise ReleaseNotFoundError(
            f"{self.name}: project '{scope.project}' has no version named '{name}'. Check the "
            "release name and the source's release template.",
            tracker=self.name,
        )

    # -- issues --------------------------------------------------------------

    def _filters(self, scope: SourceScope) -> dict[str, Any]:
        try:
            return filters.issue_filters(scope)
        except ValueError as exc:
            raise NotSupportedError(f"{self.name}: {exc}", tracker=self.name) from None

    def issues(
        self, scope: SourceScope, release: str, since: datetime | None = None
    ) -> list[Issue]:
        # Every page and retry of one source's sync shares sync_deadline_seconds.
        with self.client.bounds.sync():
            return self._issues(scope, release, since)

    def _issues(self, scope: SourceScope, release: str, since: datetime | None) -> list[Issue]:
        name = scope.release_name(release)
        params = self._filters(scope)
        what = f"issues of project '{scope.project}'"
        version_id = None
        if since is None:
            version_id = params["fixed_version_id"] = self._version_id(scope, name)
        else:
            start = since - timedelta(seconds=self.settings.overlap_seconds)
            params["updated_on"] = ">=" + mapping.format_time(start)
        raws = self.client.pages(
            "/issues.json", params, "issues", what=what, page_size=self.settings.page_size
        )
        if since is not None:
            raws = [r for r in raws if (r.get("fixed_version") or {}).get("name") == name]
        elif any((r.get("fixed_version") or {}).get("id") != version_id for r in raws):
            # Asked for one target version: an issue of another is not an answer to trust.
            raise BadResponseError(
                f"{self.name}: Redmine listed, among the issues of version '{name}' of "
                f"project '{scope.project}', an issue whose target version is another; "
                "nothing from this answer is trusted.",
                tracker=self.name,
            )
        return self._map(scope.project, raws)

    def project_issues(self, scope: SourceScope, since: datetime | None = None) -> list[Issue]:
        # One list for every version of the source: no fixed_version_id.
        with self.client.bounds.sync():
            params = self._filters(scope)
            if since is not None:
                start = since - timedelta(seconds=self.settings.overlap_seconds)
                params["updated_on"] = ">=" + mapping.format_time(start)
            raws = self.client.pages(
                "/issues.json",
                params,
                "issues",
                what=f"issues of project '{scope.project}'",
                page_size=self.settings.page_size,
            )
            return self._map(scope.project, raws)

    def _map(self, project: str, raws: list[JsonDict]) -> list[Issue]:
        if not raws:
            return []
        statuses = self._statuses or {}
        if any("is_closed" not in (raw.get("status") or {}) for raw in raws):
            statuses = self._closed_statuses()
        names = self._version_names(project, raws)
        try:
            issues = [self.mapper.issue(raw, statuses, names) for raw in raws]
        except (KeyError, ValueError, TypeError) as exc:
            raise BadResponseError(
                f"{self.name}: an issue of project '{project}' could not be read ({exc!r}); "
                "secgate fails closed on data it cannot interpret.",
                tracker=self.name,
            ) from None
        return self._with_note_justifications(issues)

    def _closed_statuses(self) -> dict[int, bool]:
        if self._statuses is None:
            self._statuses = self._read_statuses()
        return self._statuses

    def _read_statuses(self) -> dict[int, bool]:
        data = self.client.get("/issue_statuses.json", what="the issue statuses")
        return {int(s["id"]): bool(s.get("is_closed")) for s in data.get("issue_statuses", [])}

    def _version_names(self, project: str, raws: list[JsonDict]) -> dict[str, str] | None:
        """Version id -> name, only when a version-format field (affects, acceptance) needs it."""
        if not any(v.isdigit() for raw in raws for v in self.mapper.version_values(raw)):
            return None
        versions = self._versions.get(project) or self._project_versions(project)
        return {str(v["id"]): str(v["name"]) for v in versions}

    def _with_note_justifications(self, issues: list[Issue]) -> list[Issue]:
        """Residual items without a justification field, and acceptances without their
        justification, acceptor or time: look in their journals (few issues)."""
        wanted = [i for i in issues if self.mapper.needs_note_justification(i)]
        if not wanted:
            return issues

        def justify(issue: Issue) -> Issue:
            journals = self._journals(issue.key)
            return self.mapper.with_journals(issue, journals, self.settings.justification_prefix)

        found = {i.key: i for i in self.client.map_concurrently(justify, wanted)}
        return [found.get(issue.key, issue) for issue in issues]

    def issue(self, key: str) -> Issue:
        raw = self._issue_json(key, include="journals")
        issue = self._map_one(raw)
        if self.mapper.needs_note_justification(issue):
            journals = [j for j in raw.get("journals") or [] if isinstance(j, dict)]
            issue = self.mapper.with_journals(issue, journals, self.settings.justification_prefix)
        return issue

    def _map_one(self, raw: JsonDict) -> Issue:
        project = str((raw.get("project") or {}).get("id", ""))
        statuses = self._statuses or {}
        if "is_closed" not in (raw.get("status") or {}):
            statuses = self._closed_statuses()
        try:
            return self.mapper.issue(raw, statuses, self._version_names(project, [raw]))
        except (KeyError, ValueError, TypeError) as exc:
            raise BadResponseError(
                f"{self.name}: issue #{raw.get('id')} could not be read ({exc!r}).",
                tracker=self.name,
            ) from None

    def _issue_json(self, key: str, include: str = "") -> JsonDict:
        number = self._number(key)
        params = {"include": include} if include else None
        data = self.client.get(f"/issues/{number}.json", params, what=f"issue #{number}")
        raw = data.get("issue")
        if not isinstance(raw, dict):
            raise BadResponseError(
                f"{self.name}: issue #{number} came back without an 'issue' object",
                tracker=self.name,
            )
        return raw

    def linked_versions(self, key: str) -> list[str]:
        """Target versions of the issues related to ``key`` by an evidence link type."""
        types = self.settings.evidence_link_types
        if not types:
            return []
        number = self._number(key)
        relations = self._issue_json(key, include="relations").get("relations") or []
        ids = links.related_ids(number, [r for r in relations if isinstance(r, dict)], types)
        versions: list[str] = []
        for other in ids:
            try:
                version = self._issue_json(mapping.issue_key(other)).get("fixed_version")
            except NotFoundError:
                continue  # a related issue this account cannot see links to no release
            name = version.get("name") if isinstance(version, dict) else None
            if isinstance(name, str) and name not in versions:
                versions.append(name)
        return versions

    def _journals(self, key: str) -> list[JsonDict]:
        journals = self._issue_json(key, include="journals").get("journals") or []
        return [j for j in journals if isinstance(j, dict)]

    def _number(self, key: str) -> int:
        try:
            return mapping.issue_id(key)
        except ValueError as exc:
            raise NotFoundError(f"{self.name}: {exc}", tracker=self.name) from None

    # -- history (the periodic review's reopen count) --------------------------

    def state_events(self, keys: Sequence[str]) -> list[StateEvent]:
        """Closes and reopens from each issue's journals, one GET per issue, concurrently.

        A deleted issue (404) is skipped, as the sandbox does: it has no history
        left to read, and one vanished issue should not make every reopen count
        unknown. The statuses are read fresh (one request): a status added or
        reclassified since the last sync must not be guessed open or closed.
        """
        for key in keys:
            self._number(key)  # a malformed key is an error, not an issue without history
        statuses = self._read_statuses()

        def read(key: str) -> list[StateEvent]:
            try:
                journals = self._journals(key)
            except NotFoundError:
                return []
            try:
                return history.state_events(self.name, key, journals, statuses)
            except ValueError as exc:
                raise BadResponseError(
                    f"{self.name}: the history of issue {key} could not be read ({exc}); "
                    "reopens are not counted from a history secgate cannot interpret.",
                    tracker=self.name,
                ) from None

        return [e for events in self.client.map_concurrently(read, list(keys)) for e in events]

    # -- notes (records) -----------------------------------------------------

    def post_comment(self, key: str, body: str) -> CommentRef:
        me = self.whoami()
        number = self._number(key)
        self.client.write(
            "put", f"/issues/{number}.json", {"issue": {"notes": body}}, what=f"issue #{number}"
        )
        # Redmine answers 204 without the journal's id: read the notes back and
        # take the newest one of ours with exactly this text.
        journal = notes.own_note(self._journals(key), body, me.id)
        if journal is not None:
            return self._ref(number, journal)
        raise BadResponseError(
            f"{self.name}: the note was sent to issue #{number} but is not among its notes "
            "when read back; the record is not confirmed.",
            tracker=self.name,
        )

    def _ref(self, number: int, journal: JsonDict) -> CommentRef:
        return notes.comment_ref(self.client.url, number, journal)

    def _comment(self, number: int, journal: JsonDict) -> Comment:
        return notes.comment(self.client.url, number, journal)

    def read_comment(self, ref: CommentRef) -> Comment:
        number = self._number(ref.key)
        for journal in self._journals(ref.key):
            if str(journal.get("id")) == ref.id:
                return self._comment(number, journal)
        raise NotFoundError(
            f"{self.name}: note {ref.id} of issue #{number} no longer exists (deleted, or its "
            "text was removed).",
            tracker=self.name,
        )

    def edit_comment(self, ref: CommentRef, body: str) -> Comment:
        """``PUT /journals/:id.json`` (Redmine 5.0+); answers 204, so the note is read back."""
        if not body.strip():
            raise NotSupportedError(
                f"{self.name}: Redmine deletes a note emptied by an edit; use delete_comment.",
                tracker=self.name,
            )
        self._put_note(ref, body, "editing")
        return self.read_comment(ref)

    def delete_comment(self, ref: CommentRef) -> None:
        """Redmine has no journal DELETE: emptying a note removes it.

        A journal that also recorded field changes stays with them, without its
        text; :meth:`read_comment` reports either as gone.
        """
        self._put_note(ref, "", "deleting")

    def _put_note(self, ref: CommentRef, notes_text: str, action: str) -> None:
        number = self._number(ref.key)
        if not ref.id.isdigit():
            raise NotFoundError(f"{self.name}: '{ref.id}' is not a note id.", tracker=self.name)
        what = f"note {ref.id} of issue #{number}"
        try:
            self.client.write(
                "put", f"/journals/{ref.id}.json", {"journal": {"notes": notes_text}}, what=what
            )
        except AuthError:
            # 403: the account lacks "Edit notes" / "Edit own notes" in the project.
            raise NotSupportedError(
                f"{self.name}: Redmine does not let this account change {what} ({action} "
                "needs the 'Edit own notes' permission).",
                tracker=self.name,
            ) from None

    def find_comments(self, key: str, marker: str) -> list[Comment]:
        number = self._number(key)
        journals = sorted(self._journals(key), key=lambda j: int(j.get("id", 0)))
        return [self._comment(number, j) for j in journals if marker in (j.get("notes") or "")]

    # -- issues (writing) ----------------------------------------------------

    def create_issue(
        self, project: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> IssueRef:
        # Redmine answers an unknown project on create with a 422; ask first for a clear 404.
        self.client.get(f"/projects/{_path(project)}.json", what=f"project '{project}'")
        fields = self._label_field_id(project) if labels else None
        issue: JsonDict = {"project_id": project, "subject": title, "description": body}
        if fields is not None:
            issue["custom_fields"] = [{"id": fields, "value": list(labels)}]
        try:
            data = self.client.write("post", "/issues.json", {"issue": issue}, what="a new issue")
        except BadResponseError:
            if "custom_fields" not in issue:
                raise
            # A 422 created nothing, so one more attempt is safe: a list field that
            # does not offer these labels must not stop a corrective action.
            del issue["custom_fields"]
            issue["description"] = f"{body}\n\nLabels: {', '.join(labels)}"
            data = self.client.write("post", "/issues.json", {"issue": issue}, what="a new issue")
        created = data.get("issue") if isinstance(data, dict) else None
        if not isinstance(created, dict) or "id" not in created:
            raise BadResponseError(
                f"{self.name}: Redmine created an issue in '{project}' but did not say which.",
                tracker=self.name,
            )
        number = int(created["id"])
        return IssueRef(key=mapping.issue_key(number), url=f"{self.client.url}/issues/{number}")

    def _label_field_id(self, project: str) -> int | None:
        """The first label field's id: configured as an id, or seen on an issue of the project."""
        for ref in self.mapper.label_fields:
            if ref.id is not None:
                return ref.id
        sample = self.client.get(
            "/issues.json",
            {"project_id": project, "status_id": "*", "limit": 1},
            what=f"issues of project '{project}'",
        ).get("issues") or [{}]
        for field in sample[0].get("custom_fields") or ():
            if any(ref.matches(field) for ref in self.mapper.label_fields):
                return int(field["id"])
        return None

    def find_issues(self, project: str, marker: str) -> list[IssueRef]:
        raws = self.client.pages(
            "/issues.json",
            {"project_id": project, "status_id": "*", "subject": "~" + marker, "sort": "id"},
            "issues",
            what=f"issues of project '{project}'",
            page_size=100,
        )
        return [
            IssueRef(key=mapping.issue_key(r["id"]), url=f"{self.client.url}/issues/{r['id']}")
            for r in raws
            if marker in str(r.get("subject", ""))
        ]

    # -- attachments (records longer than one note) ---------------------------

    def attach(self, key: str, filename: str, content: bytes) -> AttachmentRef:
        number = self._number(key)
        attachments.attach(self.client, number, filename, content)
        found = attachments.find(self.client, number, filename)
        if not found:
            raise BadResponseError(
                f"{self.name}: {filename} was attached to issue #{number} but is not listed "
                "on it when read back.",
                tracker=self.name,
            )
        return found[-1]

    def find_attachments(self, key: str, filename: str) -> list[AttachmentRef]:
        return attachments.find(self.client, self._number(key), filename)

    def list_attachments(self, key: str) -> list[AttachmentRef]:
        return attachments.list_all(self.client, self._number(key))

    def read_attachment(self, ref: AttachmentRef) -> bytes:
        return attachments.read(self.client, ref)

    def close(self) -> None:
        self.client.close()


def _path(identifier: str) -> str:
    # A project identifier is [a-z0-9_-]; anything else must not reach the URL path.
    from urllib.parse import quote

    return quote(identifier, safe="")
