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

from notify_tui.domain.retention import (
    RETENTION_KINDS,
    RetentionFacts,
    dates_of_birth,
    died_on,
)
from notify_tui.store.holds import hold_entries
from notify_tui.store.vault import Vault

__all__ = ["case_documents", "hold_entries", "retention_facts"]


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
