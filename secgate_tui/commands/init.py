"""`secgate init`: write a starter configuration (tomli-w), asking what it must.

Each answer is checked as it is given (a tracker kind the registry knows, in
any case; a URL with a scheme and host and no password; a project the tracker
knows, when it can be reached with a token), and a refused answer is asked
again with the reason, so init never asks every question and then fails on
the first answer. The written file is validated before it is written, and
written atomically, so an interrupted init never leaves a half file; an
existing file is kept unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs
import tomli_w

from connectors.base import ConnectorError, NotFoundError
from connectors.registry import available
from secgate_tui.commands.context import UsageError
from secgate_tui.config import APP_NAME, ConfigError, config_from_data
from secgate_tui.config_limits import MAX_NAME, url_problem
from secgate_tui.domain.text import printable
from secgate_tui.services.connections import Connections
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


class AnswerError(ValueError):
    """An answer that cannot be used; the message says why (the question is asked again)."""


def installed_kind(value: str) -> str:
    """The registry's name for a tracker kind given in any case (plugins included).

    Raises:
        UsageError: no installed connector has that kind; the message lists them.
    """
    try:
        return kind_answer(value)
    except AnswerError as exc:
        raise UsageError(f"init: {exc}") from None


def kind_answer(value: str) -> str:
    kinds = list(available())
    found = {kind.casefold(): kind for kind in kinds}.get(value.strip().casefold())
    if found is None:
        raise AnswerError(
            f"unknown tracker kind '{printable(value, 60)}'. Installed connectors: "
            f"{', '.join(kinds) or 'none'}."
        )
    return found


def url_answer(value: str) -> str:
    """A tracker URL: http(s), a host, and no user name or password in it."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise AnswerError(
            f"'{printable(value, 80)}' is not a tracker URL: give it with its scheme and "
            "host, e.g. https://example.atlassian.net"
        )
    problem = url_problem(value, "the URL")
    if problem:
        raise AnswerError(problem)
    return value


def text_answer(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_NAME:
        raise AnswerError(f"is {len(value)} characters long (at most {MAX_NAME})")
    return value


#: Each question's check of its answer (raises AnswerError saying why).
CHECKS: dict[str, Callable[[str], str]] = {
    "kind": kind_answer,
    "url": url_answer,
    "project": text_answer,
    "product_name": text_answer,
}


def ask(name: str, question: str, check: Callable[[str], str]) -> str:
    """Ask until the answer passes ``check``; each refusal says why, then asks again.

    Raises:
        UsageError: the input ended (nothing is written).
    """
    label = question.split(" (")[0]
    while True:
        try:
            answer = input(f"{question}: ")
        except EOFError:
            raise UsageError(f"init: no answer for {label}; nothing was written.") from None
        if not answer.strip():
            print(f"  {label} is required.", file=sys.stderr)
            continue
        try:
            return check(answer)
        except AnswerError as exc:
            print(f"  {exc}", file=sys.stderr)


def ask_missing(args: argparse.Namespace) -> None:
    if args.kind:
        args.kind = installed_kind(args.kind)  # a wrong flag is named before any question
    if args.url:
        try:
            args.url = url_answer(args.url)
        except AnswerError as exc:
            raise UsageError(f"init: argument --url: {exc}") from None
    missing = [
        (name, q)
        for name, q in QUESTIONS
        if not getattr(args, name) and not (name == "url" and args.kind == "sandbox")
    ]
    if missing and not sys.stdin.isatty():
        flags = ", ".join("--" + name.replace("_", "-") for name, _ in missing)
        raise UsageError(f"init needs {flags} (no terminal to ask on).")
    for name, question in QUESTIONS:
        if getattr(args, name) or (name == "url" and args.kind == "sandbox"):
            continue  # given as a flag; a sandbox has no URL
        question = question.format(kinds=", ".join(available()))
        if name == "project":
            args.project = ask_project(args, question)
        else:
            setattr(args, name, ask(name, question, CHECKS[name]))


def ask_project(args: argparse.Namespace, question: str) -> str:
    """The project, checked against the tracker when it can be reached with a token."""
    while True:
        project = ask("project", question, CHECKS["project"])
        problem, note = project_problem(args, project)
        if problem is None:
            if note:
                print(f"  {note}", file=sys.stderr)
            return project
        print(f"  {problem}", file=sys.stderr)


#: The check of a project asks the tracker once, briefly: init must not hang on it.
CHECK_SECONDS = 10.0


def project_problem(args: argparse.Namespace, project: str) -> tuple[str | None, str]:
    """(why the project is wrong, or None; a note when it could not be checked)."""
    if args.kind == "sandbox":
        return None, ""
    # The product's name may not be asked yet: a stand-in, for this check only.
    answers = {**vars(args), "project": project, "product_name": args.product_name or "?"}
    data = build(argparse.Namespace(**answers))
    tracker = next(iter(data["trackers"]))
    data["trackers"][tracker].update(
        timeout_seconds=CHECK_SECONDS, request_deadline_seconds=CHECK_SECONDS
    )
    connections = None
    try:
        config = config_from_data(data, None)
        source = next(iter(config.products.values())).sources[0]
        connections = Connections(config)
        connections.get(tracker).releases(source.scope())
    except NotFoundError:
        return (
            f"the tracker at {printable(args.url, 100)} has no project "
            f"'{printable(project, 80)}' (or the token cannot see it). Give its "
            "Jira key, GitLab path or Redmine identifier.",
            "",
        )
    except (ConnectorError, ConfigError) as exc:
        reason = exc.message if isinstance(exc, ConnectorError) else str(exc)
        return None, (
            f"not checked that '{printable(project, 80)}' exists ({printable(reason, 200)}); "
            "written as given."
        )
    finally:
        if connections is not None:
            connections.close()
    return None, f"found '{printable(project, 80)}' in the tracker."


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
