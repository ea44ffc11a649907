"""Looked-after and care-leaver status worked out from care periods (domain/status.py).

Every date below was worked out by hand from a calendar; the counting is written beside
it. The person is synthetic: born Mon 10 May 2004, so the 14th birthday is 10 May 2018
and the 16th 10 May 2020. The law: Children Act 1989 s22 (looked after: a care or
placement order, or accommodation for more than 24 hours) and Sch 2 para 19B(2) with
Care Planning regs 2010 reg 40(1) (13 weeks, or periods amounting in all to 13 weeks,
beginning after 14 and ending after 16).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import factories
import pytest

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.models import (
    care_status_lines,
    validate_case,
    validate_facts,
)
from notify_tui.domain.rules import Assessment, assess, assess_case
from notify_tui.errors import InvalidInput

TODAY = date(2026, 11, 23)
BORN = "2004-05-10"
CALENDAR = WorkingDayCalendar()


def period(start: str, end: str | None, basis: str = "accommodated") -> dict[str, Any]:
    found: dict[str, Any] = {"start": start, "basis": basis}
    if end is not None:
        found["end"] = end
    return found


def leaver_death(*periods: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Died Sun 1 Nov 2026 aged 22; the LA became aware Mon 2 Nov 2026; no boolean."""
    facts: dict[str, Any] = {
        "date_of_birth": BORN,
        "outcome": "died",
        "event_date": "2026-11-01",
        "aware_date": "2026-11-02",
        "abuse_or_neglect": "none",
        "location": "in_area",
        "normally_resident_in_area": True,
        "care_leaver": ...,
        "care_periods": list(periods),
    }
    return factories.facts("care_leaver_death", **{**facts, **changes})


def run(document: dict[str, Any]) -> Assessment:
    return assess(validate_facts(document, TODAY), CALENDAR)


def ids(assessment: Assessment) -> set[str]:
    return {duty.id for duty in assessment.duties}


# -- care leaver -------------------------------------------------------------------------


def test_two_years_after_14_ending_after_16_is_a_care_leaver() -> None:
    """1 Jun 2018 - 1 Aug 2020: after the 14th birthday (10 May 2018), ending after the 16th
    (10 May 2020), far more than 13 weeks. Died aged 22 (22nd birthday 10 May 2026)."""
    result = run(leaver_death(period("2018-06-01", "2020-08-01")))
    assert ids(result) == {"care-leaver-death-notification"}
    duty = result.duty("care-leaver-death-notification")
    assert duty is not None
    # aware Mon 2 Nov 2026: Tue 3, Wed 4, Thu 5, Fri 6, Mon 9 (no holidays) -> Mon 9 Nov
    assert duty.due == date(2026, 11, 9)
    assert (
        "looked after 1 Jun 2018 – 1 Aug 2020 (accommodated): 13 weeks or more after the "
        "14th birthday, ending after the 16th, so a care leaver (former relevant child) "
        "(whatever the cause of death)"
    ) in duty.reasons
    assert "aged 22 when they died (under 25)" in duty.reasons
    assert result.advisories == []


def test_care_ending_before_the_16th_birthday_is_not_a_care_leaver() -> None:
    """The same care ending 30 Apr 2020, ten days before the 16th birthday."""
    result = run(leaver_death(period("2018-06-01", "2020-04-30")))
    assert ids(result) == set()
    assert result.advisories == [
        "The care periods given make the subject neither looked after nor a care leaver on "
        "the event date: no care period covers the event date; looked after 1 Jun 2018 – "
        "30 Apr 2020 (accommodated), but care ended before the 16th birthday (10 May 2020): "
        "not a care leaver."
    ]


@pytest.mark.parametrize(
    ("end", "leaver", "counted"),
    [
        # 1 May -> 1 Jun is 31 days, -> 1 Jul 61, -> 24 Jul 84 = 12 weeks
        ("2020-07-24", False, "12 weeks after the 14th birthday"),
        # -> 31 Jul is 91 days = 13 weeks exactly: enough ("at least 13 weeks")
        ("2020-07-31", True, None),
    ],
)
def test_thirteen_weeks_is_the_boundary(end: str, leaver: bool, counted: str | None) -> None:
    result = run(leaver_death(period("2020-05-01", end, "care_order")))
    assert ("care-leaver-death-notification" in ids(result)) is leaver
    if counted:
        assert f"{counted} (10 May 2018), less than the 13 weeks needed" in result.advisories[0]


@pytest.mark.parametrize(
    ("second_end", "leaver"),
    [
        # 1 Jan -> 1 Mar 2019 is 31 + 28 = 59 days; 1 Jun -> 3 Jul 2020 is 30 + 2 = 32:
        # 91 days in all, ending after the 16th birthday
        ("2020-07-03", True),
        # one day less: 90 days = 12 weeks 6 days
        ("2020-07-02", False),
    ],
)
def test_periods_amounting_in_all_to_13_weeks_are_summed(second_end: str, leaver: bool) -> None:
    result = run(leaver_death(period("2019-01-01", "2019-03-01"), period("2020-06-01", second_end)))
    assert ("care-leaver-death-notification" in ids(result)) is leaver
    if not leaver:
        assert "12 weeks 6 days after the 14th birthday" in result.advisories[0]


