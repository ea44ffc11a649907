"""Settings: passphrase, idle lock, local closure days, CDOP deadline, theme and names."""

from __future__ import annotations

from collections.abc import Sequence
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
    Checkbox,
    DataTable,
    Header,
    Input,
    Label,
    LoadingIndicator,
    Select,
    Static,
)
from textual.worker import Worker, WorkerState

from notify_tui.bank_holidays import cached_bank_holidays
from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.errors import NotifyError
from notify_tui.services.session import Session
from notify_tui.settings import Preferences, keymap_problem
from notify_tui.tui.keys import KeyBinding
from notify_tui.tui.messages import report_failure
from notify_tui.tui.widgets.key_footer import KeyFooter
from notify_tui.tui.widgets.spinner import Spinner
from notify_tui.tui.widgets.toggles import StateCheckbox
from notify_tui.views.dashboard import format_due
from notify_tui.views.dates import parse_day, read_day

MIN_PASSPHRASE = 12

THEMES = (
    ("Dark", "textual-dark"),
    ("Light", "textual-light"),
    ("High contrast (black, white and yellow)", "high-contrast"),
)

CDOP_DEADLINES = (
    ("On the working day the LA becomes aware (as soon as known)", "working_days:0"),
    ("1 working day after the LA becomes aware (default)", "working_days:1"),
    ("2 working days after the LA becomes aware", "working_days:2"),
    ("Within 24 hours, weekends and holidays included (older local procedures)", "24_hours:1"),
)
"""The CDOP deadline choices: the rule pack settings `cdop_deadline` and
`cdop_working_days`, as one choice ("24_hours" keeps the working days as they were)."""

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


def check_closure_day(
    text: str, closures: list[date], calendar: WorkingDayCalendar, today: date
) -> str | None:
    """A problem with a closure day to add, or None."""
    reading = read_day(text, today, future_ok=True)
    day = reading.day
    if day is None:
        return reading.problem
    if day in closures:
        return f"{format_due(day)} is already a closure day"
    reason = calendar.non_working_reason(day)
    if reason is not None:
        return f"{format_due(day)} is already not a working day ({reason})"
    return None


