"""Drafts: what a person is typing into a form, kept inside the encrypted vault.

A draft is a row of the `drafts` table (migration 8), never an event: it is not signed,
chained, folded into the projection, exported in a bundle or counted as a case. Each
save carries a `revision`; a write whose revision is not newer than the stored one
changes nothing, so a slow background save can never replace what a later one wrote.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notify_tui.store.connection import translate_errors
from notify_tui.store.vault import Vault


@dataclass(frozen=True)
class DraftRow:
    """One stored draft."""

    id: str
    form: str
    title: str
    label: str
    case_id: str | None
    body: dict[str, Any]
    revision: int
    author: str
    created_at: datetime
    updated_at: datetime


_COLUMNS = "id, form, title, label, case_id, body, revision, author, created_at, updated_at"


def _row(raw: Any) -> DraftRow:
    return DraftRow(
        id=str(raw[0]),
        form=str(raw[1]),
        title=str(raw[2]),
        label=str(raw[3]),
        case_id=None if raw[4] is None else str(raw[4]),
        body=json.loads(raw[5]),
        revision=int(raw[6]),
        author=str(raw[7]),
        created_at=datetime.fromisoformat(raw[8]),
        updated_at=datetime.fromisoformat(raw[9]),
    )


def save_draft(
    vault: Vault,
    *,
    draft_id: str,
    form: str,
    title: str,
    label: str,
    case_id: str | None,
    body: Mapping[str, Any],
    revision: int,
    now: datetime,
) -> bool:
    """Insert or update a draft; False when the stored one is as new or newer."""
    vault.require_writer()
    text = json.dumps(body, sort_keys=True, ensure_ascii=False)
    with translate_errors(), vault.db.atomic():
        cursor = vault.db.execute(
            "INSERT INTO drafts (id, form, title, label, case_id, body, revision, author, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET title = excluded.title, label = excluded.label, "
            "body = excluded.body, revision = excluded.revision, "
            "updated_at = excluded.updated_at "
            "WHERE excluded.revision > drafts.revision AND drafts.author = excluded.author",
            [
                draft_id,
                form,
                title,
                label,
                case_id,
                text,
                revision,
                vault.author,
                now.isoformat(),
                now.isoformat(),
            ],
        )
        return bool(cursor.rowcount)


def get_draft(vault: Vault, draft_id: str) -> DraftRow | None:
    """One of the signed-in user's drafts, or None."""
    with translate_errors():
        raw = vault.db.execute(
            f"SELECT {_COLUMNS} FROM drafts WHERE id = ? AND author = ?", [draft_id, vault.author]
        ).fetchone()
    return None if raw is None else _row(raw)


def list_drafts(vault: Vault) -> list[DraftRow]:
    """The signed-in user's drafts, the most recently saved first (a draft is its
    author's work in progress: nobody else's to read or finish)."""
    with translate_errors():
        rows = vault.db.execute(
            f"SELECT {_COLUMNS} FROM drafts WHERE author = ? ORDER BY updated_at DESC, id",
            [vault.author],
        ).fetchall()
    return [_row(raw) for raw in rows]


def count_drafts(vault: Vault) -> int:
    """How many drafts the signed-in user has."""
    with translate_errors():
        row = vault.db.execute(
            "SELECT count(*) FROM drafts WHERE author = ?", [vault.author]
        ).fetchone()
    return int(row[0])


def delete_draft(vault: Vault, draft_id: str) -> bool:
    """Remove a draft; False when there was none."""
    vault.require_writer()
    with translate_errors(), vault.db.atomic():
        cursor = vault.db.execute(
            "DELETE FROM drafts WHERE id = ? AND author = ?", [draft_id, vault.author]
        )
        return bool(cursor.rowcount)
