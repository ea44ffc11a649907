"""The submission view: the case in the form's order, copy field by field, record it sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import factories
import pytest
from pilot_helpers import wait_for
from textual.widgets import Checkbox, DataTable, Input, Static

from notify_tui.demo.vault import DemoVault
from notify_tui.services.session import Session
from notify_tui.settings import Preferences
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.tui.app import make_app
from notify_tui.tui.clipboard import BLANK
from notify_tui.tui.modals.record_submission import RecordSubmissionScreen
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.submission import SubmissionScreen
from notify_tui.tui.screens.unlock import UnlockScreen

SIZE = (120, 40)


def with_clipboard_seconds(preferences: Preferences, seconds: float) -> Preferences:
    """Preferences with a wipe delay below the settings minimum (tests only: no validation)."""
    security = preferences.security.model_copy(update={"clipboard_clear_seconds": seconds})
    return preferences.model_copy(update={"security": security})


@pytest.fixture
def quick_wipe(demo: DemoVault) -> Iterator[Session]:
    """The demo session with a 0.3 s clipboard wipe, restored afterwards."""
    before = demo.session.preferences
    demo.session.preferences = with_clipboard_seconds(before, 0.3)
    yield demo.session
    demo.session.preferences = before


async def open_submission(app, pilot, case_id: str) -> SubmissionScreen:
    await pilot.pause()
    assert isinstance(app.screen, DashboardScreen)
    app.screen.open_case(case_id)
    await pilot.pause()
    assert isinstance(app.screen, CaseDetailScreen)
    await pilot.press("v")
    await pilot.pause()
    assert isinstance(app.screen, SubmissionScreen)
    return app.screen


def table_rows(screen: SubmissionScreen) -> dict[str, list[str]]:
    table = screen.query_one("#form-fields", DataTable)
    return {str(k.value): [str(c) for c in table.get_row(k)] for k in table.rows}


async def highlight(pilot, screen: SubmissionScreen, key: str) -> None:
    table = screen.query_one("#form-fields", DataTable)
    table.move_cursor(row=table.get_row_index(key))
    await pilot.pause()


async def test_fields_follow_the_online_form(demo: DemoVault) -> None:
    """Notifier, then each child, then the incident, in the national form's order."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_submission(app, pilot, demo.ids["overdue"])
        rows = table_rows(screen)
        keys = list(rows)
        assert keys[:5] == [
            "notifier.name",
            "notifier.role",
            "notifier.phone",
            "notifier.email",
            "notifier.la",
        ]
        assert keys.index("child1.names") < keys.index("incident.nature")
        assert keys[-1] == "incident.linked"
        assert rows["child1.names"][2] == "Orla Overdue-Fictional"
        assert rows["child1.legal_status"][2] == "child protection plan"
        assert rows["incident.nature"][2] == "Serious harm"
        assert rows["incident.abuse"][2] == "Suspected"
        assert rows["notifier.la"][2] == demo.session.identity.org
        assert "National online notification" in str(screen.query_one("#form-title").render())


async def copy_a_name(app, pilot, demo: DemoVault):  # type: ignore[no-untyped-def]
    """Open the overdue case's submission view and copy the child's names; the screen."""
    screen = await open_submission(app, pilot, demo.ids["overdue"])
    await highlight(pilot, screen, "child1.names")
    await pilot.press("c")
    assert app.clipboard == "Orla Overdue-Fictional"
    return screen


async def test_copy_puts_the_value_on_the_clipboard_then_wipes_it(
    demo: DemoVault, quick_wipe: Session
) -> None:
    """`c` copies the highlighted value; after the delay the clipboard holds a blank."""
    app = make_app(quick_wipe)
    async with app.run_test(size=SIZE) as pilot:
        screen = await copy_a_name(app, pilot, demo)
        assert "overwritten in 0.3 s" in str(screen.query_one("#copy-status", Static).render())
        await wait_for(pilot, lambda: app.clipboard == BLANK, seconds=5)


async def test_a_newer_copy_is_not_wiped_by_an_older_timer(
    demo: DemoVault, quick_wipe: Session
) -> None:
    """Each copy gets its own full delay: the first timer leaves a later value alone."""
    app = make_app(quick_wipe)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_submission(app, pilot, demo.ids["overdue"])
        await highlight(pilot, screen, "child1.names")
        await pilot.press("c")
        await highlight(pilot, screen, "incident.nature")
        await pilot.press("c")
        assert app.clipboard == "Serious harm"
        await wait_for(pilot, lambda: app.clipboard == BLANK, seconds=5)


