"""The one layer between the screens and secgate's services.

Every call that touches the store or a tracker goes through here and is run by
the screens in a thread worker. Whatever goes wrong below (a connector error, a
bad configuration, a store problem, a bug) comes out as :class:`UiError` with a
paragraph a release manager can read, never as a tracker's exception type.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from connectors.base import ConnectorError
from secgate_tui.config import ConfigError
from secgate_tui.domain import Category, Issue
from secgate_tui.domain.review import ConclusionsError, parse_conclusions
from secgate_tui.domain.review_schedule import review_schedule
from secgate_tui.domain.text import printable
from secgate_tui.services.authorization import (
    AuthorizationResult,
    OnStep,
    Preparation,
)
from secgate_tui.services.context import Context
from secgate_tui.services.gate import evaluate_issues, evaluate_release
from secgate_tui.services.publish import (
    Prepared,
    Published,
    Publisher,
    RecordKind,
    StepEvent,
    noop,
)
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION, AuthorizationRequest
from secgate_tui.services.publish.kinds.review import REVIEW, ReviewRequest
from secgate_tui.services.review import PreparedReview, RecordedReview
from secgate_tui.services.review_status import review_status
from secgate_tui.services.store import StoreError
from secgate_tui.services.sync import utcnow

from .sync_process import SyncProcess, SyncProcessGone
from .view_model import (
    BoardState,
    ReleaseChoice,
    ReviewView,
    board_state,
    decode_board,
    encode_board,
)

Clock = Callable[[], datetime]
R = TypeVar("R")
Q = TypeVar("Q")

_LAST = "tui.last"
_RELEASES = "tui.releases."
_BOARD = "tui.board."
#: Never poll a tracker more often than this, whatever the config says.
MIN_REFRESH_SECONDS = 2.0
DEFAULT_REFRESH_SECONDS = 60.0


class UiError(Exception):
    """Something the person at the terminal must be told, already worded for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@contextmanager
def _guard(doing: str) -> Iterator[None]:
    try:
        yield
    except UiError:
        raise
    except ConnectorError as exc:
        where = f" ({exc.tracker})" if exc.tracker else ""
        raise UiError(f"{doing}: tracker error{where}: {printable(exc.message)}") from None
    except (ConfigError, StoreError) as exc:
        raise UiError(f"{doing}: {printable(str(exc))}") from None
    except Exception as exc:
        raise UiError(
            f"{doing}: internal error {type(exc).__name__}: {printable(str(exc), 300)}. "
            "This is a bug in secgate; nothing was authorized."
        ) from None


@dataclass(frozen=True)
class SyncReport:
    """How a background sync went: per-source problems, already in words."""

    failures: tuple[str, ...]
    count: int
    #: False when no source fetched anything and none did a full sync: the
    #: issues in the store are the ones already on screen.
    changed: bool = True

    @property
    def ok(self) -> bool:
        return not self.failures


