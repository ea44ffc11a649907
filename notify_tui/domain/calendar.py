"""Working days in England, and the calendar arithmetic deadlines are built from.

A working day is Monday to Friday, except bank holidays in England (substitute days and
one-off days such as 19 Sep 2022 and 8 May 2023 included) and, on a local clock only, the
closure days an authority configures. Statutory deadlines count national working days
(`WorkingDayCalendar.national`): an authority's closure day does not give it longer to
notify the Panel, the CDOP or the Secretary of State. "Within N working days of X" means
the Nth working day after X: X itself never counts, and an X on a weekend or holiday
simply counts from the next working day.

Dates are handled as proleptic ordinals internally (``date.toordinal()``), so the hot paths
are integer arithmetic and set look-ups; bank holidays are loaded lazily, a year at a time,
from a `BankHolidays` source: by default `england_bank_holidays`, which asks the `holidays`
package (slow to import: every country loads with it); the shells pass a table cached per
`holidays` version (`notify_tui.bank_holidays`) that gives the same days.
"""

from __future__ import annotations

import bisect
from calendar import monthrange
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

__all__ = [
    "LOCAL_CLOSURE",
    "BankHolidays",
    "WorkingDayCalendar",
    "add_calendar_hours",
    "add_calendar_months",
    "england_bank_holidays",
]

BankHolidays = Callable[[Sequence[int]], Mapping[date, str]]
"""A source of bank holidays: given years, every bank holiday in England in them, by name."""


def england_bank_holidays(years: Sequence[int]) -> dict[date, str]:
    """England's bank holidays in ``years`` (substitute and one-off days included), from
    ``holidays.country_holidays("GB", subdiv="ENG")``."""
    import holidays  # here, not at the top: importing it loads every country's module

    found = holidays.country_holidays("GB", subdiv="ENG", years=list(years))
    return {day: str(name) for day, name in found.items()}


# date(1, 1, 1) is a Monday with ordinal 1, so an ordinal's weekday is (ordinal - 1) % 7.
_SATURDAY = 5
_WEEKEND_NAMES = {5: "Saturday", 6: "Sunday"}
LOCAL_CLOSURE = "local closure"
"""The reason `WorkingDayCalendar.non_working_reason` gives for a local closure day."""


def _weekday(ordinal: int) -> int:
    return (ordinal - 1) % 7


