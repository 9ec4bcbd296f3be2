"""How the fake Jira writes its objects as JSON, in REST v2 or v3 shape.

Shapes follow Atlassian's documented examples; the Cloud ones are checked
against the v3 OpenAPI document by the tests (tests/fakes/jira_schema.py).
v3 differs from v2 in rich text: descriptions and comment bodies are
Atlassian Document Format trees instead of wiki-markup strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.jira_state import (
    STATUS_CATEGORIES,
    FakeAttachment,
    FakeComment,
    FakeIssue,
    FakeUser,
    JiraState,
    category_of,
    status_id,
)

SEVERITY_FIELD = "customfield_10050"
JUSTIFICATION_FIELD = "customfield_10051"
#: Fields for an open issue's acceptance and its anomaly facts; an issue's ``custom``
#: holds each as Jira sends it (options, users, dates), text fields as plain text.
ACCEPTED_BY_FIELD = "customfield_10060"
ACCEPTED_ON_FIELD = "customfield_10061"
EXPIRY_FIELD = "customfield_10062"
CWE_FIELD = "customfield_10063"
CONTROLS_FIELD = "customfield_10064"
SAFETY_FIELD = "customfield_10065"
TARGET_FIELD = "customfield_10066"
ANOMALY_FIELDS = [
    (ACCEPTED_BY_FIELD, "Accepted by", "user", True),
    (ACCEPTED_ON_FIELD, "Accepted on", "datetime", True),
    (EXPIRY_FIELD, "Acceptance expires", "date", True),
    (CWE_FIELD, "CWE", "array", True),
    (CONTROLS_FIELD, "Compensating controls", "string", True),
    (SAFETY_FIELD, "Safety impact", "option", True),
    (TARGET_FIELD, "Target version", "version", True),
]

FIELD_LIST = [
    ("summary", "Summary", "string", False),
    ("status", "Status", "status", False),
    ("resolution", "Resolution", "resolution", False),
    ("issuetype", "Issue Type", "issuetype", False),
    ("labels", "Labels", "array", False),
    ("components", "Component/s", "array", False),
    ("fixVersions", "Fix Version/s", "array", False),
    ("versions", "Affects Version/s", "array", False),
    ("priority", "Priority", "priority", False),
    ("created", "Created", "datetime", False),
    ("updated", "Updated", "datetime", False),
    ("resolutiondate", "Resolved", "datetime", False),
    ("assignee", "Assignee", "user", False),
    ("comment", "Comment", "comments-page", False),
    ("description", "Description", "string", False),
    ("project", "Project", "project", False),
    ("attachment", "Attachment", "array", False),
    ("issuelinks", "Linked Issues", "array", False),
    (SEVERITY_FIELD, "Severity", "option", True),
    (JUSTIFICATION_FIELD, "Risk justification", "string", True),
    *ANOMALY_FIELDS,
]
ALL_FIELDS = [f[0] for f in FIELD_LIST]
CLAUSES = {"fixVersions": "fixVersion", "versions": "affectedVersion", "components": "component"}


def stamp(value: datetime | None, zone: str) -> str | None:
    """Jira's ``2026-11-20T10:15:30.000+0100`` in the user's zone."""
    if value is None:
        return None
    local = value.astimezone(ZoneInfo(zone))
    return (
        local.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{local.microsecond // 1000:03d}"
        + local.strftime("%z")
    )


def adf(text: str) -> dict[str, Any]:
    """Text as an ADF document: one paragraph, lines joined by hard breaks."""
    content: list[dict[str, Any]] = []
    for n, line in enumerate(text.split("\n")):
        if n:
            content.append({"type": "hardBreak"})
        if line:
            content.append({"type": "text", "text": line})
    return {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": content}]}


def adf_to_text(node: Any) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(adf_to_text(n) for n in node)
    if isinstance(node, dict):
        if node.get("type") == "text":
            return str(node.get("text", ""))
        if node.get("type") == "hardBreak":
            return "\n"
        return adf_to_text(node.get("content", []))
    return ""


class Renderer:
    def __init__(self, state: JiraState, base: str, cloud: bool) -> None:
        self.state = state
        self.base = base
        self.cloud = cloud
        # Rendered issues, valid for one state revision: keeps the fake's own CPU
        # out of the client's measurements when a benchmark reads 20,000 issues.
        self._cache: dict[tuple[int, tuple[str, ...] | None, str], dict[str, Any]] = {}
        self._cache_revision = -1

    def api(self, version: str) -> str:
        return f"{self.base}/rest/api/{version}"

    def rich(self, text: str, version: str) -> Any:
        return adf(text) if version == "3" else text

    def user(
        self, version: str = "2", *, details: bool = False, user: FakeUser | None = None
    ) -> dict[str, Any]:
        """The user as /myself answers (User), or embedded in an object (UserDetails)."""
        user = user or self.state.user
        out: dict[str, Any] = {
            "self": f"{self.api(version)}/user?accountId={user.account_id}",
            "displayName": user.display_name,
            "emailAddress": user.email,
            "active": True,
            "timeZone": user.time_zone,
            "avatarUrls": {"48x48": f"{self.base}/avatar.png"},
        }
        if self.cloud:
            out.update(accountId=user.account_id, accountType="atlassian")
            if not details:
                out["locale"] = "en_US"
        else:
            out.update(
                self=f"{self.api(version)}/user?username={user.name}", name=user.name, key=user.name
            )
        return out

    def server_info(self) -> dict[str, Any]:
        now = stamp(self.state.now(), "UTC")
        if self.cloud:
            return {
                "baseUrl": self.base,
                "displayUrl": self.base,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100290,
                "buildDate": "2026-11-01T00:00:00.000+0000",
                "serverTime": now,
                "scmInfo": "0c7d5c6f3b2c",
                "serverTitle": "Jira",
                "serverTimeZone": "UTC",
            }
        return {
            "baseUrl": self.base,
            "version": "9.12.15",
            "versionNumbers": [9, 12, 15],
            "deploymentType": "Server",
            "buildNumber": 9120015,
            "buildDate": "2024-10-01T00:00:00.000+0000",
            "serverTime": now,
            "scmInfo": "a1b2c3",
            "serverTitle": "Jira",
        }

    def fields(self) -> list[dict[str, Any]]:
        out = []
        for fid, name, kind, custom in FIELD_LIST:
            clause = CLAUSES.get(fid, fid)
            item: dict[str, Any] = {
                "id": fid,
                "key": fid,
                "name": name,
                "custom": custom,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": [clause] if not custom else [f"cf[{fid.split('_')[1]}]", name],
                "schema": {"type": kind, ("custom" if custom else "system"): fid},
            }
            if custom:
                item["schema"]["customId"] = int(fid.split("_")[1])
            out.append(item)
        return out

    def version(self, v: Any, version: str = "2") -> dict[str, Any]:
        out: dict[str, Any] = {
            "self": f"{self.api(version)}/version/{v.id}",
            "id": str(v.id),
            "name": v.name,
            "archived": False,
            "released": v.released,
            "projectId": self.state.project_ids[v.project],
        }
        if v.release_date is not None:
            out["releaseDate"] = v.release_date.isoformat()
        return out

    def _versions(self, issue: FakeIssue, names: list[str], version: str) -> list[dict[str, Any]]:
        by_name = {v.name: v for v in self.state.project_versions(issue.project)}
        return [self.version(by_name[n], version) for n in names if n in by_name]

    def comment(self, c: FakeComment, version: str, key: str) -> dict[str, Any]:
        zone = self.state.user_zone
        issue = self.state.issues[key]
        return {
            "self": f"{self.api(version)}/issue/{issue.id}/comment/{c.id}",
            "id": str(c.id),
            "author": self.user(version, details=True, user=self.state.find_user(c.author)),
            "body": self.rich(c.body, version),
            "updateAuthor": self.user(
                version, details=True, user=self.state.find_user(c.update_author or c.author)
            ),
            "created": stamp(c.created, zone),
            "updated": stamp(c.updated, zone),
            "jsdPublic": True,
        }

    def attachment(self, a: FakeAttachment, version: str) -> dict[str, Any]:
        content = (
            f"{self.api(version)}/attachment/content/{a.id}"
            if self.cloud
            else f"{self.base}/secure/attachment/{a.id}/{a.filename}"
        )
        return {
            "self": f"{self.api(version)}/attachment/{a.id}",
            "id": str(a.id),
            "filename": a.filename,
            "author": self.user(version, details=True),
            "created": stamp(a.created, self.state.user_zone),
            "size": len(a.content),
            "mimeType": a.mime_type,
            "content": content,
        }

    def issue(self, issue: FakeIssue, fields: list[str] | None, version: str) -> dict[str, Any]:
        """An IssueBean; ``fields`` None means every field. Call with the state lock held."""
        if self._cache_revision != self.state.revision:
            self._cache.clear()
            self._cache_revision = self.state.revision
        key = (issue.id, None if fields is None else tuple(fields), version)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._issue(issue, fields, version)
        return cached

    def _issue(self, issue: FakeIssue, fields: list[str] | None, version: str) -> dict[str, Any]:
        wanted = ALL_FIELDS if fields is None else [f for f in fields if f in ALL_FIELDS]
        out: dict[str, Any] = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog",
            "id": str(issue.id),
            "self": f"{self.api(version)}/issue/{issue.id}",
            "key": issue.key,
        }
        if fields == ["id"]:
            return {"id": str(issue.id)}
        out["fields"] = {name: self._field(issue, name, version) for name in wanted}
        return out

    def status(self, name: str, version: str) -> dict[str, Any]:
        """A StatusDetails bean, as in an issue's fields and GET /status."""
        api = self.api(version)
        cat_id, cat_name, color = STATUS_CATEGORIES[category_of(name)]
        return {
            "self": f"{api}/status/{status_id(name)}",
            "description": "",
            "iconUrl": f"{self.base}/s.png",
            "name": name,
            "id": status_id(name),
            "statusCategory": {
                "self": f"{api}/statuscategory/{cat_id}",
                "id": cat_id,
                "key": category_of(name),
                "colorName": color,
                "name": cat_name,
            },
        }

    def _link(self, n: int, link: tuple[str, str, str, str, str], version: str) -> Any:
        """An IssueLink bean: the other issue on the side the link points to from here."""
        api = self.api(version)
        name, inward, outward, direction, key = link
        other = self.state.issues[key]
        return {
            "id": str(50001 + n),
            "self": f"{api}/issueLink/{50001 + n}",
            "type": {
                "id": str(sum(map(ord, name))),
                "name": name,
                "inward": inward,
                "outward": outward,
                "self": f"{api}/issueLinkType/{sum(map(ord, name))}",
            },
            f"{direction}Issue": {
                "id": str(other.id),
                "key": other.key,
                "self": f"{api}/issue/{other.id}",
                "fields": {"summary": other.summary, "status": self.status(other.status, version)},
            },
        }

    def _field(self, issue: FakeIssue, name: str, version: str) -> Any:
        zone = self.state.user_zone
        api = self.api(version)
        if name == "summary":
            return issue.summary
        if name == "status":
            return self.status(issue.status, version)
        if name == "resolution":
            if issue.resolution is None:
                return None
            return {
                "self": f"{api}/resolution/1",
                "id": "1",
                "description": "",
                "name": issue.resolution,
            }
        if name == "issuetype":
            return {
                "self": f"{api}/issuetype/1",
                "id": "1",
                "description": "",
                "iconUrl": f"{self.base}/t.png",
                "name": issue.issuetype,
                "subtask": False,
            }
        if name == "labels":
            return list(issue.labels)
        if name == "components":
            return [
                {"self": f"{api}/component/{n}", "id": str(n + 1), "name": c}
                for n, c in enumerate(issue.components)
            ]
        if name == "fixVersions":
            return self._versions(issue, issue.fix_versions, version)
        if name == "versions":
            return self._versions(issue, issue.versions, version)
        if name == "priority":
            if issue.priority is None:
                return None
            return {
                "self": f"{api}/priority/3",
                "iconUrl": f"{self.base}/p.png",
                "name": issue.priority,
                "id": "3",
            }
        if name in ("created", "updated", "resolutiondate"):
            return stamp(getattr(issue, name), zone)
        if name == "assignee":
            return self.user(version) if issue.assignee else None
        if name == "comment":
            comments = [self.comment(c, version, issue.key) for c in issue.comments]
            return {
                "comments": comments,
                "self": f"{api}/issue/{issue.id}/comment",
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            }
        if name == "description":
            return self.rich(issue.description, version) if issue.description else None
        if name == "project":
            return {
                "self": f"{api}/project/{issue.project}",
                "id": str(self.state.project_ids[issue.project]),
                "key": issue.project,
                "name": self.state.projects[issue.project],
            }
        if name == "attachment":
            return [self.attachment(a, version) for a in issue.attachments]
        if name == "issuelinks":
            return [self._link(n, link, version) for n, link in enumerate(issue.links)]
        if name == SEVERITY_FIELD:
            if issue.severity is None:
                return None
            return {"self": f"{api}/customFieldOption/1", "value": issue.severity, "id": "1"}
        if name == JUSTIFICATION_FIELD:
            text = issue.custom.get(JUSTIFICATION_FIELD)
            return self.rich(text, version) if text else None
        if name == CONTROLS_FIELD:
            text = issue.custom.get(CONTROLS_FIELD)
            return self.rich(text, version) if text else None
        return issue.custom.get(name)
