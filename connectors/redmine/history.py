"""Open/close transitions of a Redmine issue, from its journals.

A status change is a journal detail ``{"property": "attr", "name": "status_id",
"old_value": "1", "new_value": "5"}``. Whether a status counts as closed is
Redmine's own ``is_closed`` flag, so a change between two open statuses (New ->
In Progress) or two closed ones (Closed -> Rejected) is no event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from connectors.redmine.client import JsonDict
from connectors.redmine.mapping import parse_time
from secgate_tui.domain.model import StateEvent


def state_events(
    source: str, key: str, journals: Iterable[JsonDict], closed: Mapping[int, bool]
) -> list[StateEvent]:
    """ "closed" / "opened" events, oldest first.

    Raises ValueError (the caller fails closed) on a journal without a time or
    with a status id that is not among the statuses Redmine listed: guessing
    open or closed would make the reopen count a fiction.
    """
    ordered = sorted(
        (j for j in journals if isinstance(j, dict)), key=lambda j: int(j.get("id") or 0)
    )
    events: list[StateEvent] = []
    for journal in ordered:
        for detail in journal.get("details") or []:
            if detail.get("property") != "attr" or detail.get("name") != "status_id":
                continue
            was = _is_closed(detail.get("old_value"), closed)
            now = _is_closed(detail.get("new_value"), closed)
            if was == now:
                continue
            at = parse_time(journal.get("created_on"))
            if at is None:
                raise ValueError(f"journal {journal.get('id')} has no created_on")
            state = "closed" if now else "opened"
            events.append(StateEvent(source=source, key=key, at=at, state=state))
    return events


def _is_closed(value: object, closed: Mapping[int, bool]) -> bool:
    try:
        status = int(str(value))
    except ValueError:
        raise ValueError(f"status id {value!r} is not a number") from None
    if status not in closed:
        raise ValueError(f"status id {status} is not among the issue statuses")
    return closed[status]
