"""The dashboard: every duty across cases, most urgent first."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from notify_tui.domain.dashboard import SORT_KEYS, DashboardQuery, DutyRow
from notify_tui.errors import NotifyError
from notify_tui.services.session import Session
from notify_tui.settings import Preferences
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.drafts import DraftsScreen
from notify_tui.tui.screens.new_case import NewCaseScreen
from notify_tui.tui.screens.reports import ReportsScreen
from notify_tui.tui.screens.sync import SyncScreen
from notify_tui.tui.widgets.key_footer import KeyFooter
from notify_tui.tui.widgets.urgency import urgency_text
from notify_tui.tui.widgets.virtual_table import Cell, VirtualTable
from notify_tui.views.conflicts import CONFLICT_LEGEND, conflict_badge
from notify_tui.views.dashboard import (
    format_due,
)

COLUMNS = (
    ("case", "Case"),
    ("status", "Status"),
    ("due", "Due"),
    ("left", "Left"),
    ("subject", "Subject"),
    ("kind", "Kind"),
    ("duty", "Duty"),
    ("recipient", "To"),
)
"""Status and due date come first, so a narrow terminal never hides them."""

OFFICE_COLUMNS = (COLUMNS[0], ("la", "LA"), *COLUMNS[1:])
"""The business office holds many LAs' cases: the LA comes right after the case id."""

TABLE_PAGE = 60
"""Rows read from the vault at a time: a screenful or so; the table asks for the rows it
draws, so scrolling reads the next page when it reaches it."""

RIGHT_JUSTIFIED = {"left"}
"""Columns of numbers."""


