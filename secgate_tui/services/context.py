"""The composition root: configuration, store, connections and syncer, wired in one place.

:func:`build_context` wires them for a loaded configuration and a data
directory; :func:`open_context` does the same from the command line's options
(``--config``, ``--data-dir``, ``--demo``). Commands, the UI, its sync process,
the tests and the benchmarks all get their :class:`Context` from here: nothing
above this layer builds one by hand.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import platformdirs

from secgate_tui.config import APP_NAME, Config, load_config
from secgate_tui.services.connections import Connections
from secgate_tui.services.demo import demo_config
from secgate_tui.services.store import Store
from secgate_tui.services.sync import Syncer, utcnow

STORE_NAME = "secgate.sqlite3"


@dataclass(frozen=True, kw_only=True)
class Context:
    """What every command, the UI and the publisher work with; close it when done."""

    config: Config
    store: Store
    connections: Connections
    syncer: Syncer
    data_dir: Path
    #: Where record files are exported (``records_dir`` of the config, else in ``data_dir``).
    records_dir: Path
    demo: bool = False
    clock: Callable[[], datetime] = field(default=utcnow)

    def close(self) -> None:
        self.connections.close()
        self.store.close()


def build_context(
    config: Config,
    data_dir: Path,
    *,
    demo: bool = False,
    clock: Callable[[], datetime] = utcnow,
) -> Context:
    """Open the store in ``data_dir`` and the tracker connections of ``config``."""
    store = Store(data_dir / STORE_NAME)
    connections = Connections(config)
    syncer = Syncer(config, store, connections, clock)
    return Context(
        config=config,
        store=store,
        connections=connections,
        syncer=syncer,
        data_dir=data_dir,
        records_dir=config.settings.records_dir or data_dir / "records",
        demo=demo,
        clock=clock,
    )


def data_dir_for(args: argparse.Namespace) -> Path:
    """``--data-dir``, else ``SECGATE_DATA_DIR``, else the platform's (the demo's apart)."""
    if getattr(args, "data_dir", None):
        return Path(args.data_dir).expanduser()
    if os.environ.get("SECGATE_DATA_DIR"):
        return Path(os.environ["SECGATE_DATA_DIR"]).expanduser()
    base = Path(platformdirs.user_data_dir(APP_NAME))
    # The demo keeps its own data, apart from real releases' records.
    return base / "demo" if getattr(args, "demo", False) else base


@contextmanager
def open_context(args: argparse.Namespace) -> Iterator[Context]:
    """The context the command-line options name, closed on exit.

    Raises:
        ConfigError: the configuration cannot be loaded.
    """
    data_dir = data_dir_for(args)
    demo = bool(getattr(args, "demo", False))
    config = demo_config(data_dir) if demo else load_config(getattr(args, "config", None))
    ctx = build_context(config, data_dir, demo=demo)
    try:
        yield ctx
    finally:
        ctx.close()
