"""Report figures reproduce a hand-worked example exactly.

Today is Monday 23 November 2026; the period is 1-30 November 2026. The cases (all
synthetic) and the figures each should produce, worked out from the calendar:

A  serious incident, aware Mon 2 Nov -> Panel due Mon 9 Nov (3,4,5,6,9); sent Fri 6 Nov:
   on time, 4 working days taken. Rapid review due 15 working days after Fri 6 Nov =
   Fri 27 Nov; sent to the Panel Fri 20 Nov: on time, 10 working days taken.
B  serious incident, aware Tue 3 Nov -> Panel due Tue 10 Nov; sent Thu 12 Nov: late by
   2 working days (11, 12), with its reason, 7 working days taken (4,5,6,9,10,11,12).
   Rapid review due Thu 3 Dec: open.
C  child death, born 1 Oct 2026, died and known Wed 4 Nov -> CDOP due Thu 5 Nov; sent
   Thu 5 Nov: on time, 1 working day. 34 days old: band 28-364 days. Category infection.
D  serious incident, aware Mon 16 Nov; decided not to notify: its Panel notification
   and rapid review are "not notifying".
E  child death, born 10 May 2012, died Fri 13 Nov (aged 14: band 10-14 years), known
   Mon 16 Nov -> CDOP due Tue 17 Nov; not sent: 4 working days overdue (18,19,20,23).
F  care leaver death, known Tue 20 Oct (outside the period) -> due Tue 27 Oct; open,
   19 working days overdue (28-30 Oct, then 16 in November to the 23rd).
G  serious incident in which a child died: born 1 Jun 2015, died and known Tue 10 Nov
   (aged 11: band 10-14 years), abuse suspected -> Panel due Tue 17 Nov, open (-4);
   CDOP due Wed 11 Nov, sent Wed 11 Nov: on time, 1 working day. Its rapid review has
   no clock yet (the Panel notification is not sent).

Panel: 3 raised (A, B, G), 2 sent (1 on time, 1 late), 1 still open; D not notifying.
   Share 1 of 2 = 0.5, median of 4 and 7 = 5.5.
CDOP: 3 raised (C, E, G), 2 sent on time, 1 still open; share 1.0, median 1.
Rapid reviews: 2 raised (A, B), 1 sent on time, 1 still open, median 10.
Child deaths: C, E and G (G logged as a serious incident): 3.
Sent late: B's Panel notification, 2 working days late, with the reason the LA gave.
Open now: F, E, G's Panel, B's rapid review (dated), G's rapid review (undated): 5, of
   which overdue 3 (F, E, G's Panel).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import factories
import pytest
from office_support import deliver, office_for, record_in_order

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.reports import Period, age_band, build_report
from notify_tui.errors import InvalidInput
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner


def case(kind: factories.Kind, born: str, **fact_values: Any) -> dict[str, Any]:
    return factories.case(
        kind,
        subjects=[
            {"given_names": "Test", "family_name": "Fictional", "date_of_birth": born, "sex": "U"}
        ],
        facts={
            "abuse_or_neglect": "suspected",
            "outcome": "seriously_harmed",
            "date_of_birth": born,
            **fact_values,
        },
        case_outline="SYNTHETIC TEST CASE",
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, frozen_today: str) -> Iterator[dict[str, Any]]:
    session, _ = Session.init(
        tmp_path_factory.mktemp("la"), "a long test passphrase", org="Testshire",
        role="la", author="Test Lead", kdf=ARGON2_FLOOR, owner=InlineOwner())  # fmt: skip
    a = session.create_case(
        case("serious_incident", "2020-01-01", event_date="2026-11-01", aware_date="2026-11-02")
    )
    b = session.create_case(
        case("serious_incident", "2020-01-01", event_date="2026-11-03", aware_date="2026-11-03")
    )
    c = session.create_case(
        case("child_death", "2026-10-01", outcome="died", abuse_or_neglect="none",
             event_date="2026-11-04", aware_date="2026-11-04")
    )  # fmt: skip
    d = session.create_case(
        case("serious_incident", "2019-01-01", event_date="2026-11-16", aware_date="2026-11-16")
    )
    e = session.create_case(
        case("child_death", "2012-05-10", outcome="died", abuse_or_neglect="none",
             event_date="2026-11-13", aware_date="2026-11-16")
    )  # fmt: skip
    f_case = case(
        "care_leaver_death", "2004-03-01", outcome="died", abuse_or_neglect="none",
        event_date="2026-10-19", aware_date="2026-10-20",
    )  # fmt: skip
    f_case["facts"]["care_leaver"] = True
    f = session.create_case(f_case)
    g = session.create_case(
        case("serious_incident", "2015-06-01", outcome="died",
             event_date="2026-11-10", aware_date="2026-11-10")
    )  # fmt: skip
    session.mark_sent(a, "panel-notification", date(2026, 11, 6))
    session.mark_sent(
        b, "panel-notification", date(2026, 11, 12),
        late_reason="The strategy meeting was not held until Wed 11 Nov.",
    )  # fmt: skip
    session.mark_sent(c, "cdop-notification", date(2026, 11, 5))
    session.decide(d, notify=False, rationale="Injuries explained; no abuse suspected.")
    session.mark_sent(g, "cdop-notification", date(2026, 11, 11))
    # The office records its steps on the cases the LA's bundle brought, and its bundle
    # brings them back: the LA's report counts them as they reach a real LA.
    bundles = tmp_path_factory.mktemp("bundles")
    with office_for(session, tmp_path_factory.mktemp("office") / "vault") as office:
        deliver(session, office, bundles)
        record_in_order(office, a, "rapid_review.sent_to_panel", "2026-11-20")
        record_in_order(office, c, "cdop.category", "infection", on="2026-11-20")
        deliver(office, session, bundles)
    figures = session.report(date(2026, 11, 1), date(2026, 11, 30)).as_json()
    figures["_ids"] = {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}
    with pytest.raises(InvalidInput, match="no cases from that LA"):
        session.report(date(2026, 11, 1), date(2026, 11, 30), la="Elsewhere")
    session.close()
    yield figures


def test_panel_timeliness(report: dict[str, Any]) -> None:
    assert report["notifications"]["panel-notification"]["all"] == {
        "raised": 3,
        "sent": 2,
        "sent_within_deadline": 1,
        "sent_late": 1,
        "sent_without_date": 0,
        "still_open": 1,
        "withdrawn": 0,
        "not_notifying": 1,
        "share_within_deadline": 0.5,
        "median_working_days_taken": 5.5,
    }
    assert list(report["notifications"]["panel-notification"]["by_la"]) == ["Testshire"]


def test_cdop_timeliness(report: dict[str, Any]) -> None:
    assert report["notifications"]["cdop-notification"]["all"] == {
        "raised": 3,
        "sent": 2,
        "sent_within_deadline": 2,
        "sent_late": 0,
        "sent_without_date": 0,
        "still_open": 1,
        "withdrawn": 0,
        "not_notifying": 0,
        "share_within_deadline": 1.0,
        "median_working_days_taken": 1,
    }
    assert report["notifications"]["care-leaver-death-notification"]["all"]["raised"] == 0


def test_rapid_reviews_completed_by_the_office_step(report: dict[str, Any]) -> None:
    assert report["rapid_reviews"] == {
        "raised": 2,
        "sent": 1,
        "sent_within_deadline": 1,
        "sent_late": 0,
        "sent_without_date": 0,
        "still_open": 1,
        "withdrawn": 0,
        "not_notifying": 0,
        "share_within_deadline": 1.0,
        "median_working_days_taken": 10,
    }


def test_decisions_not_to_notify(report: dict[str, Any]) -> None:
    assert report["decisions_not_to_notify"] == {"count": 1, "cases": [report["_ids"]["d"]]}


def test_child_deaths_from_every_kind_of_case(report: dict[str, Any]) -> None:
    deaths = report["child_deaths"]
    assert deaths["count"] == 3
    assert deaths["by_kind"] == {"child_death": 2, "serious_incident": 1}
    assert deaths["by_category"] == {"infection": 1, "not yet categorised": 2}
    assert deaths["by_age_band"]["28-364 days"] == 1
    assert deaths["by_age_band"]["10-14 years"] == 2
    assert sum(deaths["by_age_band"].values()) == 3


def test_late_sends(report: dict[str, Any]) -> None:
    assert report["late_sends"] == [
        {
            "case_id": report["_ids"]["b"],
            "la": "Testshire",
            "duty": "panel-notification",
            "due": "2026-11-10",
            "sent_on": "2026-11-12",
            "working_days_late": 2,
            "reason": "The strategy meeting was not held until Wed 11 Nov.",
        }
    ]


def test_open_and_overdue(report: dict[str, Any]) -> None:
    ids = report["_ids"]
    open_list = report["open"]
    assert (open_list["count"], open_list["overdue"]) == (5, 3)
    assert (open_list["with_due_date"], open_list["without_due_date"]) == (4, 1)
    assert [
        (row["case_id"], row["duty"], row["due"], row["working_days_left"])
        for row in open_list["duties"]
    ] == [
        (ids["f"], "care-leaver-death-notification", "2026-10-27", -19),
        (ids["e"], "cdop-notification", "2026-11-17", -4),
        (ids["g"], "panel-notification", "2026-11-17", -4),
        (ids["b"], "rapid-review", "2026-12-03", 8),
        (ids["g"], "rapid-review", None, None),
    ]
    assert all(row["required"] for row in open_list["duties"])


def test_one_las_figures_carry_its_name(report: dict[str, Any]) -> None:
    assert report["la"] is None and report["las"] == ["Testshire"]


@pytest.mark.parametrize(
    ("born", "died", "band"),
    [
        ("2026-01-01", "2026-01-28", "0-27 days"),  # 27 days old
        ("2026-01-01", "2026-01-29", "28-364 days"),  # 28 days old
        ("2025-01-01", "2025-12-31", "28-364 days"),  # 364 days
        ("2025-01-01", "2026-01-01", "1-4 years"),  # first birthday
        ("2010-06-01", "2025-05-31", "10-14 years"),  # the day before the 15th birthday
        ("2010-06-01", "2025-06-01", "15-17 years"),
    ],
)
def test_age_bands(born: str, died: str, band: str) -> None:
    assert age_band(date.fromisoformat(born), date.fromisoformat(died)) == band


def test_calendar_is_the_england_one() -> None:
    # Guard for the hand-worked dates above: no bank holiday in November 2026.
    calendar = WorkingDayCalendar()
    assert all(
        calendar.is_working_day(date(2026, 11, day))
        for day in range(1, 31)
        if date(2026, 11, day).weekday() < 5
    )


# -- build_report over rows built by hand ------------------------------------------------
#
# The same period (1-30 November 2026) and today (Mon 23 Nov). Rows carry only what
# build_report reads; `late` and `late_reason` are the duty record's columns.

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
TODAY = date(2026, 11, 23)


def duty_row(case_id: str, duty_id: str, status: str, **values: Any) -> dict[str, Any]:
    return {
        "case_id": case_id, "duty_id": duty_id, "status": status, "start": "2026-11-02",
        "due": "2026-11-09", "sent_on": None, "required": 1, "org": "Testshire", **values,
    }  # fmt: skip


def case_row(case_id: str, kind: str, **values: Any) -> dict[str, Any]:
    return {
        "id": case_id, "org": "Testshire", "kind": kind, "decision": None,
        "aware_date": "2026-11-02", "event_date": "2026-11-02", "outcome": "seriously_harmed",
        "stillbirth_or_planned_termination": False,
        "subjects": [{"date_of_birth": "2020-01-01", "unborn": False}], "cdop_category": None,
        **values,
    }  # fmt: skip


def figures(duties: list[dict[str, Any]], cases: list[dict[str, Any]]) -> dict[str, Any]:
    return build_report(duties, cases, NOVEMBER, TODAY, WorkingDayCalendar())


def test_late_sends_carry_the_reason_from_the_duty_record() -> None:
    # Due Mon 9 Nov. X sent Thu 12 Nov: 3 working days late (10, 11, 12), with a reason.
    # Y sent Mon 9 Nov: on time. Z acknowledged with no sent date: neither.
    duties = [
        duty_row("X", "cdop-notification", "acknowledged", sent_on="2026-11-12", late=1,
                 late_reason="Family liaison first; CDOP told by phone."),
        duty_row("Y", "cdop-notification", "sent", sent_on="2026-11-09", late=0),
        duty_row("Z", "cdop-notification", "acknowledged"),
    ]  # fmt: skip
    cases = [case_row(c, "child_death") for c in "XYZ"]
    result = figures(duties, cases)
    assert result["late_sends"] == [
        {
            "case_id": "X", "la": "Testshire", "duty": "cdop-notification", "due": "2026-11-09",
            "sent_on": "2026-11-12", "working_days_late": 3,
            "reason": "Family liaison first; CDOP told by phone.",
        }
    ]  # fmt: skip
    cdop = result["notifications"]["cdop-notification"]["all"]
    assert (cdop["raised"], cdop["sent"], cdop["still_open"]) == (3, 3, 0)
    assert (cdop["sent_within_deadline"], cdop["sent_late"], cdop["sent_without_date"]) == (
        1,
        1,
        1,
    )
    assert cdop["share_within_deadline"] == 0.5


def test_late_is_the_dates_when_the_record_has_no_flag() -> None:
    duties = [duty_row("X", "panel-notification", "sent", sent_on="2026-11-10")]
    result = figures(duties, [case_row("X", "serious_incident")])
    assert [(r["case_id"], r["working_days_late"], r["reason"]) for r in result["late_sends"]] == [
        ("X", 1, None)
    ]


def test_a_decision_on_a_child_death_whose_cdop_was_sent_is_not_a_decision_not_to_notify() -> None:
    # The case: a child death "decided not to notify" with its CDOP notification
    # sent. The decision governs only the Panel duties; this case has none.
    duties = [duty_row("CD", "cdop-notification", "sent", sent_on="2026-11-03")]
    cases = [case_row("CD", "child_death", decision="no_notify", outcome="died")]
    result = figures(duties, cases)
    assert result["decisions_not_to_notify"] == {"count": 0, "cases": []}
    assert result["notifications"]["cdop-notification"]["all"]["sent"] == 1


def test_a_panel_notification_sent_before_a_decision_counts_as_sent_only() -> None:
    # The projection keeps "sent" over a later decision; the report follows the status.
    duties = [
        duty_row("S", "panel-notification", "acknowledged", sent_on="2026-11-05"),
        duty_row("N", "panel-notification", "not_notifying"),
    ]
    cases = [case_row("S", "serious_incident", decision="no_notify"), case_row("N", "x")]
    result = figures(duties, cases)
    assert result["decisions_not_to_notify"] == {"count": 1, "cases": ["N"]}
    panel = result["notifications"]["panel-notification"]["all"]
    assert (panel["raised"], panel["sent"], panel["not_notifying"]) == (1, 1, 1)


def test_withdrawn_duties_are_left_out_of_raised() -> None:
    duties = [
        duty_row("W", "lac-death-notification", "withdrawn"),
        duty_row("O", "lac-death-notification", "open"),
    ]
    result = figures(duties, [case_row("W", "child_death"), case_row("O", "child_death")])
    lac = result["notifications"]["lac-death-notification"]["all"]
    assert (lac["raised"], lac["still_open"], lac["withdrawn"]) == (1, 1, 1)
    assert [line["case_id"] for line in result["open"]["duties"]] == ["O"]


@pytest.mark.parametrize(
    ("kind", "changes", "counted"),
    [
        ("serious_incident", {"outcome": "died"}, True),
        ("serious_incident", {"outcome": "seriously_harmed"}, False),
        # A care leaver aged 17 is a child; aged 19 is not.
        ("care_leaver_death", {"outcome": "died", "subjects": [{"date_of_birth": "2009-01-01"}]},
         True),
        ("care_leaver_death", {"outcome": "died", "subjects": [{"date_of_birth": "2007-01-01"}]},
         False),
        # Died on the 18th birthday: not a child.
        ("child_death", {"outcome": "died", "subjects": [{"date_of_birth": "2008-11-02"}]}, False),
        ("child_death", {"outcome": "died", "subjects": [{"date_of_birth": "2008-11-03"}]}, True),
        ("serious_incident", {"outcome": "died", "stillbirth_or_planned_termination": True}, False),
        ("serious_incident", {"outcome": "died", "subjects": [{"unborn": True}]}, False),
        # The second subject is the child who died under 18.
        ("serious_incident", {"outcome": "died", "subjects": [
            {"date_of_birth": "2000-01-01"}, {"date_of_birth": "2026-10-01"}]}, True),
        ("child_death", {"outcome": "died", "event_date": "2026-10-31"}, False),  # before
    ],
)  # fmt: skip
def test_child_deaths_are_any_case_with_a_death_under_18(
    kind: str, changes: dict[str, Any], counted: bool
) -> None:
    result = figures([], [case_row("X", kind, **changes)])
    assert result["child_deaths"]["count"] == (1 if counted else 0)
    assert sum(result["child_deaths"]["by_age_band"].values()) == (1 if counted else 0)
    if counted and len(changes.get("subjects", [])) == 2:
        assert result["child_deaths"]["by_age_band"]["28-364 days"] == 1  # 32 days old


def test_open_duties_include_undated_and_no_longer_required_ones() -> None:
    duties = [
        duty_row("A", "rapid-review", "open", start=None, due=None),
        duty_row("A", "panel-notification", "open", due="2026-11-20"),
        duty_row("B", "lac-death-notification", "open", start=None, due=None, required=0),
        duty_row("B", "cdop-notification", "sent", sent_on="2026-11-03"),
    ]
    result = figures(duties, [case_row("A", "serious_incident"), case_row("B", "child_death")])
    assert result["open"] == {
        "count": 3,
        "overdue": 1,
        "with_due_date": 1,
        "without_due_date": 2,
        "duties": [
            {"case_id": "A", "la": "Testshire", "duty": "panel-notification", "required": True,
             "due": "2026-11-20", "working_days_left": -1},
            {"case_id": "A", "la": "Testshire", "duty": "rapid-review", "required": True,
             "due": None, "working_days_left": None},
            {"case_id": "B", "la": "Testshire", "duty": "lac-death-notification",
             "required": False, "due": None, "working_days_left": None},
        ],
    }  # fmt: skip
    # A duty the facts no longer raise is not counted as raised.
    assert result["notifications"]["lac-death-notification"]["all"]["raised"] == 0
