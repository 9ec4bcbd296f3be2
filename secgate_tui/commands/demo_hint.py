"""The demo's line for its second signer: a command to copy, as it must be run.

The line names the data directory the demo used, so it works as printed when
the user gave ``--data-dir`` (or ``SECGATE_DATA_DIR``), and quotes every word
for a POSIX shell. DEMO KEYS ONLY: the key is the demo's security officer's.
"""

from __future__ import annotations

import shlex

from secgate_tui.commands.context import Context
from secgate_tui.domain.text import printable
from secgate_tui.services.signing.demo import SECURITY_OFFICER, install_demo_signing


def security_officer_line(ctx: Context, *arguments: str) -> str:
    """``Demo: as the security officer, run: SECGATE_SIGNING__KEY=... secgate --demo ...``."""
    key = install_demo_signing(ctx.data_dir).keys[SECURITY_OFFICER]
    # Absolute: the line works from any directory, whatever --data-dir the user gave.
    command = ["secgate", "--demo", "--data-dir", str(ctx.data_dir.absolute()), *arguments]
    return printable(
        f"Demo: as the security officer, run: SECGATE_SIGNING__KEY={shlex.quote(str(key))} "
        f"{shlex.join(command)}"
    )
