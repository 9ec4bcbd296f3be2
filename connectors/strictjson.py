"""JSON as secgate trusts it from a tracker: strict, no NaN or Infinity.

Python's json module accepts ``NaN``, ``Infinity`` and ``-Infinity``, which are
not JSON (RFC 8259) and which no tracker sends. An answer carrying them was
produced or altered by something secgate must not believe, so every
connector parses tracker answers through this module and treats the
ValueError like any other unreadable answer (its bad-response error).
"""

from __future__ import annotations

import json
from typing import Any, NoReturn


def _reject(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number; the answer is not trusted")


#: For callers that walk a document with ``raw_decode``.
DECODER = json.JSONDecoder(parse_constant=_reject)


def loads(text: str | bytes) -> Any:
    """Parse JSON strictly.

    Raises:
        ValueError: not JSON, or JSON with NaN / Infinity.
    """
    return json.loads(text, parse_constant=_reject)
