"""The terminal app: `make_app` builds it from an unlocked session and the preferences."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from time import monotonic

from rich.console import RenderableType
from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from notify_tui.domain.models import CaseKind
from notify_tui.errors import NotifyError
from notify_tui.services.session import Session
from notify_tui.settings import Preferences
from notify_tui.store.vault import vault_exists
from notify_tui.tui.clipboard import wipe as wipe_clipboard
from notify_tui.tui.messages import SessionLocked
from notify_tui.tui.modals.annual_report import AnnualReport, AnnualReportScreen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.new_case import NewCaseScreen
from notify_tui.tui.screens.reports import ReportsScreen
from notify_tui.tui.screens.settings import SettingsScreen, SettingsStart
from notify_tui.tui.screens.setup import Initializer, SetupScreen, create_vault
from notify_tui.tui.screens.sync import SyncScreen, SyncStart
from notify_tui.tui.screens.unlock import UnlockScreen
from notify_tui.tui.themes import HIGH_CONTRAST
from notify_tui.views.new_case_form import ENTRY_TITLES

Unlocker = Callable[[Path, str], Session]


def unlock_with_passphrase(home: Path, passphrase: str) -> Session:
    """Open the vault in `home` (the default `Unlocker`)."""
    return Session.unlock(home, passphrase=passphrase)


class NotifyApp(App[None]):
    """notify-tui: statutory safeguarding notifications, on time."""

    CSS_PATH = ["app.tcss", "high_contrast.tcss"]
    TITLE = "notify-tui"
    BINDINGS = [
        Binding("f1", "toggle_help", "Keys", id="app.help", show=True),
        Binding("ctrl+l", "lock", "Lock", id="app.lock", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", show=True, priority=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | f1 | app.help | show or hide the keys of the current screen |
    | ctrl+p | (Textual) | command palette ("case: new serious incident", ...) |
    | ctrl+l | app.lock | lock now: close the vault and clear the screen |
    | ctrl+q | app.quit | quit |
    """

    def __init__(
        self,
        session: Session | None,
        preferences: Preferences,
        *,
        home: Path | None = None,
        unlocker: Unlocker = unlock_with_passphrase,
        initializer: Initializer = create_vault,
        idle_lock_seconds: float | None = None,
        unlock_hint: str = "",
    ) -> None:
        super().__init__()
        self.register_theme(HIGH_CONTRAST)
        self.unlock_hint = unlock_hint
        self.session = session
        self.preferences = preferences
        self.home = home or (session.home if session else None)
        self.unlocker = unlocker
        self.initializer = initializer
        self.idle_lock_seconds = (
            idle_lock_seconds
            if idle_lock_seconds is not None
            else preferences.security.idle_lock_minutes * 60
        )
        self.last_activity = monotonic()

    def on_mount(self) -> None:
        if self.preferences.display.theme in self.available_themes:
            self.theme = self.preferences.display.theme
        if self.session is not None:
            self.show_dashboard()
        else:
            self.show_unlock()
        self.set_interval(min(15.0, max(0.2, self.idle_lock_seconds / 4)), self._check_idle)

    # -- session lifecycle -----------------------------------------------------------

    def show_dashboard(self) -> None:
        """Replace every screen with the dashboard of the open session."""
        assert self.session is not None  # only called with a session open
        self.push_screen(DashboardScreen(self.session, self.session.preferences))

    def show_unlock(self) -> None:
        """Ask for the passphrase."""
        if self.home is None:
            self.exit(message="no vault folder given")
            return
        if not vault_exists(self.home):
            self.push_screen(SetupScreen(self.home, self.initializer), self._unlocked)
            return
        self.push_screen(UnlockScreen(self.home, self.unlocker, self.unlock_hint), self._unlocked)

    def _unlocked(self, session: Session | None) -> None:
        if session is None:
            self.exit()
            return
        self.session = session
        self.last_activity = monotonic()
        self.show_dashboard()

    def lock(self) -> None:
        """Close the vault, drop the key, clear every screen, and ask to unlock again."""
        if self.session is None:
            return
        session, self.session = self.session, None
        while len(self.screen_stack) > 1:
            self.pop_screen()
        try:
            session.close()
        except NotifyError as error:
            self.notify(error.message, severity="error")
        self.post_message(SessionLocked())
        self.show_unlock()

    def action_lock(self) -> None:
        """Lock now."""
        self.lock()

    def exit(
        self,
        result: None = None,
        return_code: int = 0,
        message: RenderableType | None = None,
    ) -> None:
        """Quit (ctrl+q, or the app closing itself); a value copied from a case must not
        outlive the app, so the clipboard is overwritten while the terminal is still ours."""
        wipe_clipboard(self)
        super().exit(result, return_code, message)

    def _fatal_error(self) -> None:
        # An internal error ends the app without `exit`: wipe here too. (Textual's
        # hook for it; its traceback is kept off the screen by `cli_tui.run_app`.)
        wipe_clipboard(self)
        super()._fatal_error()

    @on(SessionLocked)
    def _wipe_clipboard(self) -> None:
        """A value copied from a case must not outlive the lock."""
        wipe_clipboard(self)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp)):  # fmt: skip
            self.last_activity = monotonic()
        await super().on_event(event)

    def _check_idle(self) -> None:
        if self.session is not None and monotonic() - self.last_activity >= self.idle_lock_seconds:
            self.lock()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """One place that turns a failed background task into a clear notification."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        # Only a NotifyError's message is safe to show; others may hold case data.
        message = (
            error.message
            if isinstance(error, NotifyError)
            else f"{event.worker.name or 'a task'} failed ({type(error).__name__})"
        )
        self.notify(message, title="Not done", severity="error")

    # -- help and commands -----------------------------------------------------------

    def action_toggle_help(self) -> None:
        """Show or hide the keys panel."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def new_case(self, kind: CaseKind) -> None:
        """Open the new case form (from the command palette)."""
        if self.session is None:
            return
        self.push_screen(NewCaseScreen(self.session, kind), self._case_saved)

    def _case_saved(self, case_id: str | None) -> None:
        if case_id is not None:
            self.notify(f"Case {case_id} saved.", title="Saved")

    def open_sync(self, start: SyncStart = "peers") -> None:
        """Show the sync screen (from the command palette)."""
        if self.session is not None:
            self.push_screen(SyncScreen(self.session, start))

    def open_settings(self, start: SettingsStart = "all") -> None:
        """Show the settings (from the command palette)."""
        if self.session is not None:
            self.push_screen(SettingsScreen(self.session, start), self.apply_preferences)

    def apply_preferences(self, preferences: Preferences | None) -> None:
        """Use saved preferences now: theme and idle lock."""
        if preferences is None:
            return
        self.preferences = preferences
        self.idle_lock_seconds = preferences.security.idle_lock_minutes * 60
        if preferences.display.theme in self.available_themes:
            self.theme = preferences.display.theme
        self.notify("Settings saved.", title="Saved")

    def open_reports(self) -> None:
        """Show the reports screen (from the command palette)."""
        if self.session is not None:
            self.push_screen(ReportsScreen(self.session))

    def record_annual_report(self) -> None:
        """Ask for the yearly report's year and publication date, and record it (office)."""
        session = self.session
        if session is None:
            return

        def record(report: AnnualReport | None) -> None:
            if report is None or self.session is not session:
                return
            try:
                session.record_annual_report(report.year, report.published_on)
            except NotifyError as error:
                self.notify(error.message, title="Not recorded", severity="error")
                return
            self.notify(f"Yearly report {report.year} recorded; send it within 7 days.")

        self.push_screen(AnnualReportScreen(session.today()), record)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.session is None:
            return
        for kind in CaseKind:
            verb = ENTRY_TITLES[kind].removeprefix("New ").lower()
            yield SystemCommand(
                f"case: new {verb}",
                f"{ENTRY_TITLES[kind]}: a form with the duties it raises",
                lambda kind=kind: self.new_case(kind),  # type: ignore[misc]
            )
        yield SystemCommand("vault: lock", "Close the vault and clear the screen", self.lock)
        yield SystemCommand("reports: open", "Timeliness figures by duty and LA", self.open_reports)
        if self.session.identity.role == "office":
            yield SystemCommand(
                "office: record yearly report",
                "The partnership's yearly report: year and publication date",
                self.record_annual_report,
            )
        for verb, help_text in (
            ("export", "Write a bundle for each peer into a folder"),
            ("import", "Import the bundles in a folder, with a result per file"),
            ("peers", "This device's keys, peers, and receipts received"),
        ):
            yield SystemCommand(
                f"sync: {verb}",
                help_text,
                lambda verb=verb: self.open_sync(verb),  # type: ignore[misc]
            )
        yield SystemCommand(
            "settings: open", "Idle lock, closure days, theme, names", self.open_settings
        )
        yield SystemCommand(
            "settings: change passphrase",
            "Re-wrap the vault key under a new passphrase",
            lambda: self.open_settings("passphrase"),
        )


def make_app(
    session: Session | None,
    preferences: Preferences | None = None,
    *,
    home: Path | None = None,
    unlocker: Unlocker = unlock_with_passphrase,
    initializer: Initializer = create_vault,
    idle_lock_seconds: float | None = None,
    unlock_hint: str = "",
) -> NotifyApp:
    """The app for an open session.

    With `session=None` it starts on the unlock screen for the vault in `home`, or on
    first-run setup when `home` holds no vault yet.
    """
    if preferences is None:
        preferences = session.preferences if session is not None else Preferences()
    return NotifyApp(
        session,
        preferences,
        home=home,
        unlocker=unlocker,
        initializer=initializer,
        idle_lock_seconds=idle_lock_seconds,
        unlock_hint=unlock_hint,
    )
