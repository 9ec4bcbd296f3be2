"""Concurrent runs posted the same record: the earliest comment stays, the others go.

Runs on separate machines (each with its own data directory, so the local lock
does not serialise them) that publish the same record as the same account
build the same record id, and each may post before seeing the other's comment.
So after posting, each run re-reads the record issue: when one of its own
comments with this record id has a lower id (:func:`~..writeback.comment_order`,
one rule for every tracker), the run checks that earliest comment as it would
adopt any other (read back, re-rendered, never edited), then deletes its own copy
(or, where deleting is forbidden, edits it into a plain "duplicate of" note with
no marker) and adopts the earliest; later copies byte-identical to its own go
too (a tracker that answers a post without the comment's id, Redmine, cannot
tell them apart). The lowest id never gives way, so every run ends on the same
comment and the tracker holds one record.
"""

from __future__ import annotations

from connectors.base import (
    Comment,
    CommentRef,
    Connector,
    ConnectorError,
    NotFoundError,
    NotSupportedError,
)
from secgate_tui.domain.render import BlockError, marker_prefix
from secgate_tui.services.readback import ReadBack, check_comment, normalized
from secgate_tui.services.writeback import (
    Acceptor,
    AuthorCheck,
    Outgoing,
    WriteBackError,
    Written,
    comment_order,
    read_back,
    recovery,
)


def duplicate_note(earliest: CommentRef, record_id: str) -> str:
    """What a duplicate becomes where it cannot be deleted: no marker, so never a record."""
    where = earliest.url or f"comment {earliest.id} on {earliest.key}"
    return (
        f"Duplicate of {where}: a concurrent secgate run posted record {record_id} there "
        "first. This copy is void; that comment is the record.\n"
    )


def settle(
    connector: Connector,
    key: str,
    outgoing: Outgoing,
    written: Written,
    accept: Acceptor,
    author_is_me: AuthorCheck | None,
    not_done: str,
) -> Written:
    """After posting ``written``: adopt an earlier copy of the same record, removing ours.

    Raises:
        WriteBackError: the issue could not be re-read, the earlier copy cannot be
            adopted, or this run's copy could not be removed.
    """
    mine = written.read_back.comment
    try:
        found = connector.find_comments(key, marker_prefix(outgoing.kind, outgoing.record_id))
    except ConnectorError as exc:
        raise WriteBackError(
            "read back",
            f"the record was posted as comment {mine.ref.id} on {key}, but {key} could not be "
            f"read again to look for a copy a concurrent run posted: {exc.message} "
            f"{not_done} Run again: it adopts the earliest copy.",
        ) from None
    # Only our own account's copies: a marker anyone typed never displaces the record.
    own = [c for c in found if author_is_me is None or (c.author_id and author_is_me(c.author_id))]
    earliest = min([*own, mine], key=lambda c: comment_order(c.ref))
    if comment_order(earliest.ref) >= comment_order(mine.ref):
        return written
    found_earliest = _adoptable(connector, earliest, outgoing, accept)
    if isinstance(found_earliest, str):
        raise WriteBackError(
            "read back",
            f"a concurrent run posted record {outgoing.record_id} on {key} first (comment "
            f"{earliest.ref.id}), and that comment cannot be adopted: {found_earliest}. This "
            f"run's copy (comment {mine.ref.id}) was left in place. {not_done} "
            f"{recovery([earliest.ref], outgoing)}",
        )
    checked = read_back(
        connector,
        earliest.ref,
        outgoing.kind,
        outgoing.record_id,
        found_earliest.digest,
        not_done=not_done,
    )
    # Copies identical to ours byte for byte cannot be told apart (Redmine answers a
    # note without its id, so runs that built the same record in the same second may
    # all take the newest copy as theirs): every later identical copy goes.
    later = [c for c in own if comment_order(c.ref) > comment_order(earliest.ref)]
    identical = [c.ref for c in later if normalized(c.body) == normalized(mine.body)]
    for ref in dict.fromkeys([mine.ref, *identical]):
        _remove(connector, ref, earliest.ref, outgoing, not_done)
    return Written(checked, True, removed=mine.ref)


def _adoptable(
    connector: Connector, comment: Comment, outgoing: Outgoing, accept: Acceptor
) -> ReadBack | str:
    """The comment's record when it may be adopted, else why not."""
    try:
        found = check_comment(connector, comment, outgoing.kind, outgoing.record_id, None)
    except BlockError as exc:
        return str(exc)
    except ConnectorError as exc:
        return f"its attachment could not be read ({exc.message})"
    reason = accept(found)
    return found if reason is None else reason


def _remove(
    connector: Connector,
    mine: CommentRef,
    earliest: CommentRef,
    outgoing: Outgoing,
    not_done: str,
) -> None:
    """Delete this run's copy; where the tracker forbids it, edit it into a plain note."""

    def failed(exc: ConnectorError) -> WriteBackError:
        return WriteBackError(
            "read back",
            f"a concurrent run posted record {outgoing.record_id} first (comment "
            f"{earliest.id} on {earliest.key}); this run's copy (comment {mine.id}) could not "
            f"be removed: {exc.message} {not_done} Delete comment {mine.id} (or remove its "
            "marker line), then run again: it adopts the earlier comment.",
        )

    try:
        connector.delete_comment(mine)
        return
    except NotFoundError:
        return
    except NotSupportedError:
        pass
    except ConnectorError as exc:
        raise failed(exc) from None
    try:
        connector.edit_comment(mine, duplicate_note(earliest, outgoing.record_id))
    except NotFoundError:
        return
    except ConnectorError as exc:
        raise failed(exc) from None
