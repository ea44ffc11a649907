"""Checks shared by the reports and office tests: the screen shows `Session.report`."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from notify_tui.services.types import Report
from notify_tui.tui.screens.reports import ReportsScreen
from notify_tui.views.reports import duty_name, share_text


def cells(screen: ReportsScreen, table_id: str) -> dict[str, list[str]]:
    table = screen.query_one(f"#{table_id}", DataTable)
    return {str(k.value): [str(c).strip() for c in table.get_row(k)] for k in table.rows}


def text(screen: ReportsScreen, widget_id: str) -> str:
    return str(screen.query_one(f"#{widget_id}", Static).render())


def assert_matches(screen: ReportsScreen, figures: Report) -> None:
    """Every number on the screen equals the one in `figures`."""
    notifications = cells(screen, "notifications")
    for duty_id, block in figures.notifications.items():
        numbers = block.all
        row = notifications[f"{duty_id}|all"]
        assert row[0] == duty_name(duty_id)
        assert row[2:5] == [
            str(numbers.raised),
            str(numbers.sent),
            str(numbers.sent_within_deadline),
        ]
        assert row[5] == share_text(numbers.share_within_deadline)
        median = numbers.median_working_days_taken
        assert row[6] == ("-" if median is None else f"{median:g}")
        assert f"{duty_name(duty_id)}  " in text(screen, "share-chart")
        if len(block.by_la) > 1:
            for org, per_la in block.by_la.items():
                assert notifications[f"{duty_id}|{org}"][1:5] == [
                    org,
                    str(per_la.raised),
                    str(per_la.sent),
                    str(per_la.sent_within_deadline),
                ]
        else:
            assert not [key for key in notifications if key.startswith(f"{duty_id}|")][1:]
    follow_ons = cells(screen, "follow-ons")
    for key, follow_on in (
        ("rapid_reviews", figures.rapid_reviews),
        ("local_reviews", figures.local_reviews),
    ):
        assert follow_ons[key][1:4] == [
            str(follow_on.raised),
            str(follow_on.sent),
            str(follow_on.sent_within_deadline),
        ]
    decisions = figures.decisions_not_to_notify
    assert text(screen, "not-notifying").startswith(f"{decisions.count} case(s)")
    for case_id in decisions.cases:
        assert case_id in text(screen, "not-notifying")
    deaths = figures.child_deaths
    assert text(screen, "deaths-title").endswith(f": {deaths.count}")
    bands = cells(screen, "age-bands")
    assert {band: int(row[1]) for band, row in bands.items()} == deaths.by_age_band
    chart = text(screen, "deaths-chart").splitlines()
    assert len(chart) == len(deaths.by_category) or deaths.count == 0
    for line, count in zip(chart, deaths.by_category.values(), strict=False):
        assert line.endswith(f"  {count}")
    open_block = figures.open
    assert text(screen, "open-title") == (
        f"Open duties now: {open_block.count}, of which overdue: {open_block.overdue}"
    )
    shown = cells(screen, "open-duties")
    assert list(shown) == [f"{duty.case_id}|{duty.duty}" for duty in open_block.duties]
    for duty in open_block.duties:
        cells_shown = shown[f"{duty.case_id}|{duty.duty}"]
        assert cells_shown[4] == str(duty.working_days_left)
        assert (cells_shown[5] == "OVERDUE") == (duty.working_days_left < 0)
