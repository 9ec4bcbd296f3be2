"""Issue keys from a tracker, checked before secgate trusts them.

A key names an issue in records, exports and on screen, and people compare it
by eye: "PUMP-1\\u200b23" displays as PUMP-123. A key carrying an invisible or
control character is therefore not escaped but refused, and the answer that
held it is not trusted (the connector's bad-response error; a sync keeps that
source's last good data).
"""

from __future__ import annotations

from secgate_tui.domain.text import printable, unsafe_characters


def checked_key(key: str) -> str:
    """``key`` when it holds only visible characters.

    Raises:
        ValueError: naming the key (escaped) and the characters found.
    """
    found = unsafe_characters(key)
    if found:
        raise ValueError(
            f"the issue key '{printable(key)}' contains invisible or control characters "
            f"({', '.join(dict.fromkeys(found))}); a key must be what it looks like, so this "
            "answer is not trusted"
        )
    return key
