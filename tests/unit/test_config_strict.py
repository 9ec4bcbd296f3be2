"""Strict configuration: wrong types, absurd values and credentials are refused by path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from secgate_tui.config import ConfigError, load_config
from secgate_tui.domain.text import without_userinfo

GOOD = """
[trackers.box]
kind = "sandbox"
path = "{path}"

[products.ipc]
name = "Infusion Pump Controller"
review_interval_days = 365
security_labels = ["security"]

[[products.ipc.sources]]
tracker = "box"
project = "IPC"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "secgate.toml"
    path.write_text(text.replace("{path}", str(tmp_path / "box.json")), encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message.strip()
    return message


def in_product(line: str) -> str:
    return GOOD.replace("review_interval_days = 365\n", f"review_interval_days = 365\n{line}\n")


def in_source(line: str) -> str:
    return GOOD + line + "\n"


def in_tracker(line: str) -> str:
    return GOOD.replace('path = "{path}"', 'path = "{path}"\n' + line)


TOMORROW_PLUS = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (
            GOOD.replace("review_interval_days = 365", 'review_interval_days = "365"'),
            "products.ipc.review_interval_days",
        ),
        (GOOD + '[policy]\nseparation_of_duties = "no"\n', "policy.separation_of_duties"),
        (GOOD + '[policy]\nmax_snapshot_age_seconds = "300"\n', "policy.max_snapshot_age_seconds"),
        (in_tracker('live = "no"'), "trackers.box.live"),
        (
            GOOD + "[policy]\nmax_snapshot_age_seconds = 9223372036854775807\n",
            "policy.max_snapshot_age_seconds",
        ),
        (GOOD + "[policy]\nmax_snapshot_age_seconds = 604801\n", "policy.max_snapshot_age_seconds"),
        (in_source('release = "PUMP"'), "products.ipc.sources.0.release"),
        (in_source('release = ""'), "products.ipc.sources.0.release"),
        (in_source('release = "{release}-{release}"'), "products.ipc.sources.0.release"),
        (GOOD.replace("Infusion Pump Controller", "P" * 1_000_000), "products.ipc.name"),
        (GOOD.replace("Infusion Pump Controller", "P" * 201), "products.ipc.name"),
        (
            GOOD.replace('project = "IPC"', 'project = "IP\\u0000C"'),
            "products.ipc.sources[0].project",
        ),
        (GOOD.replace('"security"', '"sec\\u0000urity"'), "products.ipc.security_labels[0]"),
        ('records_dir = "/dev/null"\n' + GOOD, "records_dir"),
        ('records_dir = "/dev/null/records"\n' + GOOD, "records_dir"),
        (in_product(f"last_review = {TOMORROW_PLUS}"), "products.ipc.last_review"),
        (
            GOOD + "[products.ipc.categories]\nimplementation = " + "{ a = " * 30 + "1" + " }" * 30,
            "products.ipc.categories.implementation",
        ),
        (
            GOOD.replace("[products.ipc]", "[products." + "p" * 65 + "]").replace(
                "products.ipc.sources", "products." + "p" * 65 + ".sources"
            ),
            "products",
        ),
        (in_product('reviewers = { jira = ["1"] }'), "products.ipc.reviewers.jira"),
        (in_product("reviewers = { box = [] }"), "products.ipc.reviewers"),
    ],
)
def test_refused_naming_the_setting(tmp_path: Path, text: str, path: str) -> None:
    message = refused(tmp_path, text)
    assert path in message, message
    assert len(message) < 2000  # a 1 MB value is not echoed back


def test_deeply_nested_inline_tables_are_a_clear_error(tmp_path: Path) -> None:
    message = refused(tmp_path, GOOD + "x = " + "{ a = " * 500 + "1" + " }" * 500 + "\n")
    assert "too deeply" in message


@pytest.mark.parametrize(
    "url",
    ["http://admin:SuperSecretPw123@tracker.example", "https://SuperSecretPw123@tracker.example"],
)
def test_a_url_with_credentials_is_refused_without_echoing_them(tmp_path: Path, url: str) -> None:
    message = refused(tmp_path, in_tracker(f'url = "{url}"'))
    assert "trackers.box.url" in message and "user name or password" in message
    assert "SuperSecretPw123" not in message


def test_a_url_with_credentials_from_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECGATE_TRACKERS__BOX__URL", "http://u:SuperSecretPw123@h")
    message = refused(tmp_path, GOOD)
    assert "trackers.box.url" in message and "SuperSecretPw123" not in message


def test_a_token_an_http_header_cannot_carry_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOX_TOKEN", "s3cr\u201cet-\u2014token")
    message = refused(tmp_path, in_tracker('token_env = "BOX_TOKEN"'))
    assert "BOX_TOKEN" in message and "Latin-1" in message
    assert "s3cr" not in message


def test_environment_values_are_still_text_converted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECGATE_POLICY__MAX_SNAPSHOT_AGE_SECONDS", "42")
    assert load_config(write(tmp_path, GOOD)).policy.max_snapshot_age_seconds == 42


def test_sane_values_still_load(tmp_path: Path) -> None:
    today = datetime.now(UTC).date().isoformat()
    text = in_product(f'last_review = {today}\nreviewers = {{ box = ["release.manager"] }}')
    text = 'records_dir = "{path}/../new/records"\n' + in_source('release = "PUMP {release}"')
    config = load_config(write(tmp_path, text))
    assert config.product("ipc").sources[0].release_name("2.0") == "PUMP 2.0"
    product = load_config(
        write(tmp_path, in_product(f'last_review = {today}\nreviewers = {{ box = ["rm"] }}'))
    ).product("ipc")
    assert product.reviewer_accounts("box") == frozenset({"rm"})
    assert product.reviewer_accounts("other") == frozenset()


def test_without_userinfo() -> None:
    assert without_userinfo("http://u:p@h:8080/x?y#z") == "http://h:8080/x?y#z"
    assert without_userinfo("https://h/x") == "https://h/x"
