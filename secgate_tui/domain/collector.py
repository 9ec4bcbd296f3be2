"""Pausing Python's cyclic garbage collector around work that makes no cycles.

Parsing and mapping 20,000 issues in a sync, loading them from the store, and
computing the review figures over 50,000 issues each make hundreds of
thousands of objects and no reference cycles: the collector's passes over them
find nothing and cost 15-25 % of the CPU time (issue 18's benchmarks).
Reference counting still frees everything.

The pause is counted, so concurrent holders (one sync thread per source) resume
collection only when the last one ends, and it leaves the collector alone when
someone else (the terminal UI) paused it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_ours = False  # whether this module disabled the collector (and so re-enables it)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside (also usable as a decorator)."""
    global _holders, _ours
    with _lock:
        if _holders == 0:
            _ours = gc.isenabled()
            if _ours:
                gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _ours:
                _ours = False
                gc.enable()
