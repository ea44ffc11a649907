"""Figures for leaders and inspectors, computed from projection rows (pure).

The counting rules are written down in `docs/reports.md`; each function here says which
rule it implements. Inputs are plain rows (dicts) so the figures can be checked by hand.
No names ever reach a report: cases appear by id and LA only.

Every duty count comes from the duty's status in the projection (open, sent,
acknowledged, withdrawn, not_notifying), so each duty counted lands in exactly one
column: raised = sent + still open; sent = sent within deadline + sent late (+ any
acknowledged with no sent date recorded, counted apart).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.models import age_on
from notify_tui.domain.rules import base_duty_id

NOTIFICATION_DUTIES = (
    "panel-notification",
    "lac-death-notification",
    "care-leaver-death-notification",
    "cdop-notification",
)
"""Duties that are notifications made by the LA (rule 1 of docs/reports.md)."""

FOLLOW_ON_DUTIES = ("rapid-review", "lcspr-publication")
"""The office's follow-on duties with their own timeliness (rules 4 and 5)."""

OWED = frozenset({"open", "sent", "acknowledged"})
"""Statuses of a duty that is counted as raised (withdrawn and not notifying are not)."""

DONE_SENT = frozenset({"sent", "acknowledged"})
AGE_BANDS = ("0-27 days", "28-364 days", "1-4 years", "5-9 years", "10-14 years", "15-17 years")
"""The CDOP/NCMD age bands, youngest first."""


