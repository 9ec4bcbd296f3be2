"""The CLI imports only the command it runs; the rest of the line reads as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from secgate_tui.cli import COMMANDS, build_parser, command_named


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["status", "--release", "1"], "status"),
        (["--config", "status", "sync"], "sync"),  # an option's value is not the command
        (["--data-dir=d", "--demo", "review", "status"], "review"),
        (["--product", "P", "--release", "R", "evidence", "check"], "evidence"),
        ([], None),  # the terminal UI
        (["--help", "status"], None),  # the full help lists every command
        (["--version"], None),
        (["--conf", "x", "status"], None),  # abbreviated: argparse decides
        (["stauts"], None),  # argparse says it is not a command, and lists them all
    ],
)
def test_command_named(argv: list[str], expected: str | None) -> None:
    assert command_named(argv) == expected


def test_every_command_parses_the_same_alone_and_among_all(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in COMMANDS:
        helps = []
        for parser in (build_parser(name), build_parser()):
            with pytest.raises(SystemExit) as exited:
                parser.parse_args([name, "--help"])
            assert exited.value.code == 0
            helps.append(capsys.readouterr().out)
        assert helps[0] == helps[1]
    argv = ["--data-dir", "d", "status", "--release", "1", "--json"]
    assert build_parser("status").parse_args(argv) == build_parser().parse_args(argv)


def test_status_does_not_import_the_other_commands(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from secgate_tui.cli import main\n"
        f"main(['--config', {str(tmp_path / 'none.toml')!r}, 'status', '--release', '1'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('secgate_tui.commands.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.strip()
    assert "secgate_tui.commands.status" in loaded
    for other in ("authorize", "review", "evidence", "verify"):
        assert f"secgate_tui.commands.{other}'" not in loaded
