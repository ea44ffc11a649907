"""The one dialog base every modal derives from: layout, styles, cancel and the error line.

A `Dialog[T]` is a small `ModalScreen[T]`: a title, the body its subclass composes, an
error line, and a row of buttons. Escape and the Cancel button dismiss it with
`cancel_result()` (None unless a subclass says otherwise), so a caller's callback always
receives a typed value and no dialog ever mutates its caller.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

T = TypeVar("T")


class Dialog(ModalScreen[T], Generic[T]):
    """A modal that asks one thing; subclasses compose `body()` and `buttons()`."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", show=True),
    ]
    """Keys every dialog shares (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | escape | dialog.cancel | close without doing anything |
    """

    ERROR_ID: ClassVar[str | None] = "dialog-error"
    """The id of the error line under the body; None for a dialog whose fields carry
    their own error lines."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.dialog_title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.dialog_title, classes="dialog-title")
            yield from self.body()
            if self.ERROR_ID is not None:
                yield Static("", id=self.ERROR_ID, classes="field-error dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield from self.buttons()

    def body(self) -> ComposeResult:
        """The question: labels and fields between the title and the error line."""
        yield from ()

    def buttons(self) -> ComposeResult:
        """The button row; by default only Cancel (subclasses put theirs first)."""
        yield Button("Cancel", id="cancel")

    def show_error(self, text: str) -> None:
        """Put a one-line problem on the error line ("" clears it)."""
        if self.ERROR_ID is not None:
            self.query_one(f"#{self.ERROR_ID}", Static).update(text)

    def cancel_result(self) -> T | None:
        """What escape and Cancel dismiss with."""
        return None

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(self.cancel_result())
