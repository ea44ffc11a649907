"""The England rule pack applied to facts: which duties fire, and when they are due.

Every expected date was worked out by hand from a printed calendar and the gov.uk list of
bank holidays in England; the reasoning is in the comment beside it. "N working days after
X" counts the Nth working day after X, X itself never counted (DOMAIN.md, "Working day").
All people and dates are synthetic.
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from importlib.resources import files
from typing import Any

import factories
import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.models import validate_case, validate_facts
from notify_tui.domain.rules import (
    Assessment,
    assess,
    assess_case,
    default_rule_pack,
    parse_rule_pack,
)
from notify_tui.errors import InvalidInput

TODAY = date(2026, 11, 23)
CALENDAR = WorkingDayCalendar()

PANEL = "panel-notification"
LAC = "lac-death-notification"
CARE_LEAVER = "care-leaver-death-notification"
CDOP = "cdop-notification"
RAPID = "rapid-review"
LCSPR = "lcspr-publication"
DOMAIN_RULE_IDS = {
    PANEL,
    LAC,
    CARE_LEAVER,
    CDOP,
    RAPID,
    LCSPR,
    "lcspr-advance-copy",
    "annual-report-sent",
}

# Advisory messages, matched on a distinctive phrase so a reworded sentence still matches.
ELSEWHERE = "elsewhere in England"
OUTSIDE_NOT_RESIDENT = "not normally resident"
LAC_WITHOUT_ABUSE = "the Panel does not consider this death"
CARE_LEAVER_25 = "25 or older"
CARE_LEAVER_HARMED = "no statutory notification for serious harm to an adult care leaver"
STILLBIRTH = "not reviewed by the CDOP"
AWAITING_NOTIFICATION = "record the date it was sent"

# A 9-year-old seriously harmed, no abuse suspected, in the area. Tests change what matters.
BASE_FACTS: dict[str, Any] = factories.facts(
    "serious_incident",
    date_of_birth="2012-11-05",
    outcome="seriously_harmed",
    event_date="2022-04-13",
    aware_date="2022-04-14",
    abuse_or_neglect="none",
    location="in_area",
    normally_resident_in_area=True,
)


def run(settings: dict[str, Any] | None = None, **changes: Any) -> Assessment:
    """Assess BASE_FACTS with `changes` applied (a value of ... removes the key)."""
    data = factories.changed(BASE_FACTS, changes)
    return assess(validate_facts(data, TODAY), CALENDAR, settings=settings)


def ids(assessment: Assessment) -> set[str]:
    return {duty.id for duty in assessment.duties}


def due(assessment: Assessment, duty_id: str) -> date | None:
    duty = assessment.duty(duty_id)
    assert duty is not None, f"{duty_id} not raised; raised: {sorted(ids(assessment))}"
    return duty.due


def has_advisory(assessment: Assessment, phrase: str) -> bool:
    return any(phrase in advisory for advisory in assessment.advisories)


# -- panel-notification ------------------------------------------------------------------


def test_panel_fires_for_abuse_and_serious_harm_in_area() -> None:
    result = run(abuse_or_neglect="known")
    # aware Thu 14 Apr 2022; Fri 15 Good Friday, Mon 18 Easter Monday
    # -> Tue 19, Wed 20, Thu 21, Fri 22, Mon 25 -> due Mon 25 Apr 2022
    assert due(result, PANEL) == date(2022, 4, 25)
    panel = result.duty(PANEL)
    assert panel is not None
    assert panel.start == date(2022, 4, 14)
    assert any("abuse or neglect is known" in reason for reason in panel.reasons)
    assert any("LA's area" in reason for reason in panel.reasons)


def test_panel_fires_for_suspected_abuse_and_death() -> None:
    result = run(abuse_or_neglect="suspected", outcome="died")
    # same aware date as above -> Mon 25 Apr 2022
    assert due(result, PANEL) == date(2022, 4, 25)


def test_panel_does_not_fire_without_abuse_or_neglect() -> None:
    result = run(abuse_or_neglect="none", outcome="died")
    assert PANEL not in ids(result)
    assert RAPID not in ids(result)


def test_panel_does_not_fire_when_the_child_was_not_seriously_harmed() -> None:
    result = run(abuse_or_neglect="known", outcome="other")
    assert result.duties == []


@pytest.mark.parametrize(
    ("location", "resident", "panel", "advisory"),
    [
        ("in_area", False, True, None),
        ("in_area", True, True, None),
        ("elsewhere_in_england", True, False, ELSEWHERE),
        ("elsewhere_in_england", False, False, ELSEWHERE),
        ("outside_england", True, True, None),
        ("outside_england", False, False, OUTSIDE_NOT_RESIDENT),
    ],
)
def test_panel_by_location(
    location: str, resident: bool, panel: bool, advisory: str | None
) -> None:
    result = run(
        abuse_or_neglect="suspected", location=location, normally_resident_in_area=resident
    )
    assert (PANEL in ids(result)) is panel
    if panel:
        # aware Thu 14 Apr 2022 over Easter -> Mon 25 Apr 2022 (as above)
        assert due(result, PANEL) == date(2022, 4, 25)
        assert not has_advisory(result, ELSEWHERE)
        assert not has_advisory(result, OUTSIDE_NOT_RESIDENT)
    else:
        assert advisory is not None and has_advisory(result, advisory)


def test_panel_fires_for_an_unborn_child_seriously_harmed_with_abuse() -> None:
    result = run(date_of_birth=None, unborn=True, abuse_or_neglect="suspected")
    # aware Thu 14 Apr 2022 over Easter -> Mon 25 Apr 2022
    assert due(result, PANEL) == date(2022, 4, 25)
    assert CDOP not in ids(result)


# -- the 18th birthday (panel and CDOP) ---------------------------------------------------


def test_day_before_18th_birthday_is_a_child() -> None:
    # born 10 Jun 2006: 18 on Mon 10 Jun 2024; died Sun 9 Jun 2024, aged 17
    result = run(
        date_of_birth="2006-06-10",
        event_date="2024-06-09",
        aware_date="2024-06-10",
        outcome="died",
        abuse_or_neglect="known",
    )
    # aware Mon 10 Jun 2024 -> Tue 11, Wed 12, Thu 13, Fri 14, Mon 17 -> Mon 17 Jun 2024
    assert due(result, PANEL) == date(2024, 6, 17)
    # CDOP 1 working day after Mon 10 Jun -> Tue 11 Jun 2024
    assert due(result, CDOP) == date(2024, 6, 11)


def test_on_18th_birthday_is_not_a_child() -> None:
    # born 10 Jun 2006, died on Mon 10 Jun 2024: 18 that day, not a child
    result = run(
        date_of_birth="2006-06-10",
        event_date="2024-06-10",
        aware_date="2024-06-10",
        outcome="died",
        abuse_or_neglect="known",
    )
    assert PANEL not in ids(result)
    assert CDOP not in ids(result)


def test_leap_day_birthday_is_still_a_child_on_28_february() -> None:
    # born Fri 29 Feb 2008; 2026 is a common year, so the 18th birthday is Sun 1 Mar 2026
    # (Family Law Reform Act 1969 s9 reading). Died Sat 28 Feb 2026, aged 17.
    result = run(
        date_of_birth="2008-02-29",
        event_date="2026-02-28",
        aware_date="2026-03-02",
        outcome="died",
        abuse_or_neglect="known",
    )
    # aware Mon 2 Mar 2026: CDOP next working day Tue 3 Mar 2026;
    # panel Tue 3, Wed 4, Thu 5, Fri 6, Mon 9 -> Mon 9 Mar 2026 (Good Friday is 3 Apr 2026)
    assert due(result, CDOP) == date(2026, 3, 3)
    assert due(result, PANEL) == date(2026, 3, 9)


def test_leap_day_birthday_is_an_adult_on_1_march_of_a_common_year() -> None:
    result = run(
        date_of_birth="2008-02-29",
        event_date="2026-03-01",
        aware_date="2026-03-02",
        outcome="died",
        abuse_or_neglect="known",
    )
    assert PANEL not in ids(result)
    assert CDOP not in ids(result)


# -- lac-death-notification ---------------------------------------------------------------


def test_lac_death_without_abuse_raises_lac_duty_but_not_panel() -> None:
    result = run(
        date_of_birth="2010-01-20",
        event_date="2023-05-04",
        aware_date="2023-05-05",
        outcome="died",
        looked_after=True,
        abuse_or_neglect="none",
    )
    # aware Fri 5 May 2023; Mon 8 May coronation bank holiday
    # -> Tue 9, Wed 10, Thu 11, Fri 12, Mon 15 -> Mon 15 May 2023
    assert due(result, LAC) == date(2023, 5, 15)
    # CDOP 1 working day: Mon 8 May is a holiday -> Tue 9 May 2023
    assert due(result, CDOP) == date(2023, 5, 9)
    assert PANEL not in ids(result)
    assert has_advisory(result, LAC_WITHOUT_ABUSE)


def test_lac_death_with_abuse_raises_lac_and_panel_and_no_advisory() -> None:
    result = run(
        date_of_birth="2010-01-20",
        event_date="2022-09-15",
        aware_date="2022-09-16",
        outcome="died",
        looked_after=True,
        abuse_or_neglect="suspected",
    )
    # aware Fri 16 Sep 2022; Mon 19 Sep state funeral bank holiday
    # -> Tue 20, Wed 21, Thu 22, Fri 23, Mon 26 -> Mon 26 Sep 2022
    assert due(result, LAC) == date(2022, 9, 26)
    assert due(result, PANEL) == date(2022, 9, 26)
    assert not has_advisory(result, LAC_WITHOUT_ABUSE)


def test_lac_duty_does_not_fire_for_serious_harm() -> None:
    result = run(looked_after=True, outcome="seriously_harmed")
    assert LAC not in ids(result)
    assert not has_advisory(result, LAC_WITHOUT_ABUSE)


def test_lac_duty_does_not_fire_for_a_child_not_looked_after() -> None:
    result = run(outcome="died", looked_after=False)
    assert LAC not in ids(result)
    assert not has_advisory(result, LAC_WITHOUT_ABUSE)


def test_no_lac_advisory_on_18th_birthday() -> None:
    # Regression: born 10 Jun 2006, died on the 18th birthday (Mon 10 Jun 2024) while still
    # marked looked after. Not a child, so no LAC duty, and the advisory must not claim
    # "DfE and Ofsted must still be notified" when no duty was raised.
    result = run(
        date_of_birth="2006-06-10",
        event_date="2024-06-10",
        aware_date="2024-06-10",
        outcome="died",
        looked_after=True,
    )
    assert LAC not in ids(result)
    assert not has_advisory(result, LAC_WITHOUT_ABUSE)


# -- care-leaver-death-notification --------------------------------------------------------


def test_care_leaver_dies_day_before_25th_birthday() -> None:
    # born 15 Sep 1999: 25 on Sun 15 Sep 2024; died Sat 14 Sep 2024 aged 24
    result = run(
        date_of_birth="1999-09-15",
        event_date="2024-09-14",
        aware_date="2024-09-16",
        outcome="died",
        care_leaver=True,
    )
    # aware Mon 16 Sep 2024 -> Tue 17, Wed 18, Thu 19, Fri 20, Mon 23 -> Mon 23 Sep 2024
    assert due(result, CARE_LEAVER) == date(2024, 9, 23)
    assert CDOP not in ids(result)  # aged 24: not a child
    assert not has_advisory(result, CARE_LEAVER_25)


def test_care_leaver_dies_on_25th_birthday() -> None:
    result = run(
        date_of_birth="1999-09-15",
        event_date="2024-09-15",
        aware_date="2024-09-16",
        outcome="died",
        care_leaver=True,
    )
    assert CARE_LEAVER not in ids(result)
    assert has_advisory(result, CARE_LEAVER_25)


def test_care_leaver_leap_day_birthday() -> None:
    # born Tue 29 Feb 2000; 2025 is common, so 25 on Sat 1 Mar 2025. Died Fri 28 Feb 2025.
    result = run(
        date_of_birth="2000-02-29",
        event_date="2025-02-28",
        aware_date="2025-02-28",
        outcome="died",
        care_leaver=True,
    )
    # aware Fri 28 Feb 2025 -> Mon 3, Tue 4, Wed 5, Thu 6, Fri 7 -> Fri 7 Mar 2025
    assert due(result, CARE_LEAVER) == date(2025, 3, 7)
    on_birthday = run(
        date_of_birth="2000-02-29",
        event_date="2025-03-01",
        aware_date="2025-03-03",
        outcome="died",
        care_leaver=True,
    )
    assert CARE_LEAVER not in ids(on_birthday)


def test_care_leaver_under_18_is_also_a_child_for_cdop() -> None:
    # born 1 Feb 2008, died Wed 4 Dec 2024 aged 16 (a relevant child)
    result = run(
        date_of_birth="2008-02-01",
        event_date="2024-12-04",
        aware_date="2024-12-04",
        outcome="died",
        care_leaver=True,
    )
    # aware Wed 4 Dec 2024 -> Thu 5, Fri 6, Mon 9, Tue 10, Wed 11 -> Wed 11 Dec 2024
    assert due(result, CARE_LEAVER) == date(2024, 12, 11)
    # CDOP: Thu 5 Dec 2024
    assert due(result, CDOP) == date(2024, 12, 5)


def test_care_leaver_seriously_harmed_has_no_duty_but_an_advisory() -> None:
    # born 1 May 2005, aged 18 on Wed 10 Apr 2024, harmed (not dead); the advisory came
    # with the care-leaver notification (from 15 Dec 2023)
    result = run(
        date_of_birth="2005-05-01",
        event_date="2024-04-10",
        aware_date="2024-04-11",
        outcome="seriously_harmed",
        care_leaver=True,
        abuse_or_neglect="known",
    )
    assert CARE_LEAVER not in ids(result)
    assert PANEL not in ids(result)
    assert has_advisory(result, CARE_LEAVER_HARMED)


def test_care_leaver_duty_needs_care_leaver_status() -> None:
    result = run(
        date_of_birth="1999-09-15",
        event_date="2024-09-14",
        aware_date="2024-09-16",
        outcome="died",
        care_leaver=False,
    )
    assert CARE_LEAVER not in ids(result)


# -- cdop-notification ----------------------------------------------------------------------


def test_cdop_fires_for_a_child_death_whatever_the_cause() -> None:
    result = run(outcome="died", abuse_or_neglect="none")
    # aware Thu 14 Apr 2022; Fri 15 Good Friday, Mon 18 Easter Monday -> Tue 19 Apr 2022
    assert due(result, CDOP) == date(2022, 4, 19)
    assert result.duty(CDOP) is not None


def test_cdop_does_not_fire_for_serious_harm() -> None:
    assert CDOP not in ids(run(outcome="seriously_harmed"))


def test_cdop_does_not_fire_for_an_unborn_child() -> None:
    result = run(date_of_birth=None, unborn=True, outcome="died", abuse_or_neglect="known")
    assert CDOP not in ids(result)
    # still a serious incident: unborn children are included locally
    assert due(result, PANEL) == date(2022, 4, 25)


@pytest.mark.parametrize("unborn", [False, True])
def test_stillbirth_is_not_notified_to_cdop(unborn: bool) -> None:
    result = run(
        date_of_birth=None if unborn else "2022-04-13",
        unborn=unborn,
        outcome="died",
        stillbirth_or_planned_termination=True,
    )
    assert CDOP not in ids(result)
    assert has_advisory(result, STILLBIRTH)


@pytest.mark.parametrize(
    ("aware", "working_days", "expected"),
    [
        # aware Wed 7 Dec 2022, a working day: 0 -> same day; 1 -> Thu 8; 2 -> Fri 9
        ("2022-12-07", 0, date(2022, 12, 7)),
        ("2022-12-07", 1, date(2022, 12, 8)),
        ("2022-12-07", 2, date(2022, 12, 9)),
        # aware Sat 24 Dec 2022: Sun 25; Mon 26 Boxing Day; Tue 27 Christmas substitute
        # 0 -> next working day Wed 28; 1 -> Wed 28; 2 -> Thu 29 Dec 2022
        ("2022-12-24", 0, date(2022, 12, 28)),
        ("2022-12-24", 1, date(2022, 12, 28)),
        ("2022-12-24", 2, date(2022, 12, 29)),
    ],
)
def test_cdop_working_days_setting(aware: str, working_days: int, expected: date) -> None:
    result = run(
        settings={"cdop_working_days": working_days},
        outcome="died",
        event_date="2022-12-06",
        aware_date=aware,
    )
    assert due(result, CDOP) == expected


def test_unknown_or_disallowed_setting_is_refused() -> None:
    with pytest.raises(InvalidInput, match="cdop_working_days"):
        run(settings={"cdop_working_days": 3}, outcome="died")
    with pytest.raises(InvalidInput, match="no_such_setting"):
        run(settings={"no_such_setting": 1}, outcome="died")


# -- rapid-review -----------------------------------------------------------------------------

CHRISTMAS_2022 = {
    "event_date": "2022-12-05",
    "aware_date": "2022-12-07",
    "abuse_or_neglect": "known",
}


def test_rapid_review_due_is_unknown_until_the_panel_is_notified() -> None:
    result = run(**CHRISTMAS_2022)
    assert due(result, RAPID) is None
    assert has_advisory(result, AWAITING_NOTIFICATION)
    # aware Wed 7 Dec 2022 -> Thu 8, Fri 9, Mon 12, Tue 13, Wed 14 -> Wed 14 Dec 2022
    assert due(result, PANEL) == date(2022, 12, 14)


def test_rapid_review_15_working_days_after_notification_over_christmas() -> None:
    result = run(panel_notified_date="2022-12-12", **CHRISTMAS_2022)
    # notified Mon 12 Dec 2022: 13,14,15,16 (4), 19,20,21,22,23 (9),
    # Mon 26 Boxing Day and Tue 27 Christmas substitute skipped, 28,29,30 (12),
    # Mon 2 Jan 2023 New Year substitute skipped, Tue 3, Wed 4, Thu 5 (15) -> Thu 5 Jan 2023
    assert due(result, RAPID) == date(2023, 1, 5)
    assert not has_advisory(result, AWAITING_NOTIFICATION)


def test_rapid_review_over_easter_2023() -> None:
    result = run(
        event_date="2023-03-30",
        aware_date="2023-03-31",
        panel_notified_date="2023-04-03",
        abuse_or_neglect="suspected",
    )
    # notified Mon 3 Apr 2023: Tue 4, Wed 5, Thu 6 (3); Fri 7 Good Friday, Mon 10 Easter Monday
    # skipped; 11,12,13,14 (7); 17..21 (12); Mon 24, Tue 25, Wed 26 (15) -> Wed 26 Apr 2023
    assert due(result, RAPID) == date(2023, 4, 26)


def test_rapid_review_start_setting_counts_from_awareness() -> None:
    result = run(
        settings={"rapid_review_start": "aware_date"},
        panel_notified_date="2022-12-12",
        **CHRISTMAS_2022,
    )
    # aware Wed 7 Dec 2022: 8, 9 (2), 12..16 (7), 19..23 (12), 26 and 27 holidays,
    # Wed 28, Thu 29, Fri 30 (15) -> Fri 30 Dec 2022
    assert due(result, RAPID) == date(2022, 12, 30)
    # the clock no longer waits on the notification date
    without_notification = run(settings={"rapid_review_start": "aware_date"}, **CHRISTMAS_2022)
    assert due(without_notification, RAPID) == date(2022, 12, 30)
    assert not has_advisory(without_notification, AWAITING_NOTIFICATION)


def test_no_rapid_review_without_a_panel_duty() -> None:
    result = run(panel_notified_date="2022-04-20", abuse_or_neglect="none")
    assert RAPID not in ids(result)


# -- lcspr-publication -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decided", "expected"),
    [
        # Thu 31 Aug 2023 + 6 months -> Feb 2024, a leap year: clamp to Thu 29 Feb 2024
        ("2023-08-31", date(2024, 2, 29)),
        # Sat 31 Aug 2024 + 6 months -> Feb 2025, common year: clamp to Fri 28 Feb 2025
        ("2024-08-31", date(2025, 2, 28)),
        # Wed 15 Mar 2023 + 6 months -> Fri 15 Sep 2023, no clamp
        ("2023-03-15", date(2023, 9, 15)),
    ],
)
def test_lcspr_publication_six_calendar_months(decided: str, expected: date) -> None:
    result = run(abuse_or_neglect="known", lcspr_decision_date=decided)
    assert due(result, LCSPR) == expected


def test_no_lcspr_publication_without_a_decision() -> None:
    assert LCSPR not in ids(run(abuse_or_neglect="known"))


# -- several subjects, one case -----------------------------------------------------------------


def test_several_subjects_raise_one_panel_duty() -> None:
    case = validate_case(
        {
            "kind": "serious_incident",
            "subjects": [
                {
                    "given_names": "Testchild",
                    "family_name": "Example",
                    "date_of_birth": "2018-02-03",
                    "sex": "F",
                    "ethnicity": "NOBT",
                },
                {
                    "given_names": "Baby",
                    "family_name": "Example",
                    "unborn": True,
                    "sex": "U",
                },
                {
                    "given_names": "Oldersibling",
                    "family_name": "Example",
                    "date_of_birth": "2003-01-01",
                    "sex": "M",
                },
            ],
            "incident": {
                "outcome": "seriously_harmed",
                "event_date": "2022-12-05",
                "aware_date": "2022-12-07",
                "location": "in_area",
                "location_type": "home",
                "normally_resident_in_area": True,
                "abuse_or_neglect": "suspected",
                "abuse_kinds": ["physical", "neglect"],
                "panel_notified_date": "2022-12-12",
            },
            "notifier": {"name": "Test Notifier", "la": "Exampleshire"},
            "case_outline": "Synthetic test case.",
            "decision": {
                "notify": True,
                "rationale": "Synthetic rationale for the threshold decision.",
                "decided_on": "2022-12-08",
            },
        },
        TODAY,
    )
    result = assess_case(case, CALENDAR)
    assert [duty.id for duty in result.duties].count(PANEL) == 1
    assert [duty.id for duty in result.duties].count(RAPID) == 1
    # aware Wed 7 Dec 2022 -> Wed 14 Dec 2022; rapid review from Mon 12 Dec -> Thu 5 Jan 2023
    assert due(result, PANEL) == date(2022, 12, 14)
    assert due(result, RAPID) == date(2023, 1, 5)
    panel = result.duty(PANEL)
    assert panel is not None
    reasons = " | ".join(panel.reasons)
    assert "subject 1:" in reasons
    assert "subject 2:" in reasons
    # subject 3 was 19 on the event date: not a child, contributes no reason
    assert "subject 3:" not in reasons


# -- the rule pack itself -----------------------------------------------------------------------


def shipped_pack_document() -> dict[str, Any]:
    text = files("notify_tui.domain").joinpath("data/rulepack-england.json").read_text()
    document: dict[str, Any] = json.loads(text)
    return document


def test_rule_pack_loads_and_every_rule_has_a_source() -> None:
    pack = default_rule_pack()
    assert pack.label == "england-2025.2"
    assert {rule.id for rule in pack.rules} >= DOMAIN_RULE_IDS
    for rule in pack.rules:
        assert rule.source.strip(), rule.id
        if rule.kind == "duty":
            assert rule.recipients and rule.deadline is not None, rule.id
    for name, setting in pack.settings.items():
        assert setting.source.strip(), name


def test_default_deadlines_match_domain_table() -> None:
    pack = default_rule_pack()
    settings = pack.resolve_settings(None)
    assert settings["panel_working_days"] == 5
    assert settings["cdop_working_days"] == 1
    assert settings["rapid_review_start"] == "panel_notified_date"
    for rule_id in (LAC, CARE_LEAVER):
        deadline = pack.rule(rule_id).deadline
        assert deadline is not None
        assert deadline.working_days == 5 and deadline.start == "aware_date"
    rapid = pack.rule(RAPID).deadline
    assert rapid is not None and rapid.working_days == 15
    lcspr = pack.rule(LCSPR).deadline
    assert lcspr is not None and lcspr.calendar_months == 6


def _unknown_setting(doc: dict[str, Any]) -> None:
    doc["rules"][0]["deadline"] = {
        "working_days": {"setting": "no_such_setting"},
        "start": "aware_date",
    }


def _undefined_duty(doc: dict[str, Any]) -> None:
    rapid = next(rule for rule in doc["rules"] if rule["id"] == RAPID)
    rapid["when"] = [{"duty": "no-such-duty"}]


def _duty_before_its_dependency(doc: dict[str, Any]) -> None:
    rapid = next(rule for rule in doc["rules"] if rule["id"] == RAPID)
    doc["rules"].remove(rapid)
    doc["rules"].insert(0, rapid)


def _missing_recipients(doc: dict[str, Any]) -> None:
    del doc["rules"][0]["recipients"]


def _missing_source(doc: dict[str, Any]) -> None:
    del doc["rules"][0]["source"]


def _duplicate_id(doc: dict[str, Any]) -> None:
    doc["rules"].append(copy.deepcopy(doc["rules"][0]))


def _default_not_a_choice(doc: dict[str, Any]) -> None:
    doc["settings"]["cdop_working_days"]["default"] = 7


def _unknown_clock(doc: dict[str, Any]) -> None:
    doc["rules"][0]["clock"] = "regional"


def _unknown_office_step(doc: dict[str, Any]) -> None:
    doc["office_steps"]["rapid_review"]["steps"].append({"step": "tea_break"})


def _unknown_office_area(doc: dict[str, Any]) -> None:
    doc["office_steps"]["inquest"] = {"steps": [{"step": "opened"}], "source": "a coroner"}


def _office_step_after_an_unknown_step(doc: dict[str, Any]) -> None:
    doc["office_steps"]["cdop"]["steps"][0]["after"] = ["cdop.post_mortem"]


def _office_step_after_a_later_step(doc: dict[str, Any]) -> None:
    doc["office_steps"]["lcspr"]["steps"].reverse()


def _office_step_twice(doc: dict[str, Any]) -> None:
    doc["office_steps"]["cdop"]["steps"].append({"step": "category"})


@pytest.mark.parametrize(
    ("break_pack", "expected"),
    [
        (_unknown_setting, "no_such_setting"),
        (_undefined_duty, "no-such-duty"),
        (_duty_before_its_dependency, PANEL),
        (_missing_recipients, "recipients"),
        (_missing_source, "source"),
        (_duplicate_id, "twice"),
        (_default_not_a_choice, "choices"),
        (_unknown_clock, "clock"),
        (_unknown_office_step, "'rapid_review.tea_break' is not an office step"),
        (_unknown_office_area, "'inquest.opened' is not an office step"),
        (_office_step_after_an_unknown_step, "'cdop.post_mortem' is not an office step"),
        (_office_step_after_a_later_step, "needs 'lcspr.final_report_sent', not listed before"),
        (_office_step_twice, "'cdop.category' appears twice"),
    ],
)
def test_invalid_rule_pack_is_refused(break_pack: Any, expected: str) -> None:
    document = shipped_pack_document()
    parse_rule_pack(copy.deepcopy(document))  # the shipped pack itself is accepted
    break_pack(document)
    with pytest.raises(InvalidInput) as raised:
        parse_rule_pack(document)
    message = raised.value.message
    assert message.startswith("rule pack: ")
    assert expected in message
    assert "\n" not in message


# -- properties -------------------------------------------------------------------------------

WORKING_DAY_DUTIES = {PANEL, LAC, CARE_LEAVER, CDOP, RAPID}
EARLIEST = date(2019, 1, 1)
ENGLAND_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=range(2018, 2028))


def age_in_years(born: date, on: date) -> int:
    """Age by month/day comparison: a 29 Feb birthday is reached on 1 Mar in common years."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_england_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in ENGLAND_HOLIDAYS


