"""One row of a long form: a field's name, the field, and a message after it.

The name and the message are drawn by the row itself, under and beside its only child,
the field: a row is two widgets instead of four (a container, a label, the field and a
message box). Textual's cost of opening a screen grows with its widgets (styling each,
laying each out), and a case form has some fifty rows.
"""

from __future__ import annotations

from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

LABEL_WIDTH = 18
"""Columns for the name (the last one left blank), where the field starts."""
FIELD_WIDTH = 30
"""Columns the field takes."""
MESSAGE_X = LABEL_WIDTH + FIELD_WIDTH + 1
"""Where the message starts: one blank column after the field."""


class FieldRow(Horizontal):
    """`label` in the first `LABEL_WIDTH` columns (wrapped), `field` after it, and a
    message after the field (`show_message`), muted, or in the error style."""

    COMPONENT_CLASSES = {"field-row--message", "field-row--error"}
    DEFAULT_CSS = """
    FieldRow {
        height: auto;
        & > .field-row--message {
            color: $text-muted;
        }
        & > .field-row--error {
            color: $error;
            text-style: bold;
        }
    }
    """

    def __init__(
        self,
        label: str,
        field: Widget,
        *,
        id: str | None = None,  # noqa: A002 - Textual's name for it
        classes: str | None = None,
    ) -> None:
        super().__init__(field, id=id, classes=classes)
        self.label = label
        self.message = ""
        """The message shown after the field."""
        self.error = False
        """Whether the message is a problem (drawn in the error style)."""

    def show_message(self, text: str, *, error: bool) -> None:
        """Show `text` after the field (a problem when `error`)."""
        if (text, error) == (self.message, self.error):
            return
        self.message, self.error = text, error
        self.refresh(layout=True)

    def _label_lines(self) -> list[Content]:
        return Content(self.label).wrap(LABEL_WIDTH - 1)

    def _message_lines(self, width: int) -> list[Content]:
        if not self.message or width <= MESSAGE_X:
            return []
        return Content(self.message).wrap(width - MESSAGE_X)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        fields = super().get_content_height(container, viewport, width)
        return max(fields, len(self._label_lines()), len(self._message_lines(width)))

    def render(self) -> Content:
        width = self.size.width
        labels = self._label_lines()
        messages = self._message_lines(width)
        style = self.get_visual_style(
            "field-row--error" if self.error else "field-row--message", partial=True
        )
        lines: list[Content] = []
        for number in range(max(len(labels), len(messages), 1)):
            label = labels[number] if number < len(labels) else Content("")
            line = label.pad_right(MESSAGE_X - label.cell_length)
            if number < len(messages):
                line += messages[number].stylize_before(style)
            lines.append(line)
        return Content("\n").join(lines)
