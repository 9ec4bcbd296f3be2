"""`secgate status --offline` of a 20,000-issue release, end to end as a process (#18).

Target: under 1.5 s, the median of several runs of the whole process
(interpreter start, imports, configuration, store reads, the gate, JSON output).

    .venv/bin/python benchmarks/bench_status_offline.py [--issues 20000] [--runs 7]
        [--baseline-src DIR]   # another checkout's source, timed in the same run
    .venv/bin/python benchmarks/bench_status_offline.py --keep DIR   # keep the store, to profile:
    .venv/bin/python -X importtime -m secgate_tui.cli --config DIR/secgate.toml \
        --data-dir DIR/data status --product P --release 2.2 --offline --json

Setup (not timed): a configuration with one Jira source for product P, and a
store seeded through the store's own API (Store.save_sync, a full sync a
minute old) with 20,000 issues of release 2.2 (the gate generator's): six
categories, 3 % open, every disposition. Measured in the same run: `python -c
pass`, `python -c "import secgate_tui.cli"`, and with --baseline-src the same
command run from another checkout (PYTHONPATH=DIR, e.g. `git archive main | tar -x -C DIR`), the two
interleaved run by run so the machine's load hits both alike. Each figure is
wall time and the child's CPU time (user + system): on a shared machine the
wall time is inflated by the load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from secgate_tui.config import load_config
from secgate_tui.domain import Issue, SourceState
from secgate_tui.services.context import STORE_NAME
from secgate_tui.services.store import Store
from secgate_tui.services.sync import source_key

sys.path.insert(0, str(Path(__file__).parent))
from bench_gate import LABELS, generate

CONFIG = """
[policy]
max_snapshot_age_seconds = 604800

[trackers.jira]
kind = "jira"
url = "https://example.atlassian.net"
user = "bench@example.com"
token_env = "SECGATE_BENCH_TOKEN"

[products.P]
name = "Benchmark product"
security_labels = ["security"]

[[products.P.sources]]
tracker = "jira"
project = "IPC"
release = "{release}"

[products.P.categories]
""" + "".join(
    f'{c} = {{ labels = ["{label}"] }}\n'
    for c, label in zip(
        [
            "system-test-findings",
            "requirements",
            "security-by-design",
            "implementation",
            "verification-validation",
            "defect-management",
        ],
        LABELS,
        strict=True,
    )
)


def seed(root: Path, count: int) -> list[str]:
    """Write the configuration and the store; return the command to time."""
    config_path = root / "secgate.toml"
    config_path.write_text(CONFIG)
    data_dir = root / "data"
    data_dir.mkdir()
    config = load_config(config_path)
    source = config.product("P").sources[0]
    now = datetime.now(UTC) - timedelta(minutes=1)
    issues: list[Issue] = list(generate(count))
    store = Store(data_dir / STORE_NAME)
    try:
        store.save_sync(
            source_key(source),
            SourceState(source="jira", project="IPC", synced_at=now),
            issues,
            full=True,
            cursor=now,
        )
    finally:
        store.close()
    return [
        sys.executable,
        "-m",
        "secgate_tui.cli",
        "--config",
        str(config_path),
        "--data-dir",
        str(data_dir),
        "status",
        "--product",
        "P",
        "--release",
        "2.2",  # the fix version of bench_gate's generated issues
        "--offline",
        "--json",
    ]


def run_once(command: list[str], env: dict[str, str], check_json: bool) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # Run outside any checkout: `python -m` puts the working directory first on
    # sys.path, which would shadow the baseline's PYTHONPATH.
    result = subprocess.run(
        command, capture_output=True, env=env, check=False, cwd=tempfile.gettempdir()
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if check_json and not result.stdout.startswith(b"{"):
        raise SystemExit(f"status failed: {result.stderr.decode()[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def environment(src: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECGATE_")}
    env.pop("PYTHONPATH", None)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


def report(name: str, figures: list[tuple[float, float]]) -> float:
    walls = [wall for wall, _ in figures]
    cpus = [cpu for _, cpu in figures]
    median = statistics.median(walls)
    print(
        f"{name:>32}: wall median {median:.3f} s, best {min(walls):.3f} s; "
        f"CPU median {statistics.median(cpus):.3f} s ({len(figures)} runs)"
    )
    return median


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="seed into this (new) directory and keep it")
    parser.add_argument("--baseline-src", type=Path, help="source checkout to compare with")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        command = seed(root, args.issues)
        print(f"seeded {args.issues:,} issues in {time.perf_counter() - started:.1f} s (not timed)")
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        here = environment(None)
        python = [run_once([sys.executable, "-c", "pass"], here, False) for _ in range(args.runs)]
        imports = [
            run_once([sys.executable, "-c", "import secgate_tui.cli"], here, False)
            for _ in range(args.runs)
        ]
        status, baseline = [], []
        for _ in range(args.runs):
            status.append(run_once(command, here, True))
            if args.baseline_src:
                baseline.append(run_once(command, environment(args.baseline_src), True))
        report("python -c pass", python)
        report("import secgate_tui.cli", imports)
        median = report("status --offline --json", status)
        if baseline:
            before = report(f"baseline ({args.baseline_src.name})", baseline)
            print(f"{'status / baseline':>32}: {median / before:.2f} (wall medians)")
        print(f"target: status median < 1.5 s; load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
