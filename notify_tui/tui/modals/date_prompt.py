"""Modal: ask for one date (e.g. when a recipient acknowledged a notification)."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from notify_tui.views.dates import parse_day


class DatePromptScreen(ModalScreen[date | None]):
    """Ask for a date on or before today."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="date_prompt.cancel", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | (input) | accept |
    | escape | date_prompt.cancel | close |
    """

    def __init__(self, title: str, question: str, today: date) -> None:
        super().__init__()
        self.prompt_title = title
        self.question = question
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.prompt_title, classes="dialog-title")
            yield Label(self.question)
            yield Input(self.today.isoformat(), id="day")
            yield Static("", id="day-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def _save(self) -> None:
        day = parse_day(self.query_one("#day", Input).value)
        if day is None or day > self.today:
            self.query_one("#day-error", Static).update(
                "write a date on or before today, as YYYY-MM-DD"
            )
            return
        self.dismiss(day)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without a date."""
        self.dismiss(None)
