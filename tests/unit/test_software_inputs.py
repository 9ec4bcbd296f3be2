"""Artifacts hashed and commits resolved with a real git repository; bad input is refused."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from secgate_tui.config import ConfigError, load_config
from secgate_tui.config_software import SoftwareSettings
from secgate_tui.services.software import (
    SoftwareInputError,
    hash_artifact,
    resolve_commit,
    software_identity,
)
from tests.unit.test_config import GOOD, write


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "HOME": str(repo),
            "PATH": "/usr/bin:/bin",
        },
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    git(path, "commit", "-q", "--allow-empty", "-m", "2.1")
    git(path, "tag", "v2.1")
    git(path, "commit", "-q", "--allow-empty", "-m", "after")
    return path


def test_artifacts_are_hashed_whole(tmp_path: Path) -> None:
    image = tmp_path / "pump.img"
    content = bytes(range(256)) * 9000  # several read chunks
    image.write_bytes(content)
    artifact = hash_artifact(image)
    assert artifact.sha256 == hashlib.sha256(content).hexdigest()
    assert (artifact.name, artifact.size) == ("pump.img", len(content))


@pytest.mark.parametrize("name", ["missing.img", ".", "fifo"])
def test_an_unreadable_artifact_is_a_clear_error(tmp_path: Path, name: str) -> None:
    os.mkfifo(tmp_path / "fifo")
    if name == "fifo":
        # Opening a FIFO for reading waits for a writer: give it one that never writes.
        writer = os.open(tmp_path / "fifo", os.O_RDWR | os.O_NONBLOCK)
    try:
        with pytest.raises(
            SoftwareInputError, match=r"--artifact .* nothing was synced or written"
        ):
            hash_artifact(tmp_path / name)
    finally:
        if name == "fifo":
            os.close(writer)


def test_the_commit_is_read_from_the_release_tag(repo: Path) -> None:
    settings = SoftwareSettings(git_repository=str(repo))
    tagged = git(repo, "rev-parse", "v2.1^{commit}")
    commit = resolve_commit(settings, "2.1", None, None)
    assert commit is not None and (commit.id, commit.source) == (tagged, "tag v2.1")
    assert tagged != git(repo, "rev-parse", "HEAD")


def test_a_relative_repository_is_found_beside_the_config(repo: Path) -> None:
    settings = SoftwareSettings(git_repository="repo", tag="release-{release}")
    git(repo, "tag", "release-2.1", "v2.1")
    commit = resolve_commit(settings, "2.1", None, repo.parent)
    assert commit is not None and commit.source == "tag release-2.1"


def test_a_missing_tag_is_a_clear_error(repo: Path) -> None:
    with pytest.raises(SoftwareInputError, match=r"the tag v9\.9 does not name a commit"):
        resolve_commit(SoftwareSettings(git_repository=str(repo)), "9.9", None, None)


@pytest.mark.parametrize("release", ["2.1..HEAD", "2.1^{tree}", "2.1 x", "-x", "2.1@{1}"])
def test_a_release_name_cannot_smuggle_revision_syntax_into_git(repo: Path, release: str) -> None:
    with pytest.raises(SoftwareInputError):
        resolve_commit(
            SoftwareSettings(git_repository=str(repo), tag="{release}"), release, None, None
        )


def test_commit_given_is_resolved_in_the_repository(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    commit = resolve_commit(SoftwareSettings(git_repository=str(repo)), "2.1", head[:10], None)
    assert commit is not None and commit.id == head and commit.source == f"--commit {head[:10]}"
    with pytest.raises(SoftwareInputError, match="does not name a commit"):
        resolve_commit(SoftwareSettings(git_repository=str(repo)), "2.1", "--output=/tmp/x", None)


def test_without_a_repository_only_a_full_commit_id_is_accepted() -> None:
    full = "AB" * 20
    commit = resolve_commit(None, "2.1", full, None)
    assert commit is not None and commit.id == full.lower()
    with pytest.raises(SoftwareInputError, match="not a full commit id"):
        resolve_commit(None, "2.1", "abc1234", None)
    assert resolve_commit(None, "2.1", None, None) is None


def test_a_repository_that_is_not_there_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SoftwareInputError, match="is not a directory"):
        software_identity(
            SoftwareSettings(git_repository=str(tmp_path / "nowhere")),
            "2.1",
            artifacts=(),
            commit=None,
            config_dir=None,
        )


def test_software_settings_in_the_config(tmp_path: Path) -> None:
    extra = '\n[products.ipc.software]\ngit_repository = "."\nrequire = ["artifacts", "sbom"]\n'
    config = load_config(write(tmp_path, GOOD + extra))
    software = config.product("ipc").software
    assert software is not None and [r.value for r in software.require] == ["artifacts", "sbom"]
    plain = load_config(write(tmp_path, GOOD))
    assert "software" not in plain.digest_source["products"]["ipc"]
    with pytest.raises(ConfigError, match=r"software\.require"):
        load_config(write(tmp_path, GOOD + '\n[products.ipc.software]\nrequire = ["build"]\n'))
    with pytest.raises(ConfigError, match=r"software\.tag"):
        load_config(write(tmp_path, GOOD + '\n[products.ipc.software]\ntag = "v1"\n'))


def test_activity_scope_in_the_config(tmp_path: Path) -> None:
    activity = (
        '\n[[products.ipc.activities]]\nid = "pentest"\nname = "Penetration test"\n'
        'evidence = {{ tracker = "box", key = "IPC-3" }}\n'
    )
    plain = load_config(write(tmp_path, GOOD + activity))
    assert "scope" not in plain.digest_source["products"]["ipc"]["activities"][0]
    scoped = load_config(write(tmp_path, GOOD + activity + 'scope = "release"\n'))
    assert scoped.product("ipc").activities[0].evidence_scope.value == "release"
    document = activity.replace(
        'evidence = {{ tracker = "box", key = "IPC-3" }}',
        'evidence = {{ path = "report.pdf", sha256 = "' + "0" * 64 + '" }}',
    )
    with pytest.raises(ConfigError, match="needs a tracker issue as evidence"):
        load_config(write(tmp_path, GOOD + document + 'scope = "release"\n'))
    with pytest.raises(ConfigError, match="scope"):
        load_config(write(tmp_path, GOOD + activity + 'scope = "releases"\n'))
