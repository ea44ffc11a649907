"""Snapshot of the reports screen in the demo vault (seed 7, today Mon 23 Nov 2026).

Update with `--snapshot-update` only after looking at it.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from notify_tui.demo.vault import DemoVault
from notify_tui.tui.app import make_app

SIZE = (120, 40)


class TestReports:
    """The reports screen."""

    def test_last_twelve_months(self, snap_compare, demo: DemoVault) -> None:
        """`r` on the dashboard: figures by duty, share bars with numbers, rapid reviews."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("r")
            await pilot.pause()
            for field in pilot.app.screen.query(Input):
                field.cursor_blink = False
            await pilot.pause()

        assert snap_compare(make_app(demo.session), terminal_size=SIZE, run_before=run_before)
