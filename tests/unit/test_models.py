"""Validation of facts and case documents: every refusal is one line naming the field.

"Today" is frozen at Mon 23 Nov 2026. All names, numbers and dates are synthetic.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import factories
import pytest

from notify_tui.domain.models import CaseKind, Outcome, validate_case, validate_facts
from notify_tui.errors import InvalidInput

TODAY = date(2026, 11, 23)

FACTS: dict[str, Any] = factories.facts(
    "child_death",
    date_of_birth="2015-03-10",
    outcome="died",
    event_date="2022-04-13",
    aware_date="2022-04-14",
    abuse_or_neglect="suspected",
    location="in_area",
    normally_resident_in_area=True,
)


def facts_with(**changes: Any) -> dict[str, Any]:
    """FACTS with `changes` applied; a value of ... removes the key."""
    return factories.changed(FACTS, changes)


def refusal(call: Any, *args: Any) -> str:
    with pytest.raises(InvalidInput) as raised:
        call(*args)
    message = raised.value.message
    assert "\n" not in message, message
    assert message.strip() == message
    return message


def test_valid_facts_parse() -> None:
    facts = validate_facts(FACTS, TODAY)
    assert facts.outcome is Outcome.died
    assert facts.event_date == date(2022, 4, 13)
    assert facts.unborn is False


def test_today_itself_is_not_in_the_future() -> None:
    facts = validate_facts(facts_with(event_date="2026-11-23", aware_date="2026-11-23"), TODAY)
    assert facts.aware_date == TODAY


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        # the day after the frozen today, Tue 24 Nov 2026, is in the future
        ({"event_date": "2026-11-24", "aware_date": "2026-11-24"}, "event_date", "future"),
        ({"aware_date": "2026-11-24"}, "aware_date", "future"),
        ({"date_of_birth": "2026-11-24"}, "date_of_birth", "future"),
        ({"panel_notified_date": "2026-11-24"}, "panel_notified_date", "future"),
        ({"lcspr_decision_date": "2026-11-24"}, "lcspr_decision_date", "future"),
        # born the day after the event (Wed 13 Apr 2022)
        ({"date_of_birth": "2022-04-14"}, "date_of_birth", "after the event"),
        # aware Tue 12 Apr 2022, the day before the event
        ({"aware_date": "2022-04-12"}, "aware_date", "before the event"),
        # notified Wed 13 Apr 2022, before becoming aware on Thu 14
        ({"panel_notified_date": "2022-04-13"}, "panel_notified_date", "before the LA"),
        ({"lcspr_decision_date": "2022-04-12"}, "lcspr_decision_date", "precede"),
        ({"care_leaver": True, "date_of_birth": None}, "date_of_birth", "give the date of birth"),
        ({"date_of_birth": None}, "date_of_birth", "unborn"),
        ({"unborn": True}, "date_of_birth", "unborn child has no date of birth"),
        (
            {"unborn": True, "date_of_birth": None, "looked_after": True},
            "unborn",
            "looked after",
        ),
        (
            {"outcome": "seriously_harmed", "stillbirth_or_planned_termination": True},
            "stillbirth_or_planned_termination",
            "died",
        ),
        ({"outcome": "dead"}, "outcome", "seriously_harmed"),
        ({"location": "scotland"}, "location", "outside_england"),
        ({"abuse_or_neglect": "maybe"}, "abuse_or_neglect", "suspected"),
        ({"abuse_kinds": ["bruising"]}, "abuse_kinds.0", "physical"),
        ({"normally_resident_in_area": "perhaps"}, "normally_resident_in_area", "true or false"),
        ({"event_date": True}, "event_date", "YYYY-MM-DD"),
        ({"abuse_kinds": "physical"}, "abuse_kinds", "list"),
        ({"event_date": "2023-02-30"}, "event_date", "there is no 30 February 2023"),
        ({"event_date": "13/04/2022"}, "event_date", "YYYY-MM-DD"),
        ({"outcome": ...}, "outcome", "required"),
        ({"aware_date": ...}, "aware_date", "required"),
        ({"favourite_colour": "red"}, "favourite_colour", "not a known field"),
    ],
)
def test_facts_refusal_names_the_field(changes: dict[str, Any], field: str, words: str) -> None:
    message = refusal(validate_facts, facts_with(**changes), TODAY)
    assert message.startswith(f"{field}: "), message
    assert words in message, message


@pytest.mark.parametrize("document", [[FACTS], "facts", 42, None])
def test_facts_document_must_be_an_object(document: Any) -> None:
    message = refusal(validate_facts, document, TODAY)
    assert message.startswith("document: "), message


def test_several_problems_are_still_one_line() -> None:
    message = refusal(validate_facts, {}, TODAY)
    assert "required" in message
    assert "more problem" in message


def test_a_number_is_not_a_date() -> None:
    refusal(validate_facts, facts_with(event_date=1649808000), TODAY)


# -- case documents -----------------------------------------------------------------------------


def subject(**changes: Any) -> dict[str, Any]:
    base = {"given_names": "Testy", "family_name": "Example", "date_of_birth": "2015-03-10"}
    return factories.subject("child", **{**base, "sex": "F", **changes})


def minimal_case(kind: str = "serious_incident", *subjects: dict[str, Any], **facts: Any) -> dict:
    return factories.case(
        kind,  # type: ignore[arg-type]
        "child",
        subjects=list(subjects) or [subject()],
        facts={**FACTS, "date_of_birth": ..., **facts},
        case_outline="Synthetic outline for a test.",
    )


def test_minimal_case_expands_and_validates() -> None:
    case = validate_case(
        minimal_case(
            "child_death",
            subject(nhs_number="999 000 0018", ethnicity="wbri"),
            looked_after=True,
        ),
        TODAY,
    )
    assert case.kind is CaseKind.child_death
    assert case.incident.event_date == date(2022, 4, 13)
    assert case.incident.aware_date == date(2022, 4, 14)
    assert case.case_outline == "Synthetic outline for a test."
    only = case.subjects[0]
    assert only.date_of_birth == date(2015, 3, 10)
    assert only.legal_status.looked_after is True
    # 999 000 0018: 9*10 + 9*9 + 9*8 + 1*2 = 245; 245 mod 11 = 3; 11 - 3 = 8, the last digit
    assert only.nhs_number == "9990000018"
    assert only.ethnicity == "WBRI"
    facts = case.facts_for(only)
    assert facts.looked_after is True
    assert facts.date_of_birth == date(2015, 3, 10)


@pytest.mark.parametrize(
    ("document", "field", "words"),
    [
        (
            # 999 000 0017: the check digit should be 8 (see above)
            minimal_case("serious_incident", subject(nhs_number="999 000 0017")),
            "subjects.0.nhs_number",
            "NHS number",
        ),
        (
            minimal_case("serious_incident", subject(nhs_number="99900000")),
            "subjects.0.nhs_number",
            "NHS number",
        ),
        (
            minimal_case("serious_incident", subject(ethnicity="ZZZZ")),
            "subjects.0.ethnicity",
            "ethnicity",
        ),
        (
            minimal_case("serious_incident", subject(), subject(sex="X")),
            "subjects.1.sex",
            "'M', 'F' or 'U'",
        ),
        (
            minimal_case("serious_incident", subject(unborn=True, sex="U")),
            "subjects.0.date_of_birth",
            "unborn",
        ),
        (
            minimal_case("serious_incident", subject(date_of_birth=...)),
            "subjects.0.date_of_birth",
            "unborn",
        ),
        (
            minimal_case("serious_incident", subject(shoe_size=3)),
            "subjects.0.shoe_size",
            "not a known field",
        ),
        (
            minimal_case("serious_incident", subject(given_names=...)),
            "subjects.0.given_names",
            "required",
        ),
        (
            minimal_case("serious_incident", outcome="other"),
            "incident.outcome",
            "died or seriously_harmed",
        ),
        (
            minimal_case("unknown_kind"),
            "kind",
            "serious_incident",
        ),
        (
            minimal_case("serious_incident", location="wales"),
            "incident.location",
            "in_area",
        ),
        (
            minimal_case("serious_incident", event_date="2026-11-24", aware_date="2026-11-24"),
            "incident.event_date",
            "future",
        ),
        (
            {**minimal_case(), "colour": "red"},
            "colour",
            "not a known field",
        ),
    ],
)
def test_case_refusal_names_the_field(document: dict[str, Any], field: str, words: str) -> None:
    message = refusal(validate_case, document, TODAY)
    assert message.startswith(f"{field}: "), message
    assert words in message, message


def test_nhs_number_refusal_does_not_repeat_the_number() -> None:
    message = refusal(
        validate_case, minimal_case("serious_incident", subject(nhs_number="999 000 0017")), TODAY
    )
    assert "0017" not in message


def test_care_leaver_death_at_25_is_refused() -> None:
    # born 15 Sep 1999: 25 on Sun 15 Sep 2024, the date of death
    document = minimal_case(
        "care_leaver_death",
        subject(date_of_birth="1999-09-15"),
        care_leaver=True,
        abuse_or_neglect="none",
        event_date="2024-09-15",
        aware_date="2024-09-16",
    )
    message = refusal(validate_case, document, TODAY)
    assert message.startswith("subjects.0.date_of_birth: ")
    assert "25 or older" in message


def test_care_leaver_death_at_24_is_accepted() -> None:
    # died Sat 14 Sep 2024, the day before the 25th birthday
    document = minimal_case(
        "care_leaver_death",
        subject(date_of_birth="1999-09-15"),
        care_leaver=True,
        abuse_or_neglect="none",
        event_date="2024-09-14",
        aware_date="2024-09-16",
    )
    case = validate_case(document, TODAY)
    assert case.subjects[0].legal_status.care_leaver is True


def test_care_leaver_death_needs_a_care_leaver() -> None:
    message = refusal(validate_case, minimal_case("care_leaver_death"), TODAY)
    assert message.startswith("subjects.0.legal_status.care_leaver: ")


def test_child_death_at_18_is_refused() -> None:
    # born 10 Jun 2006: 18 on Mon 10 Jun 2024, the date of death
    document = minimal_case(
        "child_death",
        subject(date_of_birth="2006-06-10"),
        event_date="2024-06-10",
        aware_date="2024-06-10",
    )
    message = refusal(validate_case, document, TODAY)
    assert message.startswith("subjects.0.date_of_birth: ")
    assert "18 or older" in message


def test_child_death_at_17_is_accepted() -> None:
    # died Sun 9 Jun 2024, the day before the 18th birthday
    document = minimal_case(
        "child_death",
        subject(date_of_birth="2006-06-10"),
        event_date="2024-06-09",
        aware_date="2024-06-10",
    )
    assert validate_case(document, TODAY).kind is CaseKind.child_death


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": "seriously_harmed"}, "incident.outcome"),
        ({"stillbirth_or_planned_termination": True}, "incident.stillbirth_or_planned_termination"),
    ],
)
def test_child_death_needs_a_death_of_a_child_born_alive(
    changes: dict[str, Any], field: str
) -> None:
    message = refusal(validate_case, minimal_case("child_death", **changes), TODAY)
    assert message.startswith(f"{field}: "), message


def test_child_death_of_an_unborn_child_is_refused() -> None:
    document = minimal_case("child_death", subject(date_of_birth=..., unborn=True, sex="U"))
    message = refusal(validate_case, document, TODAY)
    assert message.startswith("subjects.0.unborn: ")


def test_case_holds_at_most_four_named_subjects() -> None:
    five = [subject(given_names=f"Child{n}") for n in "ABCDE"]
    message = refusal(validate_case, minimal_case("serious_incident", *five), TODAY)
    assert message.startswith("subjects: ")


def test_decision_needs_a_rationale() -> None:
    document = {
        **minimal_case(),
        "decision": {"notify": True, "rationale": "ok", "decided_on": "2022-04-14"},
    }
    message = refusal(validate_case, document, TODAY)
    assert message.startswith("decision.rationale: ")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("event_date", "2022-04-13T10:00", "YYYY-MM-DD"),
        ("event_date", "1899-12-31", "implausibly early"),
        ("looked_after", "yes", "true or false"),
        ("looked_after", 1, "true or false"),
    ],
)
def test_loose_values_are_refused(field: str, value: object, words: str) -> None:
    """Date-times, ancient years and truthy strings or numbers are not silently coerced."""
    message = refusal(validate_facts, facts_with(**{field: value}), TODAY)
    assert field in message and words in message


def test_a_list_instead_of_an_object_is_named() -> None:
    message = refusal(validate_facts, [1, 2], TODAY)
    assert message == "document: must be a JSON object"


def test_care_leaver_under_16_is_refused() -> None:
    # Born 1 Jan 2010, event 12 Apr 2022: aged 12, too young to have left care.
    message = refusal(
        validate_facts, facts_with(date_of_birth="2010-01-01", care_leaver=True), TODAY
    )
    assert message.startswith("care_leaver:") and "12" in message
