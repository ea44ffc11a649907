"""How urgent a duty is: the words shown beside every urgency colour.

Pure: the caller works out the working days left (with its calendar and its today).
"""

from __future__ import annotations

DUTY_STATES = ("open", "sent", "acknowledged", "withdrawn", "not_notifying")
"""Duty statuses; every one but `open` is done."""

DONE_STATES = frozenset(DUTY_STATES) - {"open"}
"""The statuses of a duty that needs nothing more."""

SOON_WORKING_DAYS = 2
"""Open duties due within this many working days are shown as "due soon"."""


def urgency(status: str, left: int | None) -> str:
    """overdue / due today / due soon / later / no date / done: words beside colours."""
    if status in DONE_STATES:
        return "done"
    if left is None:
        return "no date"
    if left < 0:
        return "overdue"
    if left == 0:
        return "due today"
    if left <= SOON_WORKING_DAYS:
        return "due soon"
    return "later"
