"""Modal: when a duty's notification was sent, and the reference the recipient gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, Label, Static

from notify_tui.tui.modals.base import Dialog
from notify_tui.views.dates import parse_day


@dataclass(frozen=True)
class SentRecord:
    """The result of the mark-sent dialog."""

    sent_on: date
    reference: str | None


class MarkSentScreen(Dialog[SentRecord | None]):
    """Ask for the date sent (default today) and the recipient's reference."""

    ERROR_ID = None
    BINDINGS = [Binding("ctrl+s", "save", "Save", id="mark_sent.save", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | mark_sent.save | record it |
    | escape | dialog.cancel | close without recording |
    """

    def __init__(self, duty_title: str, today: date) -> None:
        super().__init__(f"Mark sent: {duty_title}")
        self.duty_title = duty_title
        self.today = today

    def body(self) -> ComposeResult:
        yield Label("Date sent (YYYY-MM-DD)")
        yield Input(self.today.isoformat(), id="sent-on")
        yield Static("", id="sent-on-error", classes="field-error")
        yield Label("Reference given by the recipient (optional)")
        yield Input(id="reference", max_length=200)

    def buttons(self) -> ComposeResult:
        yield Button("Save", variant="primary", id="save")
        yield from super().buttons()

    @on(Input.Changed, "#sent-on")
    def _check_date(self, event: Input.Changed) -> None:
        day = parse_day(event.value)
        message = ""
        if day is None:
            message = "write the date as YYYY-MM-DD"
        elif day > self.today:
            message = "that date is in the future"
        self.query_one("#sent-on-error", Static).update(message)

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        """Return the record, if the date is valid."""
        day = parse_day(self.query_one("#sent-on", Input).value)
        if day is None or day > self.today:
            self.query_one("#sent-on", Input).focus()
            return
        reference = self.query_one("#reference", Input).value.strip() or None
        self.dismiss(SentRecord(day, reference))
