"""The dashboard: counts, urgency words, filters, search, sorting, names, paging."""

from __future__ import annotations

from pilot_helpers import wait_for
from textual.app import App, ComposeResult
from textual.widgets import Static

from notify_tui.app import make_app
from notify_tui.demo_vault import DemoVault
from notify_tui.screens.case_detail import CaseDetailScreen
from notify_tui.screens.dashboard import DashboardScreen
from notify_tui.widgets.paged_table import PagedTable

SIZE = (120, 40)


def table_text(app) -> list[dict[str, str]]:
    """The dashboard rows as {column key: text}."""
    table = app.screen.query_one("#duties", PagedTable)
    keys = [str(column.key.value) for column in table.ordered_columns]
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
        assert (
            {"acknowledged", "not notifying"}
            <= done
            <= {
                "sent",
                "acknowledged",
                "not notifying",
                "withdrawn",
            }
        )
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
        await wait_for(pilot, lambda: len(table_text(app)) < everything)
        assert {r["case"] for r in table_text(app)} == {demo.ids["overdue"]}
        assert 'search "Overdue"' in static_text(app, "#filters")
        await pilot.press("escape")
        await pilot.press("slash", *["backspace"] * 7)
        await wait_for(pilot, lambda: len(table_text(app)) == everything)


async def test_sort_by_header_and_key(demo: DemoVault) -> None:
    """Clicking a header sorts by it; clicking again reverses."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        screen.query_state = screen.query_state.sorted_by("case")
        screen.redraw()
        ids = [r["case"] for r in table_text(app)]
        assert ids == sorted(ids)
        screen.query_state = screen.query_state.sorted_by("case")
        screen.redraw()
        assert [r["case"] for r in table_text(app)] == sorted(ids, reverse=True)
        await pilot.press("o")
        assert "sorted by subject" in static_text(app, "#filters")


async def test_enter_opens_the_case(demo: DemoVault) -> None:
    """Enter on a row opens that case."""
    app = make_app(demo.session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = table_text(app)[0]["case"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.case_id == first
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_table_is_paged() -> None:
    """Of 1,000 items only a page of rows is built; moving down loads the next page."""

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield PagedTable[int](lambda n: (str(n),), str, page_size=200, id="t")

        def on_mount(self) -> None:
            table = self.query_one(PagedTable)
            table.add_column("n")
            table.show(range(1000))

    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(PagedTable)
        assert table.row_count == 200
        table.focus()
        table.move_cursor(row=199)
        await pilot.pause()
        assert 200 < table.row_count < 1000
        assert table.current == 199
