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

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from connectors.base import BadResponseError
from connectors.gitlab import anomaly, notes
from connectors.gitlab.client import GitLabClient, Json
from connectors.gitlab.notes import issue_path
from connectors.gitlab.settings import GitLabSettings
from connectors.gitlab.sync import all_pages
from secgate_tui.domain.model import Issue

#: label name -> (username, time) of its newest addition
Added = dict[str, tuple[str | None, datetime]]


def complete(client: GitLabClient, settings: GitLabSettings, issues: list[Issue]) -> list[Issue]:
    """The issues, residual and accepted ones completed from their notes and label events."""
    wanted = [
        i
        for i in issues
        if anomaly.needs_notes(i) or anomaly.needs_history(i) or anomaly.needs_resolver(i)
    ]
    if not wanted:
        return issues
    with ThreadPoolExecutor(min(len(wanted), settings.concurrency)) as pool:
        done = list(pool.map(lambda issue: _complete(client, settings, issue), wanted))
    found = {issue.key: issue for issue in done}
    return [found.get(issue.key, issue) for issue in issues]


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
