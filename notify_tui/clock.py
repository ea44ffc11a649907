"""Today's date, the current time and a monotonic timer, in one injectable object.

Every part of the program that needs the time takes a `Clock`: the Session, the
terminal app (idle lock, clipboard wipe) and the CLI. `system_clock()` reads
`NOTIFY_TUI_TODAY` (YYYY-MM-DD) once, when it is called at start, and freezes the date
for demos, snapshots and tests so that "working days left" is stable. Tests pass a
`ManualClock` and move it by hand instead of sleeping. Nothing else reads the wall clock.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from notify_tui.errors import InvalidInput

TODAY_VARIABLE = "NOTIFY_TUI_TODAY"


class Clock(Protocol):
    """What the program may ask about time."""

    def today(self) -> date:
        """Today's date in England."""
        ...

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back (for idle timers)."""
        ...


@dataclass(frozen=True)
class SystemClock:
    """The machine's clock, optionally on a frozen date (`NOTIFY_TUI_TODAY`)."""

    frozen_today: date | None = None
    """When set, `today()` is this date and `now()` is the current time on it."""

    def today(self) -> date:
        """Today's date, or the frozen one."""
        return self.frozen_today or date.today()

    def now(self) -> datetime:
        """The current UTC time (moved onto the frozen date when one is set)."""
        current = datetime.now(UTC)
        if self.frozen_today is None:
            return current
        day = self.frozen_today
        return current.replace(year=day.year, month=day.month, day=day.day)

    def monotonic(self) -> float:
        """The process's monotonic timer."""
        return time.monotonic()


@dataclass
class ManualClock:
    """A clock that moves only when told to (tests, benchmarks)."""

    current: datetime
    """The time `now()` returns; `today()` is its date."""

    ticks: float = 0.0
    """What `monotonic()` returns."""

    def today(self) -> date:
        """The date of `current`."""
        return self.current.date()

    def now(self) -> datetime:
        """`current`."""
        return self.current

    def monotonic(self) -> float:
        """`ticks`."""
        return self.ticks

    def advance(self, seconds: float) -> None:
        """Move both the time and the monotonic timer forward."""
        self.ticks += seconds
        self.current += timedelta(seconds=seconds)


def frozen_today_from_environment() -> date | None:
    """The date in `NOTIFY_TUI_TODAY`, or None; a malformed value is a one-line error."""
    frozen = os.environ.get(TODAY_VARIABLE)
    if not frozen:
        return None
    try:
        return date.fromisoformat(frozen)
    except ValueError:
        raise InvalidInput(f"{TODAY_VARIABLE}: must be a date written YYYY-MM-DD") from None


def system_clock() -> SystemClock:
    """The clock for this run: reads `NOTIFY_TUI_TODAY` once, now."""
    return SystemClock(frozen_today_from_environment())
