"""A text spinner: a turning braille frame and a few words, for work in progress.

Unlike a colour pulse it reads on a monochrome terminal and in a captured screen: the
frame itself changes while the work runs.
"""

from __future__ import annotations

from textual.timer import Timer
from textual.widgets import Static

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
"""One frame per tick, in order."""


class Spinner(Static):
    """`label` after a turning frame while the work runs (`start`), hidden otherwise."""

    DEFAULT_CSS = """
    Spinner {
        height: 1;
        width: auto;
        color: $accent;
    }
    """

    def __init__(self, label: str = "Working", *, id: str | None = None) -> None:  # noqa: A002
        super().__init__("", id=id)
        self.label = label
        self.frame = 0
        self._timer: Timer | None = None

    def on_mount(self) -> None:
        self._timer = self.set_interval(0.1, self._turn, pause=True)
        self.display = False

    @property
    def running(self) -> bool:
        """Whether it is shown and turning."""
        return bool(self.display)

    def start(self) -> None:
        """Show it and turn."""
        self.display = True
        self._turn()
        if self._timer is not None:
            self._timer.resume()

    def stop(self) -> None:
        """Hide it and stand still."""
        self.display = False
        if self._timer is not None:
            self._timer.pause()

    def _turn(self) -> None:
        self.frame = (self.frame + 1) % len(FRAMES)
        self.update(f"{FRAMES[self.frame]} {self.label}")