def _weekdays_through(ordinal: int) -> int:
    """Count Monday-to-Friday ordinals in ``[1, ordinal]``."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


class WorkingDayCalendar:
    """Working days in England: Monday to Friday less bank holidays and local closures.

    Bank holidays come from ``bank_holidays`` (by default `england_bank_holidays`) and are
    loaded lazily for a contiguous range of years that grows as dates outside it are asked
    about. The instance caches, so build one per set of closure days and reuse it.
    """

    def __init__(
        self, closures: Iterable[date] = (), bank_holidays: BankHolidays = england_bank_holidays
    ) -> None:
        self._bank_holidays = bank_holidays
        self._closures: frozenset[date] = frozenset(
            date(day.year, day.month, day.day) for day in closures
        )
        closure_ordinals = {day.toordinal() for day in self._closures}
        # Weekday ordinals that are not working days (closures on any date, holidays of the
        # loaded years); weekend ordinals are never stored, they are recognised arithmetically.
        self._closed_weekdays: set[int] = {
            ordinal for ordinal in closure_ordinals if _weekday(ordinal) < _SATURDAY
        }
        self._closed_sorted: list[int] = sorted(self._closed_weekdays)
        self._holiday_names: dict[int, str] = {}
        self._first_year = 0
        self._last_year = -1
        self._first_loaded = 0
        self._last_loaded = -1
        self._national: WorkingDayCalendar | None = None

    @property
    def closures(self) -> frozenset[date]:
        """The local closure days this calendar was built with."""
        return self._closures

    def national(self) -> WorkingDayCalendar:
        """This calendar without its local closure days: the national working days that
        statutory deadlines count (itself when it has no closures)."""
        if not self._closures:
            return self
        if self._national is None:
            self._national = WorkingDayCalendar(bank_holidays=self._bank_holidays)
        return self._national

    # -- loading ---------------------------------------------------------------------------

    def _load_years(self, first: int, last: int) -> None:
        """Make sure bank holidays for ``first..last`` (and every year between) are loaded."""
        if self._first_year <= first and last <= self._last_year:
            return
        if self._last_year < self._first_year:  # nothing loaded yet
            new_first, new_last = first, last
        else:
            new_first, new_last = min(first, self._first_year), max(last, self._last_year)
        missing = [
            year
            for year in range(new_first, new_last + 1)
            if not self._first_year <= year <= self._last_year
        ]
        for day, name in self._bank_holidays(missing).items():
            ordinal = day.toordinal()
            self._holiday_names[ordinal] = str(name)
            if _weekday(ordinal) < _SATURDAY:
                self._closed_weekdays.add(ordinal)
        self._closed_sorted = sorted(self._closed_weekdays)
        self._first_year, self._last_year = new_first, new_last
        self._first_loaded = date(new_first, 1, 1).toordinal()
        self._last_loaded = date(new_last, 12, 31).toordinal()

    def _ensure_ordinal(self, ordinal: int) -> None:
        if not self._first_loaded <= ordinal <= self._last_loaded:
            year = date.fromordinal(ordinal).year
            self._load_years(year, year)

    # -- queries -----------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day (Mon-Fri, not a bank holiday, not a closure)."""
        ordinal = d.toordinal()
        if _weekday(ordinal) >= _SATURDAY:
            return False
        self._ensure_ordinal(ordinal)
        return ordinal not in self._closed_weekdays

    def non_working_reason(self, d: date) -> str | None:
        """Why ``d`` is not a working day, or ``None`` if it is one.

        Returns ``"Saturday"`` or ``"Sunday"`` for weekends (even when a bank holiday falls
        on them: the substitute day is the one taken off), else the bank holiday's name,
        else ``"local closure"``.
        """
        ordinal = d.toordinal()
        weekday = _weekday(ordinal)
        if weekday >= _SATURDAY:
            return _WEEKEND_NAMES[weekday]
        self._ensure_ordinal(ordinal)
        name = self._holiday_names.get(ordinal)
        if name is not None:
            return name
        if ordinal in self._closed_weekdays:
            return LOCAL_CLOSURE
        return None

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` ("within n working days of start").

        ``start`` itself is never counted, whether or not it is a working day.

        Raises:
            ValueError: if ``n`` is less than 1.
        """
        if n < 1:
            raise ValueError(f"working days to add must be at least 1, got {n}")
        ordinal = start.toordinal()
        self._ensure_ordinal(ordinal)
        closed = self._closed_weekdays
        last_loaded = self._last_loaded
        remaining = n
        while remaining:
            ordinal += 1
            if (ordinal - 1) % 7 >= _SATURDAY:
                continue
            if ordinal > last_loaded:
                self._ensure_ordinal(ordinal)
                last_loaded = self._last_loaded
            if ordinal not in closed:
                remaining -= 1
        return date.fromordinal(ordinal)

    def subtract_working_days(self, end: date, n: int) -> date:
        """The ``n``-th working day before ``end`` ("n working days before end").

        ``end`` itself is never counted: 7 working days before Fri 11 Dec 2026 is Wed 2 Dec.

        Raises:
            ValueError: if ``n`` is less than 1.
        """
        if n < 1:
            raise ValueError(f"working days to count back must be at least 1, got {n}")
        day = end
        remaining = n
        while remaining:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def next_working_day_on_or_after(self, d: date) -> date:
        """``d`` if it is a working day, else the first working day after it."""
        if self.is_working_day(d):
            return d
        return self.add_working_days(d, 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open interval ``(start, end]``; 0 if ``end <= start``.

        This is "working days taken" from ``start`` to ``end``.
        """
        first = start.toordinal()
        last = end.toordinal()
        if last <= first:
            return 0
        if not (self._first_loaded <= first + 1 and last <= self._last_loaded):
            self._load_years(start.year, end.year)
        weekdays = _weekdays_through(last) - _weekdays_through(first)
        closed = self._closed_sorted
        closed_in_range = bisect.bisect_right(closed, last) - bisect.bisect_right(closed, first)
        return weekdays - closed_in_range

    def working_days_left(self, today: date, due: date) -> int:
        """Working days from ``today`` until ``due``; negative once overdue.

        Due today is 0, due on the next working day is 1. When ``due`` is before ``today``
        the result is ``-max(1, working days in (due, today])``, so it is always negative
        once overdue (due Friday: Saturday and Monday give -1, Tuesday -2).
        """
        if due >= today:
            return self.working_days_between(today, due)
        return -max(1, self.working_days_between(due, today))

    def add_calendar_hours(self, start: datetime, hours: int) -> datetime:
        """Same as the module function `add_calendar_hours`."""
        return add_calendar_hours(start, hours)

    def add_calendar_months(self, start: date, months: int) -> date:
        """Same as the module function `add_calendar_months`."""
        return add_calendar_months(start, months)


def add_calendar_hours(start: datetime, hours: int) -> datetime:
    """``start`` plus ``hours`` elapsed hours.

    For an aware ``start`` the hours are real elapsed time (across a clock change 24 hours is
    not always "same time tomorrow"); the result is in ``start``'s time zone. A naive
    ``start`` gets plain wall-clock addition.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        return start + timedelta(hours=hours)
    return (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)


def add_calendar_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months, clamped to the last day of the month.

    31 Aug 2023 + 6 months is 29 Feb 2024; 31 Aug 2024 + 6 months is 28 Feb 2025.
    """
    years, month_index = divmod(start.month - 1 + months, 12)
    year = start.year + years
    month = month_index + 1
    day = min(start.day, monthrange(year, month)[1])
    return date(year, month, day)
