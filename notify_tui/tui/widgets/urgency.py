"""Urgency shown as a coloured word: colour never carries the meaning alone."""

from __future__ import annotations

from rich.text import Text

URGENCY_STYLES = {
    "overdue": "bold #ffffff on #a4161a",
    "due today": "bold #000000 on #f4a261",
    "due soon": "bold #e9c46a",
    "later": "",
    "no date": "italic",
    "done": "dim",
}
"""Cell styles per urgency; each is paired with a word (OVERDUE, DUE TODAY, ...)."""


def urgency_text(label: str, urgency: str) -> Text:
    """A table cell: the urgency word in its colour, padded so a background reads as a badge."""
    return Text(f" {label} ", style=URGENCY_STYLES.get(urgency, ""))
