"""The ``secgate`` command: headless commands for people and CI pipelines.

Exit codes are a contract: 0 pass / done, 1 blocked / mismatch, 2 error. Every
error is one paragraph on stderr, never a traceback (set SECGATE_DEBUG=1 to
see one when reporting a bug).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from importlib import import_module
from typing import TextIO

from connectors.base import ConnectorError
from connectors.registry import RegistryError
from secgate_tui import __version__
from secgate_tui.commands.context import UsageError, open_context
from secgate_tui.config import ConfigError
from secgate_tui.config_limits import MAX_NAME, url_problem
from secgate_tui.domain.text import printable
from secgate_tui.heap import keep_large_blocks_mapped
from secgate_tui.services.store import StoreError

#: Command name -> the module that registers and runs it. A command's module is
#: imported only when that command runs (or for the full --help): `status`
#: need not import authorization, review and evidence code.
COMMANDS = {
    name: f"secgate_tui.commands.{name}"
    for name in (
        "status",
        "releases",
        "sync",
        "authorize",
        "approve",
        "verify",
        "records",
        "review",
        "init",
        "evidence",
    )
}
#: Global options that take a value (see global_options and build_parser).
_VALUED = frozenset({"--config", "--data-dir", "--product", "--release"})

EXIT_ERROR = 2

#: Arguments that name something and so cannot be empty: an empty --product
#: would otherwise pick the only product, an empty --data-dir the default one.
NAMED = ("product", "release", "data_dir", "config")
#: Arguments that are one short line (a product id, a release name).
SHORT = ("product", "release", "product_name", "tracker_name", "project")


class ArgumentProblem(Exception):
    """A command-line argument that cannot be used; the message names it."""


def _option(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse unusable arguments before anything runs.

    Raises:
        ArgumentProblem: naming the argument and what to do.
    """
    for dest, value in sorted(vars(args).items()):
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str):
                _check_one(dest, item)


def _check_one(dest: str, value: str) -> None:
    option = _option(dest)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ArgumentProblem(
            f"argument {option}: is not valid UTF-8 text (the terminal or script passed "
            "bytes in another encoding); give it as UTF-8"
        ) from None
    if dest in NAMED and not value.strip():
        raise ArgumentProblem(f"argument {option}: is empty; give a value, or leave the option out")
    if dest in SHORT and len(value) > MAX_NAME:
        raise ArgumentProblem(
            f"argument {option}: is {len(value)} characters long (at most {MAX_NAME})"
        )
    problem = url_problem(value, option)
    if problem:
        raise ArgumentProblem(f"argument {problem}")


def global_options(*, suppress: bool) -> argparse.ArgumentParser:
    """Global options, accepted before or after the command name."""
    default = argparse.SUPPRESS if suppress else None
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--config", default=default, help="configuration file (TOML)")
    parent.add_argument("--data-dir", default=default, help="data directory (store, records)")
    parent.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="use the embedded demo tracker (no account, no network)",
    )
    return parent


def command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, when that is certain from the global options before it.

    None (then every command is registered) for no command, --help or --version
    before the command, an unknown name, or anything else this quick look is
    not sure of (an abbreviated option): argparse then reads the line as always.
    """
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _VALUED:
            skip = True
        elif word.split("=", 1)[0] in _VALUED or word == "--demo":
            continue
        elif word.startswith("-"):
            return None
        else:
            return word if word in COMMANDS else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``only``, just that command's subcommand is registered."""
    parser = argparse.ArgumentParser(
        prog="secgate",
        parents=[global_options(suppress=False)],
        description="Security release gate for health software (IEC 81001-5-1). Without a "
        "command, opens the terminal UI.",
    )
    parser.add_argument("--version", action="version", version=f"secgate {__version__}")
    parser.add_argument("--product", help="(UI) open at this product")
    parser.add_argument("--release", help="(UI) open at this release")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    shared = global_options(suppress=True)
    for name, module in COMMANDS.items():
        if only is None or name == only:
            import_module(module).register(sub, shared)
    return parser


#: Options of the UI that commands take too: given before the command, they are
#: the command's (``secgate --demo --product ipc --release 2.2 status``).
MOVABLE = ("--product", "--release")
#: Options before the command that take a value (skipped when finding the command).
VALUED = tuple(sorted(_VALUED))


def command_options_first(argv: Sequence[str]) -> list[str]:
    """``argv`` with --product/--release given before the command moved after it."""
    if "--" in argv:
        return list(argv)
    names = set(COMMANDS)
    args = list(argv)
    moved: list[str] = []
    kept: list[str] = []
    n = 0
    while n < len(args):
        arg = args[n]
        if arg in names:
            # At the end, so a command with its own subcommands (review status)
            # hands them to the subcommand that takes them.
            return [*kept, *args[n:], *moved]
        if arg == "--":
            break
        option = arg.split("=", 1)[0]
        takes_value = option in VALUED and "=" not in arg and n + 1 < len(args)
        group = args[n : n + 2] if takes_value else [arg]
        (moved if option in MOVABLE else kept).extend(group)
        n += len(group)
    return args  # no command: the options are the UI's


class _ReaderGone:
    """stdout that stops writing, quietly, once the reader went away (``| head -1``).

    The command runs to its end, so its exit code (the gate's verdict) stands;
    the rest of its output goes nowhere.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def _gone(self) -> None:
        # The descriptor itself now points nowhere, so the interpreter's last
        # flush at exit cannot fail either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._gone()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def run_ui(args: argparse.Namespace) -> int:
    """The terminal UI (it prints the release overview itself when there is no terminal)."""
    # Imported here: textual is heavy, and headless commands never need it.
    from secgate_tui.app import run as run_app

    result: int = run_app(args)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    keep_large_blocks_mapped()  # a sync's freed answers return to the system
    stdout = sys.stdout
    sys.stdout = _ReaderGone(stdout)
    try:
        code = _main(argv)
        sys.stdout.flush()
    finally:
        sys.stdout = stdout
    return code


def _main(argv: Sequence[str] | None) -> int:
    words = command_options_first(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_named(words))
    args = parser.parse_args(words)
    try:
        check_arguments(args)
    except ArgumentProblem as exc:
        print(f"secgate: error: {printable(str(exc))}; nothing was run.", file=sys.stderr)
        return EXIT_ERROR
    try:
        if args.command is None:
            return run_ui(args)
        if not getattr(args, "needs_context", True):
            code: int = args.handler(args)
            return code
        with open_context(args) as ctx:
            code = args.handler(ctx, args)
            return code
    except (ConfigError, UsageError, RegistryError, StoreError) as exc:
        print(f"secgate: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except ConnectorError as exc:
        where = f" ({exc.tracker})" if exc.tracker else ""
        print(f"secgate: tracker error{where}: {printable(exc.message)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(
            "secgate: interrupted. The local store keeps no half-written change; a record "
            "that was being written may have reached the tracker, and running the command "
            "again adopts it instead of writing it twice.",
            file=sys.stderr,
        )
        return 130
    except Exception as exc:
        if os.environ.get("SECGATE_DEBUG"):
            traceback.print_exc()
        # The exception's text is not shown: an unexpected error from a
        # tracker library may carry a URL or header with a token in it.
        print(
            f"secgate: internal error ({type(exc).__name__}). This is a bug in secgate; "
            "the command stopped and did not finish. Nothing is authorized or recorded "
            "unless the audit log says so; if a record was being written, running the "
            "command again adopts what reached the tracker instead of writing it twice. "
            "Rerun with SECGATE_DEBUG=1 to see the details (they may contain tracker data) "
            "and report them.",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
