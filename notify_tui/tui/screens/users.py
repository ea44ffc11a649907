"""Users: who may unlock this vault, with which role; admins add and remove them."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from notify_tui.domain.people import Permission, roles_for
from notify_tui.errors import NotifyError
from notify_tui.services.session import Session
from notify_tui.services.types import UserView
from notify_tui.tui.messages import report_failure
from notify_tui.tui.modals.add_user import AddUserScreen, NewUser
from notify_tui.tui.modals.confirm import ConfirmScreen
from notify_tui.tui.widgets.spinner import Spinner


class UsersScreen(Screen[None]):
    """The users of the vault and their roles; `a` adds one, `r` removes the highlighted
    one (admins only: others see the list)."""

    CSS_PATH = "users.tcss"
    BINDINGS = [
        Binding("a", "add", "Add user", id="users.add", show=True),
        Binding("r", "remove", "Remove user", id="users.remove", show=True),
        Binding("escape", "back", "Back", id="users.back", show=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | a | users.add | add a user: name, role, passphrase (admins) |
    | r | users.remove | remove the highlighted user and re-key the vault (admins) |
    | escape | users.back | back |
    """

    class Done(Message):
        """A user was added or removed: show the list again."""

        def __init__(self, said: str) -> None:
            super().__init__()
            self.said = said

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.users: list[UserView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="users-intro")
        yield DataTable(id="users-table", cursor_type="row")
        yield Spinner("Working: re-encrypting the vault", id="users-working")
        yield Static(id="users-status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Users"
        table = self.query_one("#users-table", DataTable)
        for key, label in (("name", "Name"), ("role", "Role"), ("may", "May"),
                           ("added", "Added"), ("state", "State")):  # fmt: skip
            table.add_column(label, key=key)
        admin = self.session.may(Permission.ADMINISTER)
        self.query_one("#users-intro", Static).update(
            "Each user unlocks the vault with their own passphrase; every change and every "
            "look at case data is recorded under their name. "
            + (
                "a adds a user, r removes the highlighted one."
                if admin
                else "Only an admin adds or removes users."
            )  # fmt: skip
        )
        self.show_users()
        table.focus()

    def show_users(self) -> None:
        """Fill the table from the vault."""
        self.users = self.session.users()
        table = self.query_one("#users-table", DataTable)
        table.clear()
        for user in self.users:
            state = "active" if user.active else f"removed {user.removed_at or ''}"[:18]
            table.add_row(
                user.name,
                user.role,
                user.role_words.split(": ", 1)[-1],
                f"{user.added_at[:10]} by {user.added_by}",
                state,
                key=user.name,
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Adding and removing are an admin's."""
        if action in ("add", "remove"):
            return self.session.may(Permission.ADMINISTER)
        return True

    def action_back(self) -> None:
        """Back to where the screen was opened from."""
        self.dismiss(None)

    def action_add(self) -> None:
        """Ask for the new user, then add them (a key derivation: in a worker)."""

        def add(new_user: NewUser | None) -> None:
            if new_user is not None:
                self._working(True)
                self.add_user(new_user)

        self.app.push_screen(AddUserScreen(roles_for(self.session.identity.role)), add)

    def action_remove(self) -> None:
        """Confirm, then remove the highlighted user and re-key (in a worker)."""
        table = self.query_one("#users-table", DataTable)
        if not self.users:
            return
        user = self.users[min(table.cursor_row, len(self.users) - 1)]
        if not user.active:
            self.notify(f"{user.name} was already removed.", severity="warning")
            return

        def remove(confirmed: bool | None) -> None:
            if confirmed:
                self._working(True)
                self.remove_user(user.name)

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {user.name}?",
                f"{user.name} ({user.role}) will no longer open this vault. The vault is "
                "re-encrypted under a new key, so their passphrase, and any copy of the key "
                "slot file made before now, open nothing written from now on. Their name "
                "stays on what they recorded.",
                "Remove and re-key",
            ),
            remove,
        )

    @work(thread=True, exclusive=True, group="users", name="add user", exit_on_error=False)
    def add_user(self, new_user: NewUser) -> None:
        """Write the new user's key slot (Argon2id) off the UI thread."""
        added = self.session.add_user(new_user.name, new_user.role, new_user.passphrase)
        self.post_message(self.Done(f"Added {added.name} as {added.role}."))

    @work(thread=True, exclusive=True, group="users", name="remove user", exit_on_error=False)
    def remove_user(self, name: str) -> None:
        """Remove and re-key (a copy of the whole vault) off the UI thread."""
        removed = self.session.remove_user(name)
        self.post_message(self.Done(f"Removed {removed.name}; the vault was re-keyed."))

    def _working(self, working: bool) -> None:
        spinner = self.query_one("#users-working", Spinner)
        if working:
            spinner.start()
        else:
            spinner.stop()

    @on(Done)
    def _done(self, event: Done) -> None:
        self._working(False)
        self.show_users()
        self.query_one("#users-status", Static).update(event.said)
        self.notify(event.said, title="Users")

    @on(Worker.StateChanged)
    def _work_failed(self, event: Worker.StateChanged) -> None:
        if event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        report_failure(self, event)
        self._working(False)
        error = event.worker.error
        reason = error.message if isinstance(error, NotifyError) else "an internal error"
        self.query_one("#users-status", Static).update(f"Not done: {reason}")
