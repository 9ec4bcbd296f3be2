"""What commands share: argument checks (products, ``--ack-empty``) and usage errors.

The context itself (configuration, store, connections) is built by
:mod:`secgate_tui.services.context`; it is re-exported here for the commands.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from secgate_tui.config import ConfigError
from secgate_tui.domain import Category
from secgate_tui.services.context import Context, build_context, data_dir_for, open_context
from secgate_tui.services.vex_inputs import VexInputs

__all__ = [
    "Context",
    "UsageError",
    "add_vex_arguments",
    "build_context",
    "data_dir_for",
    "open_context",
    "parse_acks",
    "require_product",
    "vex_inputs",
]


class UsageError(Exception):
    """A command-line argument is wrong (exit 2)."""


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


def add_vex_arguments(parser: argparse.ArgumentParser) -> None:
    """``--sbom``, ``--vex`` and ``--strict-schema``: the release's SBOM/VEX given by a pipeline."""
    parser.add_argument(
        "--sbom",
        type=Path,
        metavar="FILE",
        help="the release's CycloneDX JSON SBOM (replaces the configured one)",
    )
    parser.add_argument(
        "--vex",
        type=Path,
        action="append",
        metavar="FILE",
        help="a CycloneDX VEX or OpenVEX JSON file (repeatable; replaces the configured ones)",
    )
    parser.add_argument(
        "--strict-schema",
        action="store_true",
        help="also validate CycloneDX files against the official JSON schema (slow)",
    )


def vex_inputs(args: argparse.Namespace) -> VexInputs:
    return VexInputs(
        sbom=args.sbom, vex=tuple(args.vex or ()), strict_schema=bool(args.strict_schema)
    )
