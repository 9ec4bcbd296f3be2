"""Builds connectors from the configuration, through the registry only.

The token is resolved here, from the environment variable the tracker names or
from the system keyring, so a connector never reads a secret from a file.
"""

from __future__ import annotations

import os
import threading

from connectors.base import Connector
from connectors.registry import RegistryError, load
from secgate_tui.config import Config, ConfigError
from secgate_tui.config_limits import check_token_value


def resolve_token(name: str, token_env: str | None, keyring_service: str) -> str | None:
    """The tracker's secret: environment variable first, then the keyring.

    Either must fit in an HTTP header (the same check the configuration makes on
    the environment), or a ConfigError says where it came from; it is never shown.
    """
    if token_env:
        value = os.environ.get(token_env)
        if value:
            _refuse_unfit(value, f"the environment variable {token_env}", f"export {token_env}")
            return value
    try:
        import keyring

        value = keyring.get_password(keyring_service, name)
    except Exception:  # no usable keyring backend on this machine
        value = None
    if value:
        _refuse_unfit(
            value,
            f"the keyring (service '{keyring_service}', entry '{name}')",
            f"keyring set {keyring_service} {name}",
        )
    return value or None


def _refuse_unfit(token: str, where: str, how: str) -> None:
    problem = check_token_value(token)
    if problem:
        raise ConfigError(
            f"the token in {where} {problem}. Copy the token again from the tracker and "
            f"store it again (`{how}`); nothing was run."
        )


class Connections:
    """One connector per tracker name, created on first use."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._connectors: dict[str, Connector] = {}
        self._lock = threading.Lock()

    def get(self, tracker: str) -> Connector:
        with self._lock:
            if tracker not in self._connectors:
                self._connectors[tracker] = self._create(tracker)
            return self._connectors[tracker]

    def _create(self, tracker: str) -> Connector:
        settings = self._config.trackers.get(tracker)
        if settings is None:
            raise ConfigError(f"tracker '{tracker}' is not configured in {self._config.where}.")
        try:
            cls = load(settings.kind)
        except RegistryError as exc:
            raise ConfigError(str(exc)) from None
        token = resolve_token(tracker, settings.token_env, settings.keyring_service)
        if cls.needs_token and token is None:
            where = (
                f"the environment variable {settings.token_env} is not set or empty"
                if settings.token_env
                else "trackers." + tracker + ".token_env is not set"
            )
            raise ConfigError(
                f"no token for tracker '{tracker}': {where}, and the keyring has no entry "
                f"for service '{settings.keyring_service}', user '{tracker}'. Export the "
                "variable (e.g. from your CI's secret store) or store the token with "
                f"`keyring set {settings.keyring_service} {tracker}`."
            )
        return cls(tracker, settings, token)

    def close(self) -> None:
        with self._lock:
            for connector in self._connectors.values():
                connector.close()
            self._connectors.clear()
