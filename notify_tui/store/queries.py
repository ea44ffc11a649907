"""Reads of the projection: case lists, one case, duties, and the report's input rows.

Every statement here reads the projection tables (`cases`, `duties`, `cases_fts`),
never the event log's bodies, and returns plain rows; `notify_tui.services` turns them
into the dataclasses the shells show.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from notify_tui.errors import InvalidInput
from notify_tui.store.connection import translate_errors
from notify_tui.store.events import Event
from notify_tui.store.vault import Vault


def fts_query(text: str) -> str:
    """An FTS5 query matching every word of `text` as a prefix (no syntax injection)."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
    if not words:
        raise InvalidInput("search: give at least one letter or digit")
    return " ".join(f'"{word}"*' for word in words)


CASE_LIST_COLUMNS = (
    "id",
    "kind",
    "org",
    "initials",
    "names",
    "next_due",
    "open_duties",
    "decision",
    "conflicts",
    "created_at",
    "event_date",
    "aware_date",
    "outcome",
)
"""The columns of `case_list` rows, in order."""

CASE_DETAIL_COLUMNS = (
    "document",
    "org",
    "created_at",
    "created_by",
    "updated_at",
    "conflicts",
    "problem",
    "rulepack",
    "initials",
    "advisories",
    "kind",
)
"""The columns of the `case_row` row."""

DUTY_CASE_COLUMNS = ("kind", "initials", "names", "org")
"""The columns of its case that `open_duty_rows` adds to each duty."""


def case_list(
    vault: Vault,
    *,
    kind: str | None = None,
    search: str | None = None,
    due_before: date | None = None,
    due_by: date | None = None,
) -> list[dict[str, Any]]:
    """Rows of `cases` (`CASE_LIST_COLUMNS`), soonest next deadline first, then by id.

    `search` matches every word as a prefix in the full-text index; `due_before` keeps
    cases whose next deadline is before that day, `due_by` those due on or before it.
    """
    where, params = ["1 = 1"], []
    if kind:
        where.append("kind = ?")
        params.append(kind)
    if search:
        where.append("rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)")
        params.append(fts_query(search))
    if due_before is not None:
        where.append("next_due < ?")
        params.append(due_before.isoformat())
    if due_by is not None:
        where.append("next_due <= ?")
        params.append(due_by.isoformat())
    sql = (
        f"SELECT {', '.join(CASE_LIST_COLUMNS)} FROM cases WHERE "
        + " AND ".join(where)
        + " ORDER BY next_due IS NULL, next_due, id"
    )
    with translate_errors():
        rows = vault.db.execute(sql, params).fetchall()
    return [dict(zip(CASE_LIST_COLUMNS, row, strict=True)) for row in rows]


def case_row(vault: Vault, case_id: str) -> dict[str, Any] | None:
    """One case's projection row (`CASE_DETAIL_COLUMNS`), or None when not held."""
    with translate_errors():
        row = vault.db.execute(
            f"SELECT {', '.join(CASE_DETAIL_COLUMNS)} FROM cases WHERE id = ?", [case_id]
        ).fetchone()
    return None if row is None else dict(zip(CASE_DETAIL_COLUMNS, row, strict=True))


def case_duty_rows(vault: Vault, case_id: str) -> list[dict[str, Any]]:
    """Every `duties` row of one case, in the table's order."""
    with translate_errors():
        return list(vault.db["duties"].rows_where("case_id = ?", [case_id]))


def _dict_rows(vault: Vault, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    with translate_errors():
        cursor = vault.db.execute(sql, list(params))
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]


def deadline_rows(vault: Vault, due_by: date) -> list[dict[str, Any]]:
    """Open `duties` rows with a due date on or before `due_by`, soonest first."""
    return _dict_rows(
        vault,
        "SELECT * FROM duties WHERE status = 'open' AND due IS NOT NULL AND due <= ? "
        "ORDER BY due, case_id, duty_id",
        [due_by.isoformat()],
    )


def open_duty_rows(vault: Vault) -> list[dict[str, Any]]:
    """Every `duties` row (despite the name, in any state) with its case's
    `DUTY_CASE_COLUMNS`: undated last, then by due date, case and duty."""
    return _dict_rows(
        vault,
        "SELECT duties.*, cases.kind, cases.initials, cases.names, cases.org "
        "FROM duties JOIN cases ON cases.id = duties.case_id "
        "ORDER BY duties.due IS NULL, duties.due, duties.case_id, duties.duty_id",
    )


def conflicted_case_ids(vault: Vault) -> list[str]:
    """Ids of the cases with a field in conflict, sorted."""
    with translate_errors():
        rows = vault.db.execute("SELECT id FROM cases WHERE conflicts != '[]' ORDER BY id")
        return [str(case_id) for (case_id,) in rows.fetchall()]


REPORT_DUTY_COLUMNS = (
    "case_id",
    "duty_id",
    "status",
    "start",
    "due",
    "sent_on",
    "required",
    "org",
    "late",
    "late_reason",
)
"""The columns of the report's duty rows (`org` is the case's; `late` and `late_reason`
are the duty record's)."""


def report_rows(vault: Vault) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The report's input: every duty (`REPORT_DUTY_COLUMNS`) and every case, with the
    incident's outcome and stillbirth flag, each subject's date of birth and unborn flag,
    and the CDOP category lifted from the document."""
    with translate_errors():
        columns = REPORT_DUTY_COLUMNS
        duty_cursor = vault.db.execute(
            "SELECT duties.case_id, duty_id, status, start, due, sent_on, required, cases.org, "
            "duties.late, duties.late_reason "
            "FROM duties JOIN cases ON cases.id = duties.case_id"
        )
        duties = [dict(zip(columns, r, strict=True)) for r in duty_cursor.fetchall()]
        case_rows = vault.db.execute(
            "SELECT id, org, kind, decision, aware_date, event_date, document FROM cases"
        ).fetchall()
    cases = []
    for case_id, org, kind, decision, aware, event, document in case_rows:
        parsed = json.loads(document)
        incident = parsed.get("incident") or {}
        cases.append(
            {
                "id": case_id,
                "org": org,
                "kind": kind,
                "decision": decision,
                "aware_date": aware,
                "event_date": event,
                "outcome": incident.get("outcome"),
                "stillbirth_or_planned_termination": bool(
                    incident.get("stillbirth_or_planned_termination")
                ),
                "subjects": [
                    {
                        "date_of_birth": subject.get("date_of_birth"),
                        "unborn": bool(subject.get("unborn")),
                    }
                    for subject in parsed.get("subjects") or []
                ],
                "cdop_category": (parsed.get("office") or {}).get("cdop", {}).get("category"),
            }
        )
    return duties, cases


def audit_events(vault: Vault, *, case_id: str | None, limit: int | None) -> list[Event]:
    """Events newest first (by time, then id), of one case when `case_id` is given."""
    sql = "SELECT body FROM events"
    params: list[Any] = []
    if case_id is not None:
        sql += " WHERE case_id = ?"
        params.append(case_id)
    sql += " ORDER BY at DESC, id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [Event.model_validate_json(row[0]) for row in vault.db.execute(sql, params)]


def export_rows(vault: Vault) -> list[dict[str, Any]]:
    """Every bundle this vault made, with who made it and the peer's organisation."""
    return _dict_rows(
        vault,
        "SELECT sync_sent.created_at, sync_sent.made_by, sync_sent.peer, sync_sent.events, "
        "sync_sent.manifest_sha256, devices.org FROM sync_sent "
        "LEFT JOIN devices ON devices.device_id = sync_sent.peer",
    )
