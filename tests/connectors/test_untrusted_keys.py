"""Issue keys with invisible or control characters are refused by every mapping."""

from __future__ import annotations

import copy

import pytest

from connectors.jira.mapping import MappingError
from connectors.keys import checked_key
from tests.connectors.test_jira_mapping import CLOUD_V3, rules
from tests.connectors.test_redmine_mapping import mapper, raw


@pytest.mark.parametrize(
    "char", ["\u200b", "\u200d", "\ufeff", "\u00ad", "\u202e", "\x1b", "\U000e0041"]
)
def test_a_key_with_an_invisible_or_control_character_is_refused(char: str) -> None:
    with pytest.raises(ValueError, match="invisible or control characters"):
        checked_key(f"PUMP-1{char}23")
    assert checked_key("group/project#34") == "group/project#34"


def test_jira_refuses_such_a_key_and_shows_it_escaped() -> None:
    payload = copy.deepcopy(CLOUD_V3)
    payload["key"] = "IPC-1\u200b2"
    with pytest.raises(MappingError) as raised:
        rules().issue(payload)
    assert "IPC-1\\u200b2" in str(raised.value) and "\u200b" not in str(raised.value)


def test_redmine_refuses_an_id_that_is_not_plain() -> None:
    with pytest.raises(ValueError, match="invisible"):
        mapper().issue(raw(id="3\u2028"), {}, {"1": "1.0"})
