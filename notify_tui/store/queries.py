"""Reads of the projection: case lists, one case, duties, and the report's input rows.

Every statement here reads the projection tables (`cases`, `duties`, `cases_fts`),
never the event log's bodies, and returns plain rows; `notify_tui.services` turns them
into the dataclasses the shells show.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from notify_tui.domain.reports import DutyGroup, ReportInputs, TakenGroup
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


LIST_PAGE = 2000
"""Rows fetched from the vault at a time by the long reads (lists, deadlines, report)."""


def _paged(vault: Vault, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
    """The rows of one read, fetched `LIST_PAGE` at a time (never one list of them all)."""
    with translate_errors():
        cursor = vault.db.execute(sql, list(params))
        while page := cursor.fetchmany(LIST_PAGE):
            yield from page


def case_list(
    vault: Vault,
    *,
    kind: str | None = None,
    search: str | None = None,
    due_before: date | None = None,
    due_by: date | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Rows of `cases` (values of `CASE_LIST_COLUMNS`, in order), soonest next deadline
    first (undated last), then by id.

    `search` matches every word as a prefix in the full-text index; `due_before` keeps
    cases whose next deadline is before that day, `due_by` those due on or before it.
    Read from the `cases_list` index (migration 12), which holds every column in this
    order, a page at a time.
    """
    where, params = ["1 = 1"], []
    if kind:
        where.append("kind = ?")
        params.append(kind)
    if search:
        where.append("rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)")
        params.append(fts_query(search))
    order = "next_due IS NULL, next_due, id"
    if due_before is not None or due_by is not None:
        # Only dated cases: `(next_due IS NULL) = 0` lets the index seek to them, and
        # without the undated-last term the index gives the order (no sort).
        where.append("(next_due IS NULL) = 0")
        order = "next_due, id"
    if due_before is not None:
        where.append("next_due < ?")
        params.append(due_before.isoformat())
    if due_by is not None:
        where.append("next_due <= ?")
        params.append(due_by.isoformat())
    sql = (
        f"SELECT {', '.join(CASE_LIST_COLUMNS)} FROM cases INDEXED BY cases_list WHERE "
        + " AND ".join(where)
        + f" ORDER BY {order}"
    )
    return _paged(vault, sql, params)


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


DUTY_COLUMNS = (
    "case_id",
    "duty_id",
    "required",
    "title",
    "recipients",
    "start",
    "due",
    "deadline",
    "reasons",
    "source",
    "rule_version",
    "status",
    "sent_on",
    "reference",
    "withdrawn_reason",
    "acknowledged_on",
    "late",
    "late_reason",
    "sent_recorded_on",
    "recorded_late",
    "acknowledged_recorded_on",
    "acknowledged_recorded_late",
    "withdrawal_pending",
    "withdrawal_requested_by",
    "withdrawal_confirmed_by",
    "subject",
    "corrections",
)
"""The columns of `duties` a duty's view shows (`deadline_rows` gives them in order)."""


def deadline_keys(vault: Vault, due_by: date) -> Iterator[tuple[str, str, str]]:
    """(case id, duty id, due date) of each open duty due on or before `due_by`, in the
    order of `deadline_rows`, from the `(status, due IS NULL, due, case, duty)` index
    alone (no duty row is read), a page at a time."""
    return _paged(
        vault,
        "SELECT case_id, duty_id, due FROM duties INDEXED BY duties_by_status_due "
        "WHERE status = 'open' AND (due IS NULL) = 0 AND due <= ? "
        "ORDER BY due, case_id, duty_id",
        [due_by.isoformat()],
    )


