"""The legal hold entries of the audit trail (`hold.recorded` events), found through the
partial index of migration 14 so a list of holds never reads every event.

Apart from `store.retention` so that `store.erasure`, which the vault itself uses, can
ask whether a case is held without importing the vault.
"""

from __future__ import annotations

from typing import Protocol

import sqlite_utils

from notify_tui.domain.people import HOLD_FIELD, HOLD_TYPE, VAULT_LOG
from notify_tui.domain.retention import Hold, HoldEntry, holds_in_force, holds_on
from notify_tui.store.events import Event


class HasDb(Protocol):
    """A vault, as far as reading its events goes."""

    @property
    def db(self) -> sqlite_utils.Database:
        """The vault's connection."""
        ...


def hold_entries(vault: HasDb, case_id: str | None = None) -> list[HoldEntry]:
    """Every hold entry (placed or lifted), or only those about `case_id` and about
    everything when it is given."""
    sql = "SELECT body FROM events WHERE type = ?"
    params: list[object] = [HOLD_TYPE]
    if case_id is not None:
        sql += " AND case_id IN (?, ?)"
        params += [case_id, VAULT_LOG]
    entries = []
    for (body,) in vault.db.execute(sql, params):
        event = Event.model_validate_json(body)
        for change in event.changes:
            if change.field != HOLD_FIELD or not isinstance(change.value, dict):
                continue
            entries.append(
                HoldEntry(
                    event=event.id,
                    at=event.at,
                    author=event.author,
                    org=event.org,
                    case_id=None if event.case == VAULT_LOG else event.case,
                    action="lifted" if change.value.get("action") == "lifted" else "placed",
                    reason=str(change.value.get("reason") or ""),
                    device=event.device,
                    seq=event.seq,
                )
            )
    return entries


def holds_on_case(vault: HasDb, case_id: str) -> list[Hold]:
    """The holds in force that stop `case_id` being erased (its own, and any on
    everything), the oldest first."""
    return holds_on(case_id, holds_in_force(hold_entries(vault, case_id)))
