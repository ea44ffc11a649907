"""The audit trail: who changed or looked at what, and when (never the data itself)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from notify_tui.services.session import Session

LIMIT = 500
"""Entries shown at once (newest first); `notify-tui audit` lists any number."""


class AuditScreen(Screen[None]):
    """Every change and every logged look, newest first: of one case ("who looked at this
    child's record") or of the whole vault."""

    CSS_PATH = "audit.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="audit.back", show=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | escape | audit.back | back |
    """

    def __init__(self, session: Session, case_id: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.case_id = case_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="audit-intro")
        yield DataTable(id="audit-log", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Audit trail"
        self.sub_title = f"case {self.case_id}" if self.case_id else "the whole vault"
        table = self.query_one("#audit-log", DataTable)
        for key, label in (("at", "When (UTC)"), ("who", "Who"), ("case", "Case"),
                           ("what", "What")):  # fmt: skip
            table.add_column(label, key=key)
        entries = self.session.audit(case_id=self.case_id, limit=LIMIT)
        for entry in entries:
            # Text, not markup: a summary may hold "[".
            table.add_row(
                entry.at[:16].replace("T", " "),
                Text(entry.author),
                entry.case,
                Text(entry.summary.removeprefix(entry.author).strip()),
            )
        shown = f"the newest {LIMIT}" if len(entries) == LIMIT else f"{len(entries)}"
        self.query_one("#audit-intro", Static).update(
            f"{shown} entr{'y' if len(entries) == 1 else 'ies'}: changes and every look at case "
            "data (opened, full names, submission form, copies, exports, reports, backups)."
        )
        table.focus()

    def action_back(self) -> None:
        """Back to where the screen was opened from."""
        self.dismiss(None)
