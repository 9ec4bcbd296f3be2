"""`secgate verify`: the tracker's record against the audit log, or the log's own chain.

``verify --product P --release R`` exits 0 intact, 1 edited / deleted /
mismatching (saying what changed) or never authorized, 2 when the tracker
cannot be reached.
``verify --log`` exits 0 when the hash chain is intact, 1 naming the first
broken entry. ``verify --product P --review`` checks the product's review
records and the newest one's signatures (0 intact, 1 a problem, 2 unreadable).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from secgate_tui.commands.context import Context, UsageError, require_product
from secgate_tui.commands.review_signing import verify_review
from secgate_tui.domain.text import printable
from secgate_tui.services.audit_check import check_log
from secgate_tui.services.authorization_state import StateUnreadableError, signature_problems
from secgate_tui.services.store import StoreError
from secgate_tui.services.verify import AUDIT_KIND, verify
from secgate_tui.services.verify_artifact import check_artifact
from secgate_tui.services.verify_vex import check_vex_files, require_readable
from secgate_tui.services.vex_inputs import VexInputs

EXIT_INTACT, EXIT_MISMATCH, EXIT_ERROR = 0, 1, 2


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "verify",
        parents=[parent],
        help="check a release's authorization record in the tracker, or the audit log "
        "(exit 0 intact, 1 mismatch, 2 error)",
        description="Re-read the authorization record from the tracker and compare it with "
        "the local audit log; with --log, check the audit log's hash chain.",
    )
    p.add_argument("--product", help="product id (from the config)")
    p.add_argument("--release", help="release name")
    p.add_argument("--log", action="store_true", help="check the audit log's hash chain")
    p.add_argument(
        "--review",
        action="store_true",
        help="check the product's review records and the newest one's signatures instead",
    )
    p.add_argument(
        "--artifact",
        type=Path,
        action="append",
        metavar="PATH",
        help="also re-hash this file and confirm the release's record authorizes it "
        "(repeatable; exit 1 when any is not)",
    )
    p.add_argument(
        "--sbom",
        type=Path,
        metavar="FILE",
        help="also confirm this CycloneDX SBOM is the one the release's record was authorized "
        "on (by SHA-256; replaces the configured SBOM in the check; exit 1 when it is not)",
    )
    p.add_argument(
        "--vex",
        type=Path,
        action="append",
        metavar="FILE",
        help="also confirm these VEX files are the ones the record was authorized on "
        "(repeatable; give all of them; they replace the configured VEX files in the check)",
    )
    p.set_defaults(handler=run)


def run(ctx: Context, args: argparse.Namespace) -> int:
    given = VexInputs(sbom=args.sbom, vex=tuple(args.vex or ()))
    if args.log and given.given:
        raise UsageError(
            "--sbom and --vex check files against a release's record: give --product and "
            "--release with them, not --log."
        )
    if args.log:
        report = check_log(ctx.store, ctx.records_dir)
        entries = f"{report.entries} entr{'y' if report.entries == 1 else 'ies'}"
        if report.ok:
            print(f"audit log intact: {entries}{report.anchor_note}")
            return EXIT_INTACT
        print(
            f"audit log BROKEN at entry {report.first_broken}: {printable(report.problem)} "
            f"({entries} in the log)"
        )
        return EXIT_MISMATCH
    if args.review:
        return verify_review(ctx, require_product(ctx, args.product))
    if not args.release:
        raise UsageError(
            "verify needs --release (or --review for the product's review records, or --log "
            "to check the audit log)."
        )
    product = require_product(ctx, args.product)
    require_readable(given)  # before the tracker is read: no verdict, then an error
    try:
        never = not ctx.store.audit_entries(AUDIT_KIND, product, args.release)
    except StoreError:
        never = False  # an unreadable log: verify names the tampering below
    if never and check_log(ctx.store, ctx.records_dir).ok:
        # Nothing to compare: not a mismatch, and worded so nobody looks for one.
        print(
            f"NO RECORD  no authorization record for {printable(product)} "
            f"{printable(args.release)} in the local audit log (never authorized here)."
        )
        return EXIT_MISMATCH
    result = verify(ctx, product, args.release)
    if not result.reachable:
        print(f"secgate: cannot verify: {printable(result.message)}", file=sys.stderr)
        return EXIT_ERROR
    if not result.intact:
        print(f"MISMATCH  {printable(result.message)}")
        return EXIT_MISMATCH
    print(f"INTACT  {printable(result.message)}")
    code = verify_signatures(ctx, product, args.release)
    if code == EXIT_INTACT:
        code = verify_vex(ctx, product, args.release, given)
    if code == EXIT_INTACT and args.artifact:
        return verify_artifacts(ctx, product, args.release, args.artifact)
    return code


def verify_artifacts(ctx: Context, product: str, release: str, paths: list[Path]) -> int:
    """Each file re-hashed and looked up in the intact record (exit 1 when any is not in it)."""
    code = EXIT_INTACT
    for path in paths:
        check = check_artifact(ctx, product, release, path)
        print(
            f"{'ARTIFACT OK' if check.authorized else 'ARTIFACT NOT AUTHORIZED'}  {check.message}"
        )
        if not check.authorized:
            code = EXIT_MISMATCH
    return code


def verify_vex(ctx: Context, product: str, release: str, given: VexInputs) -> int:
    """The configured SBOM/VEX files, and those given, against the record's digests
    (exit 1 when one is not the one authorized)."""
    check = check_vex_files(ctx, product, release, given)
    for line in check.confirmed:
        print(f"VEX OK  {printable(line)}")
    for change in check.changes:
        print(f"VEX CHANGED  {printable(change)}")
    return EXIT_MISMATCH if check.changes else EXIT_INTACT


def verify_signatures(ctx: Context, product: str, release: str) -> int:
    """With ``[signing]``: every signature of the record, checked by OpenSSH."""
    if ctx.config.settings.signing is None:
        return EXIT_INTACT
    try:
        problems, summary = signature_problems(ctx, product, release)
    except StateUnreadableError as exc:
        print(f"secgate: cannot verify the signatures: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    for problem in problems:
        print(f"SIGNATURE INVALID  {printable(problem)}")
    print(f"{'SIGNATURES MISMATCH' if problems else 'SIGNATURES OK'}  {printable(summary)}")
    return EXIT_MISMATCH if problems else EXIT_INTACT
