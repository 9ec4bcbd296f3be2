"""`secgate sync`: fill the store from the trackers (exit 2 when any source fails)."""

from __future__ import annotations

import argparse
import sys

from connectors.base import ConnectorError
from secgate_tui.commands.context import Context
from secgate_tui.domain.text import printable


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "sync",
        parents=[parent],
        help="sync releases from the trackers into the local store",
        description="Sync every release of every product (or one) into the local store.",
    )
    p.add_argument("--product", help="only this product")
    p.add_argument("--release", help="only this release")
    p.add_argument("--full", action="store_true", help="full sync (notices issues that left)")
    p.set_defaults(handler=run)


def run(ctx: Context, args: argparse.Namespace) -> int:
    products = [args.product] if args.product else list(ctx.config.products)
    failed = []
    for product in products:
        try:
            releases = [args.release] if args.release else sorted(ctx.syncer.releases(product))
        except ConnectorError as exc:
            # One unreachable tracker must not keep the other products from syncing.
            failed.append(product)
            print(
                f"FAILED  {printable(product)}: cannot list releases: {printable(exc.message)}",
                file=sys.stderr,
            )
            continue
        for release in releases:
            for result in ctx.syncer.sync_release(product, release, full=args.full):
                where = f"{product} {release} <- {result.source.tracker} ({result.source.project})"
                if result.state.error:
                    failed.append(where)
                    print(
                        f"FAILED  {printable(where)}: {printable(result.state.error)}",
                        file=sys.stderr,
                    )
                elif not result.state.release_found:
                    print(f"absent  {printable(where)}: no such version in this source")
                else:
                    mode = "full" if result.full else "incremental"
                    print(f"synced  {printable(where)}: {result.count} issue(s), {mode}")
    if failed:
        print(
            f"{len(failed)} source(s) failed to sync; their releases are BLOCKED until they do.",
            file=sys.stderr,
        )
        return 2
    return 0
