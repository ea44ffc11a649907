"""Dates as people type them into the app's forms (no Textual).

The parsing is the domain's (`notify_tui.domain.dates`): `30/11/2026`, `30/11/26`,
`2026-11-30`, "today" and "yesterday". This module adds what a form shows beside a date
field: the date in words ("Mon 30 Nov 2026") once it parses, or the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from notify_tui.domain.dates import DateProblem, day_in_words, parse_date

FUTURE = "is in the future; give the date it happened"


@dataclass(frozen=True)
class DayReading:
    """What a date field's text amounts to."""

    day: date | None
    """The date, when the text names one (and it passes the checks asked for)."""
    problem: str = ""
    """Why it does not, in one line ("" when it does, or when the field is empty)."""
    empty: bool = False
    """Nothing was typed."""

    @property
    def words(self) -> str:
        """The date in words, as the field echoes it ("Mon 30 Nov 2026"), or ""."""
        return day_in_words(self.day) if self.day is not None else ""

    @property
    def ok(self) -> bool:
        """A date was read and nothing is wrong with it."""
        return self.day is not None and not self.problem


def read_day(
    text: str,
    today: date,
    *,
    required: bool = True,
    future_ok: bool = False,
    future_problem: str = FUTURE,
) -> DayReading:
    """Read a date field: its date, or the problem (empty and not `required`: no problem).

    Unless `future_ok`, a date after `today` is a problem (the words still show, so the
    user sees which date was read)."""
    if not text.strip():
        return DayReading(None, "required" if required else "", empty=True)
    try:
        day = parse_date(text, today)
    except DateProblem as problem:
        return DayReading(None, problem.message)
    if not future_ok and day > today:
        return DayReading(day, future_problem)
    return DayReading(day)


def parse_day(text: str, today: date) -> date | None:
    """The date typed (any way `parse_date` reads), or None when it names none."""
    try:
        return parse_date(text, today)
    except DateProblem:
        return None
