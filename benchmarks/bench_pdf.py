"""The PDF of a large authorization record: 2,000 issues (issue 13, PDF exports).

Target: the PDF adds under 15 seconds to the export of a 2,000-issue record on
the 2-core machine, and stays readable (pypdf reads every page back).

    .venv/bin/python benchmarks/bench_pdf.py [--count 2000] [--non-latin 0.1] [--runs 3]

Builds a passing record of ``count`` issues (a share of them with Cyrillic,
CJK and Arabic titles, which bring in the CJK font and the shaping engine),
renders its Markdown export, then times ``record_pdf`` alone (best and median)
and reads the result back with pypdf.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader

from secgate_tui.domain import (
    Category,
    CategoryRule,
    Classification,
    Disposition,
    GatePolicy,
    Issue,
    SourceState,
    evaluate,
)
from secgate_tui.domain.record import AuthorizerIdentity, build_record
from secgate_tui.domain.render import dialect, render_record
from secgate_tui.services.pdf.record import record_pdf

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
TARGET_SECONDS = 15.0
CLASSIFICATION = Classification(
    rules={category: CategoryRule(labels=(category.value,)) for category in Category},
    security_labels=("security",),
)
FOREIGN = (
    "Переполнение буфера в модуле связи",
    "网关固件缓冲区溢出",
    "تجاوز سعة المخزن المؤقت",
)


def issues(count: int, non_latin: float, seed: int = 13) -> list[Issue]:
    rng = random.Random(seed)
    categories = list(Category)
    out = []
    for n in range(count):
        category = categories[n % len(categories)]
        title = f"Harden input validation of interface {n} against malformed messages"
        if rng.random() < non_latin:
            title = f"{rng.choice(FOREIGN)} {n}"
        out.append(
            Issue.model_validate(
                {
                    "source": "jira",
                    "key": f"IPC-{n + 1}",
                    "url": f"https://jira.example.invalid/browse/IPC-{n + 1}",
                    "title": title,
                    "status": "Done",
                    "closed": True,
                    "resolution": "Fixed",
                    "disposition": Disposition.FIXED,
                    "labels": (category.value, "security"),
                    "created": NOW - timedelta(days=rng.randint(30, 400)),
                    "updated": NOW - timedelta(days=1),
                }
            )
        )
    return out


def record_files(count: int, non_latin: float) -> tuple[str, str]:
    """The Markdown and canonical JSON of a passing record of ``count`` issues."""
    snapshot = issues(count, non_latin)
    verdict = evaluate(
        snapshot,
        (),
        GatePolicy(classification=CLASSIFICATION),
        NOW,
        [SourceState(source="jira", project="IPC", synced_at=NOW)],
    )
    assert verdict.passed, verdict.reasons
    record = build_record(
        product="ipc",
        product_name="Infusion Pump Controller",
        release="3.0",
        verdict=verdict,
        issues=snapshot,
        classification=CLASSIFICATION,
        authorizer=AuthorizerIdentity(tracker="jira", id="u-1", name="rm", display_name="RM"),
        at=NOW,
        secgate_version="0.1.0",
        config_digest="c" * 64,
    )
    return render_record(record, dialect("markdown")).body, record.canonical()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--non-latin", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    markdown, canonical = record_files(args.count, args.non_latin)
    walls, cpus, data = [], [], b""
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        data = record_pdf(markdown, canonical)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    record_id = json.loads(canonical)["record_id"]
    assert record_id in text.replace("\n", ""), "record id not found in the PDF"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best = min(walls)
    print(
        f"{args.count} issues ({args.non_latin:.0%} non-Latin titles): Markdown "
        f"{len(markdown) / 1e3:.0f} kB, canonical JSON {len(canonical) / 1e3:.0f} kB"
    )
    print(
        f"record_pdf: best {best:.2f} s, median {statistics.median(walls):.2f} s wall; "
        f"CPU best {min(cpus):.2f} s; PDF {len(data) / 1e6:.2f} MB, {len(reader.pages)} pages; "
        f"peak RSS {rss:.0f} MB"
    )
    print(f"target: < {TARGET_SECONDS:.0f} s; {'met' if best < TARGET_SECONDS else 'MISSED'}")
    return 0 if best < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
