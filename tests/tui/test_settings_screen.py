"""Settings: closure days (local clocks only), high-contrast theme, idle lock, passphrase.

Each test uses its own small encrypted vault (settings change it). All data is synthetic.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import factories
import pytest
from pilot_helpers import wait_for
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR, KEYSLOTS_FILE_NAME, KeySlotFile
from notify_tui.tui.app import make_app
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.settings import SettingsScreen, passphrase_strength
from notify_tui.tui.widgets.virtual_table import VirtualTable
from notify_tui.views.dashboard import format_due

SIZE = (120, 40)
PASSPHRASE = "a long test passphrase"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """A vault with one child death case whose CDOP notification falls due soon."""
    session, _ = Session.init(
        tmp_path / "vault", PASSPHRASE, org="Testshire (test)", role="la",
        author="Set Tester", kdf=ARGON2_FLOOR,
    )  # fmt: skip
    session.create_case(
        factories.case(
            "child_death",
            subjects=[{"given_names": "Cal", "family_name": "Closure-Fictional"}],
            facts={
                "date_of_birth": "2020-01-01",
                "event_date": "2026-11-20",
                "aware_date": "2026-11-23",
                "abuse_or_neglect": "none",
            },
        )
    )
    yield session
    session.close()


def dashboard_dues(app) -> set[str]:
    table = app.screen.query_one("#duties", VirtualTable)
    return {str(table.get_row_at(row)[2]) for row in range(table.row_count)}


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_settings(app, pilot, start: str = "all") -> SettingsScreen:
    await pilot.pause()
    app.open_settings(start)
    await pilot.pause()
    assert isinstance(app.screen, SettingsScreen)
    return app.screen


async def test_closure_day_leaves_a_statutory_due_date_on_the_dashboard(session: Session) -> None:
    """A closure on the CDOP notification's due date is kept, and the screen says why the
    date stays: statutory deadlines count national working days."""
    due = min(
        date.fromisoformat(d.due)
        for d in session.open_duties()
        if d.due and date.fromisoformat(d.due) >= session.today()
    )
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert format_due(due) in dashboard_dues(app)
        screen = await open_settings(app, pilot)
        assert text(app, "#closure-hint").endswith(
            "Closure days move local deadlines only (office steps and local rules). "
            "Statutory deadlines count national working days: Monday to Friday except bank "
            "holidays in England."
        )
        field = screen.query_one("#closure-day", Input)
        for wrong, problem in (("31/02/2026", "there is no 31 February 2026"),
                               ("2026-11-28", "Saturday"),
                               ("2026-12-25", "Christmas")):  # fmt: skip
            field.value = wrong
            field.focus()
            await pilot.press("enter")
            assert problem in text(app, "#closure-error")
        field.value = due.isoformat()
        await pilot.press("enter")
        assert text(app, "#closure-error") == ""
        closures = screen.query_one("#closures", DataTable)
        assert str(closures.get_row_at(0)[0]) == due.isoformat()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert session.preferences.calendar.closure_days == [due]
        assert format_due(due) in dashboard_dues(app)
        cdop = next(d for d in session.open_duties() if d.duty == "cdop-notification")
        assert cdop.due == due.isoformat()


async def test_high_contrast_theme_and_idle_lock(session: Session) -> None:
    """Choosing high contrast and 5 idle minutes applies both on save."""
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot)
        assert "high-contrast" in app.available_themes
        screen.query_one("#theme", Select).value = "high-contrast"
        screen.query_one("#full-names", Checkbox).value = True
        minutes = screen.query_one("#idle-minutes", Input)
        minutes.value = "0"
        await pilot.press("ctrl+s")
        assert "1 to 240" in text(app, "#idle-error")
        assert isinstance(app.screen, SettingsScreen)
        minutes.value = "5"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.theme == "high-contrast"
        assert app.has_class("-theme-high-contrast")
        assert app.idle_lock_seconds == 300
        assert session.preferences.display.theme == "high-contrast"
        assert session.preferences.display.show_full_names is True
        table = app.screen.query_one("#duties", VirtualTable)
        assert str(table.get_row_at(0)[4]) == "Cal Closure-Fictional"  # full names now
        assert session.preferences.security.idle_lock_minutes == 5
        table.focus()
        await pilot.pause()
        assert table.styles.border_top[0] == "heavy"  # the focused table stands out


async def test_change_passphrase(session: Session) -> None:
    """A wrong current passphrase changes nothing; the right one re-wraps the key."""
    slots = KeySlotFile(session.home / KEYSLOTS_FILE_NAME)
    data_key = slots.unlock_with_passphrase(PASSPHRASE)
    new = "a brand new test passphrase"
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(app, pilot, "passphrase")
        assert screen.focused is screen.query_one("#old-passphrase", Input)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"settings: open", "settings: change passphrase"} <= titles
        await pilot.press(*"wrong passphrase!!")
        screen.query_one("#new-passphrase", Input).focus()
        await pilot.press(*"short")
        assert "Too short" in text(app, "#strength")
        screen.query_one("#new-passphrase", Input).value = new
        await pilot.pause()
        assert text(app, "#strength").startswith("Strong")
        screen.query_one("#new-passphrase2", Input).value = "something else entirely"
        await pilot.click("#change-passphrase")
        assert "differ" in text(app, "#passphrase-error")
        screen.query_one("#new-passphrase2", Input).value = new
        await pilot.pause()
        screen.submit_passphrase()  # as the button does; the derivation is too quick to catch
        assert "Working" in text(app, "#passphrase-status")
        assert screen.query_one("#change-passphrase").disabled
        await wait_for(pilot, lambda: "Not changed" in text(app, "#passphrase-error"))
        assert not screen.query_one("#change-passphrase").disabled
        screen.query_one("#old-passphrase", Input).value = PASSPHRASE
        await pilot.click("#change-passphrase")
        await wait_for(pilot, lambda: "Passphrase changed" in text(app, "#passphrase-status"))
        assert screen.query_one("#old-passphrase", Input).value == ""
    assert slots.unlock_with_passphrase(new) == data_key


def test_strength_hint_uses_words() -> None:
    """The strength hint is a word, never only a colour."""
    assert passphrase_strength("") == ""
    assert passphrase_strength("abc").startswith("Too short")
    assert passphrase_strength("abcdefghijkl").startswith("Weak")
    assert passphrase_strength("correct horse battery staple").startswith("Strong")
