"""The terminal app: `make_app` builds it from an unlocked session and the preferences."""

from __future__ import annotations

import asyncio
import gc
import signal
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from notify_tui.clock import Clock, system_clock
from notify_tui.domain.models import CaseKind
from notify_tui.errors import NotifyError
from notify_tui.services.drafts import Draft
from notify_tui.services.session import Session, vault_exists
from notify_tui.settings import Preferences
from notify_tui.tui.clipboard import wipe as wipe_clipboard
from notify_tui.tui.draft_keeper import DraftKeeper, DraftSpec
from notify_tui.tui.keys import binding_catalogue
from notify_tui.tui.messages import OpenDraft, SessionLocked
from notify_tui.tui.modals.annual_report import AnnualReport, AnnualReportScreen
from notify_tui.tui.modals.base import DraftAnswer, KeepDraftScreen
from notify_tui.tui.screens.audit import AuditScreen
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.drafts import DraftsScreen
from notify_tui.tui.screens.new_case import NewCaseScreen
from notify_tui.tui.screens.reports import ReportsScreen
from notify_tui.tui.screens.retention import RetentionScreen
from notify_tui.tui.screens.settings import SettingsScreen, SettingsStart
from notify_tui.tui.screens.setup import Initializer, SetupScreen, VaultDetails, create_vault
from notify_tui.tui.screens.sync import SyncScreen, SyncStart
from notify_tui.tui.screens.unlock import UnlockScreen
from notify_tui.tui.screens.users import UsersScreen
from notify_tui.tui.themes import HIGH_CONTRAST
from notify_tui.views.new_case_form import ENTRY_TITLES

Unlocker = Callable[[Path, str, str | None], Session]
"""Opens the vault in a folder with a passphrase, as the named user (None: the only
user); runs in a thread worker, so it may be slow (Argon2id) but must not touch the
screen."""

IDLE_CHECK_SECONDS = 1.0
"""How often the app looks at its clock for the idle lock."""

HANG_UP_SIGNALS = ("SIGHUP", "SIGTERM")
"""Signals that end the app from outside (a closed terminal, a shutdown): the forms'
drafts are written first."""


def unlock_with_passphrase(
    home: Path, passphrase: str, user: str | None = None, clock: Clock | None = None
) -> Session:
    """Open the vault in `home` as `user` (the default `Unlocker`, given the app's clock)."""
    return Session.unlock(home, passphrase=passphrase, user=user, clock=clock)


