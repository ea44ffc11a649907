"""Modal: ask for one date (e.g. when a recipient acknowledged a notification)."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Label

from notify_tui.tui.modals.base import Dialog
from notify_tui.views.dates import parse_day


class DatePromptScreen(Dialog[date | None]):
    """Ask for a date on or before today."""

    ERROR_ID = "day-error"
    BINDINGS = []
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | (input) | accept |
    | escape | dialog.cancel | close |
    """

    def __init__(self, title: str, question: str, today: date) -> None:
        super().__init__(title)
        self.question = question
        self.today = today

    def body(self) -> ComposeResult:
        yield Label(self.question)
        yield Input(self.today.isoformat(), id="day")

    def buttons(self) -> ComposeResult:
        yield Button("Save", variant="primary", id="save")
        yield from super().buttons()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def _save(self) -> None:
        day = parse_day(self.query_one("#day", Input).value)
        if day is None or day > self.today:
            self.show_error("write a date on or before today, as YYYY-MM-DD")
            return
        self.dismiss(day)
