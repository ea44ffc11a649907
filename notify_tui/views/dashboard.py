"""What the dashboard shows, in words: dates nobody can misread.

The filter and sort spec and the short labels are in `notify_tui.domain.dashboard`; the
rows are read a page at a time by `Session.duty_pages`.
"""

from __future__ import annotations

from datetime import date


def format_due(due: date | None) -> str:
    """A due date nobody can misread: weekday, day, month name and year."""
    return due.strftime("%a %d %b %Y") if due else "-"
