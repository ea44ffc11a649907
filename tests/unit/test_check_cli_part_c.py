"""`notify-tui check` for the yearly report and the CDOP "within 24 hours" option.

Run as a real process with "today" frozen (NOTIFY_TUI_TODAY); dates worked out by hand.
All data is synthetic.
"""

from __future__ import annotations

import json
from pathlib import Path

import factories
from test_check_cli import check, write


def test_a_yearly_report_document_gives_the_duty_due_seven_days_after(tmp_path: Path) -> None:
    document = {"kind": "annual_report", "annual_report_published_date": "2026-10-01"}
    result = check(tmp_path, "--json", write(tmp_path, document))
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    # Thu 1 Oct 2026 + 7 calendar days -> Thu 8 Oct 2026.
    assert [(d["id"], d["due"]) for d in output["duties"]] == [("annual-report-sent", "2026-10-08")]
    text = check(tmp_path, write(tmp_path, {"annual_report_published_date": "2026-11-20"}))
    # Fri 20 Nov 2026 + 7 -> Fri 27 Nov 2026; today Mon 23 Nov: Tue..Fri = 4 working days.
    assert "annual-report-sent: Send the yearly report" in text.stdout
    assert (
        "due:        Fri 27 Nov 2026 (7 calendar days after the yearly report was " in text.stdout
    )
    assert "4 working days left" in text.stdout


def test_a_yearly_report_in_the_future_is_refused_in_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, {"kind": "annual_report", "annual_report_published_date": "2026-12-01"})
    result = check(tmp_path, path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: annual_report_published_date: is in the future; give the date it happened"
    ]


def test_within_24_hours_from_friday_27_november_2026(tmp_path: Path) -> None:
    facts = factories.facts(
        "child_death",
        date_of_birth="2019-06-01",
        outcome="died",
        event_date="2026-11-27",
        aware_date="2026-11-27",
        abuse_or_neglect="none",
        location="in_area",
    )
    path = write(tmp_path, facts)
    result = check(tmp_path, "--setting", "cdop_deadline=24_hours", path, today="2026-11-27")
    assert result.returncode == 0, result.stderr
    # aware Fri 27 Nov 2026 (a date): the 24 hours end on Sat 28 Nov 2026, weekend or not.
    # Friday is the last working day before it, so it reads as due today.
    assert (
        "due:        Sat 28 Nov 2026 (24 hours after the LA became aware, weekends and "
        "holidays included); DUE TODAY"
    ) in result.stdout
    default = check(tmp_path, "--json", path, today="2026-11-27")
    # 1 working day after Fri 27 Nov 2026 -> Mon 30 Nov 2026.
    assert json.loads(default.stdout)["duties"][0]["due"] == "2026-11-30"