async def test_an_empty_field_copies_nothing(demo: DemoVault) -> None:
    """A field with nothing recorded leaves the clipboard alone and says so."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_submission(app, pilot, demo.ids["overdue"])
        await highlight(pilot, screen, "notifier.phone")
        await pilot.press("c")
        assert app.clipboard == ""


async def test_the_clipboard_is_wiped_when_the_app_locks(tmp_path: Path) -> None:
    """Locking (idle or ctrl+l) overwrites a copied value at once, long before the delay."""
    session, _ = Session.init(
        tmp_path / "vault",
        "correct horse battery staple",
        org="Testshire (test)",
        role="la",
        author="T",
        kdf=ARGON2_FLOOR,
    )
    case_id = session.create_case(
        factories.case(
            "child_death",
            subjects=[{"given_names": "Lu", "family_name": "Clipboard-Fictional"}],
            facts={
                "date_of_birth": "2020-01-01",
                "event_date": "2026-11-20",
                "aware_date": "2026-11-20",
                "abuse_or_neglect": "none",
            },
        )
    )
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_submission(app, pilot, case_id)
        assert "CDOP" in str(screen.query_one("#form-title").render())
        await highlight(pilot, screen, "child1.family_name")
        await pilot.press("c")
        assert app.clipboard == "Clipboard-Fictional"
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, UnlockScreen))
        await pilot.pause()
        assert app.clipboard == BLANK


async def test_the_clipboard_is_wiped_when_the_app_quits(demo: DemoVault) -> None:
    """Quitting (ctrl+q) overwrites a copied value at once, long before the delay."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await copy_a_name(app, pilot, demo)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.clipboard == BLANK
    assert app.return_code == 0


async def test_the_clipboard_is_wiped_when_the_app_stops_on_an_error(demo: DemoVault) -> None:
    """An internal error ends the app too; the copied value is overwritten first."""

    def crash() -> None:
        raise RuntimeError("synthetic failure")

    app = make_app(demo.session)
    with pytest.raises(RuntimeError, match="synthetic failure"):
        async with app.run_test(size=SIZE) as pilot:
            await copy_a_name(app, pilot, demo)
            assert app.clipboard == "Orla Overdue-Fictional"
            app.call_later(crash)  # an unhandled error in the app's own code
            await pilot.pause()
    assert app.return_code == 1  # it did stop on the error, not by quitting
    assert app.clipboard == BLANK


async def test_child_death_uses_the_cdop_form_and_switches(demo: DemoVault) -> None:
    """A looked-after child's death: the CDOP form first, `f` shows the online form."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_submission(app, pilot, demo.ids["child_death"])
        rows = table_rows(screen)
        assert rows["child1.family_name"][2] == "Cdop-Fictional"
        assert rows["child1.forenames"][2] == "Wren"
        assert "not held in notify-tui" in rows["child1.gp"][2]
        assert "death.summary" in rows
        await pilot.press("f")
        await pilot.pause()
        assert "incident.nature" in table_rows(screen)
        assert "National online notification" in str(screen.query_one("#form-title").render())


async def test_record_submission_marks_the_duty_sent(demo: DemoVault) -> None:
    """`s` asks for the date and the service's reference; the notification is marked sent."""
    case_id = demo.ids["due_today"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_submission(app, pilot, case_id)
        await pilot.press("s")
        modal = app.screen
        assert isinstance(modal, RecordSubmissionScreen)
        assert modal.query_one("#duty-panel-notification", Checkbox).value is True
        modal.query_one("#sent-on", Input).value = "2026-11-20"
        modal.query_one("#reference", Input).focus()
        await pilot.press(*"SIN-2026-0042", "ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "Panel notification: sent" in str(screen.query_one("#form-title").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
    duty = next(
        d for d in demo.session.case_detail(case_id).duties if d.duty == "panel-notification"
    )
    assert (duty.status, duty.sent_on, duty.reference) == (
        "sent",
        "2026-11-20",
        "SIN-2026-0042",
    )


async def test_copy_a_section_or_the_whole_form_and_see_what_is_left(demo: DemoVault) -> None:
    """`t` copies the highlighted box's section as text, `a` the whole form; the bottom
    line names the boxes still empty (the demo case has no ethnicity, time or place)."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_submission(app, pilot, demo.ids["overdue"])
        await highlight(pilot, screen, "child1.names")
        await pilot.press("t")
        section = app.clipboard.splitlines()
        assert section[:3] == [
            "Child 1",
            "Name(s): Orla Overdue-Fictional",
            "Other names: not recorded",
        ]
        assert "Legal status: child protection plan" in section
        assert not any(line.startswith(("Notifier", "Nature of incident")) for line in section)
        await pilot.press("a")
        whole = app.clipboard
        assert whole.startswith(
            "National online notification (Panel, DfE and Ofsted)\n\nNotifier\n"
        )
        assert "\n\nChild 1\nName(s): Orla Overdue-Fictional\n" in whole
        assert "\n\nIncident\nNature of incident: Serious harm\n" in whole
        bottom = str(screen.query_one("#to-complete", Static).render())
        assert bottom.startswith("Still to complete (")
        for box in ("Child 1 · Ethnicity", "Incident · Time of incident", "Incident · Place"):
            assert box in bottom
        assert "Linked cases" not in bottom  # "none" is an answer
