"""Posting one signature comment at most once and reading it back.

A signature comment's marker (``secgate-signature <record id> sha256:<digest>
signer:<principal>``) names the record and the signer, not the comment's own
digest, so the record write-back (:mod:`secgate_tui.services.writeback`) does
not fit it. The protocol is the same: look for an earlier attempt's comment by
the exact marker first (adopt it when it is this signer's, written by this
account), post, find the comment by its marker when the answer to the post was
lost, then read it back and check it carries exactly the signature posted.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.base import (
    AuthError,
    Comment,
    CommentRef,
    Connector,
    ConnectorError,
    NotFoundError,
    NotSupportedError,
)
from secgate_tui.domain import sha256_hex
from secgate_tui.domain.render import BlockError
from secgate_tui.domain.render.signature import (
    SignatureComment,
    extract_signature,
    signature_marker,
)
from secgate_tui.domain.signature import SignedMessage
from secgate_tui.services.readback import ReadBack
from secgate_tui.services.writeback import WriteBackError, Written

#: The signature's canonical JSON (what the audit log digests) from a parsed comment.
Canonical = Callable[[SignatureComment], str]

NOT_DONE = "The signature is NOT recorded."


def write_signature(
    connector: Connector,
    key: str,
    message: SignedMessage,
    body: str,
    canonical: Canonical,
    author_is_me: Callable[[str], bool],
) -> Written:
    """Post the signature comment ``body`` on ``key`` at most once, then read it back.

    Raises:
        WriteBackError: naming the step that failed.
    """
    marker = signature_marker(message)
    try:
        earlier = connector.find_comments(key, marker)
    except ConnectorError as exc:
        raise WriteBackError(
            "post",
            f"could not search {key} for an earlier attempt's signature: {exc.message} "
            f"{NOT_DONE} Nothing was posted; run again.",
        ) from None
    for comment in earlier:
        if not (comment.author_id and author_is_me(comment.author_id)):
            continue  # anyone can type a marker; only this account's own copy is adopted
        try:
            found = extract_signature(comment.body, message.record_id, message.principal)
        except BlockError:
            continue
        return Written(_read_back(comment, found, canonical), True)
    try:
        ref = connector.post_comment(key, body)
    except (AuthError, NotFoundError, NotSupportedError) as exc:
        raise WriteBackError(
            "post",
            f"the tracker refused the signature comment on {key}: {exc.message} Nothing was "
            "posted; fix the cause and run again.",
        ) from None
    except ConnectorError as exc:
        ref = _refind(connector, key, marker, exc)
    return Written(read_back_signature(connector, ref, message, canonical), False)


def read_back_signature(
    connector: Connector, ref: CommentRef, message: SignedMessage, canonical: Canonical
) -> ReadBack:
    """Read the posted comment and check it carries exactly ``message``."""
    try:
        comment = connector.read_comment(ref)
        found = extract_signature(comment.body, message.record_id, message.principal)
    except BlockError as exc:
        raise WriteBackError(
            "read back",
            f"the signature read back from {ref.key} (comment {ref.id}) is not the one "
            f"posted: {exc}. {NOT_DONE} Look at the comment in the tracker, then run again.",
        ) from None
    except ConnectorError as exc:
        raise WriteBackError(
            "read back",
            f"the tracker failed while the signature was read back from {ref.key}: "
            f"{exc.message} {NOT_DONE} Running again finds it by its marker and does "
            "not post twice.",
        ) from None
    if found.message != message:
        raise WriteBackError(
            "read back",
            f"the signature read back from {ref.key} (comment {ref.id}) states another "
            f"message than the one signed. {NOT_DONE}",
        )
    return _read_back(comment, found, canonical)


def _read_back(comment: Comment, found: SignatureComment, canonical: Canonical) -> ReadBack:
    text = canonical(found)
    return ReadBack(comment, text, sha256_hex(text))


def _refind(connector: Connector, key: str, marker: str, error: ConnectorError) -> CommentRef:
    """After a failed post: did the tracker store the comment anyway (lost response)?"""
    try:
        stored = connector.find_comments(key, marker)
    except ConnectorError:
        raise WriteBackError(
            "post",
            f"posting the signature comment on {key} failed ({error.message}), and the "
            f"tracker could not be asked whether it stored it. {NOT_DONE} Run again: the "
            "retry searches for the signature's marker first and never posts twice.",
        ) from None
    if not stored:
        raise WriteBackError(
            "post",
            f"posting the signature comment on {key} failed: {error.message} The tracker "
            "holds no comment with the signature's marker, so nothing was written. Run again.",
        )
    return stored[0].ref
