"""Drafts in the terminal app: nothing typed is lost to a lock, a quit or Escape.

Every form that records something keeps what is typed as a draft in the vault (written
when typing pauses, from a worker); the lock writes it at once and reopens it after the
unlock; Escape and ctrl+q with unsaved changes ask "keep as draft / discard / go back".
"""

from __future__ import annotations

import pytest
from pilot_helpers import wait_for
from textual.widgets import DataTable, Input, RadioSet, Static

from notify_tui.demo.vault import DemoVault
from notify_tui.tui.app import make_app
from notify_tui.tui.modals.base import KeepDraftScreen
from notify_tui.tui.modals.decide import DecideScreen
from notify_tui.tui.modals.mark_sent import MarkSentScreen
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.drafts import DraftsScreen
from notify_tui.tui.screens.new_case import NewCaseScreen
from notify_tui.tui.screens.unlock import UnlockScreen

SIZE = (120, 40)
SENTINEL = "Zebedee-Sentinel-Fictional"


def given_names(screen: NewCaseScreen) -> Input:
    return screen.query_one("#f-c1--given_names", Input)


async def new_form(app, pilot) -> NewCaseScreen:
    await pilot.pause()
    await pilot.press("n")
    await wait_for(pilot, lambda: bool(app.screen.query("#f-linked_cases")))
    assert isinstance(app.screen, NewCaseScreen)
    return app.screen


async def unlock(app, pilot, demo: DemoVault) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, UnlockScreen))
    await pilot.press(*demo.passphrase, "enter")
    await wait_for(pilot, lambda: app.session is not None)


async def test_typing_keeps_a_draft_in_the_vault(demo: DemoVault) -> None:
    """When typing pauses, the form's values are in the vault: no key waits for it."""
    session = demo.session
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(app, pilot)
        await pilot.press(*SENTINEL)
        await wait_for(pilot, lambda: len(session.drafts.summaries()) == 1)
        [summary] = session.drafts.summaries()
        assert (summary.form, summary.title, summary.label) == (
            "new_case", "New serious incident", "child Z."
        )  # fmt: skip
        await wait_for(
            pilot,
            lambda: session.drafts.get(summary.id).values["c1.given_names"] == SENTINEL,
        )
        status = app.screen.query_one("#draft-status", Static)
        await wait_for(
            pilot, lambda: str(status.render()).startswith("Draft kept in the vault as you type")
        )
    assert session.list_cases(search="Zebedee") == []  # a draft is not a case


