"""What every command needs: the configuration, the store and the connectors."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from secgate_tui.config import APP_NAME, Config, ConfigError, load_config
from secgate_tui.domain import Category
from secgate_tui.services.connections import Connections
from secgate_tui.services.demo import demo_config
from secgate_tui.services.store import Store
from secgate_tui.services.sync import Syncer


class UsageError(Exception):
    """A command-line argument is wrong (exit 2)."""


@dataclass
class Context:
    config: Config
    store: Store
    connections: Connections
    syncer: Syncer
    data_dir: Path
    demo: bool

    @property
    def records_dir(self) -> Path:
        configured = self.config.settings.records_dir
        return configured if configured else self.data_dir / "records"


def data_dir_for(args: argparse.Namespace) -> Path:
    if getattr(args, "data_dir", None):
        return Path(args.data_dir).expanduser()
    if os.environ.get("SECGATE_DATA_DIR"):
        return Path(os.environ["SECGATE_DATA_DIR"]).expanduser()
    base = Path(platformdirs.user_data_dir(APP_NAME))
    # The demo keeps its own data, apart from real releases' records.
    return base / "demo" if getattr(args, "demo", False) else base


@contextmanager
def open_context(args: argparse.Namespace) -> Iterator[Context]:
    data_dir = data_dir_for(args)
    demo = bool(getattr(args, "demo", False))
    config = demo_config(data_dir) if demo else load_config(getattr(args, "config", None))
    store = Store(data_dir / "secgate.sqlite3")
    connections = Connections(config)
    try:
        yield Context(
            config, store, connections, Syncer(config, store, connections), data_dir, demo
        )
    finally:
        connections.close()
        store.close()


def parse_acks(values: list[str] | None) -> dict[Category, str]:
    """``--ack-empty CATEGORY[=REASON]`` values, validated."""
    acks: dict[Category, str] = {}
    for value in values or []:
        name, _, reason = value.partition("=")
        try:
            category = Category(name.strip())
        except ValueError:
            known = ", ".join(c.value for c in Category)
            raise UsageError(
                f"--ack-empty: '{name}' is not a category. Categories: {known}."
            ) from None
        acks[category] = reason.strip() or "acknowledged as not applicable on the command line"
    return acks


def require_product(ctx: Context, product: str | None) -> str:
    if product:
        ctx.config.product(product)  # raises ConfigError naming the known ones
        return product
    if len(ctx.config.products) == 1:
        return next(iter(ctx.config.products))
    known = ", ".join(ctx.config.products) or "none"
    raise ConfigError(f"name the product with --product (products: {known}).")
