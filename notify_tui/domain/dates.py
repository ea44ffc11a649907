"""Dates as people write them: `30/11/2026`, `30/11/26`, `2026-11-30`, "today", "yesterday".

One parser for every date a person types, in the terminal app's forms and in the CLI's
date options. It is pure: "today" and "yesterday" need the caller's today (from the
injected clock), and so does a two-digit year.

- Day first, as England writes dates: `30/11/2026`, `3/4/2026`, `30-11-2026`, `30.11.2026`.
- ISO order when the year comes first: `2026-11-30` (what stored documents hold).
- A two-digit year is the year ending in those digits that falls in the hundred years
  ending ten years after today: in 2026, `00` to `36` are 2000 to 2036 and `37` to `99`
  are 1937 to 1999. Children's dates of birth and events are never far ahead, and a
  planned publication date may be a few years ahead.
- A date that does not exist says so: "there is no 30 February 2026".

Stored documents keep ISO `YYYY-MM-DD`; this module only reads what people type.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from notify_tui.errors import InvalidInput

__all__ = [
    "HOW_TO_WRITE",
    "ago_in_words",
    "DateProblem",
    "day_in_words",
    "parse_date",
    "parse_iso_date",
    "two_digit_year",
]

HOW_TO_WRITE = "write the date as 30/11/2026, 2026-11-30, today or yesterday"
"""What to say when the text is not a date at all."""

TWO_DIGIT_YEAR_LEAD = 10
"""A two-digit year may be at most this many years after today's year."""

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_STORED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DAY_FIRST = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})")
_WORDS = {"today": 0, "yesterday": 1}


class DateProblem(InvalidInput, ValueError):
    """Typed text is not a date, or names a date that does not exist (one line).

    A `ValueError` too, so a pydantic validator may raise it."""


def two_digit_year(digits: int, today: date) -> int:
    """The full year a two-digit year means (see the module docstring)."""
    latest = today.year + TWO_DIGIT_YEAR_LEAD
    year = latest - (latest - digits) % 100
    return year


def _real_date(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise DateProblem(f"there is no month {month}; {HOW_TO_WRITE}")
    try:
        return date(year, month, day)
    except ValueError:
        if year < 1:
            raise DateProblem(f"there is no year {year}") from None
        raise DateProblem(f"there is no {day} {MONTHS[month - 1]} {year}") from None


def parse_date(text: str, today: date) -> date:
    """The date `text` names; raises `DateProblem` with one line when it names none.

    Spaces around the text are ignored, and "today" / "yesterday" in any case."""
    typed = text.strip()
    if not typed:
        raise DateProblem(f"no date given; {HOW_TO_WRITE}")
    back = _WORDS.get(typed.lower())
    if back is not None:
        return today - timedelta(days=back)
    iso = _ISO.fullmatch(typed)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
        return _real_date(year, month, day)
    day_first = _DAY_FIRST.fullmatch(typed)
    if day_first:
        day_text, _, month_text, year_text = day_first.groups()
        year = int(year_text)
        if len(year_text) == 2:
            year = two_digit_year(year, today)
        return _real_date(year, int(month_text), int(day_text))
    raise DateProblem(HOW_TO_WRITE)


def parse_iso_date(text: str) -> date:
    """A stored document's date: exactly `YYYY-MM-DD`; a date that does not exist says
    so ("there is no 30 February 2026")."""
    typed = text.strip()
    if not _STORED.fullmatch(typed):
        raise DateProblem("must be a date written YYYY-MM-DD")
    year, month, day = (int(part) for part in typed.split("-"))
    return _real_date(year, month, day)


def day_in_words(day: date) -> str:
    """A date nobody can misread, as every date field echoes it: "Mon 30 Nov 2026"."""
    return day.strftime("%a %d %b %Y")


def ago_in_words(then: datetime, now: datetime) -> str:
    """How long ago `then` was, roughly: "just now", "3 minutes ago", "2 days ago"."""
    seconds = (now - then).total_seconds()
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
