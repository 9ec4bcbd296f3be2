"""Connector discovery through the entry-point group, with a real broken plugin."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from connectors.registry import RegistryError, available, load


def test_builtin_sandbox_is_listed_without_importing_it() -> None:
    code = (
        "import sys, json; from connectors.registry import available; "
        "names = list(available()); "
        "print(json.dumps([names, 'connectors.sandbox' in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    names, imported = json.loads(out.stdout)
    assert "sandbox" in names
    assert imported is False


def test_unknown_kind_names_the_installed_ones() -> None:
    with pytest.raises(RegistryError) as info:
        load("bugzilla")
    assert "unknown tracker kind 'bugzilla'" in str(info.value)
    assert "sandbox" in str(info.value)


def plugin_dir(tmp_path: Path) -> Path:
    """A third-party distribution registering a good and a broken connector."""
    site = tmp_path / "site"
    info = site / "thirdparty_trackers-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: thirdparty-trackers\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[secgate.connectors]\nbroken = thirdparty_broken:Connector\n"
        "notaclass = thirdparty_good:VALUE\n"
        "Tickets = thirdparty_good:Tickets\n"
        "rst = thirdparty_good:Restructured\n"
    )
    (site / "thirdparty_broken.py").write_text("raise ImportError('needs libfoo 2')\n")
    (site / "thirdparty_good.py").write_text(PLUGIN)
    return site


# A plugin connector with its own settings model and its own markup dialect,
# and one whose markup nothing renders.
PLUGIN = """
from connectors.base import Connector, TrackerSettings
from secgate_tui.domain.render import register_dialect
from secgate_tui.domain.render.plain import Plain

VALUE = 42


class AsciiDoc(Plain):
    name = "asciidoc"


register_dialect(AsciiDoc())


class TicketSettings(TrackerSettings):
    queue: str = "main"


class Tickets(Connector[TicketSettings]):
    kind = "Tickets"
    markup = "asciidoc"


class Restructured(Connector[TicketSettings]):
    kind = "rst"
    markup = "restructuredtext"
"""


def run_with_plugins(tmp_path: Path, code: str) -> str:
    site = plugin_dir(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return result.stdout


def test_broken_plugin_is_reported_and_skipped(tmp_path: Path) -> None:
    out = run_with_plugins(
        tmp_path,
        """
        import json
        from connectors.registry import load_all
        loaded, broken = load_all()
        print(json.dumps([sorted(loaded), broken]))
        """,
    )
    loaded, broken = json.loads(out)
    assert "sandbox" in loaded
    assert "broken" not in loaded and "notaclass" not in loaded
    assert "failed to import" in broken["broken"] and "needs libfoo 2" in broken["broken"]
    assert "not a secgate Connector class" in broken["notaclass"]
    assert "Tickets" in loaded
    assert "markup 'restructuredtext'" in broken["rst"] and "register_dialect" in broken["rst"]


def test_a_plugin_connector_gets_its_settings_model_and_its_dialect(tmp_path: Path) -> None:
    out = run_with_plugins(
        tmp_path,
        """
        import json
        from connectors.registry import load
        from secgate_tui.domain.render import dialect
        cls = load("Tickets")
        print(json.dumps([cls.settings_model.__name__, type(dialect(cls.markup)).__name__]))
        """,
    )
    assert json.loads(out) == ["TicketSettings", "AsciiDoc"]


def test_init_takes_plugin_kinds_in_any_case(tmp_path: Path) -> None:
    config = tmp_path / "secgate.toml"
    result = subprocess.run(
        [
            *CLI,
            "--config",
            str(config),
            "init",
            "--kind",
            "TICKETS",
            "--url",
            "https://tickets.example",
            "--project",
            "FW",
            "--product-name",
            "Firmware",
        ],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(plugin_dir(tmp_path)), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert 'kind = "Tickets"' in config.read_text()


def test_init_names_the_installed_kinds_for_an_unknown_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "--config", str(tmp_path / "s.toml"), "init", "--kind", "bugzilla"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "unknown tracker kind 'bugzilla'" in result.stderr
    assert "gitlab, jira, redmine, sandbox" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "s.toml").exists()


def test_init_kind_is_case_insensitive_for_built_in_kinds(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    result = subprocess.run(
        [
            *CLI,
            "--config",
            str(config),
            "init",
            "--kind",
            "GitLab",
            "--url",
            "https://gitlab.example",
            "--project",
            "grp/fw",
            "--product-name",
            "Firmware",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert 'kind = "gitlab"' in config.read_text()


CLI = [sys.executable, "-m", "secgate_tui.cli"]


def test_config_naming_a_broken_plugin_is_a_clear_cli_error(tmp_path: Path) -> None:
    config = tmp_path / "secgate.toml"
    config.write_text(
        '[trackers.x]\nkind = "broken"\n[products.p]\nname = "P"\n'
        '[[products.p.sources]]\ntracker = "x"\nproject = "P"\n'
    )
    site = plugin_dir(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "secgate_tui.cli",
            "--config",
            str(config),
            "--data-dir",
            str(tmp_path / "d"),
            "status",
            "--release",
            "1",
        ],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "trackers.x.kind" in result.stderr and "failed to import" in result.stderr
    assert "Traceback" not in result.stderr


def test_available_is_sorted_and_unique() -> None:
    names = list(available())
    assert names == sorted(set(names))


def test_each_connector_gets_its_settings_model_once_from_its_class() -> None:
    from connectors.base import TrackerSettings
    from connectors.gitlab import GitLabConnector
    from connectors.gitlab.settings import GitLabSettings
    from connectors.jira.settings import JiraSettings
    from connectors.redmine.settings import RedmineSettings

    models = {kind: load(kind).settings_model for kind in ("jira", "gitlab", "redmine")}
    assert models == {"jira": JiraSettings, "gitlab": GitLabSettings, "redmine": RedmineSettings}
    plain = TrackerSettings(kind="gitlab", url="https://gitlab.example", page_size=50)
    connector = GitLabConnector("gl", plain, "glpat-secret")
    assert isinstance(connector.settings, GitLabSettings)
    assert connector.settings.page_size == 50


def test_settings_that_do_not_fit_the_connector_are_a_clear_error() -> None:
    from connectors.base import ConnectorError, TrackerSettings
    from connectors.gitlab import GitLabConnector

    plain = TrackerSettings(kind="gitlab", url="https://gl.example", justification_field="cf_9")
    with pytest.raises(ConnectorError, match=r"tracker 'gl' do not fit the gitlab connector"):
        GitLabConnector("gl", plain, "glpat-secret")


def test_dialects_are_looked_up_by_name_and_never_guessed() -> None:
    from secgate_tui.domain.render import (
        UnknownDialectError,
        dialect,
        dialect_names,
        register_dialect,
    )
    from secgate_tui.domain.render.markdown import Markdown
    from secgate_tui.domain.render.plain import Plain

    assert {"plain", "jira-wiki", "markdown", "textile"} <= set(dialect_names())
    with pytest.raises(UnknownDialectError, match="no markup dialect named 'asciidoc'"):
        dialect("asciidoc")

    class Impostor(Plain):
        name = "markdown"

    with pytest.raises(ValueError, match="already rendered by Markdown"):
        register_dialect(Impostor())
    register_dialect(Markdown())  # the same dialect again is harmless
    assert isinstance(dialect("markdown"), Markdown)
