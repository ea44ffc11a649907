"""Modal: erase a case, by two people (the signed-in user and a second who types their
own passphrase here), with the reason; a duplicate names the case kept."""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Button, Input, Label
from textual.worker import Worker, WorkerState

from notify_tui.domain.erasure import MIN_ERASE_REASON
from notify_tui.tui.messages import report_failure
from notify_tui.tui.modals.base import Dialog
from notify_tui.tui.widgets.own_keys import FormInput

Erase = Callable[[str, str, str, str | None], tuple[bool, str]]
"""(reason, second user, their passphrase, duplicate of) → (erased, what to say): a
refusal in one line, or the erasure in words."""


class EraseScreen(Dialog[str | None]):
    """Ask for the reason, the second person and their passphrase, and (for a duplicate)
    the case kept; hand them to `erase` off the UI thread (the passphrase's key
    derivation takes a moment). A refusal (a hold, a wrong passphrase, a role) shows on
    the error line and the dialog stays open; once erased it closes with the erasure in
    words. Nothing here is kept as a draft: a passphrase is typed into it."""

    class Answered(Message):
        """The worker's answer, handed back to the UI thread."""

        def __init__(self, erased: bool, said: str) -> None:
            super().__init__()
            self.erased = erased
            self.said = said

    ERROR_ID = "erase-error"
    BINDINGS = []
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | enter | (passphrase box) | erase |
    | escape | dialog.cancel | close without erasing |
    """

    def __init__(self, case_id: str, erase: Erase) -> None:
        super().__init__(f"Erase case {case_id}")
        self.case_id = case_id
        self.erase = erase

    def body(self) -> ComposeResult:
        yield Label("Keeps who did what and when, and a signed certificate.")
        yield Label("Destroys what the case held: here, and at the office after a sync.")
        yield Label("Why it may be destroyed (the schedule's line; never what it held)")
        yield FormInput(id="erase-reason", max_length=2000)
        yield Label("Duplicate of (the case kept; leave empty for its retention period)")
        yield Input(id="erase-duplicate", max_length=64)
        yield Label("Second person: an admin or a lead (one of you two is an admin)")
        yield Input(id="erase-user", max_length=200)
        yield Label("Their passphrase (they type it)")
        yield Input(password=True, id="erase-passphrase")

    def buttons(self) -> ComposeResult:
        yield Button("Erase", variant="error", id="save")
        yield from super().buttons()

    def on_mount(self) -> None:
        self.query_one("#erase-reason", Input).focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#erase-passphrase")
    def _save(self) -> None:
        reason = self.query_one("#erase-reason", Input).value.strip()
        duplicate = self.query_one("#erase-duplicate", Input).value.strip() or None
        user = self.query_one("#erase-user", Input).value.strip()
        passphrase = self.query_one("#erase-passphrase", Input)
        if len(reason) < MIN_ERASE_REASON:
            self.show_error("say why in at least a sentence")
            return
        if not user:
            self.show_error("name the second person, who confirms with their passphrase")
            return
        typed, passphrase.value = passphrase.value, ""  # never left in the form
        self.query_one("#save", Button).disabled = True
        self.show_error("Checking the second person's passphrase…")
        self._erase(reason, user, typed, duplicate)

    @work(thread=True, exclusive=True, group="erase", name="erase case", exit_on_error=False)
    def _erase(self, reason: str, user: str, passphrase: str, duplicate: str | None) -> None:
        erased, said = self.erase(reason, user, passphrase, duplicate)
        self.post_message(self.Answered(erased, said))

    @on(Answered)
    def _erase_answered(self, answer: Answered) -> None:
        self.query_one("#save", Button).disabled = False
        if not answer.erased:
            self.show_error(answer.said)
            return
        self.dismiss(answer.said)

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.query_one("#save", Button).disabled = False
            report_failure(self, event)
