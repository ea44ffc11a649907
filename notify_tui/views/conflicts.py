"""Conflicts as people read them: numbered choices and a marker for lists (no Textual).

The words themselves (a conflict's question, each value as a choice) come with the
`ConflictView` the Session returns (`domain.wording`); this module lays them out the same
way for the CLI and the app.
"""

from __future__ import annotations

from notify_tui.services.types import ConflictValue, ConflictView

CONFLICT_SIGN = "⚠"
"""Shown before the word "conflict", never instead of it (colour or a sign alone is not
enough)."""


def numbered(value: ConflictValue) -> str:
    """One value as a numbered choice: "1. 18 Nov 2026 (B. Office)"."""
    return f"{value.number}. {value.words}"


def numbered_values(conflict: ConflictView) -> str:
    """Every value of a conflict on one line: "1. ...  2. ..."."""
    return "  ".join(numbered(value) for value in conflict.values)


def conflict_lines(conflict: ConflictView, case_id: str) -> list[str]:
    """A conflict as the CLI prints it: the field, the question, the numbered values and
    the command that resolves it."""
    return [
        f"{case_id}  {conflict.label} ({conflict.field})",
        f"  {conflict.question}",
        f"  {numbered_values(conflict)}",
        f"  resolve: notify-tui resolve {case_id} {conflict.field} --choose N",
    ]


def conflict_marker(count: int) -> str:
    """The mark after a case in a list: "" with none, "⚠ conflict", "⚠ 2 conflicts"."""
    if count <= 0:
        return ""
    if count == 1:
        return f"{CONFLICT_SIGN} conflict"
    return f"{CONFLICT_SIGN} {count} conflicts"


def conflict_badge(count: int) -> str:
    """The short mark after a case id in the dashboard's table: "⚠1" (one field in
    conflict), "" with none. Short, so the table still fits 120 columns; the legend
    above the table (`CONFLICT_LEGEND`) says what it means."""
    return f"{CONFLICT_SIGN}{count}" if count > 0 else ""


CONFLICT_LEGEND = f"{CONFLICT_SIGN}N after a case: N fields in conflict"
"""What the dashboard's badge means, in words."""
