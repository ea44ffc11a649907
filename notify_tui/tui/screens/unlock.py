"""Unlock: ask for the passphrase before anything from the vault is shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from notify_tui.errors import NotifyError
from notify_tui.services.session import Session


class UnlockScreen(Screen[Session | None]):
    """The passphrase prompt; dismisses with the unlocked session."""

    CSS_PATH = "unlock.tcss"
    BINDINGS = []
    """Keys: enter (in the passphrase box) unlocks; ctrl+q (app.quit) quits."""

    def __init__(
        self, home: Path, unlocker: Callable[[Path, str], Session], hint: str = ""
    ) -> None:
        super().__init__()
        self.home = home
        self.unlocker = unlocker
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            yield Static("[b]notify-tui is locked[/b]", id="unlock-title")
            yield Static(f"Vault: {self.home}", id="unlock-vault")
            yield Label("Passphrase")
            yield Input(password=True, id="passphrase")
            yield Static(self.hint, id="unlock-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    def _submit(self, event: Input.Submitted) -> None:
        if not event.value:
            return
        self.query_one("#unlock-message", Static).update("Unlocking… (this takes a second)")
        event.input.disabled = True
        # Let the message paint before the key derivation blocks; the vault connection
        # must be opened on this thread, which will use it.
        self.call_after_refresh(self._unlock, event.value)

    def _unlock(self, passphrase: str) -> None:
        field = self.query_one("#passphrase", Input)
        try:
            session = self.unlocker(self.home, passphrase)
        except NotifyError as error:
            field.disabled = False
            field.value = ""
            field.focus()
            self.query_one("#unlock-message", Static).update(f"[b]Not unlocked:[/b] {error}")
            return
        self.dismiss(session)
