"""Modal: the threshold decision, notify or not, with its rationale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from notify_tui.tui.modals.base import Dialog
from notify_tui.views.dates import parse_day

MIN_RATIONALE = 10


@dataclass(frozen=True)
class ThresholdDecision:
    """The result of the decision dialog."""

    notify: bool
    rationale: str
    decided_on: date


class DecideScreen(Dialog[ThresholdDecision | None]):
    """Ask whether the threshold for notifying is met, and why."""

    ERROR_ID = None
    BINDINGS = [Binding("ctrl+s", "save", "Save", id="decide.save", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | decide.save | record the decision |
    | escape | dialog.cancel | close |
    """

    def __init__(self, case_id: str, today: date) -> None:
        super().__init__(f"Threshold decision for {case_id}")
        self.case_id = case_id
        self.today = today

    def body(self) -> ComposeResult:
        with RadioSet(id="notify"):
            yield RadioButton("Notify: the threshold is met", id="yes", value=True)
            yield RadioButton("Do not notify: the threshold is not met", id="no")
        yield Label("Rationale (at least a sentence; recorded with the decision)")
        yield Input(id="rationale", max_length=5000)
        yield Static("", id="rationale-error", classes="field-error")
        yield Label("Decided on (YYYY-MM-DD)")
        yield Input(self.today.isoformat(), id="decided-on")
        yield Static("", id="decided-on-error", classes="field-error")

    def buttons(self) -> ComposeResult:
        yield Button("Record decision", variant="primary", id="save")
        yield from super().buttons()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        """Return the decision, if complete."""
        rationale = self.query_one("#rationale", Input).value.strip()
        day = parse_day(self.query_one("#decided-on", Input).value)
        rationale_error = "" if len(rationale) >= MIN_RATIONALE else "say why in a sentence"
        day_error = "" if day is not None and day <= self.today else "a date on or before today"
        self.query_one("#rationale-error", Static).update(rationale_error)
        self.query_one("#decided-on-error", Static).update(day_error)
        if rationale_error or day_error or day is None:
            return
        pressed = self.query_one("#notify", RadioSet).pressed_button
        notify = pressed is None or pressed.id == "yes"
        self.dismiss(ThresholdDecision(notify, rationale, day))
