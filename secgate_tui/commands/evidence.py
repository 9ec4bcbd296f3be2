"""`secgate evidence export` and `secgate evidence check`: the release's evidence bundle."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from secgate_tui.commands.context import Context, UsageError, parse_acks, require_product
from secgate_tui.commands.status import check_release_exists
from secgate_tui.domain.text import printable
from secgate_tui.services.evidence.archive import BundleError, read_bundle
from secgate_tui.services.evidence.check import check_files
from secgate_tui.services.evidence.export import export_bundle
from secgate_tui.services.evidence.gather import EvidenceError

EXIT_OK, EXIT_MISMATCH, EXIT_ERROR = 0, 1, 2


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "evidence",
        parents=[parent],
        help="export or check a release's evidence bundle",
        description="The release's evidence bundle: snapshot, gate inputs, verdict, records "
        "and audit-log entries in one archive that an auditor checks without the tracker.",
    )
    esub = p.add_subparsers(dest="evidence_command", metavar="SUBCOMMAND", required=True)
    export = esub.add_parser(
        "export",
        parents=[parent],
        help="write Software-Release-Record_<product>_<release>_<time>.tar.gz",
    )
    export.add_argument("--product", help="product id (from the config)")
    export.add_argument("--release", required=True, help="release name")
    export.add_argument("--out", metavar="FILE", help="the archive (default: the records dir)")
    export.add_argument("--offline", action="store_true", help="use the store without syncing")
    export.add_argument(
        "--ack-empty",
        action="append",
        metavar="CATEGORY[=REASON]",
        help="acknowledge an empty category as not applicable (repeatable)",
    )
    export.set_defaults(handler=run_export)
    check = esub.add_parser(
        "check",
        parents=[parent],
        help="reproduce a bundle's verdict offline (exit 0 reproduces, 1 does not, 2 unreadable)",
    )
    check.add_argument("file", metavar="FILE", help="the .tar.gz bundle")
    check.add_argument(
        "--allowed-signers",
        metavar="PATH",
        help="verify the signatures against this allowed-signers file (your controlled copy); "
        "without it, the bundle's own copy is used, which proves less",
    )
    check.set_defaults(handler=run_check, needs_context=False)


def run_export(ctx: Context, args: argparse.Namespace) -> int:
    product = require_product(ctx, args.product)
    acks = parse_acks(args.ack_empty)
    if not args.offline:
        check_release_exists(product, args.release, ctx.syncer.sync_release(product, args.release))
    out = Path(args.out) if args.out else None
    try:
        written = export_bundle(ctx, product, args.release, datetime.now(UTC), acks, out)
    except EvidenceError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        where = printable(str(out or ctx.records_dir))
        raise UsageError(
            f"could not write the evidence bundle to {where}: "
            f"{printable(exc.strerror or str(exc))}. Nothing was written."
        ) from None
    path, evidence = written.path, written.evidence
    state = (
        f"{len(evidence.records)} authorization record(s)"
        if evidence.records
        else "no authorization record (the release is not authorized)"
    )
    print(f"Evidence bundle written: {printable(str(path))}")
    print(f"  verdict {evidence.verdict.outcome.value}, {state}")
    print(f"  check it offline with: secgate evidence check {printable(str(path))}")
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        with path.open("rb") as handle:
            _, files = read_bundle(handle)
    except (BundleError, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(
            f"secgate: error: the evidence bundle {printable(str(path))} cannot be read: "
            f"{printable(reason)}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    allowed = Path(args.allowed_signers) if args.allowed_signers else None
    result = check_files(files, allowed_signers=allowed)
    for line in result.verified:
        print(f"  ok: {printable(line)}")
    if not result.reproduced:
        print(f"DOES NOT REPRODUCE: {printable(result.problem)}")
        return EXIT_MISMATCH
    print(f"REPRODUCED: {printable(str(path))}")
    return EXIT_OK
