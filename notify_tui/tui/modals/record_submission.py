"""Modal: record a form's submission: which duties it completes, when, and the reference."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Checkbox, Input, Label, Static

from notify_tui.domain.dashboard import duty_label
from notify_tui.domain.duty_states import MIN_REASON as MIN_LATE_REASON
from notify_tui.services.types import DutyView
from notify_tui.tui.draft_keeper import DraftSpec
from notify_tui.tui.modals.base import Dialog
from notify_tui.tui.widgets.date_field import DateField
from notify_tui.tui.widgets.own_keys import FormInput
from notify_tui.tui.widgets.toggles import StateCheckbox


@dataclass(frozen=True)
class Submission:
    """The result of the dialog: the duties the submission completes, its date and reference."""

    duty_ids: tuple[str, ...]
    sent_on: date
    reference: str | None
    late_reason: str | None = None
    """Why it was sent after a ticked duty's due date (kept with those duties' records)."""


@dataclass(frozen=True)
class SubmissionResult:
    """What recording a submission did: the duties recorded, and the refusal that stopped it."""

    recorded: tuple[str, ...]
    refusal: str | None = None


SubmissionRecorder = Callable[[Submission], SubmissionResult]
"""Records a submission duty by duty, stopping at the first refusal."""


class RecordSubmissionScreen(Dialog[Submission | None]):
    """Ask which duties one submission completes, the date, and the service's reference.

    Every open duty the form covers is ticked: one online notification reaches the
    Panel, DfE and Ofsted together. With `record`, Save records it first: a refusal
    shows on the error line and the dialog stays open with what was typed (a duty
    recorded before the refusal is unticked and marked "recorded").
    """

    BINDINGS = [Binding("ctrl+s", "save", "Save", id="record_submission.save", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | record_submission.save | record the submission |
    | escape | dialog.cancel | close without recording |
    """

    def __init__(
        self,
        form_title: str,
        duties: Sequence[DutyView],
        today: date,
        record: SubmissionRecorder | None = None,
        *,
        draft: DraftSpec | None = None,
    ) -> None:
        super().__init__(f"Record submission: {form_title}", draft=draft)
        self.form_title = form_title
        self.duties = list(duties)
        self.today = today
        self.record = record
        self.tried = False

    def body(self) -> ComposeResult:
        yield Label("The submission completes:")
        for duty in self.duties:
            done = "" if duty.status == "open" else f" (already {duty.status})"
            yield StateCheckbox(
                f"{duty_label(duty.duty, duty.title)}{done}",
                value=duty.status == "open",
                id=f"duty-{duty.duty.replace('@', '-')}",
                classes="submission-duty",
            )
        yield Static("", id="duties-error", classes="field-error")
        yield Label("Date submitted (30/11/2026, 2026-11-30, today, yesterday)")
        yield DateField(self.today.strftime("%d/%m/%Y"), today=self.today, id="sent-on")
        yield Label("Reference the online service gave (optional)")
        yield FormInput(id="reference", max_length=200)
        yield Label(
            "Reason for the delay (needed when submitted after a ticked duty's due date)",
            id="late-reason-label",
        )
        yield FormInput(id="late-reason", max_length=2000)
        yield Static("", id="late-reason-error", classes="field-error")

    def buttons(self) -> ComposeResult:
        yield Button("Record", variant="primary", id="save")
        yield from super().buttons()

    def _box(self, duty: DutyView) -> Checkbox:
        return self.query_one(f"#duty-{duty.duty.replace('@', '-')}", Checkbox)

    def chosen(self) -> tuple[str, ...]:
        """The duty ids ticked."""
        boxes = [(duty, self._box(duty)) for duty in self.duties]
        return tuple(duty.duty for duty, box in boxes if box.value and not box.disabled)

    def late_duties(self, day: date | None) -> tuple[str, ...]:
        """The ticked duties a submission on `day` would send after their due date."""
        if day is None:
            return ()
        return tuple(
            duty.duty
            for duty in self.duties
            if duty.duty in self.chosen() and duty.due and day > date.fromisoformat(duty.due)
        )

    def _problems(self) -> bool:
        """Show what is missing; True when nothing is."""
        day = self.query_one(DateField).day
        duties = self.chosen()
        self.query_one("#duties-error", Static).update("" if duties else "tick at least one duty")
        late = self.late_duties(day)
        reason = self.query_one("#late-reason", Input).value.strip()
        late_error = ""
        if late and len(reason) < MIN_LATE_REASON:
            late_error = f"after the due date of {', '.join(late)}: say why in a sentence"
        self.query_one("#late-reason-error", Static).update(late_error)
        self.show_error("" if day is not None else "give the date it was submitted")
        return bool(day is not None and duties and not late_error)

    @on(Checkbox.Changed)
    @on(Input.Changed)
    def _recheck(self) -> None:
        if self.tried:  # once Save showed the problems, each clears as it is fixed
            self._problems()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        """Record the submission, if a duty is ticked, the date is valid, and a late
        submission says why."""
        self.tried = True
        if not self._problems():
            if self.late_duties(self.query_one(DateField).day):
                self.query_one("#late-reason", Input).focus()
            return
        day = self.query_one(DateField).day
        assert day is not None  # checked above
        late = self.late_duties(day)
        reference = self.query_one("#reference", Input).value.strip() or None
        late_reason = self.query_one("#late-reason", Input).value.strip() or None
        submission = Submission(self.chosen(), day, reference, late_reason if late else None)
        if self.record is not None:
            result = self.record(submission)
            for duty in self.duties:
                if duty.duty in result.recorded:
                    box = self._box(duty)
                    box.value = False
                    box.disabled = True
                    box.label = f"{duty_label(duty.duty, duty.title)} (recorded now)"
            if result.refusal:
                self.show_error(result.refusal)
                return
        self.recorded(submission)
