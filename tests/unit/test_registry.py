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
    )
    (site / "thirdparty_broken.py").write_text("raise ImportError('needs libfoo 2')\n")
    (site / "thirdparty_good.py").write_text("VALUE = 42\n")
    return site


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
