"""`secgate status`: a release's gate, synced first unless --offline."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from secgate_tui.commands.context import Context, UsageError, parse_acks, require_product
from secgate_tui.domain import Verdict
from secgate_tui.domain.text import printable
from secgate_tui.services.gate import evaluate_release
from secgate_tui.services.report import verdict_json
from secgate_tui.services.sync import SourceSync

EXIT_PASS, EXIT_BLOCKED, EXIT_ERROR = 0, 1, 2


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "status",
        parents=[parent],
        help="a release's gate verdict (exit 0 PASS, 1 BLOCKED, 2 error)",
        description="Sync the release from its trackers and evaluate the security release gate.",
    )
    p.add_argument("--product", help="product id (from the config)")
    p.add_argument("--release", required=True, help="release name")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--offline", action="store_true", help="evaluate the store without syncing")
    p.add_argument(
        "--ack-empty",
        action="extend",
        nargs="+",
        metavar="CATEGORY[=REASON]",
        help="acknowledge empty categories as not applicable (several after one flag, "
        "or the flag repeated)",
    )
    p.set_defaults(handler=run)


def check_release_exists(product: str, release: str, results: list[SourceSync]) -> None:
    """A release no source knows is an error, never an empty pass."""
    if (
        results
        and not any(r.state.release_found for r in results)
        and not any(r.state.error for r in results)
    ):
        where = ", ".join(f"{r.source.tracker} ({r.source.project})" for r in results)
        raise UsageError(
            f"release '{release}' matches no version or milestone of product '{product}' in "
            f"any source ({where}). Check the name with `secgate releases --product {product}`."
        )


def run(ctx: Context, args: argparse.Namespace) -> int:
    product = require_product(ctx, args.product)
    acks = parse_acks(args.ack_empty)
    if not args.offline:
        check_release_exists(product, args.release, ctx.syncer.sync_release(product, args.release))
    verdict, _ = evaluate_release(
        ctx.config, ctx.store, product, args.release, datetime.now(UTC), acks
    )
    if args.json:
        print(json.dumps(verdict_json(product, args.release, verdict), indent=2, ensure_ascii=True))
    else:
        print_verdict(ctx, product, args.release, verdict)
    return EXIT_PASS if verdict.passed else EXIT_BLOCKED


def print_verdict(ctx: Context, product: str, release: str, verdict: Verdict) -> None:
    name = ctx.config.product(product).name
    print(f"{printable(name)} ({product}) release {printable(release)}: {verdict.outcome.value}")
    synced = verdict.synced_at.isoformat(timespec="seconds") if verdict.synced_at else "never"
    print(f"  data synced: {synced}   snapshot sha256:{verdict.snapshot_digest}")
    print()
    for result in verdict.categories:
        if result.empty:
            state = (
                f"empty, not applicable: {printable(result.not_applicable_reason or '')}"
                if result.acknowledged
                else "EMPTY (not acknowledged)"
            )
        else:
            state = f"{result.closed}/{result.total} closed"
            if result.blocking:
                state += f", {len(result.blocking)} blocking"
        print(f"  {result.category.title:<28} {state}")
        for finding in result.blocking:
            print(f"      {printable(finding.key):<12} {printable(finding.reason)}")
            print(f"      {'':<12} {printable(finding.title, 90)}")
        for item in result.residual:
            print(
                f"      {printable(item.key):<12} residual ({item.disposition.value}): "
                f"{printable(item.justification, 80)}"
            )
    if verdict.unclassified:
        print(f"  {'Unclassified':<28} {len(verdict.unclassified)} blocking")
        for finding in verdict.unclassified:
            print(f"      {printable(finding.key):<12} {printable(finding.reason)}")
            print(f"      {'':<12} {printable(finding.title, 90)}")
    if verdict.activities:
        print()
        print("  Required activities (IEC 81001-5-1 5.8.6)")
        for activity in verdict.activities:
            print(
                f"      {printable(activity.name):<36} {activity.state.value:<10} "
                f"{printable(activity.detail, 60)}"
            )
    if verdict.reasons:
        print()
        print("  Blocked because:")
        for reason in verdict.reasons:
            print(f"    - {printable(reason)}")