class DashboardScreen(Screen[None]):
    """Every duty across cases in one table, with filters, search and sorting."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("n", "new_case('serious_incident')", "New incident",
                id="dashboard.new_serious_incident", show=True),
        Binding("l", "new_case('care_leaver_death')", "New care leaver",
                id="dashboard.new_care_leaver_death", show=True),
        Binding("c", "new_case('child_death')", "New child death",
                id="dashboard.new_child_death", show=True),
        Binding("f", "cycle_status", "Status", id="dashboard.status_filter", show=True),
        Binding("k", "cycle_kind", "Kind", id="dashboard.kind_filter", show=True),
        Binding("o", "cycle_sort", "Sort", id="dashboard.sort", show=True),
        Binding("slash", "focus_search", "Search", id="dashboard.search", show=True),
        Binding("g", "cycle_la", "LA", id="dashboard.la_filter", show=True),
        Binding("r", "reports", "Reports", id="dashboard.reports", show=True),
        Binding("v", "toggle_names", "Names", id="dashboard.names", show=False),
        Binding("ctrl+r", "reload", "Reload", id="dashboard.refresh", show=False),
        Binding("y", "sync", "Sync", id="dashboard.sync", show=True),
        Binding("d", "drafts", "Drafts", id="dashboard.drafts", show=True),
        Binding("escape", "leave_search", "Back to table", id="dashboard.leave_search",
                show=False),
    ]  # fmt: skip
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | (table) | open the highlighted case |
    | n | dashboard.new_serious_incident | new serious incident |
    | l | dashboard.new_care_leaver_death | new care leaver death |
    | c | dashboard.new_child_death | new child death |
    | f | dashboard.status_filter | cycle open / overdue / due this week / done / all |
    | k | dashboard.kind_filter | cycle all kinds / each kind |
    | g | dashboard.la_filter | office only: cycle every LA / each LA held |
    | r | dashboard.reports | the reports screen (figures by duty and LA) |
    | o | dashboard.sort | sort by the next column (click a header to sort by it) |
    | / | dashboard.search | search names and outlines |
    | v | dashboard.names | show full names or initials |
    | ctrl+r | dashboard.refresh | reload |
    | y | dashboard.sync | sync: keys, peers, export and import of bundles |
    | d | dashboard.drafts | the drafts: forms started and not yet recorded |
    | escape | dashboard.leave_search | from the search box back to the table |
    """

    def __init__(self, session: Session, preferences: Preferences) -> None:
        super().__init__()
        self.session = session
        self.preferences = preferences
        self.total = 0
        self._loaded_on_mount = False
        self.office = session.identity.role == "office"
        self.query_state = DashboardQuery(
            full_names=preferences.display.show_full_names, today=session.today()
        )

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="counts")
        yield Static(id="drafts-line")
        yield Input(placeholder="Search names and outlines (press /)", id="search")
        yield Static(id="filters")
        yield VirtualTable[DutyRow](self._cells, id="duties")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "notify-tui"
        user = self.session.user
        signed_in = f" · {user.name} ({user.role})" if user else ""
        self.sub_title = (
            f"{self.session.identity.org}{signed_in} · today {format_due(self.session.today())}"
        )
        table = self.query_one("#duties", VirtualTable)
        for key, label in OFFICE_COLUMNS if self.office else COLUMNS:
            table.add_column(label, key=key, justify="right" if key in RIGHT_JUSTIFIED else "left")
        table.focus()
        # Rows added before the first layout are measured once and painted once; added on
        # the first resume, the table was laid out and painted empty, then again filled.
        self.reload()
        self._loaded_on_mount = True
        if self.query_state.full_names:
            self._log_names_shown()

    def on_screen_resume(self) -> None:
        # Also fires on first showing; reloading here picks up changes made on other screens.
        # Locking pops every screen, which resumes this one after the vault has closed.
        if self._loaded_on_mount:  # the first showing: on_mount has just loaded the rows
            self._loaded_on_mount = False
            return
        if self.app.screen is self:
            self.reload()

    # -- data ----------------------------------------------------------------------

    def reload(self) -> None:
        """Count the duties again and redraw (the vault may have changed)."""
        today = self.session.today()
        self.query_state = replace(self.query_state, today=today)
        if self.session.preferences is not self.preferences:  # saved in settings meanwhile
            self.preferences = self.session.preferences
            showing = self.query_state.full_names
            self.query_state = replace(
                self.query_state, full_names=self.preferences.display.show_full_names
            )
            if self.query_state.full_names and not showing:
                self._log_names_shown()
        self.query_one("#counts", Static).update(self.session.duty_counts(today).describe())
        self.show_drafts()
        self.total = self.session.total_duties()
        self.redraw(keep_place=True)

    def show_drafts(self) -> None:
        """Say how many forms were started and not yet recorded (hidden when none)."""
        drafts = self.session.drafts.summaries()
        line = self.query_one("#drafts-line", Static)
        line.display = bool(drafts)
        if drafts:
            count = len(drafts)
            line.update(
                f"{count} draft{'s' if count > 1 else ''} not yet recorded (the newest saved "
                f"{drafts[0].age}): press d to open"
            )

    def redraw(self, *, keep_place: bool = False) -> None:
        """Apply the filters and sort, and show the first page (or, with `keep_place`,
        the rows where the user was: coming back from a case keeps the cursor there)."""
        try:
            shown = self.session.duty_pages(self.query_state, page_size=TABLE_PAGE)
        except NotifyError as error:
            self.notify(error.message, severity="warning")
            return
        self.query_one("#duties", VirtualTable).show(shown, keep_place=keep_place)
        self.query_one("#filters", Static).update(
            f"{len(shown)} of {self.total} duties · {self.query_state.describe()} · "
            f"{CONFLICT_LEGEND}",
            layout=False,  # one line, full width, whatever it says: no layout needed
        )

    def _cells(self, row: DutyRow) -> tuple[Cell, ...]:
        cells = self._duty_cells(row)
        return (cells[0], row.org, *cells[1:]) if self.office else cells

    def _duty_cells(self, row: DutyRow) -> tuple[Cell, ...]:
        badge = conflict_badge(row.conflicts)
        return (
            f"{row.case_id} {badge}" if badge else row.case_id,
            urgency_text(row.status_label, row.urgency),
            format_due(row.due),
            row.left_label(),
            row.subject(self.query_state.full_names),
            row.kind_label,
            row.duty,
            row.recipients,
        )

    # -- actions -------------------------------------------------------------------

    def action_cycle_status(self) -> None:
        """Cycle the status filter."""
        self.query_state = self.query_state.next_status()
        self.redraw()

    def action_cycle_kind(self) -> None:
        """Cycle the kind filter."""
        self.query_state = self.query_state.next_kind()
        self.redraw()

    def action_cycle_sort(self) -> None:
        """Sort by the next column."""
        keys = [key for key in SORT_KEYS if self.office or key != "la"]
        index = keys.index(self.query_state.sort_key)
        self.query_state = self.query_state.sorted_by(keys[(index + 1) % len(keys)])
        self.redraw()

    def action_cycle_la(self) -> None:
        """Office: show every LA's duties, then each LA's in turn."""
        self.query_state = self.query_state.next_la(self.session.las_held())
        self.redraw()

    def action_reports(self) -> None:
        """Open the reports screen."""
        self.app.push_screen(ReportsScreen(self.session))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The LA filter is the office's: an LA's vault holds its own cases only."""
        if action == "cycle_la":
            return self.office
        return True

    def action_toggle_names(self) -> None:
        """Show full names or initials."""
        self.query_state = replace(self.query_state, full_names=not self.query_state.full_names)
        if self.query_state.full_names:
            self._log_names_shown()
        self.redraw()

    def _log_names_shown(self) -> None:
        """Full names are on the screen: the access log records who saw them."""
        self.session.record_access("names_shown", None, "dashboard")

    def action_focus_search(self) -> None:
        """Move to the search box."""
        self.query_one("#search", Input).focus()

    def action_leave_search(self) -> None:
        """Back to the table."""
        self.query_one("#duties", VirtualTable).focus()

    def action_reload(self) -> None:
        """Reload every duty."""
        self.reload()

    def action_sync(self) -> None:
        """Open the sync screen."""
        self.app.push_screen(SyncScreen(self.session))

    def action_new_case(self, kind: str) -> None:
        """Open the new case form for a kind."""
        self.app.push_screen(NewCaseScreen(self.session, kind), self.case_created)

    def case_created(self, case_id: str | None) -> None:
        """A new case was saved: say so and open it."""
        if case_id is not None:
            self.notify(f"Case {case_id} saved.", title="Saved")
            self.open_case(case_id)

    def action_drafts(self) -> None:
        """Show the drafts: forms started and not yet recorded."""
        self.app.push_screen(DraftsScreen(self.session))

    @on(VirtualTable.HeaderSelected, "#duties")
    def _sort_by_header(self, event: VirtualTable.HeaderSelected) -> None:
        self.query_state = self.query_state.sorted_by(event.column.key)
        self.redraw()

    @on(VirtualTable.RowSelected, "#duties")
    def _open_case(self, event: VirtualTable.RowSelected) -> None:
        row = event.table.item_at(event.row)
        if row is not None:
            self.open_case(row.case_id)

    def open_case(self, case_id: str) -> None:
        """Show a case."""
        self.app.push_screen(CaseDetailScreen(self.session, case_id, self.query_state.full_names))

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, _event: Input.Submitted) -> None:
        self.action_leave_search()

    @work(exclusive=True, group="search")
    async def _search(self, text: str) -> None:
        # An async worker on the UI thread (its reads hop to the vault's owner thread);
        # `exclusive` drops stale searches while typing, and the sleep debounces keys.
        await asyncio.sleep(0.25)
        previous = self.query_state
        self.query_state = replace(self.query_state, search=text.strip())
        try:
            self.session.duty_pages(self.query_state, page_size=1)
        except NotifyError as error:
            self.query_state = previous
            self.notify(error.message, severity="warning")
            return
        self.redraw()
