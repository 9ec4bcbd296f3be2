"""Configuration: a TOML file, overridable by ``SECGATE_...`` environment variables.

The file is found at ``--config``, else ``$SECGATE_CONFIG``, else
``./secgate.toml``, else the platform's config directory. Secrets are never
read from it: a tracker names the environment variable (``token_env``) or the
keyring entry that holds its token. Every problem is reported as one
:class:`ConfigError` paragraph naming the file, the setting and the fix.

The file is read strictly (see ``config_limits``): a value of the wrong TOML
type (``"365"`` for a number, ``"no"`` for a boolean) is refused rather than
coerced, every number and string has a sane bound, and a URL may not carry a
user name or password.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from connectors.base import SourceScope, TrackerSettings
from connectors.registry import RegistryError, load
from secgate_tui.config_limits import (
    MAX_ACTIVITY_AGE_DAYS,
    MAX_ID,
    MAX_NAME,
    MAX_SNAPSHOT_AGE_SECONDS,
    check_file_values,
    check_records_dir,
    check_token_value,
    json_ready,
)
from secgate_tui.config_policy import DOCUMENT_PREFIX_PATTERN, PolicyOverrides, never_unknown
from secgate_tui.config_review import ReviewSettings
from secgate_tui.config_signing import ApprovalSettings, SigningSettings
from secgate_tui.config_software import SoftwareSettings
from secgate_tui.config_vex import VulnerabilityAssessmentSettings, digest_view
from secgate_tui.domain import (
    ActivityScope,
    AnomalyPolicy,
    Category,
    CategoryPolicy,
    CategoryRule,
    Classification,
    Disposition,
    DocumentEvidence,
    GatePolicy,
    IssueEvidence,
    Severity,
)
from secgate_tui.domain.text import printable

APP_NAME = "secgate"
#: The largest record time window a config may set (a day).
MAX_RECORD_TIME_WINDOW_MINUTES = 1440


class ConfigError(Exception):
    """A configuration problem, worded for the person who has to fix it."""


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_snapshot_age_seconds: int = Field(
        300,
        ge=0,
        le=MAX_SNAPSHOT_AGE_SECONDS,
        description="Data older than this cannot authorize a release (at most 7 days).",
    )
    separation_of_duties: bool = Field(
        False, description="Refuse authorization by the assignee of any residual item."
    )
    categories: dict[Category, CategoryPolicy] = Field(
        default_factory=dict, description="Per-category tightening, e.g. accepted dispositions."
    )
    record_time_window_minutes: int | None = Field(
        None,
        ge=1,
        le=MAX_RECORD_TIME_WINDOW_MINUTES,
        description="How long before its comment was created a record's own time may be "
        "(a retry carries the first attempt's time); unset: 10 minutes.",
    )
    justification_required: dict[Severity, list[Disposition]] | None = Field(
        None,
        description="Per normalized severity, the dispositions that need a justification "
        "besides risk-accepted, deferred and wont-fix; unset: not-a-defect and duplicate on "
        "critical and high. {} asks for none.",
    )
    acceptance_max_age_days: int | None = Field(
        None,
        ge=0,
        le=MAX_ACTIVITY_AGE_DAYS,
        description="A risk acceptance or deferral of an unresolved anomaly expires this many "
        "days after it was accepted (0: only its own expiry date); unset: 365.",
    )

    @field_validator("justification_required")
    @classmethod
    def _never_unknown(
        cls, value: dict[Severity, list[Disposition]] | None
    ) -> dict[Severity, list[Disposition]] | None:
        return never_unknown(value)

    def anomaly_policy(self, set_in: Mapping[str, str] | None = None) -> AnomalyPolicy:
        """The unresolved-anomaly rules, with the documented defaults where unset;
        ``set_in`` names where a product set a key itself (its reasons name it)."""
        defaults = AnomalyPolicy()
        return AnomalyPolicy(
            set_in=dict(set_in or {}),
            justification_required=defaults.justification_required
            if self.justification_required is None
            else {s: tuple(d) for s, d in self.justification_required.items()},
            acceptance_max_age_days=defaults.acceptance_max_age_days
            if self.acceptance_max_age_days is None
            else self.acceptance_max_age_days,
        )

    document_prefix: str | None = Field(
        None,
        pattern=DOCUMENT_PREFIX_PATTERN,
        description="The prefix of every authorization record's document number "
        "(the record id follows it); unset: SEC-REC.",
    )

    @property
    def record_time_window(self) -> timedelta:
        return timedelta(minutes=self.record_time_window_minutes or 10)

    @property
    def record_document_prefix(self) -> str:
        return self.document_prefix or DEFAULT_DOCUMENT_PREFIX


#: The document number prefix while ``policy.document_prefix`` is unset.
DEFAULT_DOCUMENT_PREFIX = "SEC-REC"


class TrackerIssue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tracker: str = Field(min_length=1, max_length=MAX_ID)
    key: str = Field(min_length=1, max_length=MAX_NAME)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tracker: str = Field(min_length=1, max_length=MAX_ID)
    project: str = Field(min_length=1, max_length=MAX_NAME)
    release: str = Field("{release}", max_length=MAX_NAME)
    filter: str = ""
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("release")
    @classmethod
    def _one_placeholder(cls, value: str) -> str:
        # Without it every release maps to one tracker version (or none), so
        # `releases` would list nothing and `status` would evaluate the wrong scope.
        if value.count("{release}") != 1:
            raise ValueError(
                'must contain "{release}" exactly once (the release name goes there), '
                'e.g. "{release}" or "PUMP {release}"'
            )
        return value

    def release_name(self, release: str) -> str:
        return self.release.replace("{release}", release)

    def release_from_tracker(self, name: str) -> str | None:
        """secgate's release name for a tracker version name, if the template matches."""
        prefix, placeholder, suffix = self.release.partition("{release}")
        if not placeholder:
            return None
        if (
            len(name) > len(prefix) + len(suffix)
            and name.startswith(prefix)
            and name.endswith(suffix)
        ):
            return name[len(prefix) : len(name) - len(suffix)]
        return None

    def scope(self) -> SourceScope:
        return SourceScope(
            tracker=self.tracker,
            project=self.project,
            release=self.release,
            filter=self.filter,
            options=self.options,
        )


class ActivityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=MAX_ID)
    name: str = Field(min_length=1, max_length=MAX_NAME)
    evidence: IssueEvidence | DocumentEvidence | None = None
    max_age_days: int = Field(0, ge=0, le=MAX_ACTIVITY_AGE_DAYS)
    # Left out of the config digest while unset (today's behaviour, "product").
    scope: ActivityScope | None = Field(
        None,
        description="Which evidence counts for a release: release | since-previous-release | "
        "product (the default).",
        exclude_if=lambda scope: scope is None,
    )

    @model_validator(mode="after")
    def _release_scope_needs_an_issue(self) -> ActivityConfig:
        if self.scope is ActivityScope.RELEASE and isinstance(self.evidence, DocumentEvidence):
            raise ValueError(
                'scope = "release" needs a tracker issue as evidence (its fix version names '
                'the release); a document cannot show that. Use "since-previous-release" for a '
                "dated document"
            )
        return self

    @property
    def evidence_scope(self) -> ActivityScope:
        return self.scope or ActivityScope.PRODUCT


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=MAX_NAME)
    review_interval_days: int = Field(
        365, ge=1, le=365, description="IEC 81001-5-1 4.1.8: at least annually."
    )
    last_review: date | None = None
    reviewers: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per tracker name, the account ids whose review records count.",
    )
    record_issue: TrackerIssue | None = None
    review_issue: TrackerIssue | None = None
    security_labels: list[str] = Field(default_factory=list)
    not_applicable: dict[Category, str] = Field(default_factory=dict)
    sources: list[Source] = Field(min_length=1)
    categories: dict[Category, CategoryRule] = Field(default_factory=dict)
    activities: list[ActivityConfig] = Field(default_factory=list)
    # Left out of the config digest while unset, so configs from before signatures keep theirs.
    approval: ApprovalSettings = Field(
        default_factory=ApprovalSettings,
        description="Signatures required per record kind.",
        exclude_if=lambda approval: not approval.root,
    )
    # Left out of the config digest while unset, so existing configs keep theirs.
    vulnerability_assessment: VulnerabilityAssessmentSettings | None = Field(
        None,
        description="The release's SBOM and VEX: the seventh gate check.",
        exclude_if=lambda settings: settings is None,
    )
    # Left out of the config digest while unset, so existing configs keep theirs.
    software: SoftwareSettings | None = Field(
        None,
        description="Which software an authorization names: git tag, required parts.",
        exclude_if=lambda settings: settings is None,
    )
    review: ReviewSettings | None = Field(
        None,
        description="Review targets, participants and defect-analysis labels (issue 15).",
        exclude_if=lambda settings: settings is None,
    )
    # Left out of the config digest while unset, so existing configs keep theirs.
    policy: PolicyOverrides | None = Field(
        None,
        description="The global [policy] keys this product sets for itself.",
        exclude_if=lambda overrides: overrides is None,
    )

    @field_validator("last_review")
    @classmethod
    def _not_in_the_future(cls, value: date | None) -> date | None:
        # A day of slack: the reviewer's calendar may be ahead of UTC.
        latest = datetime.now(UTC).date() + timedelta(days=1)
        if value is not None and value > latest:
            raise ValueError(
                f"{value.isoformat()} is in the future: a review cannot have been held "
                "yet, and a future date would push the next due date out. Set the date "
                "the last review was actually held"
            )
        return value

    @field_validator("reviewers")
    @classmethod
    def _reviewer_ids(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for tracker, accounts in value.items():
            if not accounts or any(not a.strip() or len(a) > MAX_NAME for a in accounts):
                raise ValueError(
                    f"{tracker} must list at least one account id, each non-empty and at "
                    f"most {MAX_NAME} characters"
                )
        return value

    @model_validator(mode="after")
    def _reasons_not_blank(self) -> Product:
        for category, reason in self.not_applicable.items():
            if not reason.strip():
                raise ValueError(
                    f"not_applicable.{category.value} needs a reason: it goes into the record"
                )
        return self

    def reviewer_accounts(self, tracker: str) -> frozenset[str]:
        """The account ids on ``tracker`` whose review records count (empty: none do)."""
        return frozenset(self.reviewers.get(tracker, ()))

    def classification(self) -> Classification:
        return Classification(rules=self.categories, security_labels=tuple(self.security_labels))

    def own_policy(self, policy: Policy) -> Policy:
        """The global ``policy`` with the keys this product sets (``[products.P.policy]``)."""
        if self.policy is None:
            return policy
        return policy.model_copy(update=self.policy.given())

    def gate_policy(
        self,
        policy: Policy,
        acknowledged: Mapping[Category, str],
        *,
        product_id: str | None = None,
    ) -> GatePolicy:
        """The gate's policy (the product's own keys over the global ``policy``), with
        command-line acknowledgements over the config's. Given ``product_id``, a reason
        that names a key the product sets names it as ``products.P.policy.KEY``."""
        own = self.policy.given() if self.policy is not None and product_id else {}
        # Only the anomaly rules' keys: the dump (evidence bundles) carries nothing else.
        set_in = {
            key: f"products.{product_id}.policy.{key}"
            for key in own
            if key in AnomalyPolicy.model_fields
        }
        policy = self.own_policy(policy)
        return GatePolicy(
            classification=self.classification(),
            not_applicable={**self.not_applicable, **acknowledged},
            max_snapshot_age_seconds=policy.max_snapshot_age_seconds,
            categories=policy.categories,
            anomalies=policy.anomaly_policy(set_in),
        )


class Settings(BaseSettings):
    """The whole configuration; see config.example.toml for every key."""

    model_config = SettingsConfigDict(
        env_prefix="SECGATE_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    policy: Policy = Field(default_factory=Policy)
    records_dir: Path | None = Field(
        None, description="Where exported records go (default: <data dir>/records)."
    )
    trackers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    products: dict[str, Product] = Field(default_factory=dict)
    signing: SigningSettings | None = Field(
        None,
        description="Who may sign records: allowed-signers file, signers and roles.",
        exclude_if=lambda signing: signing is None,
    )

    @field_validator("products", "trackers")
    @classmethod
    def _short_ids(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not key.strip() or len(key) > MAX_ID or key != key.strip():
                raise ValueError(
                    f"{printable(key, MAX_ID)!r} is not a usable id: 1 to {MAX_ID} "
                    "characters, no leading or trailing space"
                )
        return value

    @field_validator("records_dir")
    @classmethod
    def _usable_records_dir(cls, value: Path | None) -> Path | None:
        if value is not None:
            check_records_dir(value)
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's content arrives as init data; the environment overrides it.
        return (env_settings, init_settings)


class Config:
    """A validated configuration: settings plus each tracker's typed settings."""

    def __init__(self, settings: Settings, trackers: dict[str, TrackerSettings], path: Path | None):
        self.settings = settings
        self.trackers = trackers
        self.path = path
        self.digest_source = _digest_source(settings)

    @property
    def products(self) -> dict[str, Product]:
        return self.settings.products

    @property
    def policy(self) -> Policy:
        return self.settings.policy

    def product_policy(self, product_id: str) -> Policy:
        """The policy that applies to the product: its own keys over the global ones."""
        return self.product(product_id).own_policy(self.policy)

    def own_policy_keys(self, product_id: str) -> dict[str, str]:
        """The policy keys the product sets itself -> where (``products.P.policy.KEY``)."""
        overrides = self.product(product_id).policy
        given = overrides.given() if overrides is not None else {}
        return {key: f"products.{product_id}.policy.{key}" for key in given}

    def policy_key(self, product_id: str, key: str) -> str:
        """Where the product's value of a policy key is set, as a person writes it in the file."""
        return self.own_policy_keys(product_id).get(key, f"policy.{key}")

    def product(self, product_id: str) -> Product:
        try:
            return self.settings.products[product_id]
        except KeyError:
            known = ", ".join(self.settings.products) or "none"
            raise ConfigError(
                f"unknown product '{product_id}'. Products in {self.where}: {known}."
            ) from None

    @property
    def where(self) -> str:
        return str(self.path) if self.path else "the built-in demo configuration"


#: Product settings added after records began carrying the config digest: left
#: out while unset, so a configuration that does not use them keeps its digest.
LATER_PRODUCT_KEYS = ("reviewers",)
#: Policy settings added after records began carrying the config digest (likewise).
LATER_POLICY_KEYS = (
    "record_time_window_minutes",
    "document_prefix",
    "justification_required",
    "acceptance_max_age_days",
)


def _digest_source(settings: Settings) -> dict[str, Any]:
    data: dict[str, Any] = settings.model_dump(mode="json")
    signing = data.get("signing")
    if isinstance(signing, dict):
        # Who runs the command (their key and principal) is no part of the rules a record
        # was checked against: two signers of one record share one configuration digest.
        signing.pop("key", None)
        signing.pop("principal", None)
    for product in data.get("products", {}).values():
        for key in LATER_PRODUCT_KEYS:
            if not product.get(key):
                product.pop(key, None)
        digest_view(product)
        overrides = product.get("policy")
        if isinstance(overrides, dict):
            # Only the keys a product sets: a key added later leaves its digest as it is.
            product["policy"] = {k: v for k, v in overrides.items() if v is not None}
    policy = data.get("policy", {})
    for key in LATER_POLICY_KEYS:
        if policy.get(key) is None:
            policy.pop(key, None)
    return data


def candidate_paths(explicit: str | os.PathLike[str] | None) -> list[Path]:
    """Where secgate looks for its config, in order."""
    if explicit:
        return [Path(explicit)]
    paths = []
    if os.environ.get("SECGATE_CONFIG"):
        paths.append(Path(os.environ["SECGATE_CONFIG"]))
    paths.append(Path.cwd() / "secgate.toml")
    paths.append(Path(platformdirs.user_config_dir(APP_NAME)) / "secgate.toml")
    return paths


def find_config(explicit: str | os.PathLike[str] | None) -> Path:
    candidates = candidate_paths(explicit)
    for path in candidates:
        if path.is_file():
            return path
    if explicit or os.environ.get("SECGATE_CONFIG"):
        raise ConfigError(
            f"the configuration file {candidates[0]} does not exist. Check the path, "
            "or run `secgate init --config PATH` to write one."
        )
    looked = ", ".join(str(path) for path in candidates)
    raise ConfigError(
        f"no configuration found (looked in: {looked}). Run `secgate init` to write one, "
        "or try secgate on its embedded demo tracker with `secgate --demo`."
    )


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    """Find, parse and validate the configuration. Raises ConfigError."""
    path = find_config(explicit)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}. Fix the syntax at that line and run again."
        ) from None
    except RecursionError:
        raise ConfigError(
            f"{path} nests tables or arrays too deeply to be a secgate configuration "
            "(config.example.toml shows the shape); nothing was run."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}.") from None
    return config_from_data(data, path, strict=True)


def config_from_data(data: dict[str, Any], path: Path | None, *, strict: bool = True) -> Config:
    """Validate ``data`` (a parsed file) with the environment's overrides over it.

    With ``strict``, the file's own values must already have their types (TOML
    has integers, booleans and dates); only environment variables, which are
    text by nature, are converted.
    """
    where = str(path) if path else "the built-in demo configuration"
    problem = check_file_values(data)
    if problem:
        raise ConfigError(_paragraph(where, problem))
    if strict:
        _strict_sections(data, where)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, where)) from None
    # The environment's overrides: a URL with a password is refused from there too.
    problem = check_file_values(settings.trackers, "trackers")
    if problem:
        raise ConfigError(_paragraph(where, problem))
    raw_trackers = data.get("trackers")
    file_trackers: dict[str, Any] = raw_trackers if isinstance(raw_trackers, dict) else {}
    trackers = {
        name: _tracker(name, raw, where, file_trackers.get(name) if strict else None)
        for name, raw in settings.trackers.items()
    }
    _check_references(settings, trackers, where)
    _check_tokens(trackers, where)
    return Config(settings, trackers, path)


