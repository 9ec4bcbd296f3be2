"""The harness's own empty Redmine database: built by the harness, cached, checked by digest.

The system Redmine database (the Debian package's) belongs to whoever else uses
that Redmine on the machine: it may hold projects, issues and users that would
shift every id the tests rely on. The harness therefore never reads it. It
builds its own SQLite file the way the package's postinst does
(``rake db:migrate`` then ``redmine:load_default_data``, through
``DATABASE_URL``), keeps it under a harness-owned cache directory, and records
the file's SHA-256 beside it. Before each use the file is re-digested; a file
that is missing, differs from its recorded digest, or was built for another
Redmine version or recipe, or holds any project or issue is rebuilt (about
15 s). Building is serialized by a
file lock, so concurrent test sessions on one machine share one cache safely.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REDMINE_DIR = Path("/usr/share/redmine")
#: Harness-owned; never the package's /var/lib/dbconfig-common/... database.
DEFAULT_CACHE_DIR = Path(
    os.environ.get("SECGATE_REDMINE_CACHE", "/var/cache/secgate-tests/redmine")
)
#: The recipe; a change to it (or to the Redmine version) names a new cache file.
STEPS: tuple[tuple[str, ...], ...] = (
    ("bundle", "exec", "rake", "db:migrate"),
    ("bundle", "exec", "rake", "redmine:load_default_data"),
)
BUILD_TIMEOUT = 600


class BaseDatabaseError(RuntimeError):
    """The harness's base database could not be built or is not what it should be."""


def _as_www_data(*argv: str) -> list[str]:
    return ["setpriv", "--reuid=www-data", "--regid=www-data", "--init-groups", *argv]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def redmine_version() -> str:
    """The installed Redmine's version file, which names the schema the migrations build."""
    return (REDMINE_DIR / "lib" / "redmine" / "version.rb").read_text(errors="replace")


def recipe_key() -> str:
    recipe = redmine_version() + "\n" + "\n".join(" ".join(step) for step in STEPS)
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def cached_paths(cache_dir: Path) -> tuple[Path, Path]:
    """The cached base file and the file holding its SHA-256."""
    base = cache_dir / f"base-{recipe_key()}.sqlite3"
    return base, base.with_name(base.name + ".sha256")


def is_valid(base: Path, digest_file: Path) -> bool:
    """True when the cached file still has the digest recorded when it was built and
    is still an empty Redmine (a copy of a used database planted with its own
    digest is refused too)."""
    try:
        recorded = digest_file.read_text().strip()
    except OSError:
        return False
    if not base.is_file() or sha256_of(base) != recorded:
        return False
    try:
        _check_empty(base)
    except (BaseDatabaseError, sqlite3.Error):
        return False
    return True


@contextmanager
def _locked(cache_dir: Path) -> Iterator[None]:
    with (cache_dir / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def base_database(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """The verified base database (read it, copy it; never open it for writing)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    base, digest_file = cached_paths(cache_dir)
    with _locked(cache_dir):
        if not is_valid(base, digest_file):
            _build(base, digest_file)
        if not is_valid(base, digest_file):  # pragma: no cover - only a racing writer
            raise BaseDatabaseError(f"{base} changed while it was being checked")
    return base


def _build(base: Path, digest_file: Path) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="secgate-redmine-base-"))
    try:
        shutil.chown(workdir, "www-data", "www-data")
        built = workdir / "base.sqlite3"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": "/tmp",
            "LANG": "C.UTF-8",
            "REDMINE_INSTANCE": "default",
            "RAILS_ENV": "production",
            "REDMINE_LANG": "en",
            "DATABASE_URL": f"sqlite3:{built}",
            # db:migrate dumps the schema afterwards; /usr/share/redmine is not ours.
            "SCHEMA": str(workdir / "schema.rb"),
        }
        for step in STEPS:
            done = subprocess.run(
                _as_www_data(*step),
                cwd=REDMINE_DIR,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=BUILD_TIMEOUT,
            )
            if done.returncode != 0:
                raise BaseDatabaseError(
                    f"building the harness's Redmine database: {' '.join(step)} failed "
                    f"(exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
                )
        _check_empty(built)
        digest = sha256_of(built)
        staged = base.with_name(base.name + ".tmp")
        shutil.copyfile(built, staged)
        staged.chmod(0o444)
        os.replace(staged, base)
        staged_digest = digest_file.with_name(digest_file.name + ".tmp")
        staged_digest.write_text(digest + "\n")
        os.replace(staged_digest, digest_file)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _check_empty(path: Path) -> None:
    """A fresh Redmine: the one admin, the default trackers, no project, no issue."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        issues = connection.execute("SELECT count(*) FROM issues").fetchone()[0]
        projects = connection.execute("SELECT count(*) FROM projects").fetchone()[0]
        trackers = connection.execute("SELECT count(*) FROM trackers").fetchone()[0]
        admins = connection.execute(
            "SELECT count(*) FROM users WHERE login = 'admin' AND admin = 1"
        ).fetchone()[0]
    finally:
        connection.close()
    if issues or projects or not trackers or admins != 1:
        raise BaseDatabaseError(
            f"the freshly built Redmine database is not pristine: {issues} issues, "
            f"{projects} projects, {trackers} trackers, {admins} admin accounts"
        )
