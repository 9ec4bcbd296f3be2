"""Helpers for the authorization end-to-end tests: a sandbox-backed config, the CLI
in a subprocess, and tracker-side levers (faults, edits) on the sandbox file."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from connectors.sandbox.demo_data import seed_demo
from connectors.sandbox.tracker import Data, SandboxFile
from secgate_tui.commands.context import Context, open_context
from secgate_tui.services.demo import demo_data
from secgate_tui.services.store import AuditEntry, Store

MARKER = "secgate-record "


def not_shipped(data: Data) -> None:
    """No version released yet: the protocol tests authorize the demo's shipped releases
    (IPC 2.0, 2.1, DMS 5.4) as ordinary ones. Retrospective authorization (issue 13) is
    tested on its own (test_software_identity_cli, test_release_identity_jira)."""
    for project in data["projects"].values():
        for version in project["versions"]:
            version["released"] = False


@dataclass
class Setup:
    """One product configuration over a (non-live) seeded demo sandbox."""

    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def config(self) -> Path:
        return self.root / "secgate.toml"

    @property
    def sandbox(self) -> SandboxFile:
        return SandboxFile(self.data_dir / "sandbox.json", seed_demo)

    def write_config(self, *, policy: dict[str, Any] | None = None, **product: Any) -> None:
        data = demo_data(self.data_dir)
        data["trackers"]["sandbox"]["live"] = False
        data["policy"].update(policy or {})
        data["products"]["ipc"].update(product)
        self.config.write_text(tomli_w.dumps(data), encoding="utf-8")
        self.edit(not_shipped)

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "secgate_tui.cli",
                "--config",
                str(self.config),
                "--data-dir",
                str(self.data_dir),
                *args,
            ],
            capture_output=True,
            text=True,
            env=env,
            input=stdin,
            timeout=120,
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "secgate_tui.cli",
                "--config",
                str(self.config),
                "--data-dir",
                str(self.data_dir),
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    @contextmanager
    def context(self) -> Iterator[Context]:
        args = argparse.Namespace(config=str(self.config), data_dir=str(self.data_dir), demo=False)
        with open_context(args) as ctx:
            yield ctx

    # -- tracker side --------------------------------------------------------------

    def edit(self, fn: Callable[[Data], None]) -> None:
        self.sandbox.write(fn)

    def fault(self, **faults: Any) -> None:
        def set_faults(data: Data) -> None:
            data["faults"].update(faults)

        self.edit(set_faults)

    def record_comments(self) -> list[dict[str, Any]]:
        """Every comment holding an authorization marker, on any issue."""
        data = self.sandbox.read(lambda d: d)
        return [
            {**comment, "key": key}
            for key, issue in data["issues"].items()
            for comment in issue.get("comments", [])
            if MARKER in comment["body"]
        ]

    def raw(self) -> bytes:
        path = self.data_dir / "sandbox.json"
        return path.read_bytes() if path.exists() else b""

    def audit(self) -> list[AuditEntry]:
        store = Store(self.data_dir / "secgate.sqlite3")
        try:
            return store.audit_entries("authorization")
        finally:
            store.close()
