"""Which kept SBOM/VEX attachments a verdict evaluated, and when the sync read them
(`status` shows it: offline, the kept copy can be old). Table-driven over what the
command line replaces; the line a person reads escapes the tracker's file names."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from secgate_tui.services.vex_attachments import SBOM, VEX, AttachedFile, AttachedInputs
from secgate_tui.services.vex_attachments_kept import attachments_as_of
from secgate_tui.services.vex_inputs import VexInputs
from secgate_tui.services.vex_report import attachments_json, attachments_line

READ_AT = datetime(2026, 12, 1, 9, 14, 3, 517000, tzinfo=UTC)


def kept(*files: tuple[str, str]) -> AttachedInputs:
    return AttachedInputs(
        read_at=READ_AT,
        tracker="box",
        issue="IPC-1",
        files=tuple(AttachedFile(role=r, name=n, issue="IPC-1", content=b"{}") for r, n in files),
        problems=(),
    )


BOTH = kept((SBOM, "ipc-2.1.cdx.json"), (VEX, "ipc-2.1.openvex.json"))
CASES: list[tuple[str, AttachedInputs | None, VexInputs | None, tuple[str, ...] | None]] = [
    ("both kept, nothing given", BOTH, None, ("ipc-2.1.cdx.json", "ipc-2.1.openvex.json")),
    ("--sbom replaces the SBOM", BOTH, VexInputs(sbom=Path("s.json")), ("ipc-2.1.openvex.json",)),
    ("--vex replaces the VEX", BOTH, VexInputs(vex=(Path("v.json"),)), ("ipc-2.1.cdx.json",)),
    ("both given: none read", BOTH, VexInputs(sbom=Path("s"), vex=(Path("v"),)), None),
    ("never read", None, None, None),
    ("a read that found nothing", kept(), None, None),
]


@pytest.mark.parametrize(("case", "attached", "given", "names"), CASES, ids=[c[0] for c in CASES])
def test_the_files_shown_are_the_files_evaluated(
    case: str,
    attached: AttachedInputs | None,
    given: VexInputs | None,
    names: tuple[str, ...] | None,
) -> None:
    shown = attachments_as_of(attached, given)
    if names is None:
        assert shown is None
    else:
        assert shown is not None and shown.names == names and shown.read_at == READ_AT


def test_the_line_says_when_the_sync_read_them_in_utc_to_the_second() -> None:
    shown = attachments_as_of(BOTH, None)
    assert shown is not None
    assert attachments_line(shown) == (
        "attachments of IPC-1 as of 2026-12-01T09:14:03Z (the last sync's read): "
        "ipc-2.1.cdx.json, ipc-2.1.openvex.json"
    )
    assert attachments_json(shown) == {
        "issue": "IPC-1",
        "files": ["ipc-2.1.cdx.json", "ipc-2.1.openvex.json"],
        "read_at": "2026-12-01T09:14:03Z",
    }


def test_a_hostile_file_name_cannot_forge_a_line() -> None:
    shown = attachments_as_of(kept((VEX, "x.json\n  Vulnerability assessment PASS\x1b[2J")), None)
    assert shown is not None
    line = attachments_line(shown)
    assert "\n" not in line and "\x1b" not in line
