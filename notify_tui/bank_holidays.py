"""England's bank holidays from a table cached per version of the `holidays` package.

Importing `holidays` loads every country's module (about 300 modules, most of a second)
and it works each year out afresh in every process. The days only change when the
package does, so the first run under a given `holidays` version works out
`TABLE_YEARS` once and keeps them in the user cache folder (`environment.resolve_cache`,
never beside the vault; bank holidays are public, nothing here is sensitive); later runs
read that file. Years outside the table are still asked of `holidays`, so every year
gives the days `holidays.country_holidays("GB", subdiv="ENG")` gives.

The file is written atomically (a temporary file renamed over it). One that cannot be
read, or that does not hold what it should, is ignored and worked out again; a folder
that cannot be written only means the table is worked out again next time.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Sequence
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from notify_tui.domain.calendar import england_bank_holidays
from notify_tui.environment import resolve_cache

__all__ = ["TABLE_YEARS", "CachedBankHolidays", "cached_bank_holidays"]

TABLE_YEARS = range(1950, 2101)
"""The years the cached table holds (any other year is asked of `holidays`)."""
FORMAT = 1
"""The cache file's layout; a file of another layout is worked out again."""


def holidays_version() -> str:
    """The installed `holidays` package's version, read from its metadata (no import)."""
    try:
        return version("holidays")
    except PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "unknown"


class CachedBankHolidays:
    """A `BankHolidays` source (see `notify_tui.domain.calendar`) that reads a cached table.

    Call it with years; it returns their bank holidays by date. The table is read (or
    worked out and written) on the first call, and kept for the life of the object.
    """

    def __init__(self, folder: Path, holidays_version: str) -> None:
        self.folder = folder
        self.holidays_version = holidays_version
        self._table: dict[int, dict[date, str]] | None = None

    @property
    def path(self) -> Path:
        """The cache file for this `holidays` version."""
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", self.holidays_version)
        return self.folder / f"england-bank-holidays-{safe}.json"

    def __call__(self, years: Sequence[int]) -> dict[date, str]:
        """Every bank holiday in England in ``years``, by date."""
        table = self.table()
        found: dict[date, str] = {}
        outside = [year for year in years if year not in table]
        for year in years:
            found.update(table.get(year, {}))
        if outside:
            found.update(england_bank_holidays(outside))
        return found

    def table(self) -> dict[int, dict[date, str]]:
        """The table by year: read from the cache file, or worked out and written there."""
        if self._table is None:
            table = self._read()
            if table is None:
                table = _by_year(england_bank_holidays(TABLE_YEARS))
                self._write(table)
            self._table = table
        return self._table

    def _read(self) -> dict[int, dict[date, str]] | None:
        try:
            with open(self.path, encoding="utf-8") as handle:
                document = json.load(handle)
            return _parse(document, self.holidays_version)
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None

    def _write(self, table: dict[int, dict[date, str]]) -> None:
        document = {
            "format": FORMAT,
            "holidays_version": self.holidays_version,
            "first_year": TABLE_YEARS.start,
            "last_year": TABLE_YEARS.stop - 1,
            "days": {
                day.isoformat(): name
                for year in sorted(table)
                for day, name in sorted(table[year].items())
            },
        }
        import tempfile  # here: only the run that works the table out writes it

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.folder, prefix=".bank-holidays-", delete=False
            ) as handle:
                temporary = Path(handle.name)
                try:
                    json.dump(document, handle, ensure_ascii=False)
                    handle.flush()
                    os.fsync(handle.fileno())
                except BaseException:
                    handle.close()
                    temporary.unlink(missing_ok=True)
                    raise
            try:
                os.replace(temporary, self.path)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a read-only or full cache folder: the table is worked out again next time


def _by_year(days: dict[date, str]) -> dict[int, dict[date, str]]:
    table: dict[int, dict[date, str]] = {year: {} for year in TABLE_YEARS}
    for day, name in days.items():
        table[day.year][day] = name
    return table


def _parse(document: Any, holidays_version: str) -> dict[int, dict[date, str]] | None:
    """The table a cache file holds, or None if it is not a complete table of this version."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    if document.get("holidays_version") != holidays_version:
        return None
    if (document.get("first_year"), document.get("last_year")) != (
        TABLE_YEARS.start,
        TABLE_YEARS.stop - 1,
    ):
        return None
    days = document["days"]
    if not isinstance(days, dict):
        return None
    table: dict[int, dict[date, str]] = {year: {} for year in TABLE_YEARS}
    for text, name in days.items():
        day = date.fromisoformat(text)
        if day.year not in table or not isinstance(name, str) or not name:
            return None
        table[day.year][day] = name
    # Every year of the table has at least five bank holidays (1950's: Good Friday, Easter
    # Monday, Whit Monday, Christmas and Boxing Day); a year short of that was cut off.
    if any(len(days_of_year) < 5 for days_of_year in table.values()):
        return None
    return table


def cached_bank_holidays(folder: Path | None = None) -> CachedBankHolidays:
    """The process's bank holiday source for ``folder`` (default: the cache folder)."""
    return _source(folder or resolve_cache(), holidays_version())


@functools.cache
def _source(folder: Path, holidays_version: str) -> CachedBankHolidays:
    return CachedBankHolidays(folder, holidays_version)
