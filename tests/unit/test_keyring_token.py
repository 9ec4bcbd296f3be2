"""A token from the keyring is held to the same check as one from the environment."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from secgate_tui.config import ConfigError
from secgate_tui.services.connections import resolve_token


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps its passwords in memory."""

    priority = 1  # type: ignore[assignment]  # keyring declares it as a classproperty

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("tok\u201cen-0123456789", "outside Latin-1"),
        ("token-0123456789\n", "control characters"),
        ("token-\x9b0123456789", "control characters"),
    ],
)
def test_an_unfit_keyring_token_is_a_config_error_that_never_shows_it(
    memory_keyring: MemoryKeyring, token: str, problem: str
) -> None:
    keyring.set_password("secgate", "jira", token)
    with pytest.raises(ConfigError) as raised:
        resolve_token("jira", None, "secgate")
    message = str(raised.value)
    assert problem in message and "service 'secgate', entry 'jira'" in message
    assert token.strip() not in message


def test_a_fit_keyring_token_is_returned(memory_keyring: MemoryKeyring) -> None:
    keyring.set_password("secgate", "jira", "token-0123456789")
    assert resolve_token("jira", None, "secgate") == "token-0123456789"