async def test_ctrl_l_then_unlock_brings_the_form_back(demo: DemoVault) -> None:
    """The lock writes the draft before it closes the vault; after the unlock the form is
    back as it was, the name typed a moment before the lock included."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(app, pilot)
        await pilot.press(*SENTINEL, "tab", *"Lock")
        form.query_one("#f-event_date", Input).value = "20/11/2026"
        await pilot.press("ctrl+l")  # at once: no pause for the draft to be written
        await unlock(app, pilot, demo)
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseScreen))
        await wait_for(pilot, lambda: bool(app.screen.query("#f-event_date")))
        back = app.screen
        assert isinstance(back, NewCaseScreen) and back is not form
        assert given_names(back).value == SENTINEL
        assert back.query_one("#f-c1--family_name", Input).value == "Lock"
        assert back.query_one("#f-event_date", Input).value == "20/11/2026"
        assert isinstance(app.screen_stack[-2], DashboardScreen)
    assert app.session is not None
    app.session.close()


async def test_escape_asks_and_go_back_keeps_the_form(demo: DemoVault) -> None:
    session = demo.session
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(app, pilot)
        await pilot.press(*"Esc-Fictional", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, KeepDraftScreen))
        await pilot.press("escape")  # go back
        await wait_for(pilot, lambda: app.screen is form)
        assert given_names(form).value == "Esc-Fictional"
        await pilot.press("escape", "d")  # discard
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.pause(0.5)  # a write the debounce had started is replaced by nothing
    assert session.drafts.summaries() == []


async def test_keep_as_draft_then_open_it_from_the_dashboard(demo: DemoVault) -> None:
    session = demo.session
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(app, pilot)
        await pilot.press(*SENTINEL, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, KeepDraftScreen))
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        dashboard = app.screen
        line = dashboard.query_one("#drafts-line", Static)
        await wait_for(pilot, lambda: "1 draft not yet recorded" in str(line.render()))
        assert str(line.render()).endswith("press d to open")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        table = app.screen.query_one(DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[:3] == ["New serious incident", "new", "child Z."]
        assert row[3] == "just now"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseScreen))
        form = app.screen
        assert given_names(form).value == SENTINEL
        await pilot.press("tab", *"Kept-Fictional")
        for key, value in {"c1--date_of_birth": "1/1/2020", "event_date": "20/11/2026"}.items():
            form.query_one(f"#f-{key}", Input).value = value
            await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
    assert session.drafts.summaries() == []  # recorded: the draft is gone
    assert len(session.list_cases(search="Kept")) == 1


async def test_ctrl_q_with_unsaved_changes_asks_first(demo: DemoVault) -> None:
    session = demo.session
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await new_form(app, pilot)
        await pilot.press(*"Quit-Fictional", "ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, KeepDraftScreen))
        assert "Before you quit" in str(app.screen.query_one(".dialog-text", Static).render())
        await pilot.press("escape")  # go back: still running, the form there
        await wait_for(pilot, lambda: isinstance(app.screen, NewCaseScreen))
        await pilot.press("ctrl+q", "ctrl+q")  # asked, then again: keep the draft and quit
        await pilot.pause()
    assert app.return_code == 0
    [summary] = session.drafts.summaries()
    assert session.drafts.get(summary.id).values["c1.given_names"] == "Quit-Fictional"


async def test_a_dialog_comes_back_after_the_lock_with_what_was_typed(demo: DemoVault) -> None:
    """Mark sent, with a reference typed: ctrl+l, unlock, and the case is open again with
    the dialog on top, reference and date as typed."""
    case_id = demo.ids["due_today"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.open_case(case_id)
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, MarkSentScreen))
        app.screen.query_one("#sent-on", Input).value = "yesterday"
        await pilot.pause()
        app.screen.query_one("#reference", Input).focus()
        await pilot.press(*"REF-KEPT-1", "ctrl+l")
        await unlock(app, pilot, demo)
        await wait_for(pilot, lambda: isinstance(app.screen, MarkSentScreen))
        dialog = app.screen
        assert dialog.query_one("#reference", Input).value == "REF-KEPT-1"
        assert dialog.query_one("#sent-on", Input).value == "yesterday"
        assert isinstance(app.screen_stack[-2], CaseDetailScreen)
        assert app.screen_stack[-2].case_id == case_id
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        session = app.session
        assert session is not None
        duty = next(
            d for d in session.case_detail(case_id).duties if d.duty == "panel-notification"
        )
        assert (duty.sent_on, duty.reference) == ("2026-11-22", "REF-KEPT-1")
        assert session.drafts.summaries() == []
    app.session.close()


async def test_the_decision_has_no_answer_chosen_and_a_refusal_keeps_the_dialog(
    demo: DemoVault,
) -> None:
    """Neither notify nor not is chosen at first; saving without one says so; a date
    the case refuses stays in the dialog with the rationale typed."""
    case_id = demo.ids["due_today"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.open_case(case_id)
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DecideScreen))
        dialog = app.screen
        assert dialog.query_one("#notify", RadioSet).pressed_button is None
        labels = [str(button.render()) for button in dialog.query("RadioButton")]
        assert labels == [
            "( ) Notify: the threshold is met ",
            "( ) Do not notify: the threshold is not met ",
        ]
        dialog.query_one("#rationale", Input).value = "Accidental fall, no abuse suspected."
        dialog.query_one("#decided-on", Input).value = "01/01/2026"  # before the event
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(dialog.query_one("#notify-error", Static).render()) == (
            "choose notify or do not notify"
        )
        await pilot.click("#no")
        await pilot.pause()
        assert str(dialog.query_one("#notify-error", Static).render()) == ""  # fixed: gone
        assert "(•) Do not notify" in str(dialog.query_one("#no").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "cannot precede the event" in str(dialog.query_one("#dialog-error").render())
        assert dialog.query_one("#rationale", Input).value.startswith("Accidental fall")
    assert "decision" not in demo.session.case_detail(case_id).document


@pytest.mark.parametrize("form", ["decide", "withdraw"])
async def test_escape_on_a_dialog_with_typing_asks_too(demo: DemoVault, form: str) -> None:
    case_id = demo.ids["due_today"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.open_case(case_id)
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        await pilot.press("d" if form == "decide" else "w")
        await pilot.pause()
        field = app.screen.query_one("#rationale" if form == "decide" else "#reason", Input)
        field.focus()
        await pilot.press(*"Half a thought", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, KeepDraftScreen))
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
    [summary] = demo.session.drafts.summaries()
    assert (summary.form, summary.case_id) == (form, case_id)
