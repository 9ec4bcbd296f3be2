"""A product whose policy requires the software to be named (``software.require``):
``a`` is refused until the dialog names it, and reads the release's commit from the
configured git repository's tag, as ``secgate authorize`` does."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from secgate_tui.config import config_from_data
from secgate_tui.services.context import Context, build_context
from secgate_tui.services.demo import demo_data
from tests.tui.conftest import NOW, SIZE, AppFactory, Sandbox, clock, fill, run
from tests.tui.test_authorize_identity import confirm, open_dialog
from tests.tui.test_publish import records, text_of


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A checkout with one commit and no release tag yet."""
    repo = tmp_path / "ipc-firmware"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "main.c").write_text("int main(void) { return 0; }\n", encoding="utf-8")
    git(repo, "add", "main.c")
    git(repo, "-c", "user.name=dev", "-c", "user.email=dev@example.org", "commit", "-qm", "init")
    return repo


@pytest.fixture
def context(
    tmp_path: Path, sandbox: Sandbox, repository: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Context]:
    """The frozen demo (as tests/tui/conftest.py), ipc requiring artifacts and a commit."""
    data = demo_data(tmp_path, today=NOW.date())
    data["trackers"]["sandbox"]["live"] = False
    monkeypatch.chdir(tmp_path)
    data["trackers"]["sandbox"]["path"] = sandbox.path.name
    data["products"]["ipc"]["software"] = {
        "git_repository": str(repository),
        "require": ["artifacts", "commit"],
    }
    ctx = build_context(config_from_data(data, None), tmp_path, demo=True, clock=clock)
    try:
        yield ctx
    finally:
        ctx.close()


def test_required_software_is_refused_until_named_then_recorded(
    make_app: AppFactory, sandbox: Sandbox, repository: Path, tmp_path: Path
) -> None:
    image = tmp_path / "ipc-2.0.img"
    image.write_bytes(b"firmware")
    seen: list[str] = []

    async def scenario() -> None:
        async with make_app("ipc", "2.0").run_test(size=SIZE) as pilot:
            screen = await open_dialog(pilot)
            seen.append(text_of(pilot.app, "#publish-verdict"))  # no tag v2.0 yet
            git(repository, "tag", "v2.0")
            await fill(pilot, "#software-commit", "")  # enter: prepared again
            seen.append(text_of(pilot.app, "#publish-verdict"))  # the commit, no artifact
            assert not screen.query_one("#publish-confirm").display
            await fill(pilot, "#software-artifacts", str(image))
            seen.append(text_of(pilot.app, "#publish-verdict"))
            seen.append(await confirm(pilot, "2.0"))

    run(scenario())
    no_tag, no_artifact, ready, result = seen
    assert "NOT PREPARED" in no_tag
    assert "the tag v2.0 does not name a commit in the git repository" in no_tag
    assert "REFUSED" in no_artifact and "software.require" in no_artifact
    assert "GATE PASS" in ready
    assert "AUTHORIZED" in result and "NOT AUTHORIZED" not in result, result
    [body] = records(sandbox)
    assert f"sha256:{hashlib.sha256(b'firmware').hexdigest()}" in body
    assert f"Commit {git(repository, 'rev-parse', 'HEAD')} (from tag v2.0)" in body
