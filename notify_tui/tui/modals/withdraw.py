"""Modal: why a duty no longer applies."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

MIN_REASON = 10


class WithdrawScreen(ModalScreen[str | None]):
    """Ask for the reason (a sentence) a duty is withdrawn."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="withdraw.cancel", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | (input) | withdraw with this reason |
    | escape | withdraw.cancel | close |
    """

    def __init__(self, duty_title: str) -> None:
        super().__init__()
        self.duty_title = duty_title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Withdraw: {self.duty_title}", classes="dialog-title")
            yield Label("Why does this duty no longer apply? (recorded in the audit trail)")
            yield Input(id="reason", max_length=2000)
            yield Static("", id="reason-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Withdraw", variant="warning", id="save")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def _save(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if len(reason) < MIN_REASON:
            self.query_one("#reason-error", Static).update("say why in at least a sentence")
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without withdrawing."""
        self.dismiss(None)
