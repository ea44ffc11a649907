"""Case detail: duties and their actions, decisions, conflicts, audit trail."""

from __future__ import annotations

from textual.widgets import Button, DataTable, Input, Static

from notify_tui.demo.vault import DemoVault
from notify_tui.services.types import DutyView
from notify_tui.tui.app import make_app
from notify_tui.tui.modals.decide import DecideScreen
from notify_tui.tui.modals.mark_sent import MarkSentScreen
from notify_tui.tui.modals.withdraw import WithdrawScreen
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.dashboard import DashboardScreen

SIZE = (120, 40)


async def open_case(app, pilot, case_id: str) -> CaseDetailScreen:
    await pilot.pause()
    dashboard = app.screen
    assert isinstance(dashboard, DashboardScreen)
    dashboard.open_case(case_id)
    await pilot.pause()
    assert isinstance(app.screen, CaseDetailScreen)
    return app.screen


def duty_rows(screen: CaseDetailScreen) -> dict[str, list[str]]:
    table = screen.query_one("#case-duties", DataTable)
    return {
        str(key.value): [str(cell).strip() for cell in table.get_row(key)] for key in table.rows
    }


def duty(demo: DemoVault, case_id: str, duty_id: str) -> DutyView:
    return next(d for d in demo.session.case_detail(case_id).duties if d.duty == duty_id)


async def test_mark_a_duty_sent(demo: DemoVault) -> None:
    """`s` asks for the date and reference; the duty shows as sent with both."""
    case_id = demo.ids["overdue"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot, case_id)
        assert duty_rows(screen)["panel-notification"][4] == "OVERDUE"
        await pilot.press("s")
        assert isinstance(app.screen, MarkSentScreen)
        app.screen.query_one("#sent-on", Input).value = "2026-11-20"
        app.screen.query_one("#reference", Input).focus()
        await pilot.press(*"NOT-42", "ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        row = duty_rows(screen)["panel-notification"]
        assert row[4] == "sent"
        assert row[5] == "Fri 20 Nov 2026 NOT-42"
    stored = duty(demo, case_id, "panel-notification")
    assert (stored.status, stored.sent_on, stored.reference) == (
        "sent",
        "2026-11-20",
        "NOT-42",
    )


async def test_mark_sent_refuses_a_future_date(demo: DemoVault) -> None:
    """A date after today is flagged beside the field and not accepted."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, demo.ids["due_today"])
        await pilot.press("s")
        modal = app.screen
        modal.query_one("#sent-on", Input).value = "2026-11-30"
        await pilot.pause()
        assert "future" in str(modal.query_one("#sent-on-error", Static).render())
        await pilot.press("ctrl+s")
        assert app.screen is modal
        await pilot.press("escape")
    assert duty(demo, demo.ids["due_today"], "panel-notification").status == "open"


async def test_decide_not_to_notify(demo: DemoVault) -> None:
    """`d` records "do not notify" with a rationale; the Panel duty closes."""
    case_id = demo.ids["due_today"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot, case_id)
        await pilot.press("d")
        assert isinstance(app.screen, DecideScreen)
        await pilot.click("#no")
        app.screen.query_one("#rationale", Input).focus()
        await pilot.press(*"Accidental fall, no abuse or neglect suspected.", "ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "DO NOT NOTIFY" in str(screen.query_one("#decision", Static).render())
        assert duty_rows(screen)["panel-notification"][4] == "not notifying"
    decision = demo.session.case_detail(case_id).document["decision"]
    assert decision["notify"] is False


async def test_withdraw_a_duty(demo: DemoVault) -> None:
    """`w` asks why; a short reason is refused, a sentence is recorded."""
    case_id = demo.ids["child_death"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot, case_id)
        first = next(iter(duty_rows(screen)))
        await pilot.press("w")
        assert isinstance(app.screen, WithdrawScreen)
        await pilot.press(*"no", "enter")
        assert isinstance(app.screen, WithdrawScreen)
        await pilot.press(*" - the child was not looked after after all", "enter")
        await pilot.pause()
        assert duty_rows(screen)[first][4] == "withdrawn"
    assert duty(demo, case_id, first).withdrawn_reason.startswith("no - the child")


async def test_resolve_a_conflict(demo: DemoVault) -> None:
    """The conflict reads as a question, each value numbered and in words; keeping one
    closes the conflict with that value, and the audit trail says so."""
    case_id = demo.ids["conflict"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot, case_id)
        assert "1 CONFLICT" in str(screen.query_one("#case-heading", Static).render())
        await pilot.press("3")
        await pilot.pause()
        heading = str(screen.query_one(".conflict > Static", Static).render())
        assert heading.startswith("Place holds 2 values recorded without seeing each other.")
        # Both edits were made at one instant, so their order is the order of their ids.
        [conflict] = demo.session.case_detail(case_id).conflicts
        first, second = (value.value for value in conflict.values)
        assert heading.endswith(f"Place: '{first}' (Demo User) or '{second}' (Demo User)?")
        panels = list(screen.query(".conflict-value"))
        assert len(panels) == 2
        titles = [str(panel.query(Static).first().render()) for panel in panels]
        assert titles == [f"1. '{first}' (Demo User)", f"2. '{second}' (Demo User)"]
        keep = [panel.query_one(Button) for panel in panels]
        await pilot.click(f"#{keep[1].id}")
        await pilot.pause()
        assert "No conflicts" in " ".join(
            str(s.render()) for s in screen.query("#conflict-list Static")
        )
        assert "CONFLICT" not in str(screen.query_one("#case-heading", Static).render())
    detail = demo.session.case_detail(case_id)
    assert detail.conflicts == ()
    assert detail.document["incident"]["place"] == second
    assert detail.audit[-1].summary == "Demo User resolved a conflict on Place"


async def test_audit_trail_shows_who_when_what(demo: DemoVault) -> None:
    """The audit tab lists every event, newest first, as a sentence, with its device."""
    case_id = demo.ids["sent"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot, case_id)
        await pilot.press("4")
        table = screen.query_one("#audit-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert len(rows) == 3
        # The demo sent it 8 working days before Mon 23 Nov: Wed 11 Nov; acknowledged today.
        assert [row[1] for row in rows] == [
            "Demo User recorded the Panel notification acknowledged on 23 Nov 2026",
            "Demo User marked the Panel notification sent on 11 Nov 2026, reference DEMO-REF-0001",
            "Demo User created the case (serious incident, 1 child)",
        ]
        assert rows[0][2] == demo.session.identity.device_id