def _years(born: date | None, on: date) -> int:
    assert born is not None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@st.composite
def valid_facts(draw: st.DrawFn) -> dict[str, Any]:
    event = draw(st.dates(EARLIEST, TODAY))
    aware = draw(st.dates(event, min(event + timedelta(days=40), TODAY)))
    unborn = draw(st.booleans())
    born = None if unborn else draw(st.dates(event - timedelta(days=365 * 30), event))
    outcome = draw(st.sampled_from(["died", "seriously_harmed", "other"]))
    notified = draw(st.none() | st.dates(aware, min(aware + timedelta(days=40), TODAY)))
    decided = draw(st.none() | st.dates(event, TODAY))
    return {
        "date_of_birth": born.isoformat() if born else None,
        "unborn": unborn,
        "outcome": outcome,
        "event_date": event.isoformat(),
        "aware_date": aware.isoformat(),
        "abuse_or_neglect": draw(st.sampled_from(["known", "suspected", "none"])),
        "location": draw(st.sampled_from(["in_area", "elsewhere_in_england", "outside_england"])),
        "normally_resident_in_area": draw(st.booleans()),
        "looked_after": False if unborn else draw(st.booleans()),
        # Care leavers left care at 16 or later (younger ones are refused as input).
        "care_leaver": False if unborn or _years(born, event) < 16 else draw(st.booleans()),
        "stillbirth_or_planned_termination": outcome == "died" and draw(st.booleans()),
        "panel_notified_date": notified.isoformat() if notified else None,
        "lcspr_decision_date": decided.isoformat() if decided else None,
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=valid_facts(),
    cdop_working_days=st.sampled_from([0, 1, 2]),
    rapid_review_start=st.sampled_from(["panel_notified_date", "aware_date"]),
)
def test_duties_follow_the_domain_rules(
    data: dict[str, Any], cdop_working_days: int, rapid_review_start: str
) -> None:
    chosen = {"cdop_working_days": cdop_working_days, "rapid_review_start": rapid_review_start}
    result = assess(validate_facts(data, TODAY), CALENDAR, settings=chosen)

    for duty in result.duties:
        if duty.due is None:
            continue
        assert duty.start is not None
        if duty.id == CDOP and cdop_working_days == 0:
            # "as soon as known": the working day it became known, or the next one
            assert duty.due >= duty.start
        else:
            assert duty.due > duty.start, duty.id
        if duty.id in WORKING_DAY_DUTIES:
            assert is_england_working_day(duty.due), (duty.id, duty.due)

    # DOMAIN.md, written out again independently of the rule pack.
    born = date.fromisoformat(data["date_of_birth"]) if data["date_of_birth"] else None
    event = date.fromisoformat(data["event_date"])
    age = age_in_years(born, event) if born else None
    born_child = age is not None and age < 18
    child = data["unborn"] or born_child
    abuse = data["abuse_or_neglect"] in ("known", "suspected")
    died_or_harmed = data["outcome"] in ("died", "seriously_harmed")
    where = data["location"] == "in_area" or (
        data["location"] == "outside_england" and data["normally_resident_in_area"]
    )
    panel = abuse and died_or_harmed and child and where
    assert (PANEL in ids(result)) is panel
    assert (RAPID in ids(result)) is panel

    died = data["outcome"] == "died"
    aware = date.fromisoformat(data["aware_date"])
    # CDOP: normally resident in the area, or died in it (Children Act 2004 s16M); the
    # rule is held from 29 Sep 2019 (Child Death Review guidance 2018 in force).
    resident_or_here = data["normally_resident_in_area"] or data["location"] == "in_area"
    assert (CDOP in ids(result)) is (
        died
        and born_child
        and not data["stillbirth_or_planned_termination"]
        and resident_or_here
        and aware >= date(2019, 9, 29)
    )
    assert (LAC in ids(result)) is (died and data["looked_after"] and born_child)
    # The care-leaver death notification began on 15 Dec 2023 (Working Together 2023).
    assert (CARE_LEAVER in ids(result)) is (
        died
        and data["care_leaver"]
        and age is not None
        and age < 25
        and aware >= date(2023, 12, 15)
    )
    assert (LCSPR in ids(result)) is (data["lcspr_decision_date"] is not None)


