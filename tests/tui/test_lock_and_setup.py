"""Idle lock, unlock and first-run setup, on real encrypted vaults in temp folders."""

from __future__ import annotations

from pathlib import Path

import factories
import pytest
from pilot_helpers import wait_for
from textual.widgets import Button, Checkbox, Input, Static

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


async def test_idle_lock_then_unlock(tmp_path: Path) -> None:
    """After the idle time the screen clears and the vault closes; the passphrase reopens it."""
    home = tmp_path / "vault"
    session, _ = Session.init(
        home, PASSPHRASE, org="Testshire (test)", role="la", author="T", kdf=ARGON2_FLOOR
    )
    session.create_case(
        factories.case(
            "child_death",
            subjects=[{"given_names": "Lu", "family_name": "Locktest-Fictional"}],
            facts={
                "date_of_birth": "2020-01-01",
                "event_date": "2026-11-20",
                "aware_date": "2026-11-20",
                "abuse_or_neglect": "none",
            },
        )
    )
    app = make_app(session, idle_lock_seconds=2.0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await wait_for(pilot, lambda: isinstance(app.screen, UnlockScreen))
        assert app.session is None
        assert len(app.screen_stack) == 2  # the default screen and the unlock screen
        with pytest.raises(VaultError):  # the connection is closed, the key dropped
            session.list_cases()
        app.idle_lock_seconds = 3600  # no second lock while we type
        await pilot.press(*"wrong passphrase!", "enter")
        message = app.screen.query_one("#unlock-message", Static)
        await wait_for(pilot, lambda: "Not unlocked" in str(message.render()))
        assert isinstance(app.screen, UnlockScreen)
        await pilot.press(*PASSPHRASE, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.session is not None
        assert app.session is not session
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
