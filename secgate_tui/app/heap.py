"""Keep Python's cyclic garbage collector from freezing the screen.

A release with 20,000 issues is a few million live objects. A full collection
walks all of them while holding the interpreter lock, which stalls the event
loop for hundreds of milliseconds (measured: 300-400 ms on the benchmark
machine) even though the work that triggered it ran in a worker thread.

So the collector is paused while a worker reads or syncs a release (its
objects are garbage by reference counting, not cycles), and once the new board
is on screen everything alive is frozen out of the collector's reach and the
collector resumes. Frozen objects are still freed by reference counting when
the next board replaces them.
"""

from __future__ import annotations

import gc


def pause() -> None:
    """No automatic collection until :func:`settle` (called by a worker)."""
    gc.disable()


def settle() -> None:
    """Exempt everything alive now from future collections, and collect again."""
    gc.freeze()
    gc.enable()
