"""The dashboard's duties, read from the vault a page at a time.

`DutyPages` runs a `DashboardQuery` against the projection one page (`PAGE_SIZE` rows)
at a time, so a vault of 100,000 cases never turns into 100,000 Python objects or
table rows; `count_open` gets the header counts with one aggregate query. Reads go
through the session's owner (`Owner.run`), where the vault's connection lives; the
Session hands a pager out with `Session.duty_pages`.

The SQL here reads the projection tables only (`duties`, `cases`, `cases_fts`, and
`duty_case_sort`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, overload

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.dashboard import (
    KIND_SHORT,
    Counts,
    DashboardQuery,
    DutyRow,
    duty_label,
    duty_labels,
    end_of_week,
    short_recipients,
    subject_part,
)
from notify_tui.domain.duty_states import working_days_late
from notify_tui.domain.rules import base_duty_id
from notify_tui.domain.urgency import SOON_WORKING_DAYS, urgency
from notify_tui.store.connection import translate_errors
from notify_tui.store.owner import InlineOwner, Owner
from notify_tui.store.queries import fts_query
from notify_tui.store.vault import Vault

PAGE_SIZE = 200
"""Rows added to the table at a time."""


def _rows(vault: Vault, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """Run one read (on the caller's thread: pass it to the owner)."""
    with translate_errors():
        return list(vault.db.execute(sql, list(params)).fetchall())


def _total_changes(vault: Vault) -> int:
    """Rows changed since the connection opened: a cheap "did anything change?"."""
    return int(vault.db.conn.total_changes)


_SELECT = (
    "SELECT duties.case_id, duties.duty_id, duties.title, duties.recipients, duties.due, "
    "duties.status, cases.kind, cases.initials, cases.names, cases.org, cases.conflicts, "
    "duties.sent_on, duties.withdrawal_pending, duties.subject "
    "FROM duties JOIN cases ON cases.id = duties.case_id"
)


def _where(query: DashboardQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    today = query.today.isoformat()
    if query.status == "open":
        clauses.append("duties.status = 'open'")
    elif query.status == "overdue":
        # `(due IS NULL) = 0` lets the duties_by_status_sort index serve the order too.
        clauses.append("duties.status = 'open' AND (duties.due IS NULL) = 0 AND duties.due < ?")
        params.append(today)
    elif query.status == "due this week":
        clauses.append("duties.status = 'open' AND (duties.due IS NULL) = 0 AND duties.due <= ?")
        params.append(end_of_week(query.today).isoformat())
    elif query.status == "done":
        clauses.append("duties.status != 'open'")
    if query.kind is not None:
        clauses.append("cases.kind = ?")
        params.append(query.kind)
    if query.la is not None:
        clauses.append("cases.org = ?")
        params.append(query.la)
    if query.search:
        clauses.append("cases.rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)")
        params.append(fts_query(query.search))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _order(
    query: DashboardQuery, calendar: WorkingDayCalendar, recipient_labels: Mapping[str, str]
) -> tuple[str, list[Any]]:
    direction = " DESC" if query.descending else ""
    due = [f"duties.due IS NULL{direction}", f"duties.due{direction}"]
    if query.status in ("overdue", "due this week"):
        due = due[1:]  # every row has a date: the undated-last term would force a sort
    tail = [f"duties.case_id{direction}", f"duties.duty_id{direction}"]
    params: list[Any] = []
    if query.sort_key == "due":
        terms = due + tail
    elif query.sort_key == "left":
        # Done and undated duties have no "days left": they go after the rest.
        terms = [f"(duties.status != 'open' OR duties.due IS NULL){direction}", *due, *tail]
    elif query.sort_key == "status":
        today = query.today
        soon = calendar.add_working_days(today, SOON_WORKING_DAYS)
        terms = [
            "CASE WHEN duties.status != 'open' THEN 5 WHEN duties.due IS NULL THEN 4 "
            "WHEN duties.due < ? THEN 0 WHEN duties.due = ? THEN 1 WHEN duties.due <= ? "
            f"THEN 2 ELSE 3 END{direction}",
            f"duties.status{direction}",
            *due,
            *tail,
        ]
        params = [today.isoformat(), today.isoformat(), soon.isoformat()]
    else:
        # Sort by what the column shows (a duty's short name, not its stored title).
        key = query.sort_key
        if key == "kind":
            column, params = _labelled("cases.kind", {k.value: v for k, v in KIND_SHORT.items()})
        elif key == "duty":
            column, params = _labelled("duties.duty_id", duty_labels(), "duties.title")
        elif key == "recipient":
            column, params = _labelled("duties.recipients", recipient_labels)
        elif key == "subject":
            column = "lower(cases.names)" if query.full_names else "cases.initials"
        else:
            column = {"case": "duties.case_id", "la": "cases.org"}[key]
        terms = [f"{column}{direction}", *due, *tail]
    return " ORDER BY " + ", ".join(terms), params


def _labelled(
    column: str, labels: Mapping[str, str], otherwise: str | None = None
) -> tuple[str, list[Any]]:
    """An SQL expression giving a stored value's label, with its parameters."""
    if not labels:
        return otherwise or column, []
    whens = " ".join("WHEN ? THEN ?" for _ in labels)
    params = [item for pair in labels.items() for item in pair]
    return f"CASE {column} {whens} ELSE {otherwise or column} END", params


def _recipient_labels(vault: Vault) -> dict[str, str]:
    """Each stored recipient list (a handful of distinct ones) and its short label."""
    stored = _rows(vault, "SELECT DISTINCT recipients FROM duties")
    return {value: short_recipients(json.loads(value)) for (value,) in stored if value}


CASE_SORT_KEYS = ("subject", "kind", "la")
"""Sort keys that are columns of the case, kept per duty in `duty_case_sort`."""

_NEAR_AN_END = 3
"""Pages this close to the start (or end) are read with LIMIT/OFFSET from that end."""


def _key_source(query: DashboardQuery, where: str, order: str) -> tuple[str, bool]:
    """The FROM clause that orders a query's duty keys cheaply, and whether the `cases.`
    columns in its WHERE and ORDER BY must be read from `duty_case_sort` (as `duties.`).

    Migration 4 explains the tables: sorting wide joined rows took seconds at 100k cases.
    """
    if query.search or query.sort_key == "due":
        # Full-text search needs `cases.rowid`; the due order comes straight from an index.
        joined = "cases." in where or "cases." in order
        return ("duties JOIN cases ON cases.id = duties.case_id" if joined else "duties"), False
    if query.sort_key in CASE_SORT_KEYS:
        return "duty_case_sort AS duties", True
    if "cases." in where:  # a kind or LA filter with a duty-side sort key
        return (
            "duties INDEXED BY duties_by_status_sort JOIN duty_case_sort AS cases "
            "ON cases.case_id = duties.case_id AND cases.duty_id = duties.duty_id"
        ), False
    # Covers the status filter and every duty-side sort key: no table reads.
    return "duties INDEXED BY duties_by_status_sort", False


class DutyPages(Sequence[DutyRow]):
    """The duties a query selects, read from the vault a page at a time.

    Behaves as a read-only sequence (length, index, slice) for `VirtualTable`; pages are
    cached until the next `DutyPages` is made, which is what a reload does.

    A page is read in two steps: the keys (case id, duty id) of its rows in order, from
    narrow indexes and `duty_case_sort`, then those rows in full by key. Pages near
    the start are read forwards, pages near the end backwards (the order ends in the
    primary key, so reversing every term reverses it exactly); the first page in
    between reads the whole key order once and keeps it.

    If the vault changes while it is held (a screen on top recorded something and the
    table repaints before the dashboard reloads), it counts and reads again rather than
    serve pages that no longer fit together.
    """

    def __init__(
        self,
        vault: Vault,
        calendar: WorkingDayCalendar,
        query: DashboardQuery,
        *,
        owner: Owner | None = None,
        page_size: int = PAGE_SIZE,
        local_clock: tuple[WorkingDayCalendar, frozenset[str]] | None = None,
    ) -> None:
        self._vault = vault
        self._calendar = calendar
        # Local rules' duties count their working days left on the local calendar.
        self._local_calendar, self._local_duties = local_clock or (calendar, frozenset())
        self._owner: Owner = owner or InlineOwner()
        self.query = query
        self.page_size = page_size
        self._pages: dict[int, list[DutyRow]] = {}
        self._keys: list[tuple[str, str]] | None = None
        where, where_params = _where(query)
        labels = self._owner.run(_recipient_labels, vault) if query.sort_key == "recipient" else {}
        order, order_params = _order(query, calendar, labels)
        reversed_query = replace(query, descending=not query.descending)
        backwards, backwards_params = _order(reversed_query, calendar, labels)
        source, in_side_table = _key_source(query, where, order)

        def local(text: str) -> str:
            return text.replace("cases.", "duties.") if in_side_table else text

        head = f"SELECT duties.case_id, duties.duty_id FROM {source}{local(where)}"
        self._forwards = (head + local(order), [*where_params, *order_params])
        self._backwards = (head + local(backwards), [*where_params, *backwards_params])
        # Count without the wide join: from the duties indexes alone, or from the side
        # table when the kind or LA filter needs case columns.
        if query.search:
            counted, counted_where = "duties JOIN cases ON cases.id = duties.case_id", where
        elif query.kind is not None or query.la is not None:
            counted, counted_where = "duty_case_sort AS duties", where.replace("cases.", "duties.")
        else:
            counted, counted_where = "duties", where
        self._count = (f"SELECT COUNT(*) FROM {counted}{counted_where}", where_params)
        self._length = 0
        self._changes = -1
        self._fresh()

    def _fresh(self) -> None:
        """Count (again) if the vault changed since the last count; drop what was read.

        One trip to the owner, so no write lands between the check and the count."""
        self._owner.run(self._fresh_on_owner)

    def _fresh_on_owner(self) -> None:
        changes = _total_changes(self._vault)
        if changes == self._changes:
            return
        sql, params = self._count
        self._length = int(self._read(sql, params)[0][0])
        self._pages, self._keys, self._changes = {}, None, changes

    def __len__(self) -> int:
        self._fresh()
        return self._length

    def _keys_between(self, start: int, end: int) -> list[tuple[str, str]]:
        if self._keys is not None:
            return self._keys[start:end]
        near = _NEAR_AN_END * self.page_size
        if start < near:
            sql, params = self._forwards
            rows = self._read(sql + " LIMIT ? OFFSET ?", [*params, end - start, start])
            return [(case_id, duty_id) for case_id, duty_id in rows]
        if self._length - end < near:
            sql, params = self._backwards
            rows = self._read(sql + " LIMIT ? OFFSET ?", [*params, end - start, self._length - end])
            return [(case_id, duty_id) for case_id, duty_id in reversed(rows)]
        sql, params = self._forwards
        self._keys = [(case_id, duty_id) for case_id, duty_id in self._read(sql, params)]
        return self._keys[start:end]

    def _read(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """Run one read where the vault's connection lives."""
        return self._owner.run(_rows, self._vault, sql, params)

    def _page(self, number: int) -> list[DutyRow]:
        """One page of rows, read in one trip to the owner: the count, the keys and the
        rows all see the same state of the vault (a write cannot land between them)."""
        return self._owner.run(self._page_on_owner, number)

    def _page_on_owner(self, number: int) -> list[DutyRow]:
        self._fresh_on_owner()
        if number not in self._pages:
            start = number * self.page_size
            keys = self._keys_between(start, min(self._length, start + self.page_size))
            case_ids = sorted({case_id for case_id, _ in keys})
            found: dict[tuple[str, str], Sequence[Any]] = {}
            if case_ids:
                marks = ", ".join("?" * len(case_ids))
                for values in self._read(f"{_SELECT} WHERE duties.case_id IN ({marks})", case_ids):
                    found[(values[0], values[1])] = values
            self._pages[number] = [self._row(found[key]) for key in keys if key in found]
        return self._pages[number]

    def _row(self, values: Sequence[Any]) -> DutyRow:
        case_id, duty_id, title, recipients, due, status, kind, initials, names, org = values[:10]
        conflicts, sent, pending, subject = values[10:14]
        due_date = date.fromisoformat(due) if due else None
        sent_on = date.fromisoformat(sent) if sent else None
        local = base_duty_id(duty_id) in self._local_duties
        calendar = self._local_calendar if local else self._calendar
        left = (
            calendar.working_days_left(self.query.today, due_date)
            if due_date is not None and status == "open"
            else None
        )
        return DutyRow(
            case_id=case_id,
            kind=kind or "",
            # A per-child duty shows its own child's initials (name), not the case's.
            initials=subject_part(initials or "", subject),
            names=subject_part(names or "", subject, " ; "),
            duty_id=duty_id,
            duty=duty_label(duty_id, title),
            recipients=short_recipients(json.loads(recipients)),
            due=due_date,
            working_days_left=left,
            urgency=urgency(status, left),
            status=status,
            org=org or "",
            conflicts=len(json.loads(conflicts)) if conflicts else 0,
            sent_on=sent_on,
            working_days_late=working_days_late(due_date, sent_on, calendar),
            withdrawal_pending=pending is not None,
        )

    @overload
    def __getitem__(self, index: int) -> DutyRow: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[DutyRow]: ...

    def __getitem__(self, index: int | slice) -> DutyRow | Sequence[DutyRow]:
        length = len(self)
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(length))]
        if index < 0:
            index += length
        if not 0 <= index < length:
            raise IndexError(index)
        return self._page(index // self.page_size)[index % self.page_size]

    def __iter__(self) -> Iterator[DutyRow]:
        for index in range(len(self)):
            yield self[index]


def count_open(vault: Vault, today: date) -> Counts:
    """The header counts: three counts of open duties, in one query."""
    today_text = today.isoformat()
    # Three range counts on the (status, due) index read only the matching index entries
    # (about 5 ms at 100k duties); one SUM over every open duty read them all (16 ms).
    overdue, due_today, this_week = _rows(
        vault,
        "SELECT (SELECT COUNT(*) FROM duties WHERE status = 'open' AND due < ?), "
        "(SELECT COUNT(*) FROM duties WHERE status = 'open' AND due = ?), "
        "(SELECT COUNT(*) FROM duties WHERE status = 'open' AND due >= ? AND due <= ?)",
        [today_text, today_text, today_text, end_of_week(today).isoformat()],
    )[0]
    return Counts(int(overdue), int(due_today), int(this_week))


def total_duties(vault: Vault) -> int:
    """How many duties the vault holds, in any state."""
    return int(_rows(vault, "SELECT COUNT(*) FROM duties")[0][0])


def las_held(vault: Vault) -> list[str]:
    """The organisations whose cases the vault holds (an LA: itself; the office: many)."""
    return [str(row[0]) for row in _rows(vault, "SELECT DISTINCT org FROM cases ORDER BY org")]
