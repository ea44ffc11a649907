"""Settings: passphrase, idle lock, local closure days, theme and names."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    LoadingIndicator,
    Select,
    Static,
    Switch,
)

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.errors import NotifyError
from notify_tui.services.session import Session
from notify_tui.settings import Preferences
from notify_tui.views.dashboard import format_due
from notify_tui.views.dates import parse_day

MIN_PASSPHRASE = 12

THEMES = (
    ("Dark", "textual-dark"),
    ("Light", "textual-light"),
    ("High contrast (black, white and yellow)", "high-contrast"),
)

SettingsStart = Literal["all", "passphrase"]
"""Where the cursor starts: the whole form, or the current passphrase box."""


def passphrase_strength(text: str) -> str:
    """A one-line strength hint for a new passphrase (words, not only a colour)."""
    if not text:
        return ""
    words = len(text.split())
    if len(text) < MIN_PASSPHRASE:
        return f"Too short: at least {MIN_PASSPHRASE} characters (a few words is best)."
    if len(text) >= 24 or (words >= 4 and len(text) >= 18):
        return "Strong."
    if len(text) >= 16 or words >= 3:
        return "Good: another word would make it strong."
    return "Weak: long enough, but a few unrelated words would be much stronger."


def check_closure_day(text: str, closures: list[date], calendar: WorkingDayCalendar) -> str | None:
    """A problem with a closure day to add, or None."""
    day = parse_day(text)
    if day is None:
        return "write the closure day as YYYY-MM-DD"
    if day in closures:
        return f"{format_due(day)} is already a closure day"
    reason = calendar.non_working_reason(day)
    if reason is not None:
        return f"{format_due(day)} is already not a working day ({reason})"
    return None


class SettingsScreen(Screen[Preferences | None]):
    """Edit the preferences; dismisses with the saved ones (None when nothing was saved)."""

    CSS_PATH = "settings.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save", show=True),
        Binding("escape", "cancel", "Back", id="settings.cancel", show=True),
        Binding("delete", "remove_closure", "Remove day", id="settings.remove_closure",
                show=False),
    ]  # fmt: skip
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | settings.save | save idle lock, closure days, theme and names |
    | escape | settings.cancel | back without saving (a changed passphrase stays changed) |
    | enter | (closure box) | add the closure day |
    | delete | settings.remove_closure | remove the highlighted closure day (in its table) |
    """

    class PassphraseChanged(Message):
        """The passphrase slot was rewritten under the new passphrase."""

    class PassphraseNotChanged(Message):
        """Changing the passphrase failed; nothing was changed."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, session: Session, start: SettingsStart = "all") -> None:
        super().__init__()
        self.session = session
        self.start = start
        self.closures = sorted(session.preferences.calendar.closure_days)

    def compose(self) -> ComposeResult:
        preferences = self.session.preferences
        yield Header()
        with VerticalScroll(id="settings-form"):
            yield Static("Passphrase", classes="section-title")
            yield Label("Current passphrase")
            yield Input(password=True, id="old-passphrase")
            yield Label("New passphrase")
            yield Input(password=True, id="new-passphrase")
            yield Static("", id="strength")
            yield Label("New passphrase again")
            yield Input(password=True, id="new-passphrase2")
            yield Static("", id="passphrase-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Button("Change passphrase", id="change-passphrase")
                yield LoadingIndicator(id="passphrase-working")
                yield Static("", id="passphrase-status")

            yield Static("Locking", classes="section-title")
            yield Label("Lock after this many minutes without a key press (1 to 240)")
            yield Input(
                str(preferences.security.idle_lock_minutes), type="integer", id="idle-minutes"
            )
            yield Static("", id="idle-error", classes="field-error")

            yield Static("Local closure days", classes="section-title")
            yield Static(
                "Days your office is closed besides weekends and England bank holidays. "
                "Deadlines counted in working days skip them.",
                classes="hint",
            )
            yield DataTable(id="closures", cursor_type="row")
            with Horizontal(classes="row"):
                yield Input(placeholder="YYYY-MM-DD", id="closure-day")
                yield Button("Add", id="add-closure")
                yield Button("Remove highlighted", id="remove-closure")
            yield Static("", id="closure-error", classes="field-error")

            yield Static("Display", classes="section-title")
            yield Label("Theme")
            yield Select(THEMES, value=preferences.display.theme, allow_blank=False, id="theme")
            with Horizontal(classes="row"):
                yield Switch(preferences.display.show_full_names, id="full-names")
                yield Label("Show subjects' full names in lists (initials otherwise)")

            yield Static("", id="save-status")
            with Horizontal(classes="row"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Back without saving", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Settings"
        self.sub_title = self.session.identity.org
        self.query_one("#passphrase-working", LoadingIndicator).display = False
        self.query_one("#closures", DataTable).add_columns("Date", "Day")
        self._fill_closures()
        focus = "#old-passphrase" if self.start == "passphrase" else "#idle-minutes"
        self.query_one(focus, Input).focus()

    # -- passphrase ----------------------------------------------------------------

    @on(Input.Changed, "#new-passphrase")
    def _strength(self, event: Input.Changed) -> None:
        self.query_one("#strength", Static).update(passphrase_strength(event.value))

    @on(Button.Pressed, "#change-passphrase")
    @on(Input.Submitted, "#new-passphrase2")
    def submit_passphrase(self) -> None:
        """Check the three passphrase boxes, then change the passphrase in a worker."""
        old = self.query_one("#old-passphrase", Input).value
        new = self.query_one("#new-passphrase", Input).value
        again = self.query_one("#new-passphrase2", Input).value
        error = self.query_one("#passphrase-error", Static)
        if not old:
            error.update("give the current passphrase")
        elif len(new) < MIN_PASSPHRASE:
            error.update(f"new passphrase: use at least {MIN_PASSPHRASE} characters")
        elif new != again:
            error.update("the two new passphrases differ")
        elif new == old:
            error.update("the new passphrase is the same as the current one")
        else:
            error.update("")
            self._working(True)
            self.change_passphrase(old, new)

    def _working(self, working: bool) -> None:
        for selector in ("#old-passphrase", "#new-passphrase", "#new-passphrase2"):
            self.query_one(selector, Input).disabled = working
        self.query_one("#change-passphrase", Button).disabled = working
        self.query_one("#passphrase-working", LoadingIndicator).display = working
        self.query_one("#passphrase-status", Static).update(
            "Working: deriving the new key (about a second)…" if working else ""
        )

    @work(exclusive=True, group="passphrase", thread=True, name="change passphrase")
    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the data key (Argon2id, ~0.7 s) off the UI thread.

        Safe on a thread: it reads and rewrites the key slot file only, never the
        vault's database connection.
        """
        try:
            self.session.change_passphrase(old, new)
        except NotifyError as error:
            self.post_message(self.PassphraseNotChanged(error.message))
            return
        self.post_message(self.PassphraseChanged())

    @on(PassphraseChanged)
    def _passphrase_changed(self) -> None:
        self._working(False)
        for selector in ("#old-passphrase", "#new-passphrase", "#new-passphrase2"):
            self.query_one(selector, Input).value = ""
        self.query_one("#passphrase-status", Static).update(
            "[b]Passphrase changed.[/b] Use the new one from now on; the recovery code "
            "is unchanged."
        )
        self.notify("Passphrase changed.", title="Saved")

    @on(PassphraseNotChanged)
    def _passphrase_not_changed(self, event: PassphraseNotChanged) -> None:
        self._working(False)
        self.query_one("#passphrase-error", Static).update(f"Not changed: {event.reason}")
        self.query_one("#old-passphrase", Input).focus()

    # -- closure days --------------------------------------------------------------

    def _fill_closures(self) -> None:
        table = self.query_one("#closures", DataTable)
        table.clear()
        for day in self.closures:
            table.add_row(day.isoformat(), format_due(day), key=day.isoformat())
        if not self.closures:
            table.add_row("-", "no closure days", key="none")

    @on(Button.Pressed, "#add-closure")
    @on(Input.Submitted, "#closure-day")
    def _add_closure(self) -> None:
        field = self.query_one("#closure-day", Input)
        calendar = WorkingDayCalendar(self.closures)
        problem = check_closure_day(field.value, self.closures, calendar)
        self.query_one("#closure-error", Static).update(problem or "")
        if problem:
            return
        day = parse_day(field.value)
        assert day is not None  # checked above
        self.closures = sorted([*self.closures, day])
        field.value = ""
        self._fill_closures()
        self.query_one("#save-status", Static).update("Not saved yet: press ctrl+s.")

    @on(Button.Pressed, "#remove-closure")
    def _remove_closure(self) -> None:
        table = self.query_one("#closures", DataTable)
        if not self.closures or not table.row_count:
            return
        del self.closures[min(table.cursor_row, len(self.closures) - 1)]
        self._fill_closures()
        self.query_one("#save-status", Static).update("Not saved yet: press ctrl+s.")

    def action_remove_closure(self) -> None:
        """Remove the highlighted closure day (when the closure table has the focus)."""
        if self.focused is self.query_one("#closures", DataTable):
            self._remove_closure()

    # -- saving --------------------------------------------------------------------

    def gathered(self) -> Preferences | None:
        """The preferences the form holds, or None (with the problem shown) if invalid."""
        minutes_text = self.query_one("#idle-minutes", Input).value.strip()
        error = self.query_one("#idle-error", Static)
        if not minutes_text.isdigit() or not 1 <= int(minutes_text) <= 240:
            error.update("give a whole number of minutes from 1 to 240")
            self.query_one("#idle-minutes", Input).focus()
            return None
        error.update("")
        current = self.session.preferences
        theme = self.query_one("#theme", Select).value
        try:
            return Preferences.model_validate(
                {
                    **current.model_dump(mode="json"),
                    "security": {
                        **current.security.model_dump(mode="json"),
                        "idle_lock_minutes": int(minutes_text),
                    },
                    "calendar": {"closure_days": [d.isoformat() for d in self.closures]},
                    "display": {
                        "theme": theme,
                        "show_full_names": self.query_one("#full-names", Switch).value,
                    },
                }
            )
        except ValidationError as problem:
            first = problem.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            self.query_one("#save-status", Static).update(f"Not saved: {where}: {first['msg']}")
            return None

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Save the preferences (recalculating deadlines if closure days changed)."""
        preferences = self.gathered()
        if preferences is None:
            return
        refold = preferences.calendar != self.session.preferences.calendar
        self.query_one("#save-status", Static).update(
            "Saving: recalculating every deadline…" if refold else "Saving…"
        )
        self.query_one("#save", Button).disabled = True
        # Paint the message first; the vault connection belongs to this thread.
        self.call_after_refresh(self._save, preferences)

    def _save(self, preferences: Preferences) -> None:
        try:
            self.session.set_preferences(preferences)
        except NotifyError as error:
            self.query_one("#save", Button).disabled = False
            self.query_one("#save-status", Static).update(f"Not saved: {error}")
            return
        self.dismiss(preferences)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Back without saving."""
        self.dismiss(None)
