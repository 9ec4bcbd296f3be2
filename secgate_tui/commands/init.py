"""`secgate init`: write a starter configuration (tomli-w), asking what it must.

The written file is validated before it is written, and written atomically, so
an interrupted init never leaves a half file; an existing file is kept unless
``--force`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from connectors.registry import available
from secgate_tui.commands.context import UsageError
from secgate_tui.config import APP_NAME, config_from_data
from secgate_tui.services.demo import CATEGORY_LABELS

QUESTIONS = (
    # The kinds are filled in from the connector registry when asked.
    ("kind", "Tracker kind ({kinds})"),
    ("url", "Tracker URL (e.g. https://example.atlassian.net)"),
    ("project", "Project (Jira key, GitLab path, Redmine identifier)"),
    ("product_name", "Product name (e.g. Infusion Pump Controller)"),
)


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "init",
        parents=[parent],
        help="write a starter config",
        description="Write a starter secgate.toml; asks for what is not given as a flag.",
    )
    p.add_argument(
        "--kind",
        type=str,
        help="tracker kind: an installed connector (built in: jira, gitlab, redmine, "
        "sandbox; plugins add theirs), any case",
    )
    p.add_argument("--url")
    p.add_argument("--project")
    p.add_argument("--product-name")
    p.add_argument("--product", help="product id (default: derived from the project)")
    p.add_argument("--tracker-name", help="tracker table name (default: the kind)")
    p.add_argument("--user", help="login for basic auth (Jira Cloud e-mail)")
    p.add_argument("--token-env", help="environment variable that will hold the token")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(handler=run, needs_context=False)


def target_path(args: argparse.Namespace) -> Path:
    if getattr(args, "config", None):
        return Path(args.config).expanduser()
    if os.environ.get("SECGATE_CONFIG"):
        return Path(os.environ["SECGATE_CONFIG"])
    return Path.cwd() / "secgate.toml"


def installed_kind(value: str) -> str:
    """The registry's name for a tracker kind given in any case (plugins included).

    Raises:
        UsageError: no installed connector has that kind; the message lists them.
    """
    kinds = list(available())
    found = {kind.casefold(): kind for kind in kinds}.get(value.strip().casefold())
    if found is None:
        raise UsageError(
            f"init: unknown tracker kind '{value}'. Installed connectors: "
            f"{', '.join(kinds) or 'none'}."
        )
    return found


def ask_missing(args: argparse.Namespace) -> None:
    if args.kind:
        args.kind = installed_kind(args.kind)  # a wrong flag is named before any question
    missing = [(name, q) for name, q in QUESTIONS if not getattr(args, name)]
    if missing and not sys.stdin.isatty():
        flags = ", ".join("--" + name.replace("_", "-") for name, _ in missing)
        raise UsageError(f"init needs {flags} (no terminal to ask on).")
    for name, question in missing:
        question = question.format(kinds=", ".join(available()))
        answer = input(f"{question}: ").strip()
        if not answer:
            raise UsageError(f"init: {question.split(' (')[0]} is required.")
        setattr(args, name, answer)
    args.kind = installed_kind(args.kind)


def build(args: argparse.Namespace) -> dict[str, Any]:
    tracker = args.tracker_name or args.kind
    product = args.product or "".join(c for c in args.project.lower() if c.isalnum()) or "product"
    tracker_table: dict[str, Any] = {"kind": args.kind}
    if args.kind == "sandbox":
        tracker_table["path"] = str(Path(platformdirs.user_data_dir(APP_NAME)) / "sandbox.json")
    else:
        tracker_table["url"] = args.url
        tracker_table["token_env"] = args.token_env or f"SECGATE_{tracker.upper()}_TOKEN"
        if args.user:
            tracker_table["user"] = args.user
    return {
        "policy": {"max_snapshot_age_seconds": 300, "separation_of_duties": False},
        "trackers": {tracker: tracker_table},
        "products": {
            product: {
                "name": args.product_name,
                "review_interval_days": 365,
                "security_labels": ["security"],
                "sources": [{"tracker": tracker, "project": args.project, "release": "{release}"}],
                "categories": CATEGORY_LABELS,
            }
        },
    }


def run(args: argparse.Namespace) -> int:
    path = target_path(args)
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists; keep it, or overwrite it with --force.")
    ask_missing(args)
    data = build(args)
    config_from_data(data, path)  # never write a config that would not load
    text = tomli_w.dumps(data)
    header = (
        "# secgate configuration, written by `secgate init`.\n"
        "# Every setting is documented in config.example.toml. Tokens never go here:\n"
        "# export the variable named by token_env, or store the token in the keyring.\n\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secgate-init", suffix=".toml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(header + text)
    os.replace(tmp, path)
    print(f"wrote {path}")
    table = data["trackers"]
    for name, tracker in table.items():
        if tracker.get("token_env"):
            print(f"next: export {tracker['token_env']}=<token of '{name}'>, then `secgate sync`")
    return 0
