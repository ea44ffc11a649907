"""The one dialog base every modal derives from: layout, styles, cancel, the error line and
the draft of what is typed.

A `Dialog[T]` is a small `ModalScreen[T]`: a title, the body its subclass composes, an
error line, and a row of buttons. Escape and the Cancel button dismiss it with
`cancel_result()` (None unless a subclass says otherwise), so a caller's callback always
receives a typed value and no dialog ever mutates its caller.

A dialog that records something is given a `DraftSpec`: what is typed into its fields
is then kept as a draft in the vault (`DraftKeeper`), Escape with something typed asks
"keep as draft / discard / go back" (`KeepDraftScreen`), and `recorded(result)` forgets
the draft and closes. A dialog reopened from a draft shows what was typed.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, ClassVar, Generic, Literal, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, RadioButton, RadioSet, Select, Static
from textual.widgets.select import InvalidSelectValueError

from notify_tui.tui.draft_keeper import DraftKeeper, DraftSpec

T = TypeVar("T")

DraftAnswer = Literal["keep", "discard", "back"]
"""What to do with a form that holds unsaved changes."""


class Dialog(ModalScreen[T], Generic[T]):
    """A modal that asks one thing; subclasses compose `body()` and `buttons()`."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", show=True),
        Binding("tab", "app.focus_next", "Next field", id="dialog.next", show=False,
                priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", id="dialog.previous",
                show=False, priority=True),
    ]  # fmt: skip
    """Keys every dialog shares (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | escape | dialog.cancel | close without doing anything (with something typed: ask) |
    | tab | dialog.next | the next field |
    | shift+tab | dialog.previous | the previous field |

    Tab is a priority binding: it moves the focus as soon as it is read, so keys typed
    right after it land in the next field however fast they come (see docs/tui.md).
    """

    ERROR_ID: ClassVar[str | None] = "dialog-error"
    """The id of the error line under the body; None for a dialog whose fields carry
    their own error lines."""

    def __init__(self, title: str, *, draft: DraftSpec | None = None) -> None:
        super().__init__()
        self.dialog_title = title
        self.draft_spec = draft
        self.draft_keeper: DraftKeeper | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.dialog_title, classes="dialog-title")
            yield from self.body()
            if self.ERROR_ID is not None:
                yield Static("", id=self.ERROR_ID, classes="field-error dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield from self.buttons()

    def body(self) -> ComposeResult:
        """The question: labels and fields between the title and the error line."""
        yield from ()

    def buttons(self) -> ComposeResult:
        """The button row; by default only Cancel (subclasses put theirs first)."""
        yield Button("Cancel", id="cancel")

    def show_error(self, text: str) -> None:
        """Put a one-line problem on the error line ("" clears it)."""
        if self.ERROR_ID is not None:
            self.query_one(f"#{self.ERROR_ID}", Static).update(text)

    def cancel_result(self) -> T | None:
        """What escape and Cancel dismiss with."""
        return None

    # -- drafts --------------------------------------------------------------------

    def on_mount(self) -> None:
        # Textual runs this after a subclass's own `on_mount` (each class's handler runs,
        # most derived first): the fields are set up, and none has been typed into.
        if self.draft_spec is not None:
            self.draft_keeper = DraftKeeper(self, self.draft_spec, self.draft_values)
            self.draft_keeper.start()
            if self.draft_spec.resume is not None:
                self.restore_values(self.draft_spec.resume.values)

    def draft_values(self) -> dict[str, Any]:
        """What the dialog's fields hold, by field id (what its draft keeps)."""
        values: dict[str, Any] = {}
        for field in self.query(Input):
            if field.id:
                values[field.id] = field.value
        for box in self.query(Checkbox):
            if box.id:
                values[box.id] = box.value
        for choice in self.query(Select):
            if choice.id:
                values[choice.id] = choice.value if isinstance(choice.value, str) else None
        for radios in self.query(RadioSet):
            if radios.id:
                pressed = radios.pressed_button
                values[radios.id] = pressed.id if pressed is not None else None
        return values

    def restore_values(self, values: Any) -> None:
        """Put a draft's values back into the fields of the same ids."""
        widgets = {
            widget.id: widget
            for widget in self.query("Input, Checkbox, Select, RadioSet")
            if widget.id
        }
        for name, value in dict(values).items():
            widget = widgets.get(name)
            if isinstance(widget, Input):
                if isinstance(value, str):
                    widget.value = value
            elif isinstance(widget, Checkbox):
                if isinstance(value, bool):
                    widget.value = value
            elif isinstance(widget, Select) and isinstance(value, str):
                with suppress(InvalidSelectValueError):
                    widget.value = value
            elif isinstance(widget, RadioSet) and isinstance(value, str):
                for button in widget.query(RadioButton):
                    if button.id == value:
                        button.value = True

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    @on(RadioSet.Changed)
    def _field_changed(self) -> None:
        if self.draft_keeper is not None:
            self.draft_keeper.changed()

    def recorded(self, result: T) -> None:
        """The dialog recorded what it holds: forget its draft and close with `result`."""
        if self.draft_keeper is not None:
            self.draft_keeper.forget()
        self.dismiss(result)

    # -- closing -------------------------------------------------------------------

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without doing anything; with something typed, ask what to do with it."""
        keeper = self.draft_keeper
        if keeper is not None and keeper.dirty:
            self.app.push_screen(KeepDraftScreen(self.dialog_title), self._answered)
            return
        if keeper is not None:
            keeper.forget()
        self.dismiss(self.cancel_result())

    def _answered(self, answer: DraftAnswer | None) -> None:
        keeper = self.draft_keeper
        if answer == "keep" and keeper is not None:
            keeper.flush()
            self.notify("Kept as a draft: open it from the dashboard (d).", title="Draft kept")
        elif answer == "discard" and keeper is not None:
            keeper.forget()
        else:
            return
        self.dismiss(self.cancel_result())


class KeepDraftScreen(Dialog[DraftAnswer]):
    """Ask what to do with a form that holds unsaved changes: keep as draft, discard, or
    go back to it."""

    ERROR_ID = None
    BINDINGS = [
        Binding("k", "answer('keep')", "Keep as draft", id="keep_draft.keep", show=True),
        Binding("d", "answer('discard')", "Discard", id="keep_draft.discard", show=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | k | keep_draft.keep | keep what was typed as a draft in the vault, and close the form |
    | d | keep_draft.discard | throw what was typed away, and close the form |
    | escape | dialog.cancel | go back to the form |
    """

    def __init__(self, what: str, *, leaving: str = "close") -> None:
        super().__init__(f"Unsaved changes: {what}")
        self.leaving = leaving

    def body(self) -> ComposeResult:
        yield Static(
            f"This form holds what you typed and it is not recorded yet. Before you "
            f"{self.leaving}, keep it as a draft (kept in the encrypted vault; open it "
            "again from the dashboard with d), discard it, or go back to it?",
            classes="dialog-text",
        )

    def buttons(self) -> ComposeResult:
        yield Button("Keep as draft (k)", variant="primary", id="keep")
        yield Button("Discard (d)", variant="error", id="discard")
        yield Button("Go back (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()  # then Dialog.on_mount: no draft here

    def cancel_result(self) -> DraftAnswer:
        """Escape goes back to the form."""
        return "back"

    def action_cancel(self) -> None:
        """Go back to the form."""
        self.dismiss("back")

    @on(Button.Pressed, "#keep")
    def _keep(self) -> None:
        self.dismiss("keep")

    @on(Button.Pressed, "#discard")
    def _discard(self) -> None:
        self.dismiss("discard")

    def action_answer(self, answer: DraftAnswer) -> None:
        """Answer by key."""
        self.dismiss(answer)
