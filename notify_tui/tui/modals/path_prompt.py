"""Modal: ask for a file or folder path, checked before it is accepted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Label

from notify_tui.tui.modals.base import Dialog

PathCheck = Callable[[Path], str | None]
"""Returns a one-line problem with a path, or None when it will do."""


class PathPromptScreen(Dialog[Path | None]):
    """Ask for a path; dismisses with it (`~` expanded) once `check` finds no problem."""

    ERROR_ID = "path-error"
    BINDINGS = []
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | (input) | accept the path |
    | escape | dialog.cancel | close without a path |
    """

    def __init__(
        self, title: str, question: str, default: str, check: PathCheck, action: str = "OK"
    ) -> None:
        super().__init__(title)
        self.question = question
        self.default = default
        self.check = check
        self.action_label = action

    def body(self) -> ComposeResult:
        yield Label(self.question)
        yield Input(self.default, id="path")

    def buttons(self) -> ComposeResult:
        yield Button(self.action_label, variant="primary", id="accept")
        yield from super().buttons()

    @on(Button.Pressed, "#accept")
    @on(Input.Submitted, "#path")
    def _accept(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.show_error("give a path")
            return
        path = Path(text).expanduser()
        problem = self.check(path)
        if problem:
            self.show_error(problem)
            return
        self.dismiss(path)