def deadline_rows(vault: Vault, due_by: date) -> Iterator[tuple[Any, ...]]:
    """Open duties (values of `DUTY_COLUMNS`) with a due date on or before `due_by`,
    soonest first, then by case and duty, a page at a time.

    The order and the filter come from the `(status, due IS NULL, due, case, duty)`
    index, so no row is read but those listed and nothing is sorted."""
    return _paged(
        vault,
        f"SELECT {', '.join(DUTY_COLUMNS)} FROM duties INDEXED BY duties_by_status_due "
        "WHERE status = 'open' AND (due IS NULL) = 0 AND due <= ? "
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


_REPORT_FROM = (
    "FROM duties INDEXED BY duties_report "
    "JOIN cases INDEXED BY cases_org_by_id ON cases.id = duties.case_id"
)
"""Duties with their case's LA, from two narrow indexes (migration 12): no wide row."""

_COUNTED = "duties.required != 0 AND duties.start BETWEEN ? AND ?"
"""The duties a report counts in its period (rule 1 of docs/reports.md)."""


def organisations(vault: Vault) -> list[str]:
    """The LAs whose cases the vault holds, sorted."""
    with translate_errors():
        rows = vault.db.execute("SELECT DISTINCT org FROM cases ORDER BY org").fetchall()
    return [str(org) for (org,) in rows]


def report_inputs(vault: Vault, start: date, end: date, la: str | None) -> ReportInputs:
    """The report's input, aggregated in SQL (see `domain.reports.report_from_inputs`):
    counts per duty, LA, status and flag; working days taken per start and sent date;
    the few rows listed by name (not notifying, late sends, deaths in the period); and
    every open duty, read a page at a time. No case document is read but those of the
    deaths in the period, and only three fields of each."""
    scope, scope_params = ("", []) if la is None else (" AND cases.org = ?", [la])
    period = [start.isoformat(), end.isoformat(), *scope_params]
    sent = "duties.status IN ('sent', 'acknowledged') AND coalesce(duties.sent_on, '') != ''"
    with translate_errors():
        db = vault.db
        las = tuple(organisations(vault)) if la is None else (la,)
        groups = tuple(
            DutyGroup(str(duty_id), str(org), str(status), bool(dated), bool(late), int(n))
            for duty_id, org, status, dated, late, n in db.execute(
                "SELECT duties.duty_id, cases.org, duties.status, "
                "coalesce(duties.sent_on, '') != '' AND coalesce(duties.due, '') != '', "
                f"duties.late != 0, count(*) {_REPORT_FROM} WHERE {_COUNTED}{scope} "
                "GROUP BY 1, 2, 3, 4, 5",
                period,
            ).fetchall()
        )
        taken = tuple(
            TakenGroup(str(duty_id), str(org), str(first), str(sent_on), int(n))
            for duty_id, org, first, sent_on, n in db.execute(
                f"SELECT duties.duty_id, cases.org, duties.start, duties.sent_on, count(*) "
                f"{_REPORT_FROM} WHERE {_COUNTED}{scope} AND {sent} GROUP BY 1, 2, 3, 4",
                period,
            ).fetchall()
        )
        not_notifying = tuple(
            str(case_id)
            for (case_id,) in db.execute(
                f"SELECT duties.case_id {_REPORT_FROM} WHERE {_COUNTED}{scope} "
                "AND duties.duty_id = 'panel-notification' "
                "AND duties.status = 'not_notifying' ORDER BY duties.case_id",
                period,
            ).fetchall()
        )
        late_columns = ("case_id", "org", "duty_id", "due", "sent_on", "late_reason")
        late = tuple(
            dict(zip(late_columns, row, strict=True))
            for row in db.execute(
                "SELECT duties.case_id, cases.org, duties.duty_id, duties.due, duties.sent_on, "
                f"duties.late_reason {_REPORT_FROM} WHERE {_COUNTED}{scope} AND {sent} "
                "AND coalesce(duties.due, '') != '' AND duties.late != 0 "
                "ORDER BY duties.sent_on, duties.case_id, duties.duty_id",
                period,
            ).fetchall()
        )
        deaths = tuple(
            _death(row)
            for row in db.execute(
                "SELECT id, org, kind, event_date, outcome, "
                "json_extract(document, '$.incident.stillbirth_or_planned_termination'), "
                "json_extract(document, '$.subjects'), "
                "json_extract(document, '$.office.cdop.category') FROM cases "
                # The ids from the index, then the rows in the file's order: each page
                # of documents is read (and decrypted) once, not once per case on it.
                "WHERE rowid IN (SELECT rowid FROM cases INDEXED BY cases_by_outcome "
                "WHERE outcome = 'died' AND event_date BETWEEN ? AND ?"
                + ("" if la is None else " AND org = ?")
                + ")",
                period,
            ).fetchall()
        )
    open_duties = _paged(
        vault,
        "SELECT duties.case_id, cases.org, duties.duty_id, duties.required, duties.due "
        f"{_REPORT_FROM} WHERE duties.status = 'open'{scope} "
        "ORDER BY duties.due IS NULL, duties.due, duties.case_id, duties.duty_id",
        scope_params,
    )
    return ReportInputs(
        las=las,
        groups=groups,
        taken=taken,
        not_notifying=not_notifying,
        late=late,
        deaths=deaths,
        open=open_duties,
    )


def _death(row: Sequence[Any]) -> dict[str, Any]:
    """A case that died, as `domain.reports.child_who_died` reads it."""
    case_id, org, kind, event_date, outcome, stillbirth, subjects, category = row
    return {
        "id": case_id,
        "org": org,
        "kind": kind,
        "event_date": event_date,
        "outcome": outcome,
        "stillbirth_or_planned_termination": bool(stillbirth),
        "subjects": [
            {"date_of_birth": subject.get("date_of_birth"), "unborn": bool(subject.get("unborn"))}
            for subject in (json.loads(subjects) if subjects else None) or []
        ],
        "cdop_category": category,
    }


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
