"""Key bindings: every one has an id, the documented ids are real, a keymap remaps them.

The bindings are collected here from the source (every class in notify_tui/tui with
`BINDINGS`), independently of the app's own catalogue.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from pilot_helpers import wait_for
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

import notify_tui.tui
from notify_tui.services.session import Session
from notify_tui.settings import BINDING_IDS, Preferences
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.tui.app import NotifyApp, make_app
from notify_tui.tui.keys import binding_catalogue
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.settings import SettingsScreen
from notify_tui.tui.screens.sync import SyncScreen

SIZE = (120, 40)
TUI = Path(notify_tui.tui.__file__).parent
ID = re.compile(r"^[a-z_]+\.[a-z_]+$")


def classes_with_bindings() -> list[type]:
    found = []
    for info in pkgutil.walk_packages([str(TUI)], "notify_tui.tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and "BINDINGS" in cls.__dict__:
                found.append(cls)
    return found


def own_bindings(cls: type) -> list[Binding]:
    return [b for b in cls.__dict__["BINDINGS"] if isinstance(b, Binding)]


def merged_bindings(cls: type) -> list[Binding]:
    """What a screen of this class answers to: its bindings and its bases' (and the app's)."""
    ours = [base for base in cls.__mro__ if base.__module__.startswith("notify_tui.")]
    merged = [b for base in ours if "BINDINGS" in base.__dict__ for b in own_bindings(base)]
    return merged + own_bindings(NotifyApp)


def key_tables() -> dict[str, list[str]]:
    """Per module path and class: the ids in the "| key | id | does |" docstring under
    its BINDINGS (read from the source: an attribute docstring is not kept at run time)."""
    tables: dict[str, list[str]] = {}
    for path in sorted(TUI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef):
                continue
            for before, after in zip(node.body, node.body[1:], strict=False):
                targets = getattr(before, "targets", None) or [getattr(before, "target", None)]
                if not any(getattr(t, "id", None) == "BINDINGS" for t in targets):
                    continue
                if not (isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)):
                    continue
                docstring = str(after.value.value)
                if "| key | id | does |" not in docstring:
                    continue
                ids = []
                for line in docstring.splitlines():
                    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
                    if len(cells) == 3 and cells[1] not in ("id", "---"):
                        ids += [part.strip() for part in cells[1].split(",")]
                tables[f"{path.relative_to(TUI)}:{node.name}"] = ids
    return tables


def test_every_binding_has_an_id_unique_on_its_screen() -> None:
    classes = classes_with_bindings()
    assert len(classes) >= 15
    for cls in classes:
        for binding in own_bindings(cls):
            assert binding.id and ID.match(binding.id), f"{cls.__name__}: {binding.key}"
            assert binding.description, binding.id
        ids = [binding.id for binding in merged_bindings(cls)]
        if cls is not NotifyApp:
            assert len(ids) == len(set(ids)), f"{cls.__name__} repeats an id: {sorted(ids)}"


def test_the_settings_know_exactly_the_ids_the_app_defines() -> None:
    """A keymap may name every id the app binds, and no other."""
    defined = {binding.id for cls in classes_with_bindings() for binding in own_bindings(cls)}
    assert defined == set(BINDING_IDS)
    assert len(BINDING_IDS) == len(set(BINDING_IDS))
    assert {entry.id for entry in binding_catalogue()} == defined


def test_every_documented_id_exists_and_every_binding_is_documented() -> None:
    """The key tables under BINDINGS ("remap by id") name real ids, and all of their own."""
    tables = key_tables()
    assert len(tables) >= 18  # every screen, modal, the dialog base, the table and the app
    known = set(BINDING_IDS)
    for where, ids in tables.items():
        named = [i for i in ids if not i.startswith("(")]  # "(table)": a widget's own key
        for binding_id in named:
            assert "*" not in binding_id, f"{where}: name each id, not {binding_id}"
            assert binding_id in known, f"{where}: {binding_id} is not a binding id"
    by_class = {cls.__name__: cls for cls in classes_with_bindings()}
    for where, ids in tables.items():
        cls = by_class[where.rsplit(":", 1)[1]]
        missing = {b.id for b in own_bindings(cls)} - set(ids)
        assert not missing, f"{where}: undocumented {missing}"


@pytest.fixture
def session(tmp_path: Path):
    session, _ = Session.init(
        tmp_path / "vault", "a long test passphrase", org="Testshire (test)", role="la",
        author="Key Tester", kdf=ARGON2_FLOOR,
    )  # fmt: skip
    yield session
    session.close()


async def test_a_stored_keymap_applies_at_start(session: Session) -> None:
    """With dashboard.sync on z, z opens the sync screen and y no longer does."""
    session.set_preferences(Preferences(keymap={"dashboard.sync": "z"}))
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen))
        await pilot.pause()


async def test_the_settings_screen_edits_the_keymap(session: Session) -> None:
    """Highlight dashboard.reports, refuse a malformed key, set ctrl+t, save: it applies now."""
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_settings()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        table = screen.query_one("#keymap", DataTable)
        rows = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert rows == sorted(BINDING_IDS)
        table.move_cursor(row=rows.index("dashboard.reports"))
        await pilot.pause()
        field = screen.query_one("#keymap-keys", Input)
        field.value = "ctrl+"
        field.focus()
        await pilot.press("enter")
        error = str(screen.query_one("#keymap-error", Static).render())
        assert "dashboard.reports" in error and "missing" in error
        field.value = "ctrl+t"
        await pilot.press("enter")
        assert str(screen.query_one("#keymap-error", Static).render()) == ""
        row = rows.index("dashboard.reports")
        assert str(table.get_row_at(row)[2]) == "ctrl+t (default r)"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert session.preferences.keymap == {"dashboard.reports": "ctrl+t"}
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReportsScreen")
        await pilot.pause()
