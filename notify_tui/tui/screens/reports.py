"""The reports screen: the figures of `notify-tui report` for a period and an LA."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from notify_tui.domain.dashboard import URGENCY_LABELS
from notify_tui.domain.urgency import urgency
from notify_tui.errors import NotifyError
from notify_tui.services.session import Session
from notify_tui.services.types import Report
from notify_tui.tui.widgets.bar_chart import bar_chart
from notify_tui.tui.widgets.urgency import urgency_text
from notify_tui.views.dates import parse_day
from notify_tui.views.reports import (
    DEFINITIONS,
    NOTIFICATION_NOTES,
    OPEN_ROWS_SHOWN,
    TIMELINESS_COLUMNS,
    day_text,
    death_bars,
    deaths_title,
    decisions_text,
    duty_name,
    last_twelve_months,
    late_reason_text,
    late_title,
    left_out_text,
    notification_rows,
    open_left_text,
    open_more_text,
    open_title,
    period_presets,
    period_text,
    preset_named,
    scope_label,
    share_bars,
    timeliness_cells,
)

ALL_LAS = "*"
"""The LA selector's value for every LA held (no organisation is called "*")."""


class ReportsScreen(Screen[None]):
    """Timeliness figures for leaders and inspectors (counting rules: docs/reports.md).

    Cases appear by id and LA only: no names. The office chooses one LA or all; an LA
    sees itself.
    """

    CSS_PATH = "reports.tcss"
    BINDINGS = [
        Binding("p", "period('last_month')", "Last month", id="reports.last_month", show=True),
        Binding(
            "m", "period('month_to_date')", "Month to date", id="reports.this_month", show=True
        ),
        Binding(
            "y", "period('last_12_months')", "Last 12 months", id="reports.last_year", show=True
        ),
        Binding("escape", "back", "Back", id="reports.back", show=True),
    ]
    """Keys (remap by id with `App.set_keymap`); the line above the figures names each
    preset's dates for today:

    | key | id | does |
    |---|---|---|
    | p | reports.last_month | the period: the whole of last month |
    | m | reports.this_month | the period: the 1st of this month to today (on the 1st: today) |
    | y | reports.last_year | the period: the last 12 months (the default) |
    | escape | reports.back | back to the dashboard |
    """

    def __init__(self, session: Session, start: date | None = None, end: date | None = None):
        super().__init__()
        self.session = session
        default_start, default_end = last_twelve_months(session.today())
        self.start = start or default_start
        self.end = end or default_end
        self.figures: Report | None = None
        self._shown: tuple[date, date, str | None] | None = None
        """The period and LA the tables show: the fields' own change events on mounting,
        and a preset that is already chosen, ask for them again and are not recomputed."""

    def compose(self) -> ComposeResult:
        office = self.session.identity.role == "office"
        held = self.session.las_held()
        if office:
            options = [("All LAs", ALL_LAS), *((org, org) for org in held)]
        else:
            options = [(self.session.identity.org, self.session.identity.org)]
        yield Header()
        with Horizontal(id="period"):
            yield Label("From")
            yield Input(self.start.isoformat(), id="from", max_length=10)
            yield Label("To")
            yield Input(self.end.isoformat(), id="to", max_length=10)
            yield Label("LA")
            yield Select(
                options, value=options[0][1], allow_blank=False, id="la", disabled=not office
            )
        yield Static(id="presets")
        yield Static(id="period-error")
        with VerticalScroll(id="report"):
            yield Static("Notifications by duty and LA", classes="section-title")
            yield DataTable(id="notifications", cursor_type="row", zebra_stripes=True)
            yield Static(id="left-out", classes="figure-line")
            for key in NOTIFICATION_NOTES:
                yield Static(DEFINITIONS[key], classes="caption")
            yield Static(DEFINITIONS["left_out"], classes="caption")
            yield Static("Share sent within deadline, by duty", classes="section-title")
            yield Static(id="share-chart", classes="chart")
            yield Static(
                "Rapid reviews (15 working days) and local reviews (6 months)",
                classes="section-title",
            )
            yield DataTable(id="follow-ons", cursor_type="row")
            yield Static(DEFINITIONS["reviews"], classes="caption")
            yield Static(id="late-title", classes="section-title")
            yield Static(DEFINITIONS["late_sends"], classes="caption")
            yield DataTable(id="late-sends", cursor_type="row", zebra_stripes=True)
            yield Static("Decisions not to notify", classes="section-title")
            yield Static(DEFINITIONS["decisions_not_to_notify"], classes="caption")
            yield Static(id="not-notifying", classes="chart")
            yield Static(id="deaths-title", classes="section-title")
            yield Static(DEFINITIONS["child_deaths"], classes="caption")
            yield Static(id="deaths-chart", classes="chart")
            yield DataTable(id="age-bands", cursor_type="row")
            yield Static(id="open-title", classes="section-title")
            yield Static(DEFINITIONS["open"], classes="caption")
            yield DataTable(id="open-duties", cursor_type="row", zebra_stripes=True)
            yield Static(id="open-more", classes="figure-line")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Reports"
        self.sub_title = f"{self.session.identity.org} · no names: cases by id and LA"
        self.query_one("#notifications", DataTable).add_columns("Duty", "LA", *TIMELINESS_COLUMNS)
        self.query_one("#follow-ons", DataTable).add_columns("Review", *TIMELINESS_COLUMNS)
        self.query_one("#late-sends", DataTable).add_columns(
            "Case", "LA", "Duty", "Due", "Sent", "Working days late", "Reason"
        )
        self.query_one("#age-bands", DataTable).add_columns("Age band", "Deaths")
        self.query_one("#open-duties", DataTable).add_columns(
            "Case", "LA", "Duty", "Due", "Working days left", "Status"
        )
        self.query_one("#period-error", Static).update("Working out the figures…")
        self.query_one("#report", VerticalScroll).focus()
        # The screen is drawn first, then filled: the figures read every duty.
        self.call_after_refresh(self.show_report)

    # -- the period ------------------------------------------------------------------

    @property
    def la(self) -> str | None:
        """The LA chosen, or None for every LA held."""
        if self.session.identity.role != "office":
            own = self.session.identity.org
            # An LA vault holds only its own cases; with none yet there is nothing to filter.
            return own if own in self.session.las_held() else None
        value = self.query_one("#la", Select).value
        return None if value == ALL_LAS or not isinstance(value, str) else value

    def action_period(self, which: str) -> None:
        """Set the period to a preset: last month, month to date or the last 12 months."""
        preset = next(p for p in period_presets(self.session.today()) if p.key == which)
        start, end = preset.start, preset.end
        with self.prevent(Input.Changed):
            self.query_one("#from", Input).value = start.isoformat()
            self.query_one("#to", Input).value = end.isoformat()
        self.start, self.end = start, end
        self.show_report()

    @on(Input.Changed, "#from, #to")
    def _period_typed(self) -> None:
        today = self.session.today()
        start = parse_day(self.query_one("#from", Input).value, today)
        end = parse_day(self.query_one("#to", Input).value, today)
        if start is None or end is None:
            self.query_one("#period-error", Static).update(
                "write both dates as 30/11/2026, 2026-11-30, today or yesterday"
            )
            return
        self.start, self.end = start, end
        self.show_report()

    @on(Select.Changed, "#la")
    def _la_chosen(self) -> None:
        self.show_report()

    # -- the figures -----------------------------------------------------------------

    def show_report(self) -> None:
        """Compute the figures for the period and LA, and fill every table."""
        if not self.is_mounted:
            return
        wanted = (self.start, self.end, self.la)
        if wanted == self._shown:
            return
        try:
            figures = self.session.report(self.start, self.end, self.la)
        except NotifyError as error:
            self._shown = None
            self.query_one("#period-error", Static).update(Text(error.message, style="bold"))
            return
        self.figures = figures
        self._shown = wanted
        today = self.session.today()
        self.query_one("#presets", Static).update(
            "Presets: " + " · ".join(p.describe() for p in period_presets(today))
        )
        named = preset_named(self.start, self.end, today)
        self.query_one("#period-error", Static).update(
            f"{period_text(self.start, self.end)}"
            + (f" ({named})" if named else "")
            + f" · {scope_label(figures)} · both ends included"
        )
        self._fill_notifications(figures)
        self._fill_follow_ons(figures)
        self._fill_late(figures)
        self._fill_deaths(figures)
        self._fill_open(figures)

    def _fill_notifications(self, figures: Report) -> None:
        table = self.query_one("#notifications", DataTable)
        table.clear()
        for duty_id, org, la_label, cells in notification_rows(figures):
            label = duty_name(duty_id) if org is None else ""
            la = Text(la_label, style="bold" if org is None else "")
            table.add_row(Text(label), la, *cells, key=f"{duty_id}|{org or 'all'}")
        self.query_one("#left-out", Static).update(left_out_text(figures))
        self.query_one("#share-chart", Static).update(bar_chart(share_bars(figures)))

    def _fill_follow_ons(self, figures: Report) -> None:
        table = self.query_one("#follow-ons", DataTable)
        table.clear()
        for key, title, block in (
            ("rapid_reviews", "Rapid reviews", figures.rapid_reviews),
            ("local_reviews", "Local reviews", figures.local_reviews),
        ):
            table.add_row(title, *timeliness_cells(block), key=key)
        self.query_one("#not-notifying", Static).update(Text(decisions_text(figures)))

    def _fill_late(self, figures: Report) -> None:
        self.query_one("#late-title", Static).update(late_title(figures))
        table = self.query_one("#late-sends", DataTable)
        table.clear()
        for line in figures.late_sends:
            table.add_row(
                line.case_id,
                Text(line.la),
                duty_name(line.duty),
                day_text(date.fromisoformat(line.due)),
                day_text(date.fromisoformat(line.sent_on)),
                str(line.working_days_late),
                Text(late_reason_text(line)),
                key=f"{line.case_id}|{line.duty}",
            )
        table.display = bool(figures.late_sends)

    def _fill_deaths(self, figures: Report) -> None:
        deaths = figures.child_deaths
        self.query_one("#deaths-title", Static).update(deaths_title(figures))
        chart = self.query_one("#deaths-chart", Static)
        chart.update(bar_chart(death_bars(figures)) if deaths.count else "No child deaths.")
        table = self.query_one("#age-bands", DataTable)
        table.clear()
        for band, count in deaths.by_age_band.items():
            table.add_row(band, str(count), key=band)

    def _fill_open(self, figures: Report) -> None:
        block = figures.open
        self.query_one("#open-title", Static).update(open_title(figures))
        table = self.query_one("#open-duties", DataTable)
        table.clear()
        for row in block.duties[:OPEN_ROWS_SHOWN]:
            level = urgency("open", row.working_days_left)
            due = "-" if row.due is None else date.fromisoformat(row.due).strftime("%a %d %b %Y")
            table.add_row(
                row.case_id,
                Text(row.la),
                duty_name(row.duty),
                due,
                open_left_text(row),
                urgency_text(URGENCY_LABELS[level], level),
                key=f"{row.case_id}|{row.duty}",
            )
        more = open_more_text(figures, OPEN_ROWS_SHOWN)
        self.query_one("#open-more", Static).update(more)
        self.query_one("#open-more", Static).display = bool(more)

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)
