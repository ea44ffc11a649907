"""The dashboard: counts, urgency words, filters, search, sorting, names, opening a case."""

from __future__ import annotations

import re

from pilot_helpers import wait_for
from textual.widgets import Static

from notify_tui.demo.vault import DemoVault
from notify_tui.tui.app import make_app
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.widgets.virtual_table import VirtualTable

SIZE = (120, 40)


def table_text(app) -> list[dict[str, str]]:
    """The dashboard rows as {column key: text}."""
    table = app.screen.query_one("#duties", VirtualTable)
    keys = table.column_keys
    return [
        dict(zip(keys, (str(cell).strip() for cell in table.get_row_at(row)), strict=True))
        for row in range(table.row_count)
    ]


def static_text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_counts_and_urgency_words(demo: DemoVault) -> None:
    """The header counts open duties; every urgency colour has its word."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        counts = static_text(app, "#counts")
        assert "overdue ·" in counts and "due today ·" in counts and "due this week" in counts
        rows = table_text(app)
        statuses = {row["status"] for row in rows}
        assert "OVERDUE" in statuses and "DUE TODAY" in statuses
        overdue = [r for r in rows if r["case"] == demo.ids["overdue"]]
        assert overdue and overdue[0]["status"] == "OVERDUE"
        due_today = [r for r in rows if r["case"] == demo.ids["due_today"]][0]
        assert due_today["due"] == "Mon 23 Nov 2026" and due_today["left"] == "0"
        # initials by default; full names after `v`
        assert due_today["subject"] == "TT"
        await pilot.press("v")
        assert [r for r in table_text(app) if r["case"] == demo.ids["due_today"]][0]["subject"] == (
            "Tam Today-Fictional"
        )


async def test_status_and_kind_filters(demo: DemoVault) -> None:
    """`f` cycles open/overdue/this week/done/all; `k` cycles kinds."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        open_rows = table_text(app)
        assert all(r["status"] not in ("sent", "acknowledged", "not notifying") for r in open_rows)
        await pilot.press("f")  # overdue
        assert {r["status"] for r in table_text(app)} == {"OVERDUE"}
        await pilot.press("f", "f")  # this week, then done
        done = {r["status"] for r in table_text(app)}
        # A sent duty says when it was sent and whether on time; " · ack": acknowledged.
        sent = re.compile(r"^sent \d{1,2} [A-Z][a-z]{2} · (on time|late)( · ack)?$")
        assert "not notifying" in done
        assert any(sent.match(label) and label.endswith("· ack") for label in done)
        assert all(sent.match(label) or label in ("not notifying", "withdrawn") for label in done)
        assert "showing: done duties" in static_text(app, "#filters")
        await pilot.press("f")  # all
        await pilot.press("k")  # serious incidents only
        assert {r["kind"] for r in table_text(app)} == {"Incident"}


async def test_search_limits_to_matching_cases(demo: DemoVault) -> None:
    """Typing in the search box keeps only cases whose names or outline match."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        everything = len(table_text(app))
        await pilot.press("slash", *"Overdue")
        # On a loaded machine the keys may arrive slower than the search's debounce, so a
        # search for "Ov" can land first: wait for the whole word's result.
        await wait_for(pilot, lambda: 'search "Overdue"' in static_text(app, "#filters"))
        await wait_for(pilot, lambda: len(table_text(app)) < everything)
        assert {r["case"] for r in table_text(app)} == {demo.ids["overdue"]}
        await pilot.press("escape")
        await pilot.press("slash", *["backspace"] * 7)
        await wait_for(pilot, lambda: len(table_text(app)) == everything)


async def test_sort_by_header_and_key(demo: DemoVault) -> None:
    """Clicking a header sorts by it; clicking again reverses; `o` moves to the next column."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#duties", VirtualTable)
        heading = table.render_line(0).text
        await pilot.click("#duties", offset=(heading.index("Case"), 0))
        await pilot.pause()
        ids = [r["case"] for r in table_text(app)]
        assert len(ids) > 3 and ids == sorted(ids)
        assert "sorted by case" in static_text(app, "#filters")
        await pilot.click("#duties", offset=(heading.index("Case"), 0))
        await pilot.pause()
        assert [r["case"] for r in table_text(app)] == sorted(ids, reverse=True)
        await pilot.click("#duties", offset=(heading.index("To") + 1, 0))
        await pilot.pause()
        recipients = [r["recipient"] for r in table_text(app)]
        assert recipients == sorted(recipients) and len(set(recipients)) > 1
        await pilot.press("o")
        assert "sorted by" in static_text(app, "#filters")
        assert "sorted by recipient" not in static_text(app, "#filters")


async def test_enter_opens_the_case_and_escape_comes_back_to_the_same_row(
    demo: DemoVault,
) -> None:
    """Enter on a row opens that case; back on the dashboard the cursor is where it was."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        fourth = table_text(app)[3]["case"]
        for _ in range(3):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.case_id == fourth
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.query_one("#duties", VirtualTable).cursor_row == 3
        await pilot.press("f")  # a new filter starts from the top
        assert app.screen.query_one("#duties", VirtualTable).cursor_row == 0


async def test_click_opens_the_case(demo: DemoVault) -> None:
    """A click on a row opens that row's case."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        third = table_text(app)[2]["case"]
        assert third != table_text(app)[0]["case"]
        await pilot.click("#duties", offset=(2, 3))  # the heading, then rows 0, 1, 2
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.case_id == third


async def test_a_case_with_a_conflict_is_marked_on_its_rows(demo: DemoVault) -> None:
    """The conflict case's rows carry "⚠1" after the case id, explained above the table;
    no other row is marked, and resolving the conflict removes the mark."""
    conflicted = demo.ids["conflict"]
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f", "f", "f", "f")  # every duty, open or done
        assert "showing: all duties" in static_text(app, "#filters")
        assert "⚠N after a case: N fields in conflict" in static_text(app, "#filters")
        rows = table_text(app)
        marked = [row["case"] for row in rows if "⚠" in row["case"]]
        assert marked and set(marked) == {f"{conflicted} ⚠1"}
        demo.session.resolve_choice(conflicted, "incident.place", 1)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not [row for row in table_text(app) if "⚠" in row["case"]]
        assert any(row["case"] == conflicted for row in table_text(app))
