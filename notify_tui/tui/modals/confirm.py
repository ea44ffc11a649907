"""Modal: confirm something that cannot be undone."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Ask yes or no; dismisses with True only when the confirm button is pressed."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm.cancel", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | escape | confirm.cancel | close without doing it |
    """

    def __init__(self, title: str, text: str, confirm_label: str) -> None:
        super().__init__()
        self.prompt_title = title
        self.text = text
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.prompt_title, classes="dialog-title")
            yield Static(self.text, id="confirm-text")
            with Horizontal(classes="dialog-buttons"):
                # Cancel first and focused: enter alone never does the irreversible thing.
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, variant="error", id="confirm")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without doing it."""
        self.dismiss(False)
