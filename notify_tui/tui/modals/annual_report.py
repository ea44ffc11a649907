"""Modal: the partnership's yearly report: its year and publication date (office only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from notify_tui.views.dates import parse_day


@dataclass(frozen=True)
class AnnualReport:
    """The result of the dialog."""

    year: int
    published_on: date


class AnnualReportScreen(ModalScreen[AnnualReport | None]):
    """Ask for the report's year and the date it was published (sending is due 7 days later)."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="annual_report.save", show=True),
        Binding("escape", "cancel", "Cancel", id="annual_report.cancel", show=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | annual_report.save | record the publication |
    | escape | annual_report.cancel | close without recording |
    """

    def __init__(self, today: date) -> None:
        super().__init__()
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Record the yearly report", classes="dialog-title")
            yield Label("Report year")
            yield Input(str(self.today.year - 1), id="year", type="integer")
            yield Label("Published on (YYYY-MM-DD)")
            yield Input(self.today.isoformat(), id="published")
            yield Static("", id="report-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Record", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

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
        self.query_one("#report-error", Static).update(error)
        if not error and day is not None:
            self.dismiss(AnnualReport(int(year_text), day))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without recording."""
        self.dismiss(None)
