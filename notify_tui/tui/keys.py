"""The app's key bindings, gathered from its screens, modals and widgets (for the keymap
editor on the settings screen)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass

from textual.binding import Binding

import notify_tui.tui


@dataclass(frozen=True)
class KeyBinding:
    """One binding as defined in the code, before any keymap."""

    id: str
    """What a keymap names it by ("dashboard.sort")."""

    keys: str
    """Its default keys, comma-separated."""

    description: str
    """What the footer calls it."""


def defined_bindings() -> Iterator[tuple[type, Binding]]:
    """Every `Binding` declared in a class of the terminal app, with the class."""
    for module_info in pkgutil.walk_packages(notify_tui.tui.__path__, "notify_tui.tui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding):
                    yield cls, binding


def binding_catalogue() -> list[KeyBinding]:
    """Each binding id once, with its default keys and description, sorted by id."""
    found: dict[str, KeyBinding] = {}
    for _, binding in defined_bindings():
        if binding.id is not None and binding.id not in found:
            found[binding.id] = KeyBinding(binding.id, binding.key, binding.description)
    return sorted(found.values(), key=lambda entry: entry.id)
