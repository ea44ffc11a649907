"""A DataTable that adds its rows a page at a time, as the user scrolls towards them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from textual.coordinate import Coordinate
from textual.widgets import DataTable

RowT = TypeVar("RowT")

PAGE_SIZE = 200


class PagedTable(DataTable[Any], Generic[RowT]):
    """Holds a sorted list of items and shows them in pages of `page_size` rows.

    Only rows near the cursor or the scroll position are ever built, so a list of
    100,000 items costs one page of widgets, not 100,000.
    """

    def __init__(
        self,
        cells: Callable[[RowT], Sequence[Any]],
        key: Callable[[RowT], str],
        *,
        page_size: int = PAGE_SIZE,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._cells = cells
        self._key = key
        self.page_size = page_size
        self.items: Sequence[RowT] = ()
        self.loaded = 0

    def show(self, items: Sequence[RowT]) -> None:
        """Replace the rows with `items` (shows the first page)."""
        self.clear()
        self.items = items
        self.loaded = 0
        self.load_more()

    def load_more(self) -> bool:
        """Add the next page; False when everything is shown."""
        # At least a screenful, so a tall terminal is never left half empty.
        size = max(self.page_size, self.app.size.height)
        page = self.items[self.loaded : self.loaded + size]
        # Count the page as loaded first: add_row moves the cursor, whose watcher asks
        # for more rows.
        self.loaded += len(page)
        for item in page:
            self.add_row(*self._cells(item), key=self._key(item))
        return bool(page)

    def item_at(self, row: int) -> RowT | None:
        """The item shown on a row."""
        return self.items[row] if 0 <= row < self.loaded else None

    @property
    def current(self) -> RowT | None:
        """The item under the cursor."""
        return self.item_at(self.cursor_row) if self.row_count else None

    def _near_end(self, row: int) -> bool:
        return self.loaded < len(self.items) and row >= self.loaded - max(20, self.size.height)

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if self._near_end(new.row):
            self.load_more()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self._near_end(int(new) + self.size.height):
            self.call_after_refresh(self.load_more)
