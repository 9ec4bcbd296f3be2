"""`secgate sync`: fill the store from the trackers (exit 2 when any source fails)."""

from __future__ import annotations

import argparse
import sys

from connectors.base import ConnectorError
from secgate_tui.commands.context import Context, UsageError
from secgate_tui.domain.text import printable
from secgate_tui.services.sync import acknowledge_deleted


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
    p.add_argument(
        "--ack-deleted",
        action="append",
        metavar="KEY=REASON",
        help="acknowledge that a missing issue of --product/--release was deleted on purpose "
        "(repeatable; recorded with your tracker identity)",
    )
    p.set_defaults(handler=run)


def _acknowledge(ctx: Context, args: argparse.Namespace) -> None:
    """Record each ``--ack-deleted KEY=REASON`` before syncing (raises UsageError)."""
    if not (args.product and args.release):
        raise UsageError("--ack-deleted needs --product and --release: it is per release.")
    product = ctx.config.product(args.product)
    tracker = product.sources[0].tracker if product.sources else None
    if tracker is None:
        raise UsageError(f"product '{args.product}' has no source to acknowledge issues of.")
    me = ctx.connections.get(tracker).whoami()
    by = f"{me.display_name or me.name} ({tracker} account {me.id})"
    for value in args.ack_deleted:
        key, _, reason = value.partition("=")
        if not key.strip() or not reason.strip():
            raise UsageError(f"--ack-deleted '{value}': give KEY=REASON, both non-empty.")
        if not acknowledge_deleted(
            ctx.config,
            ctx.store,
            product_id=args.product,
            release=args.release,
            key=key.strip(),
            reason=reason,
            by=by,
            at=ctx.clock(),
        ):
            raise UsageError(
                f"--ack-deleted: {key.strip()} is not missing from {args.product} "
                f"{args.release} in any source (only an issue the gate reports as deleted or "
                "no longer visible can be acknowledged)."
            )
        print(f"acknowledged  {printable(key.strip())} deleted, by {printable(by)}")


def run(ctx: Context, args: argparse.Namespace) -> int:
    if args.ack_deleted:
        _acknowledge(ctx, args)
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
        # One sync of each source serves every release of the product.
        synced = ctx.syncer.sync_product(product, releases, full=args.full)
        reported: set[tuple[str, str]] = set()
        for release, results in synced.items():
            for result in results:
                source = f"{result.source.tracker} ({result.source.project})"
                where = f"{product} {release} <- {source}"
                if result.state.error:
                    if (source, "failed") not in reported:
                        failed.append(f"{product} <- {source}")
                        print(
                            f"FAILED  {printable(f'{product} <- {source}')}: "
                            f"{printable(result.state.error)}",
                            file=sys.stderr,
                        )
                    reported.add((source, "failed"))
                    continue
                if (source, "synced") not in reported:
                    reported.add((source, "synced"))
                    mode = "full" if result.full else "incremental"
                    print(
                        f"synced  {printable(f'{product} <- {source}')}: {result.read} issue(s) "
                        f"read for every release, {mode}"
                    )
                if not result.state.release_found:
                    print(f"absent  {printable(where)}: no such version in this source")
                elif result.state.missing:
                    print(
                        f"missing {printable(where)}: "
                        f"{printable(', '.join(result.state.missing))} (deleted or hidden)"
                    )
    if failed:
        print(
            f"{len(failed)} source(s) failed to sync; their releases are BLOCKED until they do.",
            file=sys.stderr,
        )
        return 2
    return 0
