"""Invisible characters in tracker text are shown escaped wherever a person reads them
(issue #20, "Untrusted text stays visible"); the exported canonical JSON keeps them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors.sandbox.tracker import Data
from tests.e2e.exports import record_file
from tests.e2e.test_authorize_support import Setup

#: Zero-width space, ZWJ, BOM, soft hyphen, a tag character, line separator,
#: right-to-left override, a C1 control (CSI) and DEL.
INVISIBLE = [
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u00ad",
    "\U000e0041",
    "\u2028",
    "\u202e",
    "\x9b",
    "\x7f",
]
ESCAPED = [
    "\\u200b",
    "\\u200d",
    "\\ufeff",
    "\\xad",
    "\\U000e0041",
    "\\u2028",
    "\\u202e",
    "\\x9b",
    "\\x7f",
]
TITLE = "Fix PUMP-1" + "".join(f"{c}{i}" for i, c in enumerate(INVISIBLE)) + " overflow"


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    s = Setup(tmp_path)
    s.write_config()

    def retitle(data: Data) -> None:
        data["issues"]["IPC-10"]["title"] = TITLE  # in 2.0, which passes
        data["issues"]["IPC-93"]["title"] = TITLE  # in 2.2, blocking: listed by status

    s.edit(retitle)
    return s


def shown(text: str, *, spaced: bool = False) -> None:
    """Every invisible character escaped (``spaced``: U+2028 may become a plain space,
    as a comment's one-line fields fold whitespace)."""
    for char in INVISIBLE:
        assert char not in text, f"raw {char!r} reached a reader"
    for escape in ESCAPED:
        if spaced and escape == "\\u2028":
            continue
        assert escape in text, f"{escape} missing"


def test_status_shows_invisible_characters_escaped(setup: Setup) -> None:
    result = setup.cli("status", "--product", "ipc", "--release", "2.2")
    assert result.returncode == 1, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if "PUMP-1" in line]
    shown(line)
    as_json = setup.cli("status", "--product", "ipc", "--release", "2.2", "--json")
    assert as_json.returncode == 1, as_json.stderr
    for char in INVISIBLE:
        assert char not in as_json.stdout
    titles = [
        b["title"] for c in json.loads(as_json.stdout)["categories"].values() for b in c["blocking"]
    ]
    assert TITLE in titles  # escaped on the wire, intact for the pipeline that parses it


def test_the_record_escapes_them_for_people_and_keeps_them_for_the_digest(
    setup: Setup,
) -> None:
    done = setup.cli("authorize", "--product", "ipc", "--release", "2.0", "--yes")
    assert done.returncode == 0, done.stderr + done.stdout
    for char in INVISIBLE:
        assert char not in done.stdout and char not in done.stderr
    (comment,) = setup.record_comments()
    records = setup.data_dir / "records"
    markdown = record_file(records, "ipc", "2.0", ".md").read_text()
    shown(comment["body"].split("secgate-record-json")[0], spaced=True)
    shown(markdown.split("```json")[0], spaced=True)
    exported = json.loads(record_file(records, "ipc", "2.0", ".json").read_text())
    titles = [i["title"] for c in exported["categories"] for i in c["issues"]]
    assert TITLE in titles  # the canonical JSON keeps the tracker's bytes
    verified = setup.cli("verify", "--product", "ipc", "--release", "2.0")
    assert verified.returncode == 0, verified.stderr + verified.stdout
