"""One lock per (kind, product, subject) across processes: two runs publish one at a time."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from secgate_tui.domain import canonical_json, sha256_hex

LOCK_WAIT_SECONDS = 120.0


@contextmanager
def record_lock(data_dir: Path, kind: str, product: str, subject: str) -> Iterator[None]:
    """Hold the lock of ``kind`` records of ``product`` ``subject`` (released on any exit).

    Raises:
        TimeoutError: another process held it for :data:`LOCK_WAIT_SECONDS`.
    """
    folder = data_dir / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    name = sha256_hex(canonical_json([product, subject]))[:24]
    with open(folder / f"{kind}-{name}.lock", "a+") as handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
