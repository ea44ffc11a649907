"""Figures for leaders and inspectors, computed from projection rows (pure).

The counting rules are written down in `docs/reports.md`; each function here says which
rule it implements. Inputs are plain rows (dicts) so the figures can be checked by hand.
No names ever reach a report: cases appear by id and LA only.
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

NOTIFICATION_DUTIES = (
    "panel-notification",
    "lac-death-notification",
    "care-leaver-death-notification",
    "cdop-notification",
)
"""Duties that are notifications made by the LA (rule 1 of docs/reports.md)."""

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


def _timeliness(rows: list[Mapping[str, Any]], calendar: WorkingDayCalendar) -> dict[str, Any]:
    """Sent, sent within deadline, share and median working days (rules 2 and 3)."""
    sent = [r for r in rows if r["status"] in DONE_SENT and r["sent_on"] and r["start"]]
    on_time = [r for r in sent if r["due"] and r["sent_on"] <= r["due"]]
    taken = [
        calendar.working_days_between(
            date.fromisoformat(r["start"]), date.fromisoformat(r["sent_on"])
        )
        for r in sent
    ]
    return {
        "raised": len(rows),
        "sent": len(sent),
        "sent_within_deadline": len(on_time),
        "share_within_deadline": round(len(on_time) / len(sent), 4) if sent else None,
        "median_working_days_taken": statistics.median(taken) if taken else None,
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
    case's org; `cases` rows carry id, org, kind, decision, aware_date, event_date,
    date_of_birth (first subject) and cdop_category.
    """
    case_rows = [c for c in cases if la is None or c["org"] == la]
    case_ids = {c["id"] for c in case_rows}
    duty_rows = [d for d in duties if d["case_id"] in case_ids and d["required"]]
    in_period = [
        d
        for d in duty_rows
        if d["status"] not in ("withdrawn", "not_notifying") and _day(d["start"]) in period
    ]

    by_duty_and_la: dict[str, dict[str, Any]] = {}
    for duty_id in NOTIFICATION_DUTIES:
        rows = [d for d in in_period if d["duty_id"] == duty_id]
        per_la: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for row in rows:
            per_la[row["org"]].append(row)
        by_duty_and_la[duty_id] = {
            "all": _timeliness(rows, calendar),
            "by_la": {org: _timeliness(per_la[org], calendar) for org in sorted(per_la)},
        }

    follow_ons = {
        duty_id: _timeliness([d for d in in_period if d["duty_id"] == duty_id], calendar)
        for duty_id in ("rapid-review", "lcspr-publication")
    }

    not_notifying = sorted(
        c["id"]
        for c in case_rows
        if c["decision"] == "no_notify" and _day(c["aware_date"]) in period
    )

    deaths = [
        c for c in case_rows if c["kind"] == "child_death" and _day(c["event_date"]) in period
    ]
    categories = Counter(c.get("cdop_category") or "not yet categorised" for c in deaths)
    bands = Counter(
        age_band(date.fromisoformat(c["date_of_birth"]), date.fromisoformat(c["event_date"]))
        for c in deaths
        if c.get("date_of_birth")
    )

    open_rows = sorted(
        (d for d in duty_rows if d["status"] == "open" and d["due"]),
        key=lambda d: (d["due"], d["case_id"], d["duty_id"]),
    )
    open_list = [
        {
            "case_id": d["case_id"],
            "la": d["org"],
            "duty": d["duty_id"],
            "due": d["due"],
            "working_days_left": calendar.working_days_left(today, date.fromisoformat(d["due"])),
        }
        for d in open_rows
    ]
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "la": la,
        "notifications": by_duty_and_la,
        "rapid_reviews": follow_ons["rapid-review"],
        "local_reviews": follow_ons["lcspr-publication"],
        "decisions_not_to_notify": {"count": len(not_notifying), "cases": not_notifying},
        "child_deaths": {
            "count": len(deaths),
            "by_category": dict(sorted(categories.items())),
            "by_age_band": {band: bands.get(band, 0) for band in AGE_BANDS},
        },
        "open": {
            "count": len(open_list),
            "overdue": sum(1 for row in open_list if row["working_days_left"] < 0),
            "duties": open_list,
        },
    }
