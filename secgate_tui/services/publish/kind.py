"""What a record kind supplies to the publisher: only what differs between kinds.

A kind (authorization, review; later an approval signature or an evidence
bundle) says how its record is prepared (built from the trackers, nothing
written), which earlier comment is the same record, what it logs (a typed
payload), which files it exports and how its messages read. The publisher
(:mod:`.publisher`) runs the protocol around it, identically for every kind.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from connectors.base import AttachmentRef, Comment, CommentRef
from secgate_tui.domain import sha256_hex
from secgate_tui.domain.render import Rendered
from secgate_tui.services.anchor import Anchor
from secgate_tui.services.publish.protocol import Failure, OnStep, Prepared, Step
from secgate_tui.services.store import AuditEntry

if TYPE_CHECKING:
    from connectors.base import Connector
    from secgate_tui.services.context import Context
    from secgate_tui.services.writeback import Written

R = TypeVar("R")
Q = TypeVar("Q")


class AuditPayload(BaseModel):
    """A kind's audit-log entry. Its JSON must stay exactly what earlier versions logged:
    the chain hashes it, and older entries are read back through the same model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_id: str
    record_digest: str
    tracker: str
    comment: CommentRef
    comment_sha256: str

    def as_json(self) -> dict[str, object]:
        return self.model_dump(mode="json")

    def fields(self) -> dict[str, Any]:
        """The common fields, to build a kind's payload from (``Kind(**base.fields(), ...)``)."""
        return {name: getattr(self, name) for name in AuditPayload.model_fields}

    @classmethod
    def of(cls, record_id: str, canonical: str, tracker: str, comment: Comment) -> AuditPayload:
        """The common fields of a record posted (and read back) as ``comment``."""
        return AuditPayload(
            record_id=record_id,
            record_digest=sha256_hex(canonical),
            tracker=tracker,
            comment=comment.ref,
            comment_sha256=sha256_hex(comment.body),
        )


@dataclass(frozen=True, kw_only=True)
class Wording:
    """How a kind's messages name it ("The review is NOT recorded.")."""

    #: "the record", "the review record": what was posted.
    record: str
    #: One sentence for any failure before the audit log: what did NOT happen.
    not_done: str
    #: The command that retries ("authorize", "the command").
    retry: str
    #: The state reached once logged ("AUTHORIZED (logged and verified)").
    logged: str


@dataclass(frozen=True, kw_only=True)
class Draft(Generic[R]):
    """The record as it will be posted now, and where (after the kind's last checks)."""

    record: R
    comment: Rendered
    target: str


@dataclass(frozen=True, kw_only=True)
class Logged(Generic[R]):
    """A record the audit log already holds, checked again against the tracker."""

    record: R
    tracker: str
    comment: CommentRef


class RecordKind(ABC, Generic[R, Q]):
    """One kind of record; ``R`` is its record type, ``Q`` what preparing it needs."""

    #: The audit log's kind and the kind's name ("authorization", "review").
    name: ClassVar[str]
    #: The marker word of its comments ("secgate-record", "secgate-review").
    marker: ClassVar[str]
    wording: ClassVar[Wording]
    #: The steps it runs, in order (a UI shows these).
    steps: ClassVar[tuple[Step, ...]]

    @abstractmethod
    def prepare(
        self, ctx: Context, request: Q, clock: Callable[[], datetime], on_step: OnStep
    ) -> Prepared[R]:
        """Gather, evaluate and build the record; write nothing to any tracker."""

    def preview(self, prepared: Prepared[R]) -> str:
        """The text a person confirms (by default the comment as it will be posted)."""
        return prepared.rendered

    @abstractmethod
    def identity(self, record: R) -> tuple[str, str, str]:
        """(record id, canonical JSON, account id of the author the record names)."""

    @abstractmethod
    def parse(self, canonical: str) -> R:
        """The record in canonical JSON. Raises ValueError when it is not one."""

    @abstractmethod
    def differs(self, record: R, earlier: R) -> str | None:
        """Why an earlier attempt's record may not be adopted for ``record`` (None: it may)."""

    def check(self, ctx: Context, prepared: Prepared[R], now: datetime) -> Failure | None:
        """Last checks before writing, under the lock (e.g. the snapshot's age)."""
        return None

    @abstractmethod
    def logged(self, ctx: Context, prepared: Prepared[R]) -> AuditEntry | None:
        """The audit entry of this very record, if it was logged already."""

    def recheck(
        self, ctx: Context, entry: AuditEntry, on_step: OnStep
    ) -> Logged[R] | Failure | None:
        """Check an already logged record against the tracker instead of writing it again.

        None (the default): write it back as usual (it is adopted), but log nothing.
        """
        return None

    @abstractmethod
    def draft(
        self, ctx: Context, prepared: Prepared[R], notes: list[str], on_step: OnStep
    ) -> Draft[R] | Failure:
        """The record and comment to write now, and the issue key to write them on."""

    def write(self, connector: Connector, draft: Draft[R], author: str) -> Written | None:
        """Post and read back with the kind's own comment format (a signature's marker is
        not a record's); None (the default): the shared record write-back.

        Raises:
            WriteBackError: naming the step that failed.
        """
        return None

    @abstractmethod
    def payload(
        self, record: R, base: AuditPayload, comment: Comment, attachment: AttachmentRef | None
    ) -> AuditPayload:
        """What the audit log holds for the published record: ``base`` plus the kind's own."""

    @abstractmethod
    def export(
        self, records_dir: Path, record: R, tracker: str, ref: CommentRef, anchor: Anchor | None
    ) -> tuple[Path, ...]:
        """Write the record files for auditors, headed by the audit log's ``anchor``.

        Raises:
            OSError: a file could not be written.
        """

    @abstractmethod
    def done_message(self, record: R) -> str:
        """One line saying the record is published."""
