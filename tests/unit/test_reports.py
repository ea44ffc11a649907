"""Report figures reproduce a hand-worked example exactly.

Today is Monday 23 November 2026; the period is 1-30 November 2026. The cases (all
synthetic) and the figures each should produce, worked out from the calendar:

A  serious incident, aware Mon 2 Nov -> Panel due Mon 9 Nov (3,4,5,6,9); sent Fri 6 Nov:
   on time, 4 working days taken. Rapid review due 15 working days after Fri 6 Nov =
   Fri 27 Nov; sent to the Panel Fri 20 Nov: on time, 10 working days taken.
B  serious incident, aware Tue 3 Nov -> Panel due Tue 10 Nov; sent Thu 12 Nov: late
   (with its reason), 7 working days taken (4,5,6,9,10,11,12). Rapid review due Thu 3 Dec: open.
C  child death, born 1 Oct 2026, died and known Wed 4 Nov -> CDOP due Thu 5 Nov; sent
   Thu 5 Nov: on time, 1 working day. 34 days old: band 28-364 days. Category infection.
D  serious incident, aware Mon 16 Nov; decided not to notify.
E  child death, born 10 May 2012, died Fri 13 Nov (aged 14: band 10-14 years), known
   Mon 16 Nov -> CDOP due Tue 17 Nov; not sent: 4 working days overdue (18,19,20,23).
F  care leaver death, known Tue 20 Oct (outside the period) -> due Tue 27 Oct; open.

Panel: 2 raised, 2 sent, 1 on time (share 0.5), median of 4 and 7 = 5.5.
CDOP: 2 raised (C, E), 1 sent, 1 on time (share 1.0), median 1.
Rapid reviews: 2 raised (A, B), 1 sent on time, median 10.
Open: B's rapid review (due 3 Dec), E's CDOP (overdue), F's notification (overdue).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import factories
import pytest

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.reports import age_band
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
    session.create_case(
        case("child_death", "2012-05-10", outcome="died", abuse_or_neglect="none",
             event_date="2026-11-13", aware_date="2026-11-16")
    )  # fmt: skip
    f_case = case(
        "care_leaver_death", "2004-03-01", outcome="died", abuse_or_neglect="none",
        event_date="2026-10-19", aware_date="2026-10-20",
    )  # fmt: skip
    f_case["facts"]["care_leaver"] = True
    session.create_case(f_case)
    session.mark_sent(a, "panel-notification", date(2026, 11, 6))
    session.record_office_step(a, "rapid_review", "sent_to_panel", "2026-11-20")
    session.mark_sent(
        b, "panel-notification", date(2026, 11, 12),
        late_reason="The strategy meeting was not held until Wed 11 Nov.",
    )  # fmt: skip
    session.mark_sent(c, "cdop-notification", date(2026, 11, 5))
    session.record_office_step(c, "cdop", "category", "infection")
    session.decide(d, notify=False, rationale="Injuries explained; no abuse suspected.")
    figures = session.report(date(2026, 11, 1), date(2026, 11, 30)).as_json()
    figures["_ids"] = {"d": d}
    with pytest.raises(InvalidInput, match="no cases from that LA"):
        session.report(date(2026, 11, 1), date(2026, 11, 30), la="Elsewhere")
    session.close()
    yield figures


def test_panel_timeliness(report: dict[str, Any]) -> None:
    assert report["notifications"]["panel-notification"]["all"] == {
        "raised": 2,
        "sent": 2,
        "sent_within_deadline": 1,
        "share_within_deadline": 0.5,
        "median_working_days_taken": 5.5,
    }
    assert list(report["notifications"]["panel-notification"]["by_la"]) == ["Testshire"]


def test_cdop_timeliness(report: dict[str, Any]) -> None:
    assert report["notifications"]["cdop-notification"]["all"] == {
        "raised": 2,
        "sent": 1,
        "sent_within_deadline": 1,
        "share_within_deadline": 1.0,
        "median_working_days_taken": 1,
    }
    assert report["notifications"]["care-leaver-death-notification"]["all"]["raised"] == 0


def test_rapid_reviews_completed_by_the_office_step(report: dict[str, Any]) -> None:
    assert report["rapid_reviews"] == {
        "raised": 2,
        "sent": 1,
        "sent_within_deadline": 1,
        "share_within_deadline": 1.0,
        "median_working_days_taken": 10,
    }


def test_decisions_not_to_notify(report: dict[str, Any]) -> None:
    assert report["decisions_not_to_notify"] == {"count": 1, "cases": [report["_ids"]["d"]]}


def test_child_deaths_by_category_and_age_band(report: dict[str, Any]) -> None:
    deaths = report["child_deaths"]
    assert deaths["count"] == 2
    assert deaths["by_category"] == {"infection": 1, "not yet categorised": 1}
    assert deaths["by_age_band"]["28-364 days"] == 1
    assert deaths["by_age_band"]["10-14 years"] == 1
    assert sum(deaths["by_age_band"].values()) == 2


def test_open_and_overdue(report: dict[str, Any]) -> None:
    open_list = report["open"]
    assert open_list["count"] == 3
    assert open_list["overdue"] == 2
    assert [(row["duty"], row["due"]) for row in open_list["duties"]] == [
        ("care-leaver-death-notification", "2026-10-27"),
        ("cdop-notification", "2026-11-17"),
        ("rapid-review", "2026-12-03"),
    ]
    assert open_list["duties"][1]["working_days_left"] == -4


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
