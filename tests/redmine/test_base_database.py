"""The harness builds its Redmine from a state it controls, whatever the machine holds.

Nothing here writes to the system Redmine database or /etc/redmine: other test
sessions use them concurrently. The "used system database" is a private copy.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.redmine.base import base_database, cached_paths, sha256_of
from tests.redmine.server import PACKAGE_DB

pytestmark = [pytest.mark.redmine, pytest.mark.slow]


COUNTS = {
    "issues": "SELECT count(*) FROM issues",
    "projects": "SELECT count(*) FROM projects",
    "trackers": "SELECT count(*) FROM trackers",
    "settings": "SELECT count(*) FROM settings",
}


def count(path: Path, table: str) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(connection.execute(COUNTS[table]).fetchone()[0])
    finally:
        connection.close()


def used_copy_of_the_system_database(target: Path) -> None:
    """The system database as another user of this Redmine would leave it: one more issue."""
    source = sqlite3.connect(f"file:{PACKAGE_DB}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute(
            "INSERT INTO projects (id, name, identifier, lft, rgt)"
            " VALUES (90, 'other', 'other', 1, 2)"
        )
        copy.execute(
            "INSERT INTO issues (id, tracker_id, project_id, subject, status_id, priority_id,"
            " author_id, lft, rgt, root_id) VALUES (69, 1, 90, 'left behind', 1, 1, 1, 1, 2, 69)"
        )
        copy.commit()
    finally:
        source.close()
        copy.close()


def test_a_used_database_in_the_cache_is_rebuilt_and_the_system_one_is_untouched(
    tmp_path: Path,
) -> None:
    system_digest = sha256_of(PACKAGE_DB)
    base, digest_file = cached_paths(tmp_path)
    # Planted with a digest that matches: only the harness's own content is accepted.
    used_copy_of_the_system_database(base)
    digest_file.write_text(sha256_of(base) + "\n")

    built = base_database(tmp_path)

    assert built == base
    assert count(built, "issues") == 0 and count(built, "projects") == 0
    assert count(built, "trackers") > 0
    assert digest_file.read_text().strip() == sha256_of(built)
    assert sha256_of(PACKAGE_DB) == system_digest


def test_a_cached_base_that_changed_after_it_was_built_is_rebuilt(tmp_path: Path) -> None:
    first = base_database(tmp_path)
    recorded = cached_paths(tmp_path)[1].read_text()
    assert base_database(tmp_path) == first  # valid: reused as is
    assert cached_paths(tmp_path)[1].read_text() == recorded

    first.chmod(0o644)
    connection = sqlite3.connect(first)
    connection.execute("UPDATE settings SET value = 'tampered'")
    connection.execute("INSERT INTO settings (name, value) VALUES ('app_title', 'left behind')")
    connection.commit()
    connection.close()

    rebuilt = base_database(tmp_path)
    assert count(rebuilt, "settings") == 1
    connection = sqlite3.connect(f"file:{rebuilt}?mode=ro", uri=True)
    try:
        titles = connection.execute("SELECT value FROM settings WHERE name = 'app_title'")
        assert titles.fetchall() == []
    finally:
        connection.close()
