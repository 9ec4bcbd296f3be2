"""Keep Python's cyclic garbage collector from freezing the screen.

A release with 20,000 issues is a few million live objects. A full collection
walks all of them while holding the interpreter lock, which stalls the event
loop for hundreds of milliseconds (measured: 300-400 ms on the benchmark
machine) even though the work that triggered it ran in a worker thread.
Freezing the objects alive after a board has been applied moves them out of
the collector's reach; they are still freed by reference counting when the
next board replaces them, and new cycles are still collected.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Exempt everything alive now from future collections."""
    gc.freeze()
