"""Modal: confirm something that cannot be undone."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Static

from notify_tui.tui.modals.base import Dialog


class ConfirmScreen(Dialog[bool]):
    """Ask yes or no; dismisses with True only when the confirm button is pressed."""

    ERROR_ID = None
    BINDINGS = []
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | escape | dialog.cancel | close without doing it |
    """

    def __init__(self, title: str, text: str, confirm_label: str) -> None:
        super().__init__(title)
        self.text = text
        self.confirm_label = confirm_label

    def body(self) -> ComposeResult:
        yield Static(self.text, id="confirm-text", markup=False)

    def buttons(self) -> ComposeResult:
        # Cancel first and focused: enter alone never does the irreversible thing.
        yield Button("Cancel", id="cancel")
        yield Button(self.confirm_label, variant="error", id="confirm")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def cancel_result(self) -> bool:
        """Escape and Cancel mean no."""
        return False

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)