def test_pack_refuses_a_clock_starting_from_an_unknown_fact() -> None:
    """A typo in a deadline's start would leave the duty's due date null forever."""
    pack = json.loads(files("notify_tui.domain").joinpath("data/rulepack-england.json").read_text())
    pack["rules"][0]["deadline"]["start"] = "awar_date"
    with pytest.raises(InvalidInput, match="awar_date"):
        parse_rule_pack(pack)


def test_pack_refuses_a_duty_condition_naming_an_advisory() -> None:
    """Only duties can be depended on: an advisory id never counts as raised."""
    pack = json.loads(files("notify_tui.domain").joinpath("data/rulepack-england.json").read_text())
    advisory = next(r["id"] for r in pack["rules"] if r["kind"] == "advisory")
    pack["rules"].append(
        {
            "id": "follow-on",
            "kind": "duty",
            "title": "A follow-on",
            "version": 1,
            "effective_from": "2024-01-01",
            "recipients": ["Someone"],
            "when": [{"duty": advisory}],
            "deadline": {"working_days": 1, "start": "aware_date"},
            "source": "test",
        }
    )
    with pytest.raises(InvalidInput, match=advisory):
        parse_rule_pack(pack)


# -- clocks: statutory rules count national working days, local rules the closures too ---------

LOCAL_RULE = {
    "id": "lado-referral",
    "kind": "duty",
    "title": "Refer to the local authority designated officer (a local rule)",
    "version": 1,
    "effective_from": "2020-01-01",
    "recipients": ["Local authority designated officer"],
    "when": [{"fact": "outcome", "eq": "died", "reason": "the child died"}],
    "deadline": {"working_days": 1, "start": "aware_date"},
    "clock": "local",
    "source": "Testshire local procedures (synthetic, for tests)",
}