def test_only_time_after_the_14th_birthday_counts() -> None:
    """1 Mar - 1 Jun 2018 is 92 days, but only 10 May - 1 Jun (22 days) is after 14;
    1 May - 12 Jun 2020 adds 42: 64 days, 9 weeks 1 day, short of 13 weeks."""
    result = run(
        leaver_death(period("2018-03-01", "2018-06-01"), period("2020-05-01", "2020-06-12"))
    )
    assert ids(result) == set()
    assert "9 weeks 1 day after the 14th birthday" in result.advisories[0]


def test_overlapping_records_count_once() -> None:
    """Accommodated 1 May - 1 Jul 2020 and a care order 1 Jun - 15 Jul 2020 overlap; together
    they run 1 May - 15 Jul 2020: 31 + 30 + 14 = 75 days, not 61 + 44 = 105."""
    result = run(
        leaver_death(
            period("2020-05-01", "2020-07-01"), period("2020-06-01", "2020-07-15", "care_order")
        )
    )
    assert ids(result) == set()
    assert "10 weeks 5 days after the 14th birthday" in result.advisories[0]


def test_short_breaks_do_not_count_towards_13_weeks() -> None:
    """Reg 40(2): a child on short breaks under reg 48 is not an eligible child."""
    result = run(leaver_death(period("2018-06-01", "2020-08-01", "short_breaks")))
    assert ids(result) == set()
    assert "short breaks" in result.advisories[0]


def test_a_care_leaver_of_17_is_a_relevant_child() -> None:
    """Born 15 Jan 2008 (14 on 15 Jan 2022, 16 on 15 Jan 2024); looked after 1 Mar 2022 -
    1 Mar 2024; died Mon 3 Mar 2025 aged 17: left care at 16, so a relevant child."""
    result = run(
        leaver_death(
            period("2022-03-01", "2024-03-01"),
            date_of_birth="2008-01-15",
            event_date="2025-03-03",
            aware_date="2025-03-04",
        )
    )
    duty = result.duty("care-leaver-death-notification")
    assert duty is not None
    assert any("a care leaver (relevant child)" in reason for reason in duty.reasons)


# -- looked after ------------------------------------------------------------------------


