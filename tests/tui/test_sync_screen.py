"""The sync screen: keys, peers, export, import with progress and results, receipts.

Two (or three) real encrypted vaults of one synthetic organisation exchange keys and
bundles; the app runs on one of them. All data is synthetic.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import factories
import pytest
from pilot_helpers import wait_for
from textual.widgets import DataTable, Input, ProgressBar, Static

from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.tui.app import make_app
from notify_tui.tui.modals.confirm import ConfirmScreen
from notify_tui.tui.modals.path_prompt import PathPromptScreen
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.sync import SyncScreen
from notify_tui.tui.widgets.virtual_table import VirtualTable

SIZE = (120, 40)
ORG = "Testshire Council (test)"


def new_vault(home: Path, author: str, org: str = ORG) -> Session:
    session, _ = Session.init(
        home, "a long test passphrase", org=org, role="la", author=author, kdf=ARGON2_FLOOR
    )
    return session


def child_death(family_name: str) -> dict:
    return factories.case(
        "child_death",
        subjects=[{"given_names": "Sy", "family_name": family_name}],
        facts={
            "date_of_birth": "2020-01-01",
            "event_date": "2026-11-20",
            "aware_date": "2026-11-20",
            "abuse_or_neglect": "none",
        },
    )


def trust(*sessions: Session, folder: Path) -> None:
    """Every vault trusts every other through exported keys files."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for session in sessions:
        files[session] = folder / f"{session.identity.device_id}.json"
        session.sync.keys_export(files[session])
    for session in sessions:
        for other in sessions:
            if other is not session:
                session.sync.add_peer(files[other])


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Session, Session]]:
    """Ann's and Bob's workstations, trusting each other."""
    ann = new_vault(tmp_path / "ann", "Ann Fictional")
    bob = new_vault(tmp_path / "bob", "Bob Fictional")
    trust(ann, bob, folder=tmp_path / "keys")
    yield ann, bob
    ann.close()
    bob.close()


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell).strip() for cell in table.get_row_at(i)] for i in range(table.row_count)]


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def laid_out(screen, selector: str) -> bool:
    """Whether `selector` is mounted on `screen` and has a size on it."""
    found = screen.query(selector)
    return bool(found) and found.first().region.area > 0


async def answer_path(pilot, path: Path) -> None:
    """Fill the open path prompt and press enter."""
    prompt = pilot.app.screen
    assert isinstance(prompt, PathPromptScreen)
    await wait_for(pilot, lambda: laid_out(prompt, "#path"))
    prompt.query_one("#path", Input).value = str(path)
    prompt.query_one("#path", Input).focus()
    await pilot.press("enter")
    await pilot.pause()