class SettingsScreen(Screen[Preferences | None]):
    """Edit the preferences; dismisses with the saved ones (None when nothing was saved).

    Saving (which recalculates every deadline when closure days change) and changing
    the passphrase (Argon2id) run in thread workers: a spinner turns, the button that
    started the work is disabled, and the screen answers keys meanwhile.
    """

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
    | ctrl+s | settings.save | save idle lock, closure days, CDOP deadline, theme and names |
    | escape | settings.cancel | back without saving (a changed passphrase stays changed) |
    | enter | (closure box) | add the closure day |
    | delete | settings.remove_closure | remove the highlighted closure day (in its table) |
    | enter | (keys box) | set the highlighted binding's keys (saved with ctrl+s) |
    """

    class PassphraseChanged(Message):
        """The passphrase slot was rewritten under the new passphrase."""

    class Saved(Message):
        """The preferences were stored (and every case refolded, if needed)."""

        def __init__(self, preferences: Preferences) -> None:
            super().__init__()
            self.preferences = preferences

    def __init__(
        self,
        session: Session,
        start: SettingsStart = "all",
        *,
        bindings: Sequence[KeyBinding] = (),
    ) -> None:
        super().__init__()
        self.session = session
        self.start = start
        self.closures = sorted(session.preferences.calendar.closure_days)
        self.bindings = list(bindings)
        """The app's bindings with their default keys, for the keymap editor."""
        self.keymap = dict(session.preferences.keymap)
        """The keys chosen so far (saved with the rest on ctrl+s)."""
        self.AUTO_FOCUS = "#old-passphrase" if start == "passphrase" else "#idle-minutes"
        """Where the cursor starts (not first on the scroll area, the app's default, which
        restyles the whole form as it takes the focus and again as it gives it up)."""

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
                "Closure days move local deadlines only (office steps and local rules). "
                "Statutory deadlines count national working days: Monday to Friday except "
                "bank holidays in England.",
                classes="hint",
                id="closure-hint",
            )
            yield DataTable(id="closures", cursor_type="row")
            with Horizontal(classes="row"):
                yield Input(placeholder="dd/mm/yyyy", id="closure-day")
                yield Button("Add", id="add-closure")
                yield Button("Remove highlighted", id="remove-closure")
            yield Static("", id="closure-error", classes="field-error")

            yield Static("Rules", classes="section-title")
            yield Label("CDOP notification due")
            rules = preferences.rules
            chosen = (
                "24_hours:1"
                if rules.cdop_deadline == "24_hours"
                else f"working_days:{rules.cdop_working_days}"
            )
            yield Select(CDOP_DEADLINES, value=chosen, allow_blank=False, id="cdop-deadline")

            yield Static("Display", classes="section-title")
            yield Label("Theme")
            yield Select(THEMES, value=preferences.display.theme, allow_blank=False, id="theme")
            yield StateCheckbox(
                "Show subjects' full names in lists (initials otherwise)",
                preferences.display.show_full_names,
                id="full-names",
            )

            yield Static("Keys", classes="section-title")
            yield Static(
                "Highlight a binding, type its keys (several with commas, e.g. ctrl+s,f2) "
                "and press enter; an empty box restores the default.",
                classes="hint",
            )
            yield DataTable(id="keymap", cursor_type="row")
            with Horizontal(classes="row"):
                yield Input(placeholder="keys, e.g. ctrl+s", id="keymap-keys")
                yield Button("Set keys", id="set-keys")
            yield Static("", id="keymap-error", classes="field-error")

            yield Static("", id="save-status")
            with Horizontal(classes="row"):
                yield Button("Save", variant="primary", id="save")
                yield Spinner("Saving", id="save-working")
                yield Button("Back without saving", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Settings"
        self.sub_title = self.session.identity.org
        self.query_one("#passphrase-working", LoadingIndicator).display = False
        self.query_one("#closures", DataTable).add_columns("Date", "Day")
        self._fill_closures()
        keymap_table = self.query_one("#keymap", DataTable)
        for key, label in (("id", "Binding id"), ("does", "Does"), ("keys", "Keys")):
            keymap_table.add_column(label, key=key)
        self._fill_keymap()
        self.query_one(self.AUTO_FOCUS, Input).focus()

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

    @work(
        thread=True,
        exclusive=True,
        group="passphrase",
        name="change passphrase",
        exit_on_error=False,
    )
    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the data key (Argon2id, ~0.7 s) off the UI thread."""
        self.session.change_passphrase(old, new)
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

    @on(Worker.StateChanged)
    def _work_failed(self, event: Worker.StateChanged) -> None:
        # The app's handler shows the notification; this puts the form back.
        if event.state not in (WorkerState.ERROR, WorkerState.CANCELLED):
            return
        report_failure(self, event)
        error = event.worker.error
        reason = error.message if isinstance(error, NotifyError) else "an internal error"
        if event.worker.group == "passphrase":
            self._working(False)
            self.query_one("#passphrase-error", Static).update(f"Not changed: {reason}")
            self.query_one("#old-passphrase", Input).focus()
        elif event.worker.group == "save":
            self._saving(False)
            self.query_one("#save-status", Static).update(f"Not saved: {reason}")

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
        calendar = WorkingDayCalendar(self.closures, bank_holidays=cached_bank_holidays())
        today = self.session.today()
        problem = check_closure_day(field.value, self.closures, calendar, today)
        self.query_one("#closure-error", Static).update(problem or "")
        if problem:
            return
        day = parse_day(field.value, today)
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

    # -- keys ----------------------------------------------------------------------

    def _fill_keymap(self) -> None:
        table = self.query_one("#keymap", DataTable)
        cursor = table.cursor_row
        table.clear()
        for binding in self.bindings:
            chosen = self.keymap.get(binding.id)
            keys = binding.keys if chosen is None else f"{chosen} (default {binding.keys})"
            table.add_row(binding.id, binding.description, keys, key=binding.id)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def highlighted_binding(self) -> KeyBinding | None:
        """The binding under the cursor of the keys table."""
        table = self.query_one("#keymap", DataTable)
        if not self.bindings or not table.row_count:
            return None
        return self.bindings[min(table.cursor_row, len(self.bindings) - 1)]

    @on(DataTable.RowHighlighted, "#keymap")
    def _show_keys(self) -> None:
        binding = self.highlighted_binding()
        if binding is not None:
            self.query_one("#keymap-keys", Input).value = self.keymap.get(binding.id, "")
            self.query_one("#keymap-error", Static).update("")

    @on(Button.Pressed, "#set-keys")
    @on(Input.Submitted, "#keymap-keys")
    def set_keys(self) -> None:
        """Give the highlighted binding the keys in the box (empty: its default)."""
        binding = self.highlighted_binding()
        if binding is None:
            return
        keys = self.query_one("#keymap-keys", Input).value.replace(" ", "")
        chosen = dict(self.keymap)
        if keys and keys != binding.keys:
            chosen[binding.id] = keys
        else:
            chosen.pop(binding.id, None)
        problem = keymap_problem(chosen)
        self.query_one("#keymap-error", Static).update(problem or "")
        if problem:
            return
        self.keymap = chosen
        self._fill_keymap()
        self.query_one("#save-status", Static).update("Not saved yet: press ctrl+s.")

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
        unit, _, days = str(self.query_one("#cdop-deadline", Select).value).partition(":")
        rules = current.rules.model_dump(mode="json")
        rules["cdop_deadline"] = unit
        if unit == "working_days":
            rules["cdop_working_days"] = int(days)
        try:
            return Preferences.model_validate(
                {
                    **current.model_dump(mode="json"),
                    "security": {
                        **current.security.model_dump(mode="json"),
                        "idle_lock_minutes": int(minutes_text),
                    },
                    "calendar": {"closure_days": [d.isoformat() for d in self.closures]},
                    "rules": rules,
                    "display": {
                        "theme": theme,
                        "show_full_names": self.query_one("#full-names", Checkbox).value,
                    },
                    "keymap": self.keymap,
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
        if self.query_one("#save", Button).disabled:
            return  # already saving
        preferences = self.gathered()
        if preferences is None:
            return
        refold = preferences.calendar != self.session.preferences.calendar
        self.query_one("#save-status", Static).update(
            "Saving: recalculating every deadline…" if refold else "Saving…"
        )
        self._saving(True)
        self.save(preferences)

    def _saving(self, saving: bool) -> None:
        self.query_one("#save", Button).disabled = saving
        spinner = self.query_one("#save-working", Spinner)
        if saving:
            spinner.start()
        else:
            spinner.stop()

    @work(thread=True, exclusive=True, group="save", name="save settings", exit_on_error=False)
    def save(self, preferences: Preferences) -> None:
        """Store the preferences off the UI thread (a refold reads every case)."""
        self.session.set_preferences(preferences)
        self.post_message(self.Saved(preferences))

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.dismiss(event.preferences)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Back without saving."""
        self.dismiss(None)
