"""The sandbox's tracker side: one JSON file, locked while read or written.

Several secgate processes may use the same sandbox at once (two `authorize`
runs, the TUI and a CLI command), so every access takes an exclusive
``flock`` and every write replaces the file atomically. The file also holds
fault switches, so tests and the demo can make the "tracker" misbehave the
way a real one does.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from connectors.base import BadResponseError

T = TypeVar("T")
Data = dict[str, Any]

FORMAT = 1


def now_iso(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat()


def server_time(data: Data) -> datetime | None:
    """The tracker's own clock, when set (``server_time``): the time it stamps on the
    comments and issues it creates. Tests that run secgate at a fixed time set it to
    that time, as a real tracker's clock agrees with secgate's; None: the real time."""
    value = data.get("server_time")
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        # The tracker's answer is wrong: say so, as for any bad response.
        raise BadResponseError(
            f"the sandbox's server_time {str(value)[:40]!r} is not an ISO 8601 time with "
            "a time zone"
        )
    return parsed


def empty_data(now: datetime) -> Data:
    return {
        "format": FORMAT,
        "seeded_at": now_iso(now),
        "identity": {
            "id": "release.manager",
            "name": "release.manager",
            "display_name": "Release Manager (sandbox)",
        },
        "projects": {},
        "issues": {},
        "schedule": [],
        "next_comment_id": 1,
        "faults": {},
    }


class SandboxFile:
    """Locked, atomic access to the sandbox's JSON file."""

    def __init__(self, path: Path, seed: Callable[[datetime], Data]) -> None:
        self.path = path
        self._seed = seed

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self) -> Data:
        if not self.path.exists():
            data = self._seed(datetime.now(UTC))
            self._save(data)
            return data
        loaded: Data = json.loads(self.path.read_text(encoding="utf-8"))
        return loaded

    def _save(self, data: Data) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, fn: Callable[[Data], T]) -> T:
        with self._locked():
            return fn(self._load())

    def refresh(self, changes: Callable[[Data], bool]) -> Data:
        """Apply tracker-side changes that are due; save only when something changed."""
        with self._locked():
            data = self._load()
            if changes(data):
                self._save(data)
            return data

    def write(self, fn: Callable[[Data], T]) -> T:
        with self._locked():
            data = self._load()
            result = fn(data)
            self._save(data)
            return result


def due_slots(data: Data, now: datetime, *, keep: int = 5) -> list[int]:
    """Live-demo time slots that passed since the last call (at most the last ``keep``).

    A demo left alone for a week catches up with a few steps, not thousands.
    """
    live = data.get("live")
    if not live:
        return []
    seeded = datetime.fromisoformat(data["seeded_at"])
    current = int((now - seeded).total_seconds() // live["interval_seconds"])
    first = max(live["next_slot"], current - keep + 1)
    live["next_slot"] = max(live["next_slot"], current + 1)
    return list(range(first, current + 1))


def slot_time(data: Data, slot: int) -> datetime:
    seeded = datetime.fromisoformat(data["seeded_at"])
    return seeded + timedelta(seconds=slot * data["live"]["interval_seconds"])


def advance(data: Data, now: datetime) -> bool:
    """Apply scheduled tracker events that are due: engineers closing items.

    Schedule times are offsets from ``seeded_at``, so a demo seeded today plays
    out the same way as one seeded last week. Returns whether anything changed.
    """
    seeded = datetime.fromisoformat(data["seeded_at"])
    changed = False
    pending = []
    for event in data["schedule"]:
        at = seeded + timedelta(seconds=event["after_seconds"])
        if at > now:
            pending.append(event)
            continue
        issue = data["issues"].get(event["key"])
        if issue is None:
            continue
        issue.update(event["set"])
        issue["updated"] = now_iso(at)
        if event["set"].get("closed"):
            issue["closed_at"] = now_iso(at)
        changed = True
    data["schedule"] = pending
    return changed
