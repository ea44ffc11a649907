"""Slow work runs in thread workers: the app repaints and answers keys meanwhile.

Each test blocks the work on a gate it controls (a `threading.Event` in the unlocker or
initializer, or held on the session's owner thread), proves a timer still ticks and f1
still opens the keys panel, then releases the gate and sees the work finish. No sleeps
stand in for the work. All data is synthetic.
"""

from __future__ import annotations

import threading
from pathlib import Path

from pilot_helpers import owner_held, still_answering, wait_for
from textual.widgets import Button, Input, ProgressBar, Static

from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.tui.app import make_app
from notify_tui.tui.modals.path_prompt import PathPromptScreen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.settings import SettingsScreen
from notify_tui.tui.screens.setup import SetupScreen, VaultDetails
from notify_tui.tui.screens.sync import SyncScreen
from notify_tui.tui.screens.unlock import UnlockScreen
from notify_tui.tui.widgets.spinner import Spinner

SIZE = (120, 40)
PASSPHRASE = "a long test passphrase"
ORG = "Testshire Council (test)"


def new_vault(home: Path, author: str) -> Session:
    session, _ = Session.init(home, PASSPHRASE, org=ORG, role="la", author=author, kdf=ARGON2_FLOOR)
    return session


def child_death(family_name: str, aware: str = "2026-11-20") -> dict:
    return {
        "kind": "child_death",
        "subjects": [{"given_names": "Ro", "family_name": family_name}],
        "facts": {
            "date_of_birth": "2020-01-01",
            "outcome": "died",
            "event_date": "2026-11-20",
            "aware_date": aware,
            "abuse_or_neglect": "none",
            "location": "in_area",
            "normally_resident_in_area": True,
        },
    }


async def answer_path(pilot, path: Path) -> None:
    """Fill the open path prompt and press enter."""
    prompt = pilot.app.screen
    assert isinstance(prompt, PathPromptScreen)
    prompt.query_one("#path", Input).value = str(path)
    prompt.query_one("#path", Input).focus()
    await pilot.press("enter")
    await pilot.pause()


def keep_notes(app, notes: list[tuple[str, str]]) -> None:
    """Record every notification's (title, message) as the app shows it."""
    show = app.notify

    def notify(message: str, *, title: str = "", **options: object) -> None:
        notes.append((title, message))
        show(message, title=title, **options)

    app.notify = notify


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_unlock_keeps_the_screen_alive(tmp_path: Path) -> None:
    """While the key derivation runs the spinner shows and keys answer; then the dashboard."""
    home = tmp_path / "vault"
    new_vault(home, "Una Fictional").close()
    gate, started = threading.Event(), threading.Event()

    def gated_unlock(folder: Path, passphrase: str, user: str | None) -> Session:
        started.set()
        assert gate.wait(60)
        return Session.unlock(folder, passphrase=passphrase, user=user)

    app = make_app(None, home=home, unlocker=gated_unlock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, UnlockScreen)
        await pilot.press(*PASSPHRASE, "enter")
        await wait_for(pilot, started.is_set)
        assert screen.query_one("#unlock-working", Spinner).running
        assert screen.query_one("#passphrase", Input).disabled  # no second unlock meanwhile
        assert "Unlocking" in text(screen, "#unlock-message")
        await still_answering(pilot)
        assert isinstance(app.screen, UnlockScreen)
        gate.set()
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.pause()
    assert app.session is not None
    app.session.close()


async def test_first_run_setup_keeps_the_screen_alive(tmp_path: Path) -> None:
    """Creating the vault: the Create button is disabled and keys answer until it exists."""
    gate, started = threading.Event(), threading.Event()

    def gated_create(home: Path, details: VaultDetails) -> tuple[Session, str]:
        started.set()
        assert gate.wait(60)
        return Session.init(
            home, details.passphrase, org=details.org, role="la", author=details.author,
            kdf=ARGON2_FLOOR,
        )  # fmt: skip

    app = make_app(None, home=tmp_path / "new", initializer=gated_create)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        for name, value in (("org", ORG), ("author", "Sam Fictional"),
                            ("passphrase", PASSPHRASE), ("passphrase2", PASSPHRASE)):  # fmt: skip
            screen.query_one(f"#{name}", Input).value = value
        await pilot.press("ctrl+s")
        await wait_for(pilot, started.is_set)
        assert screen.query_one("#create", Button).disabled
        assert screen.query_one("#setup-working", Spinner).running
        await pilot.press("ctrl+s")  # pressed again while working: ignored
        await still_answering(pilot)
        gate.set()
        await wait_for(pilot, lambda: screen.session is not None)
        await pilot.pause()
        assert "recovery code" in text(screen, "#recovery-code")
        assert not screen.query_one("#setup-working", Spinner).running
    assert screen.session is not None
    screen.session.close()


