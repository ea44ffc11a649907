"""The sync screen after a restore: the catch-up line, and the cases that lost events.

Ann's workstation goes back to a backup; Bob's (same synthetic council) holds what she
sent after it. The app on Ann's vault says changes wait for Bob's answer; importing his
reply with `i` ends the catch-up and the line names the case whose creation was never
sent. All data is synthetic.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import wait_for
from test_sync_screen import SIZE, answer_path, child_death, new_vault, text, trust

from notify_tui.errors import VaultError
from notify_tui.services.restore import restore_vault
from notify_tui.services.session import Session
from notify_tui.tui.app import make_app
from notify_tui.tui.screens.sync import SyncScreen

PASSPHRASE = "a long test passphrase"


async def test_the_sync_screen_follows_the_catch_up(tmp_path: Path) -> None:
    ann = new_vault(tmp_path / "ann", "Ann Fictional")
    bob = new_vault(tmp_path / "bob", "Bob Fictional")
    trust(ann, bob, folder=tmp_path / "keys")
    try:
        ann.create_case(child_death("Before-Fictional"))
        backup = ann.backup(tmp_path)
        ann.create_case(child_death("Sent-Fictional"))
        bob.sync.import_files(ann.sync.export(tmp_path / "."))
        lost = ann.create_case(child_death("Never-Sent-Fictional"))
        home = ann.home
        ann.close()
        restore_vault(home, backup, passphrase=PASSPHRASE, replace=True)
        ann = Session.unlock(home, passphrase=PASSPHRASE)
        with pytest.raises(VaultError, match="restored from a backup"):
            ann.create_case(child_death("Too-Soon-Fictional"))
        outbox = tmp_path / "outbox"
        outbox.mkdir()
        bob.sync.import_files(ann.sync.export(outbox))
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        bob.sync.export(inbox)

        app = make_app(ann)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SyncScreen)
            line = text(screen, "#catch-up")
            assert "Restore:" in line
            assert "changes are refused until Testshire Council (test) answers" in line
            await pilot.press("i")
            await pilot.pause()
            await answer_path(pilot, inbox)
            await wait_for(pilot, lambda: "1 accepted" in text(screen, "#import-status"))
            await wait_for(pilot, lambda: "lost" in text(screen, "#catch-up"))
            line = " ".join(text(screen, "#catch-up").split())
            assert f"1 event(s) made after the backup were never sent and are lost, in {lost}" in (
                line
            )
        ann.create_case(child_death("After-Fictional"))
    finally:
        ann.close()
        bob.close()
