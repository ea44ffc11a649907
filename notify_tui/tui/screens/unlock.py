"""Unlock: ask for the passphrase before anything from the vault is shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static
from textual.worker import Worker, WorkerState

from notify_tui.errors import NotifyError
from notify_tui.services.session import Session, several_users
from notify_tui.tui.messages import report_failure
from notify_tui.tui.widgets.spinner import Spinner


class UnlockScreen(Screen[Session | None]):
    """The passphrase prompt; dismisses with the unlocked session.

    The key derivation (Argon2id, about 0.7 s by design) runs in a thread worker, so the
    spinner turns and the keys answer while it works.
    """

    CSS_PATH = "unlock.tcss"
    BINDINGS = []
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | (name box) | on to the passphrase |
    | enter | (passphrase box) | unlock |
    | tab | (Textual) | between the name and the passphrase |
    | ctrl+q | app.quit | quit |
    """

    class Unlocked(Message):
        """The vault opened; the session is ready."""

        def __init__(self, session: Session) -> None:
            super().__init__()
            self.session = session

    def __init__(
        self,
        home: Path,
        unlocker: Callable[[Path, str, str | None], Session],
        hint: str = "",
        *,
        user: str = "",
    ) -> None:
        super().__init__()
        self.home = home
        self.unlocker = unlocker
        self.hint = hint
        self.user = user
        # One user: nothing to ask first. Several: who, unless the last one is filled in.
        # (Set before mounting, so no key typed at once lands in the other box.)
        self.AUTO_FOCUS = "#user" if several_users(home) and not user else "#passphrase"

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            yield Static("[b]notify-tui is locked[/b]", id="unlock-title")
            yield Static(f"Vault: {self.home}", id="unlock-vault")
            yield Label("Your name")
            yield Input(
                self.user,
                placeholder="as added to this vault (empty: its only user)",
                id="user",
            )
            yield Label("Passphrase")
            yield Input(password=True, id="passphrase")
            yield Spinner("Unlocking: deriving the key", id="unlock-working")
            yield Static(self.hint, id="unlock-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(self.AUTO_FOCUS, Input).focus()

    @on(Input.Submitted, "#user")
    def _to_passphrase(self) -> None:
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    def _submit(self, event: Input.Submitted) -> None:
        if not event.value or event.input.disabled:
            return
        self._working(True)
        self.query_one("#unlock-message", Static).update("Unlocking… (this takes a second)")
        name = self.query_one("#user", Input).value.strip()
        self.unlock(event.value, name or None)

    def _working(self, working: bool) -> None:
        field = self.query_one("#passphrase", Input)
        field.disabled = working
        self.query_one("#user", Input).disabled = working
        spinner = self.query_one("#unlock-working", Spinner)
        if working:
            spinner.start()
        else:
            spinner.stop()
        if not working:
            field.value = ""
            field.focus()

    @work(thread=True, exclusive=True, group="unlock", name="unlock", exit_on_error=False)
    def unlock(self, passphrase: str, user: str | None) -> None:
        """Derive the key and open the vault off the UI thread."""
        self.post_message(self.Unlocked(self.unlocker(self.home, passphrase, user)))

    @on(Unlocked)
    def _unlocked(self, event: Unlocked) -> None:
        self.dismiss(event.session)

    @on(Worker.StateChanged)
    def _unlock_failed(self, event: Worker.StateChanged) -> None:
        # The app's handler shows the notification; this puts the form back.
        if event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        report_failure(self, event)
        self._working(False)
        error = event.worker.error
        reason = error.message if isinstance(error, NotifyError) else "an internal error"
        self.query_one("#unlock-message", Static).update(f"[b]Not unlocked:[/b] {reason}")
