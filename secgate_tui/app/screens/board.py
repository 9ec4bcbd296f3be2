"""The board: gate banner, the category overview with the chosen category's items
(or the SBOM/VEX check's findings), activities and the next review.

It is live. A thread worker syncs the release every ``refresh_seconds`` and
re-reads it from the store; only boards whose values changed are repainted,
and typing is never blocked because no tracker or store call runs on the
event loop. A failing tracker leaves the last data on screen, marked stale.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from secgate_tui.app import heap
from secgate_tui.app.controller import Controller
from secgate_tui.app.errors import UiError
from secgate_tui.app.render import safe
from secgate_tui.app.screens.activity_detail import ActivityDetailScreen
from secgate_tui.app.screens.history import HistoryScreen
from secgate_tui.app.screens.info import InfoScreen
from secgate_tui.app.screens.issue_detail import IssueDetailScreen
from secgate_tui.app.screens.picker import ReleasePicker
from secgate_tui.app.screens.publish import PublishScreen
from secgate_tui.app.screens.publish_signed import SignatureFlow, authorization_flow
from secgate_tui.app.screens.reviews import ReviewsScreen
from secgate_tui.app.view_model import BoardState, ReleaseChoice, ReviewView
from secgate_tui.app.widgets.activities import ActivitiesPanel
from secgate_tui.app.widgets.authorization_line import AuthorizationLine
from secgate_tui.app.widgets.category_board import CategoryBoard
from secgate_tui.app.widgets.category_overview import (
    UNCLASSIFIED,
    UNCLASSIFIED_LABEL,
    VULNERABILITIES,
    CategoryOverview,
)
from secgate_tui.app.widgets.gate_banner import GateBanner
from secgate_tui.app.widgets.review_badge import ReviewBadge
from secgate_tui.app.widgets.vulnerability_board import VulnerabilityBoard
from secgate_tui.app.widgets.vulnerability_detail import finding_text
from secgate_tui.domain import Category
from secgate_tui.domain.text import printable
from secgate_tui.services.board import SyncReport

#: Below this width the side panel moves under the boards, which get the full width.
NARROW = 140
SIDE_WIDTH = 40
SHORT = 30


class BoardScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "pick_release", "Release"),
        Binding("a", "authorize", "Authorize"),
        Binding("p", "approve", "Approve"),
        Binding("e", "export_evidence", "Export evidence"),
        Binding("v", "reviews", "Reviews"),
        Binding("h", "history", "History"),
        Binding("s", "sync_now", "Sync now"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("w", "why", "Every reason", show=False),
        Binding("escape", "overview", "Back to the categories", show=False),
        Binding("ctrl+l", "clear_filter", "Clear the filter", show=False),
    ]

    class Loaded(Message):
        def __init__(self, state: BoardState) -> None:
            super().__init__()
            self.state = state

    class Synced(Message):
        def __init__(self, report: SyncReport | None, error: str | None) -> None:
            super().__init__()
            self.report = report
            self.error = error

    class Unknown(Message):
        """No tracker knows the release: an error, not a board."""

        def __init__(self, product: str, release: str, message: str) -> None:
            super().__init__()
            self.product = product
            self.release = release
            self.message = message

    class Problem(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    class AuthorizationKnown(Message):
        def __init__(self, product: str, release: str, line: str) -> None:
            super().__init__()
            self.product = product
            self.release = release
            self.line = line

    class EvidenceWritten(Message):
        def __init__(self, path: str, summary: str) -> None:
            super().__init__()
            self.path = path
            self.summary = summary

    class ReviewKnown(Message):
        def __init__(self, review: ReviewView) -> None:
            super().__init__()
            self.review = review

    class ReleasesKnown(Message):
        def __init__(self, product: str, choices: list[ReleaseChoice], open_first: bool) -> None:
            super().__init__()
            self.product = product
            self.choices = choices
            self.open_first = open_first

    def __init__(self, controller: Controller, product: str, release: str | None) -> None:
        super().__init__()
        self.controller = controller
        self.product = product
        self.release = release
        self.state: BoardState | None = None
        self._syncing = False
        self._sync_after_load = False
        self._timer: Timer | None = None
        self._read_authorization = False

    def compose(self) -> ComposeResult:
        yield GateBanner(id="banner")
        yield AuthorizationLine(id="authorization")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield Input(placeholder="filter items by key or title", id="filter")
                yield Static(Text(""), id="filter-note", markup=False)
                yield CategoryOverview(id="overview")
                with VerticalScroll(id="boards"):
                    yield CategoryBoard(UNCLASSIFIED_LABEL, id=UNCLASSIFIED)
                    for category in Category:
                        yield CategoryBoard(category.title, id=f"board-{category.value}")
                    yield VulnerabilityBoard(id=VULNERABILITIES)
            with Vertical(id="side"):
                yield ReviewBadge(id="review")
                yield ActivitiesPanel(id="activities")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.query_one("#filter", Input).cursor_blink = getattr(self.app, "cursor_blink", True)
        self.query_one("#filter-note").display = False
        self._show_board(None)
        self.query_one(CategoryOverview).focus()
        self._fit(self.app.size.width, self.app.size.height)
        self.refresh_releases()
        if self.release is None:
            release = self.controller.default_release(self.controller.known_releases(self.product))
            if release is None:
                self.query_one(GateBanner).show_message(
                    f"Asking the trackers for the releases of {self.product}…"
                )
                return
            self.release = release
        self.open(self.product, self.release)

    def on_resize(self) -> None:
        self._fit(self.app.size.width, self.app.size.height)

    def _fit(self, width: int, height: int) -> None:
        # Below NARROW columns the side panel moves under the boards; below
        # SHORT lines it shrinks so the chosen category's items stay visible.
        narrow = width < NARROW
        self.set_class(narrow, "-narrow")
        self.set_class(height < SHORT, "-short")
        board_width = width - (0 if narrow else SIDE_WIDTH) - 1  # minus the scrollbar
        for board in self._boards():
            board.set_width(board_width)

    def _boards(self) -> list[CategoryBoard | VulnerabilityBoard]:
        """Every board the overview opens: the categories' and the SBOM/VEX check's."""
        return [*self.query(CategoryBoard), *self.query(VulnerabilityBoard)]

    # -- opening a release ---------------------------------------------------------

    def open(self, product: str, release: str) -> None:
        """Show another release: from the store at once, then a sync."""
        self.product, self.release = product, release
        self.state = None
        self.query_one(CategoryOverview).display = True
        self.sub_title = f"{product} {release}"
        self.query_one(GateBanner).show_message(f"Loading {product} {release}…")
        self.query_one(AuthorizationLine).reading()
        self._read_authorization = True
        # The store first, so the board paints at once; the sync (slow, and it
        # competes for the interpreter) starts once the board is on screen.
        self._sync_after_load = True
        self.load_board()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_interval(
            self.controller.refresh_seconds(product), self._tick, name="refresh"
        )

    def _tick(self) -> None:
        if not self._syncing:
            self.sync_board()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_board(self) -> None:
        product, release = self.product, self.release
        assert release is not None
        heap.pause()
        try:
            if self.state is None:
                # Paint the last session's board at once; evaluating thousands of
                # issues takes a moment longer.
                saved = self.controller.saved_board(product, release)
                if saved is not None:
                    self.post_message(self.Loaded(saved))
            state = self.controller.load(product, release)
        except UiError as exc:
            self.post_message(self.Problem(exc.message))
            return
        if get_current_worker().is_cancelled:
            heap.settle()
        else:
            self.post_message(self.Loaded(state))

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def sync_board(self, full: bool = False) -> None:
        product, release = self.product, self.release
        if release is None:
            return
        self._syncing = True
        heap.pause()
        try:
            report, state = self.controller.refresh(product, release, full=full)
            if not report.unknown:
                # Only a release some tracker knows opens next time.
                self.controller.remember(product, release)
        except UiError as exc:
            self.post_message(self.Synced(None, exc.message))
            return
        finally:
            self._syncing = False
        if report.unknown:
            self.post_message(self.Unknown(product, release, report.unknown))
            return
        self.post_message(self.Loaded(state))
        self.post_message(self.Synced(report, None))

    @work(thread=True, exclusive=True, group="releases", exit_on_error=False)
    def refresh_releases(self) -> None:
        """Release lists, then review schedules, from the trackers."""
        products = list(self.controller.products())
        for product in products:
            opening = product == self.product and self.release is None
            try:
                choices = self.controller.releases(product)
            except UiError as exc:
                self.post_message(self.Problem(exc.message))
                continue
            self.post_message(self.ReleasesKnown(product, choices, opening))
        for product in products:
            try:
                review = self.controller.review_from_tracker(product)
            except UiError as exc:
                self.post_message(self.Problem(exc.message))
                continue
            self.post_message(self.ReviewKnown(review))

    # -- messages from the workers ------------------------------------------------------

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        state = message.state
        if (state.product, state.release) != (self.product, self.release):
            return  # a late answer for a release no longer shown
        if state.provisional and self.state is not None:
            return  # the fresh evaluation was faster than the saved board
        self.state = state
        self.query_one(GateBanner).show(state)
        self.query_one("#unclassified", CategoryBoard).show_unclassified(state.unclassified)
        for view in state.categories:
            self.query_one(f"#board-{view.category.value}", CategoryBoard).show(view)
        self.query_one(VulnerabilityBoard).show(state.vulnerabilities)
        overview = self.query_one(CategoryOverview)
        overview.show(state)
        self._show_board(overview.board)
        self._apply_filter()
        self.query_one(ActivitiesPanel).show(state.activities)
        # The controller's view: the tracker's review records once read.
        self.query_one(ReviewBadge).show(self.controller.review(state.product))
        if state.provisional:
            return
        heap.settle()
        if self._read_authorization:
            self._read_authorization = False
            self.read_authorization()
        if self._sync_after_load:
            self._sync_after_load = False
            self.call_after_refresh(self.sync_board)

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        heap.settle()
        if message.error:
            self.notify(
                message.error, title="Sync failed", severity="error", timeout=8, markup=False
            )

    @on(Unknown)
    def _unknown(self, message: Unknown) -> None:
        heap.settle()
        if (message.product, message.release) != (self.product, self.release):
            return
        self.state = None  # nothing to authorize or open
        if self._timer is not None:
            self._timer.stop()
        self._show_board(None)
        self.query_one(CategoryOverview).display = False
        self.query_one(GateBanner).show_error(message.message)
        self.notify(
            message.message, title="Unknown release", severity="error", timeout=8, markup=False
        )
        self.action_pick_release()

    @on(Problem)
    def _problem(self, message: Problem) -> None:
        heap.settle()
        self.notify(message.message, severity="error", timeout=8, markup=False)
        if self.state is None and self.release is None:
            self.query_one(GateBanner).show_message(message.message)

    @work(thread=True, exclusive=True, group="authorization", exit_on_error=False)
    def read_authorization(self) -> None:
        """The release's authorization state from the tracker (its record issue)."""
        product, release = self.product, self.release
        if release is None:
            return
        try:
            line = self.controller.authorization(product, release)
        except UiError as exc:
            line = f"UNKNOWN, {exc.message}"
        self.post_message(self.AuthorizationKnown(product, release, line))

    @on(AuthorizationKnown)
    def _authorization_known(self, message: AuthorizationKnown) -> None:
        if (message.product, message.release) == (self.product, self.release):
            self.query_one(AuthorizationLine).show(message.line)

    @work(thread=True, exclusive=True, group="evidence", exit_on_error=False)
    def export_evidence(self, product: str, release: str) -> None:
        try:
            path, summary = self.controller.export_evidence(product, release)
        except UiError as exc:
            self.post_message(self.Problem(exc.message))
            return
        self.post_message(self.EvidenceWritten(str(path), summary))

    @on(EvidenceWritten)
    def _evidence_written(self, message: EvidenceWritten) -> None:
        # Printable already (the controller's words and a path); no markup is parsed.
        self.notify(
            f"Written to {message.path} ({message.summary}). "
            "Check it offline with `secgate evidence check FILE`.",
            title="Evidence bundle",
            timeout=12,
            markup=False,
        )

    @on(ReviewKnown)
    def _review_known(self, message: ReviewKnown) -> None:
        if message.review.product == self.product:
            self.query_one(ReviewBadge).show(message.review)

    @on(ReleasesKnown)
    def _releases_known(self, message: ReleasesKnown) -> None:
        if message.open_first and self.release is None:
            release = self.controller.default_release(message.choices)
            if release is None:
                self.query_one(GateBanner).show_message(
                    f"{message.product} has no release in its trackers yet."
                )
                return
            self.open(message.product, release)

    def _show_board(self, board: str | None) -> None:
        """Only the category under the overview's cursor lists its items."""
        for widget in self._boards():
            widget.display = widget.id == board

    @on(CategoryOverview.Selected)
    def _category_selected(self, message: CategoryOverview.Selected) -> None:
        self._show_board(message.board)

    @on(CategoryOverview.Opened)
    def _category_opened(self, message: CategoryOverview.Opened) -> None:
        board = next(b for b in self._boards() if b.id == message.board)
        self._show_board(message.board)
        if board.table.row_count:
            board.table.focus()
        elif isinstance(board, VulnerabilityBoard):
            self.notify("No finding to list: every finding is settled.", timeout=3)
        else:
            self.notify("No item in this category: nothing to list.", timeout=3)

    # -- the filter ---------------------------------------------------------------------

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        field.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._apply_filter()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = bool(field.value.strip())
        self.query_one(CategoryOverview).focus()

    def _apply_filter(self) -> None:
        text = self.query_one("#filter", Input).value.strip()
        shown = total = 0
        matches: dict[str, int] = {}
        for board in self._boards():
            count, of = board.set_filter(text)
            shown, total = shown + count, total + of
            matches[board.id or ""] = count
        self.query_one(CategoryOverview).show_matches(matches if text else None)
        note = self.query_one("#filter-note", Static)
        note.display = bool(text)
        if text:
            line = Text(" FILTER ", style="bold reverse")
            line.append_text(safe(f"  '{text}': {shown} of {total} listed item(s) match", 100))
            line.append("  (/ to change, ctrl+l clears)", style="dim")
            note.update(line)

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.value = ""
        field.display = False
        self._apply_filter()
        self.query_one(CategoryOverview).focus()

    def action_why(self) -> None:
        """Every reason the gate gives, on a page of its own."""
        if self.state is None:
            return
        reasons = self.state.verdict.reasons
        body = Text()
        for reason in reasons or ("nothing blocks",):
            body.append("• ")
            body.append_text(safe(reason))
            body.append("\n")
        title = f"Why {self.state.title} is {self.state.verdict.outcome.value}"
        self.app.push_screen(InfoScreen(title, body, id="why"))

    def action_overview(self) -> None:
        self.query_one(CategoryOverview).focus()

    @on(ActivitiesPanel.Opened)
    def _activity_opened(self, message: ActivitiesPanel.Opened) -> None:
        if self.state is None:
            return
        activity = message.activity
        limit = self.controller.max_age_days(self.state.product, activity.id)
        now = self.state.verdict.evaluated_at
        self.app.push_screen(ActivityDetailScreen(self.controller, activity, limit, now))

    @on(VulnerabilityBoard.FindingChosen)
    def _finding_chosen(self, message: VulnerabilityBoard.FindingChosen) -> None:
        """A finding on a page of its own: everything the VEX says of it."""
        row = message.row
        title = printable(f"{row.vulnerability} in {row.component}", 200)
        self.app.push_screen(InfoScreen(title, finding_text(row), id="finding"))

    @on(CategoryBoard.IssueChosen)
    def _issue_chosen(self, message: CategoryBoard.IssueChosen) -> None:
        if self.state is None or self.state.provisional:
            self.notify("Still evaluating the release; try again in a moment.")
            return
        try:
            issue = self.controller.issue(self.state, message.source, message.key)
        except UiError as exc:
            self.notify(exc.message, severity="warning")
            return
        self.app.push_screen(IssueDetailScreen(issue, self.state))

    # -- actions ----------------------------------------------------------------------------

    def action_sync_now(self) -> None:
        if self.release is None:
            return
        self.notify(f"Syncing {self.product} {self.release} from its trackers…", timeout=3)
        self.sync_board(full=True)
        self.read_authorization()

    def action_pick_release(self) -> None:
        choices = [
            choice
            for product in self.controller.products()
            for choice in self.controller.known_releases(product)
        ]

        def chosen(choice: ReleaseChoice | None) -> None:
            if choice is not None:
                self.open(choice.product, choice.release)

        self.app.push_screen(
            ReleasePicker(choices, self.controller.products(), (self.product, self.release)),
            chosen,
        )

    def action_authorize(self) -> None:
        if self.release is None or self.state is None or self.state.provisional:
            self.notify("Wait until the release is evaluated.", severity="warning")
            return

        def done(_: bool | None) -> None:
            self.load_board()
            self.query_one(AuthorizationLine).reading()
            self.read_authorization()

        flow = authorization_flow(self.controller, self.state)
        self.app.push_screen(PublishScreen(self.controller, flow), done)

    def action_approve(self) -> None:
        """Sign the newest authorization record of the release shown (issue 12)."""
        if self.release is None or self.state is None or self.state.provisional:
            self.notify("Wait until the release is evaluated.", severity="warning")
            return
        if self.controller.ctx.config.settings.signing is None:
            self.notify(
                "Approving needs signing: the configuration has no [signing] table "
                '(see README, "Signed approvals"). Nothing was signed.',
                severity="error",
                markup=False,
            )
            return

        def done(_: bool | None) -> None:
            self.query_one(AuthorizationLine).reading()
            self.read_authorization()

        flow = SignatureFlow(self.product, self.release)
        self.app.push_screen(PublishScreen(self.controller, flow), done)

    def action_export_evidence(self) -> None:
        if self.release is None or self.state is None or self.state.provisional:
            self.notify("Wait until the release is evaluated.", severity="warning")
            return
        self.notify(f"Exporting the evidence bundle of {self.product} {self.release}…", timeout=3)
        self.export_evidence(self.product, self.release)

    def action_reviews(self) -> None:
        self.app.push_screen(ReviewsScreen(self.controller))

    def action_history(self) -> None:
        """The product's authorization and review records, from the trackers."""
        self.app.push_screen(HistoryScreen(self.controller, self.product, self.release))
