"""Write a record to the tracker and read it back: shared by authorizations and reviews.

A record here is anything with a marker kind (``secgate-record``,
``secgate-review``), an id, canonical JSON, its SHA-256 and a rendered comment
(plus an attachment when the record did not fit in one comment). The protocol:

1. search the issue's comments for the record id's marker, so a retry (from any
   process or machine) adopts what an earlier attempt posted instead of posting
   twice; a marker comment that does not check out stops everything;
2. attach the full JSON when needed, then post the comment; writes are never
   retried blindly: when the answer is lost, the comment is looked up by its
   exact marker before giving up;
3. read the comment (and attachment) back and re-digest the machine block; the
   comment must be exactly the body posted, and not edited.

An earlier comment is adopted only when the caller's acceptor says so; one that
cannot be adopted stops everything, and the message says how to recover: delete
it, or void it by editing its marker line away (a comment without the marker is
no record). Concurrent runs' copies are settled afterwards
(:mod:`secgate_tui.services.publish.duplicates`).

Every failure is a :class:`WriteBackError` naming the step, with one paragraph
saying what happened and that a retry is safe. The caller's ``not_done`` sentence
names what did not happen in its own words ("The review is NOT recorded.").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from connectors.base import (
    AuthError,
    CommentRef,
    Connector,
    ConnectorError,
    NotFoundError,
    NotSupportedError,
)
from secgate_tui.domain import sha256_hex
from secgate_tui.domain.render import BlockError, marker_line, marker_prefix
from secgate_tui.services.readback import ReadBack, check_comment, first_difference, normalized

__all__ = [
    "NOT_DONE",
    "Outgoing",
    "ReadBack",
    "WriteBackError",
    "Written",
    "check_comment",
    "comment_order",
    "read_back",
    "recovery",
    "write_back",
]

StepName = Literal["post", "read back"]

#: What did not happen when the caller does not say it in its own words.
NOT_DONE = "The record is NOT in effect."

#: Given a record comment read back (an earlier attempt's, or a concurrent run's), None
#: when it may be adopted, else the reason it may not: the caller parses the record,
#: compares it and checks the whole comment is unaltered (:func:`.readback.unaltered`).
Acceptor = Callable[[ReadBack], str | None]
#: Whether a comment's author account id (``Comment.author_id``) is the identity writing
#: now. Display names are editable and not unique, so only the stable id is compared.
AuthorCheck = Callable[[str], bool]


class WriteBackError(Exception):
    """A write-back step failed; the message is one paragraph for a person."""

    def __init__(self, step: StepName, message: str) -> None:
        super().__init__(message)
        self.step: StepName = step

    @property
    def message(self) -> str:
        return str(self.args[0])


class CommentGoneError(WriteBackError):
    """The comment to read back no longer exists."""


@dataclass(frozen=True)
class Outgoing:
    """A record ready to be written: its identity, canonical JSON and rendered comment."""

    kind: str
    record_id: str
    canonical: str
    body: str
    attachment_name: str | None = None
    attachment: bytes | None = None

    @property
    def digest(self) -> str:
        return sha256_hex(self.canonical)

    @property
    def marker(self) -> str:
        return marker_line(self.kind, self.record_id, self.digest)


@dataclass(frozen=True)
class Written:
    read_back: ReadBack
    #: True when an earlier attempt's comment was found and adopted (nothing posted now),
    #: or a concurrent run's earlier copy was (this run's own copy is then ``removed``).
    adopted: bool
    #: This run's duplicate, deleted (or voided) in favour of a concurrent run's copy.
    removed: CommentRef | None = None


def read_back(
    connector: Connector,
    ref: CommentRef,
    kind: str,
    record_id: str,
    digest: str,
    *,
    not_done: str = NOT_DONE,
) -> ReadBack:
    """Read the comment from the tracker and check it holds exactly the record ``digest``."""
    try:
        comment = connector.read_comment(ref)
        return check_comment(connector, comment, kind, record_id, digest)
    except NotFoundError:
        raise CommentGoneError(
            "read back",
            f"the record comment {ref.id} on {ref.key} is gone from the tracker (deleted "
            f"since it was posted). {not_done} Run again: it posts the record afresh.",
        ) from None
    except BlockError as exc:
        raise WriteBackError(
            "read back",
            f"the record read back from {ref.key} (comment {ref.id}) does not match what "
            f"was posted: {exc}. {not_done} Look at the comment in the "
            "tracker (something rewrote it), then run again.",
        ) from None
    except ConnectorError as exc:
        raise WriteBackError(
            "read back",
            f"the tracker failed while the record was read back from {ref.key}: "
            f"{exc.message} {not_done} The comment was posted; running "
            "again finds it by its marker, reads it back and completes without posting twice.",
        ) from None


def write_back(
    connector: Connector,
    key: str,
    outgoing: Outgoing,
    accept: Acceptor,
    *,
    author_is_me: AuthorCheck | None = None,
    not_done: str = NOT_DONE,
    before_post: Callable[[], str | None] | None = None,
) -> Written:
    """Post ``outgoing`` on issue ``key`` at most once, then read it back.

    Args:
        accept: decides whether an earlier attempt's record may be adopted.
        author_is_me: when given, an earlier comment is adopted only when its
            ``author_id`` passes this check; a comment whose tracker did not name the
            author's account id is never adopted (anyone can type a marker into a comment).
        not_done: the caller's sentence for what did not happen when a step fails.
        before_post: when no earlier comment was adopted, a last check before posting
            (None: post; else the whole message why nothing is posted).

    Raises:
        WriteBackError: naming the step that failed.
    """
    adopted = _adopt_earlier(connector, key, outgoing, accept, author_is_me, not_done)
    if adopted is not None:
        return adopted
    refusal = before_post() if before_post is not None else None
    if refusal is not None:
        raise WriteBackError("post", refusal)
    if outgoing.attachment is not None and outgoing.attachment_name is not None:
        _attach(connector, key, outgoing.attachment_name, outgoing.attachment)
    try:
        ref = connector.post_comment(key, outgoing.body)
    except (AuthError, NotFoundError, NotSupportedError) as exc:
        raise WriteBackError(
            "post",
            f"the tracker refused the record comment on {key}: {exc.message} Nothing was "
            "posted; fix the cause and run again.",
        ) from None
    except ConnectorError as exc:
        ref = _refind(connector, key, outgoing, exc, not_done)
    try:
        checked = read_back(
            connector, ref, outgoing.kind, outgoing.record_id, outgoing.digest, not_done=not_done
        )
    except CommentGoneError:
        # A concurrent run that posted the same record first removes later copies it
        # cannot tell from its own (identical bodies): adopt that earlier copy.
        earlier = _adopt_earlier(connector, key, outgoing, accept, author_is_me, not_done)
        if earlier is None:
            raise
        return Written(earlier.read_back, True, removed=ref)
    _check_own(checked, outgoing, not_done)
    return Written(checked, False)


def _check_own(checked: ReadBack, outgoing: Outgoing, not_done: str) -> None:
    """The comment just posted must be exactly what was sent, and not edited already.

    Its time is not checked against the record's here: the tracker's clock is not
    this machine's, and a skew must not fail a post that went through; a retry or
    ``verify`` checks it later (README: the clocks must be in sync).
    """
    comment = checked.comment
    reason: str | None = None
    if normalized(comment.body) != normalized(outgoing.body):
        reason = "the tracker changed it: " + first_difference(
            normalized(outgoing.body), normalized(comment.body)
        )
    elif comment.edited:
        reason = "the tracker says it was edited already"
    if reason is not None:
        raise WriteBackError(
            "read back",
            f"the record comment {comment.ref.id} on {comment.ref.key} does not read back "
            f"as posted: {reason}. {not_done} {recovery([comment.ref], outgoing)}",
        )


def recovery(refs: Sequence[CommentRef], outgoing: Outgoing) -> str:
    """How to get past record comments that cannot be adopted (the void convention)."""
    named = ", ".join(
        f"comment {ref.id} on {ref.key}" + (f" ({ref.url})" if ref.url else "") for ref in refs
    )
    return (
        f"To recover, delete {named}, or void it by editing it so that it no longer "
        f"contains the marker line '{outgoing.kind} {outgoing.record_id} sha256:...'; then "
        "run again and a fresh record is posted."
    )


def comment_order(ref: CommentRef) -> tuple[int, int, str]:
    """Which of two comments is earlier, the same rule for every tracker: the lower
    comment id, compared as numbers where both are numeric."""
    return (0, int(ref.id), "") if ref.id.isdigit() else (1, 0, ref.id)


def _adopt_earlier(
    connector: Connector,
    key: str,
    outgoing: Outgoing,
    accept: Acceptor,
    author_is_me: AuthorCheck | None,
    not_done: str,
) -> Written | None:
    try:
        earlier = connector.find_comments(key, marker_prefix(outgoing.kind, outgoing.record_id))
    except ConnectorError as exc:
        raise WriteBackError(
            "post",
            f"could not search {key} for an earlier attempt's record: {exc.message} "
            "Nothing was posted (posting without that search could post twice); run again.",
        ) from None
    problems: list[str] = []
    refused: list[CommentRef] = []
    foreign = False
    for comment in sorted(earlier, key=lambda c: comment_order(c.ref)):
        if author_is_me is not None and not (comment.author_id and author_is_me(comment.author_id)):
            who = comment.author or "an unknown author"
            foreign = True
            problems.append(
                f"comment {comment.ref.id} was written by {who!r} "
                f"(account id {comment.author_id or 'not given by the tracker'}), not by you"
            )
            continue
        try:
            found = check_comment(connector, comment, outgoing.kind, outgoing.record_id, None)
        except BlockError as exc:
            refused.append(comment.ref)
            problems.append(f"comment {comment.ref.id}: {exc}")
            continue
        except ConnectorError as exc:
            raise WriteBackError(
                "read back",
                f"could not read the attachment of an earlier attempt's record on {key}: "
                f"{exc.message} Nothing was posted; run again.",
            ) from None
        reason = accept(found)
        if reason is not None:
            problems.append(f"comment {comment.ref.id}: {reason}")
            refused.append(comment.ref)
            continue
        checked = read_back(
            connector,
            comment.ref,
            outgoing.kind,
            outgoing.record_id,
            found.digest,
            not_done=not_done,
        )
        return Written(checked, True)
    if problems:
        # Someone else's comment stays (it is audit trail, and not ours to void); our own
        # edited one can be removed or voided once the change is understood.
        advice = [
            "Leave a comment written by another account in place (the tracker's comments are "
            "part of the audit trail): find out who wrote it and report it to whoever owns "
            "the process before publishing this record again."
        ] * foreign
        if refused:
            advice.append(
                "Find out who changed your comment and report it to whoever owns the process. "
                + recovery(refused, outgoing)
            )
        raise WriteBackError(
            "post",
            f"{key} already holds a comment with this record's marker "
            f"({outgoing.kind} {outgoing.record_id}) that cannot be adopted: "
            f"{'; '.join(problems)}. It was edited, or not written by secgate as you. Nothing "
            f"was posted or logged. {' '.join(advice)}",
        )
    return None


def _attach(connector: Connector, key: str, name: str, content: bytes) -> None:
    try:
        connector.attach(key, name, content)
    except NotSupportedError as exc:
        raise WriteBackError(
            "post",
            f"the record is longer than one comment on this tracker, and {exc.message}. "
            "Nothing was posted.",
        ) from None
    except ConnectorError as exc:
        raise WriteBackError(
            "post",
            f"attaching the full record ({name}) to {key} failed: {exc.message} No comment "
            "was posted; run again.",
        ) from None


def _refind(
    connector: Connector, key: str, outgoing: Outgoing, error: ConnectorError, not_done: str
) -> CommentRef:
    """After a failed post: did the tracker store the comment anyway (lost response)?"""
    try:
        stored = connector.find_comments(key, outgoing.marker)
    except ConnectorError:
        raise WriteBackError(
            "post",
            f"posting the record comment on {key} failed ({error.message}), and the tracker "
            f"could not be asked whether it stored it. {not_done} Run "
            "again: the retry searches for the record's marker first and never posts twice.",
        ) from None
    if not stored:
        raise WriteBackError(
            "post",
            f"posting the record comment on {key} failed: {error.message} The tracker holds "
            "no comment with the record's marker, so nothing was written. Run again.",
        )
    return stored[0].ref
