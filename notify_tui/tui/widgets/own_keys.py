"""Keys a form field binds for itself act on that field, however fast they come.

Textual resolves a widget's own (non-priority) bindings, such as an Input's backspace,
ctrl+u or left, only once the key has bubbled back up to the App, and then against the
widget focused *at that moment*. When keys arrive together (a fast typist, or a moment
the app is busy), a Tab read in between has already moved the focus, so a backspace
typed before the Tab deleted from the next field. A field built with `OwnKeys` runs its
own bindings as soon as it reads the key, on itself, and stops the key there.

Printable keys are unaffected (an Input inserts them itself); the screen's and the
app's bindings (ctrl+s, escape, the priority Tab) still work as before.
"""

from __future__ import annotations

from functools import cache
from typing import cast

from textual import events
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input


@cache
def own_actions(widget_class: type[Widget]) -> dict[str, str]:
    """Key → action of the bindings a widget class declares (and its bases)."""
    found: dict[str, str] = {}
    for base in reversed(widget_class.__mro__):
        for binding in base.__dict__.get("BINDINGS", []):
            if not isinstance(binding, Binding):
                binding = Binding(*binding)
            for key in binding.key.split(","):
                found[key.strip()] = binding.action
    return found


class OwnKeys:
    """A mixin for a focusable field (put it first among the bases): its own bindings
    act on it when it reads the key."""

    async def on_key(self, event: events.Key) -> None:
        widget = cast(Widget, self)
        actions = own_actions(type(widget))
        action = next((actions[key] for key in (event.key, *event.aliases) if key in actions), None)
        if action is None:
            return
        event.stop()
        event.prevent_default()
        await widget.run_action(action)


class FormInput(OwnKeys, Input):
    """An `Input` whose editing keys (backspace, delete, ctrl+u, arrows...) act on it
    even when a Tab typed right after them has already moved the focus on."""
