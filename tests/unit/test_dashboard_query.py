"""Dashboard query logic without Textual: counts, filters, sorting, labels, paging.

The pager (`Session.duty_pages`, SQL) is checked against an in-memory copy of the same
filters and sort order, kept here as the test's oracle (`oracle_apply`, `oracle_count`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from notify_tui.demo.vault import open_demo_vault
from notify_tui.domain.dashboard import (
    SORT_KEYS,
    STATUS_FILTERS,
    Counts,
    DashboardQuery,
    DutyRow,
    duty_label,
    end_of_week,
    short_recipients,
)
from notify_tui.services.session import Session
from notify_tui.services.types import OpenDuty
from notify_tui.views.dashboard import format_due

TODAY = date(2026, 11, 23)  # a Monday
PAGE_SIZE = 200

# -- the oracle: the dashboard's filters and sort order, in memory --------------------

URGENCY_ORDER = {"overdue": 0, "due today": 1, "due soon": 2, "later": 3, "no date": 4, "done": 5}


def duty_row_from_view(view: OpenDuty) -> DutyRow:
    """A dashboard row built from one row of `Session.open_duties`."""
    due = view.due
    return DutyRow(
        case_id=view.case_id,
        kind=view.kind or "",
        initials=view.initials or "",
        names=view.names or "",
        duty_id=view.duty,
        duty=duty_label(view.duty, view.title),
        recipients=short_recipients(view.recipients),
        due=date.fromisoformat(due) if due else None,
        working_days_left=view.working_days_left,
        urgency=view.urgency,
        status=view.status,
        org=view.org or "",
        sent_on=date.fromisoformat(view.sent_on) if view.sent_on else None,
        working_days_late=view.working_days_late,
        withdrawal_pending=view.withdrawal_pending is not None,
    )


def oracle_count(rows: Iterable[DutyRow], today: date) -> Counts:
    """Counts of open duties; "this week" runs from today to Sunday, today included."""
    overdue = due_today = this_week = 0
    week_end = end_of_week(today)
    for row in rows:
        if row.status != "open" or row.due is None:
            continue
        if row.due < today:
            overdue += 1
        else:
            due_today += row.due == today
            this_week += row.due <= week_end
    return Counts(overdue, due_today, this_week)


def _sort_value(row: DutyRow, key: str, full_names: bool) -> tuple[Any, ...]:
    due = (row.due is None, row.due or date.max)
    if key == "due":
        return (*due, row.case_id, row.duty_id)
    if key == "left":
        left = row.working_days_left
        return (left is None, left if left is not None else 0, *due, row.case_id)
    if key == "status":
        return (URGENCY_ORDER.get(row.urgency, 9), row.status, *due, row.case_id)
    text = {
        "case": row.case_id,
        "subject": row.subject(full_names).casefold(),
        "kind": row.kind_label,
        "duty": row.duty,
        "recipient": row.recipients,
        "la": row.org,
    }[key]
    return (text, *due, row.case_id, row.duty_id)


def oracle_matches(
    query: DashboardQuery, row: DutyRow, case_ids: frozenset[str] | None = None
) -> bool:
    """Whether a row passes the filters (`case_ids` stands in for the search)."""
    if query.kind is not None and row.kind != query.kind:
        return False
    if case_ids is not None and row.case_id not in case_ids:
        return False
    if query.la is not None and row.org != query.la:
        return False
    if query.status == "all":
        return True
    if query.status == "done":
        return row.status != "open"
    if row.status != "open":
        return False
    if query.status == "overdue":
        return row.urgency == "overdue"
    if query.status == "due this week":
        return row.due is not None and row.due <= end_of_week(query.today)
    return True


def oracle_apply(
    query: DashboardQuery, rows: Iterable[DutyRow], case_ids: frozenset[str] | None = None
) -> list[DutyRow]:
    """The matching rows in display order."""
    chosen = [row for row in rows if oracle_matches(query, row, case_ids)]
    chosen.sort(
        key=lambda row: _sort_value(row, query.sort_key, query.full_names),
        reverse=query.descending,
    )
    return chosen


def page(rows: Sequence[DutyRow], start: int, size: int = PAGE_SIZE) -> Sequence[DutyRow]:
    """One page of rows from `start`."""
    return rows[start : start + size]


# -- the tests ---------------------------------------------------------------------


def row(case_id: str, due: date | None, status: str = "open", **extra: Any) -> DutyRow:
    left = None if due is None or status != "open" else (due - TODAY).days
    if status != "open":
        urgency = "done"
    elif due is None:
        urgency = "no date"
    elif due < TODAY:
        urgency = "overdue"
    elif due == TODAY:
        urgency = "due today"
    else:
        urgency = "later"
    values: dict[str, Any] = {
        "case_id": case_id,
        "kind": "serious_incident",
        "initials": "AF",
        "names": "Ada Fictional",
        "duty_id": "panel-notification",
        "duty": "Panel notification",
        "recipients": "Panel",
        "due": due,
        "working_days_left": left,
        "urgency": urgency,
        "status": status,
    }
    values.update(extra)
    return DutyRow(**values)


ROWS = [
    row("SI-B", date(2026, 11, 20)),  # overdue (Friday)
    row("SI-A", TODAY),  # due today
    row("CD-C", date(2026, 11, 27), kind="child_death"),  # Friday this week
    row("CL-D", date(2026, 11, 30), kind="care_leaver_death"),  # next Monday
    row("SI-E", date(2026, 11, 18), status="sent"),
    row("SI-F", None),
]


def test_counts_this_week_run_from_today_to_sunday() -> None:
    counts = oracle_count(ROWS, TODAY)
    assert (counts.overdue, counts.due_today, counts.due_this_week) == (1, 1, 2)
    assert counts.describe() == "1 overdue · 1 due today · 2 due this week"
    assert end_of_week(TODAY) == date(2026, 11, 29)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("open", ["SI-B", "SI-A", "CD-C", "CL-D", "SI-F"]),
        ("overdue", ["SI-B"]),
        ("due this week", ["SI-B", "SI-A", "CD-C"]),
        ("done", ["SI-E"]),
        ("all", ["SI-E", "SI-B", "SI-A", "CD-C", "CL-D", "SI-F"]),
    ],
)
def test_status_filters(status: str, expected: list[str]) -> None:
    query = DashboardQuery(status=status, today=TODAY)  # type: ignore[arg-type]
    assert [r.case_id for r in oracle_apply(query, ROWS)] == expected


def test_cycling_filters_and_sorting() -> None:
    query = DashboardQuery(today=TODAY)
    assert query.next_status().status == "overdue"
    assert query.next_kind().kind == "serious_incident"
    assert query.next_kind().next_kind().next_kind().next_kind().kind is None
    by_case = query.sorted_by("case")
    assert [r.case_id for r in oracle_apply(by_case, ROWS)] == [
        "CD-C",
        "CL-D",
        "SI-A",
        "SI-B",
        "SI-F",
    ]
    assert by_case.sorted_by("case").descending
    with pytest.raises(ValueError, match="unknown sort key"):
        query.sorted_by("nonsense")


def test_search_and_kind_limit_rows() -> None:
    query = DashboardQuery(status="all", kind="serious_incident", today=TODAY)
    assert {r.case_id for r in oracle_apply(query, ROWS)} == {"SI-A", "SI-B", "SI-E", "SI-F"}
    searched = DashboardQuery(status="all", today=TODAY)
    assert [r.case_id for r in oracle_apply(searched, ROWS, frozenset({"CD-C"}))] == ["CD-C"]


def test_labels_say_what_colour_means() -> None:
    assert row("X", date(2026, 11, 20)).status_label == "OVERDUE"
    assert row("X", TODAY).status_label == "DUE TODAY"
    assert row("X", TODAY, status="not_notifying").status_label == "not notifying"
    sent = {"sent_on": date(2026, 11, 20)}
    assert row("X", TODAY, status="sent", **sent).status_label == "sent 20 Nov · on time"
    late = {"sent_on": date(2026, 11, 20), "working_days_late": 2}
    assert row("X", TODAY, status="acknowledged", **late).status_label == (
        "sent 20 Nov · late · ack"
    )
    pending = row("X", date(2026, 11, 20), withdrawal_pending=True)
    assert pending.status_label == "OVERDUE · withdrawal pending"
    assert row("X", TODAY).subject(False) == "AF"
    assert row("X", TODAY).subject(True) == "Ada Fictional"
    assert format_due(TODAY) == "Mon 23 Nov 2026"
    assert format_due(None) == "-"


def test_short_recipients() -> None:
    assert (
        short_recipients(
            [
                "Secretary of State for Education (DfE, via the online notification system)",
                "Ofsted (via the online notification system)",
            ]
        )
        == "DfE + Ofsted"
    )
    assert short_recipients([]) == "-"


def test_page() -> None:
    items = [row(f"SI-{n:03d}", TODAY) for n in range(450)]
    assert len(page(items, 0)) == 200
    assert len(page(items, 400)) == 50


@pytest.fixture(scope="module")
def demo_session() -> Iterator[Session]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())
        with open_demo_vault(count=15, seed=3) as demo:
            yield demo.session


@pytest.mark.parametrize("sort_key", SORT_KEYS)
@pytest.mark.parametrize("status", STATUS_FILTERS)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("page_size", [7, 2])
def test_pages_from_the_vault_match_the_in_memory_query(
    demo_session: Session, sort_key: str, status: str, descending: bool, page_size: int
) -> None:
    """`DutyPages` (SQL, paged) selects and orders exactly as `apply` does in memory.

    Pages of 7 are all near an end of the ~30 rows (read forwards or backwards); pages
    of 2 also reach the middle, read from the whole key order kept once.
    """
    query = replace(
        DashboardQuery(status=status, today=TODAY),  # type: ignore[arg-type]
        sort_key=sort_key,
        descending=descending,
    )
    everything = [duty_row_from_view(view) for view in demo_session.open_duties()]
    expected = [(r.case_id, r.duty_id) for r in oracle_apply(query, everything)]
    pages = demo_session.duty_pages(query, page_size=page_size)
    assert len(pages) == len(expected)
    # The last page first, then the rest: each page must not depend on the ones before.
    if expected:
        assert (pages[-1].case_id, pages[-1].duty_id) == expected[-1]
    assert [(r.case_id, r.duty_id) for r in pages] == expected
    assert list(pages[3:10]) == list(pages)[3:10]
    assert demo_session.duty_counts(TODAY) == oracle_count(everything, TODAY)


@pytest.mark.parametrize("sort_key", SORT_KEYS)
@pytest.mark.parametrize("narrowed", ["kind", "own la", "other la", "search"])
def test_filtered_pages_match_the_in_memory_query(
    demo_session: Session, sort_key: str, narrowed: str
) -> None:
    """Kind, LA and search filters with every sort key, against `apply` in memory. Each
    filter keeps fewer rows than it is given (or, for our own LA in our own vault,
    all of them), so a filter left out of the SQL shows."""
    everything = [duty_row_from_view(view) for view in demo_session.open_duties()]
    query = replace(DashboardQuery(status="all", today=TODAY), sort_key=sort_key)
    if narrowed == "kind":
        query = replace(query, kind="serious_incident")
    elif narrowed == "own la":
        query = replace(query, la=demo_session.identity.org)
    elif narrowed == "other la":
        query = replace(query, la="Elsewhere Council (fictional)")
    else:
        ids = {summary.id for summary in demo_session.list_cases(search="Overdue")}
        assert 0 < len(ids) < len({row.case_id for row in everything})
        query = replace(query, search="Overdue")
    searched = frozenset(ids) if narrowed == "search" else None
    expected = [(r.case_id, r.duty_id) for r in oracle_apply(query, everything, searched)]
    if narrowed == "own la":
        assert len(expected) == len(everything)
    else:
        assert len(expected) < len(everything)
    pages = demo_session.duty_pages(query, page_size=2)
    assert len(pages) == len(expected)
    assert [(r.case_id, r.duty_id) for r in pages] == expected


def test_search_pages_only_matching_cases(demo_session: Session) -> None:
    query = DashboardQuery(status="all", search="Fictional", today=TODAY)
    ids = {summary.id for summary in demo_session.list_cases(search="Fictional")}
    assert ids and {row.case_id for row in demo_session.duty_pages(query)} <= ids


def test_held_pages_follow_a_change_to_the_vault(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages read before a duty was sent, then read again, count and order as new ones do
    (no short page, no row shifted from its neighbour)."""
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())
    with open_demo_vault(count=15, seed=3) as demo:
        session = demo.session
        query = DashboardQuery(status="open", today=TODAY)
        held = session.duty_pages(query, page_size=2)
        before = len(held)
        held[0], held[before - 1], held[before // 2]  # every way of reading a page
        session.mark_sent(demo.ids["due_today"], "panel-notification", TODAY, "REF-9")
        fresh = session.duty_pages(query, page_size=2)
        assert len(held) == len(fresh) == before - 1
        assert [(r.case_id, r.duty_id) for r in held] == [(r.case_id, r.duty_id) for r in fresh]
