"""`secgate init` checks each answer as it is given (issue 17): a wrong tracker kind,
a URL without a scheme and a project the tracker does not know are refused with
the reason and asked again, never after every question. The project is checked
against a fake GitLab on loopback that python-gitlab talks to over HTTP."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from secgate_tui.cli import main
from tests.fakes.gitlab_server import FakeGitLab

TOKEN = "glpat-init-0123456789abcdef"


class Terminal:
    """A person at a terminal: answers in order, and what was asked."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def input(self, prompt: str = "") -> str:
        self.asked.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    fake = FakeGitLab().start()
    fake.store.add_user("release.bot", TOKEN)
    fake.store.add_project("medical/pump")
    try:
        yield fake
    finally:
        fake.stop()


def init(
    monkeypatch: pytest.MonkeyPatch, path: Path, answers: list[str], *flags: str
) -> tuple[int, Terminal]:
    terminal = Terminal(answers)
    monkeypatch.setattr("builtins.input", terminal.input)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    code = main(["--config", str(path), "init", *flags])
    return code, terminal


def test_each_wrong_answer_is_refused_at_once_and_asked_again(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    gitlab: FakeGitLab,
) -> None:
    monkeypatch.setenv("SECGATE_GITLAB_TOKEN", TOKEN)
    path = tmp_path / "secgate.toml"
    answers = [
        "bugzilla",  # unknown kind: asked again before any other question
        "GitLab",
        "gitlab.example.com",  # no scheme
        gitlab.url,
        "medical/nope",  # not in the tracker
        "medical/pump",
        "Infusion Pump Controller",
    ]
    code, terminal = init(monkeypatch, path, answers)
    err = capsys.readouterr().err
    assert code == 0, err
    assert [p.split(" (")[0] for p in terminal.asked] == [
        "Tracker kind",
        "Tracker kind",
        "Tracker URL",
        "Tracker URL",
        "Project",
        "Project",
        "Product name",
    ]
    assert "unknown tracker kind 'bugzilla'. Installed connectors:" in err
    assert "'gitlab.example.com' is not a tracker URL" in err
    assert "has no project 'medical/nope'" in err
    assert "found 'medical/pump' in the tracker" in err
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["trackers"]["gitlab"]["kind"] == "gitlab"
    assert data["trackers"]["gitlab"]["url"] == gitlab.url
    assert data["products"]["medicalpump"]["sources"][0]["project"] == "medical/pump"
    assert TOKEN not in path.read_text(encoding="utf-8") + err


def test_an_unreachable_tracker_leaves_the_project_unchecked_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SECGATE_JIRA_TOKEN", raising=False)
    path = tmp_path / "secgate.toml"
    answers = ["IPC", "Pump"]
    code, _ = init(monkeypatch, path, answers, "--kind", "jira", "--url", "https://x.invalid")
    err = capsys.readouterr().err
    assert code == 0, err
    assert "not checked that 'IPC' exists" in err and "SECGATE_JIRA_TOKEN" in err
    assert tomllib.loads(path.read_text(encoding="utf-8"))["products"]["ipc"]["name"] == "Pump"


def test_a_url_flag_without_a_scheme_is_refused_before_any_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "secgate.toml"
    code, terminal = init(monkeypatch, path, [], "--kind", "jira", "--url", "jira.example.com")
    assert code == 2
    assert terminal.asked == []
    assert "argument --url: 'jira.example.com' is not a tracker URL" in capsys.readouterr().err
    assert not path.exists()


def test_input_that_ends_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "secgate.toml"
    code, _ = init(monkeypatch, path, ["jira"])
    assert code == 2
    assert "no answer for Tracker URL; nothing was written" in capsys.readouterr().err
    assert not path.exists()
