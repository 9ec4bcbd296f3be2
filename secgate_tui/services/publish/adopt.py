"""When a record comment may be adopted: the one rule for every kind and every tracker.

A comment found in the tracker (an earlier attempt's, a concurrent run's, or the
one just posted) counts as the record only when:

- its machine block parses as a record of the kind, and that record is the one
  being published (:meth:`RecordKind.differs`);
- the whole comment equals what the renderer of the record's own format version
  writes for it, byte for byte (line endings aside), so the human part cannot
  say something else than the machine block;
- the tracker does not say it was edited;
- the record's own time is not after the comment's server-side creation, and not
  before it by more than the configured window (a backdated record does not fit).

Trackers that cannot tell an edit (Redmine 5.0, GitLab's editor) rely on the
byte-for-byte re-rendering.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from connectors.base import Connector
from secgate_tui.domain.render import RecordTooLargeError, UnknownDialectError
from secgate_tui.services.publish.kind import RecordKind
from secgate_tui.services.readback import ReadBack, unaltered

R = TypeVar("R")


def acceptable(
    kind: RecordKind[R, Any], record: R, found: ReadBack, connector: Connector, window: timedelta
) -> str | None:
    """Why ``found`` may not be adopted as ``record`` (None: it may)."""
    try:
        earlier = kind.parse(found.canonical)
    except ValueError as exc:
        return f"its machine block is not a valid record ({exc})"
    differs = kind.differs(record, earlier)
    if differs is not None:
        return differs
    return intact(kind, earlier, found, connector, window)


def intact(
    kind: RecordKind[R, Any], record: R, found: ReadBack, connector: Connector, window: timedelta
) -> str | None:
    """Why the comment ``found`` is not exactly what secgate wrote for ``record``."""
    try:
        rendered = kind.render(record, connector.markup, connector.comment_limit)
    except (RecordTooLargeError, UnknownDialectError) as exc:
        return f"it cannot be rendered again to be compared ({exc})"
    at = kind.recorded_at(record)
    if rendered is None or at is None:
        return f"secgate cannot check a {kind.name} comment against its record"
    return unaltered(found.comment, rendered.body, at, window)
