"""The new case form: three entry points, validation as you type, live duties, saving.

Today is Mon 23 Nov 2026. Expected due dates, worked by hand (no bank holidays near):
- Panel: 5 working days after aware Fri 20 Nov -> Mon 23, Tue 24, Wed 25, Thu 26, Fri 27.
- Care leaver death: 5 working days after aware Mon 23 Nov -> Mon 30 Nov.
- CDOP: 1 working day after aware Mon 23 Nov -> Tue 24 Nov.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Checkbox, Input, Select, Static

from notify_tui.demo.vault import DemoVault
from notify_tui.tui.app import make_app
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.new_case import NewCaseScreen
from notify_tui.tui.widgets.virtual_table import VirtualTable

SIZE = (120, 40)


async def fill(pilot, screen: NewCaseScreen, values: dict[str, Any]) -> None:
    for name, value in values.items():
        widget = screen.query_one(f"#f-{name}")
        assert isinstance(widget, Input | Checkbox | Select)
        widget.value = value
        await pilot.pause()


def message(screen: NewCaseScreen, name: str) -> str:
    return str(screen.query_one(f"#e-{name}", Static).render())


def dashboard_rows(app, family_name: str) -> list[dict[str, str]]:
    """Rows of the dashboard for the case with this family name (full names shown)."""
    table = app.screen.query_one("#duties", VirtualTable)
    keys = table.column_keys
    rows = [
        dict(zip(keys, (str(c).strip() for c in table.get_row_at(i)), strict=True))
        for i in range(table.row_count)
    ]
    return [row for row in rows if family_name in row["subject"]]


CASES = [
    pytest.param(
        "n",
        {
            "given_names": "Ada",
            "family_name": "Newsi-Fictional",
            "date_of_birth": "2020-01-01",
            "event_date": "2026-11-20",
            "aware_date": "2026-11-20",
        },
        "Panel notification",
        "Fri 27 Nov 2026",
        id="serious incident",
    ),
    pytest.param(
        "l",
        {
            "given_names": "Bo",
            "family_name": "Newcl-Fictional",
            "date_of_birth": "2004-05-05",
            "event_date": "2026-11-22",
        },
        "Care leaver death",
        "Mon 30 Nov 2026",
        id="care leaver death",
    ),
    pytest.param(
        "c",
        {
            "given_names": "Cal",
            "family_name": "Newcd-Fictional",
            "date_of_birth": "2019-03-03",
            "event_date": "2026-11-22",
        },
        "CDOP notification",
        "Tue 24 Nov 2026",
        id="child death",
    ),
]


@pytest.mark.parametrize(("key", "values", "duty", "due"), CASES)
async def test_create_each_kind_and_see_it_on_the_dashboard(
    demo: DemoVault, key: str, values: dict[str, Any], duty: str, due: str
) -> None:
    """Each entry point saves a case whose duty shows on the dashboard, due on time."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(key)
        form = app.screen
        assert isinstance(form, NewCaseScreen)
        await pilot.press(*values["given_names"])  # the first field has focus
        await fill(pilot, form, {k: v for k, v in values.items() if k != "given_names"})
        preview = str(form.query_one("#duties-preview", Static).render())
        assert due in preview
        assert "Ready to save" in str(form.query_one("#form-status", Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("v")  # full names, to find the new case
        rows = dashboard_rows(app, values["family_name"])
        assert [duty, due] in [[row["duty"], row["due"]] for row in rows]


async def test_messages_beside_fields_as_you_type(demo: DemoVault) -> None:
    """Bad and future dates are flagged beside their field; cross-field rules too."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, NewCaseScreen)
        assert message(form, "event_date") == ""  # untouched fields stay quiet
        await fill(pilot, form, {"event_date": "2026-13-01"})
        assert "YYYY-MM-DD" in message(form, "event_date")
        await fill(pilot, form, {"event_date": "2026-11-30"})
        assert "future" in message(form, "event_date")
        await fill(
            pilot,
            form,
            {
                "given_names": "Dee",
                "family_name": "Checks-Fictional",
                "date_of_birth": "2020-02-02",
                "event_date": "2026-11-20",
                "aware_date": "2026-11-19",
            },
        )
        assert "before the event" in message(form, "aware_date")


async def test_saving_an_incomplete_form_shows_every_problem(demo: DemoVault) -> None:
    """Save with empty fields: nothing is written and each problem shows."""
    before = len(demo.session.list_cases())
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        form = app.screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert message(form, "given_names") == "required"
        assert "required" in message(form, "event_date")
    assert len(demo.session.list_cases()) == before


async def test_threshold_decision_saved_with_the_case(demo: DemoVault) -> None:
    """A "do not notify" decision given in the form is recorded with the new case."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        form = app.screen
        await fill(
            pilot,
            form,
            {
                "given_names": "Eve",
                "family_name": "Nodecision-Fictional",
                "date_of_birth": "2018-08-08",
                "event_date": "2026-11-20",
                "aware_date": "2026-11-20",
                "decision": "no_notify",
            },
        )
        assert "at least a sentence" in message(form, "rationale")
        await fill(pilot, form, {"rationale": "Accidental injury; no abuse suspected."})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    [summary] = demo.session.list_cases(search="Nodecision")
    assert summary.decision == "no_notify"


async def test_command_palette_offers_new_case_entries(demo: DemoVault) -> None:
    """The palette lists "case: new …" for each kind."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {
            "case: new serious incident",
            "case: new care leaver death",
            "case: new child death",
        } <= set(titles)
