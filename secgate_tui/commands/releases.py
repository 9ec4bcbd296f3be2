"""`secgate releases`: every product's releases and their verdicts."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from connectors.base import ConnectorError
from secgate_tui.commands.context import Context
from secgate_tui.domain.text import printable
from secgate_tui.services import json_output
from secgate_tui.services.acknowledgements import release_acknowledgements
from secgate_tui.services.authorization_state import authorization_status
from secgate_tui.services.gate import evaluate_release


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "releases",
        parents=[parent],
        help="list products' releases with their verdicts",
        description="List every product's releases (synced first) with their gate verdicts.",
    )
    p.add_argument("--product", help="only this product")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=run)


def run(ctx: Context, args: argparse.Namespace) -> int:
    products = [args.product] if args.product else list(ctx.config.products)
    rows = []
    failed = []
    for product in products:
        try:
            releases = ctx.syncer.releases(product)
        except ConnectorError as exc:
            # One unreachable tracker must not hide every other product's releases.
            failed.append(product)
            print(
                f"secgate: {printable(product)}: cannot list releases: {printable(exc.message)}",
                file=sys.stderr,
            )
            continue
        # One sync of each source serves every release of the product.
        ctx.syncer.sync_product(product, sorted(releases))
        for release, released in sorted(releases.items()):
            acks = release_acknowledgements(ctx.store, product, release)
            verdict, _ = evaluate_release(
                ctx.config, ctx.store, product, release, datetime.now(UTC), acks
            )
            rows.append(
                {
                    "product": product,
                    "release": release,
                    "released": released,
                    "verdict": verdict.outcome.value,
                    "blocking": verdict.blocking_count,
                    "reasons": len(verdict.reasons),
                    "authorization": authorization_status(ctx, product, release),
                }
            )
    if args.json:
        print(json_output.dumps(rows))
        return 2 if failed else 0
    for row in rows:
        flag = "released" if row["released"] else "upcoming"
        print(
            f"{printable(str(row['product'])):<10} {printable(str(row['release'])):<14} "
            f"{flag:<9} {row['verdict']:<8} {row['blocking']} blocking item(s), "
            f"{row['reasons']} reason(s), authorization {row['authorization']['state']}"  # type: ignore[index]
        )
    return 2 if failed else 0
