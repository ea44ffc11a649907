"""Modal: record one office workflow step: a date, a Panel outcome, a category or yes/no."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Checkbox, Input, Label, RadioSet, Select

from notify_tui.domain import codes
from notify_tui.domain.office import PANEL_OUTCOMES
from notify_tui.tui.draft_keeper import DraftSpec
from notify_tui.tui.modals.base import Dialog
from notify_tui.tui.widgets.date_field import DateField
from notify_tui.tui.widgets.own_keys import FormInput
from notify_tui.tui.widgets.toggles import StateCheckbox, StateRadioButton
from notify_tui.views.office import OUTCOME_WORDS, StepRow, form_message


@dataclass(frozen=True)
class OfficeStepChoice:
    """The result of the dialog, as `Session.record_office_step` takes it."""

    area: str
    step: str
    value: date | str | bool
    outcome: str | None = None
    correction: bool = False
    reason: str | None = None


StepRecorder = Callable[[OfficeStepChoice], str | None]
"""Records a step; returns the one-line refusal, or None once it is recorded."""


class OfficeStepScreen(Dialog[OfficeStepChoice | None]):
    """Choose a step and give its date (with the outcome for a Panel response), its
    category (CDOP category of death) or yes/no (modifiable factors); tick Correction
    and give the reason to record one out of order or change one already recorded.

    With a `record` function the dialog records the step itself: a refusal (a step out
    of order, say) shows on its error line and the dialog stays open with what was
    typed; it dismisses with the choice once the step is recorded.
    """

    ERROR_ID = "step-error"
    BINDINGS = [Binding("ctrl+s", "save", "Save", id="office_step.save", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | office_step.save | record the step |
    | escape | dialog.cancel | close without recording |
    """

    def __init__(
        self,
        case_id: str,
        steps: Sequence[StepRow],
        today: date,
        initial: str | None = None,
        record: StepRecorder | None = None,
        *,
        draft: DraftSpec | None = None,
    ) -> None:
        super().__init__(f"Office step for {case_id}", draft=draft)
        self.record = record
        self.case_id = case_id
        self.steps = list(steps)
        self.today = today
        keys = [row.key for row in self.steps]
        pending = next((row.key for row in self.steps if not row.recorded), keys[0])
        self.initial = initial if initial in keys else pending

    def body(self) -> ComposeResult:
        yield Label("Step")
        yield Select(
            [(row.label, row.key) for row in self.steps],
            value=self.initial,
            allow_blank=False,
            id="step",
        )
        with Vertical(id="date-part", classes="step-part"):
            yield Label("Date (30/11/2026, 2026-11-30, today, yesterday)")
            yield DateField(
                self.today.strftime("%d/%m/%Y"), today=self.today, id="day", future_ok=True
            )
        with Vertical(id="outcome-part", classes="step-part"):
            yield Label("The Panel's answer")
            yield Select(
                [(OUTCOME_WORDS[o], o) for o in PANEL_OUTCOMES], allow_blank=True, id="outcome"
            )
        with Vertical(id="category-part", classes="step-part"):
            yield Label("Category of death (CDOP analysis)")
            yield Select(
                [(label, key) for key, label in codes.cdop_categories().items()],
                allow_blank=True,
                id="category",
            )
        with Vertical(id="yes-no-part", classes="step-part"):
            yield Label("Modifiable factors identified?")
            with RadioSet(id="yes-no"):
                yield StateRadioButton("Yes", id="yes")
                yield StateRadioButton("No", id="no")
        yield StateCheckbox(
            "Correction (out of order, or changing a step recorded)", id="correction"
        )
        with Vertical(id="reason-part", classes="step-part"):
            yield Label("Reason for the correction")
            yield FormInput(id="reason", placeholder="why the record is corrected")

    def buttons(self) -> ComposeResult:
        yield Button("Record", variant="primary", id="save")
        yield from super().buttons()

    def on_mount(self) -> None:
        self._show_parts()
        self._show_reason()

    @on(Checkbox.Changed, "#correction")
    def _show_reason(self) -> None:
        self.query_one("#reason-part").display = self.query_one("#correction", Checkbox).value

    @property
    def step_key(self) -> str:
        """The chosen `area.step`."""
        return str(self.query_one("#step", Select).value)

    @on(Select.Changed, "#step")
    def _show_parts(self) -> None:
        key = self.step_key
        dated = key not in ("cdop.category", "cdop.modifiable_factors")
        self.query_one("#date-part").display = dated
        self.query_one("#outcome-part").display = key == "panel_response.response"
        self.query_one("#category-part").display = key == "cdop.category"
        self.query_one("#yes-no-part").display = key == "cdop.modifiable_factors"
        self.show_error("")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        """Return the step, if complete."""
        key = self.step_key
        area, _, step = key.partition(".")
        error = ""
        choice: OfficeStepChoice | None = None
        if key == "cdop.category":
            category = self.query_one("#category", Select).value
            if isinstance(category, str):
                choice = OfficeStepChoice(area, step, category)
            else:
                error = "choose a category"
        elif key == "cdop.modifiable_factors":
            pressed = self.query_one("#yes-no", RadioSet).pressed_button
            if pressed is None:
                error = "choose yes or no"
            else:
                choice = OfficeStepChoice(area, step, pressed.id == "yes")
        else:
            reading = self.query_one(DateField).reading
            day = reading.day
            outcome = self.query_one("#outcome", Select).value
            if day is None or reading.problem:
                error = reading.problem or "give the date (30/11/2026, 2026-11-30, today)"
            elif key == "panel_response.response" and not isinstance(outcome, str):
                error = "choose the Panel's answer"
            else:
                choice = OfficeStepChoice(
                    area, step, day, outcome if isinstance(outcome, str) else None
                )
        if choice is not None and self.query_one("#correction", Checkbox).value:
            reason = self.query_one("#reason", Input).value.strip()
            choice = OfficeStepChoice(
                choice.area, choice.step, choice.value, choice.outcome, True, reason or None
            )
        if choice is not None and self.record is not None:
            refusal = self.record(choice)
            if refusal is not None:
                error, choice = form_message(refusal), None
        self.show_error(error)
        if choice is not None:
            self.recorded(choice)