def child_death(*periods: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A child born 1 Jun 2019 died Mon 16 Nov 2026; no looked_after given."""
    return factories.facts(
        "child_death",
        date_of_birth="2019-06-01",
        outcome="died",
        event_date="2026-11-16",
        aware_date="2026-11-17",
        abuse_or_neglect="none",
        location="in_area",
        normally_resident_in_area=True,
        **{"looked_after": ..., "care_periods": list(periods), **changes},
    )


def test_accommodated_on_the_event_date_only_is_not_looked_after() -> None:
    """Accommodated 16 Nov 2026 and died that day: not more than 24 hours by the dates."""
    result = run(child_death(period("2026-11-16", "2026-11-16")))
    assert ids(result) == {"cdop-notification"}
    assert "accommodated 16 Nov 2026, the event date, only" in result.advisories[0]


def test_accommodation_begun_that_day_and_going_on_is_not_yet_looked_after() -> None:
    result = run(child_death(period("2026-11-16", None)))
    assert "lac-death-notification" not in ids(result)


def test_accommodation_over_two_dates_counts_as_looked_after() -> None:
    """15 - 16 Nov 2026: with dates only, two dates read as more than 24 hours."""
    result = run(child_death(period("2026-11-15", "2026-11-16")))
    assert "lac-death-notification" in ids(result)


@pytest.mark.parametrize("basis", ["care_order", "placement_order"])
def test_an_order_covering_the_event_date_is_looked_after(basis: str) -> None:
    result = run(child_death(period("2026-11-16", None, basis)))
    duty = result.duty("lac-death-notification")
    assert duty is not None
    words = "care order" if basis == "care_order" else "placement order"
    assert (
        f"the child was looked after 16 Nov 2026 – ongoing (under a {words}), which covers "
        "the event date (whatever the cause of death)"
    ) in duty.reasons


def test_a_period_ending_on_the_day_of_death_covers_it() -> None:
    """Care records end a period on the date of death."""
    result = run(child_death(period("2025-01-06", "2026-11-16", "care_order")))
    assert "lac-death-notification" in ids(result)


def test_care_that_ended_before_the_event_is_not_looked_after() -> None:
    result = run(child_death(period("2025-01-06", "2026-11-15", "care_order")))
    assert "lac-death-notification" not in ids(result)


# -- the boolean is an override ------------------------------------------------------------


def test_care_leaver_false_wins_over_the_dates_with_a_note() -> None:
    result = run(leaver_death(period("2018-06-01", "2020-08-01"), care_leaver=False))
    assert ids(result) == set()
    assert result.advisories == [
        "The care periods given make the subject a care leaver on the event date, but "
        "care_leaver is false: check the record (looked after 1 Jun 2018 – 1 Aug 2020 "
        "(accommodated): 13 weeks or more after the 14th birthday, ending after the 16th, so "
        "a care leaver (former relevant child))."
    ]


def test_looked_after_true_wins_over_the_dates_with_a_note() -> None:
    result = run(child_death(period("2026-11-16", "2026-11-16"), looked_after=True))
    duty = result.duty("lac-death-notification")
    assert duty is not None
    assert "the child was looked after (whatever the cause of death)" in duty.reasons
    assert result.advisories[0].startswith(
        "The care periods given do not make the subject looked after on the event date, "
        "but looked_after is true: check the record"
    )


def test_agreeing_boolean_gives_no_note() -> None:
    result = run(child_death(period("2026-01-05", None, "care_order"), looked_after=True))
    assert "lac-death-notification" in ids(result)
    assert not any("care periods" in text for text in result.advisories)


def test_without_periods_a_missing_boolean_means_no() -> None:
    result = run(child_death())
    assert ids(result) == {"cdop-notification"}
    assert result.advisories == []


# -- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ([period("2020-05-01", "2020-04-01")], "care_periods.0.end: a care period cannot end"),
        ([period("2004-05-01", "2005-01-01")], "care_periods.0.start: a care period cannot start"),
        ([period("2026-11-01", "2026-11-30")], "care_periods.0.end: is in the future"),
        ([{"start": "2020-05-01", "basis": "respite"}], "care_periods.0.basis: must be one of"),
    ],
)
def test_bad_periods_are_refused_in_one_line(periods: list[Any], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_facts(leaver_death(*periods), TODAY)
    assert caught.value.message.startswith(message)


def test_an_unborn_child_has_no_care_periods() -> None:
    document = factories.facts(
        "serious_incident", "unborn", care_periods=[period("2026-11-01", None)]
    )
    with pytest.raises(InvalidInput, match="unborn"):
        validate_facts(document, TODAY)


# -- cases -------------------------------------------------------------------------------


def test_a_care_leaver_death_case_from_the_dates() -> None:
    document = factories.case(
        "care_leaver_death",
        facts={
            "date_of_birth": BORN,
            "event_date": "2026-11-01",
            "aware_date": "2026-11-02",
            "care_leaver": ...,
            "care_periods": [period("2018-06-01", "2020-08-01")],
        },
    )
    case = validate_case(document, TODAY)
    assert case.subjects[0].legal_status.care_leaver is None
    assert ids(assess_case(case, CALENDAR)) == {"care-leaver-death-notification"}


def test_a_care_leaver_death_case_the_dates_refute_is_refused_with_why() -> None:
    document = factories.case(
        "care_leaver_death",
        facts={
            "date_of_birth": BORN,
            "event_date": "2026-11-01",
            "aware_date": "2026-11-02",
            "care_leaver": ...,
            "care_periods": [period("2018-06-01", "2020-04-30")],
        },
    )
    with pytest.raises(InvalidInput) as caught:
        validate_case(document, TODAY)
    assert caught.value.message == (
        "subjects.0.legal_status.care_leaver: a care leaver death case needs a subject who "
        "is a care leaver (looked after 1 Jun 2018 – 30 Apr 2020 (accommodated), but care "
        "ended before the 16th birthday (10 May 2020): not a care leaver)"
    )


def test_case_screen_lines_say_how_the_status_was_found() -> None:
    subject = {
        "given_names": "Cal",
        "family_name": "Leaver-Fictional",
        "date_of_birth": BORN,
        "legal_status": {"looked_after": False},
        "care_periods": [period("2018-06-01", "2020-08-01")],
    }
    assert care_status_lines(subject, date(2026, 11, 1)) == [
        "care periods: 1 Jun 2018 – 1 Aug 2020 (accommodated)",
        "looked after on the event date: no (given; the care periods agree)",
        "care leaver on the event date: yes, worked out: looked after 1 Jun 2018 – 1 Aug 2020 "
        "(accommodated): 13 weeks or more after the 14th birthday, ending after the 16th, so "
        "a care leaver (former relevant child)",
    ]
    assert care_status_lines({**subject, "care_periods": []}, date(2026, 11, 1)) == []


def test_the_2018_looked_after_rule_explains_a_status_worked_out_from_dates() -> None:
    """A care order from Mon 4 Jan 2021, still running, covers a death on Fri 10 Jun 2022:
    known Mon 13 Jun 2022, so version 1 of the looked-after death rule (2018-2023) applies
    and its reason says how the status was worked out."""
    facts = {
        "date_of_birth": "2010-03-01",
        "outcome": "died",
        "event_date": "2022-06-10",
        "aware_date": "2022-06-13",
        "abuse_or_neglect": "none",
        "location": "in_area",
        "normally_resident_in_area": True,
        "care_periods": [{"start": "2021-01-04", "basis": "care_order"}],
    }
    duty = run(facts).duty("lac-death-notification")
    assert duty is not None and duty.rule_version == 1
    assert any("4 Jan 2021" in reason and "care order" in reason for reason in duty.reasons)
