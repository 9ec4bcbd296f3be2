"""Which issues a Redmine issue is related to by the configured evidence link types. Pure.

``GET /issues/:id.json?include=relations`` lists each relation once, as seen
from the issue that made it (``issue_id``); seen from the other end a
directional type reads reversed (A blocks B: B is blocked by A). The type is
compared as seen from the evidence issue, so ``evidence_link_types =
["precedes"]`` means "the evidence precedes the release's issue".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from connectors.redmine.client import JsonDict

_REVERSED = {
    "blocks": "blocked",
    "precedes": "follows",
    "duplicates": "duplicated",
    "copied_to": "copied_from",
}
_REVERSED.update({back: forth for forth, back in list(_REVERSED.items())})


def related_ids(number: int, relations: Iterable[JsonDict], types: Sequence[str]) -> list[int]:
    """The ids of the issues related to issue ``number`` by one of ``types`` (any case)."""
    wanted = {t.strip().casefold() for t in types}
    found: list[int] = []
    for relation in relations:
        kind = str(relation.get("relation_type") or "").casefold()
        source, target = relation.get("issue_id"), relation.get("issue_to_id")
        if source == number:
            other = target
        elif target == number:
            other, kind = source, _REVERSED.get(kind, kind)
        else:
            continue
        if kind in wanted and isinstance(other, int) and other not in found:
            found.append(other)
    return found
