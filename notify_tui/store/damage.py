"""TEST-ONLY: damage a vault the way a bad restore, a disk fault or a careless hand would.

The tests use these to show that `doctor` sees each kind of damage. Nothing in notify_tui
imports this module (a test checks), and no command reaches it: the event log is
append-only (erasure, `store.erasure`, only takes an erased case's changes out of its
events) and these functions are the only code that deletes from it.
"""

from __future__ import annotations

from notify_tui.errors import VaultError
from notify_tui.store.connection import translate_errors
from notify_tui.store.events import Event
from notify_tui.store.vault import Vault


def delete_event(vault: Vault, chain: str, seq: int) -> Event:
    """Delete the event numbered `seq` of `chain` from the log, as a raw row delete would
    (nothing else is touched: not the projection, not the recorded heads); return it."""
    vault.require_writer()
    with translate_errors(), vault.db.atomic():
        row = vault.db.execute(
            "SELECT body FROM events WHERE device = ? AND seq = ?", [chain, seq]
        ).fetchone()
        if row is None:
            raise VaultError(f"no event #{seq} of chain {chain} to delete")
        event = Event.model_validate_json(row[0])
        vault.db.execute("DELETE FROM events WHERE id = ?", [event.id])
    return event


def delete_newest_event(vault: Vault, chain: str) -> Event:
    """Delete the last event held of `chain` (see `delete_event`); return it."""
    seq, _ = vault.held_head(chain)
    return delete_event(vault, chain, seq)
