"""Issue open/close history from GitLab's resource state events.

``GET /projects/:id/issues/:iid/resource_state_events`` lists every close and
reopen (GitLab does not record the initial "opened"), oldest first, paginated.
The periodic review counts reopens from them; one request stream per issue, so
the issues are read concurrently, bounded like the sync.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from connectors.base import BadResponseError
from connectors.gitlab.client import GitLabClient, Json
from connectors.gitlab.notes import issue_path
from connectors.gitlab.sync import all_pages
from secgate_tui.domain.model import EventState, StateEvent

#: States an issue's event can carry; "merged"/"locked" belong to merge requests.
_STATES = {state.value for state in EventState}


def state_events(client: GitLabClient, keys: Sequence[str], concurrency: int) -> list[StateEvent]:
    """Close/reopen events of these issues (``group/project#iid``), by key then time."""
    unique = list(dict.fromkeys(keys))
    if not unique:
        return []
    paths = [issue_path(key, client.tracker) for key in unique]  # bad keys fail before I/O
    with ThreadPoolExecutor(
        min(len(unique), concurrency), thread_name_prefix="secgate-gitlab"
    ) as pool:
        found = list(pool.map(lambda kp: _events(client, *kp), zip(unique, paths, strict=True)))
    return [event for events in found for event in events]


def _events(client: GitLabClient, key: str, path: str) -> list[StateEvent]:
    what = f"the state events of issue {key}"
    events = [
        _event(client, key, raw, what)
        for raw in all_pages(client, f"{path}/resource_state_events", {}, what)
    ]
    return sorted((e for e in events if e is not None), key=lambda e: e.at)


def _event(client: GitLabClient, key: str, raw: Json, what: str) -> StateEvent | None:
    state = raw.get("state") if isinstance(raw, dict) else None
    if state not in _STATES:
        return None  # not an open/close transition of an issue
    try:
        at = datetime.fromisoformat(str(raw["created_at"]).replace("Z", "+00:00"))
        return StateEvent(source=client.tracker, key=key, at=at, state=EventState(state))
    except (KeyError, ValueError, TypeError) as exc:
        # A review must not report "no reopens" from history it could not read.
        raise BadResponseError(
            client.redact(
                f"GitLab ({client.host}) answered {what} with an event secgate cannot read "
                f"({type(exc).__name__}): each needs a state and an ISO 8601 created_at."
            ),
            tracker=client.tracker,
        ) from None
