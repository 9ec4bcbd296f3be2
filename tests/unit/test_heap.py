"""secgate's processes give freed answers back to the system (glibc's mmap threshold).

Each case runs in a fresh interpreter: the setting is process-wide, and glibc
raises its threshold for good after the first large block is freed.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

from secgate_tui import cli
from secgate_tui.heap import keep_large_blocks_mapped

PROBE = textwrap.dedent(
    """
    import sys
    from secgate_tui.heap import keep_large_blocks_mapped

    def resident_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 // (1 << 20)

    if sys.argv[1] == "fixed":
        assert keep_large_blocks_mapped()
    first = b"x" * (4 << 20)
    del first  # glibc would now take blocks up to 4 MB from its heap
    answers, kept = [], []
    for n in range(100):
        answers.append(b"y" * (1 << 20))  # a sync's answers, 1 MB each...
        kept.append([n] * 50)  # ...between small objects that stay
    before = resident_mb()
    del answers
    print(before - resident_mb())
    """
)

glibc = pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc", reason="glibc's mallopt"
)


def _returned_mb(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


@glibc
def test_freed_answers_go_back_to_the_system() -> None:
    assert _returned_mb("fixed") >= 90  # of the 100 MB freed
    assert _returned_mb("dynamic") <= 10  # what glibc does on its own: kept


def test_every_command_fixes_the_threshold_first(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[bool] = []
    monkeypatch.setattr(cli, "keep_large_blocks_mapped", lambda: called.append(True) or True)
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert called == [True]


@glibc
def test_it_says_whether_it_applied() -> None:
    assert keep_large_blocks_mapped() is True
