"""Checks shared by the reports and office tests: the screen shows `Session.report`."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from notify_tui.services.types import Report
from notify_tui.tui.screens import reports as reports_screen
from notify_tui.tui.screens.reports import ReportsScreen
from notify_tui.views.reports import (
    DEFINITIONS,
    deaths_title,
    decisions_text,
    duty_name,
    left_out_text,
    open_left_text,
    open_more_text,
    open_title,
    scope_label,
    share_text,
)


def cells(screen: ReportsScreen, table_id: str) -> dict[str, list[str]]:
    table = screen.query_one(f"#{table_id}", DataTable)
    return {str(k.value): [str(c).strip() for c in table.get_row(k)] for k in table.rows}


def text(screen: ReportsScreen, widget_id: str) -> str:
    return str(screen.query_one(f"#{widget_id}", Static).render())


def captions(screen: ReportsScreen) -> list[str]:
    return [str(caption.render()) for caption in screen.query(".caption").results(Static)]


def assert_matches(screen: ReportsScreen, figures: Report) -> None:
    """Every number on the screen equals the one in `figures`, each figure with its definition."""
    shown_captions = captions(screen)
    for definition in DEFINITIONS.values():
        assert definition in shown_captions
    notifications = cells(screen, "notifications")
    for duty_id, block in figures.notifications.items():
        numbers = block.all
        row = notifications[f"{duty_id}|all"]
        assert row[0] == duty_name(duty_id)
        assert row[1] == scope_label(figures)
        assert row[2:7] == [
            str(numbers.raised),
            str(numbers.sent),
            str(numbers.sent_within_deadline),
            str(numbers.sent_late),
            str(numbers.still_open),
        ]
        assert numbers.raised == numbers.sent + numbers.still_open
        assert row[7] == share_text(numbers.share_within_deadline)
        median = numbers.median_working_days_taken
        assert row[8] == ("-" if median is None else f"{median:g}")
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
        assert follow_ons[key][1:6] == [
            str(follow_on.raised),
            str(follow_on.sent),
            str(follow_on.sent_within_deadline),
            str(follow_on.sent_late),
            str(follow_on.still_open),
        ]
    assert text(screen, "left-out") == left_out_text(figures)
    assert text(screen, "late-title") == f"Sent late: {len(figures.late_sends)}"
    late = cells(screen, "late-sends")
    assert list(late) == [f"{line.case_id}|{line.duty}" for line in figures.late_sends]
    for line in figures.late_sends:
        assert late[f"{line.case_id}|{line.duty}"][5:] == [
            str(line.working_days_late),
            line.reason or "no reason recorded",
        ]
    decisions = figures.decisions_not_to_notify
    assert text(screen, "not-notifying") == decisions_text(figures)
    for case_id in decisions.cases:
        assert case_id in text(screen, "not-notifying")
    deaths = figures.child_deaths
    assert text(screen, "deaths-title") == deaths_title(figures)
    assert text(screen, "deaths-title").startswith(f"Child deaths: {deaths.count}")
    bands = cells(screen, "age-bands")
    assert {band: int(row[1]) for band, row in bands.items()} == deaths.by_age_band
    chart = text(screen, "deaths-chart").splitlines()
    assert len(chart) == len(deaths.by_category) or deaths.count == 0
    for line, count in zip(chart, deaths.by_category.values(), strict=False):
        assert line.endswith(f"  {count}")
    open_block = figures.open
    assert text(screen, "open-title") == open_title(figures)
    assert text(screen, "open-title").startswith(f"Open duties now: {open_block.count} ")
    shown = cells(screen, "open-duties")
    listed = open_block.duties[: reports_screen.OPEN_ROWS_SHOWN]
    assert list(shown) == [f"{duty.case_id}|{duty.duty}" for duty in listed]
    assert text(screen, "open-more") == open_more_text(figures, reports_screen.OPEN_ROWS_SHOWN)
    for duty in listed:
        cells_shown = shown[f"{duty.case_id}|{duty.duty}"]
        assert cells_shown[4] == open_left_text(duty)
        left = duty.working_days_left
        assert (cells_shown[5] == "OVERDUE") == (left is not None and left < 0)
