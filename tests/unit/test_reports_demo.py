"""Every headline figure of the demo's report, recomputed without the report code.

The demo vault is the one `notify-tui demo` opens (40 cases, seed 7, today Mon 23 Nov
2026) and the period the Reports screen opens on: the last 12 months, 24 Nov 2025 to
23 Nov 2026. Each figure is worked out here from what `Session.list_cases` and
`Session.case_detail` return (the case documents and their duties), in plain Python that
shares nothing with `notify_tui/domain/reports.py`, and compared with `Session.report`.
The dashboard's own counts (`duty_pages`, `duty_counts`) are the reference for "open".
"""

from __future__ import annotations

import statistics
from datetime import date
from typing import Any

import pytest

from notify_tui.demo.vault import DemoVault
from notify_tui.domain.dashboard import DashboardQuery
from notify_tui.services.types import CaseDetail, Report

START, END = date(2025, 11, 24), date(2026, 11, 23)
TODAY = date(2026, 11, 23)
NOTIFICATIONS = (
    "panel-notification",
    "lac-death-notification",
    "care-leaver-death-notification",
    "cdop-notification",
)


@pytest.fixture(scope="module")
def demo_options() -> dict[str, int]:
    """The vault `notify-tui demo` shows (the issue's figures came from it)."""
    return {"count": 40, "seed": 7}


@pytest.fixture(scope="module")
def details(demo: DemoVault) -> list[CaseDetail]:
    return [demo.session.case_detail(summary.id) for summary in demo.session.list_cases()]


@pytest.fixture(scope="module")
def figures(demo: DemoVault) -> Report:
    return demo.session.report(START, END)


def in_period(day: str | None) -> bool:
    return day is not None and START <= date.fromisoformat(day) <= END


