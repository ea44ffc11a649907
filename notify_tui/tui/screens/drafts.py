"""Drafts: the forms started and not yet recorded, to open again or discard."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from notify_tui.errors import NotifyError
from notify_tui.services.drafts import DraftSummary
from notify_tui.services.session import Session
from notify_tui.tui.messages import OpenDraft
from notify_tui.tui.modals.confirm import ConfirmScreen


class DraftsScreen(Screen[None]):
    """Every draft kept in the vault, the most recently saved first: what form, about
    which case, started and saved how long ago. Enter opens one as it was."""

    CSS_PATH = "drafts.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open", id="drafts.open", show=True),
        Binding("x", "discard", "Discard", id="drafts.discard", show=True),
        Binding("escape", "back", "Back", id="drafts.back", show=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | drafts.open | open the highlighted draft's form as it was |
    | x | drafts.discard | discard the highlighted draft, after a confirmation |
    | escape | drafts.back | back to the dashboard |
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.drafts: list[DraftSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "Forms started and not yet recorded, kept in the encrypted vault. A draft is not "
            "a case: it raises no duty and is never sent to the office.",
            id="drafts-intro",
        )
        yield DataTable(id="drafts-table", cursor_type="row")
        yield Static(id="drafts-empty")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Drafts"
        table = self.query_one(DataTable)
        for key, label in (("what", "Form"), ("case", "Case"), ("label", "About"),
                           ("saved", "Saved"), ("by", "By")):  # fmt: skip
            table.add_column(label, key=key)
        self.refill()
        table.focus()

    def refill(self) -> None:
        """Read the drafts again and show them."""
        self.drafts = self.session.drafts.summaries()
        table = self.query_one(DataTable)
        table.clear()
        for draft in self.drafts:
            table.add_row(
                draft.title,
                draft.case_id or "new",
                draft.label or "-",
                draft.age,
                draft.author,
                key=draft.id,
            )
        self.query_one("#drafts-empty", Static).update(
            "" if self.drafts else "No drafts: every form started has been recorded or discarded."
        )

    def current(self) -> DraftSummary | None:
        """The highlighted draft."""
        table = self.query_one(DataTable)
        if not self.drafts or not table.row_count:
            return None
        return self.drafts[min(table.cursor_row, len(self.drafts) - 1)]

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        """Open the highlighted draft (its form, as it was)."""
        summary = self.current()
        if summary is None:
            return
        try:
            draft = self.session.drafts.get(summary.id)
        except NotifyError as error:
            self.notify(error.message, severity="warning")
            self.refill()
            return
        self.dismiss(None)
        self.app.post_message(OpenDraft(draft))

    def action_discard(self) -> None:
        """Discard the highlighted draft, after a confirmation."""
        summary = self.current()
        if summary is None:
            return

        def discard(confirmed: bool | None) -> None:
            if not confirmed:
                return
            try:
                self.session.drafts.discard(summary.id)
            except NotifyError as error:
                self.notify(error.message, severity="warning")
            self.refill()

        self.app.push_screen(
            ConfirmScreen(
                f"Discard draft: {summary.title}",
                "What was typed into this form is deleted from the vault. Nothing recorded "
                "changes.",
                "Discard",
            ),
            discard,
        )

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)
