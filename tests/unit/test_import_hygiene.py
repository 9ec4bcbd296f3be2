"""What the import-linter contracts cannot say: lazy imports at run time.

The layering itself (the domain imports nothing above it and no UI, network,
tracker or storage library; connectors, services and commands never import the
layers above them) is checked statically by ``lint-imports`` in ``make check``
(contracts in pyproject.toml). The CLI is allowed to start the TUI, so it does
import the app, but only inside the function that starts it: a headless command
(CI pipelines, ``status --json``) must run without loading Textual.
"""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["secgate_tui.services.gate", "secgate_tui.cli"])
def test_headless_core_does_not_load_textual(module: str) -> None:
    code = f"import sys, {module}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
