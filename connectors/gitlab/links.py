"""The milestones of the issues a GitLab issue is linked to by the configured link types.

``GET /projects/:id/issues/:iid/links`` lists the linked issues, each with its
``link_type`` as seen from the issue asked about (``relates_to``, ``blocks``,
``is_blocked_by``) and its milestone, so one request answers: the milestone
titles of the issues linked by one of ``evidence_link_types`` (any case).
"""

from __future__ import annotations

from connectors.base import BadResponseError
from connectors.gitlab.client import GitLabClient
from connectors.gitlab.notes import issue_path
from connectors.gitlab.sync import all_pages


def linked_milestones(client: GitLabClient, key: str, types: tuple[str, ...]) -> list[str]:
    """Milestone titles of the issues ``key`` links to by one of ``types``."""
    wanted = {t.strip().casefold() for t in types}
    what = f"the linked issues of {key}"
    found: list[str] = []
    for raw in all_pages(client, f"{issue_path(key, client.tracker)}/links", {}, what):
        if not isinstance(raw, dict) or not isinstance(raw.get("link_type"), str):
            raise BadResponseError(
                client.redact(
                    f"GitLab ({client.host}) answered {what} with an item that is no linked "
                    "issue (each needs a link_type), so which releases it is linked to "
                    "cannot be told."
                ),
                tracker=client.tracker,
            )
        if raw["link_type"].casefold() not in wanted:
            continue
        milestone = raw.get("milestone")
        title = milestone.get("title") if isinstance(milestone, dict) else None
        if isinstance(title, str) and title and title not in found:
            found.append(title)
    return found
