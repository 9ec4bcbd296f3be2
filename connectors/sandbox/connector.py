"""The embedded sandbox tracker: the whole connector contract, no network.

It backs ``secgate --demo`` and lets anyone try the gate and the authorization
protocol without a tracker account. Issues, comments and attachments live in
one JSON file (see tracker.py); in ``live`` mode engineers close demo items as
time passes, so the boards change while you watch.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, cast

from pydantic import Field

from connectors.anomaly import AnomalyFieldError, normalized_severity, severity_table
from connectors.base import (
    AttachmentRef,
    BadResponseError,
    Comment,
    CommentRef,
    Connector,
    Identity,
    IssueRef,
    NotFoundError,
    NotSupportedError,
    Release,
    ReleaseNotFoundError,
    SourceScope,
    TrackerSettings,
    UnavailableError,
    comment_edited,
)
from connectors.sandbox import anomaly
from connectors.sandbox.demo_data import live_steps, seed_demo
from connectors.sandbox.tracker import (
    Data,
    SandboxFile,
    advance,
    empty_data,
    now_iso,
    server_time,
)
from secgate_tui.domain import Disposition, Issue
from secgate_tui.domain.model import StateEvent

DEFAULT_DISPOSITIONS: dict[str, Disposition] = {
    "fixed": Disposition.FIXED,
    "done": Disposition.FIXED,
    "duplicate": Disposition.DUPLICATE,
    "not a bug": Disposition.NOT_A_DEFECT,
    "cannot reproduce": Disposition.NOT_A_DEFECT,
    "risk accepted": Disposition.RISK_ACCEPTED,
    "deferred": Disposition.DEFERRED,
    "won't fix": Disposition.WONT_FIX,
    "won't do": Disposition.WONT_FIX,
}


class SandboxSettings(TrackerSettings):
    kind: str = "sandbox"
    path: str = Field(description="The sandbox's JSON file (created on first use).")
    seed: Literal["demo", "empty"] = Field(
        "empty", description="What a new sandbox file starts with."
    )
    live: bool = Field(False, description="Let engineers close demo items as time passes.")


class SandboxConnector(Connector[SandboxSettings]):
    kind: ClassVar[str] = "sandbox"
    needs_token: ClassVar[bool] = False

    def __init__(self, name: str, settings: TrackerSettings, token: str | None) -> None:
        super().__init__(name, settings, token)
        settings = self.settings
        self._live = settings.live
        seeder = seed_demo if settings.seed == "demo" else empty_data
        self.file = SandboxFile(Path(settings.path).expanduser(), seeder)
        self._dispositions = {
            **DEFAULT_DISPOSITIONS,
            **{k.casefold(): v for k, v in settings.dispositions.items()},
        }
        self._severities = severity_table(settings.severity_map)

    # -- plumbing ---------------------------------------------------------------

    def _read(self, fault_point: str = "") -> Data:
        def load(data: Data) -> Data:
            return data

        if self._live:
            now = datetime.now(UTC)
            data = self.file.refresh(lambda d: advance(d, now) | live_steps(d, now))
        else:
            data = self.file.read(load)
        self._check_faults(data, fault_point)
        return data

    def _check_faults(self, data: Data, point: str) -> None:
        faults = data.get("faults", {})
        if faults.get("unavailable"):
            raise UnavailableError(
                f"the sandbox tracker '{self.name}' is unavailable (fault switched on)",
                tracker=self.name,
            )
        if point and faults.get(f"fail_{point}"):
            raise UnavailableError(
                f"the sandbox tracker '{self.name}' failed during {point} (fault switched on)",
                tracker=self.name,
            )

    def _issue_data(self, data: Data, key: str) -> dict[str, Any]:
        issue = data["issues"].get(key)
        if issue is None:
            raise NotFoundError(f"issue {key} does not exist in sandbox '{self.name}'")
        return dict(issue)

    def _normalize(self, raw: dict[str, Any]) -> Issue:
        resolution = raw.get("resolution")
        if resolution:
            disposition = self._dispositions.get(resolution.casefold(), Disposition.UNKNOWN)
        elif raw["closed"]:
            disposition = self.settings.default_disposition or Disposition.UNKNOWN
        else:
            disposition = Disposition.UNKNOWN
        digest = hashlib.sha256(
            json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        try:
            facts = anomaly.issue_fields(raw)
        except AnomalyFieldError as exc:
            raise BadResponseError(
                f"the sandbox tracker '{self.name}' holds an issue secgate cannot read: {exc}",
                tracker=self.name,
            ) from None
        return Issue(
            source=self.name,
            key=raw["key"],
            url=f"sandbox:{raw['key']}",
            title=raw["title"],
            type=raw.get("type", ""),
            status=raw["status"],
            closed=raw["closed"],
            resolution=resolution,
            disposition=disposition,
            labels=tuple(raw.get("labels", ())),
            components=tuple(raw.get("components", ())),
            fix_versions=tuple(raw.get("fix_versions", ())),
            affects_versions=tuple(raw.get("affects_versions", ())),
            priority=raw.get("priority"),
            severity=normalized_severity(raw.get("severity"), self._severities),
            created=datetime.fromisoformat(raw["created"]),
            updated=datetime.fromisoformat(raw["updated"]),
            closed_at=datetime.fromisoformat(raw["closed_at"]) if raw.get("closed_at") else None,
            assignee=raw.get("assignee"),
            # Who set the resolution, and when, as the sandbox's history would show it.
            resolved_by=raw.get("resolved_by"),
            resolved_on=(
                datetime.fromisoformat(raw["resolved_on"]) if raw.get("resolved_on") else None
            ),
            justification=self._justification(raw),
            raw_digest=digest,
            **facts,
        )

    def _justification(self, raw: dict[str, Any]) -> str | None:
        if raw.get("justification"):
            return str(raw["justification"])
        prefix = self.settings.justification_prefix
        for comment in reversed(raw.get("comments", [])):
            if prefix and comment["body"].startswith(prefix):
                return str(comment["body"][len(prefix) :].strip())
        return None

    def _project(self, data: Data, project: str) -> dict[str, Any]:
        found = data["projects"].get(project)
        if found is None:
            raise NotFoundError(
                f"project '{project}' does not exist in sandbox '{self.name}'", tracker=self.name
            )
        return dict(found)

    # -- reading ------------------------------------------------------------------

    def releases(self, scope: SourceScope) -> list[Release]:
        project = self._project(self._read(), scope.project)
        return [Release.model_validate(version) for version in project["versions"]]

    def issues(
        self, scope: SourceScope, release: str, since: datetime | None = None
    ) -> list[Issue]:
        data = self._read()
        project = self._project(data, scope.project)
        version = scope.release_name(release)
        if version not in {v["name"] for v in project["versions"]}:
            raise ReleaseNotFoundError(
                f"release '{version}' is no version of sandbox project '{scope.project}'",
                tracker=self.name,
            )
        if data.get("faults", {}).get("empty_issues"):
            return []  # a consistent but false answer, as a proxy or a lost permission gives
        wanted = set(filter(None, (label.strip() for label in scope.filter.split(","))))
        found = []
        for raw in data["issues"].values():
            # The release's members and the issues that affect it (its candidate
            # unresolved anomalies); the services split them with domain.scope.
            if raw["project"] != scope.project or (
                version not in raw.get("fix_versions", ())
                and version not in raw.get("affects_versions", ())
            ):
                continue
            if wanted and not wanted <= set(raw.get("labels", ())):
                continue
            if since is not None and datetime.fromisoformat(raw["updated"]) < since:
                continue
            found.append(self._normalize(raw))
        return found

    def project_issues(self, scope: SourceScope, since: datetime | None = None) -> list[Issue]:
        data = self._read()
        self._project(data, scope.project)
        if data.get("faults", {}).get("empty_issues"):
            return []  # a consistent but false answer, as a proxy or a lost permission gives
        wanted = set(filter(None, (label.strip() for label in scope.filter.split(","))))
        return [
            self._normalize(raw)
            for raw in data["issues"].values()
            if raw["project"] == scope.project
            and (not wanted or wanted <= set(raw.get("labels", ())))
            and (since is None or datetime.fromisoformat(raw["updated"]) >= since)
        ]

    def issue(self, key: str) -> Issue:
        return self._normalize(self._issue_data(self._read(), key))

    def whoami(self) -> Identity:
        return Identity.model_validate(self._read()["identity"])

    # -- writing ------------------------------------------------------------------

    def post_comment(self, key: str, body: str) -> CommentRef:
        def add(data: Data) -> tuple[CommentRef, bool]:
            self._check_faults(data, "post")
            issue = data["issues"].get(key)
            if issue is None:
                raise NotFoundError(f"issue {key} does not exist in sandbox '{self.name}'")
            comment_id = str(data["next_comment_id"])
            data["next_comment_id"] += 1
            stamp = now_iso(server_time(data))
            issue.setdefault("comments", []).append(
                {
                    "id": comment_id,
                    "body": body,
                    "author": data["identity"]["name"],
                    "author_id": data["identity"]["id"],
                    "created": stamp,
                    "updated": stamp,
                    "update_author_id": data["identity"]["id"],
                }
            )
            lost = data["faults"].get("lost_response", 0)
            if lost:
                data["faults"]["lost_response"] = lost - 1
            return CommentRef(key=key, id=comment_id, url=f"sandbox:{key}#c{comment_id}"), bool(
                lost
            )

        ref, lost = self.file.write(add)
        if lost:
            # The tracker stored the comment but the answer never arrived.
            raise UnavailableError(
                f"the sandbox tracker '{self.name}' lost the response to a comment post "
                "(fault switched on)",
                tracker=self.name,
            )
        return ref

    def _comments(self, key: str, fault_point: str = "") -> list[Comment]:
        raw = self._issue_data(self._read(fault_point), key)
        return [self._comment(key, c) for c in raw.get("comments", [])]

    @staticmethod
    def _comment(key: str, raw: dict[str, Any]) -> Comment:
        created = datetime.fromisoformat(raw["created"])
        # Comments written before edits were tracked were never edited through
        # the sandbox (it could not edit then): their last change is their creation.
        updated = datetime.fromisoformat(raw.get("updated") or raw["created"])
        # Comments written before author ids were stored have none: not adoptable.
        author_id = str(raw.get("author_id") or "")
        update_author_id = str(raw.get("update_author_id") or author_id)
        return Comment(
            ref=CommentRef(key=key, id=raw["id"], url=f"sandbox:{key}#c{raw['id']}"),
            body=raw["body"],
            author=raw["author"],
            author_id=author_id,
            created=created,
            updated=updated,
            update_author_id=update_author_id,
            # An edit is also flagged, so one within the clock's resolution still shows.
            edited=bool(raw.get("edited"))
            or comment_edited(created, updated, author_id, update_author_id),
        )

    def edit_comment(self, ref: CommentRef, body: str) -> Comment:
        if not body.strip():
            raise NotSupportedError(
                f"sandbox '{self.name}': a comment cannot be emptied; delete it instead",
                tracker=self.name,
            )

        def edit(data: Data) -> dict[str, Any]:
            self._check_faults(data, "post")
            raw = self._raw_comment(data, ref)
            raw.update(
                body=body,
                updated=now_iso(server_time(data)),
                update_author_id=data["identity"]["id"],
                edited=True,
            )
            return dict(raw)

        return self._comment(ref.key, self.file.write(edit))

    def delete_comment(self, ref: CommentRef) -> None:
        def delete(data: Data) -> None:
            self._check_faults(data, "post")
            raw = self._raw_comment(data, ref)
            data["issues"][ref.key]["comments"].remove(raw)

        self.file.write(delete)

    def _raw_comment(self, data: Data, ref: CommentRef) -> dict[str, Any]:
        issue = self._issue_data(data, ref.key)
        for raw in issue.get("comments", []):
            if raw["id"] == ref.id:
                return cast(dict[str, Any], raw)
        raise NotFoundError(
            f"comment {ref.id} on {ref.key} does not exist (deleted?)", tracker=self.name
        )

    def read_comment(self, ref: CommentRef) -> Comment:
        for comment in self._comments(ref.key, "read"):
            if comment.ref.id == ref.id:
                return comment
        raise NotFoundError(f"comment {ref.id} on {ref.key} does not exist (deleted?)")

    def find_comments(self, key: str, marker: str) -> list[Comment]:
        return [c for c in self._comments(key) if marker in c.body]

    def create_issue(
        self, project: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> IssueRef:
        def create(data: Data) -> IssueRef:
            self._check_faults(data, "post")
            found = data["projects"].get(project)
            if found is None:
                raise NotFoundError(f"project '{project}' does not exist in sandbox")
            found["next_id"] += 1
            key = f"{project}-{found['next_id']}"
            stamp = now_iso(server_time(data))
            data["issues"][key] = {
                "key": key,
                "project": project,
                "title": title,
                "description": body,
                "type": "Task",
                "status": "To Do",
                "closed": False,
                "labels": list(labels),
                "created": stamp,
                "updated": stamp,
                "comments": [],
            }
            return IssueRef(key=key, url=f"sandbox:{key}")

        return self.file.write(create)

    def find_issues(self, project: str, marker: str) -> list[IssueRef]:
        data = self._read()
        return [
            IssueRef(key=key, url=f"sandbox:{key}")
            for key, raw in data["issues"].items()
            if raw["project"] == project and marker in raw["title"]
        ]

    def state_events(self, keys: Sequence[str]) -> list[StateEvent]:
        """Transitions recorded in each issue's ``history``; a close without one counts too."""
        data = self._read()
        events = []
        for key in keys:
            raw = data["issues"].get(key)
            if raw is None:
                continue
            history = raw.get("history", [])
            for entry in history:
                events.append(
                    StateEvent(
                        source=self.name,
                        key=key,
                        at=datetime.fromisoformat(entry["at"]),
                        state=entry["state"],
                    )
                )
            if raw["closed"] and raw.get("closed_at") and not history:
                events.append(
                    StateEvent(
                        source=self.name,
                        key=key,
                        at=datetime.fromisoformat(raw["closed_at"]),
                        state="closed",
                    )
                )
        return events

    def attach(self, key: str, filename: str, content: bytes) -> AttachmentRef:
        def add(data: Data) -> AttachmentRef:
            self._check_faults(data, "post")
            issue = data["issues"].get(key)
            if issue is None:
                raise NotFoundError(f"issue {key} does not exist in sandbox '{self.name}'")
            attachments = issue.setdefault("attachments", [])
            attachment_id = f"a{len(attachments) + 1}"
            attachments.append(
                {
                    "id": attachment_id,
                    "filename": filename,
                    "content": base64.b64encode(content).decode(),
                }
            )
            return AttachmentRef(key=key, id=attachment_id, filename=filename)

        return self.file.write(add)

    def read_attachment(self, ref: AttachmentRef) -> bytes:
        raw = self._issue_data(self._read("read"), ref.key)
        for attachment in raw.get("attachments", []):
            if attachment["id"] == ref.id:
                try:
                    return base64.b64decode(attachment["content"], validate=True)
                except ValueError:
                    raise BadResponseError(f"attachment {ref.id} is corrupt") from None
        raise NotFoundError(f"attachment {ref.id} on {ref.key} does not exist")

    def find_attachments(self, key: str, filename: str) -> list[AttachmentRef]:
        return [ref for ref in self.list_attachments(key) if ref.filename == filename]

    def list_attachments(self, key: str) -> list[AttachmentRef]:
        raw = self._issue_data(self._read(), key)
        return [
            AttachmentRef(key=key, id=a["id"], filename=a["filename"])
            for a in raw.get("attachments", [])
        ]
