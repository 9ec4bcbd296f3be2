"""What notes and label events add to residual items and accepted open issues.

After a read, residual items (closed risk-accepted, deferred, won't fix) and
open issues with acceptance labels get the newest note starting with
``justification_prefix`` as their justification; acceptances that do not yet
say who accepted them and when get the user and time of their label's newest
``add`` event (``GET .../resource_label_events``), and residual items closed
with a resolution label get who added that label and when (``resolved_by`` /
``resolved_on``) from the same events. One request stream per issue,
concurrently, bounded like the sync; few issues need them.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from queue import Empty, SimpleQueue

from connectors.base import BadResponseError, ConnectorError
from connectors.gitlab import anomaly, notes
from connectors.gitlab.client import GitLabClient, Json
from connectors.gitlab.notes import issue_path
from connectors.gitlab.settings import GitLabSettings
from connectors.gitlab.sync import all_pages
from secgate_tui.domain.model import Issue

#: label name -> (username, time) of its newest addition
Added = dict[str, tuple[str | None, datetime]]


def _wanted(issue: Issue) -> bool:
    return (
        anomaly.needs_notes(issue) or anomaly.needs_history(issue) or anomaly.needs_resolver(issue)
    )


def complete(
    client: GitLabClient,
    settings: GitLabSettings,
    issues: list[Issue],
    early: Early | None = None,
) -> list[Issue]:
    """The issues, residual and accepted ones completed from their notes and label events
    (taken from ``early`` for an issue it completed in exactly the version kept)."""
    ready = early.completed() if early is not None else {}
    found: dict[str, Issue] = {}
    wanted: list[Issue] = []
    for issue in issues:
        if not _wanted(issue):
            continue
        original, completed = ready.get(issue.key, (None, issue))
        if original == issue:  # equal by value: the version the read kept
            found[issue.key] = completed
        else:
            wanted.append(issue)
    if wanted:
        with ThreadPoolExecutor(min(len(wanted), settings.concurrency)) as pool:
            for issue in pool.map(lambda issue: _complete(client, settings, issue), wanted):
                found[issue.key] = issue
    return [found.get(issue.key, issue) for issue in issues] if found else issues


class Early:
    """Residual items completed while the rest of a full read is still parsed.

    The page workers have read every page long before the collecting thread has
    mapped them all; the few requests residual items need (two round trips
    each) are sent by those otherwise idle workers meanwhile, instead of after
    the read. Only an issue completed in exactly the version the read kept is
    taken (:func:`complete`): one edited since (a note bumps its ``updated_at``)
    is completed again. A failure here is not final either: that issue is
    completed again in order, where its failure is reported.
    """

    def __init__(self, client: GitLabClient, settings: GitLabSettings) -> None:
        self._client = client
        self._settings = settings
        self._todo: SimpleQueue[Issue | None] = SimpleQueue()
        self._done: dict[str, tuple[Issue, Issue]] = {}
        self._lock = threading.Lock()

    def offer(self, issues: list[Issue]) -> None:
        """Mapped issues, from the collecting thread: those that need it are queued."""
        for issue in issues:
            if _wanted(issue):
                self._todo.put(issue)

    def work(self) -> None:
        """A page worker's spare time: complete queued issues until :meth:`close`."""
        while (issue := self._todo.get()) is not None:
            try:
                completed: Issue | None = _complete(self._client, self._settings, issue)
            except ConnectorError:
                completed = None  # not final: completed again in order, and reported there
            if completed is not None:
                with self._lock:
                    self._done[issue.key] = (issue, completed)

    def close(self, workers: int) -> None:
        """No more offers: each of ``workers`` ends its :meth:`work` after the queue."""
        for _ in range(workers):
            self._todo.put(None)

    def cancel(self, workers: int) -> None:
        """The read failed: what is still queued is dropped, and each worker ends
        after the issue it is completing."""
        while True:
            try:
                self._todo.get_nowait()
            except Empty:
                break
        self.close(workers)

    def completed(self) -> dict[str, tuple[Issue, Issue]]:
        """key -> (the issue as read, completed)."""
        with self._lock:
            return dict(self._done)


def _complete(client: GitLabClient, settings: GitLabSettings, issue: Issue) -> Issue:
    if anomaly.needs_notes(issue):
        text = notes.justification(client, issue.key, settings.justification_prefix)
        if text:  # else keep what the description gave, if configured
            issue = anomaly.with_justification(issue, text)
    history, resolver = anomaly.needs_history(issue), anomaly.needs_resolver(issue)
    if history or resolver:
        added = label_added(client, issue.key)
        if history:
            issue = anomaly.with_acceptor(issue, added, settings)
        if resolver:
            issue = anomaly.with_resolver(issue, added)
    return issue


def label_added(client: GitLabClient, key: str) -> Added:
    """Each label's newest ``add`` event (a label removed and added again: the later add)."""
    what = f"the label events of issue {key}"
    added: Added = {}
    events = all_pages(client, f"{issue_path(key, client.tracker)}/resource_label_events", {}, what)
    for raw in sorted(events, key=lambda e: _order(client, e, what)):
        label = raw.get("label") if isinstance(raw, dict) else None
        name = label.get("name") if isinstance(label, dict) else None
        if raw.get("action") != "add" or not isinstance(name, str):
            continue  # removals, and events of labels since deleted
        user = raw.get("user")
        username = user.get("username") if isinstance(user, dict) else None
        added[name] = (str(username) if username else None, _order(client, raw, what)[0])
    return added


def _order(client: GitLabClient, raw: Json, what: str) -> tuple[datetime, int]:
    try:
        at = datetime.fromisoformat(str(raw["created_at"]).replace("Z", "+00:00"))
        if at.tzinfo is None:
            raise ValueError("no offset")
        ident = raw.get("id")
        return at, ident if isinstance(ident, int) else 0
    except (KeyError, ValueError, TypeError):
        # Who accepted a risk, and when, must not be read from history secgate cannot read.
        raise BadResponseError(
            client.redact(
                f"GitLab ({client.host}) answered {what} with an event secgate cannot read: "
                "each needs an ISO 8601 created_at with its offset."
            ),
            tracker=client.tracker,
        ) from None
