"""Answers read on a pool, parsed and mapped in the thread that collects them (issue 18).

The Jira and GitLab syncs read pages on worker threads and leave parsing and
mapping to the collecting thread. A bad answer that only the collecting thread
can see must still fail the whole read, stop the workers, and leave nothing
half-done behind; the pages must still come back in page order whatever order
the workers finish in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from queue import SimpleQueue

import pytest

from connectors.base import BadResponseError, SourceScope
from connectors.gitlab import sync
from connectors.gitlab.client import Page
from connectors.gitlab.sync import fetch_pages
from connectors.jira import search
from tests.fakes.jira_seed import PROJECT, RELEASE, connector_for, seed
from tests.fakes.jira_server import FakeJira

SCOPE = SourceScope(tracker="jira", project=PROJECT)


@pytest.mark.parametrize(("flavor", "path"), [("cloud", "bulkfetch"), ("datacenter", "/search")])
def test_a_bad_later_jira_answer_fails_the_read_and_ends_the_pool(flavor: str, path: str) -> None:
    with FakeJira(flavor, dc_max_results=100) as fake:
        seed(fake, scale=730)
        connector = connector_for(fake, page_size=100, concurrency=4)
        # A later answer (Cloud: the pool's third read; Data Center: the third
        # page, the pool's second) carries an issue without a key.
        with (
            fake.fault("member", member="issues.key", value=7, path=path, after=2, remaining=1),
            pytest.raises(BadResponseError, match="key"),
        ):
            connector.issues(SCOPE, RELEASE)
        issues = connector.issues(SCOPE, RELEASE)  # the next read is whole again
        assert len({issue.key for issue in issues}) == 734


def test_beyond_the_read_ahead_jira_answers_are_mapped_as_they_come(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "READ_AHEAD", 2)
    with FakeJira("cloud") as fake:
        seed(fake, scale=730)  # eight bulk reads of 100
        connector = connector_for(fake, page_size=100, concurrency=4)
        assert len({issue.key for issue in connector.issues(SCOPE, RELEASE)}) == 734
        fake.reset_counts()
        # The second answer is bad: it is mapped before the fifth read is even asked for.
        with (
            fake.fault("member", member="issues.key", value=7, path="bulkfetch", after=1),
            pytest.raises(BadResponseError, match="key"),
        ):
            connector.issues(SCOPE, RELEASE)
        assert fake.counts["POST /rest/api/3/issue/bulkfetch"] <= 4


def _pages(count: int, size: int) -> Callable[[int], Page[str]]:
    def page(number: int) -> Page[str]:
        headers = {
            "X-Total": str(count * size),
            "X-Total-Pages": str(count),
            "X-Next-Page": str(number + 1) if number < count else "",
        }
        return Page(items=[f"{number}.{n}" for n in range(size)], headers=headers)

    return page


def test_pages_come_back_in_page_order_whatever_order_they_are_read_in() -> None:
    page = _pages(5, 2)
    last_read = threading.Event()

    def get(number: int) -> tuple[Page[str], Callable[[], list[str]]]:
        if number == 2:
            last_read.wait(timeout=30)  # page 2 arrives after page 5
        if number == 5:
            last_read.set()
        read = page(number)
        return read, lambda: list(read.items)

    assert fetch_pages(get, 4, per_page=2) == [f"{n}.{i}" for n in range(1, 6) for i in (0, 1)]
    assert last_read.is_set()


class _Spare:
    """Work that, like residual.Early's, holds a worker until it is closed or cancelled."""

    def __init__(self) -> None:
        self.ended: SimpleQueue[None] = SimpleQueue()
        self.calls: list[str] = []

    def work(self) -> None:
        self.ended.get()

    def close(self, workers: int) -> None:
        self.calls.append("close")
        for _ in range(workers):
            self.ended.put(None)

    def cancel(self, workers: int) -> None:
        self.calls.append("cancel")
        for _ in range(workers):
            self.ended.put(None)


def test_a_page_the_collecting_thread_refuses_fails_the_read_and_stops_the_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sync, "READ_AHEAD", 2)  # two pages read ahead at most
    page = _pages(40, 2)
    asked: list[int] = []
    spare = _Spare()

    def get(number: int) -> tuple[Page[str], Callable[[], list[str]]]:
        def convert() -> list[str]:
            if number == 3:
                raise BadResponseError("page 3 holds an issue secgate cannot read", tracker="gl")
            return list(read.items)

        asked.append(number)
        read = page(number)
        return read, convert

    with pytest.raises(BadResponseError, match="page 3"):
        fetch_pages(get, 4, per_page=2, spare=spare)
    assert len(asked) < 12  # not the 40 pages: reading stopped at the failure
    assert spare.calls == ["cancel"]


def test_spare_work_is_closed_after_a_whole_read() -> None:
    page = _pages(6, 2)
    spare = _Spare()

    def get(number: int) -> tuple[Page[str], Callable[[], list[str]]]:
        read = page(number)
        return read, lambda: list(read.items)

    assert len(fetch_pages(get, 3, per_page=2, spare=spare)) == 12
    assert spare.calls == ["close"]


def test_a_page_a_worker_cannot_read_fails_the_read() -> None:
    page = _pages(10, 2)
    spare = _Spare()

    def get(number: int) -> tuple[Page[str], Callable[[], list[str]]]:
        if number == 4:
            raise BadResponseError("page 4 did not arrive", tracker="gl")
        read = page(number)
        return read, lambda: list(read.items)

    with pytest.raises(BadResponseError, match="page 4"):
        fetch_pages(get, 3, per_page=2, spare=spare)
    assert spare.calls == ["cancel"]
