"""Modal: when a duty's notification was sent, the reference the recipient gave, and,
when that is after the due date, the reason for the delay."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, Label, Static

from notify_tui.domain.duty_states import MIN_REASON as MIN_LATE_REASON
from notify_tui.tui.modals.base import Dialog
from notify_tui.views.dashboard import format_due
from notify_tui.views.dates import parse_day


@dataclass(frozen=True)
class SentRecord:
    """The result of the mark-sent dialog."""

    sent_on: date
    reference: str | None
    late_reason: str | None = None
    """Why it was sent after its due date (None when it was not late)."""


class MarkSentScreen(Dialog[SentRecord | None]):
    """Ask for the date sent (default today), the recipient's reference and, for a date
    after the due date, the reason for the delay.

    With `record`, Save hands it the answer first: a refusal (the one line it returns)
    shows under the fields and the dialog stays open with what was typed; the dialog
    closes with the record only once `record` returns None.
    """

    ERROR_ID = "mark-sent-error"
    BINDINGS = [Binding("ctrl+s", "save", "Save", id="mark_sent.save", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | mark_sent.save | record it |
    | escape | dialog.cancel | close without recording |
    """

    def __init__(
        self,
        duty_title: str,
        today: date,
        due: date | None = None,
        record: Callable[[SentRecord], str | None] | None = None,
    ) -> None:
        super().__init__(f"Mark sent: {duty_title}")
        self.duty_title = duty_title
        self.today = today
        self.due = due
        self.record = record

    def body(self) -> ComposeResult:
        yield Label("Date sent (YYYY-MM-DD)")
        yield Input(self.today.isoformat(), id="sent-on")
        yield Static("", id="sent-on-error", classes="field-error")
        yield Label("Reference given by the recipient (optional)")
        yield Input(id="reference", max_length=200)
        yield Label(self._late_label(), id="late-reason-label")
        yield Input(id="late-reason", max_length=2000)
        yield Static("", id="late-reason-error", classes="field-error")

    def _late_label(self) -> str:
        due = format_due(self.due) if self.due else "-"
        return f"Reason for the delay (it was due {due}; recorded with the sent date)"

    def buttons(self) -> ComposeResult:
        yield Button("Save", variant="primary", id="save")
        yield from super().buttons()

    def on_mount(self) -> None:
        self._show_late_reason(parse_day(self.query_one("#sent-on", Input).value))

    def is_late(self, day: date | None) -> bool:
        """Whether a send on `day` is after the due date (and needs a reason)."""
        return day is not None and self.due is not None and day > self.due

    def _show_late_reason(self, day: date | None) -> None:
        late = self.is_late(day)
        for selector in ("#late-reason-label", "#late-reason", "#late-reason-error"):
            self.query_one(selector).display = late

    @on(Input.Changed, "#sent-on")
    def _check_date(self, event: Input.Changed) -> None:
        day = parse_day(event.value)
        message = ""
        if day is None:
            message = "write the date as YYYY-MM-DD"
        elif day > self.today:
            message = "that date is in the future"
        elif self.is_late(day):
            message = "after the due date: say why below"
        self.query_one("#sent-on-error", Static).update(message)
        self._show_late_reason(day)

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        """Return the record, if the date is valid and a late send says why."""
        day = parse_day(self.query_one("#sent-on", Input).value)
        if day is None or day > self.today:
            self.query_one("#sent-on", Input).focus()
            return
        late_reason: str | None = None
        if self.is_late(day):
            late_reason = self.query_one("#late-reason", Input).value.strip()
            if len(late_reason) < MIN_LATE_REASON:
                self.query_one("#late-reason-error", Static).update(
                    "sent after the due date: say why in at least a sentence"
                )
                self.query_one("#late-reason", Input).focus()
                return
        self.query_one("#late-reason-error", Static).update("")
        reference = self.query_one("#reference", Input).value.strip() or None
        answer = SentRecord(day, reference, late_reason)
        if self.record is not None:
            refused = self.record(answer)
            if refused:
                self.show_error(refused)
                return
        self.dismiss(answer)
