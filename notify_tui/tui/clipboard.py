"""Copy a case value to the clipboard for a while, then overwrite it.

Case values (names, dates of birth) must not linger on a shared machine's clipboard:
`copy_for_a_while` overwrites the copied value after a delay unless something else was
copied since, and `wipe` overwrites it at once (the app calls it when it locks).
"""

from __future__ import annotations

from textual.app import App
from textual.timer import Timer

BLANK = " "
"""What the clipboard holds after a wipe (some terminals ignore an empty OSC 52 copy)."""


def copy_for_a_while(app: App[object], value: str, seconds: float) -> Timer:
    """Copy `value`, and overwrite it after `seconds` if it is still the one held."""
    app.copy_to_clipboard(value)

    def wipe_if_unchanged() -> None:
        if app.clipboard == value:
            app.copy_to_clipboard(BLANK)

    # An app timer, not a screen's: the wipe must happen after the screen is closed.
    return app.set_timer(seconds, wipe_if_unchanged, name="clipboard-wipe")


def wipe(app: App[object]) -> None:
    """Overwrite whatever the app copied (on lock)."""
    if app.clipboard not in ("", BLANK):
        app.copy_to_clipboard(BLANK)
