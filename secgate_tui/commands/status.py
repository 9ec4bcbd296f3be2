"""`secgate status`: a release's gate, synced first unless --offline."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from secgate_tui.commands.context import (
    Context,
    UsageError,
    add_vex_arguments,
    parse_acks,
    require_product,
    vex_inputs,
)
from secgate_tui.domain import Verdict
from secgate_tui.domain.release_dates import ReleaseDate
from secgate_tui.domain.text import printable
from secgate_tui.services.acknowledgements import release_acknowledgements
from secgate_tui.services.authorization_state import authorization_status
from secgate_tui.services.export import write_atomic
from secgate_tui.services.gate import evaluate_release
from secgate_tui.services.release_dates import (
    ReleaseDatesError,
    stored_releases,
    synced_releases,
)
from secgate_tui.services.reports import FORMATS, GateReport, render
from secgate_tui.services.reports.ci import (
    github_annotations,
    gitlab_section,
    in_github_actions,
    in_gitlab_ci,
)
from secgate_tui.services.reports.model import anomaly_links, issue_links
from secgate_tui.services.reports.text import render_text
from secgate_tui.services.sync import SourceSync
from secgate_tui.services.vex_attachments_kept import attached_for, attachments_as_of

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
    p.add_argument(
        "--format",
        choices=list(FORMATS),
        help="report format (default text); junit and markdown are for CI pipelines",
    )
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument(
        "--output",
        metavar="FILE",
        help="write the report to FILE (atomically) and print the text report; "
        "the exit code stays the gate's",
    )
    p.add_argument("--offline", action="store_true", help="evaluate the store without syncing")
    p.add_argument(
        "--ack-empty",
        action="extend",
        nargs="+",
        metavar="CATEGORY[=REASON]",
        help="acknowledge empty categories as not applicable (several after one flag, "
        "or the flag repeated)",
    )
    add_vex_arguments(p)
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


def report_format(args: argparse.Namespace) -> str:
    if args.json and args.format not in (None, "json"):
        raise UsageError(
            f"--json is --format json and cannot be combined with --format {args.format}; "
            "give one of them."
        )
    return "json" if args.json else (args.format or "text")


def write_report(path: Path, content: str) -> None:
    try:
        write_atomic(path, content.encode("utf-8"))
    except OSError as exc:
        raise UsageError(
            f"could not write the report to {printable(str(path))}: "
            f"{printable(exc.strerror or str(exc))}. No report file was written; "
            "check that the directory exists and is writable."
        ) from None


def discard_earlier_report(path: Path) -> None:
    """A report left by an earlier run goes first: should this run fail, a CI job that
    uploads the file (GitLab's ``artifacts: when: always``) must not show the old verdict."""
    try:
        if path.is_file():
            path.unlink()
    except OSError as exc:
        raise UsageError(
            f"could not replace the report {printable(str(path))}: "
            f"{printable(exc.strerror or str(exc))}. Nothing was evaluated."
        ) from None


def run(ctx: Context, args: argparse.Namespace) -> int:
    fmt = report_format(args)
    if args.output:
        discard_earlier_report(Path(args.output))
    product = require_product(ctx, args.product)
    # An authorized release keeps the acknowledgements its record was given.
    acks = release_acknowledgements(ctx.store, product, args.release, parse_acks(args.ack_empty))
    inputs = vex_inputs(args)
    releases = None
    shipped_as_of = None
    if not args.offline:
        check_release_exists(product, args.release, ctx.syncer.sync_release(product, args.release))
        releases = read_release_dates(ctx, product)
    shipped = next((r for r in releases or () if r.name == args.release), None)
    if releases is None:
        # Offline (or the trackers could not list them): as the last sync kept them.
        kept = stored_releases(ctx.config, ctx.store, product)
        shipped = next((r for r in kept.releases or () if r.name == args.release), None)
        shipped_as_of = kept.as_of if shipped is not None else None
    verdict, issues = evaluate_release(
        ctx.config, ctx.store, product, args.release, datetime.now(UTC), acks, inputs, releases
    )
    attached = attached_for(ctx.config, ctx.store, product, args.release)
    report = GateReport(
        product=product,
        product_name=ctx.config.product(product).name,
        release=args.release,
        verdict=verdict,
        links={**issue_links(issues), **anomaly_links(verdict)},
        authorization=authorization_status(ctx, product, args.release, offline=args.offline),
        shipped=shipped,
        shipped_as_of=shipped_as_of,
        attachments=attachments_as_of(attached, inputs),
    )
    if args.output:
        write_report(Path(args.output), render(report, fmt))
        shown = "text"
    else:
        shown = fmt
    emit(report, shown, os.environ)
    return EXIT_PASS if verdict.passed else EXIT_BLOCKED


def read_release_dates(ctx: Context, product: str) -> list[ReleaseDate] | None:
    """The product's release dates (the lists the sync just read); None (with a warning)
    when a tracker cannot list them."""
    try:
        return synced_releases(ctx.syncer, product)
    except ReleaseDatesError as exc:
        print(
            f"warning: {printable(str(exc))}; whether the release already shipped is not "
            "shown, and activities scoped since the previous release are held to the release "
            "dates of the last sync that read them (they block when none did).",
            file=sys.stderr,
        )
        return None


def emit(report: GateReport, fmt: str, env: Mapping[str, str]) -> None:
    """The report on stdout, folded in GitLab CI; GitHub annotations where a runner reads them
    (stdout beside the text report, stderr when stdout carries a machine-readable format)."""
    content = render(report, fmt)
    if fmt == "text" and in_gitlab_ci(env):
        verdict = report.verdict
        header = f"secgate status {report.product} {report.release}: {verdict.outcome.value}"
        content = gitlab_section("secgate_status", header, content, collapsed=verdict.passed)
    sys.stdout.write(content)
    if in_github_actions(env):
        stream = sys.stdout if fmt == "text" else sys.stderr
        for line in github_annotations(report):
            print(line, file=stream)


def print_verdict(ctx: Context, product: str, release: str, verdict: Verdict) -> None:
    name = ctx.config.product(product).name
    report = GateReport(product=product, product_name=name, release=release, verdict=verdict)
    sys.stdout.write(render_text(report))
