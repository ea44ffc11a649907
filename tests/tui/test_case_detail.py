"""Case detail: duties and their actions, decisions, conflicts, audit trail."""

from __future__ import annotations

from datetime import date

import factories
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
    """`s` asks for the date and reference; the duty shows as sent with both, on time."""
    # The due-today case: aware 5 working days ago, due today (Mon 23 Nov).
    case_id = demo.ids["due_today"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot, case_id)
        assert duty_rows(screen)["panel-notification"][4] == "DUE TODAY"
        await pilot.press("s")
        modal = app.screen
        assert isinstance(modal, MarkSentScreen)
        modal.query_one("#sent-on", Input).value = "2026-11-20"
        await pilot.pause()
        assert not modal.query_one("#late-reason", Input).display  # not late: not asked
        modal.query_one("#reference", Input).focus()
        await pilot.press(*"NOT-42", "ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        row = duty_rows(screen)["panel-notification"]
        assert row[4] == "sent"
        assert row[5] == "Fri 20 Nov 2026 NOT-42 · on time"
    stored = duty(demo, case_id, "panel-notification")
    assert (stored.status, stored.sent_on, stored.reference, stored.late) == (
        "sent",
        "2026-11-20",
        "NOT-42",
        False,
    )


async def test_mark_sent_after_the_due_date_asks_why(demo: DemoVault) -> None:
    """A date after the due date shows the reason field; without a reason nothing is
    recorded; with one, the duty shows as late and the reason is kept."""
    # The overdue case: aware 8 working days ago -> due Wed 18 Nov; Fri 20 Nov is
    # 2 working days late (19, 20).
    case_id = demo.ids["overdue"]
    reason = "The referral reached the team on Thu 19 Nov."
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot, case_id)
        assert duty(demo, case_id, "panel-notification").due == "2026-11-18"
        await pilot.press("s")
        modal = app.screen
        assert isinstance(modal, MarkSentScreen)
        modal.query_one("#sent-on", Input).value = "2026-11-20"
        await pilot.pause()
        assert modal.query_one("#late-reason", Input).display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is modal
        assert "say why" in str(modal.query_one("#late-reason-error", Static).render())
        assert duty(demo, case_id, "panel-notification").status == "open"
        modal.query_one("#late-reason", Input).value = reason
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert duty_rows(screen)["panel-notification"][5] == "Fri 20 Nov 2026 · late"
        detail = str(screen.query_one("#duty-detail", Static).render())
        assert f"2 working days late: {reason}" in detail
    stored = duty(demo, case_id, "panel-notification")
    assert (stored.late, stored.working_days_late, stored.late_reason) == (True, 2, reason)


async def test_a_refused_send_keeps_the_dialog_and_what_was_typed(demo: DemoVault) -> None:
    """The Session's refusal shows in the dialog, which stays open with its input."""
    case_id = demo.ids["due_today"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, case_id)
        await pilot.press("s")
        modal = app.screen
        assert isinstance(modal, MarkSentScreen)
        modal.query_one("#sent-on", Input).value = "2026-01-05"  # before the LA was aware
        modal.query_one("#reference", Input).value = "KEEP-ME"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is modal
        assert "before the LA became aware" in str(
            modal.query_one("#mark-sent-error", Static).render()
        )
        assert modal.query_one("#sent-on", Input).value == "2026-01-05"
        assert modal.query_one("#reference", Input).value == "KEEP-ME"
    assert duty(demo, case_id, "panel-notification").status == "open"


async def test_a_send_three_working_days_late_shows_its_reason(demo: DemoVault) -> None:
    """Aware Mon 2 Nov -> due Mon 9 Nov; sent Thu 12 Nov is 3 working days late: the
    duties table says late, the detail gives the reason and the recorded-late dates."""
    session = demo.session
    case_id = session.create_case(
        factories.case(
            facts={"event_date": "2026-11-01", "aware_date": "2026-11-02"},
            case_outline="SYNTHETIC TEST CASE",
        )
    )
    reason = "The lead was on leave and the cover did not see the referral."
    session.mark_sent(case_id, "panel-notification", date(2026, 11, 12), "P-9", reason)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot, case_id)
        assert duty_rows(screen)["panel-notification"][5] == "Thu 12 Nov 2026 P-9 · late"
        detail = str(screen.query_one("#duty-detail", Static).render())
        assert f"3 working days late: {reason}" in detail
        assert "recorded late: stated 12 Nov 2026, recorded 23 Nov 2026" in detail


async def test_mark_sent_refuses_a_future_date(demo: DemoVault) -> None:
    """A date after today is flagged beside the field and not accepted."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_case(app, pilot, demo.ids["due_today"])
        await pilot.press("s")
        modal = app.screen
        modal.query_one("#sent-on", Input).value = "30/11/2026"
        await pilot.pause()
        echo = str(modal.query_one("#sent-on-echo", Static).render())
        assert echo == "Mon 30 Nov 2026: is in the future; give the date it happened"
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
        decision = str(screen.query_one("#decision", Static).render())
        assert decision.startswith("Panel: not notifying (threshold not met)")
        assert duty_rows(screen)["panel-notification"][4] == "not notifying"
    decision = demo.session.case_detail(case_id).document["decision"]
    assert decision["notify"] is False


async def test_no_decision_is_offered_on_a_child_death_without_a_panel_duty(
    demo: DemoVault,
) -> None:
    """The threshold decision is about the Panel: `d` does nothing on a child death whose
    facts raise no Panel notification, and the header says none is needed."""
    case_id = demo.ids["child_death"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot, case_id)
        assert screen.check_action("decide", ()) is False
        await pilot.press("d")
        await pilot.pause()
        assert app.screen is screen
        decision = str(screen.query_one("#decision", Static).render())
        assert "none needed" in decision and "NOT NOTIFY" not in decision
    assert "decision" not in demo.session.case_detail(case_id).document


async def test_withdraw_a_duty(demo: DemoVault) -> None:
    """`w` asks why; a short reason is refused, a sentence is recorded. The duty is
    statutory, so it is a request: still owed, shown as awaiting the office."""
    case_id = demo.ids["child_death"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(app, pilot, case_id)
        first = next(iter(duty_rows(screen)))
        before = duty_rows(screen)[first][4]
        await pilot.press("w")
        assert isinstance(app.screen, WithdrawScreen)
        await pilot.press(*"no", "enter")
        assert isinstance(app.screen, WithdrawScreen)
        await pilot.press(*" - the child was not looked after after all", "enter")
        await pilot.pause()
        assert duty_rows(screen)[first][4] == f"{before} · withdrawal pending"
        detail = str(screen.query_one("#duty-detail", Static).render())
        assert "withdrawal awaiting office confirmation" in detail
    stored = duty(demo, case_id, first)
    assert stored.status == "open"
    assert (stored.withdrawal_pending or "").startswith("no - the child")


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
