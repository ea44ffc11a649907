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
from notify_tui.tui.draft_keeper import DraftSpec
from notify_tui.tui.modals.base import Dialog
from notify_tui.tui.widgets.date_field import DateField
from notify_tui.tui.widgets.own_keys import FormInput
from notify_tui.views.dashboard import format_due


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
    closes with the record only once `record` returns None. With `draft`, what is typed
    is kept as a draft in the vault until it is recorded.
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
        *,
        draft: DraftSpec | None = None,
    ) -> None:
        super().__init__(f"Mark sent: {duty_title}", draft=draft)
        self.duty_title = duty_title
        self.today = today
        self.due = due
        self.record = record

    def body(self) -> ComposeResult:
        yield Label("Date sent (30/11/2026, 2026-11-30, today, yesterday)")
        yield DateField(self.today.strftime("%d/%m/%Y"), today=self.today, id="sent-on")
        yield Static("", id="sent-on-error", classes="field-error")
        yield Label("Reference given by the recipient (optional)")
        yield FormInput(id="reference", max_length=200)
        yield Label(self._late_label(), id="late-reason-label")
        yield FormInput(id="late-reason", max_length=2000)
        yield Static("", id="late-reason-error", classes="field-error")

    def _late_label(self) -> str:
        due = format_due(self.due) if self.due else "-"
        return f"Why it was late (due {due}; kept with the sent date)"

    def buttons(self) -> ComposeResult:
        yield Button("Save", variant="primary", id="save")
        yield from super().buttons()

    def on_mount(self) -> None:
        self._show_late_reason(self._day())

    def _day(self) -> date | None:
        return self.query_one(DateField).day

    def is_late(self, day: date | None) -> bool:
        """Whether a send on `day` is after the due date (and needs a reason)."""
        return day is not None and self.due is not None and day > self.due

    def _show_late_reason(self, day: date | None) -> None:
        late = self.is_late(day)
        for selector in ("#late-reason-label", "#late-reason", "#late-reason-error"):
            self.query_one(selector).display = late

    @on(Input.Changed, "#sent-on")
    def _check_date(self) -> None:
        day = self._day()
        late = self.is_late(day)
        self.query_one("#sent-on-error", Static).update(
            "after the due date: say why below" if late else ""
        )
        self._show_late_reason(day)

    @on(Input.Changed, "#late-reason")
    def _check_reason(self, event: Input.Changed) -> None:
        if len(event.value.strip()) >= MIN_LATE_REASON:
            self.query_one("#late-reason-error", Static).update("")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        """Return the record, if the date is valid and a late send says why."""
        day = self._day()
        if day is None:
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
        self.recorded(answer)