class Controller:
    """Reads boards from the store, syncs trackers, lists reviews."""

    def __init__(self, ctx: Context, clock: Clock = utcnow, *, sync_process: bool = False) -> None:
        self.ctx = ctx
        self.clock = clock
        #: Background syncs in a child process (the real UI), else in the
        #: calling thread (tests: deterministic and quick to start).
        self._process = SyncProcess(ctx.config, ctx.store.path, clock) if sync_process else None
        # Release lists in memory: the event loop reads these, never the store,
        # whose lock a running sync may hold for seconds.
        self._known: dict[str, list[ReleaseChoice]] = {}
        # The issues last read for a release: a refresh that fetched nothing
        # re-evaluates them instead of parsing thousands of rows again.
        self._issues: dict[tuple[str, str], list[Issue]] = {}
        # Review schedules as the trackers' review records give them.
        self._reviews: dict[str, ReviewView] = {}

    # -- products and releases -------------------------------------------------

    def products(self) -> dict[str, str]:
        return {pid: product.name for pid, product in self.ctx.config.products.items()}

    def known_releases(self, product: str) -> list[ReleaseChoice]:
        """The releases last seen, from memory (safe on the event loop)."""
        return list(self._known.get(product, ()))

    def cached_releases(self, product: str) -> list[ReleaseChoice]:
        """Releases seen on the last tracker call, from the store (no network)."""
        with _guard("reading the release list"):
            raw = self.ctx.store.get_meta(_RELEASES + product)
        if not raw:
            return []
        choices = [ReleaseChoice(product, name, released) for name, released in json.loads(raw)]
        self._known.setdefault(product, choices)
        return choices

    def releases(self, product: str) -> list[ReleaseChoice]:
        """Releases from the trackers (network); remembered for the next start."""
        with _guard(f"listing the releases of {product}"):
            found = self.ctx.syncer.releases(product)
            self.ctx.store.set_meta(_RELEASES + product, json.dumps(list(found.items())))
        choices = [ReleaseChoice(product, name, released) for name, released in found.items()]
        self._known[product] = choices
        return choices

    def remember(self, product: str, release: str) -> None:
        with _guard("remembering the release"):
            self.ctx.store.set_meta(_LAST, json.dumps([product, release]))

    def initial_target(self, product: str | None, release: str | None) -> tuple[str, str | None]:
        """Where the UI opens: the command line, else the last release shown."""
        products = self.products()
        for known in products:
            self.cached_releases(known)  # before the UI starts: later, memory only
        if not products:
            raise UiError(
                f"no product is configured in {self.ctx.config.where}. Add a "
                "[products.<id>] table (see config.example.toml) or try `secgate --demo`."
            )
        if product is not None and product not in products:
            raise UiError(f"unknown product '{product}'. Products: {', '.join(products)}.")
        if product is None:
            with _guard("reading the last release shown"):
                raw = self.ctx.store.get_meta(_LAST)
            if raw and release is None:
                last_product, last_release = json.loads(raw)
                if last_product in products:
                    return last_product, last_release
            product = next(iter(products))
        return product, release

    def default_release(self, choices: list[ReleaseChoice]) -> str | None:
        """The first release still in development, else the newest one."""
        upcoming = [c for c in choices if not c.released]
        pick = upcoming[0] if upcoming else (choices[-1] if choices else None)
        return pick.release if pick else None

    def refresh_seconds(self, product: str) -> float:
        """The product's poll interval: the shortest its trackers ask for."""
        config = self.ctx.config
        wanted = []
        for source in config.product(product).sources:
            settings = config.trackers.get(source.tracker)
            value = getattr(settings, "refresh_seconds", None)
            if value:
                wanted.append(float(value))
        return max(MIN_REFRESH_SECONDS, min(wanted, default=DEFAULT_REFRESH_SECONDS))

    # -- boards -------------------------------------------------------------------

    def load(
        self,
        product: str,
        release: str,
        acks: Mapping[Category, str] | None = None,
        *,
        reuse: bool = False,
    ) -> BoardState:
        """The board as the store holds it (no tracker call).

        With ``reuse``, the issues read last time are evaluated again (sync
        state, activities and the clock are read afresh): for a refresh whose
        sync fetched nothing.
        """
        with _guard(f"reading {product} {release} from the local store"):
            now = self.clock()
            config = self.ctx.config
            cached = self._issues.get((product, release)) if reuse else None
            if cached is None:
                verdict, issues = evaluate_release(
                    config, self.ctx.store, product, release, now, acks
                )
                self._issues = {(product, release): issues}  # one release at a time
            else:
                issues = cached
                verdict = evaluate_issues(
                    config, self.ctx.store, product, release, issues, now, acks
                )
            state = board_state(
                product,
                config.product(product).name,
                release,
                verdict,
                issues,
                self.review(product),
                now,
            )
            if cached is None and not acks:
                # What the next start paints first, before it has evaluated anything.
                self.ctx.store.set_meta(
                    _BOARD + json.dumps([product, release]), encode_board(state).decode()
                )
            return state

    def saved_board(self, product: str, release: str) -> BoardState | None:
        """The board as the last session left it (provisional), if any."""
        with _guard(f"reading the saved board of {product} {release}"):
            raw = self.ctx.store.get_meta(_BOARD + json.dumps([product, release]))
        if not raw:
            return None
        try:
            return decode_board(raw)
        except ValueError:  # saved by another secgate version: evaluate instead
            return None

    def sync(self, product: str, release: str, *, full: bool = False) -> SyncReport:
        """Fetch the release from its trackers; failures are recorded, not raised."""
        with _guard(f"syncing {product} {release}"):
            results = self.ctx.syncer.sync_release(product, release, full=full)
        failures = tuple(
            f"{r.state.source} ({r.state.project}): {r.state.error}"
            for r in results
            if r.state.error
        )
        changed = any(r.full or r.count for r in results)
        return SyncReport(failures, sum(r.count for r in results), changed)

    def refresh(
        self, product: str, release: str, *, full: bool = False
    ) -> tuple[SyncReport, BoardState]:
        """Sync, then the board: in the sync process when there is one."""
        if self._process is not None:
            try:
                return self._process.refresh(product, release, full)
            except SyncProcessGone:
                self._process = None  # from now on in a thread: slower keys, same data
        report = self.sync(product, release, full=full)
        return report, self.load(product, release, reuse=not report.changed)

    def close(self) -> None:
        """Stop the sync process, if one was started."""
        if self._process is not None:
            self._process.close()

    def issue(self, state: BoardState, source: str, key: str) -> Issue:
        found = state.issues.get((source, key))
        text = state.issue_json.get((source, key))
        if found is None and text is not None:
            with _guard(f"reading {key}"):
                found = Issue.from_canonical_json(text)
        if found is None:
            raise UiError(f"{key} is not part of {state.title} any more (it changed on sync).")
        return found

    # -- reviews ----------------------------------------------------------------------

    def review(self, product: str) -> ReviewView:
        """From memory: the tracker's answer once known, else the config's date."""
        known = self._reviews.get(product)
        if known is not None:
            return known
        config = self.ctx.config.product(product)
        try:
            schedule = review_schedule(
                config.last_review, config.review_interval_days, self.clock()
            )
        except ValueError as exc:
            return ReviewView(product, config.name, None, problem=str(exc))
        return ReviewView(product, config.name, schedule)

    def reviews(self) -> list[ReviewView]:
        return [self.review(product) for product in self.products()]

    def review_from_tracker(self, product: str) -> ReviewView:
        """The last review from the tracker's review records (network; a worker)."""
        with _guard(f"reading the review records of {product}"):
            status = review_status(self.ctx.config, self.ctx.connections, product, self.clock())
        view = ReviewView(
            product,
            status.name,
            status.schedule,
            source=status.source,
            recorded_by=status.recorded_by,
            warnings=status.warnings,
        )
        self._reviews[product] = view
        return view

    # -- publishing records (every kind) ------------------------------------------------

    def prepare_record(
        self, kind: RecordKind[R, Q], request: Q, on_step: OnStep = noop
    ) -> Prepared[R]:
        """Build a record of any kind (nothing written); its failure is in the result."""
        with _guard(f"preparing the {kind.name}"):
            return Publisher(self.ctx, self.clock).prepare(kind, request, on_step)

    def publish(self, prepared: Prepared[R], on_step: OnStep = noop) -> Published[R]:
        """Post, read back, log and export a prepared record; failures name their step."""
        with _guard(f"publishing the {prepared.kind.name} of {prepared.product}"):
            result = Publisher(self.ctx, self.clock).publish(prepared, on_step)
        if prepared.kind.name == REVIEW.name:
            self._reviews.pop(prepared.product, None)  # re-read the schedule
        return result

    # -- authorization ------------------------------------------------------------------

    def prepare(
        self, product: str, release: str, acks: Mapping[Category, str], on_step: OnStep
    ) -> Preparation:
        """Steps 1-3 (sync, evaluate, build): nothing is written to a tracker."""
        request = AuthorizationRequest(product=product, release=release, acks=acks)
        return self.prepare_record(AUTHORIZATION, request, on_step)

    def commit(self, preparation: Preparation, on_step: OnStep) -> AuthorizationResult:
        """Steps 4-6 (post, read back, log, export); failures name their step."""
        return self.publish(preparation, on_step)

    # -- recording a review ----------------------------------------------------------

    def prepare_review(self, product: str, conclusions: str) -> tuple[PreparedReview, str]:
        """Parse the conclusions, gather the period's figures, build the record.

        Returns the prepared review and its text as it will read (nothing written).
        """
        try:
            parsed = parse_conclusions(conclusions, source="the conclusions")
        except ConclusionsError as exc:
            raise UiError(str(exc)) from None
        request = ReviewRequest(product=product, conclusions=parsed)
        with _guard(f"preparing the review of {product}"):
            prepared = Publisher(self.ctx, self.clock).prepare(REVIEW, request)
        if not prepared.ready:
            raise UiError(f"review not prepared: {prepared.message}")
        return prepared, prepared.preview

    def record_review(
        self, prepared: PreparedReview, progress: Callable[[str], None]
    ) -> RecordedReview:
        """Write, read back, log and export the review; then its schedule is re-read."""

        def on_step(event: StepEvent) -> None:
            if event.state != "started":
                detail = f": {event.detail}" if event.detail else ""
                progress(f"{event.step.value} {event.state}{detail}")

        done = self.publish(prepared, on_step)
        if done.failure is not None:
            step = done.failed_step.value if done.failed_step else "publish"
            raise UiError(f"review not recorded (step {step}): {done.message}")
        return done
