"""The core stays free of the UI: importing it must not import textual."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    ["secgate_tui.domain", "connectors.base", "secgate_tui.services.gate", "secgate_tui.cli"],
)
def test_core_does_not_import_textual(module: str) -> None:
    code = f"import sys, {module}; print('textual' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    textual, rich = out.stdout.split()
    assert textual == "False"
    if module.startswith(("secgate_tui.domain", "connectors.base")):
        assert rich == "False"


def test_domain_imports_no_connector_and_no_network_library() -> None:
    code = (
        "import sys, secgate_tui.domain; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'connectors', 'requests', 'jira', 'gitlab', 'redminelib', 'sqlite3', 'textual'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
