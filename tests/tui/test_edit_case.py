"""Editing a case's facts from the case screen: the new-case form, prefilled; duties follow.

A module of its own: the edits change the module's demo vault.
"""

from __future__ import annotations

from pilot_helpers import wait_for
from textual.widgets import DataTable, Input, Static

from notify_tui.demo.vault import DemoVault
from notify_tui.tui.app import make_app
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.new_case import NewCaseScreen
from notify_tui.tui.widgets.field_row import FieldRow

SIZE = (120, 40)


async def open_editor(app, pilot, case_id: str) -> tuple[CaseDetailScreen, NewCaseScreen]:
    await pilot.pause()
    dashboard = app.screen
    assert isinstance(dashboard, DashboardScreen)
    dashboard.open_case(case_id)
    await pilot.pause()
    case_screen = app.screen
    assert isinstance(case_screen, CaseDetailScreen)
    await pilot.press("e")
    await wait_for(pilot, lambda: bool(app.screen.query("#f-linked_cases")))
    assert isinstance(app.screen, NewCaseScreen)
    return case_screen, app.screen


def panel_row(screen: CaseDetailScreen) -> list[str]:
    table = screen.query_one("#case-duties", DataTable)
    return [str(cell).strip() for cell in table.get_row("panel-notification")]


async def test_a_later_aware_date_moves_the_panel_deadline(demo: DemoVault) -> None:
    """Aware Wed 11 Nov: Panel due Wed 18 Nov, overdue. Corrected to Fri 20 Nov, five
    working days on is Fri 27 Nov (23, 24, 25, 26, 27), 4 working days from today."""
    case_id = demo.ids["overdue"]
    stored = demo.session.case_detail(case_id)
    assert stored.document["incident"]["aware_date"] == "2026-11-11"
    audit_before = len(stored.audit)
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        case_screen, form = await open_editor(app, pilot, case_id)
        assert panel_row(case_screen)[2:5] == ["Wed 18 Nov 2026", "-3", "OVERDUE"]
        assert form.title == f"Edit case {case_id}"
        assert form.query_one("#f-c1--family_name", Input).value == "Overdue-Fictional"
        assert form.query_one("#f-aware_date", Input).value == "11/11/2026"
        assert not form.query("#f-decision")  # the case screen's `d` records decisions
        form.query_one("#f-aware_date", Input).value = "20/11/2026"
        await wait_for(
            pilot,
            lambda: "Fri 27 Nov 2026" in str(form.query_one("#duties-preview", Static).render()),
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is case_screen)
        assert panel_row(case_screen)[2:5] == ["Fri 27 Nov 2026", "4", "later"]
    after = demo.session.case_detail(case_id)
    assert after.document["incident"]["aware_date"] == "2026-11-20"
    # What the form does not show is kept: the abuse kinds and the protection plan.
    assert after.document["incident"]["abuse_kinds"] == ["neglect"]
    assert after.document["subjects"][0]["legal_status"]["child_protection_plan"] is True
    assert len(after.audit) == audit_before + 1
    assert after.audit[-1].summary == "Demo User changed LA became aware to 20 Nov 2026"


async def test_a_future_date_is_refused_beside_the_field(demo: DemoVault) -> None:
    """A date after today shows its problem beside the field and saves nothing."""
    case_id = demo.ids["due_today"]
    before = demo.session.case_detail(case_id)
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        _, form = await open_editor(app, pilot, case_id)
        form.query_one("#f-event_date", Input).value = "01/12/2026"
        await pilot.pause()
        assert "future" in form.query_one("#row-event_date", FieldRow).message
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
    after = demo.session.case_detail(case_id)
    assert after.document == before.document and after.audit == before.audit


async def test_saving_no_change_records_nothing(demo: DemoVault) -> None:
    """Saving the form untouched goes back to the case and adds no audit entry."""
    case_id = demo.ids["due_today"]
    before = demo.session.case_detail(case_id)
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        case_screen, _ = await open_editor(app, pilot, case_id)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is case_screen)
    assert demo.session.case_detail(case_id).audit == before.audit
