"""Dates as people type them: the domain's one parser, and what a form echoes.

Today is Mon 23 Nov 2026 throughout (passed in: the parser never reads a clock).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from notify_tui.domain.dates import (
    DateProblem,
    ago_in_words,
    day_in_words,
    parse_date,
    parse_iso_date,
    two_digit_year,
)
from notify_tui.views.dates import parse_day, read_day

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("30/11/2026", date(2026, 11, 30)),
        ("3/4/2026", date(2026, 4, 3)),  # day first: 3 April, not 4 March
        ("03/04/2026", date(2026, 4, 3)),
        ("30/11/26", date(2026, 11, 30)),
        ("30-11-2026", date(2026, 11, 30)),
        ("30.11.2026", date(2026, 11, 30)),
        ("2026-11-30", date(2026, 11, 30)),
        ("2026-1-5", date(2026, 1, 5)),
        ("  2024-02-29 ", date(2024, 2, 29)),  # spaces forgiven; a leap day
        ("29/02/24", date(2024, 2, 29)),
        ("today", date(2026, 11, 23)),
        ("Today", date(2026, 11, 23)),
        ("yesterday", date(2026, 11, 22)),
        ("YESTERDAY", date(2026, 11, 22)),
        ("01/01/00", date(2000, 1, 1)),
        ("5/6/07", date(2007, 6, 5)),
    ],
)
def test_dates_as_people_write_them(typed: str, day: date) -> None:
    assert parse_date(typed, TODAY) == day


def test_yesterday_crosses_a_month_and_a_year() -> None:
    assert parse_date("yesterday", date(2027, 1, 1)) == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("digits", "year"),
    [(0, 2000), (26, 2026), (35, 2035), (36, 2036), (37, 1937), (99, 1999)],
)
def test_two_digit_years_fall_in_the_hundred_years_ending_ten_after_today(
    digits: int, year: int
) -> None:
    """In 2026 the window is 1937 to 2036."""
    assert two_digit_year(digits, TODAY) == year


def test_the_two_digit_window_moves_with_today() -> None:
    """In 2031 the window is 1942 to 2041: 41 is 2041, 42 is 1942."""
    later = date(2031, 6, 1)
    assert (two_digit_year(41, later), two_digit_year(42, later)) == (2041, 1942)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("30/02/2026", "there is no 30 February 2026"),
        ("2026-02-30", "there is no 30 February 2026"),
        ("29/02/2025", "there is no 29 February 2025"),
        ("31/04/26", "there is no 31 April 2026"),
        ("0/5/2026", "there is no 0 May 2026"),
        ("12/13/2026", "there is no month 13"),
        ("2026-13-01", "there is no month 13"),
    ],
)
def test_a_date_that_does_not_exist_says_so(typed: str, message: str) -> None:
    with pytest.raises(DateProblem) as raised:
        parse_date(typed, TODAY)
    assert raised.value.message.startswith(message)


@pytest.mark.parametrize(
    "typed", ["", "   ", "tomorrow", "30 Nov 2026", "11/2026", "30/11/2026/1", "2026/11/30",
              "30/11-2026", "３０/11/2026", "30/11/202"],
)  # fmt: skip
def test_anything_else_says_how_to_write_a_date(typed: str) -> None:
    with pytest.raises(DateProblem) as raised:
        parse_date(typed, TODAY)
    assert "write the date as 30/11/2026, 2026-11-30, today or yesterday" in raised.value.message


def test_stored_dates_are_exactly_iso() -> None:
    assert parse_iso_date("2026-11-30") == date(2026, 11, 30)
    for typed, message in [
        ("30/11/2026", "must be a date written YYYY-MM-DD"),
        ("2026-1-5", "must be a date written YYYY-MM-DD"),
        ("2026-02-30", "there is no 30 February 2026"),
    ]:
        with pytest.raises(DateProblem, match=message):
            parse_iso_date(typed)


def test_a_date_in_words() -> None:
    assert day_in_words(date(2026, 11, 30)) == "Mon 30 Nov 2026"
    assert day_in_words(date(2026, 2, 1)) == "Sun 01 Feb 2026"


def test_how_long_ago() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    for seconds_back, words in [
        (0, "just now"),
        (59, "just now"),
        (60, "1 minute ago"),
        (3 * 60 + 59, "3 minutes ago"),
        (3600, "1 hour ago"),
        (2 * 86_400 + 5, "2 days ago"),
        (-30, "just now"),  # a clock moved back: never "-1 minutes"
    ]:
        then = datetime.fromtimestamp(now.timestamp() - seconds_back, UTC)
        assert ago_in_words(then, now) == words


def test_what_a_date_field_echoes() -> None:
    reading = read_day("30/11/26", TODAY, future_ok=True)
    assert (reading.day, reading.words, reading.problem) == (
        date(2026, 11, 30),
        "Mon 30 Nov 2026",
        "",
    )
    future = read_day("30/11/2026", TODAY)
    assert future.words == "Mon 30 Nov 2026" and "future" in future.problem and not future.ok
    assert read_day("", TODAY).problem == "required"
    assert read_day("", TODAY, required=False).problem == ""
    assert read_day("30/02/2026", TODAY).problem.startswith("there is no 30 February 2026")


def test_parse_day() -> None:
    assert parse_day("yesterday", TODAY) == date(2026, 11, 22)
    assert parse_day("30/02/2026", TODAY) is None


def test_no_textual_needed() -> None:
    """The presenters' date parser loads without the terminal app."""
    import subprocess
    import sys

    code = "import sys, notify_tui.views.dates; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
