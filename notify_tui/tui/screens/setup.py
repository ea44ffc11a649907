"""First run: create the vault (organisation, role, name, passphrase twice), then show
the recovery code once, and continue only when the user confirms they have kept it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Input,
    Label,
    Select,
    Static,
)
from textual.worker import Worker, WorkerState

from notify_tui.clock import Clock
from notify_tui.services.session import Session
from notify_tui.tui.messages import report_failure
from notify_tui.tui.widgets.spinner import Spinner
from notify_tui.tui.widgets.toggles import StateCheckbox

MIN_PASSPHRASE = 12


@dataclass(frozen=True)
class VaultDetails:
    """What the first-run form asks for."""

    org: str
    role: str
    author: str
    passphrase: str


Initializer = Callable[[Path, VaultDetails], tuple[Session, str]]
"""Creates the vault; runs in a thread worker, so it may be slow but must not touch the
screen."""


def create_vault(
    home: Path, details: VaultDetails, clock: Clock | None = None
) -> tuple[Session, str]:
    """Create the vault (the default `Initializer`); returns the session and recovery code."""
    return Session.init(
        home,
        details.passphrase,
        org=details.org,
        role="office" if details.role == "office" else "la",
        author=details.author,
        clock=clock,
    )


def check_details(org: str, author: str, first: str, second: str) -> dict[str, str]:
    """Problems with the first-run form, by field."""
    errors: dict[str, str] = {}
    if not org.strip():
        errors["org"] = "give your organisation's name"
    if not author.strip():
        errors["author"] = "give your name (it is recorded on every change)"
    if len(first) < MIN_PASSPHRASE:
        errors["passphrase"] = f"use at least {MIN_PASSPHRASE} characters (a few words is best)"
    elif first != second:
        errors["passphrase2"] = "the two passphrases differ"
    return errors


class SetupScreen(Screen[Session | None]):
    """Create a vault; dismisses with the open session once the recovery code is kept.

    Creating it (key calibration and derivation) runs in a thread worker: the spinner
    turns and the Create button stays disabled until it is done.
    """

    CSS_PATH = "setup.tcss"
    BINDINGS = [Binding("ctrl+s", "create", "Create vault", id="setup.create", show=True)]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | setup.create | create the vault |
    | ctrl+q | app.quit | quit without creating anything |
    """

    class Created(Message):
        """The vault exists; its session and the recovery code to show once."""

        def __init__(self, session: Session, recovery_code: str) -> None:
            super().__init__()
            self.session = session
            self.recovery_code = recovery_code

    def __init__(self, home: Path, initializer: Initializer = create_vault) -> None:
        super().__init__()
        self.home = home
        self.initializer = initializer
        self.session: Session | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="setup-box"):
            yield Static("[b]Welcome to notify-tui[/b]: set up this workstation's vault")
            yield Static(f"Vault folder: {self.home}", classes="muted")
            with Vertical(id="details"):
                yield Label("Organisation (your local authority, or the business office)")
                yield Input(id="org", max_length=200)
                yield Static(id="e-org", classes="field-error")
                yield Label("Role")
                yield Select(
                    [("Local authority", "la"), ("Partnership business office", "office")],
                    value="la",
                    allow_blank=False,
                    id="role",
                )
                yield Label("Your name")
                yield Input(id="author", max_length=200)
                yield Static(id="e-author", classes="field-error")
                yield Label("Passphrase (at least 12 characters)")
                yield Input(password=True, id="passphrase")
                yield Static(id="e-passphrase", classes="field-error")
                yield Label("Passphrase again")
                yield Input(password=True, id="passphrase2")
                yield Static(id="e-passphrase2", classes="field-error")
                yield Button("Create vault", variant="primary", id="create")
                yield Spinner("Creating the vault", id="setup-working")
            with Vertical(id="recovery"):
                yield Static(id="recovery-code")
                yield StateCheckbox(
                    "I have written the recovery code down and will keep it safe", id="kept"
                )
                yield Button("Continue", variant="primary", id="continue", disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#recovery").display = False
        self.query_one("#org", Input).focus()

    def _values(self) -> tuple[str, str, str, str]:
        return tuple(  # type: ignore[return-value]
            self.query_one(f"#{name}", Input).value
            for name in ("org", "author", "passphrase", "passphrase2")
        )

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        """Check the form and create the vault."""
        if self.session is not None or self.query_one("#create", Button).disabled:
            return
        org, author, first, second = self._values()
        errors = check_details(org, author, first, second)
        for name in ("org", "author", "passphrase", "passphrase2"):
            self.query_one(f"#e-{name}", Static).update(errors.get(name, ""))
        if errors:
            return
        role = str(self.query_one("#role", Select).value)
        details = VaultDetails(org.strip(), role, author.strip(), first)
        self._working(True)
        self.create(details)

    def _working(self, working: bool) -> None:
        button = self.query_one("#create", Button)
        button.disabled = working
        button.label = "Creating… (a few seconds)" if working else "Create vault"
        spinner = self.query_one("#setup-working", Spinner)
        if working:
            spinner.start()
        else:
            spinner.stop()

    @work(thread=True, exclusive=True, group="setup", name="create vault", exit_on_error=False)
    def create(self, details: VaultDetails) -> None:
        """Create the vault off the UI thread."""
        session, code = self.initializer(self.home, details)
        self.post_message(self.Created(session, code))

    @on(Worker.StateChanged)
    def _create_failed(self, event: Worker.StateChanged) -> None:
        # The app's handler shows why; this puts the form back.
        report_failure(self, event)
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._working(False)

    @on(Created)
    def _created(self, event: Created) -> None:
        self._working(False)
        self.session, code = event.session, event.recovery_code
        for name in ("passphrase", "passphrase2"):
            self.query_one(f"#{name}", Input).value = ""
        self.query_one("#details").display = False
        self.query_one("#recovery").display = True
        self.query_one("#recovery-code", Static).update(
            "[b]Your recovery code[/b] (shown once, never again):\n\n"
            f"    [b]{code}[/b]\n\n"
            "It opens the vault if the passphrase is forgotten. Write it on paper and keep it "
            "where your organisation keeps other recovery secrets. Anyone holding it can read "
            "every case."
        )
        self.query_one("#kept", Checkbox).focus()

    @on(Checkbox.Changed, "#kept")
    def _kept(self, event: Checkbox.Changed) -> None:
        self.query_one("#continue", Button).disabled = not event.value

    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        if self.session is not None and self.query_one("#kept", Checkbox).value:
            self.query_one("#recovery-code", Static).update("")
            self.dismiss(self.session)
