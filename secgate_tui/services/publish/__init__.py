"""One publisher for every record secgate writes back to a tracker.

:class:`Publisher` runs the protocol (prepare -> post -> read back and compare
-> adopt an earlier identical copy -> audit log -> export) for any
:class:`RecordKind`; :mod:`.kinds` holds the kinds (authorization, review).
Steps, events, preparations and results are the same for every kind, so one
screen or one command runner drives them all.
"""

from __future__ import annotations

from secgate_tui.services.publish.kind import AuditPayload, Draft, Logged, RecordKind, Wording
from secgate_tui.services.publish.protocol import (
    PUBLISH_STEPS,
    Failure,
    OnStep,
    Prepared,
    Published,
    Step,
    StepEvent,
    noop,
)
from secgate_tui.services.publish.publisher import Publisher

__all__ = [
    "PUBLISH_STEPS",
    "AuditPayload",
    "Draft",
    "Failure",
    "Logged",
    "OnStep",
    "Prepared",
    "Published",
    "Publisher",
    "RecordKind",
    "Step",
    "StepEvent",
    "Wording",
    "noop",
]