def pack_with_local_rule() -> Any:
    document = shipped_pack_document()
    document["rules"].append(LOCAL_RULE)
    return parse_rule_pack(document)


def test_a_closure_day_moves_only_a_local_rule() -> None:
    # A looked-after child died, known Mon 23 Nov 2026; Tue 24 Nov is a local closure.
    facts = validate_facts(
        factories.changed(BASE_FACTS, {"outcome": "died", "event_date": "2026-11-22",
                                       "aware_date": "2026-11-23", "looked_after": True}),
        TODAY,
    )  # fmt: skip
    closed = WorkingDayCalendar([date(2026, 11, 24)])
    result = assess(facts, closed, pack_with_local_rule())
    # CDOP: 1 working day (cdop_working_days default 1), national -> Tue 24 Nov.
    # DfE/Ofsted: 5 national working days 24, 25, 26, 27, 30 -> Mon 30 Nov.
    # The local rule: 1 working day, Tue 24 closed -> Wed 25 Nov.
    assert {d.id: (d.due, d.clock) for d in result.duties} == {
        CDOP: (date(2026, 11, 24), "national"),
        LAC: (date(2026, 11, 30), "national"),
        "lado-referral": (date(2026, 11, 25), "local"),
    }
    # Without the closure the local rule would be due Tue 24 like the CDOP notification.
    open_days = assess(facts, CALENDAR, pack_with_local_rule())
    assert due(open_days, "lado-referral") == date(2026, 11, 24)
    assert closed.national().closures == frozenset() and CALENDAR.national() is CALENDAR
