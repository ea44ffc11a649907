"""A date box that echoes the date it read in words beside it ("Mon 30 Nov 2026").

People type dates as they write them (`30/11/2026`, `30/11/26`, `2026-11-30`, "today",
"yesterday"; `notify_tui.domain.dates`); the echo shows at once which date that is, or
why it is not one ("there is no 30 February 2026").
"""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Input, Static

from notify_tui.tui.widgets.own_keys import FormInput
from notify_tui.views.dates import FUTURE, DayReading, read_day

DATE_PLACEHOLDER = "dd/mm/yyyy"


class DateField(HorizontalGroup):
    """An `Input` (with the id given) and, beside it, the date in words or the problem.

    The echo's id is the input's id with `-echo` after it; it carries the class
    `-error` while the text names no date (or one the field refuses).
    """

    DEFAULT_CSS = """
    DateField {
        height: auto;
        width: 1fr;
    }
    DateField > Input {
        width: 20;
    }
    DateField > .date-echo {
        width: 1fr;
        padding: 0 0 0 1;
    }
    DateField > .date-echo.-error {
        color: $error;
        text-style: bold;
    }
    """

    def __init__(
        self,
        value: str = "",
        *,
        today: date,
        id: str,  # noqa: A002 - the id of the input, as Textual names it
        required: bool = True,
        future_ok: bool = False,
        future_problem: str = FUTURE,
        compact: bool = False,
    ) -> None:
        super().__init__(id=f"{id}-field")
        self.input_id = id
        self.today = today
        self.required = required
        self.future_ok = future_ok
        self.future_problem = future_problem
        self._value = value
        self._compact = compact

    def compose(self) -> ComposeResult:
        yield FormInput(
            self._value, placeholder=DATE_PLACEHOLDER, id=self.input_id, compact=self._compact
        )
        yield Static("", id=f"{self.input_id}-echo", classes="date-echo")

    def on_mount(self) -> None:
        self._echo(self.reading)

    @property
    def input(self) -> Input:
        """The text box."""
        return self.query_one(f"#{self.input_id}", Input)

    @property
    def reading(self) -> DayReading:
        """What the box holds now: a date, or the problem."""
        return read_day(
            self.input.value,
            self.today,
            required=self.required,
            future_ok=self.future_ok,
            future_problem=self.future_problem,
        )

    @property
    def day(self) -> date | None:
        """The date typed, when it is one the field accepts."""
        reading = self.reading
        return reading.day if reading.ok else None

    def _echo(self, reading: DayReading) -> None:
        echo = self.query_one(f"#{self.input_id}-echo", Static)
        shown = reading.problem if reading.problem else reading.words
        if reading.problem and reading.empty:
            shown = ""  # an empty box is not shouted at before anything was typed
        if reading.problem and reading.day is not None:
            shown = f"{reading.words}: {reading.problem}"
        echo.update(shown)
        echo.set_class(bool(reading.problem) and not reading.empty, "-error")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id == self.input_id:
            self._echo(self.reading)
