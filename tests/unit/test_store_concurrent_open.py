"""Several processes opening one fresh store at once all succeed (issue 19, section 4).

Before, switching a new database to WAL failed with "database is locked" in some of
the processes that raced to create it (about 1 open in 100). Each round starts the
processes at a barrier, so they really open the new file together.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

from secgate_tui.services.store import Store, StoreError

PROCESSES = 8
ROUNDS = 25


def _open(path: str, barrier: Barrier, results: multiprocessing.Queue[str]) -> None:
    barrier.wait()
    try:
        store = Store(Path(path))
        results.put(store.store_id)
        store.close()
    except StoreError as exc:
        results.put(f"error: {exc}")
    except BaseException as exc:  # a crash must fail the test, not hang it
        results.put(f"error: {exc!r}")
        raise


def test_processes_opening_a_fresh_store_at_once_all_succeed(tmp_path: Path) -> None:
    # fork: the processes start fast enough to meet at the barrier in every round.
    context = multiprocessing.get_context("fork")
    failures: list[str] = []
    for round_ in range(ROUNDS):
        barrier = context.Barrier(PROCESSES)
        results: multiprocessing.Queue[str] = context.Queue()
        path = tmp_path / f"round-{round_}" / "secgate.db"
        workers = [
            context.Process(target=_open, args=(str(path), barrier, results))
            for _ in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        ids = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        failures += [i for i in ids if i.startswith("error")]
        assert len({i for i in ids if not i.startswith("error")}) <= 1  # one store, one id
    assert failures == [], f"{len(failures)} of {ROUNDS * PROCESSES} opens failed: {failures[0]}"
