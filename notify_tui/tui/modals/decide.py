"""Modal: the threshold decision, notify or not, with its rationale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, Label, RadioSet, Static

from notify_tui.tui.draft_keeper import DraftSpec
from notify_tui.tui.modals.base import Dialog
from notify_tui.tui.widgets.date_field import DateField
from notify_tui.tui.widgets.own_keys import FormInput
from notify_tui.tui.widgets.toggles import StateRadioButton

MIN_RATIONALE = 10


@dataclass(frozen=True)
class ThresholdDecision:
    """The result of the decision dialog."""

    notify: bool
    rationale: str
    decided_on: date


class DecideScreen(Dialog[ThresholdDecision | None]):
    """Ask whether the threshold for notifying is met, and why.

    Neither answer is chosen at first: the person deciding picks one. With `record`,
    Save hands it the decision first; a refusal shows on the error line and the dialog
    stays open with what was typed.
    """

    BINDINGS = [Binding("ctrl+s", "save", "Save", id="decide.save", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | decide.save | record the decision |
    | escape | dialog.cancel | close |
    """

    def __init__(
        self,
        case_id: str,
        today: date,
        record: Callable[[ThresholdDecision], str | None] | None = None,
        *,
        draft: DraftSpec | None = None,
    ) -> None:
        super().__init__(f"Threshold decision for {case_id}", draft=draft)
        self.case_id = case_id
        self.today = today
        self.record = record
        self.tried = False

    def body(self) -> ComposeResult:
        yield Label("Is the threshold for notifying the Panel met?")
        with RadioSet(id="notify"):
            yield StateRadioButton("Notify: the threshold is met", id="yes")
            yield StateRadioButton("Do not notify: the threshold is not met", id="no")
        yield Static("", id="notify-error", classes="field-error")
        yield Label("Rationale (at least a sentence; recorded with the decision)")
        yield FormInput(id="rationale", max_length=5000)
        yield Static("", id="rationale-error", classes="field-error")
        yield Label("Decided on (30/11/2026, 2026-11-30, today, yesterday)")
        yield DateField(self.today.strftime("%d/%m/%Y"), today=self.today, id="decided-on")

    def buttons(self) -> ComposeResult:
        yield Button("Record decision", variant="primary", id="save")
        yield from super().buttons()

    def _problems(self) -> tuple[str, str, str]:
        """What is missing: the answer, the rationale, the date ("" when fine)."""
        pressed = self.query_one("#notify", RadioSet).pressed_button
        rationale = self.query_one("#rationale", Input).value.strip()
        day = self.query_one(DateField).day
        return (
            "" if pressed is not None else "choose notify or do not notify",
            "" if len(rationale) >= MIN_RATIONALE else "say why in a sentence",
            "" if day is not None else "give the date it was decided",
        )

    def _show_problems(self) -> bool:
        choice, rationale, day = self._problems()
        self.query_one("#notify-error", Static).update(choice)
        self.query_one("#rationale-error", Static).update(rationale)
        self.show_error(day)
        return not (choice or rationale or day)

    @on(RadioSet.Changed)
    @on(Input.Changed)
    def _recheck(self) -> None:
        if self.tried:  # once Save showed the problems, each clears as it is fixed
            self._show_problems()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        """Record the decision, if complete."""
        self.tried = True
        if not self._show_problems():
            return
        pressed = self.query_one("#notify", RadioSet).pressed_button
        day = self.query_one(DateField).day
        assert pressed is not None and day is not None  # checked above
        decision = ThresholdDecision(
            pressed.id == "yes", self.query_one("#rationale", Input).value.strip(), day
        )
        if self.record is not None:
            refused = self.record(decision)
            if refused:
                self.show_error(refused)
                return
        self.recorded(decision)
