"""Modal: the partnership's yearly report: its year and publication date (office only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, Label

from notify_tui.tui.modals.base import Dialog
from notify_tui.views.dates import parse_day


@dataclass(frozen=True)
class AnnualReport:
    """The result of the dialog."""

    year: int
    published_on: date


class AnnualReportScreen(Dialog[AnnualReport | None]):
    """Ask for the report's year and the date it was published (sending is due 7 days later)."""

    ERROR_ID = "report-error"
    BINDINGS = [Binding("ctrl+s", "save", "Save", id="annual_report.save", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | annual_report.save | record the publication |
    | escape | dialog.cancel | close without recording |
    """

    def __init__(self, today: date) -> None:
        super().__init__("Record the yearly report")
        self.today = today

    def body(self) -> ComposeResult:
        yield Label("Report year")
        yield Input(str(self.today.year - 1), id="year", type="integer")
        yield Label("Published on (YYYY-MM-DD)")
        yield Input(self.today.isoformat(), id="published")

    def buttons(self) -> ComposeResult:
        yield Button("Record", variant="primary", id="save")
        yield from super().buttons()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        """Return the report, if the year and date are valid."""
        year_text = self.query_one("#year", Input).value.strip()
        day = parse_day(self.query_one("#published", Input).value)
        error = ""
        if not year_text.isdigit() or not 2018 <= int(year_text) <= self.today.year:
            error = f"give a year from 2018 to {self.today.year}"
        elif day is None or day > self.today:
            error = "write a publication date on or before today, as YYYY-MM-DD"
        self.show_error(error)
        if not error and day is not None:
            self.dismiss(AnnualReport(int(year_text), day))
