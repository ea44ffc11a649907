"""Modal: a new user's name, role and passphrase (typed twice)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Label, RadioSet

from notify_tui.domain.people import ROLE_WORDS, RoleName, name_problem
from notify_tui.tui.modals.base import Dialog
from notify_tui.tui.widgets.toggles import StateRadioButton

MIN_PASSPHRASE = 12


@dataclass(frozen=True)
class NewUser:
    """What the dialog asked for."""

    name: str
    role: str
    passphrase: str


class AddUserScreen(Dialog[NewUser | None]):
    """Ask for a new user's name, role and passphrase; dismisses with them, checked for
    shape here (the Session checks them again and writes)."""

    ERROR_ID = "add-user-error"
    BINDINGS = []
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | (last passphrase box) | add the user |
    | escape | dialog.cancel | close without adding |
    """

    def __init__(self, roles: tuple[RoleName, ...]) -> None:
        super().__init__("Add a user")
        self.roles = roles

    def body(self) -> ComposeResult:
        yield Label("Name (as recorded on every change they make)")
        yield Input(id="user-name", max_length=80)
        yield Label("Role (no role is chosen for you)")
        with RadioSet(id="user-role"):
            for role in self.roles:
                yield StateRadioButton(f"{role}: {ROLE_WORDS[role].split(': ', 1)[-1]}", name=role)
        yield Label("Their passphrase (they can change it with `notify-tui passwd`)")
        yield Input(password=True, id="user-passphrase")
        yield Label("The passphrase again")
        yield Input(password=True, id="user-passphrase2")

    def buttons(self) -> ComposeResult:
        yield Button("Add user", variant="primary", id="save")
        yield from super().buttons()

    def on_mount(self) -> None:
        self.query_one("#user-name", Input).focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#user-passphrase2")
    def _save(self) -> None:
        name = self.query_one("#user-name", Input).value
        pressed = self.query_one("#user-role", RadioSet).pressed_button
        passphrase = self.query_one("#user-passphrase", Input).value
        again = self.query_one("#user-passphrase2", Input).value
        problem = name_problem(name)
        if problem is not None:
            self.show_error(problem)
        elif pressed is None or pressed.name is None:
            self.show_error("choose a role")
        elif len(passphrase) < MIN_PASSPHRASE:
            self.show_error(f"passphrase: use at least {MIN_PASSPHRASE} characters")
        elif passphrase != again:
            self.show_error("the two passphrases differ")
        else:
            self.dismiss(NewUser(name, pressed.name, passphrase))
