"""Working days in England and calendar arithmetic.

Every expected date below was worked out by hand from a printed calendar and the gov.uk
list of bank holidays in England and Wales; the reasoning is in the comment beside it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notify_tui.domain.calendar import (
    LOCAL_CLOSURE,
    WorkingDayCalendar,
    add_calendar_hours,
    add_calendar_months,
)

CALENDAR = WorkingDayCalendar()

# Bank holidays in England and Wales falling on a weekday, 2020-2024, copied from gov.uk.
ENGLAND_BANK_HOLIDAYS_2020_2024 = {
    # 2020: the early May bank holiday moved from Mon 4 May to Fri 8 May (VE Day 75);
    # Boxing Day on Sat 26 Dec, substitute Mon 28 Dec.
    date(2020, 1, 1), date(2020, 4, 10), date(2020, 4, 13), date(2020, 5, 8),
    date(2020, 5, 25), date(2020, 8, 31), date(2020, 12, 25), date(2020, 12, 28),
    # 2021: Christmas Sat/Sun, substitutes Mon 27 and Tue 28 Dec.
    date(2021, 1, 1), date(2021, 4, 2), date(2021, 4, 5), date(2021, 5, 3),
    date(2021, 5, 31), date(2021, 8, 30), date(2021, 12, 27), date(2021, 12, 28),
    # 2022: New Year substitute Mon 3 Jan; spring bank holiday moved to Thu 2 Jun plus the
    # Platinum Jubilee Fri 3 Jun; state funeral Mon 19 Sep; Christmas Sunday, so Mon 26
    # (Boxing Day) and Tue 27 (Christmas substitute).
    date(2022, 1, 3), date(2022, 4, 15), date(2022, 4, 18), date(2022, 5, 2),
    date(2022, 6, 2), date(2022, 6, 3), date(2022, 8, 29), date(2022, 9, 19),
    date(2022, 12, 26), date(2022, 12, 27),
    # 2023: New Year substitute Mon 2 Jan; coronation Mon 8 May.
    date(2023, 1, 2), date(2023, 4, 7), date(2023, 4, 10), date(2023, 5, 1),
    date(2023, 5, 8), date(2023, 5, 29), date(2023, 8, 28), date(2023, 12, 25),
    date(2023, 12, 26),
    # 2024
    date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 6),
    date(2024, 5, 27), date(2024, 8, 26), date(2024, 12, 25), date(2024, 12, 26),
}  # fmt: skip


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# -- is_working_day / non_working_reason -----------------------------------------------------


def test_weekday_holidays_2020_to_2024_match_gov_uk() -> None:
    non_working_weekdays = {
        day
        for day in _days(date(2020, 1, 1), date(2024, 12, 31))
        if day.weekday() < 5 and not CALENDAR.is_working_day(day)
    }
    assert non_working_weekdays == ENGLAND_BANK_HOLIDAYS_2020_2024


def test_weekends_are_not_working_days() -> None:
    # Sat 9 and Sun 10 Mar 2024; Mon 11 is an ordinary working day.
    assert not CALENDAR.is_working_day(date(2024, 3, 9))
    assert not CALENDAR.is_working_day(date(2024, 3, 10))
    assert CALENDAR.is_working_day(date(2024, 3, 11))


def test_2020_usual_may_day_monday_was_a_working_day() -> None:
    # In 2020 the early May bank holiday was Fri 8 May, so Mon 4 May was worked.
    assert CALENDAR.is_working_day(date(2020, 5, 4))
    assert not CALENDAR.is_working_day(date(2020, 5, 8))


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2024, 3, 9), "Saturday"),
        (date(2024, 3, 10), "Sunday"),
        # Christmas Day 2021 fell on a Saturday: the weekend is the reason, the
        # substitute day (Mon 27) is the holiday.
        (date(2021, 12, 25), "Saturday"),
        (date(2022, 4, 15), "Good Friday"),
        (date(2022, 4, 18), "Easter Monday"),
        (date(2024, 3, 11), None),
    ],
)
def test_non_working_reason(day: date, reason: str | None) -> None:
    assert CALENDAR.non_working_reason(day) == reason


@pytest.mark.parametrize(
    ("day", "word"),
    [
        (date(2022, 9, 19), "Funeral"),
        (date(2023, 5, 8), "Coronation"),
        (date(2020, 5, 8), "May"),
        (date(2021, 12, 27), "Christmas"),
        (date(2021, 12, 28), "Boxing"),
        (date(2022, 12, 27), "Christmas"),
    ],
)
def test_non_working_reason_names_the_special_holiday(day: date, word: str) -> None:
    reason = CALENDAR.non_working_reason(day)
    assert reason is not None
    assert word in reason


def test_local_closure_is_not_a_working_day() -> None:
    calendar = WorkingDayCalendar(closures=[date(2024, 3, 13)])
    assert not calendar.is_working_day(date(2024, 3, 13))
    assert calendar.non_working_reason(date(2024, 3, 13)) == LOCAL_CLOSURE
    # A closure on a bank holiday reports the bank holiday.
    calendar = WorkingDayCalendar(closures=[date(2024, 12, 25)])
    assert calendar.non_working_reason(date(2024, 12, 25)) == "Christmas Day"
    assert calendar.closures == frozenset({date(2024, 12, 25)})


# -- add_working_days ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Plain weeks, March 2024 (Mon 4 .. Fri 8, Mon 11 .. Fri 15).
        # Mon 4 + 1 -> Tue 5.
        (date(2024, 3, 4), 1, date(2024, 3, 5)),
        # Mon 4 + 5: 5, 6, 7, 8, 11 -> Mon 11.
        (date(2024, 3, 4), 5, date(2024, 3, 11)),
        # Wed 6 + 5: 7, 8, 11, 12, 13 -> Wed 13.
        (date(2024, 3, 6), 5, date(2024, 3, 13)),
        # Fri 8 + 1: Sat 9, Sun 10 skipped -> Mon 11.
        (date(2024, 3, 8), 1, date(2024, 3, 11)),
        # Fri 8 + 5: 11, 12, 13, 14, 15 -> Fri 15.
        (date(2024, 3, 8), 5, date(2024, 3, 15)),
        # Sat 9 + 1 -> Mon 11; Sat 9 + 5: 11..15 -> Fri 15.
        (date(2024, 3, 9), 1, date(2024, 3, 11)),
        (date(2024, 3, 9), 5, date(2024, 3, 15)),
        # Sun 10 + 5: 11..15 -> Fri 15.
        (date(2024, 3, 10), 5, date(2024, 3, 15)),
        # Mon 4 + 15: 5,6,7,8 | 11..15 | 18..22 (4+5+5=14), 25 -> Mon 25 Mar 2024.
        (date(2024, 3, 4), 15, date(2024, 3, 25)),
    ],
)
def test_add_working_days_plain_weeks(start: date, n: int, due: date) -> None:
    assert CALENDAR.add_working_days(start, n) == due


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Thu 14 Apr 2022 + 5: Fri 15 Good Friday, Mon 18 Easter Monday skipped
        # -> 19, 20, 21, 22, 25 -> Mon 25 Apr 2022.
        (date(2022, 4, 14), 5, date(2022, 4, 25)),
        # Thu 14 Apr 2022 + 1: 15 GF, 16-17 weekend, 18 EM -> Tue 19 Apr 2022.
        (date(2022, 4, 14), 1, date(2022, 4, 19)),
        # Thu 6 Apr 2023 + 1: Fri 7 GF, 8-9 weekend, Mon 10 EM -> Tue 11 Apr 2023.
        (date(2023, 4, 6), 1, date(2023, 4, 11)),
        # Thu 6 Apr 2023 + 5: 11, 12, 13, 14, 17 -> Mon 17 Apr 2023.
        (date(2023, 4, 6), 5, date(2023, 4, 17)),
        # Wed 27 Mar 2024 + 5: Thu 28; Fri 29 GF, 30-31 weekend, Mon 1 Apr EM;
        # then 2, 3, 4, 5 -> Fri 5 Apr 2024.
        (date(2024, 3, 27), 5, date(2024, 4, 5)),
        # Good Friday 29 Mar 2024 as the start, + 1: Mon 1 Apr EM -> Tue 2 Apr 2024.
        (date(2024, 3, 29), 1, date(2024, 4, 2)),
    ],
)
def test_add_working_days_over_easter(start: date, n: int, due: date) -> None:
    assert CALENDAR.add_working_days(start, n) == due


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Fri 24 Dec 2021 + 1: 25-26 Sat/Sun, Mon 27 and Tue 28 substitutes -> Wed 29 Dec.
        (date(2021, 12, 24), 1, date(2021, 12, 29)),
        # Fri 24 Dec 2021 + 5: 29, 30, 31; 1-2 Jan weekend; Mon 3 Jan New Year substitute;
        # 4, 5 -> Wed 5 Jan 2022.
        (date(2021, 12, 24), 5, date(2022, 1, 5)),
        # Fri 23 Dec 2022 + 5: 24-25 weekend; Mon 26 Boxing Day, Tue 27 Christmas substitute;
        # 28, 29, 30; 31 Dec-1 Jan weekend; Mon 2 Jan 2023 New Year substitute; 3, 4
        # -> Wed 4 Jan 2023.
        (date(2022, 12, 23), 5, date(2023, 1, 4)),
        # Fri 16 Sep 2022 + 1: weekend, Mon 19 state funeral -> Tue 20 Sep 2022.
        (date(2022, 9, 16), 1, date(2022, 9, 20)),
        # Fri 16 Sep 2022 + 5: 20, 21, 22, 23, 26 -> Mon 26 Sep 2022.
        (date(2022, 9, 16), 5, date(2022, 9, 26)),
        # Fri 5 May 2023 + 1: weekend, Mon 8 coronation -> Tue 9 May 2023.
        (date(2023, 5, 5), 1, date(2023, 5, 9)),
        # Thu 4 May 2023 + 5: Fri 5; 6-7 weekend; Mon 8 coronation; 9, 10, 11, 12
        # -> Fri 12 May 2023.
        (date(2023, 5, 4), 5, date(2023, 5, 12)),
        # Thu 7 May 2020 + 1: Fri 8 moved May Day, 9-10 weekend -> Mon 11 May 2020.
        (date(2020, 5, 7), 1, date(2020, 5, 11)),
        # Fri 1 May 2020 + 5: Mon 4 (worked that year), 5, 6, 7; Fri 8 holiday; 11
        # -> Mon 11 May 2020.
        (date(2020, 5, 1), 5, date(2020, 5, 11)),
    ],
)
def test_add_working_days_over_substitute_and_special_holidays(
    start: date, n: int, due: date
) -> None:
    assert CALENDAR.add_working_days(start, n) == due


def test_add_working_days_skips_local_closures() -> None:
    # A council closed Tue 24, Fri 27, Mon 30 and Tue 31 Dec 2024 (Wed 25 and Thu 26 are
    # bank holidays, Wed 1 Jan 2025 too). Mon 23 Dec + 1 -> Thu 2 Jan 2025.
    closures = [date(2024, 12, 24), date(2024, 12, 27), date(2024, 12, 30), date(2024, 12, 31)]
    calendar = WorkingDayCalendar(closures=closures)
    assert calendar.add_working_days(date(2024, 12, 23), 1) == date(2025, 1, 2)
    # Mon 23 Dec + 5: Thu 2, Fri 3, Mon 6, Tue 7, Wed 8 Jan -> Wed 8 Jan 2025.
    assert calendar.add_working_days(date(2024, 12, 23), 5) == date(2025, 1, 8)
    # Without closures: Mon 23 + 1 -> Tue 24 Dec 2024.
    assert CALENDAR.add_working_days(date(2024, 12, 23), 1) == date(2024, 12, 24)


@pytest.mark.parametrize("n", [0, -1, -5])
def test_add_working_days_rejects_n_below_one(n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CALENDAR.add_working_days(date(2024, 3, 4), n)


def test_years_loaded_out_of_order() -> None:
    # A fresh calendar asked about 2024 first and then 2020 still knows 2020's holidays.
    calendar = WorkingDayCalendar()
    assert calendar.add_working_days(date(2024, 3, 27), 5) == date(2024, 4, 5)
    assert calendar.add_working_days(date(2020, 5, 7), 1) == date(2020, 5, 11)
    assert calendar.working_days_between(date(2019, 12, 31), date(2020, 1, 2)) == 1


# -- next_working_day_on_or_after -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 3, 11), date(2024, 3, 11)),  # Mon: itself
        (date(2024, 3, 9), date(2024, 3, 11)),  # Sat -> Mon
        (date(2024, 3, 29), date(2024, 4, 2)),  # Good Friday -> Tue after Easter Monday
        (date(2021, 12, 25), date(2021, 12, 29)),  # Sat Christmas -> Wed 29 (27, 28 off)
    ],
)
def test_next_working_day_on_or_after(day: date, expected: date) -> None:
    assert CALENDAR.next_working_day_on_or_after(day) == expected


# -- working_days_left / working_days_between ---------------------------------------------------


@pytest.mark.parametrize(
    ("today", "due", "left"),
    [
        (date(2024, 3, 8), date(2024, 3, 8), 0),  # due today
        (date(2024, 3, 8), date(2024, 3, 11), 1),  # Fri, due Mon: next working day
        (date(2024, 3, 4), date(2024, 3, 11), 5),  # Mon to next Mon
        (date(2024, 3, 8), date(2024, 3, 10), 0),  # due on Sunday: no working day between
        # Thu 14 Apr 2022 to Tue 19: 15 and 18 are holidays -> 1.
        (date(2022, 4, 14), date(2022, 4, 19), 1),
        (date(2022, 4, 14), date(2022, 4, 25), 5),
        # Due Fri 8 Mar 2024: overdue on Sat, Sun and Mon is -1, Tue -2.
        (date(2024, 3, 9), date(2024, 3, 8), -1),
        (date(2024, 3, 10), date(2024, 3, 8), -1),
        (date(2024, 3, 11), date(2024, 3, 8), -1),
        (date(2024, 3, 12), date(2024, 3, 8), -2),
        # Due Thu 14 Apr 2022, today Mon 18 (Easter Monday): (14, 18] has no working day,
        # still overdue -> -1; today Tue 19 -> -1; Wed 20 -> -2.
        (date(2022, 4, 18), date(2022, 4, 14), -1),
        (date(2022, 4, 19), date(2022, 4, 14), -1),
        (date(2022, 4, 20), date(2022, 4, 14), -2),
    ],
)
def test_working_days_left(today: date, due: date, left: int) -> None:
    assert CALENDAR.working_days_left(today, due) == left


@pytest.mark.parametrize(
    ("start", "end", "taken"),
    [
        (date(2024, 3, 8), date(2024, 3, 8), 0),
        (date(2024, 3, 11), date(2024, 3, 8), 0),  # end before start
        (date(2022, 4, 14), date(2022, 4, 25), 5),
        # 2022: 52 weeks + Sat 31 Dec -> 260 weekdays, less 10 weekday bank holidays = 250.
        (date(2021, 12, 31), date(2022, 12, 31), 250),
        # 2023: 52 weeks + Sun 31 Dec -> 260 weekdays, less 9 (1 Jan was a Sunday) = 251.
        (date(2022, 12, 31), date(2023, 12, 31), 251),
    ],
)
def test_working_days_between(start: date, end: date, taken: int) -> None:
    assert CALENDAR.working_days_between(start, end) == taken


def test_working_days_between_counts_closures() -> None:
    # Mon 4 to Fri 8 Mar 2024 is 4 working days; closing Wed 6 leaves 3.
    calendar = WorkingDayCalendar(closures=[date(2024, 3, 6), date(2024, 3, 9)])
    assert calendar.working_days_between(date(2024, 3, 4), date(2024, 3, 8)) == 3


# -- calendar months and hours --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # 2024 is a leap year
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 30), 3, date(2024, 4, 30)),  # April has 30 days: no clamping needed
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2023, 11, 15), 3, date(2024, 2, 15)),  # over the year end
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 5, 17), 0, date(2024, 5, 17)),
        (date(2024, 5, 17), 24, date(2026, 5, 17)),
    ],
)
def test_add_calendar_months(start: date, months: int, expected: date) -> None:
    assert add_calendar_months(start, months) == expected
    assert CALENDAR.add_calendar_months(start, months) == expected


def test_add_calendar_hours_naive() -> None:
    start = datetime(2024, 3, 8, 10, 30)
    assert add_calendar_hours(start, 24) == datetime(2024, 3, 9, 10, 30)
    assert add_calendar_hours(start, 14) == datetime(2024, 3, 9, 0, 30)
    assert add_calendar_hours(start, 0) == start
    assert CALENDAR.add_calendar_hours(start, 72) == datetime(2024, 3, 11, 10, 30)


def test_add_calendar_hours_counts_elapsed_time_over_clock_change() -> None:
    try:
        london = ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:
        pytest.skip("no tz database")
    # Clocks went forward at 01:00 GMT on Sun 31 Mar 2024. Sat 30 Mar 12:00 GMT is 12:00
    # UTC; 24 hours later is 12:00 UTC on 31 Mar, which is 13:00 BST.
    start = datetime(2024, 3, 30, 12, 0, tzinfo=london)
    result = add_calendar_hours(start, 24)
    assert result.replace(tzinfo=None) == datetime(2024, 3, 31, 13, 0)
    assert result.utcoffset() == timedelta(hours=1)
    # Same-tzinfo subtraction is wall-clock in Python, so compare in UTC.
    assert result.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)


# -- properties -------------------------------------------------------------------------------

dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
working_day_counts = st.integers(min_value=1, max_value=60)
closure_sets = st.lists(
    st.dates(min_value=date(2015, 1, 1), max_value=date(2036, 12, 31)), max_size=30
)


@given(start=dates, n=working_day_counts, closures=closure_sets)
def test_due_date_is_a_working_day_strictly_after_start(
    start: date, n: int, closures: list[date]
) -> None:
    calendar = WorkingDayCalendar(closures)
    due = calendar.add_working_days(start, n)
    assert due > start
    assert calendar.is_working_day(due)
    assert calendar.non_working_reason(due) is None
    assert due not in closures


@given(start=dates, n=working_day_counts)
def test_due_date_is_strictly_monotone_in_n(start: date, n: int) -> None:
    assert CALENDAR.add_working_days(start, n) < CALENDAR.add_working_days(start, n + 1)


@given(start=dates, n=working_day_counts, closures=closure_sets)
def test_working_days_left_on_the_start_day_is_n(start: date, n: int, closures: list[date]) -> None:
    calendar = WorkingDayCalendar(closures)
    working_start = calendar.next_working_day_on_or_after(start)
    assert (
        calendar.working_days_left(working_start, calendar.add_working_days(working_start, n)) == n
    )
    # The count runs from the day after the start, so it holds for any start day.
    assert calendar.working_days_left(start, calendar.add_working_days(start, n)) == n


@given(start=dates, n=working_day_counts, closures=closure_sets)
def test_working_days_between_agrees_with_add_working_days(
    start: date, n: int, closures: list[date]
) -> None:
    calendar = WorkingDayCalendar(closures)
    due = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, due) == n
    # The day before the due date has one working day fewer behind it.
    assert calendar.working_days_between(start, due - timedelta(days=1)) == n - 1


@given(start=dates, length=st.integers(min_value=-10, max_value=400), closures=closure_sets)
def test_working_days_between_matches_a_day_by_day_count(
    start: date, length: int, closures: list[date]
) -> None:
    calendar = WorkingDayCalendar(closures)
    end = start + timedelta(days=length)
    expected = sum(calendar.is_working_day(day) for day in _days(start + timedelta(1), end))
    assert calendar.working_days_between(start, end) == expected


@given(today=dates, due=dates)
def test_working_days_left_is_negative_exactly_when_overdue(today: date, due: date) -> None:
    left = CALENDAR.working_days_left(today, due)
    assert (left < 0) == (due < today)


@given(day=dates, closures=closure_sets)
def test_next_working_day_on_or_after_skips_only_non_working_days(
    day: date, closures: list[date]
) -> None:
    calendar = WorkingDayCalendar(closures)
    found = calendar.next_working_day_on_or_after(day)
    assert found >= day
    assert calendar.is_working_day(found)
    assert not any(calendar.is_working_day(skipped) for skipped in _days(day, found)[:-1])


@given(start=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_add_calendar_months_clamps_and_round_trips_twelve(start: date) -> None:
    plus_one = add_calendar_months(start, 1)
    assert (plus_one.year * 12 + plus_one.month) - (start.year * 12 + start.month) == 1
    assert plus_one.day <= start.day
    if plus_one.day < start.day:  # clamped: must be the last day of its month
        assert (plus_one + timedelta(days=1)).day == 1
    assert add_calendar_months(start, 12).month == start.month
