"""Today's date and the current time, in one place.

`NOTIFY_TUI_TODAY` (YYYY-MM-DD) freezes the date for demos, snapshots and tests so
that "working days left" is stable; nothing else reads the wall clock directly.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from notify_tui.errors import InvalidInput

TODAY_VARIABLE = "NOTIFY_TUI_TODAY"


def today() -> date:
    """Today's date (England), or the frozen date from `NOTIFY_TUI_TODAY`."""
    frozen = os.environ.get(TODAY_VARIABLE)
    if frozen:
        try:
            return date.fromisoformat(frozen)
        except ValueError:
            raise InvalidInput(f"{TODAY_VARIABLE}: must be a date written YYYY-MM-DD") from None
    return date.today()


def now() -> datetime:
    """The current time in UTC (on the frozen date when one is set)."""
    current = datetime.now(UTC)
    frozen = os.environ.get(TODAY_VARIABLE)
    if frozen:
        day = today()
        return current.replace(year=day.year, month=day.month, day=day.day)
    return current
