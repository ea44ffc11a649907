"""Idle lock, unlock and first-run setup, on real encrypted vaults in temp folders."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import factories
import pytest
from pilot_helpers import wait_for
from textual.widgets import Button, Checkbox, Input, Static

from notify_tui.clock import ManualClock
from notify_tui.errors import VaultError
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.tui.app import make_app
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.setup import SetupScreen, VaultDetails
from notify_tui.tui.screens.unlock import UnlockScreen

SIZE = (120, 40)
PASSPHRASE = "correct horse battery staple"


def fast_vault(home: Path, details: VaultDetails) -> tuple[Session, str]:
    """`create_vault` at the Argon2 floor, skipping calibration (tests only)."""
    return Session.init(
        home,
        details.passphrase,
        org=details.org,
        role="la",
        author=details.author,
        kdf=ARGON2_FLOOR,
    )


def child_death(family_name: str) -> dict:
    return factories.case(
        "child_death",
        subjects=[{"given_names": "Lu", "family_name": family_name}],
        facts={
            "date_of_birth": "2020-01-01",
            "event_date": "2026-11-20",
            "aware_date": "2026-11-20",
            "abuse_or_neglect": "none",
        },
    )


async def test_idle_lock_then_unlock(tmp_path: Path) -> None:
    """A minute without a key on the app's clock clears the screen and closes the vault;
    a key press restarts the minute; the passphrase reopens the vault on the same clock."""
    clock = ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    home = tmp_path / "vault"
    session, _ = Session.init(
        home, PASSPHRASE, org="Testshire (test)", role="la", author="T", kdf=ARGON2_FLOOR,
        clock=clock,
    )  # fmt: skip
    session.create_case(child_death("Locktest-Fictional"))
    app = make_app(session, idle_lock_seconds=60)
    assert app.clock is clock  # the session's clock, by default
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        clock.advance(59)
        app.lock_if_idle()
        assert isinstance(app.screen, DashboardScreen)  # 59 s: not yet
        await pilot.press("down")  # a key at 59 s restarts the minute
        clock.advance(59)
        app.lock_if_idle()
        assert isinstance(app.screen, DashboardScreen)  # 118 s, but 59 s since the key
        clock.advance(1)
        # The app's own timer looks at the clock and locks (no wall-clock race).
        await wait_for(pilot, lambda: isinstance(app.screen, UnlockScreen))
        assert app.session is None
        assert len(app.screen_stack) == 2  # the default screen and the unlock screen
        with pytest.raises(VaultError):  # the connection is closed, the key dropped
            session.list_cases()
        await pilot.press(*"wrong passphrase!", "enter")
        message = app.screen.query_one("#unlock-message", Static)
        await wait_for(pilot, lambda: "Not unlocked" in str(message.render()))
        assert isinstance(app.screen, UnlockScreen)
        assert not app.screen.query_one("#passphrase", Input).disabled
        await pilot.press(*PASSPHRASE, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.pause()
        assert app.session is not None
        assert app.session is not session
        assert app.session.clock is clock  # the default unlocker keeps the app's clock
    app.session.close()


async def test_first_run_setup_shows_the_recovery_code_once(tmp_path: Path) -> None:
    """Setup needs matching passphrases; Continue waits for the recovery code confirmation."""
    home = tmp_path / "new-vault"
    app = make_app(None, home=home, initializer=fast_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        screen.query_one("#org", Input).value = "Testshire Council (test)"
        screen.query_one("#author", Input).value = "Test Lead"
        screen.query_one("#passphrase", Input).value = PASSPHRASE
        screen.query_one("#passphrase2", Input).value = PASSPHRASE + "x"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "differ" in str(screen.query_one("#e-passphrase2", Static).render())
        screen.query_one("#passphrase2", Input).value = PASSPHRASE
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.session is not None)
        await pilot.pause()
        code = str(screen.query_one("#recovery-code", Static).render())
        assert "recovery code" in code
        assert screen.query_one("#continue", Button).disabled
        screen.query_one("#kept", Checkbox).value = True
        await pilot.pause()
        await pilot.click("#continue")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.session is not None
        assert app.session.identity.org == "Testshire Council (test)"
    app.session.close()