class NotifyApp(App[None]):
    """notify-tui: statutory safeguarding notifications, on time."""

    CSS_PATH = ["app.tcss", "high_contrast.tcss"]
    TITLE = "notify-tui"
    BINDINGS = [
        Binding("f1", "toggle_help", "Keys", id="app.help", show=True),
        Binding("ctrl+l", "lock", "Lock", id="app.lock", show=False, priority=True),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", show=True, priority=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | f1 | app.help | show or hide the keys of the current screen |
    | ctrl+p | (Textual) | command palette ("case: new serious incident", ...) |
    | ctrl+l | app.lock | lock now: close the vault and clear the screen |
    | ctrl+q | app.quit | quit; with a form holding unsaved changes, ask first |

    A form being typed is kept as a draft before the app locks (idle or ctrl+l), and
    reopened as it was after unlocking; ctrl+q with unsaved changes asks "keep as draft
    / discard / go back"; a closed terminal or SIGTERM writes the drafts and quits.
    """

    def __init__(
        self,
        session: Session | None,
        preferences: Preferences,
        *,
        home: Path | None = None,
        unlocker: Unlocker | None = None,
        initializer: Initializer | None = None,
        idle_lock_seconds: float | None = None,
        unlock_hint: str = "",
        clock: Clock | None = None,
        user: str = "",
    ) -> None:
        super().__init__()
        self.last_user = session.user_name if session is not None else user
        """The name the unlock screen starts with: who was signed in before a lock."""
        self.register_theme(HIGH_CONTRAST)
        self.unlock_hint = unlock_hint
        self.session = session
        self.preferences = preferences
        self.clock: Clock = clock or (session.clock if session else system_clock())
        """Where the idle lock and the clipboard wipe read the time (tests move it)."""
        self.home = home or (session.home if session else None)
        self.unlocker: Unlocker = unlocker or self._unlock_on_this_clock
        self.initializer: Initializer = initializer or self._create_on_this_clock
        self.idle_lock_seconds = (
            idle_lock_seconds
            if idle_lock_seconds is not None
            else preferences.security.idle_lock_minutes * 60
        )
        self.last_activity = self.clock.monotonic()
        self.reopen_after_unlock: str | None = None
        """The draft of the form that was open when the app locked, to reopen it."""
        self._signals: list[int] = []

    def _unlock_on_this_clock(self, home: Path, passphrase: str, user: str | None) -> Session:
        return unlock_with_passphrase(home, passphrase, user, self.clock)

    def _create_on_this_clock(self, home: Path, details: VaultDetails) -> tuple[Session, str]:
        return create_vault(home, details, self.clock)

    def on_mount(self) -> None:
        if self.preferences.display.theme in self.available_themes:
            self.theme = self.preferences.display.theme
        self.set_keymap(self.preferences.keymap)
        if self.session is not None:
            self.show_dashboard()
        else:
            self.show_unlock()
        self.set_interval(IDLE_CHECK_SECONDS, self.lock_if_idle, name="idle-lock")
        self._catch_hang_up()

    def on_unmount(self) -> None:
        """The app is stopping (quit, or an internal error) while the terminal is still
        ours: a value copied from a case must not outlive it."""
        wipe_clipboard(self)
        gc.unfreeze()
        loop = asyncio.get_running_loop()
        for number in self._signals:
            with suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(number)
        self._signals = []

    def _catch_hang_up(self) -> None:
        """On a closed terminal (SIGHUP) or SIGTERM, write the forms' drafts, then quit.
        Where the platform has no such signals (Windows), the drafts written as the user
        types are what survives."""
        loop = asyncio.get_running_loop()
        for name in HANG_UP_SIGNALS:
            number = getattr(signal, name, None)
            if number is None:
                continue
            with suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, self._hang_up)
                self._signals.append(number)

    def _hang_up(self) -> None:
        self.keep_drafts()
        self.exit()

    # -- drafts ----------------------------------------------------------------------

    def draft_keepers(self) -> list[DraftKeeper]:
        """The drafts of the forms on the screen stack, bottom first."""
        found = []
        for screen in self.screen_stack:
            keeper = getattr(screen, "draft_keeper", None)
            if isinstance(keeper, DraftKeeper):
                found.append(keeper)
        return found

    def keep_drafts(self) -> str | None:
        """Write every open form's draft now; the id of the topmost one kept."""
        top = None
        for keeper in self.draft_keepers():
            try:
                kept = keeper.flush()
            except NotifyError as error:
                self.notify(f"A draft was not kept: {error.message}", severity="error")
                continue
            if kept is not None:
                top = kept
        return top

    @on(OpenDraft)
    def _open_draft_message(self, message: OpenDraft) -> None:
        self.open_draft(message.draft)

    def open_draft(self, draft: Draft) -> None:
        """Open a draft's form as it was: a new case's form, or the case it is about with
        its dialog (or edit form, or submission view) on top."""
        session = self.session
        if session is None:
            return
        form = draft.summary.form
        kind = str(draft.context.get("kind"))
        if form == "new_case" and kind in CaseKind.__members__:
            self.push_screen(NewCaseScreen(session, kind, draft=draft), self._case_saved)
            return
        if form == "annual_report":
            self.record_annual_report(draft)
            return
        case_id = draft.summary.case_id
        if case_id is None:
            self.notify(f"Draft {draft.id}: this form cannot be reopened.", severity="warning")
            return
        try:
            session.case_detail(case_id)
        except NotifyError as error:
            self.notify(f"Draft {draft.id}: {error.message}", severity="warning")
            return
        self.push_screen(CaseDetailScreen(session, case_id, resume=draft))

    def _reopen_draft(self) -> None:
        draft_id, self.reopen_after_unlock = self.reopen_after_unlock, None
        if draft_id is None or self.session is None:
            return
        try:
            draft = self.session.drafts.get(draft_id)
        except NotifyError:
            return
        self.open_draft(draft)

    async def action_quit(self) -> None:
        """Quit; a form holding unsaved changes first asks: keep as draft, discard, or
        go back (ctrl+q again while asked keeps the drafts and quits)."""
        dirty = [keeper for keeper in self.draft_keepers() if keeper.dirty]
        if not dirty:
            self.exit()
            return
        if isinstance(self.screen, KeepDraftScreen):
            self.keep_drafts()
            self.exit()
            return
        self.push_screen(KeepDraftScreen("quitting", leaving="quit"), self._quit_answered)

    def _quit_answered(self, answer: DraftAnswer | None) -> None:
        if answer == "keep":
            self.keep_drafts()
        elif answer == "discard":
            for keeper in self.draft_keepers():
                keeper.forget()
        else:
            return
        self.exit()

    # -- session lifecycle -----------------------------------------------------------

    def show_dashboard(self) -> None:
        """Replace every screen with the dashboard of the open session."""
        assert self.session is not None  # only called with a session open
        self.push_screen(DashboardScreen(self.session, self.session.preferences))
        self.call_after_refresh(self._freeze_long_lived)

    def _freeze_long_lived(self) -> None:
        """Leave what is alive once the dashboard is up (Textual's modules and styles, the
        open session, the dashboard) out of the cyclic collector's full passes until the
        vault is locked. Opening a form makes enough objects to start such a pass, which
        then went over all of these as well: about 0.1 s of each opening."""
        gc.freeze()

    def show_unlock(self) -> None:
        """Ask for the passphrase."""
        if self.home is None:
            self.exit(message="no vault folder given")
            return
        if not vault_exists(self.home):
            self.push_screen(SetupScreen(self.home, self.initializer), self._unlocked)
            return
        self.push_screen(
            UnlockScreen(self.home, self.unlocker, self.unlock_hint, user=self.last_user),
            self._unlocked,
        )

    def _unlocked(self, session: Session | None) -> None:
        if session is None:
            self.exit()
            return
        self.session = session
        if session.user is not None:
            self.last_user = session.user.name
        self.last_activity = self.clock.monotonic()
        self.apply_keymap(session.preferences)
        self.show_dashboard()
        if self.reopen_after_unlock is not None:
            self.call_after_refresh(self._reopen_draft)

    def lock(self) -> None:
        """Close the vault, drop the key, clear every screen, and ask to unlock again."""
        if self.session is None:
            return
        self.reopen_after_unlock = self.keep_drafts()
        session, self.session = self.session, None
        while len(self.screen_stack) > 1:
            self.pop_screen()
        try:
            session.close()
        except NotifyError as error:
            self.notify(error.message, severity="error")
        gc.unfreeze()  # the closed session's objects may be collected again
        self.post_message(SessionLocked())
        self.show_unlock()

    def action_lock(self) -> None:
        """Lock now: once the keys typed before ctrl+l have reached their fields, so the
        drafts the lock keeps hold them."""
        self.call_after_refresh(self.lock)

    @on(SessionLocked)
    def _wipe_clipboard(self) -> None:
        """A value copied from a case must not outlive the lock."""
        wipe_clipboard(self)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp)):  # fmt: skip
            self.last_activity = self.clock.monotonic()
        await super().on_event(event)

    def lock_if_idle(self) -> None:
        """Lock when nothing was pressed for the idle time (on the app's clock)."""
        idle = self.clock.monotonic() - self.last_activity
        if self.session is not None and idle >= self.idle_lock_seconds:
            self.lock()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """The one place that turns a failed background task (unlock, setup, export,
        import, saving settings, changing the passphrase) into a clear notification.

        Every worker is started with `exit_on_error=False`, so a failure lands here
        instead of stopping the app; the screen that started it puts its form back.
        """
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        name = event.worker.name or "a task"
        # Only a NotifyError's message is safe to show; others may hold case data.
        message = (
            error.message
            if isinstance(error, NotifyError)
            else f"{name} failed ({type(error).__name__})"
        )
        self.notify(message, title=f"Not done: {name}", severity="error")

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
        if case_id is not None and self.session is not None:
            self.notify(f"Case {case_id} saved.", title="Saved")
            self.push_screen(CaseDetailScreen(self.session, case_id))

    def open_drafts(self) -> None:
        """Show the drafts (from the command palette)."""
        if self.session is not None:
            self.push_screen(DraftsScreen(self.session))

    def open_sync(self, start: SyncStart = "peers") -> None:
        """Show the sync screen (from the command palette)."""
        if self.session is not None:
            self.push_screen(SyncScreen(self.session, start))

    def open_settings(self, start: SettingsStart = "all") -> None:
        """Show the settings (from the command palette)."""
        if self.session is not None:
            self.push_screen(
                SettingsScreen(self.session, start, bindings=binding_catalogue()),
                self.apply_preferences,
            )

    def apply_preferences(self, preferences: Preferences | None) -> None:
        """Use saved preferences now: theme, idle lock and keymap."""
        if preferences is None:
            return
        self.preferences = preferences
        self.idle_lock_seconds = preferences.security.idle_lock_minutes * 60
        if preferences.display.theme in self.available_themes:
            self.theme = preferences.display.theme
        self.apply_keymap(preferences)
        self.notify("Settings saved.", title="Saved")

    def apply_keymap(self, preferences: Preferences) -> None:
        """Bind the keys the preferences choose instead of the defaults."""
        self.set_keymap(preferences.keymap)

    def open_users(self) -> None:
        """Show the users (admins add and remove them there)."""
        if self.session is not None:
            self.push_screen(UsersScreen(self.session))

    def open_audit(self) -> None:
        """Show the audit trail of the whole vault."""
        if self.session is not None:
            self.push_screen(AuditScreen(self.session))

    def open_retention(self) -> None:
        """Show what has reached the end of its retention period, and the holds."""
        if self.session is not None:
            self.push_screen(RetentionScreen(self.session))

    def open_reports(self) -> None:
        """Show the reports screen (from the command palette)."""
        if self.session is not None:
            self.push_screen(ReportsScreen(self.session))

    def record_annual_report(self, resume: Draft | None = None) -> None:
        """Ask for the yearly report's year and publication date, and record it (office);
        a refusal keeps the dialog open with what was typed."""
        session = self.session
        if session is None:
            return

        def record(report: AnnualReport) -> str | None:
            if self.session is not session:
                return "the vault was locked meanwhile; unlock it and try again"
            try:
                session.record_annual_report(report.year, report.published_on)
            except NotifyError as error:
                return error.message
            return None

        def recorded(report: AnnualReport | None) -> None:
            if report is not None:
                self.notify(f"Yearly report {report.year} recorded; send it within 7 days.")

        draft = DraftSpec(session, "annual_report", "Record the yearly report", resume=resume)
        self.push_screen(AnnualReportScreen(session.today(), record, draft=draft), recorded)

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
        yield SystemCommand(
            "users: manage", "Who may unlock this vault, and their roles", self.open_users
        )
        yield SystemCommand(
            "audit: open", "Every change and every look at case data, by whom", self.open_audit
        )
        yield SystemCommand("drafts: open", "Forms started and not yet recorded", self.open_drafts)
        yield SystemCommand(
            "retention: what is due",
            "Cases past their retention period, and the legal holds in force",
            self.open_retention,
        )
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
    unlocker: Unlocker | None = None,
    initializer: Initializer | None = None,
    idle_lock_seconds: float | None = None,
    unlock_hint: str = "",
    clock: Clock | None = None,
    user: str = "",
) -> NotifyApp:
    """The app for an open session.

    With `session=None` it starts on the unlock screen for the vault in `home`, or on
    first-run setup when `home` holds no vault yet. `clock` (default: the session's, else
    `system_clock()`) times the idle lock and the clipboard wipe; `unlocker` (default:
    `Session.unlock` on that clock) opens the vault again after a lock. `user` fills the
    unlock screen's name (the signed-in user's after a lock).
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
        clock=clock,
        user=user,
    )
