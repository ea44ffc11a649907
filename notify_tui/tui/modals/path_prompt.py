"""Modal: ask for a file or folder path, checked before it is accepted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

PathCheck = Callable[[Path], str | None]
"""Returns a one-line problem with a path, or None when it will do."""


class PathPromptScreen(ModalScreen[Path | None]):
    """Ask for a path; dismisses with it (`~` expanded) once `check` finds no problem."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="path_prompt.cancel", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | (input) | accept the path |
    | escape | path_prompt.cancel | close without a path |
    """

    def __init__(
        self, title: str, question: str, default: str, check: PathCheck, action: str = "OK"
    ) -> None:
        super().__init__()
        self.prompt_title = title
        self.question = question
        self.default = default
        self.check = check
        self.action_label = action

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.prompt_title, classes="dialog-title")
            yield Label(self.question)
            yield Input(self.default, id="path")
            yield Static("", id="path-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.action_label, variant="primary", id="accept")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#accept")
    @on(Input.Submitted, "#path")
    def _accept(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.query_one("#path-error", Static).update("give a path")
            return
        path = Path(text).expanduser()
        problem = self.check(path)
        if problem:
            self.query_one("#path-error", Static).update(problem)
            return
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without a path."""
        self.dismiss(None)
