"""Reading a release's issues out of GitLab, fast.

A cold sync of a big milestone is bound by round trips: python-gitlab follows
``Link: rel="next"`` one page after another. Here the first page tells whether
there is more; then page numbers are handed out to ``concurrency`` workers. GitLab
sends no ``X-Total-Pages`` above 10,000 results, so workers stop at the first
short page instead of trusting a total. Issues are ordered by creation, oldest
first, so an issue created during the sync lands on the last page instead of
shifting every page under the workers' feet.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gitlab.utils import EncodedId

from connectors.base import SourceScope
from connectors.gitlab.client import GitLabClient, Json, Page

PER_PAGE = 100  # GitLab's maximum


@dataclass(frozen=True)
class Target:
    """A project (path or numeric id) or a group whose issues a source reads."""

    kind: str  # "projects" | "groups"
    ident: str

    @classmethod
    def of(cls, scope: SourceScope) -> Target:
        group = bool(scope.options.get("group", False))
        return cls("groups" if group else "projects", scope.project.strip().strip("/"))

    @property
    def base(self) -> str:
        return f"/{self.kind}/{EncodedId(self.ident)}"

    def describe(self) -> str:
        return f"{'group' if self.kind == 'groups' else 'project'} '{self.ident}'"


def stamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as GitLab writes its own times."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def find_milestone(client: GitLabClient, target: Target, title: str) -> Json | None:
    """The milestone with exactly this title, from the target or its ancestors/descendants."""
    params: dict[str, Any] = {"title": title, "per_page": PER_PAGE}
    # Project issues may sit in a group milestone; group issues in a subgroup's or project's.
    params["include_ancestors" if target.kind == "projects" else "include_descendants"] = "true"
    page = client.get_page(
        f"{target.base}/milestones", params, f"the milestones of {target.describe()}"
    )
    return next((m for m in page.items if m.get("title") == title), None)


def all_pages(
    client: GitLabClient, path: str, params: Mapping[str, Any], what: str
) -> Iterable[Json]:
    """Every item of a list endpoint, one page after another (short lists)."""
    page_number = 1
    while True:
        page = client.get_page(path, {**params, "page": page_number, "per_page": PER_PAGE}, what)
        yield from page.items
        if page.next_page is None or len(page.items) < PER_PAGE:
            return
        page_number = page.next_page


def fetch_pages(
    get: Callable[[int], Page], concurrency: int, per_page: int = PER_PAGE
) -> list[Page]:
    """Every page in order, fetched concurrently; stops at the first short page."""
    first = get(1)
    if len(first.items) < per_page or first.next_page is None:
        return [first]
    total = first.total_pages
    numbers = itertools.count(2)
    lock = threading.Lock()
    last = [total if total is not None else 1 << 62]
    failed = threading.Event()
    pages: dict[int, Page] = {1: first}

    def worker() -> None:
        while not failed.is_set():
            with lock:
                number = next(numbers)
                if number > last[0]:
                    return
            try:
                page = get(number)
            except BaseException:
                failed.set()
                raise
            with lock:
                pages[number] = page
                if len(page.items) < per_page or page.next_page is None:
                    last[0] = min(last[0], number)

    workers = max(1, min(concurrency, (total - 1) if total else concurrency))
    with ThreadPoolExecutor(workers, thread_name_prefix="secgate-gitlab") as pool:
        futures = [pool.submit(worker) for _ in range(workers)]
    for future in futures:
        future.result()  # re-raise the first failure
    return [pages[number] for number in sorted(pages) if number <= last[0]]


def dedupe(pairs: Iterable[tuple[Json, str]]) -> list[tuple[Json, str]]:
    """Offset pages can repeat an issue edited mid-sync; keep its newest version."""
    newest: dict[Any, tuple[Json, str]] = {}
    for item, digest in pairs:
        seen = newest.get(item.get("id"))
        if seen is None or str(item.get("updated_at")) >= str(seen[0].get("updated_at")):
            newest[item.get("id")] = (item, digest)
    return list(newest.values())


def issue_params(
    milestone: str, labels: str, since: datetime | None, overlap_seconds: int
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "milestone": milestone,
        "state": "all",
        "scope": "all",
        "order_by": "created_at",
        "sort": "asc",
        "per_page": PER_PAGE,
    }
    wanted = ",".join(label.strip() for label in labels.split(",") if label.strip())
    if wanted:
        params["labels"] = wanted
    if since is not None:
        # Clocks differ and GitLab commits updates out of order: ask for a little more.
        params["updated_after"] = stamp(since - timedelta(seconds=overlap_seconds))
    return params


def fetch_issues(
    client: GitLabClient, target: Target, params: Mapping[str, Any], concurrency: int
) -> list[tuple[Json, str]]:
    """Every issue of the query with the digest of its JSON as GitLab sent it."""
    what = f"the issues of {target.describe()}"
    path = f"{target.base}/issues"
    pages = fetch_pages(
        lambda n: client.get_page(path, {**params, "page": n}, what, digests=True), concurrency
    )
    return dedupe(pair for page in pages for pair in zip(page.items, page.digests, strict=True))