def _strict_sections(data: dict[str, Any], where: str) -> None:
    # Section by section: BaseSettings validation does not honour strict mode.
    if isinstance(data.get("policy"), dict):
        _strictly(Policy, data["policy"], where, "policy")
    products = data.get("products")
    if isinstance(products, dict):
        for product_id, product in products.items():
            if isinstance(product, dict):
                _strictly(Product, product, where, f"products.{product_id}")


def _strictly(model: type[BaseModel], data: Any, where: str, prefix: str) -> None:
    """Refuse values the file gives with the wrong type instead of converting them."""
    try:
        model.model_validate_json(json.dumps(json_ready(data)), strict=True)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, where, prefix=prefix)) from None


def _check_tokens(trackers: Mapping[str, TrackerSettings], where: str) -> None:
    for name, settings in trackers.items():
        if settings.token_env and os.environ.get(settings.token_env):
            problem = check_token_value(os.environ[settings.token_env])
            if problem:
                raise ConfigError(
                    f"the token in the environment variable {settings.token_env} "
                    f"(trackers.{name}.token_env, {where}) {problem}. Copy the token again "
                    "from the tracker; nothing was run."
                )


def _paragraph(where: str, problem: str) -> str:
    return (
        f"configuration error in {where}: {problem}. Fix the file (or the SECGATE_... "
        "environment variable that overrides it) and run again; nothing was run."
    )


