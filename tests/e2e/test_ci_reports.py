"""`status` in CI pipelines: the README's GitLab and GitHub jobs run as written, against
the demo tracker, with the runners' variables set; report files written atomically."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from tests.e2e.test_cli import secgate

README = Path(__file__).parents[2] / "README.md"
SCHEMA = xmlschema.XMLSchema(Path(__file__).parents[1] / "unit" / "schemas" / "junit-10.xsd")


def readme_commands() -> dict[str, str]:
    """The `secgate` command line of each CI job in the README, exactly as shown."""
    section = README.read_text(encoding="utf-8").split("### The gate in CI pipelines", 1)[1]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    gitlab = next(b for b in blocks if "artifacts:" in b)
    github = next(b for b in blocks if "runs-on:" in b)
    return {
        "gitlab": re.search(r"^\s*- (secgate .*)$", gitlab, re.M).group(1),  # type: ignore[union-attr]
        "github": re.search(r"^\s*- run: (secgate .*)$", github, re.M).group(1),  # type: ignore[union-attr]
    }


def run_job(command: str, workdir: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Runs the command line in bash, as a runner does, with `secgate` on PATH: a shim
    that is the installed command wired to the demo tracker and a private data dir."""
    bin_dir = workdir / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "secgate"
    shim.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -m secgate_tui.cli --demo '
        f'--data-dir "{workdir / "data"}" "$@"\n'
    )
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SECGATE_", "GIT"))}
    full_env.update(env)
    full_env["PATH"] = f"{bin_dir}{os.pathsep}{full_env['PATH']}"
    full_env["PYTHONPATH"] = str(Path(__file__).parents[2])
    return subprocess.run(
        ["bash", "-c", command],
        cwd=workdir,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(("tag", "code"), [("2.2", 1), ("2.0", 0)])
def test_readme_gitlab_job_gates_on_the_verdict(tmp_path: Path, tag: str, code: int) -> None:
    result = run_job(
        readme_commands()["gitlab"], tmp_path, {"GITLAB_CI": "true", "CI_COMMIT_TAG": tag}
    )
    assert result.returncode == code, result.stderr
    report = tmp_path / "secgate-junit.xml"
    SCHEMA.validate(str(report))
    suite = ET.parse(report).getroot()  # noqa: S314 - secgate's own output, schema-checked
    assert suite.tag == "testsuite"
    assert int(suite.get("failures", "0")) > 0 if code else suite.get("failures") == "0"
    assert "\x1b[0Ksection_start:" in result.stdout
    assert "\x1b[0Ksection_end:" in result.stdout
    verdict = "BLOCKED" if code else "PASS"
    assert f"secgate status ipc {tag}: {verdict}" in result.stdout


def test_readme_github_job_writes_the_summary_and_annotates(tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "v2.2", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run_job(readme_commands()["github"], tmp_path, env)
    assert result.returncode == 1, result.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## secgate: Infusion Pump Controller (ipc) release 2.2: **BLOCKED**")
    assert "| category | implementation | ❌ **blocks** |" in text
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert any("IPC-95 blocks::" in line for line in errors)
    assert "section_start" not in result.stdout


def test_readme_github_job_passes_a_passing_release(tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "v2.0", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run_job(readme_commands()["github"], tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert "**PASS**" in summary.read_text(encoding="utf-8")
    assert "::error" not in result.stdout + result.stderr


def test_annotations_go_to_stderr_when_stdout_is_json(tmp_path: Path) -> None:
    args = ["--demo", "status", "--product", "ipc", "--release", "2.2", "--json"]
    result = secgate(*args, data_dir=tmp_path, env={"GITHUB_ACTIONS": "true", "GITLAB_CI": "true"})
    assert result.returncode == 1
    assert result.stdout.lstrip().startswith("{")
    assert "::error title=" in result.stderr


def test_output_to_an_unwritable_place_is_an_error_and_leaves_no_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    target = blocker / "report.xml"
    args = ["--demo", "status", "--product", "ipc", "--release", "2.0", "--format", "junit"]
    result = secgate(*args, "--output", str(target), data_dir=tmp_path / "d")
    assert result.returncode == 2
    assert "could not write the report to" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_output_replaces_the_file_atomically_and_keeps_the_exit_code(tmp_path: Path) -> None:
    target = tmp_path / "out" / "gate.md"
    args = ["--demo", "status", "--product", "ipc", "--release", "2.2", "--format", "markdown"]
    first = secgate(*args, "--output", str(target), data_dir=tmp_path / "d")
    assert first.returncode == 1
    assert target.read_text(encoding="utf-8").startswith("## secgate:")
    assert "Blocked because:" in first.stdout  # the text report, for the job log
    assert [p.name for p in target.parent.iterdir()] == ["gate.md"]  # no temporary left


def test_json_alias_conflicts_with_another_format(tmp_path: Path) -> None:
    args = ["--demo", "status", "--product", "ipc", "--release", "2.0", "--json"]
    result = secgate(*args, "--format", "junit", data_dir=tmp_path)
    assert result.returncode == 2
    assert "--json is --format json" in result.stderr


def test_a_failed_run_leaves_no_earlier_report_behind(tmp_path: Path) -> None:
    target = tmp_path / "secgate-junit.xml"
    target.write_text("<testsuite name='old PASS' tests='0' failures='0' errors='0'/>")
    args = ["--demo", "status", "--product", "ipc", "--release", "9.9", "--format", "junit"]
    result = secgate(*args, "--output", str(target), data_dir=tmp_path / "d")
    assert result.returncode == 2
    assert not target.exists()
