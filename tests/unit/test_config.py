"""Bad configuration is one clear paragraph naming file, setting and fix."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from secgate_tui.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]

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

[products.ipc.categories]
implementation = {{ labels = ["sec-implementation"] }}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "secgate.toml"
    path.write_text(text.format(path=tmp_path / "box.json"))
    return path


def test_example_config_loads() -> None:
    config = load_config(REPO / "config.example.toml")
    assert "ipc" in config.products
    assert {t.kind for t in config.trackers.values()} == {"jira", "gitlab", "redmine", "sandbox"}


def test_good_config_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.product("ipc").name == "Infusion Pump Controller"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[products.ipc\nname=1", "not valid TOML"),
        (GOOD + "\n[policy]\nmax_snapshot_age = 3\n", "policy.max_snapshot_age: unknown setting"),
        (
            GOOD.replace("review_interval_days = 365", "review_interval_days = 400"),
            "products.ipc.review_interval_days: Input should be less than or equal to 365",
        ),
        (
            GOOD.replace("review_interval_days = 365", 'review_interval_days = "yearly"'),
            "products.ipc.review_interval_days",
        ),
        (
            GOOD.replace('kind = "sandbox"', 'kind = "bugzilla"'),
            "unknown tracker kind 'bugzilla'. Installed connectors: ",
        ),
        (
            GOOD.replace('tracker = "box"', 'tracker = "jira"'),
            "products.ipc.sources[0].tracker names the tracker 'jira', which is not configured",
        ),
        (
            GOOD.replace("implementation = {{", "implementaton = {{"),
            "products.ipc.categories.implementaton",
        ),
        (
            GOOD.replace('path = "{path}"', 'path = "{path}"\ntoken = "hunter2hunter2"'),
            "trackers.box.token: unknown setting",
        ),
        (
            GOOD.replace('path = "{path}"', 'path = "{path}"\ntoken_env = "glpat-hunter2hunter2"'),
            "trackers.box.token_env: Value error, must be the NAME of an environment variable",
        ),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message.strip()
    assert "hunter2" not in message


def test_no_config_anywhere_explains_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECGATE_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    with pytest.raises(ConfigError) as info:
        load_config(None)
    message = str(info.value)
    assert str(tmp_path / "secgate.toml") in message
    assert "secgate init" in message and "secgate --demo" in message


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECGATE_POLICY__MAX_SNAPSHOT_AGE_SECONDS", "42")
    monkeypatch.setenv("SECGATE_PRODUCTS__IPC__NAME", "Renamed")
    config = load_config(write(tmp_path, GOOD))
    assert config.policy.max_snapshot_age_seconds == 42
    assert config.product("ipc").name == "Renamed"
    assert config.product("ipc").sources[0].project == "IPC"  # file values kept


def test_bad_environment_override_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECGATE_POLICY__MAX_SNAPSHOT_AGE_SECONDS", "soon")
    with pytest.raises(ConfigError, match=r"policy\.max_snapshot_age_seconds"):
        load_config(write(tmp_path, GOOD))


def test_unknown_product_lists_known(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match=r"unknown product 'pump'\..*ipc"):
        config.product("pump")


def test_secgate_config_variable_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.setenv("SECGATE_CONFIG", os.fspath(path))
    monkeypatch.chdir(tmp_path.parent)
    assert load_config(None).path == path


def test_the_signers_own_key_and_principal_are_no_part_of_the_configuration_digest(
    tmp_path: Path,
) -> None:
    from secgate_tui.config import config_from_data
    from secgate_tui.services.demo import demo_data, demo_signing
    from secgate_tui.services.signing.demo import install_demo_signing

    keys = install_demo_signing(tmp_path).keys
    digests = set()
    for principal, key in keys.items():
        data = demo_signing(tmp_path, demo_data(tmp_path))
        data["signing"] = {**data["signing"], "key": str(key), "principal": principal}
        digests.add(json.dumps(config_from_data(data, None).digest_source, sort_keys=True))
    assert len(keys) == 2 and len(digests) == 1


def test_the_document_prefix_is_configurable_and_unset_keeps_the_digest(tmp_path: Path) -> None:
    plain = load_config(write(tmp_path, GOOD))
    assert plain.policy.record_document_prefix == "SEC-REC"
    assert "document_prefix" not in plain.digest_source["policy"]
    prefixed = load_config(write(tmp_path, '[policy]\ndocument_prefix = "QMS-SEC"\n' + GOOD))
    assert prefixed.policy.record_document_prefix == "QMS-SEC"
    with pytest.raises(ConfigError, match=r"policy\.document_prefix"):
        load_config(write(tmp_path, '[policy]\ndocument_prefix = "a/b"\n' + GOOD))