def _tracker(name: str, raw: dict[str, Any], where: str, file_raw: Any = None) -> TrackerSettings:
    kind = raw.get("kind")
    if not isinstance(kind, str):
        raise ConfigError(
            f"configuration error in {where}: trackers.{name}.kind is missing. Set it to "
            "jira, gitlab, redmine, sandbox or an installed plugin's kind."
        )
    try:
        connector = load(kind)
    except RegistryError as exc:
        raise ConfigError(f"configuration error in {where}: trackers.{name}.kind: {exc}") from None
    if isinstance(file_raw, dict):
        _strictly(connector.settings_model, file_raw, where, f"trackers.{name}")
    try:
        return connector.settings_model(**raw)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, where, prefix=f"trackers.{name}")) from None


def _check_references(settings: Settings, trackers: dict[str, TrackerSettings], where: str) -> None:
    known = ", ".join(trackers) or "none"
    for product_id, product in settings.products.items():
        refs: list[tuple[str, str]] = [
            (f"products.{product_id}.sources[{i}].tracker", source.tracker)
            for i, source in enumerate(product.sources)
        ]
        for field in ("record_issue", "review_issue"):
            issue = getattr(product, field)
            if issue is not None:
                refs.append((f"products.{product_id}.{field}.tracker", issue.tracker))
        for i, activity in enumerate(product.activities):
            if isinstance(activity.evidence, IssueEvidence):
                refs.append(
                    (
                        f"products.{product_id}.activities[{i}].evidence.tracker",
                        activity.evidence.tracker,
                    )
                )
        refs.extend(
            (f"products.{product_id}.reviewers.{tracker}", tracker) for tracker in product.reviewers
        )
        for setting, tracker in refs:
            if tracker not in trackers:
                raise ConfigError(
                    f"configuration error in {where}: {setting} names the tracker "
                    f"'{tracker}', which is not configured (trackers: {known}). Add a "
                    f"[trackers.{tracker}] table or correct the name."
                )


def _explain(exc: ValidationError, where: str, prefix: str = "") -> str:
    problems = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(part) for part in error["loc"])
        location = f"{prefix}.{location}" if prefix and location else prefix or location
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown setting (a typo? config.example.toml lists every setting)"
        elif "token" in location:
            pass  # never echo what was typed where a token's variable name belongs
        elif "input" in error and not isinstance(error["input"], dict | list):
            message = f"{message} (got {printable(repr(error['input']), 80)})"
        problems.append(f"{location or '(top level)'}: {message}")
    listing = "; ".join(problems)
    return (
        f"configuration error in {where}: {listing}. Fix the file (or the SECGATE_... "
        "environment variable that overrides it) and run again; nothing was changed."
    )
