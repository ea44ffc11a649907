"""What the retention schedule and the legal holds read from the vault.

Holds are `hold.recorded` events (found through a partial index, migration 14, so a
list of holds never reads every event); the schedule reads each case's kind, whether a
duty is still open, its last change and its document from the projection.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from notify_tui.domain.people import HOLD_FIELD, HOLD_TYPE, VAULT_LOG
from notify_tui.domain.retention import (
    RETENTION_KINDS,
    HoldEntry,
    RetentionFacts,
    dates_of_birth,
    died_on,
)
from notify_tui.store.events import Event
from notify_tui.store.vault import Vault


def hold_entries(vault: Vault, case_id: str | None = None) -> list[HoldEntry]:
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


def retention_facts(vault: Vault) -> Iterator[RetentionFacts]:
    """What the schedule needs of every case that holds a person's data, by case id."""
    kinds = [kind.value for kind in RETENTION_KINDS]
    sql = (
        "SELECT id, kind, open_duties, updated_at, document FROM cases "
        f"WHERE kind IN ({', '.join('?' for _ in kinds)}) ORDER BY id"
    )
    for case_id, kind, open_duties, updated_at, document_text in vault.db.execute(sql, kinds):
        document = json.loads(document_text)
        closed_on = None if open_duties else datetime.fromisoformat(updated_at).date()
        yield RetentionFacts(
            case_id=case_id,
            kind=kind,
            closed_on=closed_on,
            dates_of_birth=dates_of_birth(document),
            died_on=died_on(document),
        )


def case_documents(vault: Vault) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every case that holds a person's data, with its document, by case id."""
    kinds = [kind.value for kind in RETENTION_KINDS]
    sql = (
        "SELECT id, document FROM cases "
        f"WHERE kind IN ({', '.join('?' for _ in kinds)}) ORDER BY id"
    )
    for case_id, document_text in vault.db.execute(sql, kinds):
        yield case_id, json.loads(document_text)
