"""`secgate records`: every authorization and review record, read from the trackers.

Exit 0 when every tracker could be read, 2 when any could not (what was read is
still listed, and what was not is named).
"""

from __future__ import annotations

import argparse
import sys

from secgate_tui.commands.context import Context, require_product
from secgate_tui.domain.text import printable
from secgate_tui.services import json_output
from secgate_tui.services.records_listing import list_records

EXIT_OK, EXIT_ERROR = 0, 2


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "records",
        parents=[parent],
        help="list authorization and review records with their state and signers "
        "(read from the trackers; exit 0, 2 when a tracker could not be read)",
        description="List every authorization record (per release) and review record (per "
        "product) found in the trackers, with its state, signers and dates.",
    )
    p.add_argument("--product", help="only this product")
    p.add_argument("--release", help="only this release (authorization records)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


def run(ctx: Context, args: argparse.Namespace) -> int:
    product = require_product(ctx, args.product) if args.product or args.release else None
    listing = list_records(ctx, product, args.release)
    if args.json:
        data = {
            "records": [r.as_json() for r in listing.records],
            "problems": listing.problems,
        }
        print(json_output.dumps(data))
    else:
        for r in listing.records:
            subject = f"{r.product} {r.release}".strip()
            print(
                f"{r.kind:<13} {printable(subject):<16} {r.record_id:<26} {r.state:<16} "
                f"{r.at}  by {printable(r.by, 60)}  on {printable(r.where, 60)}"
            )
            if r.document_number is not None:
                print(f"{'':<13} document {r.document_number}, revision {r.revision}")
            for s in r.signatures:
                mark = "" if s["valid"] else "  INVALID"
                print(
                    f"{'':<13} signed by {printable(s['name'], 80)} ({s['role']}) "
                    f"{s['signed_at']}{mark}"
                )
            if r.missing_roles:
                print(f"{'':<13} missing: {', '.join(r.missing_roles)}")
            if r.next_due_line:
                print(f"{'':<13} {r.next_due_line}")
        if not listing.records:
            print("no records found in the trackers")
    for problem in listing.problems:
        print(f"secgate: {printable(problem)}", file=sys.stderr)
    return EXIT_ERROR if listing.problems else EXIT_OK
