"""The new case form: the whole national form per kind, checked as you type, live duties,
saving opens the new case.

Today is Mon 23 Nov 2026. Expected due dates, worked by hand (no bank holidays near):
- Panel: 5 working days after aware Fri 20 Nov -> Mon 23, Tue 24, Wed 25, Thu 26, Fri 27.
- Care leaver death: 5 working days after aware Mon 23 Nov -> Mon 30 Nov.
- CDOP: 1 working day after aware Mon 23 Nov -> Tue 24 Nov.
NHS numbers: 943 476 5919 and 401 023 2137 are valid (worked in tests/unit/test_new_case_form.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from pilot_helpers import wait_for
from textual.widgets import DataTable, Input, Static

from notify_tui.cli import cli
from notify_tui.demo.vault import DemoVault
from notify_tui.tui.app import make_app
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.new_case import NewCaseScreen
from notify_tui.tui.screens.submission import SubmissionScreen
from notify_tui.tui.widgets.choice_box import ChoiceBox
from notify_tui.tui.widgets.field_row import FieldRow

SIZE = (120, 40)


def field_id(key: str) -> str:
    return "f-" + key.replace(".", "--")


async def fill(pilot, screen: NewCaseScreen, values: dict[str, Any]) -> None:
    for key, value in values.items():
        widget = screen.query_one(f"#{field_id(key)}")
        widget.value = value  # type: ignore[attr-defined]
        await pilot.pause()


def message(screen: NewCaseScreen, key: str) -> str:
    return screen.query_one("#row-" + key.replace(".", "--"), FieldRow).message


def status(screen: NewCaseScreen) -> str:
    return str(screen.query_one("#form-status", Static).render())


async def open_form(app, pilot, key: str) -> NewCaseScreen:
    await pilot.pause()
    await pilot.press(key)
    await wait_for(pilot, lambda: bool(app.screen.query("#f-linked_cases")))
    form = app.screen
    assert isinstance(form, NewCaseScreen)
    return form


async def tab_to(pilot, app, widget: str, limit: int = 60) -> None:
    """Press tab (and nothing else) until `widget` has the focus."""
    for _ in range(limit):
        if app.focused is not None and app.focused.id == widget:
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached {widget}")


CASES = [
    pytest.param(
        "n",
        {
            "c1.given_names": "Ada",
            "c1.family_name": "Newsi-Fictional",
            "c1.date_of_birth": "01/01/2020",
            "event_date": "20/11/2026",
            "aware_date": "20/11/2026",
        },
        "Panel notification",
        "Fri 27 Nov 2026",
        id="serious incident",
    ),
    pytest.param(
        "l",
        {
            "c1.given_names": "Bo",
            "c1.family_name": "Newcl-Fictional",
            "c1.date_of_birth": "05/05/2004",
            "event_date": "yesterday",
        },
        "Care leaver death",
        "Mon 30 Nov 2026",
        id="care leaver death",
    ),
    pytest.param(
        "c",
        {
            "c1.given_names": "Cal",
            "c1.family_name": "Newcd-Fictional",
            "c1.date_of_birth": "3/3/19",
            "event_date": "22/11/26",
        },
        "CDOP notification",
        "Tue 24 Nov 2026",
        id="child death",
    ),
]


@pytest.mark.parametrize(("key", "values", "duty", "due"), CASES)
async def test_each_kind_is_saved_and_the_new_case_opens(
    demo: DemoVault, key: str, values: dict[str, Any], duty: str, due: str
) -> None:
    """Each entry point saves a case, then shows it: its duty is due on time."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, key)
        await pilot.press(*values["c1.given_names"])  # the first child's name has the focus
        await fill(pilot, form, {k: v for k, v in values.items() if k != "c1.given_names"})
        await wait_for(pilot, lambda: due in str(form.query_one("#duties-preview").render()))
        assert status(form) == "Ready to save (ctrl+s)."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        case_screen = app.screen
        table = case_screen.query_one("#case-duties", DataTable)
        rows = [[str(c).strip() for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [duty, due] in [[row[0], row[2]] for row in rows]
    [summary] = demo.session.list_cases(search=values["c1.family_name"])
    assert summary.id == case_screen.case_id


async def test_messages_beside_fields_as_you_type(demo: DemoVault) -> None:
    """Each date field says the date it read in words, or why it is none; a fixed error
    goes at once; the status line names what is still to complete."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, "n")
        assert message(form, "event_date") == ""  # untouched fields stay quiet
        assert message(form, "aware_date") == "Mon 23 Nov 2026"  # today, prefilled
        await fill(pilot, form, {"event_date": "30/02/2026"})
        assert message(form, "event_date").startswith("there is no 30 February 2026")
        await fill(pilot, form, {"event_date": "30/11/26"})
        assert message(form, "event_date") == (
            "Mon 30 Nov 2026: is in the future; give the date it happened"
        )
        await fill(pilot, form, {"event_date": "2026-11-20"})
        assert message(form, "event_date") == "Fri 20 Nov 2026"
        assert status(form) == ("Still to complete: Given names, Family name, Date of birth")
        await fill(
            pilot,
            form,
            {
                "c1.given_names": "Dee",
                "c1.family_name": "Checks-Fictional",
                "c1.date_of_birth": "02/02/2020",
                "aware_date": "19/11/2026",
                "c1.nhs_number": "943 476 5918",
            },
        )
        assert "before the event" not in message(form, "aware_date")  # the NHS check first
        assert message(form, "c1.nhs_number") == (
            "check digit does not match: check for a typing mistake"
        )
        await fill(pilot, form, {"c1.nhs_number": "943 476 5919"})
        assert message(form, "c1.nhs_number") == "valid NHS number (check digit matches)"
        assert "before the event" in message(form, "aware_date")


async def test_ethnicity_is_typed_to_filter_and_enter_takes_the_first(demo: DemoVault) -> None:
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, "n")
        await tab_to(pilot, app, field_id("c1.ethnicity"))
        await pilot.press(*"irish")
        assert message(form, "c1.ethnicity").startswith(
            "choose one: WIRI White Irish, WIRT Traveller of Irish heritage"
        )
        await pilot.press("enter")
        assert form.query_one("#" + field_id("c1.ethnicity"), Input).value == "WIRI"
        assert message(form, "c1.ethnicity") == "White Irish (WIRI)"


async def test_saving_an_incomplete_form_names_every_problem(demo: DemoVault) -> None:
    """Save with empty fields: nothing is written and each problem shows."""
    before = len(demo.session.list_cases())
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, "c")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert message(form, "c1.given_names") == "required"
        assert message(form, "event_date") == "required"
        assert status(form) == (
            "Still to complete: Given names, Family name, Date of birth, Date of death"
        )
    assert len(demo.session.list_cases()) == before


async def test_threshold_decision_saved_with_the_case(demo: DemoVault) -> None:
    """A "do not notify" decision given in the form is recorded with the new case."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, "n")
        await fill(
            pilot,
            form,
            {
                "c1.given_names": "Eve",
                "c1.family_name": "Nodecision-Fictional",
                "c1.date_of_birth": "08/08/2018",
                "event_date": "20/11/2026",
                "aware_date": "20/11/2026",
            },
        )
        await wait_for(pilot, lambda: form.query_one("#section-decision").display)
        await fill(pilot, form, {"decision": "no_notify"})
        assert "at least a sentence" in message(form, "rationale")
        await fill(pilot, form, {"rationale": "Accidental injury; no abuse suspected."})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
    [summary] = demo.session.list_cases(search="Nodecision")
    assert summary.decision == "no_notify"


async def test_command_palette_offers_new_case_entries(demo: DemoVault) -> None:
    """The palette lists "case: new …" for each kind, and "drafts: open"."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {
            "case: new serious incident",
            "case: new care leaver death",
            "case: new child death",
            "drafts: open",
        } <= set(titles)


async def test_the_whole_national_form_by_keys_alone(demo: DemoVault) -> None:
    """A serious incident with two children, NHS numbers, ethnicity codes, location type,
    abuse kinds and a linked case, entered with keys only: every one of them shows in the
    submission view and in `case show --json`."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, "n")
        await pilot.press(*"Ada", "tab", *"Keys-Fictional", "tab", "tab", *"01/02/2019")
        await tab_to(pilot, app, field_id("c1.sex"))
        await pilot.press("f")  # a letter picks the first choice starting with it: Female
        await tab_to(pilot, app, field_id("c1.nhs_number"))
        await pilot.press(*"943 476 5919", "tab", *"wbri")
        await pilot.press("ctrl+n")  # a second child; the focus goes to its given names
        await pilot.press(*"Bo", "tab", *"Keys-Fictional", "tab", "tab", *"2/3/21")
        await tab_to(pilot, app, field_id("c2.sex"))
        await pilot.press("m")
        await tab_to(pilot, app, field_id("c2.nhs_number"))
        await pilot.press(*"4010232137", "tab", *"irish", "enter")
        await tab_to(pilot, app, field_id("event_date"))
        await pilot.press(*"20/11/2026", "tab", *"14:30", "tab", *"yesterday")
        await tab_to(pilot, app, field_id("location_type"))
        await pilot.press("h")  # Home
        await tab_to(pilot, app, field_id("abuse_kinds.physical"))
        await pilot.press("space")
        await tab_to(pilot, app, field_id("abuse_kinds.neglect"))
        await pilot.press("space")
        await tab_to(pilot, app, field_id("linked_cases"))
        await pilot.press(*"SI-7K3Q9XAB")
        await wait_for(pilot, lambda: status(form) == "Ready to save (ctrl+s).")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        case_id = app.screen.case_id
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmissionScreen))
        view = app.screen
        table = view.query_one("#form-fields", DataTable)
        shown = {str(k.value): str(table.get_row(k)[2]) for k in table.rows}
    assert shown["child1.ethnicity"] == "White British (WBRI)"
    assert shown["child2.ethnicity"] == "White Irish (WIRI)"
    assert shown["child1.sex"] == "Female" and shown["child2.sex"] == "Male"
    assert shown["child2.born"].startswith("02/03/2021")
    assert shown["incident.time"] == "14:30"
    assert shown["incident.location_type"] == "Home"
    assert shown["incident.abuse_kinds"] == "physical, neglect"
    assert shown["incident.linked"] == "SI-7K3Q9XAB"
    # `case show` logs who looked, so it needs the vault to itself: the app's session goes.
    demo.session.close()
    result = CliRunner().invoke(
        cli,
        ["case", "show", case_id, "--json", "--home", str(demo.home)],
        env={"NOTIFY_TUI_PASSPHRASE": demo.passphrase},
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)["document"]
    first, second = document["subjects"]
    assert (first["nhs_number"], first["ethnicity"], first["sex"]) == ("9434765919", "WBRI", "F")
    assert (second["nhs_number"], second["ethnicity"], second["sex"]) == ("4010232137", "WIRI", "M")
    assert (first["date_of_birth"], second["date_of_birth"]) == ("2019-02-01", "2021-03-02")
    incident = document["incident"]
    assert incident["location_type"] == "home"
    assert incident["abuse_kinds"] == ["physical", "neglect"]
    assert (incident["event_time"], incident["aware_date"]) == ("14:30:00", "2026-11-22")
    assert document["linked_cases"] == ["SI-7K3Q9XAB"]
    assert document["notifier"] == {"name": "Demo User", "la": demo.session.identity.org}


async def test_choices_read_as_words(demo: DemoVault) -> None:
    """A choice shows what is chosen in words; a letter moves to the next starting with it."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, "n")
        sex = form.query_one("#" + field_id("c1.sex"), ChoiceBox)
        assert str(sex.render()) == "‹ Unknown / not given ›"
        sex.focus()
        await pilot.press("m")
        assert (sex.value, str(sex.render())) == ("M", "‹ Male ›")
        await pilot.press("right")
        assert sex.value == "U"  # round the list
