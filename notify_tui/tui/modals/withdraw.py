"""Modal: why a duty no longer applies."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Label

from notify_tui.tui.modals.base import Dialog

MIN_REASON = 10


class WithdrawScreen(Dialog[str | None]):
    """Ask for the reason (a sentence) a duty is withdrawn, or, with other words, any
    one reason a record needs (a correction's)."""

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
    ) -> None:
        super().__init__(title or f"Withdraw: {duty_title}")
        self.duty_title = duty_title
        self.question = question
        self.button = button

    def body(self) -> ComposeResult:
        yield Label(self.question)
        yield Input(id="reason", max_length=2000)

    def buttons(self) -> ComposeResult:
        yield Button(self.button, variant="warning", id="save")
        yield from super().buttons()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def _save(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if len(reason) < MIN_REASON:
            self.show_error("say why in at least a sentence")
            return
        self.dismiss(reason)
