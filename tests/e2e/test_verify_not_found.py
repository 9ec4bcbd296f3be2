"""`verify` on a comment the tracker answers 404 for: deleted, or no longer visible."""

from __future__ import annotations

from pathlib import Path

from connectors.sandbox.tracker import Data
from tests.e2e.test_authorize_support import Setup


def test_a_404_says_the_comment_may_be_deleted_or_hidden_and_what_to_check(
    tmp_path: Path,
) -> None:
    setup = Setup(tmp_path)
    setup.write_config()
    authorized = setup.cli("authorize", "--product", "ipc", "--release", "2.0", "--yes")
    assert authorized.returncode == 0, authorized.stdout + authorized.stderr
    (comment,) = setup.record_comments()

    def remove(data: Data) -> None:
        comments = data["issues"][comment["key"]]["comments"]
        comments[:] = [c for c in comments if c["id"] != comment["id"]]

    setup.edit(remove)
    result = setup.cli("verify", "--product", "ipc", "--release", "2.0")
    assert result.returncode == 1
    assert "the comment was deleted, or secgate's account can no longer see it" in result.stdout
    assert "still has access" in result.stdout
