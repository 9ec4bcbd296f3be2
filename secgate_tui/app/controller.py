"""The one layer between the screens and secgate's services.

Every call that touches the store or a tracker goes through here and is run by
the screens in a thread worker. Whatever goes wrong below (a connector error, a
bad configuration, a store problem, a bug) comes out as :class:`UiError` with a
paragraph a release manager can read, never as a tracker's exception type.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from connectors.base import NotFoundError
from secgate_tui.domain import Category, Issue, IssueEvidence
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.release_dates import ReleaseDate, already_shipped
from secgate_tui.domain.review import ReviewRecord
from secgate_tui.domain.software import SoftwareIdentity
from secgate_tui.domain.text import printable
from secgate_tui.services.authorization_state import authorization_status, describe
from secgate_tui.services.board import BoardService, Evaluated, SyncReport
from secgate_tui.services.context import Context
from secgate_tui.services.evidence.export import export_bundle
from secgate_tui.services.evidence.gather import EvidenceError
from secgate_tui.services.publish import OnStep, Prepared, Published, Publisher, RecordKind, noop
from secgate_tui.services.publish.kinds.review import REVIEW
from secgate_tui.services.publish.kinds.review_signature import (
    REVIEW_SIGNATURE,
    ReviewSignatureRequest,
)
from secgate_tui.services.publish.kinds.signature import (
    SIGNATURE,
    SignatureRecord,
    SignatureRequest,
)
from secgate_tui.services.records_listing import Listing, list_records
from secgate_tui.services.release_dates import (
    ReleaseDatesError,
    stored_releases,
    synced_releases,
)
from secgate_tui.services.review_signoff import SignOff
from secgate_tui.services.review_status import review_status
from secgate_tui.services.review_trends import StoredTrends, stored_trends
from secgate_tui.services.review_verify import ReviewUnreadableError, read_sign_off
from secgate_tui.services.software import SoftwareInputError, software_identity
from secgate_tui.services.sync import utcnow

from .errors import UiError, guard
from .signing import sign_at_confirmation
from .sync_process import SyncProcess, SyncProcessGone
from .view_model import (
    BoardState,
    ReleaseChoice,
    ReviewView,
    config_review,
    decode_board,
    present,
)

Clock = Callable[[], datetime]
R = TypeVar("R")
Q = TypeVar("Q")

_LAST = "tui.last"
_RELEASES = "tui.releases."
#: Never poll a tracker more often than this, whatever the config says.
MIN_REFRESH_SECONDS = 2.0
DEFAULT_REFRESH_SECONDS = 60.0

__all__ = ["Controller", "SyncReport", "UiError"]


class Controller:
    """Reads boards from the store, syncs trackers, lists reviews."""

    def __init__(self, ctx: Context, clock: Clock = utcnow, *, sync_process: bool = False) -> None:
        self.ctx = ctx
        self.clock = clock
        #: Background syncs in a child process (the real UI), else in the
        #: calling thread (tests: deterministic and quick to start).
        self._process = SyncProcess(ctx.config, ctx.store.path, clock) if sync_process else None
        self.board = BoardService(ctx, clock)
        # Release lists in memory: the event loop reads these, never the store,
        # whose lock a running sync may hold for seconds.
        self._known: dict[str, list[ReleaseChoice]] = {}
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
        with guard("reading the release list"):
            raw = self.ctx.store.get_meta(_RELEASES + product)
        if not raw:
            return []
        choices = [ReleaseChoice(product, name, released) for name, released in json.loads(raw)]
        self._known.setdefault(product, choices)
        return choices

    def releases(self, product: str) -> list[ReleaseChoice]:
        """Releases from the trackers (network); remembered for the next start."""
        with guard(f"listing the releases of {product}"):
            found = self.ctx.syncer.releases(product)
            self.ctx.store.set_meta(_RELEASES + product, json.dumps(list(found.items())))
        choices = [ReleaseChoice(product, name, released) for name, released in found.items()]
        self._known[product] = choices
        return choices

    def remember(self, product: str, release: str) -> None:
        with guard("remembering the release"):
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
            with guard("reading the last release shown"):
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
        """The board as the store holds it (no tracker call); see BoardService.evaluate."""
        with guard(f"reading {product} {release} from the local store"):
            return self._present(self.board.evaluate(product, release, acks, reuse=reuse), acks)

    def _present(self, evaluated: Evaluated, acks: Mapping[Category, str] | None) -> BoardState:
        return present(self.board, evaluated, self.review(evaluated.product), save=not acks)

    def saved_board(self, product: str, release: str) -> BoardState | None:
        """The board as the last session left it (provisional), if any."""
        with guard(f"reading the saved board of {product} {release}"):
            raw = self.board.saved_board(product, release)
        if not raw:
            return None
        try:
            return decode_board(raw)
        except ValueError:  # saved by another secgate version: evaluate instead
            return None

    def sync(self, product: str, release: str, *, full: bool = False) -> SyncReport:
        """Fetch the release from its trackers; failures are recorded, not raised."""
        with guard(f"syncing {product} {release}"):
            return self.board.sync(product, release, full=full)

    def refresh(
        self, product: str, release: str, *, full: bool = False
    ) -> tuple[SyncReport, BoardState]:
        """Sync, then the board: in the sync process when there is one."""
        if self._process is not None:
            try:
                report, state = self._process.refresh(product, release, full)
            except SyncProcessGone:
                self._process = None  # from now on in a thread: slower keys, same data
            else:
                # The child knows the review date from the config only; this side
                # may have read the tracker's review records since.
                return report, replace(state, review=self.review(product))
        with guard(f"syncing {product} {release}"):
            report, evaluated = self.board.refresh(product, release, full=full)
            return report, self._present(evaluated, None)

    def close(self) -> None:
        """Stop the sync process, if one was started."""
        if self._process is not None:
            self._process.close()

    def issue(self, state: BoardState, source: str, key: str) -> Issue:
        found = state.issues.get((source, key))
        text = state.issue_json.get((source, key))
        if found is None and text is not None:
            with guard(f"reading {key}"):
                found = Issue.from_canonical_json(text)
        if found is None:
            raise UiError(f"{key} is not part of {state.title} any more (it changed on sync).")
        return found

    # -- activities ---------------------------------------------------------------------

    def max_age_days(self, product: str, activity_id: str) -> int:
        """The activity's maximum evidence age from the config (0: any age)."""
        for activity in self.ctx.config.product(product).activities:
            if activity.id == activity_id:
                return activity.max_age_days
        return 0

    def evidence_issue(self, evidence: IssueEvidence) -> Issue | None:
        """An activity's evidence issue, read from its tracker now (a worker); None: it
        does not exist. A tracker that cannot be read raises UiError saying so."""
        doing = f"reading {evidence.key} from tracker '{evidence.tracker}' (tracker unreachable)"
        with guard(doing):
            try:
                return self.ctx.connections.get(evidence.tracker).issue(evidence.key)
            except NotFoundError:
                return None

    # -- reviews ----------------------------------------------------------------------

    def review(self, product: str) -> ReviewView:
        """From memory: the tracker's answer once known, else the config's date."""
        known = self._reviews.get(product)
        if known is not None:
            return known
        return config_review(self.ctx.config, product, self.clock())

    def reviews(self) -> list[ReviewView]:
        return [self.review(product) for product in self.products()]

    def review_from_tracker(self, product: str) -> ReviewView:
        """The last review from the tracker's review records (network; a worker)."""
        with guard(f"reading the review records of {product}"):
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

    def review_trends(self, product: str) -> StoredTrends:
        """The product's trends over 24 months from the store (no network; a worker)."""
        with guard(f"reading the trends of {product} from the local store"):
            return stored_trends(self.ctx.config, self.ctx.store, product, self.clock())

    # -- publishing records (every kind) ------------------------------------------------

    def prepare_record(
        self, kind: RecordKind[R, Q], request: Q, on_step: OnStep = noop
    ) -> Prepared[R]:
        """Build a record of any kind (nothing written); its failure is in the result."""
        with guard(f"preparing the {kind.name}"):
            return Publisher(self.ctx, self.clock).prepare(kind, request, on_step)

    def publish(self, prepared: Prepared[R], on_step: OnStep = noop) -> Published[R]:
        """Post, read back, log and export a prepared record; failures name their step."""
        with guard(f"publishing the {prepared.kind.name} of {prepared.product}"):
            result = Publisher(self.ctx, self.clock).publish(prepared, on_step)
        if prepared.kind.name == REVIEW.name:
            self._reviews.pop(prepared.product, None)  # re-read the schedule
        return result

    # -- what an authorization names (issue 13) ------------------------------------------

    def shipped(self, product: str, release: str, *, stored: bool = False) -> ReleaseDate | None:
        """The release as its trackers give it when they show it shipped (a worker): then
        authorizing it is retrospective and needs a reason.

        The release lists come through the syncer (a sync's list of the last
        minute serves); with ``stored``, only from the store (after a prepare,
        whose fresh sync read them: no tracker call; None when none was kept).
        """
        doing = f"reading the release dates of {product}"
        if stored:
            with guard(doing):
                kept = stored_releases(self.ctx.config, self.ctx.store, product).releases
            return None if kept is None else already_shipped(kept, release)
        with guard(doing):
            try:
                releases = synced_releases(self.ctx.syncer, product)
            except ReleaseDatesError as exc:
                raise UiError(
                    f"{doing}: {printable(str(exc))} secgate cannot tell whether the release "
                    "already shipped (a retrospective authorization). Nothing was written."
                ) from None
        return already_shipped(releases, release)

    def software(
        self, product: str, release: str, artifacts: tuple[Path, ...], commit: str | None
    ) -> SoftwareIdentity:
        """The artifacts hashed and the commit resolved, as ``authorize --artifact --commit``
        does (a worker); a problem is the CLI's own words."""
        config = self.ctx.config
        with guard(f"naming the software of {product} {release}"):
            try:
                return software_identity(
                    config.product(product).software,
                    release,
                    artifacts=artifacts,
                    commit=commit,
                    config_dir=config.path.parent if config.path else None,
                )
            except SoftwareInputError as exc:
                raise UiError(str(exc)) from None

    # -- the authorization state --------------------------------------------------------

    def authorization(self, product: str, release: str, *, offline: bool = False) -> str:
        """The release's authorization state in one line, read from the tracker (a worker).

        An unreadable tracker gives ``UNKNOWN`` and why, never an error: the state
        is shown as not known, which is what it is.
        """
        return describe(self.authorization_state(product, release, offline=offline))

    def authorization_state(
        self, product: str, release: str, *, offline: bool = False
    ) -> dict[str, Any]:
        """The state as ``status --json`` gives it: state, record_id, signatures, missing_roles."""
        with guard(f"reading the authorization state of {product} {release}"):
            return authorization_status(self.ctx, product, release, offline=offline)

    def history(self, product: str) -> Listing:
        """Every authorization and review record of the product, read from its trackers
        (a worker): what ``secgate records --product P`` lists, problems included."""
        with guard(f"reading the records of {product}"):
            return list_records(self.ctx, product)

    # -- the evidence bundle --------------------------------------------------------------

    def export_evidence(self, product: str, release: str) -> tuple[Path, str]:
        """Write the release's evidence bundle from the store (a worker): where, and a summary.

        The same bundle as ``secgate evidence export --offline`` (no acknowledgements
        beyond the config's): the board's last sync is what it holds.
        """
        doing = f"exporting the evidence bundle of {product} {release}"
        with guard(doing):
            try:
                written = export_bundle(self.ctx, product, release, self.clock(), acks={})
            except EvidenceError as exc:
                raise UiError(f"{doing}: {printable(str(exc))}") from None
            except OSError as exc:
                reason = printable(exc.strerror or type(exc).__name__)
                raise UiError(
                    f"{doing}: could not write to {printable(str(self.ctx.records_dir))}: "
                    f"{reason}. Nothing was written."
                ) from None
        evidence = written.evidence
        records = (
            f"{len(evidence.records)} authorization record(s)"
            if evidence.records
            else "no authorization record (the release is not authorized)"
        )
        return written.path, f"verdict {evidence.verdict.outcome.value}, {records}"

    # -- signing (authorize and approve) -------------------------------------------------

    def plan_signature(
        self, authorization: Prepared[AuthorizationRecord], on_step: OnStep = noop
    ) -> Prepared[SignatureRecord]:
        """Who signs a prepared authorization record, in which role (nothing signed yet).

        A signer the policy would not count is refused here, before the confirmation,
        as ``secgate authorize`` refuses them.
        """
        request = SignatureRequest(
            product=authorization.product,
            release=authorization.subject,
            record=authorization.record,
        )
        return self.prepare_record(SIGNATURE, request, on_step)

    def sign(
        self, prepared: Prepared[R], record: AuthorizationRecord | ReviewRecord | None = None
    ) -> Prepared[R]:
        """Sign a prepared signature now, at the confirmation (a worker); nothing is posted.

        ``record`` is the record actually in the tracker when it differs from the one
        planned (an earlier attempt's record was adopted, or action issues linked).
        """
        what = "review" if isinstance(record, ReviewRecord) else "authorization"
        doing = f"signing the {what} record of {prepared.product}"
        return sign_at_confirmation(self.ctx, prepared, doing, record)

    def plan_review_signature(
        self, review: Prepared[ReviewRecord], on_step: OnStep = noop
    ) -> Prepared[SignatureRecord]:
        """Who signs a prepared review record, in which role (nothing signed yet), as
        ``secgate review record`` settles it before its confirmation."""
        request = ReviewSignatureRequest(product=review.product, record=review.record)
        return self.prepare_record(REVIEW_SIGNATURE, request, on_step)

    def review_sign_off(self, product: str, record_id: str) -> SignOff:
        """A review's sign-off read back from the review issue (a worker)."""
        with guard(f"reading the sign-off of review {record_id}"):
            try:
                return read_sign_off(self.ctx, product, record_id)
            except ReviewUnreadableError as exc:
                raise UiError(str(exc)) from None
