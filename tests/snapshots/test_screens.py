"""Snapshots of the main screens in the demo vault (seed 7, today Mon 23 Nov 2026).

Case ids come from a seeded generator; device ids and event times, which are random,
are not on these screens. Update with `--snapshot-update` only after looking at them.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from notify_tui.demo.vault import DemoVault
from notify_tui.tui.app import make_app
from notify_tui.tui.screens.dashboard import DashboardScreen

SIZE = (120, 40)


async def no_blink(pilot: Pilot[None]) -> None:
    """Stop cursors blinking so every frame is the same."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


class TestDashboard:
    """The dashboard."""

    def test_open_duties(self, snap_compare, demo: DemoVault) -> None:
        """Open duties soonest first, with counts and urgency words."""
        assert snap_compare(make_app(demo.session), terminal_size=SIZE, run_before=no_blink)

    def test_done_duties_with_full_names(self, snap_compare, demo: DemoVault) -> None:
        """`f` four times shows done duties; `v` shows full names."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.press("f", "f", "f", "f", "v")
            await no_blink(pilot)

        assert snap_compare(make_app(demo.session), terminal_size=SIZE, run_before=run_before)


class TestNewCase:
    """The new case form."""

    def test_serious_incident_form_with_live_duties(self, snap_compare, demo: DemoVault) -> None:
        """A half-filled form: "required" beside an emptied field, duties on the right."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("n")
            await pilot.pause()
            screen = pilot.app.screen
            for name, value in {
                "given_names": "Ada",
                "family_name": "X",
                "date_of_birth": "2020-02-29",
                "event_date": "2026-11-19",
                "aware_date": "2026-11-20",
            }.items():
                screen.query_one(f"#f-{name}", Input).value = value
                await pilot.pause()
            screen.query_one("#f-family_name", Input).value = ""  # touched, then emptied
            await no_blink(pilot)

        assert snap_compare(make_app(demo.session), terminal_size=SIZE, run_before=run_before)


class TestCaseDetail:
    """A case."""

    def test_overdue_case(self, snap_compare, demo: DemoVault) -> None:
        """Duties with urgency words, the highlighted duty's reasons, the decision line."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            screen = pilot.app.screen
            assert isinstance(screen, DashboardScreen)
            screen.open_case(demo.ids["overdue"])
            await no_blink(pilot)

        assert snap_compare(make_app(demo.session), terminal_size=SIZE, run_before=run_before)
