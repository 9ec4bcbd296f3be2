"""Configuration: a TOML file, overridable by ``SECGATE_...`` environment variables.

The file is found at ``--config``, else ``$SECGATE_CONFIG``, else
``./secgate.toml``, else the platform's config directory. Secrets are never
read from it: a tracker names the environment variable (``token_env``) or the
keyring entry that holds its token. Every problem is reported as one
:class:`ConfigError` paragraph naming the file, the setting and the fix.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from connectors.base import SourceScope, TrackerSettings
from connectors.registry import RegistryError, load
from secgate_tui.config_signing import ApprovalSettings, SigningSettings
from secgate_tui.domain import (
    Category,
    CategoryPolicy,
    CategoryRule,
    Classification,
    DocumentEvidence,
    GatePolicy,
    IssueEvidence,
)

APP_NAME = "secgate"


class ConfigError(Exception):
    """A configuration problem, worded for the person who has to fix it."""


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_snapshot_age_seconds: int = Field(
        300, ge=0, description="Data older than this cannot authorize a release."
    )
    separation_of_duties: bool = Field(
        False, description="Refuse authorization by the assignee of any residual item."
    )
    categories: dict[Category, CategoryPolicy] = Field(
        default_factory=dict, description="Per-category tightening, e.g. accepted dispositions."
    )


class TrackerIssue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tracker: str
    key: str


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tracker: str
    project: str
    release: str = "{release}"
    filter: str = ""
    options: dict[str, Any] = Field(default_factory=dict)

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

    id: str
    name: str
    evidence: IssueEvidence | DocumentEvidence | None = None
    max_age_days: int = Field(0, ge=0)


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    review_interval_days: int = Field(
        365, ge=1, le=365, description="IEC 81001-5-1 4.1.8: at least annually."
    )
    last_review: date | None = None
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

    @model_validator(mode="after")
    def _reasons_not_blank(self) -> Product:
        for category, reason in self.not_applicable.items():
            if not reason.strip():
                raise ValueError(
                    f"not_applicable.{category.value} needs a reason: it goes into the record"
                )
        return self

    def classification(self) -> Classification:
        return Classification(rules=self.categories, security_labels=tuple(self.security_labels))

    def gate_policy(self, policy: Policy, acknowledged: Mapping[Category, str]) -> GatePolicy:
        """The gate's policy, with command-line acknowledgements over the config's."""
        return GatePolicy(
            classification=self.classification(),
            not_applicable={**self.not_applicable, **acknowledged},
            max_snapshot_age_seconds=policy.max_snapshot_age_seconds,
            categories=policy.categories,
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


def _digest_source(settings: Settings) -> dict[str, Any]:
    data: dict[str, Any] = settings.model_dump(mode="json")
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
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}.") from None
    return config_from_data(data, path)


def config_from_data(data: dict[str, Any], path: Path | None) -> Config:
    where = str(path) if path else "the built-in demo configuration"
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, where)) from None
    trackers = {name: _tracker(name, raw, where) for name, raw in settings.trackers.items()}
    _check_references(settings, trackers, where)
    return Config(settings, trackers, path)


def _tracker(name: str, raw: dict[str, Any], where: str) -> TrackerSettings:
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
            message = f"{message} (got {error['input']!r})"
        problems.append(f"{location or '(top level)'}: {message}")
    listing = "; ".join(problems)
    return (
        f"configuration error in {where}: {listing}. Fix the file (or the SECGATE_... "
        "environment variable that overrides it) and run again; nothing was changed."
    )
