"""The retention screen: held cases marked HELD in words, the holds in force named with
who placed them and why, and `a` for every case. All people are synthetic."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import factories
from pilot_helpers import wait_for
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, Static

from notify_tui.clock import ManualClock
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner
from notify_tui.tui.app import make_app
from notify_tui.tui.modals.erase import EraseScreen
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.retention import RetentionScreen

SIZE = (120, 40)
ADMIN = "Ada Admin (fictional)"
REASON = "Fictional Inquiry, order 2026/17"


def child_death(died: str) -> dict[str, object]:
    return factories.case(
        "child_death",
        subjects=[factories.subject(given_names="Ada", family_name="Screen-Fictional")],
        facts={"date_of_birth": "2005-01-01", "event_date": died, "aware_date": died,
               "abuse_or_neglect": "none"},
    )  # fmt: skip


async def test_the_screen_lists_due_and_held_cases_and_the_holds(tmp_path: Path) -> None:
    """Today Mon 23 Nov 2026; child deaths kept 15 years from the date of death: died
    20 Nov 2011 is due since 20/11/2026; died 21 Nov 2011 is due too but held; died
    1 Dec 2011 is kept until 01/12/2026 (shown only with `a`)."""
    session, _ = Session.init(
        tmp_path / "v", "an admin passphrase, synthetic", org="Testshire (test)", role="la",
        author=ADMIN, kdf=ARGON2_FLOOR, owner=InlineOwner(),
        clock=ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
    )  # fmt: skip
    due, held, kept = session.create_cases(
        [child_death("2011-11-20"), child_death("2011-11-21"), child_death("2011-12-01")]
    )
    session.retention.place(held, REASON)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "retention: what is due" in titles
        app.open_retention()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RetentionScreen)
        table = screen.query_one("#retention-cases", DataTable)
        rows = [
            [str(cell) for cell in table.get_row_at(index)[:4]] for index in range(table.row_count)
        ]
        assert rows == [
            [due, "Child death", "DUE", "20/11/2026"],
            [held, "Child death", "HELD", "21/11/2026"],
        ]
        holds = str(screen.query_one("#retention-holds", Static).render())
        assert f"{held} is held by {ADMIN} (Testshire (test)) since 23 Nov 2026: {REASON}" in holds
        await pilot.press("a")
        await pilot.pause()
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [due, held, kept]
        assert str(table.get_row_at(2)[2]) == "kept"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RetentionScreen)


async def test_the_case_screen_names_its_legal_hold(tmp_path: Path) -> None:
    """A reason holding markup-like text is shown as written, never obeyed."""
    session, _ = Session.init(
        tmp_path / "v", "an admin passphrase, synthetic", org="Testshire (test)", role="la",
        author=ADMIN, kdf=ARGON2_FLOOR, owner=InlineOwner(),
        clock=ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
    )  # fmt: skip
    (case_id,) = session.create_cases([child_death("2011-11-16")])
    session.retention.place(case_id, "Order [b]2026/17[/b] (fictional)")
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.open_case(case_id)  # type: ignore[attr-defined]
        await pilot.pause()
        notes = str(app.screen.query_one("#advisories", Static).render())
        assert (
            f"Legal hold: {case_id} is held by {ADMIN} (Testshire (test)) since 23 Nov 2026: "
            "Order [b]2026/17[/b] (fictional)"
        ) in notes


async def answered(pilot: Pilot[None]) -> None:
    """Until the erase dialog has its answer (it checks the passphrase off the UI
    thread): closed, or its error line no longer saying it is checking."""
    app = pilot.app
    await pilot.pause()  # the press handled: the dialog says it is checking

    def done() -> bool:
        if not isinstance(app.screen, EraseScreen):
            return True
        return "Checking" not in str(app.screen.query_one("#erase-error", Static).render())

    await wait_for(pilot, done)


def admin_and_lead(tmp_path: Path) -> Session:
    """An LA vault with its admin signed in and a lead to confirm, on its own owner
    thread (the erase dialog works in a thread worker)."""
    session, _ = Session.init(
        tmp_path / "v", "an admin passphrase, synthetic", org="Testshire (test)", role="la",
        author=ADMIN, kdf=ARGON2_FLOOR,
        clock=ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
    )  # fmt: skip
    session.add_user("Lee Lead (fictional)", "lead", "a lead passphrase, synthetic")
    return session


async def test_e_erases_the_selected_case_with_a_second_person(tmp_path: Path) -> None:
    """The held case is refused on the dialog's error line, naming the hold; the due one
    is erased once the second person's passphrase is typed, and leaves the list."""
    session = admin_and_lead(tmp_path)
    due, held = session.create_cases([child_death("2011-11-20"), child_death("2011-11-21")])
    session.retention.place(held, REASON)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_retention()
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#retention-cases", DataTable)

        async def erase_row(row: int, passphrase: str) -> None:
            table.move_cursor(row=row)
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, EraseScreen)
            app.screen.query_one("#erase-reason", Input).value = "Schedule line 4.3 (fictional)"
            app.screen.query_one("#erase-user", Input).value = "Lee Lead (fictional)"
            app.screen.query_one("#erase-passphrase", Input).value = passphrase
            app.screen.query_one("#save", Button).press()
            await answered(pilot)

        await erase_row(1, "a lead passphrase, synthetic")
        assert isinstance(app.screen, EraseScreen)  # refused: still open
        error = str(app.screen.query_one("#erase-error", Static).render())
        assert f"cannot be erased: {held} is held by {ADMIN}" in error
        assert app.screen.query_one("#erase-passphrase", Input).value == ""
        await pilot.press("escape")
        await pilot.pause()
        await erase_row(0, "not the lead's passphrase")
        assert "wrong passphrase for Lee Lead (fictional)" in str(
            app.screen.query_one("#erase-error", Static).render()
        )
        app.screen.query_one("#erase-passphrase", Input).value = "a lead passphrase, synthetic"
        app.screen.query_one("#save", Button).press()
        await answered(pilot)
        assert app.screen is screen
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [held]
    view = session.erasure.erased(due)
    assert view is not None and view.record.confirmed_by == "Lee Lead (fictional)"
    assert session.erasure.erased(held) is None


async def test_a_case_screen_under_the_erasure_closes_when_it_is_back_on_top(
    tmp_path: Path,
) -> None:
    """The case is open; the retention screen goes over it and erases it; back from
    there, the case screen does not show the erased name a moment longer."""
    session = admin_and_lead(tmp_path)
    (case_id,) = session.create_cases([child_death("2011-11-20")])
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.open_case(case_id)  # type: ignore[attr-defined]
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
        assert "Screen-Fictional" in app.export_screenshot()
        app.open_retention()
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#erase-reason", Input).value = "Schedule line 4.3 (fictional)"
        app.screen.query_one("#erase-user", Input).value = "Lee Lead (fictional)"
        app.screen.query_one("#erase-passphrase", Input).value = "a lead passphrase, synthetic"
        app.screen.query_one("#save", Button).press()
        await answered(pilot)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, CaseDetailScreen)
        assert "Screen-Fictional" not in app.export_screenshot()
