"""Issue #14 part C: the CDOP residence and place test, the CDOP "within 24 hours" option,
the LCSPR advance copy counted back from the planned publication, and the yearly report.

Every expected date was worked out by hand from a printed calendar and the gov.uk list of
bank holidays in England; the reasoning sits beside it. Today is Monday 23 November 2026.
All people, places and dates are synthetic.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import factories
import pytest
from office_support import deliver, office_for

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.models import validate_annual_report, validate_case, validate_facts
from notify_tui.domain.rules import (
    Assessment,
    assess,
    assess_case,
    assess_partnership,
    default_rule_pack,
    parse_rule_pack,
)
from notify_tui.errors import InvalidInput
from notify_tui.services.session import Session
from notify_tui.settings import Preferences
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner

TODAY = date(2026, 11, 23)
CALENDAR = WorkingDayCalendar()
CDOP = "cdop-notification"
ADVANCE = "lcspr-advance-copy"

CDOP_ADVISORY = (
    "Tell the CDOP of the child's home area ({home}): child death review partners review "
    "deaths of children normally resident in their area and may review a non-resident child "
    "who dies in their area (Children Act 2004 s16M)."
)
DEFAULT_HOME = "the LA where the child normally lived"
OUTSIDE_NOT_RESIDENT = (
    "It happened outside England and the child is not normally resident in this area: this "
    "LA has no Panel notification duty; if the child normally lives elsewhere in England, "
    "that LA notifies the Panel."
)

# A 7-year-old died on Mon 2 Nov 2026; the LA became aware on Tue 3 Nov 2026.
DEATH: dict[str, Any] = factories.facts(
    "child_death",
    date_of_birth="2019-06-01",
    outcome="died",
    event_date="2026-11-02",
    aware_date="2026-11-03",
    abuse_or_neglect="none",
    location="in_area",
    normally_resident_in_area=True,
)


def run(settings: dict[str, Any] | None = None, **changes: Any) -> Assessment:
    data = factories.changed(DEATH, changes)
    return assess(validate_facts(data, TODAY), CALENDAR, settings=settings)


def duty_ids(assessment: Assessment) -> list[str]:
    return [duty.id for duty in assessment.duties]


# -- the CDOP residence and place test --------------------------------------------------------


def test_non_resident_child_dying_outside_england_with_abuse_suspected_raises_nothing() -> None:
    result = run(
        location="outside_england",
        normally_resident_in_area=False,
        abuse_or_neglect="suspected",
        home_la="Northshire (synthetic)",
    )
    # Panel: neither in the area nor resident here; CDOP: neither resident nor died here.
    assert duty_ids(result) == []
    assert result.advisories == [
        OUTSIDE_NOT_RESIDENT,
        CDOP_ADVISORY.format(home="Northshire (synthetic)"),
    ]


def test_non_resident_child_dying_elsewhere_in_england_without_a_link_raises_nothing() -> None:
    result = run(location="elsewhere_in_england", normally_resident_in_area=False)
    assert duty_ids(result) == []
    # No home LA given: the advisory names the home area in words.
    assert result.advisories == [CDOP_ADVISORY.format(home=DEFAULT_HOME)]


def test_resident_child_dying_elsewhere_raises_the_cdop_duty() -> None:
    result = run(location="elsewhere_in_england", normally_resident_in_area=True)
    assert duty_ids(result) == [CDOP]
    duty = result.duties[0]
    # aware Tue 3 Nov 2026; 1 working day (the default) -> Wed 4 Nov 2026.
    assert duty.due == date(2026, 11, 4)
    assert "the child was normally resident in the area" in duty.reasons
    assert duty.rule_version == 2
    assert "Children Act 2004 s16M" in duty.source
    assert result.advisories == []


def test_resident_child_dying_outside_england_raises_the_cdop_duty() -> None:
    result = run(location="outside_england", normally_resident_in_area=True)
    assert duty_ids(result) == [CDOP]
    assert result.advisories == []


def test_non_resident_child_dying_in_the_area_raises_the_cdop_duty() -> None:
    result = run(location="in_area", normally_resident_in_area=False, home_la="Eastshire")
    assert duty_ids(result) == [CDOP]
    assert result.duties[0].due == date(2026, 11, 4)
    assert "the child died in the LA's area" in result.duties[0].reasons
    # This CDOP reviews it; no advisory to tell another.
    assert result.advisories == []


def test_the_advisory_names_the_subjects_home_la_from_a_case() -> None:
    case = validate_case(
        factories.case(
            "child_death",
            subjects=[factories.subject(home_la="Westshire (synthetic)")],
            facts={
                "date_of_birth": "2019-06-01",
                "event_date": "2026-11-02",
                "aware_date": "2026-11-03",
                "abuse_or_neglect": "none",
                "location": "elsewhere_in_england",
                "normally_resident_in_area": False,
            },
        ),
        TODAY,
    )
    result = assess_case(case, CALENDAR)
    assert duty_ids(result) == []
    assert result.advisories == [CDOP_ADVISORY.format(home="Westshire (synthetic)")]


def test_no_home_area_advisory_for_a_stillbirth() -> None:
    result = run(
        location="elsewhere_in_england",
        normally_resident_in_area=False,
        stillbirth_or_planned_termination=True,
    )
    assert duty_ids(result) == []
    assert len(result.advisories) == 1 and "not reviewed by the CDOP" in result.advisories[0]


# -- "within 24 hours" ------------------------------------------------------------------------


def test_24_hours_counts_calendar_hours_from_the_aware_date() -> None:
    # aware Mon 23 Nov 2026 (a date, no time): 24 hours end on Tue 24 Nov 2026.
    result = run({"cdop_deadline": "24_hours"}, event_date="2026-11-22", aware_date="2026-11-23")
    assert result.duties[0].due == date(2026, 11, 24)
    friday = run({"cdop_deadline": "24_hours"}, event_date="2026-11-20", aware_date="2026-11-20")
    # aware Fri 20 Nov 2026 -> Sat 21 Nov 2026 (the weekend counts).
    assert friday.duties[0].due == date(2026, 11, 21)
    duty = friday.duties[0]
    assert duty.deadline == ("24 hours after the LA became aware, weekends and holidays included")


def test_24_hours_on_friday_27_november_2026() -> None:
    facts = factories.changed(DEATH, {"event_date": "2026-11-27", "aware_date": "2026-11-27"})
    today = date(2026, 11, 27)
    result = assess(validate_facts(facts, today), CALENDAR, settings={"cdop_deadline": "24_hours"})
    assert result.duties[0].due == date(2026, 11, 28)  # Saturday
    # The working-day default instead: 1 working day after Fri 27 Nov -> Mon 30 Nov 2026.
    default = assess(validate_facts(facts, today), CALENDAR)
    assert default.duties[0].due == date(2026, 11, 30)
    # cdop_working_days does not matter while the 24 hours are chosen.
    both = assess(
        validate_facts(facts, today),
        CALENDAR,
        settings={"cdop_deadline": "24_hours", "cdop_working_days": 2},
    )
    assert both.duties[0].due == date(2026, 11, 28)


def test_an_unknown_cdop_deadline_choice_is_refused() -> None:
    with pytest.raises(InvalidInput, match="cdop_deadline: must be one of working_days, 24_hours"):
        run({"cdop_deadline": "48_hours"})


def test_the_preferences_carry_the_cdop_deadline_choice() -> None:
    assert Preferences().rule_settings()["cdop_deadline"] == "working_days"
    chosen = Preferences.model_validate({"rules": {"cdop_deadline": "24_hours"}})
    assert chosen.rule_settings()["cdop_deadline"] == "24_hours"


def test_a_deadline_instead_must_name_a_choice_of_its_setting() -> None:
    document = default_rule_pack().model_dump(mode="json", by_alias=True, exclude_none=True)
    cdop = next(rule for rule in document["rules"] if rule["id"] == CDOP)
    cdop["deadline"]["instead"][0]["eq"] = "36_hours"
    with pytest.raises(InvalidInput, match="'36_hours' is not a choice of 'cdop_deadline'"):
        parse_rule_pack(document)


# -- the LCSPR advance copy -------------------------------------------------------------------


def test_seven_working_days_before_a_friday() -> None:
    # Fri 11 Dec 2026 back: Thu 10, Wed 9, Tue 8, Mon 7, Fri 4, Thu 3, Wed 2 -> Wed 2 Dec 2026.
    assert CALENDAR.subtract_working_days(date(2026, 12, 11), 7) == date(2026, 12, 2)
    # Mon 14 Dec 2026, 1 back: the weekend is skipped -> Fri 11 Dec 2026.
    assert CALENDAR.subtract_working_days(date(2026, 12, 14), 1) == date(2026, 12, 11)


def test_seven_working_days_before_skip_christmas_and_new_year() -> None:
    # Wed 6 Jan 2027 back: Tue 5 (1), Mon 4 (2), Fri 1 Jan New Year's Day skipped,
    # Thu 31 (3), Wed 30 (4), Tue 29 (5), Mon 28 Boxing Day (substitute) and Fri 25 Christmas
    # skipped, Thu 24 (6), Wed 23 (7) -> Wed 23 Dec 2026.
    assert CALENDAR.subtract_working_days(date(2027, 1, 6), 7) == date(2026, 12, 23)
    with pytest.raises(ValueError, match="at least 1"):
        CALENDAR.subtract_working_days(date(2027, 1, 6), 0)


def test_the_advance_copy_is_due_seven_working_days_before_the_planned_publication() -> None:
    result = run(
        event_date="2026-05-04",
        aware_date="2026-05-05",
        lcspr_decision_date="2026-06-01",
        lcspr_planned_publication_date="2026-12-11",  # ahead of today: a plan, accepted
    )
    duty = next(d for d in result.duties if d.id == ADVANCE)
    assert duty.due == date(2026, 12, 2)
    assert duty.start == date(2026, 12, 11)
    assert duty.deadline == "7 working days before the planned publication date"
    assert duty.recipients == [
        "Child Safeguarding Practice Review Panel",
        "Secretary of State for Education",
    ]
    assert duty.done_when == "office.lcspr.final_report_sent"
    # A plan may lie in the future: the version is the one in force when the LA knew.
    assert duty.in_force_on == date(2026, 5, 5)
    assert duty.reasons[-1].startswith("rule as in force on 5 May 2026 (version 1")
    # 6 calendar months after Mon 1 Jun 2026 -> Tue 1 Dec 2026.
    assert next(d.due for d in result.duties if d.id == "lcspr-publication") == date(2026, 12, 1)


def test_no_advance_copy_without_a_planned_publication() -> None:
    result = run(event_date="2026-05-04", aware_date="2026-05-05", lcspr_decision_date="2026-06-01")
    assert ADVANCE not in duty_ids(result)


def test_a_publication_planned_before_the_decision_is_refused() -> None:
    data = factories.changed(
        DEATH,
        {
            "event_date": "2026-05-04",
            "aware_date": "2026-05-05",
            "lcspr_decision_date": "2026-06-01",
            "lcspr_planned_publication_date": "2026-05-29",
        },
    )
    with pytest.raises(InvalidInput, match="^lcspr_planned_publication_date: a local review"):
        validate_facts(data, TODAY)


@pytest.fixture
def session(tmp_path: Path, frozen_today: str) -> Iterator[Session]:
    opened, _ = Session.init(
        tmp_path / "vault", "a long test passphrase", org="Testshire (test)", role="la",
        author="Ola Order", kdf=ARGON2_FLOOR, owner=InlineOwner(),
    )  # fmt: skip
    with opened:
        yield opened


def test_the_office_records_the_plan_and_the_report_sent_completes_the_duty(
    session: Session, tmp_path: Path
) -> None:
    la = session
    case_id = la.create_case(
        factories.case(
            "serious_incident",
            subjects=[{"given_names": "Ada", "family_name": "Advance-Fictional"}],
            facts={
                "date_of_birth": "2019-05-01",
                "outcome": "seriously_harmed",
                "event_date": "2026-05-04",
                "aware_date": "2026-05-05",
                "abuse_or_neglect": "suspected",
                "location": "in_area",
            },
        )
    )

    office = office_for(la, tmp_path / "office")
    deliver(la, office, tmp_path / "bundles")
    session = office

    def advance() -> tuple[str | None, str]:
        duty = next(d for d in session.case_detail(case_id).duties if d.duty == ADVANCE)
        return duty.due, duty.status

    assert ADVANCE not in {d.duty for d in session.case_detail(case_id).duties}
    session.record_office_step(case_id, "lcspr", "decision_date", "2026-06-01")
    with pytest.raises(InvalidInput, match="is in the future"):
        session.record_office_step(case_id, "lcspr", "final_report_sent", "2026-12-01")
    session.record_office_step(case_id, "lcspr", "planned_publication", "2026-12-11")
    assert advance() == ("2026-12-02", "open")
    session.record_office_step(case_id, "lcspr", "final_report_sent", "2026-11-20")
    assert advance() == ("2026-12-02", "sent")
    office.close()


# -- the yearly report through `check` ---------------------------------------------------------


def test_the_yearly_report_is_due_seven_days_after_publication() -> None:
    report = validate_annual_report({"annual_report_published_date": "2026-10-01"}, TODAY)
    result = assess_partnership(
        {"annual_report_published_date": report.annual_report_published_date}, CALENDAR
    )
    duty = result.duties[0]
    # Thu 1 Oct 2026 + 7 calendar days -> Thu 8 Oct 2026.
    assert (duty.id, duty.due) == ("annual-report-sent", date(2026, 10, 8))
    assert duty.source.startswith("Working Together to Safeguard Children 2023, chapter 2")


def test_a_yearly_report_document_refuses_unknown_fields_and_future_dates() -> None:
    with pytest.raises(InvalidInput, match="^published: is not a known field"):
        validate_annual_report(
            {"annual_report_published_date": "2026-10-01", "published": "2026-10-01"}, TODAY
        )
    with pytest.raises(InvalidInput, match="^annual_report_published_date: is in the future"):
        validate_annual_report({"annual_report_published_date": "2026-11-24"}, TODAY)
