"""A table that draws only the rows on screen, straight from a sequence of items.

Textual's `DataTable` builds every row it is given and renders each cell through Rich
(padding, wrapping, measuring): refilling 60 rows and repainting them took most of a
filter keystroke. `VirtualTable` holds a read-only sequence (`DutyPages` reads the vault
a page at a time) and, on the Line API, turns only the visible items into one strip of
plain segments per line. Showing 100,000 items costs the same as showing 40.

Cells are text, or a `rich.text.Text` whose one style covers the whole cell (a coloured
badge); column widths grow to fit the widest cell drawn so far and never shrink while the
same items are shown, so columns do not jump as the user scrolls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

RowT = TypeVar("RowT")

Cell = str | Text
"""A cell: plain text, or text with one style for the whole cell."""

PADDING = 1
"""Blank cells either side of every column."""

_CONTROLS = {code: " " for code in [*range(32), 127]}


def _one_line(cell: Cell) -> Cell:
    """A cell with its control characters (a stray newline or tab) made spaces."""
    if isinstance(cell, Text):
        plain = cell.plain.translate(_CONTROLS)
        return cell if plain == cell.plain else Text(plain, style=cell.style)
    return cell.translate(_CONTROLS)


@dataclass(frozen=True)
class Column:
    """A column: its key (what sorting and tests name it by) and its heading."""

    key: str
    label: str
    justify: str = "left"
    """"left" or "right" (numbers)."""


class VirtualTable(ScrollView, Generic[RowT], can_focus=True):
    """A row-cursor table over a sequence of items, drawing only what is on screen."""

    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .virtual-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .virtual-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .virtual-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .virtual-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--even-row",
        "virtual-table--cursor",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", id="table.cursor_up", show=False),
        Binding("down", "cursor_down", "Down", id="table.cursor_down", show=False),
        Binding("pageup", "page_up", "Page up", id="table.page_up", show=False),
        Binding("pagedown", "page_down", "Page down", id="table.page_down", show=False),
        Binding("home", "first", "First", id="table.first", show=False),
        Binding("end", "last", "Last", id="table.last", show=False),
        Binding("enter", "select", "Open", id="table.select", show=False),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | up / down | table.cursor_up, table.cursor_down | move the cursor a row |
    | pageup / pagedown | table.page_up, table.page_down | move it a screenful |
    | home / end | table.first, table.last | the first or the last row |
    | enter | table.select | open the highlighted row |
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)
    """The highlighted row (an index into the items)."""

    class RowSelected(Message):
        """Enter pressed, or a row clicked."""

        def __init__(self, table: VirtualTable[Any], row: int) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    class HeaderSelected(Message):
        """A column heading clicked."""

        def __init__(self, table: VirtualTable[Any], column: Column) -> None:
            super().__init__()
            self.table = table
            self.column = column

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    def __init__(
        self,
        cells: Callable[[RowT], Sequence[Cell]],
        *,
        zebra_stripes: bool = True,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 (Textual's name for it)
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._cells_of = cells
        self.zebra_stripes = zebra_stripes
        self.columns: tuple[Column, ...] = ()
        self.items: Sequence[RowT] = ()
        self._widths: list[int] = []
        self._cells: dict[int, Sequence[Cell]] = {}
        self._styles: dict[str, Style] = {}
        self._parsed_styles: dict[str, Style] = {}

    # -- content -------------------------------------------------------------------

    def add_column(self, label: str, *, key: str, justify: str = "left") -> None:
        """Add a column at the right."""
        self.columns = (*self.columns, Column(key, label, justify))
        self._widths.append(cell_len(label))
        self._resize()

    @property
    def column_keys(self) -> list[str]:
        """The columns' keys, left to right."""
        return [column.key for column in self.columns]

    def show(self, items: Sequence[RowT], *, keep_place: bool = False) -> None:
        """Show `items`: from the top with the cursor on the first row, or, with
        `keep_place`, at the same scroll position and cursor row (a reload, not a new list)."""
        top = int(self.scroll_y) if keep_place else 0
        row = self.cursor_row if keep_place else 0
        self.items = items
        self._cells = {}
        self._widths = [cell_len(column.label) for column in self.columns]
        # Measure what the first screen shows, so its columns are right from the first paint.
        shown = max(self.size.height, self.app.size.height)
        for index in range(top, min(len(items), top + shown)):
            self._measure(self.cells_at(index))
        self._resize()
        self.scroll_to(0, top, animate=False, immediate=True)
        self.cursor_row = row
        self.refresh()

    @property
    def row_count(self) -> int:
        """How many items there are (all of them count, drawn or not)."""
        return len(self.items)

    def cells_at(self, row: int) -> Sequence[Cell]:
        """The cells of a row (built once per `show`)."""
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = [_one_line(cell) for cell in self._cells_of(self.items[row])]
        return cells

    def get_row_at(self, row: int) -> Sequence[Cell]:
        """The cells of a row, as `DataTable.get_row_at` gives them."""
        return self.cells_at(row)

    def item_at(self, row: int) -> RowT | None:
        """The item on a row, or None past the end."""
        return self.items[row] if 0 <= row < len(self.items) else None

    @property
    def current(self) -> RowT | None:
        """The item under the cursor."""
        return self.item_at(self.cursor_row)

    def _measure(self, cells: Sequence[Cell]) -> bool:
        grew = False
        for index, cell in enumerate(cells):
            width = cell_len(cell.plain if isinstance(cell, Text) else cell)
            if width > self._widths[index]:
                self._widths[index] = width
                grew = True
        return grew

    def _resize(self) -> None:
        width = sum(self._widths) + 2 * PADDING * len(self._widths)
        size = Size(width, len(self.items) + 1)  # + the heading
        if size == self.virtual_size:
            return
        bars = (self.show_horizontal_scrollbar, self.show_vertical_scrollbar)
        if not self.container_size or self._scrollbars_for(size) != bars:
            # Not laid out yet, or a scrollbar appears or goes: that changes the region,
            # so let the layout measure it.
            self.virtual_size = size
            return
        # The table's own region does not depend on its rows, so a new length or width
        # needs the scrollbars' ranges updated, not the whole screen laid out again
        # (which cost a full reflow per keystroke).
        self.set_reactive(VirtualTable.virtual_size, size)
        container_width, container_height = self.container_size
        if self.show_vertical_scrollbar:
            vertical = self.vertical_scrollbar
            vertical.window_virtual_size = size.height
            vertical.window_size = container_height - self.scrollbar_size_horizontal
            vertical.refresh()
        if self.show_horizontal_scrollbar:
            horizontal = self.horizontal_scrollbar
            horizontal.window_virtual_size = size.width
            horizontal.window_size = container_width - self.scrollbar_size_vertical
            horizontal.refresh()
        self.scroll_x = self.scroll_x  # validated: kept within the new size
        self.scroll_y = self.scroll_y
        self.refresh()

    def _scrollbars_for(self, size: Size) -> tuple[bool, bool]:
        """Which scrollbars (horizontal, vertical) `size` needs, as Textual decides it
        for `overflow: auto`."""
        width, height = self.container_size
        horizontal = size.width > width
        vertical = size.height > height
        if vertical and not horizontal:
            horizontal = size.width > width - self.styles.scrollbar_size_vertical
        if horizontal and not vertical:
            vertical = size.height > height - self.styles.scrollbar_size_horizontal
        return horizontal, vertical

    # -- cursor --------------------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self.items) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_to_cursor()

    @property
    def _rows_shown(self) -> int:
        """Rows visible below the heading (a horizontal scrollbar hides the last line)."""
        return max(1, self.scrollable_content_region.height - 1)

    def _refresh_row(self, row: int) -> None:
        y = row + 1 - int(self.scroll_y)
        if 1 <= y <= self._rows_shown:
            self.refresh_line(y)

    def _scroll_to_cursor(self) -> None:
        shown = self._rows_shown
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + shown:
            self.scroll_to(y=self.cursor_row - shown + 1, animate=False, immediate=True)

    def move_cursor(self, *, row: int) -> None:
        """Put the cursor on a row (scrolling to it)."""
        self.cursor_row = row

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= max(1, self._rows_shown - 1)

    def action_page_down(self) -> None:
        self.cursor_row += max(1, self._rows_shown - 1)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self.items) - 1

    def action_select(self) -> None:
        if self.items:
            self.post_message(self.RowSelected(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = offset.x + int(self.scroll_x)
            for column, width in zip(self.columns, self._widths, strict=True):
                x -= width + 2 * PADDING
                if x < 0:
                    self.post_message(self.HeaderSelected(self, column))
                    return
            return
        row = int(self.scroll_y) + offset.y - 1
        if 0 <= row < len(self.items):
            self.cursor_row = row
            self.post_message(self.RowSelected(self, row))

    # -- drawing -------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = {}

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            if name == "base":
                style = self.rich_style
            else:
                style = self.get_component_rich_style(f"virtual-table--{name}")
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            labels = [column.label for column in self.columns]
            style = self._style("base") + self._style("header")
            segments = self._segments(labels, style)
        else:
            row = scroll_y + y - 1
            if row >= len(self.items):
                return Strip.blank(width, self._style("base"))
            try:
                cells = self.cells_at(row)
            except IndexError:  # the items shrank under us: the owner redraws them soon
                return Strip.blank(width, self._style("base"))
            if self._measure(cells):  # a wider cell than any before: redraw every line
                self._resize()
                self.call_after_refresh(self.refresh)
            style = self._style("base")
            if self.zebra_stripes and row % 2:
                style += self._style("even-row")
            if row == self.cursor_row:
                style += self._style("cursor")
            segments = self._segments(cells, style)
        strip = Strip(segments, self.virtual_size.width)
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _segments(self, cells: Sequence[Cell], style: Style) -> list[Segment]:
        """One segment per cell, padded to its column; a cell's own style (a badge's
        colours) goes over the row's, so the badge still shows under the cursor."""
        pad = " " * PADDING
        segments: list[Segment] = []
        for cell, column, width in zip(cells, self.columns, self._widths, strict=True):
            cell_style = style
            if isinstance(cell, Text):
                text = cell.plain
                if cell.style:
                    cell_style = style + self._parsed(cell.style)
            else:
                text = cell
            if cell_len(text) > width:
                text = set_cell_size(text, width)
            fill = width - cell_len(text)
            left, right = (fill, 0) if column.justify == "right" else (0, fill)
            if cell_style is style:
                segments.append(Segment(f"{pad}{' ' * left}{text}{' ' * right}{pad}", style))
            else:  # the badge's colours cover its text, not the column's padding
                segments += [
                    Segment(pad + " " * left, style),
                    Segment(text, cell_style),
                    Segment(" " * right + pad, style),
                ]
        return segments

    def _parsed(self, style: str | Style) -> Style:
        if isinstance(style, Style):
            return style
        parsed = self._parsed_styles.get(style)
        if parsed is None:
            parsed = self._parsed_styles[style] = Style.parse(style)
        return parsed