async def test_import_moves_the_bar_file_by_file(tmp_path: Path) -> None:
    """Two bundles: while the owner is held the bar stands at 0 of 2, `i` is disabled and
    keys answer; released, each file gets its result and the bar reaches 2 of 2."""
    ann = new_vault(tmp_path / "ann", "Ann Fictional")
    bob = new_vault(tmp_path / "bob", "Bob Fictional")
    cat = new_vault(tmp_path / "cat", "Cat Fictional")
    keys = tmp_path / "keys"
    keys.mkdir()
    for session in (ann, bob, cat):
        session.sync.keys_export(keys / f"{session.identity.device_id}.json")
    for sender in (ann, cat):
        bob.sync.add_peer(keys / f"{sender.identity.device_id}.json")
        sender.sync.add_peer(keys / f"{bob.identity.device_id}.json")
    ann.create_case(child_death("Annbundle-Fictional"))
    cat.create_case(child_death("Catbundle-Fictional"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    written = [*ann.sync.export(inbox), *cat.sync.export(inbox)]
    app = make_app(bob)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.open_sync()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SyncScreen)
            with owner_held(bob) as gate:
                await pilot.press("i")
                await answer_path(pilot, inbox)
                bar = screen.query_one("#import-progress", ProgressBar)
                status = "Importing 2 file(s)"
                await wait_for(pilot, lambda: status in text(screen, "#import-status"))
                assert (bar.progress, bar.total) == (0, 2)
                assert screen.query_one("#sync-working", Spinner).running
                assert screen.check_action("import", ()) is None  # shown disabled
                # Nothing that would wait for the vault, or leave and lose the result:
                for action in ("add_peer", "revoke", "export_keys", "back"):
                    assert screen.check_action(action, ()) is None, action
                await pilot.press("escape")
                assert app.screen is screen
                await still_answering(pilot)
                gate.set()
                await wait_for(pilot, lambda: "2 accepted" in text(screen, "#import-status"))
            assert (bar.progress, bar.total) == (2, 2)
            await wait_for(pilot, lambda: screen.check_action("import", ()) is True)
            assert not screen.query_one("#sync-working", Spinner).running
            table = screen.query_one("#import-table")
            results = sorted(str(table.get_row_at(i)[0]) for i in range(table.row_count))
            assert results == sorted(path.name for path in written)
        assert all((inbox / "done" / path.name).exists() for path in written)
    finally:
        for session in (ann, cat):
            session.close()
        if app.session is not None:
            app.session.close()


async def test_export_and_a_failed_import_keep_the_screen_alive(tmp_path: Path) -> None:
    """Export waits on the owner without freezing; an export that fails reaches the app's
    one worker handler, which notifies with the one-line reason, and x works again."""
    ann = new_vault(tmp_path / "ann", "Ann Fictional")
    bob = new_vault(tmp_path / "bob", "Bob Fictional")
    keys = tmp_path / "keys"
    keys.mkdir()
    for one in (ann, bob):
        one.sync.keys_export(keys / f"{one.identity.device_id}.json")
    for one, other in ((ann, bob), (bob, ann)):
        one.sync.add_peer(keys / f"{other.identity.device_id}.json")
    ann.create_case(child_death("Exportgate-Fictional"))
    app = make_app(ann)
    notes: list[tuple[str, str]] = []
    keep_notes(app, notes)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.open_sync()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SyncScreen)
            with owner_held(ann) as gate:
                await pilot.press("x")
                await answer_path(pilot, tmp_path / "outbox")
                assert screen.check_action("export", ()) is None
                await still_answering(pilot)
                assert "Exporting" in text(screen, "#export-result")
                gate.set()
                await wait_for(pilot, lambda: "Exported 1 bundle" in text(screen, "#export-result"))
        lone = new_vault(tmp_path / "lone", "Lone Fictional")  # no peers: export refuses
        lonely = make_app(lone)
        keep_notes(lonely, notes)
        async with lonely.run_test(size=SIZE) as pilot:
            await pilot.pause()
            lonely.open_sync()
            await pilot.pause()
            screen = lonely.screen
            await pilot.press("x")
            await answer_path(pilot, tmp_path / "outbox2")
            await wait_for(pilot, lambda: "Not exported" in text(screen, "#export-result"))
            await wait_for(pilot, lambda: screen.check_action("export", ()) is True)
        ((title, message),) = [note for note in notes if note[0].startswith("Not done")]
        assert title == "Not done: export"
        assert "no peers yet" in message and "\n" not in message
        lone.close()
    finally:
        ann.close()
        bob.close()


async def test_saving_settings_keeps_the_screen_alive(tmp_path: Path) -> None:
    """A closure day refolds every case on save: the Save button is disabled and a spinner
    turns while the owner is held; released, the settings close and the day is kept."""
    session = new_vault(tmp_path / "vault", "Set Fictional")
    session.create_case(child_death("Savegate-Fictional", aware="2026-11-23"))
    app = make_app(session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.open_settings()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SettingsScreen)
            field = screen.query_one("#closure-day", Input)
            field.value = "2026-11-24"
            field.focus()
            await pilot.press("enter")
            with owner_held(session) as gate:
                await pilot.press("ctrl+s")
                await pilot.pause()
                assert screen.query_one("#save", Button).disabled
                assert screen.query_one("#save-working", Spinner).running
                assert "recalculating every deadline" in text(screen, "#save-status")
                await still_answering(pilot)
                assert isinstance(app.screen, SettingsScreen)
                gate.set()
                await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
                await pilot.pause()
        assert [day.isoformat() for day in session.preferences.calendar.closure_days] == [
            "2026-11-24"
        ]
    finally:
        session.close()


async def test_changing_the_passphrase_keeps_the_screen_alive(tmp_path: Path) -> None:
    """The re-wrap waits on the owner; the button is disabled and keys answer meanwhile."""
    session = new_vault(tmp_path / "vault", "Pass Fictional")
    app = make_app(session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.open_settings("passphrase")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SettingsScreen)
            new = "another long test passphrase"
            for selector, value in (("#old-passphrase", PASSPHRASE), ("#new-passphrase", new),
                                    ("#new-passphrase2", new)):  # fmt: skip
                screen.query_one(selector, Input).value = value
            with owner_held(session) as gate:
                screen.submit_passphrase()
                assert screen.query_one("#change-passphrase", Button).disabled
                await still_answering(pilot)
                gate.set()
                changed = "Passphrase changed"
                await wait_for(pilot, lambda: changed in text(screen, "#passphrase-status"))
        session.close()
        Session.unlock(tmp_path / "vault", passphrase=new).close()
    finally:
        session.close()
