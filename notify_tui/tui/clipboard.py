"""Copy a case value to the clipboard for a while, then overwrite it.

Case values (names, dates of birth) must not linger on a shared machine's clipboard:
`copy_for_a_while` overwrites the copied value once `seconds` have passed on the given
clock unless something else was copied since, and `wipe` overwrites it at once (the app
calls it when it locks and when it stops, for any reason).
"""

from __future__ import annotations

from textual.app import App
from textual.timer import Timer

from notify_tui.clock import Clock

BLANK = " "
"""What the clipboard holds after a wipe (some terminals ignore an empty OSC 52 copy)."""

CHECK_EVERY = 0.25
"""Seconds between looks at the clock while a copied value waits to be wiped."""


def copy_for_a_while(app: App[object], value: str, seconds: float, clock: Clock) -> Timer:
    """Copy `value`, and overwrite it once `seconds` have passed on `clock`, if it is
    still the one held."""
    app.copy_to_clipboard(value)
    deadline = clock.monotonic() + seconds

    def wipe_when_due() -> None:
        if clock.monotonic() < deadline:
            return
        timer.stop()
        if app.clipboard == value:
            app.copy_to_clipboard(BLANK)

    # An app timer, not a screen's: the wipe must happen after the screen is closed.
    # It only looks at `clock`, so a test's ManualClock decides when the time is up.
    timer = app.set_interval(min(CHECK_EVERY, seconds), wipe_when_due, name="clipboard-wipe")
    return timer


def wipe(app: App[object]) -> None:
    """Overwrite whatever the app copied (on lock, and when the app stops)."""
    if app.clipboard not in ("", BLANK):
        app.copy_to_clipboard(BLANK)