@dataclass(frozen=True)
class Period:
    """The reporting period, both ends included."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def age_band(born: date, died: date) -> str:
    """The CDOP/NCMD age band of a child on the date of death."""
    days = (died - born).days
    if days <= 27:
        return "0-27 days"
    if days <= 364:
        return "28-364 days"
    years = age_on(born, died)
    if years <= 4:
        return "1-4 years"
    if years <= 9:
        return "5-9 years"
    if years <= 14:
        return "10-14 years"
    return "15-17 years"


def child_who_died(case: Mapping[str, Any]) -> date | None:
    """The date of birth of the first child of a case who died, or None (rule 7).

    A child death is a case, of any kind, whose outcome is "died", that is not a
    stillbirth or planned termination, with a subject born alive (a date of birth, not
    unborn) who was under 18 on the date of the event.
    """
    died = _day(case.get("event_date"))
    if case.get("outcome") != "died" or case.get("stillbirth_or_planned_termination"):
        return None
    if died is None:
        return None
    for subject in case.get("subjects") or ():
        born = _day(subject.get("date_of_birth"))
        if subject.get("unborn") or born is None or born > died:
            continue
        if age_on(born, died) < 18:
            return born
    return None


def is_late(row: Mapping[str, Any]) -> bool:
    """A sent duty was sent after its due date (the duty's `late` flag when recorded)."""
    recorded = row.get("late")
    if recorded is not None:
        return bool(recorded)
    return bool(row["sent_on"] and row["due"] and row["sent_on"] > row["due"])


def _timeliness(rows: list[Mapping[str, Any]], calendar: WorkingDayCalendar) -> dict[str, Any]:
    """Raised, sent (within deadline or late), still open, and the figures left out
    (withdrawn, not notifying); the share and median working days (rules 1 to 3)."""
    owed = [r for r in rows if r["status"] in OWED]
    sent = [r for r in owed if r["status"] in DONE_SENT]
    dated = [r for r in sent if r["sent_on"] and r["due"]]
    late = [r for r in dated if is_late(r)]
    taken = [
        calendar.working_days_between(
            date.fromisoformat(r["start"]), date.fromisoformat(r["sent_on"])
        )
        for r in sent
        if r["sent_on"] and r["start"]
    ]
    on_time = len(dated) - len(late)
    return {
        "raised": len(owed),
        "sent": len(sent),
        "sent_within_deadline": on_time,
        "sent_late": len(late),
        "sent_without_date": len(sent) - len(dated),
        "still_open": sum(1 for r in owed if r["status"] == "open"),
        "withdrawn": sum(1 for r in rows if r["status"] == "withdrawn"),
        "not_notifying": sum(1 for r in rows if r["status"] == "not_notifying"),
        "share_within_deadline": round(on_time / len(dated), 4) if dated else None,
        "median_working_days_taken": statistics.median(taken) if taken else None,
    }


def _late_sends(
    rows: Iterable[Mapping[str, Any]], calendar: WorkingDayCalendar
) -> list[dict[str, Any]]:
    """Duties counted in the period that were sent after their due date (rule 8)."""
    late = [
        r for r in rows if r["status"] in DONE_SENT and r["sent_on"] and r["due"] and is_late(r)
    ]
    return [
        {
            "case_id": r["case_id"],
            "la": r["org"],
            "duty": r["duty_id"],
            "due": r["due"],
            "sent_on": r["sent_on"],
            "working_days_late": calendar.working_days_between(
                date.fromisoformat(r["due"]), date.fromisoformat(r["sent_on"])
            ),
            "reason": r.get("late_reason") or None,
        }
        for r in sorted(late, key=lambda r: (r["sent_on"], r["case_id"], r["duty_id"]))
    ]


def _open_duties(
    rows: Iterable[Mapping[str, Any]], today: date, calendar: WorkingDayCalendar
) -> dict[str, Any]:
    """Every open duty now, whatever the period: the dashboard's "open" (rule 9)."""
    open_rows = sorted(
        (d for d in rows if d["status"] == "open"),
        key=lambda d: (d["due"] is None, d["due"] or "", d["case_id"], d["duty_id"]),
    )
    lines = [
        {
            "case_id": d["case_id"],
            "la": d["org"],
            "duty": d["duty_id"],
            "required": bool(d["required"]),
            "due": d["due"],
            "working_days_left": calendar.working_days_left(today, date.fromisoformat(d["due"]))
            if d["due"]
            else None,
        }
        for d in open_rows
    ]
    dated = [line for line in lines if line["due"]]
    return {
        "count": len(lines),
        "overdue": sum(1 for line in dated if line["due"] < today.isoformat()),
        "with_due_date": len(dated),
        "without_due_date": len(lines) - len(dated),
        "duties": lines,
    }


def build_report(
    duties: Iterable[Mapping[str, Any]],
    cases: Iterable[Mapping[str, Any]],
    period: Period,
    today: date,
    calendar: WorkingDayCalendar,
    la: str | None = None,
) -> dict[str, Any]:
    """Every figure of the Reports screen and `notify-tui report`.

    `duties` rows carry case_id, duty_id, status, start, due, sent_on, required and the
    case's org, and may carry `late` and `late_reason`; `cases` rows carry id, org,
    kind, aware_date, event_date, outcome, stillbirth_or_planned_termination, subjects
    (each with date_of_birth and unborn) and cdop_category.
    """
    case_rows = [c for c in cases if la is None or c["org"] == la]
    case_ids = {c["id"] for c in case_rows}
    scoped = [d for d in duties if d["case_id"] in case_ids]
    in_period = [d for d in scoped if d["required"] and _day(d["start"]) in period]

    by_duty_and_la: dict[str, dict[str, Any]] = {}
    for duty_id in NOTIFICATION_DUTIES:
        # A per-child duty (`cdop-notification@2`) counts under its rule's id.
        rows = [d for d in in_period if base_duty_id(d["duty_id"]) == duty_id]
        per_la: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for row in rows:
            per_la[row["org"]].append(row)
        by_duty_and_la[duty_id] = {
            "all": _timeliness(rows, calendar),
            "by_la": {org: _timeliness(per_la[org], calendar) for org in sorted(per_la)},
        }

    follow_ons = {
        duty_id: _timeliness(
            [d for d in in_period if base_duty_id(d["duty_id"]) == duty_id], calendar
        )
        for duty_id in FOLLOW_ON_DUTIES
    }

    # Rule 6: the Panel threshold decision only, read from the Panel duty's status.
    not_notifying = sorted(
        d["case_id"]
        for d in in_period
        if d["duty_id"] == "panel-notification" and d["status"] == "not_notifying"
    )

    deaths = []
    for c in case_rows:
        born = child_who_died(c)
        died = _day(c.get("event_date"))
        if born is not None and died in period:
            deaths.append((c, born, died))
    kinds = Counter(str(c["kind"]) for c, _, _ in deaths)
    categories = Counter(c.get("cdop_category") or "not yet categorised" for c, _, _ in deaths)
    bands = Counter(age_band(born, died) for _, born, died in deaths if died is not None)

    counted = [
        d
        for d in in_period
        if base_duty_id(d["duty_id"]) in (*NOTIFICATION_DUTIES, *FOLLOW_ON_DUTIES)
    ]
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "la": la,
        "las": sorted({str(c["org"]) for c in case_rows}),
        "notifications": by_duty_and_la,
        "rapid_reviews": follow_ons["rapid-review"],
        "local_reviews": follow_ons["lcspr-publication"],
        "decisions_not_to_notify": {"count": len(not_notifying), "cases": not_notifying},
        "child_deaths": {
            "count": len(deaths),
            "by_kind": dict(sorted(kinds.items())),
            "by_category": dict(sorted(categories.items())),
            "by_age_band": {band: bands.get(band, 0) for band in AGE_BANDS},
        },
        "late_sends": _late_sends(counted, calendar),
        "open": _open_duties(scoped, today, calendar),
    }


