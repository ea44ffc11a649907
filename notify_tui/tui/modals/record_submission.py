"""Modal: record a form's submission: which duties it completes, when, and the reference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Checkbox, Input, Label, Static

from notify_tui.domain.dashboard import duty_label
from notify_tui.domain.duty_states import MIN_REASON as MIN_LATE_REASON
from notify_tui.services.types import DutyView
from notify_tui.tui.modals.base import Dialog
from notify_tui.views.dates import parse_day


@dataclass(frozen=True)
class Submission:
    """The result of the dialog: the duties the submission completes, its date and reference."""

    duty_ids: tuple[str, ...]
    sent_on: date
    reference: str | None
    late_reason: str | None = None
    """Why it was sent after a ticked duty's due date (kept with those duties' records)."""


class RecordSubmissionScreen(Dialog[Submission | None]):
    """Ask which duties one submission completes, the date, and the service's reference.

    Every open duty the form covers is ticked: one online notification reaches the
    Panel, DfE and Ofsted together.
    """

    ERROR_ID = None
    BINDINGS = [Binding("ctrl+s", "save", "Save", id="record_submission.save", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | record_submission.save | record the submission |
    | escape | dialog.cancel | close without recording |
    """

    def __init__(self, form_title: str, duties: Sequence[DutyView], today: date) -> None:
        super().__init__(f"Record submission: {form_title}")
        self.form_title = form_title
        self.duties = list(duties)
        self.today = today

    def body(self) -> ComposeResult:
        yield Label("The submission completes:")
        for duty in self.duties:
            done = "" if duty.status == "open" else f" (already {duty.status})"
            yield Checkbox(
                f"{duty_label(duty.duty, duty.title)}{done}",
                value=duty.status == "open",
                id=f"duty-{duty.duty}",
                classes="submission-duty",
            )
        yield Static("", id="duties-error", classes="field-error")
        yield Label("Date submitted (YYYY-MM-DD)")
        yield Input(self.today.isoformat(), id="sent-on")
        yield Static("", id="sent-on-error", classes="field-error")
        yield Label("Reference the online service gave (optional)")
        yield Input(id="reference", max_length=200)
        yield Label(
            "Reason for the delay (needed when submitted after a ticked duty's due date)",
            id="late-reason-label",
        )
        yield Input(id="late-reason", max_length=2000)
        yield Static("", id="late-reason-error", classes="field-error")

    def buttons(self) -> ComposeResult:
        yield Button("Record", variant="primary", id="save")
        yield from super().buttons()

    def chosen(self) -> tuple[str, ...]:
        """The duty ids ticked."""
        return tuple(
            duty.duty
            for duty in self.duties
            if self.query_one(f"#duty-{duty.duty}", Checkbox).value
        )

    def late_duties(self, day: date | None) -> tuple[str, ...]:
        """The ticked duties a submission on `day` would send after their due date."""
        if day is None:
            return ()
        return tuple(
            duty.duty
            for duty in self.duties
            if duty.duty in self.chosen() and duty.due and day > date.fromisoformat(duty.due)
        )

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        """Return the submission, if a duty is ticked, the date is valid, and a late
        submission says why."""
        day = parse_day(self.query_one("#sent-on", Input).value)
        day_error = "" if day is not None and day <= self.today else "a date on or before today"
        duties = self.chosen()
        self.query_one("#sent-on-error", Static).update(day_error)
        self.query_one("#duties-error", Static).update("" if duties else "tick at least one duty")
        if day is None or day_error or not duties:
            return
        late_reason = self.query_one("#late-reason", Input).value.strip() or None
        late = self.late_duties(day)
        late_error = ""
        if late and len(late_reason or "") < MIN_LATE_REASON:
            late_error = f"after the due date of {', '.join(late)}: say why in a sentence"
        self.query_one("#late-reason-error", Static).update(late_error)
        if late_error:
            self.query_one("#late-reason", Input).focus()
            return
        reference = self.query_one("#reference", Input).value.strip() or None
        self.dismiss(Submission(duties, day, reference, late_reason if late else None))
