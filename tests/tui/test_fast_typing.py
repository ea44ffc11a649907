"""Fast typing is safe: keys typed right after Tab land in the next field.

Textual runs a Screen's (non-priority) Tab binding only after the key has gone to the
focused field and bubbled back up, while the App forwards each key it reads to the
field focused at that moment: keys that arrive together (a fast typist, or any key typed
while the app is busy for a moment) went to the field Tab was leaving. `Test<Tab>Walk`
at 30 ms a key gave "TestWalk". The forms bind Tab as a priority binding, which moves
the focus as soon as the App reads the key.

The same cause sent a field's own editing keys (backspace, ctrl+u, arrows: bindings
Textual resolves when the key has bubbled back to the App, against the focus of that
moment) to the next field: `Tesx<backspace>t<Tab>Walk` deleted from "Walk". The form
fields run their own bindings as they read the key (`widgets/own_keys.py`).

These tests post every key at once, with no wait between them (0 ms a key), which is
the worst case.
"""

from __future__ import annotations

from pilot_helpers import wait_for
from textual import events
from textual.widgets import Input

from notify_tui.demo.vault import DemoVault
from notify_tui.tui.app import make_app
from notify_tui.tui.modals.mark_sent import MarkSentScreen
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.new_case import NewCaseScreen

SIZE = (120, 40)


def post_all(app, keys: list[str]) -> None:
    """Put every key in the app's queue at once: 0 ms a key."""
    for key in keys:
        character = "\t" if key == "tab" else (key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


async def test_keys_after_tab_land_in_the_next_field_at_0_ms(demo: DemoVault) -> None:
    """`Test<Tab>Walk<Tab><Tab>2020-05-05`, all at once, fills three fields in order."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await wait_for(pilot, lambda: bool(app.screen.query("#f-linked_cases")))
        form = app.screen
        assert isinstance(form, NewCaseScreen)
        post_all(app, [*"Test", "tab", *"Walk", "tab", "tab", *"2020-05-05"])
        await wait_for(
            pilot, lambda: form.query_one("#f-c1--date_of_birth", Input).value == "2020-05-05"
        )
        assert form.query_one("#f-c1--given_names", Input).value == "Test"
        assert form.query_one("#f-c1--family_name", Input).value == "Walk"
        assert form.query_one("#f-c1--other_names", Input).value == ""
        await wait_for(pilot, lambda: form.values.get("c1.date_of_birth") == "2020-05-05")
        assert form.values["c1.family_name"] == "Walk"


async def test_editing_keys_before_tab_act_on_their_own_field_at_0_ms(demo: DemoVault) -> None:
    """A backspace and a ctrl+u typed just before Tab edit the field they were typed in."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await wait_for(pilot, lambda: bool(app.screen.query("#f-linked_cases")))
        form = app.screen
        post_all(
            app,
            [*"Tesx", "backspace", "t", "tab", *"Wrong", "ctrl+u", *"Walk", "backspace",
             "tab", *"Other"],
        )  # fmt: skip
        await wait_for(pilot, lambda: form.query_one("#f-c1--other_names", Input).value == "Other")
        assert form.query_one("#f-c1--given_names", Input).value == "Test"
        assert form.query_one("#f-c1--family_name", Input).value == "Wal"


async def test_keys_after_tab_land_in_the_next_field_of_a_dialog(demo: DemoVault) -> None:
    """The same in the mark-sent dialog: a date, Tab, the reference, all at once."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.open_case(demo.ids["due_today"])
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, MarkSentScreen))
        dialog = app.screen
        dialog.query_one("#sent-on", Input).focus()
        await pilot.pause()
        post_all(app, ["ctrl+u", *"yesterday", "tab", *"REF-FAST-1"])
        await wait_for(pilot, lambda: dialog.query_one("#reference", Input).value == "REF-FAST-1")
        assert dialog.query_one("#sent-on", Input).value == "yesterday"
