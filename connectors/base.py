"""The connector contract every tracker implements, and secgate's error types.

A connector normalizes one tracker (Jira, GitLab, Redmine, the sandbox, or a
third party's, registered under the entry-point group ``secgate.connectors``)
into :class:`secgate_tui.domain.Issue` and writes records back as comments.
It raises only the errors below, with messages a release manager understands
and with every secret redacted.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, ClassVar, Generic, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator
from typing_extensions import TypeVar

from secgate_tui.domain.model import Disposition, Issue, Severity, StateEvent

#: The name of a markup dialect in secgate's render registry
#: (:func:`secgate_tui.domain.render.dialect`): "plain", "jira-wiki", "markdown",
#: "textile", or one a plugin registered with ``register_dialect``.
Markup = str

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# --------------------------------------------------------------------------- errors


class ConnectorError(Exception):
    """Base of every error a connector raises. The message is for a person."""

    def __init__(self, message: str, *, tracker: str = "") -> None:
        super().__init__(message)
        self.tracker = tracker

    @property
    def message(self) -> str:
        return str(self.args[0])


class AuthError(ConnectorError):
    """The tracker refused the credential (401/403, or silently anonymous)."""


class NotFoundError(ConnectorError):
    """A project, version, issue or comment does not exist (or is not visible)."""


class ReleaseNotFoundError(NotFoundError):
    """The release name matches no version / milestone of the source."""


class RateLimitedError(ConnectorError):
    """The tracker kept answering 429 beyond the retry budget."""

    def __init__(self, message: str, *, tracker: str = "", retry_after: float | None = None):
        super().__init__(message, tracker=tracker)
        self.retry_after = retry_after


class UnavailableError(ConnectorError):
    """The tracker could not be reached, timed out, or kept failing with 5xx."""


class BadResponseError(ConnectorError):
    """The tracker answered something secgate cannot trust (HTML, bad JSON, 4xx)."""


class NotSupportedError(ConnectorError):
    """The tracker (or this connector) cannot do what was asked."""


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each secret (and its obvious encodings) by ***."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    # Authorization headers and token query parameters echoed by libraries.
    text = re.sub(r"(?i)(authorization:\s*\w+\s+)\S+", r"\1***", text)
    return re.sub(r"(?i)((?:private_token|token|key|api_key)=)[^&\s]+", r"\1***", text)


# --------------------------------------------------------------------------- settings


class TrackerSettings(BaseModel):
    """Settings common to every tracker; a connector may extend them.

    Unknown keys are errors: a typo in a tracker table must not be silently
    ignored by a security gate.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(description="jira | gitlab | redmine | sandbox | a plugin's kind")
    url: str = Field("", description="Base URL of the tracker.")
    user: str | None = Field(None, description="Login for basic auth (Jira Cloud e-mail).")
    token_env: str | None = Field(
        None, description="Environment variable holding the token; never the token itself."
    )
    keyring_service: str = Field(
        "secgate", description="Keyring service to look the token up in when token_env is unset."
    )
    dispositions: dict[str, Disposition] = Field(
        default_factory=dict,
        description="Resolution, status or label value -> disposition, over the defaults.",
    )
    default_disposition: Disposition | None = Field(
        None, description="Disposition of a closed item with no resolution at all."
    )
    justification_field: str | None = Field(
        None, description="Field or custom field holding a risk-acceptance rationale."
    )
    justification_prefix: str = Field(
        "Risk acceptance:", description="A comment starting with this holds the rationale."
    )
    severity_map: dict[str, Severity] = Field(
        default_factory=dict,
        description=(
            "Tracker severity value (any case) -> critical | high | medium | low. Empty: the "
            "tracker's value is kept as is; a value the map does not name is kept as is too, "
            "and a policy written against the normalized severity treats it as unknown."
        ),
    )

    @field_validator("severity_map")
    @classmethod
    def _one_meaning_per_value(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        seen: dict[str, Severity] = {}
        for name, severity in value.items():
            folded = name.strip().casefold()
            if not folded:
                raise ValueError("a severity_map key is empty")
            if seen.get(folded, severity) is not severity:
                raise ValueError(
                    f"'{name}' is mapped twice (severity_map keys are compared ignoring case) "
                    "to different severities"
                )
            seen[folded] = severity
        return value

    @field_validator("token_env")
    @classmethod
    def _a_variable_name(cls, value: str | None) -> str | None:
        # Never echo the value: a token pasted here by mistake must not be printed.
        if value is not None and not _ENV_NAME.fullmatch(value):
            raise ValueError(
                "must be the NAME of an environment variable (letters, digits, underscores), "
                "not the token itself; if a token was pasted here, revoke it"
            )
        return value

    evidence_link_types: tuple[str, ...] = Field(
        (),
        description=(
            "Issue link / relation types (any case; Jira: the type's name or its inward or "
            "outward wording, GitLab: relates_to | blocks | is_blocked_by, Redmine: relates, "
            "blocks, precedes, ...) through which an evidence issue is linked to a release: "
            "the fix versions of the issues it links to this way count as its releases "
            "(activity scope 'release'). Empty: only its own fix versions."
        ),
    )

    page_size: int = Field(100, ge=1, le=5000)
    concurrency: int = Field(8, ge=1, le=64)
    refresh_seconds: int = Field(60, ge=1)
    timeout_seconds: float = Field(
        30.0, gt=0, le=3600, description="Longest wait to connect and for each single read."
    )
    max_response_mb: int = Field(
        64,
        ge=1,
        le=4096,
        description=(
            "Largest answer read from the tracker, in MiB after decompression (one page, "
            "one attachment); a larger one fails the request."
        ),
    )
    request_deadline_seconds: float = Field(
        300.0,
        gt=0,
        le=86_400,
        description="Longest time one request may take, from sending it to its last byte.",
    )
    sync_deadline_seconds: float = Field(
        1800.0,
        gt=0,
        le=604_800,
        description="Longest time one source's sync may take (every page and retry included).",
    )


# --------------------------------------------------------------------------- values


class SourceScope(BaseModel):
    """One product source: where in the tracker the release's issues live."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tracker: str
    project: str
    release: str = "{release}"
    filter: str = ""
    options: Mapping[str, Any] = Field(default_factory=dict)

    def release_name(self, release: str) -> str:
        """The tracker's own version / milestone name for a secgate release name."""
        return self.release.replace("{release}", release)


class Release(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    released: bool = False
    release_date: date | None = None


class Identity(BaseModel):
    """Who the connector acts as; appears as the author of records."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    display_name: str = ""


class IssueRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    url: str = ""


class CommentRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    id: str
    url: str = ""


class Comment(BaseModel):
    model_config = ConfigDict(frozen=True)

    ref: CommentRef
    body: str
    #: The author as people know them (display name, login): for showing, never for trust.
    author: str = ""
    #: The author's stable account id, the same value ``whoami().id`` gives for that
    #: account ("" when the tracker did not say). Authorship checks compare only this.
    author_id: str = ""
    #: The tracker's own server-side times (None when the tracker does not say).
    created: AwareDatetime | None = None
    updated: AwareDatetime | None = None
    #: The account id (same form as ``author_id``) of whoever last edited the comment;
    #: None when the tracker does not say (GitLab notes, Redmine 5.0 journals).
    update_author_id: str | None = None
    #: Whether the comment changed after it was posted; None when the tracker cannot tell.
    edited: bool | None = None


def comment_edited(
    created: datetime | None,
    updated: datetime | None,
    author_id: str,
    update_author_id: str | None,
) -> bool | None:
    """Whether a comment was edited, from what the tracker says (None: it cannot tell).

    Edited means a last-update time other than the creation time, or a last
    editor other than the author. Without both times nothing can be told.
    """
    if update_author_id is not None and update_author_id != author_id:
        return True
    if created is None or updated is None:
        return None
    return updated != created


class AttachmentRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    id: str
    filename: str
    url: str = ""


# --------------------------------------------------------------------------- contract

# The default keeps a bare ``Connector`` meaning "any connector" for callers.
SettingsT = TypeVar("SettingsT", bound=TrackerSettings, default=TrackerSettings)


class Connector(ABC, Generic[SettingsT]):
    """A tracker, normalized, generic in its settings model.

    ``class MyConnector(Connector[MySettings])`` sets ``settings_model`` to
    ``MySettings``; the constructor validates the settings into that model once,
    so ``self.settings`` is always a ``MySettings`` and no connector re-validates.

    Capabilities are class attributes. Abstract methods are the contract;
    the others have safe defaults that refuse rather than pretend.
    """

    kind: ClassVar[str]
    #: Derived from the generic parameter (``Connector[JiraSettings]``).
    settings_model: ClassVar[type[TrackerSettings]] = TrackerSettings
    #: Name of the markup dialect comments are rendered in (the render registry's name).
    markup: Markup = "plain"
    #: Longest comment body the tracker accepts, in characters (None: no known limit).
    comment_limit: ClassVar[int | None] = None
    #: Whether a token is needed at all (the sandbox needs none).
    needs_token: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            if get_origin(base) is Connector:
                (model,) = get_args(base)
                if isinstance(model, type) and issubclass(model, TrackerSettings):
                    cls.settings_model = model

    def __init__(self, name: str, settings: TrackerSettings, token: str | None) -> None:
        self.name = name
        self.settings: SettingsT = self._own_settings(name, settings)
        self._token = token

    @classmethod
    def _own_settings(cls, name: str, settings: TrackerSettings) -> SettingsT:
        """``settings`` as this connector's model (the config already builds it so)."""
        if not isinstance(settings, cls.settings_model):
            try:
                settings = cls.settings_model.model_validate(
                    settings.model_dump(exclude_unset=True)
                )
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                raise ConnectorError(
                    f"the settings of tracker '{name}' do not fit the {cls.kind} connector: "
                    f"{where}: {first['msg']}. Correct trackers.{name} in the configuration.",
                    tracker=name,
                ) from None
        return settings  # type: ignore[return-value]  # an instance of the parameter's model

    # -- reading -------------------------------------------------------------

    @abstractmethod
    def releases(self, scope: SourceScope) -> list[Release]:
        """Versions / milestones / target versions of the scope's project.

        Names are the tracker's own (e.g. milestone "v2.1"); secgate maps them
        back to release names through ``scope.release``. Entries the template
        cannot match may be included; they are ignored.

        Raises:
            NotFoundError: the project does not exist or is not visible.
        """

    @abstractmethod
    def issues(
        self, scope: SourceScope, release: str, since: datetime | None = None
    ) -> list[Issue]:
        """Issues of the release scope, normalized.

        Args:
            scope: the product source.
            release: secgate's release name (``scope.release_name`` maps it).
            since: only issues updated at or after this time (incremental sync);
                None returns the whole scope.

        Raises:
            ReleaseNotFoundError: no version / milestone has the release's name.
        """

    def project_issues(self, scope: SourceScope, since: datetime | None = None) -> list[Issue]:
        """Every issue of the source (project and filter), in any release or none.

        secgate's sync reads each source once with this, and selects each
        release's issues locally (``secgate_tui.domain.scope.release_scope``):
        one updated-since request serves every release, and issues that affect
        a release without being fixed in it are seen too. ``scope.release`` is
        not used.

        The default, for connectors written before it, reads every release the
        tracker lists through :meth:`issues`: correct for fix versions, but one
        request per release, and blind to issues that name no fix version.

        Args:
            since: only issues updated at or after this time; None: all of them.
        """
        plain = scope.model_copy(update={"release": "{release}"})
        found: dict[str, Issue] = {}
        for release in self.releases(plain):
            try:
                listed = self.issues(plain, release.name, since)
            except ReleaseNotFoundError:
                continue  # deleted between the two requests: its issues moved on
            for issue in listed:
                found[issue.key] = issue
        return list(found.values())

    @abstractmethod
    def issue(self, key: str) -> Issue:
        """One issue by key (activity evidence, record issues)."""

    @abstractmethod
    def whoami(self) -> Identity:
        """The identity the credential acts as. Raises AuthError when anonymous."""

    # -- writing -------------------------------------------------------------

    @abstractmethod
    def post_comment(self, key: str, body: str) -> CommentRef:
        """Add a comment to an issue. Never retried blindly by the connector."""

    @abstractmethod
    def read_comment(self, ref: CommentRef) -> Comment:
        """Read one comment back, byte for byte as the tracker stores it."""

    @abstractmethod
    def find_comments(self, key: str, marker: str) -> list[Comment]:
        """Every comment of the issue whose body contains ``marker``, oldest first."""

    def edit_comment(self, ref: CommentRef, body: str) -> Comment:
        """Replace a comment's body (e.g. turn a duplicate record into a plain note).

        Returns the comment as read back. Never retried blindly. ``body`` must
        not be empty (some trackers delete an emptied comment).

        Raises:
            NotSupportedError: the tracker (or the account's permissions) forbids it.
            NotFoundError: the comment no longer exists.
        """
        raise NotSupportedError(
            f"the {self.kind} connector cannot edit comments", tracker=self.name
        )

    def delete_comment(self, ref: CommentRef) -> None:
        """Delete a comment (a duplicate record this run posted). Never retried blindly.

        Raises:
            NotSupportedError: the tracker (or the account's permissions) forbids
                it; :meth:`edit_comment` is the fallback.
            NotFoundError: the comment no longer exists.
        """
        raise NotSupportedError(
            f"the {self.kind} connector cannot delete comments", tracker=self.name
        )

    @abstractmethod
    def create_issue(
        self,
        project: str,
        title: str,
        body: str,
        labels: Sequence[str] = (),
    ) -> IssueRef:
        """Create an issue (record issues, corrective actions)."""

    def find_issues(self, project: str, marker: str) -> list[IssueRef]:
        """Issues of the project whose title contains ``marker`` (record-issue lookup)."""
        raise NotSupportedError(
            f"the {self.kind} connector cannot search issues by title", tracker=self.name
        )

    def state_events(self, keys: Sequence[str]) -> list[StateEvent]:
        """Open/close transitions of these issues from the tracker's history.

        Used by the periodic review (IEC 81001-5-1 4.1.8) to count reopened
        issues. Return "closed" / "opened" (or "reopened") events, any order;
        a tracker without history raises NotSupportedError, and the review
        then says reopens are unknown instead of reporting zero.
        """
        raise NotSupportedError(
            f"the {self.kind} connector cannot read issue history", tracker=self.name
        )

    def linked_versions(self, key: str) -> list[str]:
        """The fix versions of the issues ``key`` links to by one of the tracker's
        ``evidence_link_types``: the releases an evidence issue is linked to.

        Returns [] when no link type is configured (no request is made).

        Raises:
            NotSupportedError: link types are configured but this connector cannot
                read links (the activity then fails closed, saying so).
            NotFoundError: ``key`` does not exist.
        """
        if not self.settings.evidence_link_types:
            return []
        raise NotSupportedError(
            f"the {self.kind} connector cannot read issue links (evidence_link_types)",
            tracker=self.name,
        )

    def attach(self, key: str, filename: str, content: bytes) -> AttachmentRef:
        """Attach a file to an issue (records too long for one comment)."""
        raise NotSupportedError(f"the {self.kind} connector cannot attach files", tracker=self.name)

    def read_attachment(self, ref: AttachmentRef) -> bytes:
        raise NotSupportedError(
            f"the {self.kind} connector cannot read attachments", tracker=self.name
        )

    def find_attachments(self, key: str, filename: str) -> list[AttachmentRef]:
        raise NotSupportedError(
            f"the {self.kind} connector cannot list attachments", tracker=self.name
        )

    def list_attachments(self, key: str) -> list[AttachmentRef]:
        """Every file attached to the issue, oldest first (SBOM/VEX inputs, issue 14).

        Unlike :meth:`find_attachments` (one exact name, for records secgate
        wrote), this lists whatever people attached, so secgate can match the
        product's file-name patterns. Several attachments may share a name (a
        corrected file uploaded again); the last one listed is the newest.
        Each ref must be readable with :meth:`read_attachment`.

        Raises:
            NotSupportedError: the tracker (or this connector) cannot list them;
                a release whose SBOM/VEX is configured to come from an
                attachment then blocks with this message.
            NotFoundError: the issue does not exist or is not visible.
        """
        raise NotSupportedError(
            f"the {self.kind} connector cannot list an issue's attachments", tracker=self.name
        )

    def close(self) -> None:
        """Release network resources."""

    def redact(self, text: str) -> str:
        """Text safe to show: this connector's secret removed."""
        return redact(text, [self._token])