async def test_import_a_bundle_from_another_vault(
    pair: tuple[Session, Session], tmp_path: Path
) -> None:
    """`y` then `i`: the file reads "accepted" with its new events; the case is on the dashboard."""
    ann, bob = pair
    case_id = ann.create_case(child_death("Synctest-Fictional"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (written,) = ann.sync.export(inbox)
    app = make_app(bob)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert case_id not in {row.case_id for row in app.screen.query_one(VirtualTable).items}
        await pilot.press("y")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        peers = rows(screen.query_one("#peer-table", DataTable))
        assert peers == [[ann.identity.device_id, ORG, "local authority", "trusted", "0"]]
        await pilot.press("i")
        await pilot.pause()
        await answer_path(pilot, inbox)
        await wait_for(pilot, lambda: "1 accepted" in text(screen, "#import-status"))
        results = rows(screen.query_one("#import-table", DataTable))
        assert results == [[written.name, "accepted", "1", "-"]]
        bar = screen.query_one("#import-progress", ProgressBar)
        assert bar.progress == bar.total == 1
        assert (inbox / "done" / written.name).exists() and not written.exists()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        shown = {row.case_id for row in app.screen.query_one(VirtualTable).items}
        assert case_id in shown


async def test_refused_file_gets_a_reason(pair: tuple[Session, Session], tmp_path: Path) -> None:
    """A file that is not a bundle is REFUSED with a one-line reason and moved to rejected/."""
    _, bob = pair
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "junk.ntbundle").write_bytes(b"not a bundle")
    app = make_app(bob)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_sync("import")
        await pilot.pause()
        await answer_path(pilot, inbox)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        await wait_for(pilot, lambda: "1 refused" in text(screen, "#import-status"))
        ((name, result, events, reason),) = rows(screen.query_one("#import-table", DataTable))
        assert (name, result, events) == ("junk.ntbundle", "REFUSED", "0")
        assert reason and reason != "-"
    assert (inbox / "rejected" / "junk.ntbundle.reason.txt").exists()


async def test_export_validates_the_folder_and_shows_written_paths(
    pair: tuple[Session, Session], tmp_path: Path
) -> None:
    """`x` refuses a file as the folder, creates a missing one, and lists the bundle written."""
    ann, bob = pair
    ann.create_case(child_death("Exporttest-Fictional"))
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    app = make_app(ann)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        assert rows(screen.query_one("#peer-table", DataTable))[0][4] == "1"
        await pilot.press("x")
        await pilot.pause()
        await answer_path(pilot, not_a_folder)
        assert isinstance(app.screen, PathPromptScreen)
        assert "is a file" in text(app.screen, "#path-error")
        await answer_path(pilot, tmp_path / "outbox")
        await wait_for(pilot, lambda: "Exported 1 bundle" in text(screen, "#export-result"))
        (bundle,) = (tmp_path / "outbox").iterdir()
        assert str(bundle) in text(screen, "#export-result")
    assert bob.sync.import_files([bundle])[0].status == "imported"


async def test_keys_add_peer_and_revoke_with_confirmation(tmp_path: Path) -> None:
    """`e` writes this device's keys, `a` trusts a peer's, `r` asks before revoking."""
    ann = new_vault(tmp_path / "ann", "Ann Fictional")
    carl = new_vault(tmp_path / "carl", "Carl Fictional")
    carl_keys = tmp_path / "carl.json"
    carl.sync.keys_export(carl_keys)
    app = make_app(ann)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SyncScreen)
            assert ann.identity.device_id in text(screen, "#this-device")
            assert "SHA256:" in text(screen, "#this-device")
            assert "No peers yet" in text(screen, "#export-result")
            await pilot.press("x")
            await pilot.pause()
            await answer_path(pilot, tmp_path)
            await wait_for(pilot, lambda: "Not exported" in text(screen, "#export-result"))
            assert "no peers yet" in text(screen, "#export-result")
            await pilot.press("e")
            await pilot.pause()
            await answer_path(pilot, tmp_path / "ann-keys.json")
            assert (tmp_path / "ann-keys.json").exists()
            await pilot.press("a")
            await pilot.pause()
            await answer_path(pilot, tmp_path / "missing.json")
            assert "no such file" in text(app.screen, "#path-error")
            await answer_path(pilot, carl_keys)
            # The fingerprint is shown to compare with the peer; Cancel (focused) trusts
            # nothing, Trust does.
            confirm = app.screen
            assert isinstance(confirm, ConfirmScreen)
            shown = str(confirm.query_one("#confirm-text", Static).render())
            assert carl.sync.me().fingerprint in shown and carl.identity.device_id in shown
            await pilot.press("enter")
            await pilot.pause()
            assert [peer.device_id for peer in ann.sync.list_peers()] == [ann.identity.device_id]
            await pilot.press("a")
            await pilot.pause()
            await answer_path(pilot, carl_keys)
            await pilot.click("#confirm")
            await pilot.pause()
            table = screen.query_one("#peer-table", DataTable)
            assert rows(table)[0][:4] == [carl.identity.device_id, ORG, "local authority",
                                          "trusted"]  # fmt: skip
            table.focus()
            await pilot.press("r")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("enter")  # Cancel has the focus: nothing happens
            await pilot.pause()
            assert rows(table)[0][3] == "trusted"
            await pilot.press("r")
            await pilot.pause()
            await pilot.click("#confirm")
            await pilot.pause()
            assert rows(table)[0][3].startswith("REVOKED")
            assert rows(table)[0][4] == "-"
    finally:
        ann.close()
        carl.close()


async def test_receipts_on_the_sync_screen_and_the_case(
    pair: tuple[Session, Session], tmp_path: Path
) -> None:
    """Bob's receipt for Ann's `sent` record shows under receipts and beside the duty."""
    ann, bob = pair
    case_id = ann.create_case(child_death("Receipttest-Fictional"))
    duty = next(d for d in ann.case_detail(case_id).duties if d.status == "open")
    ann.mark_sent(case_id, duty.duty, ann.today(), reference="REF-7")
    there, back = tmp_path / "there", tmp_path / "back"
    there.mkdir()
    back.mkdir()
    bob.sync.import_files(ann.sync.export(there))
    ann.sync.import_files(bob.sync.export(back))
    app = make_app(ann)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_sync()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        await pilot.press("3")
        received = rows(screen.query_one("#receipt-table", DataTable))
        assert [ORG + f" ({bob.identity.device_id})", "this device", "2"] in [
            row[:3] for row in received
        ]
        await pilot.press("escape")
        await pilot.pause()
        app.screen.open_case(case_id)
        await pilot.pause()
        case = app.screen
        assert isinstance(case, CaseDetailScreen)
        table = case.query_one("#case-duties", DataTable)
        table.move_cursor(row=[str(k.value) for k in table.rows].index(duty.duty))
        await pilot.pause()
        assert f"Receipt: received by {ORG} at 20" in text(case, "#duty-detail")


async def test_command_palette_entries(pair: tuple[Session, Session]) -> None:
    """The palette offers "sync: export", "sync: import" and "sync: peers"."""
    _, bob = pair
    app = make_app(bob)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"sync: export", "sync: import", "sync: peers"} <= titles
        app.open_sync("export")
        await pilot.pause()
        assert isinstance(app.screen, PathPromptScreen)
        assert app.screen.query_one("#path", Input).value == "~/notify-outbox"
        # The dialog mounts and lays out over a few refreshes; on a loaded machine, later.
        await wait_for(pilot, lambda: laid_out(app.screen, "#cancel"))
        await pilot.click("#cancel")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen))
