"""The read paths `case list`, `deadlines` and `report` took before issue 19 (part 3),
kept verbatim as the reference the new ones must match, value for value.

They load every row (every case document, for the report) into Python and filter,
count and sort there; `tests/unit/test_read_paths.py` compares them with the covering
index reads and SQL aggregates that replaced them. Test code only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from notify_tui.domain.duty_states import working_days_late
from notify_tui.domain.models import CaseKind
from notify_tui.domain.reports import Period, build_report
from notify_tui.domain.urgency import urgency
from notify_tui.errors import InvalidInput
from notify_tui.services.session import Session, _iso_day, _report_from
from notify_tui.services.types import CaseSummary, DutyCorrection, DutyView, Report
from notify_tui.store.queries import fts_query
from notify_tui.store.vault import Vault

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


def _dict_rows(vault: Vault, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = vault.db.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]


def case_rows(
    vault: Vault,
    *,
    kind: str | None = None,
    search: str | None = None,
    due_before: date | None = None,
    due_by: date | None = None,
) -> list[dict[str, Any]]:
    """The old `queries.case_list`: whole rows of `cases`, sorted by SQLite."""
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
        f"SELECT {', '.join(CASE_LIST_COLUMNS)} FROM cases NOT INDEXED WHERE "
        + " AND ".join(where)
        + " ORDER BY next_due IS NULL, next_due, id"
    )
    rows = vault.db.execute(sql, params).fetchall()
    return [dict(zip(CASE_LIST_COLUMNS, row, strict=True)) for row in rows]


def left(session: Session, due: str | None) -> int | None:
    if due is None:
        return None
    return session.calendar.working_days_left(session.today(), date.fromisoformat(due))


def list_cases(
    session: Session,
    vault: Vault,
    *,
    overdue: bool = False,
    due_within: int | None = None,
    kind: str | None = None,
    search: str | None = None,
    full_names: bool = False,
) -> list[CaseSummary]:
    """The old `Session.list_cases` (without its checks of the options and its log entry)."""
    if kind is not None and kind not in CaseKind.__members__:
        raise InvalidInput(kind)
    today = session.today()
    due_by = None
    if due_within is not None:
        due_by = session.calendar.add_working_days(today, due_within) if due_within else today
    rows = case_rows(
        vault,
        kind=kind or None,
        search=search or None,
        due_before=today if overdue else None,
        due_by=due_by,
    )
    summaries = []
    for row in rows:
        days = left(session, row["next_due"])
        summaries.append(
            CaseSummary(
                id=row["id"],
                kind=row["kind"],
                org=row["org"],
                initials=row["initials"],
                names=row["names"] if full_names else "",
                next_due=row["next_due"],
                working_days_left=days,
                urgency=urgency("open" if row["open_duties"] else "sent", days),
                open_duties=row["open_duties"],
                decision=row["decision"],
                conflicts=tuple(json.loads(row["conflicts"])),
                created_at=row["created_at"],
                event_date=row["event_date"],
                aware_date=row["aware_date"],
                outcome=row["outcome"],
            )
        )
    return summaries


def duty_view(session: Session, row: Mapping[str, Any]) -> DutyView:
    """The old `Session._duty_view` of a duty row (no case initials: as `deadlines`)."""
    days = (
        (
            session.local_calendar
            if row["duty_id"].split("@")[0] in session.local_duties
            else session.calendar
        ).working_days_left(session.today(), date.fromisoformat(row["due"]))
        if (row["status"] == "open" and row["due"] is not None)
        else None
    )
    return DutyView(
        case_id=row["case_id"],
        duty=row["duty_id"],
        title=row["title"],
        required=bool(row["required"]),
        recipients=tuple(json.loads(row["recipients"])),
        start=row["start"],
        due=row["due"],
        deadline=row["deadline"],
        working_days_left=days,
        urgency=urgency(row["status"], days),
        status=row["status"],
        sent_on=row["sent_on"],
        reference=row["reference"],
        withdrawn_reason=row["withdrawn_reason"],
        acknowledged_on=row["acknowledged_on"],
        reasons=tuple(json.loads(row["reasons"])),
        source=row["source"],
        rule_version=row["rule_version"],
        late=bool(row["late"]),
        working_days_late=working_days_late(
            _iso_day(row["due"]), _iso_day(row["sent_on"]), session.calendar
        ),
        late_reason=row["late_reason"],
        sent_recorded_on=row["sent_recorded_on"],
        recorded_late=bool(row["recorded_late"]),
        acknowledged_recorded_on=row["acknowledged_recorded_on"],
        acknowledged_recorded_late=bool(row["acknowledged_recorded_late"]),
        withdrawal_pending=row["withdrawal_pending"],
        withdrawal_requested_by=row["withdrawal_requested_by"],
        withdrawal_confirmed_by=row["withdrawal_confirmed_by"],
        subject=row["subject"],
        subject_initials=None,
        corrections=tuple(
            DutyCorrection(
                part=c.get("part"),
                undone=c.get("undone"),
                reason=c.get("reason"),
                by=c.get("by"),
                date=c.get("date"),
            )
            for c in json.loads(row["corrections"] or "[]")
        ),
    )


def deadlines(session: Session, vault: Vault, within: int) -> list[DutyView]:
    """The old `Session.deadlines`: every column of each duty, sorted by SQLite."""
    today = session.today()
    limit = session.calendar.add_working_days(today, within) if within > 0 else today
    rows = _dict_rows(
        vault,
        "SELECT * FROM duties NOT INDEXED WHERE status = 'open' AND due IS NOT NULL "
        "AND due <= ? ORDER BY due, case_id, duty_id",
        [limit.isoformat()],
    )
    return [duty_view(session, row) for row in rows]


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


def report_rows(vault: Vault) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The old `queries.report_rows`: every duty, and every case with its document read."""
    duty_cursor = vault.db.execute(
        "SELECT duties.case_id, duty_id, status, start, due, sent_on, required, cases.org, "
        "duties.late, duties.late_reason "
        "FROM duties JOIN cases ON cases.id = duties.case_id"
    )
    duties = [dict(zip(REPORT_DUTY_COLUMNS, r, strict=True)) for r in duty_cursor.fetchall()]
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


def report_figures(
    session: Session, vault: Vault, start: date, end: date, la: str | None = None
) -> dict[str, Any]:
    """The old report's figures (`build_report` over every row), as a dict."""
    duties, cases = report_rows(vault)
    return build_report(duties, cases, Period(start, end), session.today(), session.calendar, la)


def report(session: Session, vault: Vault, start: date, end: date, la: str | None = None) -> Report:
    """The old `Session.report`'s value (without its log entry)."""
    return _report_from(report_figures(session, vault, start, end, la))
