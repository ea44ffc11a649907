"""Modal: ask for one date (e.g. when a recipient acknowledged a notification)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Label

from notify_tui.tui.draft_keeper import DraftSpec
from notify_tui.tui.modals.base import Dialog
from notify_tui.tui.widgets.date_field import DateField


class DatePromptScreen(Dialog[date | None]):
    """Ask for a date on or before today.

    With `record`, the date is handed to it first: a refusal shows on the error line and
    the dialog stays open with the date typed.
    """

    ERROR_ID = "day-error"
    BINDINGS = []
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | (input) | accept |
    | escape | dialog.cancel | close |
    """

    def __init__(
        self,
        title: str,
        question: str,
        today: date,
        record: Callable[[date], str | None] | None = None,
        *,
        draft: DraftSpec | None = None,
    ) -> None:
        super().__init__(title, draft=draft)
        self.question = question
        self.today = today
        self.record = record

    def body(self) -> ComposeResult:
        yield Label(self.question)
        yield DateField(self.today.strftime("%d/%m/%Y"), today=self.today, id="day")

    def buttons(self) -> ComposeResult:
        yield Button("Save", variant="primary", id="save")
        yield from super().buttons()

    @on(Input.Changed, "#day")
    def _fixed(self) -> None:
        if self.query_one(DateField).day is not None:
            self.show_error("")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def _save(self) -> None:
        day = self.query_one(DateField).day
        if day is None:
            self.show_error("give a date on or before today (30/11/2026, 2026-11-30, today)")
            return
        if self.record is not None:
            refused = self.record(day)
            if refused:
                self.show_error(refused)
                return
        self.recorded(day)
