"""England's bank holidays from the table cached per `holidays` version.

The 2026 days are hand-worked from gov.uk's list (bank holidays in England and Wales):
New Year's Day Thu 1 Jan, Good Friday 3 Apr, Easter Monday 6 Apr, early May Mon 4 May,
spring Mon 25 May, summer Mon 31 Aug, Christmas Fri 25 Dec, and Boxing Day falls on
Saturday 26 Dec so Monday 28 Dec is its substitute. Other years are compared with
`holidays.country_holidays("GB", subdiv="ENG")` itself, inside and outside the table.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from notify_tui import bank_holidays
from notify_tui.bank_holidays import TABLE_YEARS, CachedBankHolidays, cached_bank_holidays
from notify_tui.domain.calendar import WorkingDayCalendar, england_bank_holidays

WEEKDAY_BANK_HOLIDAYS_2026 = {
    date(2026, 1, 1),
    date(2026, 4, 3),
    date(2026, 4, 6),
    date(2026, 5, 4),
    date(2026, 5, 25),
    date(2026, 8, 31),
    date(2026, 12, 25),
    date(2026, 12, 28),
}


def weekday_holidays(calendar: WorkingDayCalendar, year: int) -> set[date]:
    day, found = date(year, 1, 1), set()
    while day.year == year:
        if day.weekday() < 5 and not calendar.is_working_day(day):
            found.add(day)
        day += timedelta(days=1)
    return found


def package_days(*years: int) -> dict[date, str]:
    found = holidays.country_holidays("GB", subdiv="ENG", years=list(years))
    return {day: str(name) for day, name in found.items()}


@pytest.fixture
def source(tmp_path: Path) -> CachedBankHolidays:
    return CachedBankHolidays(tmp_path / "cache", holidays.__version__)


def test_2026_as_gov_uk_lists_it(source: CachedBankHolidays) -> None:
    calendar = WorkingDayCalendar(bank_holidays=source)
    assert weekday_holidays(calendar, 2026) == WEEKDAY_BANK_HOLIDAYS_2026
    assert calendar.non_working_reason(date(2026, 12, 28)) == "Boxing Day (observed)"
    # Five working days after Thu 24 Dec 2026: not Fri 25, Sat, Sun, Mon 28 -> 29, 30, 31
    # Dec, Fri 1 Jan is New Year's Day, so Mon 4 and Tue 5 Jan 2027.
    assert calendar.add_working_days(date(2026, 12, 24), 5) == date(2027, 1, 5)


@pytest.mark.parametrize("year", [1950, 2020, 2022, 2023, 2027, 2090, 2100])
def test_a_year_in_the_table_matches_the_package(source: CachedBankHolidays, year: int) -> None:
    assert year in TABLE_YEARS
    assert source([year]) == package_days(year)


@pytest.mark.parametrize("year", [1900, 1949, 2101, 2150])
def test_a_year_outside_the_table_is_asked_of_the_package(
    source: CachedBankHolidays, year: int
) -> None:
    assert year not in TABLE_YEARS
    assert source([year]) == package_days(year)
    # (`holidays` itself stops at 2100: it gives no days for 2101 or 2150, and nor do we.)
    assert bool(source([year])) == (year < TABLE_YEARS.start)


def test_the_whole_table_matches_the_package(source: CachedBankHolidays) -> None:
    assert source(list(TABLE_YEARS)) == england_bank_holidays(TABLE_YEARS)


def test_the_table_is_written_once_and_read_back_without_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    first = CachedBankHolidays(folder, holidays.__version__)
    expected = first([2026, 2027])
    assert first.path.parent == folder and first.path.exists()
    assert first.path.name == f"england-bank-holidays-{holidays.__version__}.json"
    assert [p.name for p in folder.iterdir()] == [first.path.name], "no temporary file left"

    asked: list[list[int]] = []

    def spy(years: list[int]) -> dict[date, str]:
        asked.append(list(years))
        return england_bank_holidays(years)

    monkeypatch.setattr(bank_holidays, "england_bank_holidays", spy)
    second = CachedBankHolidays(folder, holidays.__version__)
    assert second([2026, 2027]) == expected
    assert asked == [], "a year in the table must come from the file"
    assert second([2200]) == package_days(2200)
    assert asked == [[2200]]


def test_another_holidays_version_gets_its_own_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    CachedBankHolidays(folder, holidays.__version__)([2026])
    calls: list[int] = []

    def counting(years: list[int]) -> dict[date, str]:
        calls.append(len(years))
        return england_bank_holidays(years)

    monkeypatch.setattr(bank_holidays, "england_bank_holidays", counting)
    newer = CachedBankHolidays(folder, "99.0")
    assert newer([2026]) == package_days(2026)
    assert calls == [len(TABLE_YEARS)], "worked out again for the new version"
    assert newer.path.name == "england-bank-holidays-99.0.json" and newer.path.exists()


CORRUPT = {
    "not json": b"\x00\xff{{{",
    "cut off": b'{"format": 1, "holidays_version": "',
    "a list": b"[1, 2, 3]",
    "wrong version inside": None,  # filled in by the test
    "a year missing": None,
    "a bad date": None,
    "a name not text": None,
}


@pytest.mark.parametrize("damage", sorted(CORRUPT))
def test_a_corrupt_cache_is_ignored_and_rewritten(source: CachedBankHolidays, damage: str) -> None:
    source([2026])  # writes the file
    document = json.loads(source.path.read_text(encoding="utf-8"))
    raw = CORRUPT[damage]
    if damage == "wrong version inside":
        document["holidays_version"] = "0.1"
    elif damage == "a year missing":
        document["days"] = {k: v for k, v in document["days"].items() if not k.startswith("2026")}
    elif damage == "a bad date":
        document["days"]["2026-02-30"] = "Leap Day"
    elif damage == "a name not text":
        document["days"]["2026-12-25"] = 25
    if raw is None:
        raw = json.dumps(document).encode()
    source.path.write_bytes(raw)

    fresh = CachedBankHolidays(source.folder, source.holidays_version)
    calendar = WorkingDayCalendar(bank_holidays=fresh)
    assert weekday_holidays(calendar, 2026) == WEEKDAY_BANK_HOLIDAYS_2026
    rewritten = json.loads(fresh.path.read_text(encoding="utf-8"))
    assert rewritten["days"]["2026-12-28"] == "Boxing Day (observed)"
    assert rewritten["holidays_version"] == holidays.__version__


def test_a_cache_folder_that_cannot_be_written_still_gives_the_days(tmp_path: Path) -> None:
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("x", encoding="utf-8")
    source = CachedBankHolidays(blocker / "cache", holidays.__version__)
    assert source([2026]) == package_days(2026)


def test_the_process_source_lives_in_the_cache_folder_not_the_vault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_TUI_CACHE", str(tmp_path / "somewhere"))
    source = cached_bank_holidays()
    assert source.folder == tmp_path / "somewhere"
    assert cached_bank_holidays() is source, "one source (and one table read) per process"
    assert source.holidays_version == holidays.__version__


def test_national_keeps_the_source(source: CachedBankHolidays) -> None:
    local = WorkingDayCalendar([date(2026, 11, 30)], bank_holidays=source)
    national = local.national()
    assert national is not local
    assert weekday_holidays(national, 2026) == WEEKDAY_BANK_HOLIDAYS_2026
    assert source._table is not None, "the national calendar read the same source"
