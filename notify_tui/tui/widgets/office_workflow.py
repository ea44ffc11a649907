"""The office workflow of a case: each step with the date or answer recorded."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from notify_tui.services.types import CaseDetail
from notify_tui.views.office import AREA_TITLES, StepRow, step_rows


class OfficeWorkflow(Vertical):
    """A table of the office steps that apply to a case, in workflow order.

    The office records steps (the case screen's `o`); an LA sees the same table read-only.
    """

    DEFAULT_CSS = """
    OfficeWorkflow {
        height: 1fr;
    }
    OfficeWorkflow #office-note {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    OfficeWorkflow #office-steps {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self.rows: list[StepRow] = []

    def compose(self) -> ComposeResult:
        yield Static(id="office-note")
        yield DataTable(id="office-steps", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#office-steps", DataTable).add_columns("Area", "Step", "Recorded")

    def show(self, detail: CaseDetail, *, office: bool) -> None:
        """Fill the table from a `Session.case_detail`."""
        self.rows = step_rows(detail)
        if not self.rows:
            note = "No office steps apply to this case."
        elif office:
            note = "Press o to record a step (date, Panel answer, category or yes/no)."
        else:
            note = "Recorded by the office: read-only here; its bundles bring the steps."
        self.query_one("#office-note", Static).update(note)
        table = self.query_one("#office-steps", DataTable)
        cursor = table.cursor_row
        table.clear()
        for index, row in enumerate(self.rows):
            first = index == 0 or self.rows[index - 1].area != row.area
            recorded = Text(row.shown) if row.recorded else Text("not yet", style="dim italic")
            table.add_row(
                Text(AREA_TITLES.get(row.area, row.area) if first else ""),
                row.label,
                recorded,
                key=row.key,
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def current_step(self) -> StepRow | None:
        """The step under the cursor."""
        table = self.query_one("#office-steps", DataTable)
        if not self.rows or not table.row_count:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]
