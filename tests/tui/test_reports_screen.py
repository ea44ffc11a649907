"""The reports screen shows the figures of `Session.report` (and `notify-tui report`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pilot_helpers import wait_for
from report_checks import assert_matches, cells, text
from textual.widgets import Input, Select

from notify_tui.clock import ManualClock
from notify_tui.demo.vault import DemoVault
from notify_tui.services.types import Report
from notify_tui.tui.app import make_app
from notify_tui.tui.screens import reports as reports_screen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.reports import ReportsScreen

SIZE = (120, 40)


async def test_reports_show_the_same_figures_as_session_report(demo: DemoVault) -> None:
    """`r` opens the last 12 months; every figure equals `Session.report` for that period."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        assert screen.query_one("#from", Input).value == "2025-11-24"
        assert screen.query_one("#to", Input).value == "2026-11-23"
        figures = demo.session.report(date(2025, 11, 24), date(2026, 11, 23))
        assert figures.notifications["cdop-notification"].all.raised > 0
        assert_matches(screen, figures)
        # An LA sees itself only; the selector names it and cannot change.
        la = screen.query_one("#la", Select)
        assert la.value == demo.session.identity.org
        assert la.disabled


async def test_presets_and_a_typed_period(demo: DemoVault) -> None:
    """`m` shows the month to date, `p` last month; typing dates recomputes; a reversed
    period is refused."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        await pilot.press("m")
        await pilot.pause()
        assert screen.query_one("#from", Input).value == "2026-11-01"
        assert_matches(screen, demo.session.report(date(2026, 11, 1), date(2026, 11, 23)))
        assert text(screen, "period-error").startswith(
            "1-23 Nov 2026 (month to date) · Demoshire Council (demo)"
        )
        await pilot.press("p")
        await pilot.pause()
        assert screen.query_one("#from", Input).value == "2026-10-01"
        assert screen.query_one("#to", Input).value == "2026-10-31"
        assert text(screen, "period-error").startswith("1-31 Oct 2026 (last month)")
        screen.query_one("#from", Input).value = "2026-10-05"
        screen.query_one("#to", Input).value = "2026-10-30"
        await pilot.pause()
        assert_matches(screen, demo.session.report(date(2026, 10, 5), date(2026, 10, 30)))
        assert text(screen, "period-error").startswith("5-30 Oct 2026 ·")
        screen.query_one("#from", Input).value = "2026-12-01"
        await wait_for(pilot, lambda: "must not be before" in text(screen, "period-error"))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_presets_on_the_first_of_the_month_say_their_dates(demo: DemoVault) -> None:
    """On Tue 1 Dec 2026 (an injected clock) the presets line names each preset's dates:
    "month to date" is that day only, and `p` gives the whole of November."""
    session = demo.session
    frozen = session.clock
    session.clock = ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    try:
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("r")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReportsScreen)
            assert text(screen, "presets") == (
                "Presets: last month: 1-30 Nov 2026 · month to date: 1 Dec 2026 "
                "only · last 12 months: 2 Dec 2025 to 1 Dec 2026"
            )
            await pilot.press("m")
            await pilot.pause()
            assert text(screen, "period-error").startswith("1 Dec 2026 only (month to date)")
            await pilot.press("p")
            await pilot.pause()
            assert (screen.start, screen.end) == (date(2026, 11, 1), date(2026, 11, 30))
            assert_matches(screen, session.report(date(2026, 11, 1), date(2026, 11, 30)))
    finally:
        session.clock = frozen


async def test_reports_open_from_the_command_palette(demo: DemoVault) -> None:
    """The palette's "reports: open" shows the same screen."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "reports: open" in titles
        assert "office: record yearly report" not in titles  # an LA's vault
        app.open_reports()
        await pilot.pause()
        assert isinstance(app.screen, ReportsScreen)


async def test_a_late_send_is_listed_with_its_working_days_late(fresh_demo: DemoVault) -> None:
    """A Panel notification due Wed 18 Nov and sent Mon 23 Nov is 3 working days late
    (19, 20, 23) and is listed under "Sent late" with its reason."""
    session = fresh_demo.session
    overdue = next(
        duty
        for duty in session.deadlines(within=0)
        if duty.duty == "panel-notification" and duty.due == "2026-11-18"
    )
    reason = "The referral reached the LA by post a week after the event."
    session.mark_sent(overdue.case_id, "panel-notification", date(2026, 11, 23), late_reason=reason)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        figures = session.report(date(2025, 11, 24), date(2026, 11, 23))
        (line,) = [line for line in figures.late_sends if line.case_id == overdue.case_id]
        assert (line.due, line.sent_on, line.working_days_late) == ("2026-11-18", "2026-11-23", 3)
        assert_matches(screen, figures)
        assert cells(screen, "late-sends")[f"{overdue.case_id}|panel-notification"][:5] == [
            overdue.case_id,
            "Demoshire Council (demo)",
            "Panel notification",
            "18 Nov 2026",
            "23 Nov 2026",
        ]
        assert line.reason == reason
        assert reason in cells(screen, "late-sends")[f"{overdue.case_id}|panel-notification"]


async def test_opening_works_the_figures_out_once(
    demo: DemoVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The period boxes and the LA selector announce their first values as they mount;
    the figures for that period are still worked out once, and again only for a new one."""
    session = demo.session
    asked: list[tuple[date, date, str | None]] = []
    report = session.report

    def counting(start: date, end: date, la: str | None = None) -> Report:
        asked.append((start, end, la))
        return report(start, end, la)

    monkeypatch.setattr(session, "report", counting)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        assert asked == [(date(2025, 11, 24), date(2026, 11, 23), session.identity.org)]
        assert screen.figures is not None
        await pilot.press("y")  # the last 12 months again: already shown
        await pilot.pause()
        assert len(asked) == 1
        await pilot.press("m")
        await pilot.pause()
        assert asked[1:] == [(date(2026, 11, 1), date(2026, 11, 23), session.identity.org)]


async def test_the_open_duties_table_lists_the_soonest_and_says_so(
    demo: DemoVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more open duties than the table lists, it shows the soonest due, in the
    dashboard's order, and a line says how many there are and where to see them all."""
    monkeypatch.setattr(reports_screen, "OPEN_ROWS_SHOWN", 3)
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        figures = screen.figures
        assert figures is not None and figures.open.count > 3
        shown = cells(screen, "open-duties")
        assert list(shown) == [f"{d.case_id}|{d.duty}" for d in figures.open.duties[:3]]
        dues = [d.due for d in figures.open.duties[:4] if d.due]
        assert dues == sorted(dues)
        assert text(screen, "open-more") == (
            f"Listed: the 3 soonest due of {figures.open.count}. The dashboard lists every "
            "open duty (status filter: open); `notify-tui report --json` gives them all."
        )
        assert screen.query_one("#open-more").display
