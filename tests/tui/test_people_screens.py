"""People in the terminal app: the unlock screen asks who you are, the users screen adds
and removes users (admins only), and every look at case data lands in the audit trail.

All people are synthetic; the vaults are real encrypted ones in temp folders.
"""

from __future__ import annotations

from pathlib import Path

import factories
from pilot_helpers import wait_for
from textual.widgets import DataTable, Input, RadioButton, Static

from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.tui.app import make_app
from notify_tui.tui.modals.add_user import AddUserScreen
from notify_tui.tui.screens.audit import AuditScreen
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.unlock import UnlockScreen
from notify_tui.tui.screens.users import UsersScreen

SIZE = (120, 40)
ADMIN, ADMIN_PASS = "Ada Admin (fictional)", "admin passphrase, synthetic"
DEPUTY, DEPUTY_PASS = "Dee Deputy (fictional)", "deputy passphrase, synthetic"
NEWCOMER, NEWCOMER_PASS = "Ned Newcomer (fictional)", "newcomer passphrase, synthetic"


def vault(home: Path) -> Session:
    """An LA vault with its admin and a deputy, holding one case."""
    session, _ = Session.init(
        home, ADMIN_PASS, org="Testshire (test)", role="la", author=ADMIN, kdf=ARGON2_FLOOR
    )
    session.add_user(DEPUTY, "deputy", DEPUTY_PASS)
    session.create_case(
        factories.case(
            "child_death",
            subjects=[{"given_names": "Lu", "family_name": "Peopletest-Fictional"}],
            facts={
                "date_of_birth": "2020-01-01",
                "event_date": "2026-11-20",
                "aware_date": "2026-11-20",
                "abuse_or_neglect": "none",
            },
        )
    )
    return session


async def test_unlock_asks_who_you_are(tmp_path: Path) -> None:
    """Two users: the name box has the focus; the deputy's name and passphrase open the
    vault as the deputy, whom the dashboard names."""
    vault(tmp_path / "v").close()
    app = make_app(None, home=tmp_path / "v")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert app.screen.focused is app.screen.query_one("#user", Input)
        await pilot.press(*DEPUTY, "enter", *DEPUTY_PASS, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.session is not None and app.session.user_name == DEPUTY
        assert f"{DEPUTY} (deputy)" in app.screen.sub_title
        app.lock()
        await wait_for(
            pilot, lambda: isinstance(app.screen, UnlockScreen) and bool(app.screen.query("#user"))
        )
        await pilot.pause()
        # After a lock, the name is kept and the passphrase is asked for.
        assert app.screen.query_one("#user", Input).value == DEPUTY
        assert app.screen.focused is app.screen.query_one("#passphrase", Input)
        await pilot.press(*ADMIN_PASS, "enter")
        message = app.screen.query_one("#unlock-message", Static)
        await wait_for(pilot, lambda: "Not unlocked" in str(message.render()))
    assert app.session is None


async def test_an_admin_adds_and_removes_a_user(tmp_path: Path) -> None:
    """On the users screen: add a newcomer (no role chosen for you), who can then unlock;
    remove them after the confirmation, and their passphrase opens nothing."""
    session = vault(tmp_path / "v")
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_users()
        await wait_for(pilot, lambda: isinstance(app.screen, UsersScreen))
        users = app.screen
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddUserScreen))
        dialog = app.screen
        await pilot.press(*NEWCOMER, "tab", "tab", *NEWCOMER_PASS, "tab", *NEWCOMER_PASS, "enter")
        error = dialog.query_one("#add-user-error", Static)
        await wait_for(pilot, lambda: "choose a role" in str(error.render()))
        assert not any(button.value for button in dialog.query(RadioButton))
        viewer = next(b for b in dialog.query(RadioButton) if b.name == "viewer")
        viewer.value = True
        await pilot.click("#save")
        await wait_for(pilot, lambda: NEWCOMER in {u.name for u in users.users})
        table = users.query_one("#users-table", DataTable)
        assert any(NEWCOMER in str(cell) for row in range(table.row_count)
                   for cell in table.get_row_at(row))  # fmt: skip
        Session.unlock(tmp_path / "v", passphrase=NEWCOMER_PASS, user=NEWCOMER, write=False).close()
        table.move_cursor(row=[u.name for u in users.users].index(NEWCOMER))
        await pilot.press("r")
        await pilot.pause()
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: any(u.name == NEWCOMER and not u.active for u in users.users))
    session.close()
    try:
        Session.unlock(tmp_path / "v", passphrase=NEWCOMER_PASS, user=NEWCOMER, write=False)
    except Exception as error:  # noqa: BLE001 - any refusal will do; checked below
        assert "no longer a user" in str(error) or "wrong passphrase" in str(error)
    else:
        raise AssertionError("a removed user still opened the vault")


async def test_a_deputy_sees_users_but_cannot_add(tmp_path: Path) -> None:
    """The keys that change users are not offered to a deputy."""
    vault(tmp_path / "v").close()
    session = Session.unlock(tmp_path / "v", passphrase=DEPUTY_PASS, user=DEPUTY)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_users()
        await wait_for(pilot, lambda: isinstance(app.screen, UsersScreen))
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)  # no dialog
        assert "Only an admin" in str(app.screen.query_one("#users-intro", Static).render())
    session.close()


async def test_who_looked_at_this_case(tmp_path: Path) -> None:
    """Opening the case from the dashboard and the submission view are both logged; `l`
    lists them, naming the deputy, with no name from the case."""
    vault(tmp_path / "v").close()
    session = Session.unlock(tmp_path / "v", passphrase=DEPUTY_PASS, user=DEPUTY)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen))
        table = app.screen.query_one("#audit-log", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]
    whats = [(row[1], row[3]) for row in rows]
    assert (DEPUTY, "viewed the submission form") in whats
    assert (DEPUTY, "opened the case") in whats
    assert any(w == ADMIN and t.startswith("created the case (child death") for w, t in whats)
    assert all("Peopletest" not in cell for row in rows for cell in row)
    session.close()
