"""Retention: the cases whose retention period has run, and the legal holds in force."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from notify_tui.errors import NotifyError
from notify_tui.services.retention import RetentionItem, kind_label
from notify_tui.services.session import Session
from notify_tui.tui.modals.erase import EraseScreen

STATUS_WORDS = {
    "due": "DUE",
    "held": "HELD",
    "not_yet": "kept",
    "no_trigger": "kept",
}
"""Each status as the table shows it: in words, never by colour alone."""


class RetentionScreen(Screen[None]):
    """What has reached the end of its retention period (held cases marked HELD), and
    the legal holds in force; `a` shows every case with its date or why it has none."""

    CSS_PATH = "retention.tcss"
    BINDINGS = [
        Binding("a", "toggle_all", "Every case", id="retention.all", show=True),
        Binding("e", "erase", "Erase…", id="retention.erase", show=True),
        Binding("escape", "back", "Back", id="retention.back", show=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | a | retention.all | every case, or only those due |
    | e | retention.erase | erase the selected case, with a second person |
    | escape | retention.back | back |
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.every_case = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="retention-holds")
        yield Static(id="retention-intro")
        yield DataTable(id="retention-cases", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Retention"
        table = self.query_one("#retention-cases", DataTable)
        for key, label in (("case", "Case"), ("kind", "Kind"), ("status", "Status"),
                           ("on", "Due from"), ("why", "Rule, and what stops it")):  # fmt: skip
            table.add_column(label, key=key)
        self._fill()
        table.focus()

    def _fill(self) -> None:
        retention = self.session.retention
        holds = retention.in_force()
        held_lines = [f"  {hold.words()}" for hold in holds]
        self.query_one("#retention-holds", Static).update(
            Text(
                "Legal holds in force: none."
                if not holds
                else "\n".join([f"Legal holds in force ({len(holds)}):", *held_lines])
            )
        )
        items = retention.due(every_case=self.every_case)
        self.sub_title = "every case" if self.every_case else "reached the end of the period"
        due = sum(1 for item in items if item.status == "due")
        held = sum(1 for item in items if item.status == "held")
        self.query_one("#retention-intro", Static).update(
            f"{len(items)} case{'' if len(items) == 1 else 's'} shown: {due} due, {held} held. "
            "A held case is kept whatever its date; e erases the selected one (two people). "
            + ("Press a for only those due." if self.every_case else "Press a for every case.")
        )
        table = self.query_one("#retention-cases", DataTable)
        table.clear()
        for item in items:
            table.add_row(
                item.case_id,
                kind_label(item.kind),
                STATUS_WORDS[item.status],
                "" if item.due_on is None else f"{item.due_on:%d/%m/%Y}",
                Text(_why(item)),  # Text, not markup: a reason may hold "["
                key=item.case_id,
            )

    def action_toggle_all(self) -> None:
        """Every case with its date, or only those whose period has run."""
        self.every_case = not self.every_case
        self._fill()

    def action_erase(self) -> None:
        """Erase the selected case: a second person confirms in the dialog."""
        table = self.query_one("#retention-cases", DataTable)
        if table.row_count == 0:
            self.notify("No case is selected.", severity="warning")
            return
        case_id = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

        def erase(
            reason: str, user: str, passphrase: str, duplicate: str | None
        ) -> tuple[bool, str]:
            try:
                view = self.session.erasure.erase(
                    case_id, reason=reason, confirm_user=user, confirm_passphrase=passphrase,
                    duplicate_of=duplicate,
                )  # fmt: skip
            except NotifyError as error:
                return False, str(error)
            return True, f"Case {case_id} {view.words()}."

        def done(said: str | None) -> None:
            if said:
                self.notify(said, title="Erased")
                self._fill()

        self.app.push_screen(EraseScreen(case_id, erase), done)

    def action_back(self) -> None:
        """Back to where the screen was opened from."""
        self.dismiss(None)


def _why(item: RetentionItem) -> str:
    """The rule, and what keeps the case: a hold, or no trigger yet (the date has its
    own column)."""
    if item.status == "held":
        return f"{item.rule.words()}; {item.holds[0].words()}"
    if item.status == "no_trigger":
        return item.why
    return item.rule.words()
