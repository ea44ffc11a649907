"""Modal: the partnership's yearly report: its year and publication date (office only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, Label

from notify_tui.tui.draft_keeper import DraftSpec
from notify_tui.tui.modals.base import Dialog
from notify_tui.tui.widgets.date_field import DateField
from notify_tui.tui.widgets.own_keys import FormInput


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

    def __init__(
        self,
        today: date,
        record: Callable[[AnnualReport], str | None] | None = None,
        *,
        draft: DraftSpec | None = None,
    ) -> None:
        super().__init__("Record the yearly report", draft=draft)
        self.today = today
        self.record = record

    def body(self) -> ComposeResult:
        yield Label("Report year")
        yield FormInput(str(self.today.year - 1), id="year", type="integer")
        yield Label("Published on (30/11/2026, 2026-11-30, today, yesterday)")
        yield DateField(self.today.strftime("%d/%m/%Y"), today=self.today, id="published")

    def buttons(self) -> ComposeResult:
        yield Button("Record", variant="primary", id="save")
        yield from super().buttons()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        """Return the report, if the year and date are valid."""
        year_text = self.query_one("#year", Input).value.strip()
        day = self.query_one(DateField).day
        error = ""
        if not year_text.isdigit() or not 2018 <= int(year_text) <= self.today.year:
            error = f"give a year from 2018 to {self.today.year}"
        elif day is None:
            error = "give a publication date on or before today (30/11/2026, 2026-11-30)"
        self.show_error(error)
        if error or day is None:
            return
        report = AnnualReport(int(year_text), day)
        if self.record is not None:
            refused = self.record(report)
            if refused:
                self.show_error(refused)
                return
        self.recorded(report)
