"""`parse_day`: the dates typed into the app's forms."""

from __future__ import annotations

from datetime import date

import pytest

from notify_tui.views.dates import parse_day


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-11-23", date(2026, 11, 23)),
        ("  2024-02-29 ", date(2024, 2, 29)),  # spaces around are forgiven; a leap day
    ],
)
def test_a_written_date_parses(typed: str, day: date) -> None:
    assert parse_day(typed) == day


@pytest.mark.parametrize("typed", ["", "23/11/2026", "2025-02-29", "2026-13-01", "tomorrow"])
def test_anything_else_is_none(typed: str) -> None:
    """Not a date, the wrong order, a 29 February in a common year, month 13: None."""
    assert parse_day(typed) is None


def test_no_textual_needed() -> None:
    """The presenters' date parser loads without the terminal app."""
    import subprocess
    import sys

    code = "import sys, notify_tui.views.dates; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