# -- the same figures from counts the vault aggregated ------------------------------------


@dataclass(frozen=True)
class DutyGroup:
    """How many duties counted in the period share a duty id, an LA, a status and the two
    flags `_timeliness` reads (sent date and due date both known; sent late)."""

    duty_id: str
    org: str
    status: str
    dated: bool
    late: bool
    count: int


@dataclass(frozen=True)
class TakenGroup:
    """How many sent duties counted in the period share a duty id, an LA, a start date
    and a sent date (the working days taken are the same for each)."""

    duty_id: str
    org: str
    start: str
    sent_on: str
    count: int


@dataclass(frozen=True)
class ReportInputs:
    """What `report_from_inputs` needs, aggregated where the rows are kept (the vault)
    rather than loaded one row per duty and one document per case.

    Every field is already scoped to the report's LA (when it has one); the duty fields
    hold only the duties counted in the period (required, starting in it), except `open`,
    which holds every open duty now, in the report's order."""

    las: tuple[str, ...]
    """The LAs of the cases in scope, sorted."""
    groups: tuple[DutyGroup, ...]
    taken: tuple[TakenGroup, ...]
    not_notifying: tuple[str, ...]
    """Cases whose Panel notification is not notifying (rule 6), sorted."""
    late: tuple[Mapping[str, Any], ...]
    """Sent late (rule 8): case_id, org, duty_id, due, sent_on, late_reason, in the
    order of the report (sent date, case, duty); any duty, filtered here."""
    deaths: tuple[Mapping[str, Any], ...]
    """Cases whose outcome is "died" with an event date in the period, as
    `child_who_died` reads them, with kind and cdop_category."""
    open: Iterable[tuple[str, str, str, int, str | None]]
    """Every open duty (case id, LA, duty id, required, due), undated last, then by due
    date, case and duty."""


def _timeliness_of_groups(groups: Iterable[DutyGroup], taken: Iterable[int]) -> dict[str, Any]:
    """`_timeliness` (rules 1 to 3) from grouped counts and the working days taken."""
    raised = sent = dated = late = still_open = withdrawn = not_notifying = 0
    for group in groups:
        if group.status in OWED:
            raised += group.count
        if group.status in DONE_SENT:
            sent += group.count
            if group.dated:
                dated += group.count
                if group.late:
                    late += group.count
        if group.status == "open":
            still_open += group.count
        elif group.status == "withdrawn":
            withdrawn += group.count
        elif group.status == "not_notifying":
            not_notifying += group.count
    days = list(taken)
    on_time = dated - late
    return {
        "raised": raised,
        "sent": sent,
        "sent_within_deadline": on_time,
        "sent_late": late,
        "sent_without_date": sent - dated,
        "still_open": still_open,
        "withdrawn": withdrawn,
        "not_notifying": not_notifying,
        "share_within_deadline": round(on_time / dated, 4) if dated else None,
        "median_working_days_taken": statistics.median(days) if days else None,
    }


