"""A one-line choice from a short list, shown as the words chosen: `‹ Female ›`.

Lighter than a `Select` (one widget instead of a dropdown and its list, which matters on
a form of fifty fields) and read the same way by eye and by a screen reader: the choice
is there as text. Space, enter or right goes to the next choice, left to the one before,
and a letter to the next choice whose words start with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class ChoiceBox(Widget, can_focus=True):
    """Choose one of a few values; the widget shows the chosen one's words."""

    DEFAULT_CSS = """
    ChoiceBox {
        height: 1;
        width: 30;
        background: $surface;
        padding: 0 1 0 0;
        &:focus {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        &:disabled {
            color: $text-disabled;
        }
    }
    """

    STEPS = {"space": 1, "enter": 1, "right": 1, "left": -1}
    """Keys the widget reads itself, as it gets them (so a Tab typed right after one
    cannot send it to the next field): space, enter or right for the next choice, left
    for the one before; a letter or digit for the next choice starting with it."""

    value: reactive[str] = reactive("", init=False)
    """The value chosen."""

    class Changed(Message):
        """The choice changed."""

        def __init__(self, choice_box: ChoiceBox, value: str) -> None:
            super().__init__()
            self.choice_box = choice_box
            self.value = value

        @property
        def control(self) -> ChoiceBox:
            """The widget that changed."""
            return self.choice_box

    def __init__(
        self,
        choices: Sequence[tuple[str, str]],
        value: str | None = None,
        *,
        id: str | None = None,  # noqa: A002 - Textual's name for it
        disabled: bool = False,
    ) -> None:
        super().__init__(id=id, disabled=disabled)
        self.choices = list(choices)
        values = [choice for _, choice in self.choices]
        with self.prevent(self.Changed):
            self.value = value if value in values else values[0]

    @property
    def words(self) -> str:
        """The chosen value's words."""
        return next((label for label, choice in self.choices if choice == self.value), "")

    def render(self) -> Content:
        return Content(f"‹ {self.words} ›")

    def watch_value(self) -> None:
        self.post_message(self.Changed(self, self.value))

    def action_step(self, step: int) -> None:
        """Go to the next (1) or previous (-1) choice, round the list."""
        values = [choice for _, choice in self.choices]
        index = values.index(self.value) if self.value in values else 0
        self.value = values[(index + step) % len(values)]

    def on_click(self) -> None:
        """A click goes to the next choice."""
        self.action_step(1)

    def on_key(self, event: Key) -> None:
        """Space, enter, right and left step through the choices; a letter goes to the next
        choice whose words start with it."""
        if event.key in self.STEPS:
            event.stop()
            event.prevent_default()
            self.action_step(self.STEPS[event.key])
            return
        if event.character is None or not event.character.isalnum() or len(event.key) > 1:
            return
        letter = event.character.lower()
        values = [choice for _, choice in self.choices]
        start = values.index(self.value) if self.value in values else 0
        for offset in range(1, len(values) + 1):
            label, choice = self.choices[(start + offset) % len(values)]
            if label.lower().startswith(letter):
                self.value = choice
                event.stop()
                return
