"""Finding a release's issues fast.

Cloud: the ids first (``search/jql`` with ``fields=id``, 5,000 a page, the
only cursor being ``nextPageToken``), then the details 100 at a time through
``POST issue/bulkfetch`` on a thread pool, started while later id pages are
still coming. Data Center: ``/rest/api/2/search`` whose first page tells the
total, then the remaining ``startAt`` pages concurrently; the distinct issues
must add up to that total, or the list shifted under the reader and is read
again (a malformed page or a second mismatch is an error). The pool's threads
only read; each answer is parsed, mapped and dropped in the collecting thread, in
order, with a bounded number of answers read ahead, which keeps the peak memory
to the mapped issues and those answers.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from connectors.base import BadResponseError
from connectors.jira.client import JiraClient
from connectors.jira.comments import raw_comments
from connectors.jira.errors import bad_json_error, describe_json
from connectors.jira.mapping import IssueMapper, MappingError
from connectors.jira.rawjson import split_member
from connectors.sharing import Sharing
from secgate_tui.domain.collector import collector_paused
from secgate_tui.domain.model import RESIDUAL, Issue

ID_PAGE = 5000  # Jira Cloud's maximum page when only ids are asked for
BULK = 100  # issue/bulkfetch's maximum

#: What a pool job leaves to the thread that collects the results: parsing and
#: mapping what the job read. Workers only wait on the network; the CPU work runs
#: in one thread, one answer at a time, which cost 15 % less CPU over 20,000
#: issues than mapping in 16 workers that take the interpreter lock from each other.
Rest = Callable[[], list[Issue]]
#: A pool job: one read, returning the rest of its work.
Job = Callable[[], Rest]
#: Answers read and not yet mapped, at most: at 100 issues an answer (Cloud's bulk
#: reads, Data Center's default page) 25,600 issues, some 45 MB of JSON.
READ_AHEAD = 256


class Searcher:
    """Runs one scope's search for a client and maps what comes back."""

    def __init__(self, client: JiraClient, rules: IssueMapper) -> None:
        self.client = client
        self.rules = rules
        self.table = rules.table()
        # Comments can be most of an issue's weight and only matter for the
        # justification of residual items: they are fetched for those alone.
        self.fields = [name for name in rules.fields() if name != "comment"]
        #: raw JSON of residual issues still without a justification, by key
        self._pending: dict[str, dict[str, Any]] = {}
        self._full = True
        self._sharing = Sharing()

    def issues(self, jql: str, *, full: bool = True) -> list[Issue]:
        """The query's issues. ``full``: the whole scope, so an empty Cloud answer
        is checked against Jira's count (an incremental one adds nothing either way)."""
        self._full = full
        with collector_paused():
            return self._issues(jql)

    def _issues(self, jql: str) -> list[Issue]:
        fetch = self._cloud if self.client.is_cloud else self._datacenter
        found: dict[str, Issue] = {}
        for issue in fetch(jql):
            found[issue.key] = issue  # pages may overlap while issues move
        pending = [raw for key, raw in self._pending.items() if key in found]

        def justify(submit: Callable[[Job], None]) -> None:
            for raw in pending:
                submit(functools.partial(self._comments_of, raw))

        if pending:
            for issue in self._pooled(justify):
                found[issue.key] = issue
        return sorted(found.values(), key=lambda issue: issue.key)

    def one(self, raw: Any, digest: str) -> Issue:
        """One issue's JSON (fetched with :attr:`fields`), its justification looked up."""
        issue = self._map([raw], "issue", [digest])[0]
        if self._pending.pop(issue.key, None) is not None:
            issue = self._justified(raw)[0]
        return issue

    def _justified(self, raw: dict[str, Any]) -> list[Issue]:
        """The issue again, with its comments, for a justification written as one."""
        return self._comments_of(raw)()

    def _comments_of(self, raw: dict[str, Any]) -> Rest:
        listed = raw_comments(self.client, str(raw["key"]))
        return functools.partial(self._with_comments, raw, listed)

    def _with_comments(self, raw: dict[str, Any], listed: list[Any]) -> list[Issue]:
        merged = {**raw, "fields": {**raw["fields"], "comment": {"comments": listed}}}
        return self._map([merged], "comments")

    # -- mapping -------------------------------------------------------------

    def _map(self, raws: Any, what: str, digests: list[str] | None = None) -> list[Issue]:
        if not isinstance(raws, list):
            raise self._bad(f"{what}: 'issues' is {describe_json(raws)}")
        sums: list[str | None] = list(digests) if digests else [None] * len(raws)
        try:
            issues = [
                self.rules.issue(raw, digest, self.table)
                for raw, digest in zip(raws, sums, strict=True)
            ]
        except (MappingError, AttributeError, TypeError, ValueError) as exc:
            raise self._bad(f"{what}: {exc}") from None
        self._sharing.share(issues)
        if self.rules.justification_prefix and what != "comments":
            for raw, issue in zip(raws, issues, strict=True):
                # An open issue accepted for a release needs a justification too.
                if (issue.disposition in RESIDUAL or issue.acceptances) and not issue.justification:
                    self._pending[issue.key] = raw
        return issues

    def _bad(self, detail: str) -> BadResponseError:
        return BadResponseError(
            f"Jira tracker '{self.client.name}' sent an issue list secgate cannot read "
            f"({detail}). Nothing was stored from this sync.",
            tracker=self.client.name,
        )

    def _list(self, page: dict[str, Any], name: str, what: str) -> list[Any]:
        value = page.get(name)
        if not isinstance(value, list):
            raise self._bad(f"{what}: '{name}' is {_member(page, name)}, not a list")
        return value

    def _page(self, body: Any, what: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise self._bad(f"{what} answered {describe_json(body)}")
        return body

    def _split(self, body: bytes) -> tuple[dict[str, Any], list[str]]:
        """A page of issues, and the digest of each issue's text as sent."""
        try:
            return split_member(body, "issues")[::2]
        except ValueError:
            raise bad_json_error(self.client.ctx, "reading issues") from None

    # -- Cloud ---------------------------------------------------------------

    def _ids(self, jql: str) -> Iterator[list[str]]:
        """Pages of ids, each checked against search/jql's documented paging.

        ``isLast`` is a boolean on every page; a page that is not the last
        carries a ``nextPageToken`` and the last one carries none; no page holds
        more than was asked for. The search has no total, so an empty answer is
        checked against Jira's approximate count before it is believed.
        """
        token: str | None = None
        read = 0
        while True:
            params: dict[str, Any] = {"jql": jql, "fields": "id", "maxResults": ID_PAGE}
            if token:
                params["nextPageToken"] = token
            page = self._page(
                self.client.request(
                    "GET", "/rest/api/3/search/jql", "searching issues", params=params
                ),
                "search/jql",
            )
            ids = [self._id(item) for item in self._list(page, "issues", "search/jql")]
            token = self._next_token(page, len(ids))
            read += len(ids)
            if token is None and read == 0 and self._full:
                self._confirm_empty(jql)
            yield ids
            if token is None:
                return

    def _next_token(self, page: dict[str, Any], size: int) -> str | None:
        last = page.get("isLast")
        token = page.get("nextPageToken")
        if not isinstance(last, bool):
            raise self._bad(f"search/jql: 'isLast' is {_member(page, 'isLast')}")
        if token is not None and not isinstance(token, str):
            raise self._bad(f"search/jql: 'nextPageToken' is {describe_json(token)}")
        if size > ID_PAGE:
            raise self._bad(f"search/jql: {size} issues on a page of {ID_PAGE}")
        if last and token:
            raise self._bad("search/jql: the last page ('isLast': true) has a nextPageToken")
        if not last and not token:
            raise self._bad("search/jql: a page that is not the last has no nextPageToken")
        return None if last else token

    def _confirm_empty(self, jql: str) -> None:
        """An empty search is believed only when Jira's own count agrees."""
        body = self._page(
            self.client.request(
                "POST",
                "/rest/api/3/search/approximate-count",
                "counting issues",
                json_body={"jql": jql},
                idempotent=True,  # a read, though a POST
            ),
            "search/approximate-count",
        )
        count = body.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise self._bad(f"search/approximate-count: 'count' is {_member(body, 'count')}")
        if count > 0:
            raise self._bad(
                f"search/jql found no issue where Jira counts about {count}; an empty "
                "answer is not believed"
            )

    def _id(self, item: Any) -> str:
        ident = item.get("id") if isinstance(item, dict) else None
        if isinstance(ident, bool) or not isinstance(ident, str | int) or ident == "":
            shown = _member(item, "id") if isinstance(item, dict) else describe_json(item)
            raise self._bad(f"search/jql: an issue's 'id' is {shown}")
        return str(ident)

    def _bulk(self, ids: list[str]) -> Rest:
        # A read, though a POST (retried as one), sent 200 times for 20,000 issues.
        text = self.client.read_posted(
            "/rest/api/3/issue/bulkfetch",
            {"issueIdsOrKeys": ids, "fields": self.fields, "fieldsByKeys": False},
            "reading issues",
        )
        return functools.partial(self._bulk_issues, ids, text)

    def _bulk_issues(self, ids: list[str], text: bytes) -> list[Issue]:
        body, digests = self._split(text)
        errors = body.get("issueErrors") or []
        issues = self._map(body.get("issues"), "issue/bulkfetch", digests)
        if errors or len(issues) != len(ids):
            raise self._bad(
                f"{len(ids) - len(issues)} of {len(ids)} issues in scope could not be read"
            )
        return issues

    def _cloud(self, jql: str) -> Iterable[Issue]:
        return self._pooled(lambda submit: self._submit_cloud(jql, submit))

    def _submit_cloud(self, jql: str, submit: Callable[[Job], None]) -> None:
        seen: set[str] = set()
        for page in self._ids(jql):
            # An issue updated while the pages are read can show up twice.
            ids = [i for i in dict.fromkeys(page) if i not in seen]
            seen.update(ids)
            for start in range(0, len(ids), BULK):
                chunk = ids[start : start + BULK]
                submit(functools.partial(self._bulk, chunk))

    # -- Data Center ---------------------------------------------------------

    def _search_text(self, jql: str, start: int, size: int) -> bytes:
        params = {
            "jql": jql,
            "startAt": start,
            "maxResults": size,
            "fields": ",".join(self.fields),
        }
        text: bytes = self.client.request(
            "GET", "/rest/api/2/search", "reading issues", as_bytes=True, params=params
        )
        return text

    def _datacenter(self, jql: str) -> list[Issue]:
        """Every ``startAt`` page, the distinct issues checked against ``total``.

        Offsets shift when an issue enters or leaves the result between two
        page reads, which skips another silently; a skipped open finding would
        pass the gate. When the pages' totals disagree or the distinct issues do
        not add up to the total, the list is read once more, and a second
        mismatch is an error rather than a gap.
        """
        for _attempt in range(2):
            issues, totals = self._datacenter_pass(jql)
            distinct = {issue.key: issue for issue in issues}
            if len(set(totals)) == 1 and len(distinct) == totals[0]:
                return list(distinct.values())
        counted = " then ".join(str(total) for total in dict.fromkeys(totals))
        raise BadResponseError(
            f"Jira tracker '{self.client.name}': the issue list changed while secgate read "
            f"it page by page, twice in a row ({len(distinct)} distinct issues read where "
            f"Jira counted {counted}), so an issue may have been skipped. Nothing was "
            "stored from this sync; retry it.",
            tracker=self.client.name,
        )

    def _datacenter_pass(self, jql: str) -> tuple[list[Issue], list[int]]:
        """One read of every page: the issues and each page's ``total``, in page order."""
        first, digests = self._split(self._search_text(jql, 0, self.client.settings.page_size))
        issues = self._map(first.get("issues"), "search", digests)
        totals = [self._count(first, "total")]
        size = self._count(first, "maxResults")
        self._check_window(first, 0, size, len(issues))
        if len(issues) >= totals[0]:
            return issues, totals
        if size == 0:
            raise self._bad(f"search: 'maxResults' is 0 with {totals[0]} issues to read")
        rest = range(size, totals[0], size)
        later: dict[int, int] = {}  # startAt -> that page's total

        def page(start: int) -> Rest:
            return functools.partial(read, start, self._search_text(jql, start, size))

        def read(start: int, text: bytes) -> list[Issue]:
            body, digests = self._split(text)
            later[start] = self._count(body, "total")
            mapped = self._map(body.get("issues"), "search", digests)
            self._check_window(body, start, size, len(mapped))
            return mapped

        def pages(submit: Callable[[Job], None]) -> None:
            for start in rest:
                submit(functools.partial(page, start))

        issues = [*issues, *self._pooled(pages)]
        return issues, totals + [later[start] for start in rest]

    def _check_window(self, page: dict[str, Any], start: int, size: int, count: int) -> None:
        """A page is the window asked for: its ``startAt``, the first page's
        ``maxResults``, no more issues than that, and a short page only at the end."""
        stated = self._count(page, "startAt")
        if stated != start:
            raise self._bad(f"search: 'startAt' is {stated} for the page at {start}")
        if self._count(page, "maxResults") != size:
            raise self._bad(f"search: 'maxResults' changed from {size} between pages")
        if count > size:
            raise self._bad(f"search: {count} issues on a page of 'maxResults' {size}")
        total = self._count(page, "total")
        if count < min(size, max(0, total - start)):
            raise self._bad(
                f"search: {count} issues at {start} where 'total' {total} means "
                f"{min(size, total - start)}"
            )

    def _count(self, page: dict[str, Any], name: str) -> int:
        """A page's count member; without it, whether every page was read cannot be told."""
        value = page.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._bad(f"search: '{name}' is {_member(page, name)}, not a count")
        return value

    # -- concurrency ---------------------------------------------------------

    def _pooled(self, producer: Callable[[Callable[[Job], None]], None]) -> list[Issue]:
        """Run the jobs the producer submits on the pool, and the rest of each job
        here, in submission order; first failure wins.

        Answers are mapped once the producer is done: mapping while the workers
        still read cost 15 % more CPU over 20,000 issues (the interpreter lock
        passes back and forth) than the overlap with Cloud's id paging saves. Only
        beyond :data:`READ_AHEAD` waiting answers does submitting one more map the
        oldest first, which bounds the memory they hold on a very large project.
        """
        futures: deque[Future[Rest]] = deque()
        out: list[Issue] = []
        ahead = READ_AHEAD

        def collect_one() -> None:
            # Popped first: an answer's text is dropped once it is mapped.
            out.extend(futures.popleft().result()())

        with ThreadPoolExecutor(
            max_workers=self.client.settings.concurrency, thread_name_prefix="jira-sync"
        ) as pool:

            def submit(job: Job) -> None:
                futures.append(pool.submit(job))
                while len(futures) > ahead:
                    collect_one()

            try:
                producer(submit)
                while futures:
                    collect_one()
                return out
            except BaseException:
                for future in futures:
                    future.cancel()
                raise


def _member(obj: dict[str, Any], name: str) -> str:
    return describe_json(obj[name]) if name in obj else "missing"