def years_old(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def child_who_died(detail: CaseDetail) -> date | None:
    """The date of birth of a subject born alive who died under 18, read from the document."""
    incident = detail.document["incident"]
    if incident["outcome"] != "died" or incident.get("stillbirth_or_planned_termination"):
        return None
    died = date.fromisoformat(incident["event_date"])
    for subject in detail.document["subjects"]:
        if subject.get("unborn") or not subject.get("date_of_birth"):
            continue
        born = date.fromisoformat(subject["date_of_birth"])
        if years_old(born, died) < 18:
            return born
    return None


def band(born: date, died: date) -> str:
    days, age = (died - born).days, years_old(born, died)
    if days < 28:
        return "0-27 days"
    if days < 365:
        return "28-364 days"
    if age < 5:
        return "1-4 years"
    if age < 10:
        return "5-9 years"
    return "10-14 years" if age < 15 else "15-17 years"


def test_child_deaths_are_every_case_with_a_death_under_18(
    details: list[CaseDetail], figures: Report
) -> None:
    deaths = [
        (detail, born)
        for detail in details
        if (born := child_who_died(detail)) is not None
        and in_period(detail.document["incident"]["event_date"])
    ]
    kinds: dict[str, int] = {}
    bands: dict[str, int] = {}
    for detail, born in deaths:
        kinds[detail.kind] = kinds.get(detail.kind, 0) + 1
        name = band(born, date.fromisoformat(detail.document["incident"]["event_date"]))
        bands[name] = bands.get(name, 0) + 1
    # Before the fix the report counted only cases of kind child_death (17 of these).
    assert kinds["serious_incident"] > 0
    assert figures.child_deaths.count == len(deaths) == sum(kinds.values())
    assert dict(figures.child_deaths.by_kind) == dict(sorted(kinds.items()))
    assert {k: v for k, v in figures.child_deaths.by_age_band.items() if v} == bands
    categories = {
        (detail.document.get("office") or {}).get("cdop", {}).get("category")
        or "not yet categorised"
        for detail, _ in deaths
    }
    assert set(figures.child_deaths.by_category) == categories
    # Every one of them is a child for the CDOP, and was raised a CDOP notification.
    for detail, _ in deaths:
        assert "cdop-notification" in {duty.duty for duty in detail.duties}


def counted_duties(details: list[CaseDetail], duty_id: str) -> list[Any]:
    return [
        duty
        for detail in details
        for duty in detail.duties
        if duty.duty == duty_id and duty.required and in_period(duty.start)
    ]


@pytest.mark.parametrize("duty_id", [*NOTIFICATIONS, "rapid-review", "lcspr-publication"])
def test_timeliness_by_duty(
    demo: DemoVault, details: list[CaseDetail], figures: Report, duty_id: str
) -> None:
    duties = counted_duties(details, duty_id)
    owed = [d for d in duties if d.status in ("open", "sent", "acknowledged")]
    sent = [d for d in owed if d.status in ("sent", "acknowledged")]
    on_time = [d for d in sent if d.sent_on and d.sent_on <= d.due]
    late = [d for d in sent if d.sent_on and d.sent_on > d.due]
    calendar = demo.session.calendar
    taken = [
        calendar.working_days_between(date.fromisoformat(d.start), date.fromisoformat(d.sent_on))
        for d in sent
        if d.sent_on
    ]
    if duty_id == "rapid-review":
        shown = figures.rapid_reviews
    elif duty_id == "lcspr-publication":
        shown = figures.local_reviews
    else:
        shown = figures.notifications[duty_id].all
    assert (shown.raised, shown.sent, shown.still_open) == (
        len(owed),
        len(sent),
        len(owed) - len(sent),
    )
    assert (shown.sent_within_deadline, shown.sent_late) == (len(on_time), len(late))
    assert shown.withdrawn == sum(1 for d in duties if d.status == "withdrawn")
    assert shown.not_notifying == sum(1 for d in duties if d.status == "not_notifying")
    assert shown.median_working_days_taken == (statistics.median(taken) if taken else None)
    # The columns add up.
    assert shown.raised == shown.sent + shown.still_open
    assert shown.sent == shown.sent_within_deadline + shown.sent_late + shown.sent_without_date


def test_cdop_notifications_and_child_deaths_agree_in_the_demo(figures: Report) -> None:
    """The issue saw 18 child deaths against 25 CDOP notifications: now each death has one."""
    assert figures.notifications["cdop-notification"].all.raised == figures.child_deaths.count


def test_decisions_not_to_notify_are_the_panel_threshold_decision_only(
    details: list[CaseDetail], figures: Report
) -> None:
    expected = sorted(
        d.case_id
        for d in counted_duties(details, "panel-notification")
        if d.status == "not_notifying"
    )
    assert list(figures.decisions_not_to_notify.cases) == expected
    assert figures.decisions_not_to_notify.count == len(expected) > 0
    assert figures.decisions_not_to_notify.count == (
        figures.notifications["panel-notification"].all.not_notifying
    )


def test_no_case_is_both_sent_and_decided_not_to_notify(
    details: list[CaseDetail], figures: Report
) -> None:
    sent = {
        d.case_id
        for d in counted_duties(details, "panel-notification")
        if d.status in ("sent", "acknowledged")
    }
    assert sent
    assert not sent & set(figures.decisions_not_to_notify.cases)
    # Nor is any case listed whose notifications were all sent (a CDOP one included).
    by_id = {detail.id: detail for detail in details}
    for case_id in figures.decisions_not_to_notify.cases:
        panel = next(d for d in by_id[case_id].duties if d.duty == "panel-notification")
        assert panel.status == "not_notifying" and panel.sent_on is None


def test_open_duties_match_the_dashboard(
    demo: DemoVault, details: list[CaseDetail], figures: Report
) -> None:
    session = demo.session
    open_duties = [duty for detail in details for duty in detail.duties if duty.status == "open"]
    dashboard = session.duty_pages(DashboardQuery(today=TODAY), page_size=500)
    assert figures.open.count == len(open_duties) == len(dashboard)
    assert (
        figures.open.overdue
        == session.duty_counts(TODAY).overdue
        == sum(1 for duty in open_duties if duty.due and duty.due < TODAY.isoformat())
    )
    assert figures.open.with_due_date == sum(1 for duty in open_duties if duty.due)
    assert figures.open.without_due_date == sum(1 for duty in open_duties if not duty.due)
    assert figures.open.without_due_date > 0  # rapid reviews waiting for a Panel notification
    assert sorted((line.case_id, line.duty) for line in figures.open.duties) == sorted(
        (duty.case_id, duty.duty) for duty in open_duties
    )


def test_late_sends_are_the_counted_duties_sent_after_their_due_date(
    details: list[CaseDetail], figures: Report
) -> None:
    late = sorted(
        (d.case_id, d.duty)
        for duty_id in (*NOTIFICATIONS, "rapid-review", "lcspr-publication")
        for d in counted_duties(details, duty_id)
        if d.status in ("sent", "acknowledged") and d.sent_on and d.sent_on > d.due
    )
    assert sorted((line.case_id, line.duty) for line in figures.late_sends) == late


def test_the_demo_report_is_labelled_with_the_la(figures: Report) -> None:
    assert figures.las == ("Demoshire Council (demo)",)
