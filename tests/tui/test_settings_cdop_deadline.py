"""Settings: the CDOP deadline (0, 1 or 2 working days, or within 24 hours) moves the due date.

The vault holds one child death the LA became aware of on Mon 23 Nov 2026 (today).
All data is synthetic.
"""

from __future__ import annotations

from pilot_helpers import wait_for
from test_settings_screen import SIZE, open_settings, session  # noqa: F401 (a fixture)
from textual.widgets import Select

from notify_tui.services.session import Session
from notify_tui.tui.app import make_app
from notify_tui.tui.screens.dashboard import DashboardScreen


def cdop_due(opened: Session) -> str | None:
    return next(d.due for d in opened.open_duties() if d.duty == "cdop-notification")


async def test_choosing_24_hours_or_2_working_days_moves_the_cdop_due_date(
    session: Session,  # noqa: F811 (the fixture imported above)
) -> None:
    """Aware Mon 23 Nov 2026: 1 working day (default) -> Tue 24 Nov; 2 -> Wed 25 Nov;
    24 hours -> Tue 24 Nov (the next calendar day)."""
    assert cdop_due(session) == "2026-11-24"
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        choice = screen.query_one("#cdop-deadline", Select)
        assert choice.value == "working_days:1"
        choice.value = "working_days:2"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert cdop_due(session) == "2026-11-25"
        assert session.preferences.rules.cdop_working_days == 2

        screen = await open_settings(app, pilot)
        choice = screen.query_one("#cdop-deadline", Select)
        assert choice.value == "working_days:2"
        choice.value = "24_hours:1"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert session.preferences.rules.cdop_deadline == "24_hours"
        assert cdop_due(session) == "2026-11-24"
        screen = await open_settings(app, pilot)
        assert screen.query_one("#cdop-deadline", Select).value == "24_hours:1"
