"""The software identity ``authorize`` records: artifact digests and the release's commit.

Artifacts are hashed with SHA-256 in fixed-size chunks, so a multi-gigabyte
image never sits in memory. The commit is ``--commit`` (resolved to a full id
in the product's configured git repository when there is one) or read from
the release's tag in that repository. git runs as a subprocess with an
argument list (no shell), ``--end-of-options`` before anything user-given, a
validated tag name and a timeout. Every problem is a :class:`SoftwareInputError`
(exit 2, nothing written), raised before anything is synced or posted.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Sequence
from pathlib import Path

from secgate_tui.config import ConfigError
from secgate_tui.config_software import SoftwareSettings
from secgate_tui.domain.software import Artifact, Commit, SoftwareIdentity
from secgate_tui.domain.text import printable

__all__ = ["SoftwareInputError", "hash_artifact", "resolve_commit", "software_identity"]

_CHUNK = 1024 * 1024
_GIT_TIMEOUT_SECONDS = 30
_OBJECT_ID = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")


class SoftwareInputError(ConfigError):
    """An artifact, commit or tag cannot be used (exit 2; nothing is written)."""


def hash_artifact(path: Path) -> Artifact:
    """The file's base name, SHA-256 and size, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                # A pipe or device has no fixed content to authorize (and may never end).
                raise SoftwareInputError(_artifact_problem(path, "is not a regular file"))
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except IsADirectoryError:
        raise SoftwareInputError(_artifact_problem(path, "is a directory, not a file")) from None
    except OSError as exc:
        raise SoftwareInputError(
            _artifact_problem(path, f"cannot be read ({exc.strerror or exc})")
        ) from None
    return Artifact(name=path.name, sha256=digest.hexdigest(), size=size)


def _artifact_problem(path: Path, problem: str) -> str:
    return (
        f"--artifact {printable(str(path), 300)} {problem}. Name each released file; "
        "nothing was synced or written."
    )


def software_identity(
    settings: SoftwareSettings | None,
    release: str,
    *,
    artifacts: Sequence[Path],
    commit: str | None,
    config_dir: Path | None,
) -> SoftwareIdentity:
    """Artifacts and commit (the SBOM digest is added by the vulnerability assessment).

    Raises:
        SoftwareInputError: an artifact is unreadable, the commit unknown or the tag missing.
    """
    hashed = tuple(hash_artifact(path) for path in artifacts)
    return SoftwareIdentity(
        artifacts=hashed, commit=resolve_commit(settings, release, commit, config_dir)
    )


def resolve_commit(
    settings: SoftwareSettings | None, release: str, commit: str | None, config_dir: Path | None
) -> Commit | None:
    """``--commit`` as a full object id, else the release tag's commit, else None.

    Raises:
        SoftwareInputError: the revision or tag is not in the repository, or without a
            repository, ``--commit`` is not a full object id.
    """
    repository = _repository(settings, config_dir)
    if commit is not None:
        commit = commit.strip()
        if repository is None:
            if not _OBJECT_ID.fullmatch(commit):
                raise SoftwareInputError(
                    f"--commit {printable(commit, 80)} is not a full commit id (40 or 64 hex "
                    "digits), and the product has no software.git_repository to resolve it "
                    "in. Give the full id (git rev-parse HEAD), or configure the repository."
                )
            return Commit(id=commit.lower(), source="--commit")
        found = _rev_parse(repository, commit, f"--commit {commit}")
        return Commit(id=found, source=f"--commit {commit}")
    if repository is None or settings is None:
        return None
    tag = settings.tag_name(release)
    if not _valid_tag(tag):
        raise SoftwareInputError(
            f"the tag name {printable(tag, 120)} (products' software.tag for release "
            f"{printable(release, 80)}) is not a valid git tag name. Give --commit instead."
        )
    found = _rev_parse(repository, f"refs/tags/{tag}", f"the tag {tag}")
    return Commit(id=found, source=f"tag {tag}")


def _repository(settings: SoftwareSettings | None, config_dir: Path | None) -> Path | None:
    if settings is None or settings.git_repository is None:
        return None
    path = Path(settings.git_repository).expanduser()
    if not path.is_absolute() and config_dir is not None:
        path = config_dir / path
    return path


def _git() -> str:
    git = shutil.which("git")
    if git is None:
        raise SoftwareInputError(
            "the product's software.git_repository is configured, but no git executable is "
            "on PATH. Install git, or give the full commit id with --commit and remove the "
            "repository setting."
        )
    return git


def _run_git(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        # An argument list, no shell; user-given values validated or after --end-of-options.
        return subprocess.run(
            [_git(), *args],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_SECONDS,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SoftwareInputError(
            f"git did not answer within {_GIT_TIMEOUT_SECONDS} s. Check the repository "
            "(a network file system?), or give the full commit id with --commit."
        ) from None
    except OSError as exc:
        raise SoftwareInputError(f"git could not be run: {exc.strerror or exc}.") from None


def _valid_tag(tag: str) -> bool:
    return (
        not tag.startswith("-") and _run_git("check-ref-format", f"refs/tags/{tag}").returncode == 0
    )


def _rev_parse(repository: Path, revision: str, what: str) -> str:
    if not repository.is_dir():
        raise SoftwareInputError(
            f"the product's software.git_repository {printable(str(repository), 300)} is not "
            "a directory. Point it at a checkout of the product's repository."
        )
    result = _run_git(
        "-C",
        str(repository),
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{revision}^{{commit}}",
    )
    found = result.stdout.strip()
    if result.returncode != 0 or not _OBJECT_ID.fullmatch(found):
        detail = printable(result.stderr.strip(), 300)
        raise SoftwareInputError(
            f"{printable(what, 200)} does not name a commit in the git repository "
            f"{printable(str(repository), 300)}{': ' + detail if detail else ''}. Create and "
            "fetch the release's tag, or give --commit with the commit the release was built "
            "from; nothing was synced or written."
        )
    return found.lower()
