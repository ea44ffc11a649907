"""A footer that rebuilds its keys only when the keys it shows change.

Textual's `Footer` rebuilds every key each time the screen says its bindings may have
changed, and a screen says so on every focus change and on every mount of a widget with
bindings: opening a form rebuilt the footer a dozen times over (a new widget per key each
time, each styled twice), for the same few keys.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A `Footer` that skips a rebuild when the keys it would show are the ones shown."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._shown: Hashable = None

    def shown_keys(self, screen: Screen[object]) -> Hashable:
        """What the footer would draw for `screen`: each shown binding's keys, label,
        action, state and tooltip, in order."""
        app = screen.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action,
             binding.group, enabled, tooltip, binding.tooltip)
            for _, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show or binding.action == "command_palette"
        )  # fmt: skip

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = self.shown_keys(screen)
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
