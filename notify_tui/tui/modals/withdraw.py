"""Modal: why a duty no longer applies (or any one reason a record needs)."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Label

from notify_tui.tui.draft_keeper import DraftSpec
from notify_tui.tui.modals.base import Dialog
from notify_tui.tui.widgets.own_keys import FormInput

MIN_REASON = 10


class WithdrawScreen(Dialog[str | None]):
    """Ask for the reason (a sentence) a duty is withdrawn, or, with other words, any
    one reason a record needs (a correction's).

    With `record`, the reason is handed to it first: a refusal shows on the error line
    and the dialog stays open with the reason typed.
    """

    ERROR_ID = "reason-error"
    BINDINGS = []
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | (input) | withdraw with this reason |
    | escape | dialog.cancel | close |
    """

    def __init__(
        self,
        duty_title: str,
        *,
        title: str | None = None,
        question: str = "Why does this duty no longer apply? (recorded in the audit trail)",
        button: str = "Withdraw",
        record: Callable[[str], str | None] | None = None,
        draft: DraftSpec | None = None,
    ) -> None:
        super().__init__(title or f"Withdraw: {duty_title}", draft=draft)
        self.duty_title = duty_title
        self.question = question
        self.button = button
        self.record = record

    def body(self) -> ComposeResult:
        yield Label(self.question)
        yield FormInput(id="reason", max_length=2000)

    def buttons(self) -> ComposeResult:
        yield Button(self.button, variant="warning", id="save")
        yield from super().buttons()

    @on(Input.Changed, "#reason")
    def _fixed(self, event: Input.Changed) -> None:
        if len(event.value.strip()) >= MIN_REASON:
            self.show_error("")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def _save(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if len(reason) < MIN_REASON:
            self.show_error("say why in at least a sentence")
            return
        if self.record is not None:
            refused = self.record(reason)
            if refused:
                self.show_error(refused)
                return
        self.recorded(reason)
