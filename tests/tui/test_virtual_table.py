"""The dashboard's table: draws only what is on screen, and answers keys and clicks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from rich.text import Text
from textual.app import App, ComposeResult

from notify_tui.tui.widgets.virtual_table import Cell, VirtualTable

SIZE = (60, 12)
"""A 12-line terminal: the table gets 12 lines, a heading and 11 rows."""


class Counted(Sequence[int]):
    """The numbers 0..n-1, remembering which were read."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.read: set[int] = set()

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...

    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            raise AssertionError("the table should read rows one at a time, not slices")
        if not 0 <= index < self.n:
            raise IndexError(index)
        self.read.add(index)
        return index


def cells(n: int) -> tuple[Cell, ...]:
    # Row 500's name is wider than any on the first screen.
    name = "a much longer name than the rest" if n == 500 else f"name {n}"
    badge = Text(" LATE ", style="bold #ffffff on #a4161a") if n % 3 == 0 else Text(" ok ")
    return (str(n), name, badge)


class TableApp(App[None]):
    def __init__(self, items: Sequence[int]) -> None:
        super().__init__()
        self.items = items
        self.selected: list[int] = []
        self.headers: list[str] = []

    def compose(self) -> ComposeResult:
        yield VirtualTable[int](cells, id="t")

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.add_column("No", key="n", justify="right")
        table.add_column("Name", key="name")
        table.add_column("State", key="state")
        table.show(self.items)
        table.focus()

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        self.selected.append(event.row)

    def on_virtual_table_header_selected(self, event: VirtualTable.HeaderSelected) -> None:
        self.headers.append(event.column.key)


def screen_lines(app: App[None]) -> list[str]:
    table = app.query_one(VirtualTable)
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_reads_only_the_rows_on_screen() -> None:
    """Of 100,000 items only the screenful shown is read; jumping to the end reads the end."""
    items = Counted(100_000)
    app = TableApp(items)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        assert table.row_count == 100_000
        assert items.read and max(items.read) < 12
        await pilot.press("end")
        await pilot.pause()
        assert table.current == 99_999
        assert 99_999 in items.read
        assert len(items.read) < 30
        lines = screen_lines(app)
        assert lines[0].split() == ["No", "Name", "State"]
        assert lines[-1].split()[:3] == ["99999", "name", "99999"]


async def test_keys_move_the_cursor_and_scroll() -> None:
    """Down past the last visible row scrolls by one; page down moves a screenful."""
    app = TableApp(Counted(1000))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        for _ in range(11):  # rows 0..10 fill the 11 lines under the heading
            await pilot.press("down")
        await pilot.pause()
        assert table.current == 11
        assert screen_lines(app)[1].split()[0] == "1"  # row 0 scrolled off the top
        await pilot.press("pagedown")
        assert table.current == 21
        await pilot.press("home")
        assert table.current == 0
        await pilot.press("up")  # stays on the first row
        assert table.current == 0
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == [0]


async def test_clicks_select_a_row_or_a_column() -> None:
    """A click on a heading names its column; a click on a row selects that row."""
    app = TableApp(Counted(50))
    async with app.run_test(size=SIZE) as pilot:
        lines = screen_lines(app)
        name_x = lines[0].index("Name")
        state_x = lines[0].index("State")
        await pilot.click(VirtualTable, offset=(state_x + 1, 0))
        await pilot.click(VirtualTable, offset=(name_x, 0))
        await pilot.click(VirtualTable, offset=(name_x, 4))  # line 4 shows row 3
        await pilot.pause()
        assert app.headers == ["state", "name"]
        assert app.selected == [3]
        assert app.query_one(VirtualTable).current == 3


async def test_numbers_align_right_and_columns_fit_the_widest_cell() -> None:
    """The number column is right-aligned; a wider cell met while scrolling widens its column."""
    app = TableApp(Counted(1000))
    async with app.run_test(size=SIZE) as pilot:
        lines = screen_lines(app)
        # "No" heading is 2 wide; "10" is as wide and ends where the heading ends.
        assert lines[0].index("No") + 2 == lines[10].index("9") + 1 == lines[11].index("10") + 2
        # The name column is as wide as "name 10", plus a space either side.
        assert lines[0].index("State") - lines[0].index("Name") == len("name 10") + 2
        app.query_one(VirtualTable).move_cursor(row=500)
        await pilot.pause()
        lines = screen_lines(app)
        assert any("a much longer name than the rest" in line for line in lines)
        longest = len("a much longer name than the rest")
        assert lines[0].index("State") - lines[0].index("Name") == longest + 2
        assert lines[0].index("No") + 2 == lines[-1].index("5") + 3  # "500" is 3 wide


async def test_a_badge_keeps_its_colour_and_control_characters_stay_on_one_line() -> None:
    """A styled cell keeps its colours (under the cursor too); a newline in a cell is a space."""

    def odd_cells(n: int) -> tuple[Cell, ...]:
        return (str(n), "two\nlines", Text(" LATE ", style="on #a4161a"))

    class OddApp(TableApp):
        def compose(self) -> ComposeResult:
            yield VirtualTable[int](odd_cells, id="t")

    app = OddApp(Counted(3))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        for y in (1, 2):  # the cursor's row and one without it
            strip = table.render_line(y)
            assert "two lines" in strip.text and "\n" not in strip.text
            (late,) = [segment for segment in strip if segment.text.strip() == "LATE"]
            assert late.style is not None and late.style.bgcolor is not None
            assert late.style.bgcolor.triplet is not None
            assert late.style.bgcolor.triplet.hex == "#a4161a"
            # the padding beside the badge is the row's, not the badge's colour
            (before,) = [
                segment
                for segment, following in zip(strip, list(strip)[1:], strict=False)
                if following is late
            ]
            assert before.style != late.style


async def test_the_cursor_never_hides_under_a_horizontal_scrollbar() -> None:
    """In a terminal too narrow for the columns, the scrollbar takes the last line:
    moving down scrolls before the cursor would go under it."""
    app = TableApp(Counted(100))
    async with app.run_test(size=(16, 12)) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        assert table.show_horizontal_scrollbar
        visible_rows = table.scrollable_content_region.height - 1  # below the heading
        assert visible_rows == 12 - 1 - 1  # the heading and the scrollbar take a line each
        for _ in range(visible_rows + 3):
            await pilot.press("down")
            line = table.cursor_row - int(table.scroll_y) + 1
            assert 1 <= line <= visible_rows
        await pilot.press("pagedown")
        assert 1 <= table.cursor_row - int(table.scroll_y) + 1 <= visible_rows
