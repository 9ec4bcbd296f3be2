"""A real Redmine 5 (Debian packages, SQLite, puma) on 127.0.0.1 for tests and benchmarks.

The packages are installed by ``install.sh`` when missing. Each server works on
its own copy of the harness's base database (``base.py``: built by the harness
with Redmine's own migrations, cached and checked by digest; the package's
database, which others may use, is never read), served through
``DATABASE_URL`` and seeded once by ``seed.rb`` through ``rails runner``;
:meth:`RedmineServer.reset` copies the pristine seeded file back (SQLite's
online backup, so puma keeps running).
Anything that goes wrong raises :class:`RedmineUnavailable`: tests fail, they
never skip.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.redmine.base import DEFAULT_CACHE_DIR, BaseDatabaseError, base_database

HERE = Path(__file__).parent
REDMINE_DIR = Path("/usr/share/redmine")
#: Only a sign that the package's postinst ran; the harness never reads it.
PACKAGE_DB = Path("/var/lib/dbconfig-common/sqlite3/redmine/instances/default/redmine_default")
SECRET_KEY = Path("/etc/redmine/default/secret_key.txt")
START_TIMEOUT = 90.0


class RedmineUnavailable(RuntimeError):
    """The real Redmine could not be installed, seeded or started."""


def installed() -> bool:
    gemfile = REDMINE_DIR / "Gemfile.local"
    return (
        PACKAGE_DB.is_file()
        and SECRET_KEY.is_file()
        and gemfile.is_file()
        and "gem 'puma'" in gemfile.read_text()
        and shutil.which("puma") is not None
    )


def ensure_installed() -> None:
    """Run install.sh when the packages are missing (about 40 s); raise if it fails."""
    if installed():
        return
    if os.geteuid() != 0:
        raise RedmineUnavailable(
            "Redmine is not installed and the tests are not running as root: run "
            "`sudo tests/redmine/install.sh` once, then the tests again."
        )
    done = subprocess.run(
        ["sh", str(HERE / "install.sh")], capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or not installed():
        raise RedmineUnavailable(
            f"tests/redmine/install.sh failed (exit {done.returncode}):\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_www_data(*argv: str) -> list[str]:
    return ["setpriv", "--reuid=www-data", "--regid=www-data", "--init-groups", *argv]


@dataclass
class RedmineServer:
    """One puma serving one seeded database copy. Use as a context manager."""

    bulk_issues: int = 0
    workers: int = 0
    text_formatting: str = "textile"
    cache_dir: Path = DEFAULT_CACHE_DIR
    admin_key: str = field(default_factory=lambda: secrets.token_hex(20))
    alice_key: str = field(default_factory=lambda: secrets.token_hex(20))
    bob_key: str = field(default_factory=lambda: secrets.token_hex(20))
    workdir: Path = field(init=False)
    port: int = field(init=False, default=0)
    _process: subprocess.Popen[bytes] | None = field(init=False, default=None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db(self) -> Path:
        return self.workdir / "redmine.sqlite3"

    @property
    def pristine(self) -> Path:
        return self.workdir / "pristine.sqlite3"

    def _env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": "/tmp",
            "LANG": "C.UTF-8",
            "REDMINE_INSTANCE": "default",
            "RAILS_ENV": "production",
            # A busy timeout, so a reader (e.g. a job thread) never makes a write fail.
            "DATABASE_URL": f"sqlite3:{self.db}?timeout=10000",
        }

    # -- life cycle ----------------------------------------------------------

    def __enter__(self) -> RedmineServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        ensure_installed()
        if os.geteuid() != 0:
            raise RedmineUnavailable(
                "the Redmine tests run puma and rails as www-data, which needs root: run the "
                "tests as root (CI does) or in a root container."
            )
        self.workdir = Path(tempfile.mkdtemp(prefix="secgate-redmine-"))
        try:
            try:
                base = base_database(self.cache_dir)
            except BaseDatabaseError as exc:
                raise RedmineUnavailable(str(exc)) from exc
            shutil.copyfile(base, self.db)
            self.db.chmod(0o640)
            shutil.chown(self.workdir, "www-data", "www-data")
            shutil.chown(self.db, "www-data", "www-data")
            self._seed()
            shutil.copyfile(self.db, self.pristine)
            self._serve()
        except BaseException:
            self.stop()  # no puma, no temporary database left behind
            raise

    def _seed(self) -> None:
        env = self._env() | {
            "ADMIN_KEY": self.admin_key,
            "ALICE_KEY": self.alice_key,
            "BOB_KEY": self.bob_key,
            "TEXT_FORMATTING": self.text_formatting,
            "BULK_ISSUES": str(self.bulk_issues),
        }
        script = self.workdir / "seed.rb"
        shutil.copyfile(HERE / "seed.rb", script)
        done = subprocess.run(
            _as_www_data("bundle", "exec", "rails", "runner", "-e", "production", str(script)),
            cwd=REDMINE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if done.returncode != 0 or "seeded" not in done.stdout:
            raise RedmineUnavailable(
                f"seeding Redmine with rails runner failed (exit {done.returncode}):\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
            )

    def _serve(self) -> None:
        self.port = free_port()
        threads = ["-t", "1:1"]  # SQLite: one writer, or BusyException 500s
        cluster = ["-w", str(self.workers)] if self.workers else []
        log = open(self.workdir / "puma.log", "wb")  # noqa: SIM115 - lives with the process
        self._process = subprocess.Popen(
            _as_www_data(
                "bundle",
                "exec",
                "puma",
                "-e",
                "production",
                "-b",
                f"tcp://127.0.0.1:{self.port}",
                *threads,
                *cluster,
                "config.ru",
            ),
            cwd=REDMINE_DIR,
            env=self._env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RedmineUnavailable(f"puma exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/issue_statuses.json", timeout=5) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.25)
        raise RedmineUnavailable(
            f"puma did not answer within {START_TIMEOUT:.0f} s:\n{self.log_tail()}"
        )

    def log_tail(self) -> str:
        try:
            return (self.workdir / "puma.log").read_text(errors="replace")[-3000:]
        except OSError:
            return "(no puma log)"

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        if getattr(self, "workdir", None) is not None and self.workdir.exists():
            shutil.rmtree(self.workdir, ignore_errors=True)

    def restart(self, workers: int) -> None:
        """Serve the same database with another number of puma workers."""
        process, self._process = self._process, None
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        self.workers = workers
        self._serve()

    # -- state ---------------------------------------------------------------

    def reset(self) -> None:
        """Back to the seeded state, in place: SQLite's backup API copies the
        pristine file page by page under the right locks, so the running puma
        sees the new content on its next query."""
        source = sqlite3.connect(self.pristine)
        target = sqlite3.connect(self.db, timeout=30)
        try:
            source.backup(target)
            # Redmine caches settings until one row is newer than its cache:
            # without this, a test that changed a setting would leak into the next.
            target.execute(
                "UPDATE settings SET updated_on = strftime('%Y-%m-%d %H:%M:%f', 'now', '+1 second')"
            )
            target.commit()
        finally:
            source.close()
            target.close()

    def sql(self, statement: str, *args: object) -> list[tuple[object, ...]]:
        """Run one statement on the live database (tracker-side levers in tests)."""
        connection = sqlite3.connect(self.db, timeout=30)
        try:
            rows = connection.execute(statement, args).fetchall()
            connection.commit()
            return rows
        finally:
            connection.close()

    def rss_mb(self) -> float:
        """Resident memory of puma and its workers, in MB (from /proc; no procps needed)."""
        if self._process is None:
            return 0.0
        pids = {self._process.pid}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self._process.pid:  # field 4 of stat: the parent's pid
                pids.add(int(stat.parent.name))
        total_kb = 0
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        return total_kb / 1024