def report_from_inputs(
    inputs: ReportInputs,
    period: Period,
    today: date,
    calendar: WorkingDayCalendar,
    la: str | None = None,
) -> dict[str, Any]:
    """The figures of `build_report`, value for value, from aggregated inputs.

    `build_report` states the rules over one row per duty and case; this reaches the same
    figures from counts, so a decade of cases is never loaded whole. Tests compare the
    two on varied vaults.
    """
    between: dict[tuple[str, str], int] = {}

    def working_days(start: str, end: str) -> int:
        key = (start, end)
        if key not in between:
            between[key] = calendar.working_days_between(
                date.fromisoformat(start), date.fromisoformat(end)
            )
        return between[key]

    groups: dict[str, list[DutyGroup]] = defaultdict(list)
    for group in inputs.groups:
        groups[base_duty_id(group.duty_id)].append(group)
    taken: dict[str, list[TakenGroup]] = defaultdict(list)
    for sent in inputs.taken:
        taken[base_duty_id(sent.duty_id)].append(sent)

    def days_taken(rows: Iterable[TakenGroup]) -> list[int]:
        return [days for row in rows for days in [working_days(row.start, row.sent_on)] * row.count]

    by_duty_and_la: dict[str, dict[str, Any]] = {}
    for duty_id in NOTIFICATION_DUTIES:
        rows = groups.get(duty_id, [])
        orgs = sorted({group.org for group in rows})
        by_duty_and_la[duty_id] = {
            "all": _timeliness_of_groups(rows, days_taken(taken.get(duty_id, []))),
            "by_la": {
                org: _timeliness_of_groups(
                    [g for g in rows if g.org == org],
                    days_taken(t for t in taken.get(duty_id, []) if t.org == org),
                )
                for org in orgs
            },
        }
    follow_ons = {
        duty_id: _timeliness_of_groups(groups.get(duty_id, []), days_taken(taken.get(duty_id, [])))
        for duty_id in FOLLOW_ON_DUTIES
    }

    deaths = []
    for case in inputs.deaths:
        born = child_who_died(case)
        died = _day(case.get("event_date"))
        if born is not None and died in period:
            deaths.append((case, born, died))
    kinds = Counter(str(c["kind"]) for c, _, _ in deaths)
    categories = Counter(c.get("cdop_category") or "not yet categorised" for c, _, _ in deaths)
    bands = Counter(age_band(born, died) for _, born, died in deaths if died is not None)

    counted = (*NOTIFICATION_DUTIES, *FOLLOW_ON_DUTIES)
    late_sends = [
        {
            "case_id": row["case_id"],
            "la": row["org"],
            "duty": row["duty_id"],
            "due": row["due"],
            "sent_on": row["sent_on"],
            "working_days_late": working_days(row["due"], row["sent_on"]),
            "reason": row.get("late_reason") or None,
        }
        for row in inputs.late
        if base_duty_id(row["duty_id"]) in counted
    ]

    left: dict[str, int] = {}
    lines = []
    overdue = with_due_date = 0
    today_text = today.isoformat()
    for case_id, org, duty_id, required, due in inputs.open:
        days_left = None
        if due:
            with_due_date += 1
            overdue += due < today_text
            if due not in left:
                left[due] = calendar.working_days_left(today, date.fromisoformat(due))
            days_left = left[due]
        lines.append(
            {
                "case_id": case_id,
                "la": org,
                "duty": duty_id,
                "required": bool(required),
                "due": due,
                "working_days_left": days_left,
            }
        )
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "la": la,
        "las": list(inputs.las),
        "notifications": by_duty_and_la,
        "rapid_reviews": follow_ons["rapid-review"],
        "local_reviews": follow_ons["lcspr-publication"],
        "decisions_not_to_notify": {
            "count": len(inputs.not_notifying),
            "cases": list(inputs.not_notifying),
        },
        "child_deaths": {
            "count": len(deaths),
            "by_kind": dict(sorted(kinds.items())),
            "by_category": dict(sorted(categories.items())),
            "by_age_band": {band: bands.get(band, 0) for band in AGE_BANDS},
        },
        "late_sends": late_sends,
        "open": {
            "count": len(lines),
            "overdue": overdue,
            "with_due_date": with_due_date,
            "without_due_date": len(lines) - with_due_date,
            "duties": lines,
        },
    }
