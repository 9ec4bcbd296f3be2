"""The cyclic garbage collector paused while a sync reads a large issue list.

Parsing and mapping 20,000 issues allocates about a hundred objects per issue
and makes no reference cycles, yet the collector's passes over the growing
heap cost 15-25 % of a cold sync's CPU. The pause is counted, so concurrent
reads (one thread per source) resume collection only when the last one ends,
and it leaves the collector alone when someone else (the terminal UI) paused it.
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
