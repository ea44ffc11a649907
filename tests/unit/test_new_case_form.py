"""The case form's logic without Textual: the national form per kind, as typed.

Today is Mon 23 Nov 2026. NHS numbers worked by hand (weights 10 down to 2 on the first
nine digits; the check digit is 11 minus the sum mod 11):
- 943 476 5919: 90+36+24+28+42+30+20+27+2 = 299; 299 mod 11 = 2; 11-2 = 9. Valid.
- 401 023 2137: 40+0+8+0+12+15+8+3+6 = 92; 92 mod 11 = 4; 11-4 = 7. Valid.
- 943 476 5918: the check digit should be 9. Not valid.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from notify_tui.domain.models import CaseKind, validate_case
from notify_tui.views.new_case_form import (
    changed_fields,
    check_form,
    draft_label,
    field_of,
    initial_values,
    notifier_defaults,
    sections,
    still_to_complete,
    values_from_case,
    with_child,
    without_child,
)
from notify_tui.views.typed_values import (
    ethnicity_matches,
    periods_text,
    read_ethnicity,
    read_nhs,
    read_periods,
    read_time,
)

TODAY = date(2026, 11, 23)
SI = CaseKind.serious_incident


def filled(kind: CaseKind, **changes: Any) -> dict[str, Any]:
    values = initial_values(kind, TODAY, notifier_defaults("A. Lead", "Northshire Council"))
    values.update(
        {
            "c1.given_names": "Ada",
            "c1.family_name": "Form-Fictional",
            "c1.date_of_birth": "04/04/2019",
            "event_date": "20/11/2026",
            "aware_date": "20/11/2026",
        }
    )
    values.update(changes)
    return values


def test_entry_points_preset_what_the_kind_implies() -> None:
    notifier = notifier_defaults("A. Lead", "Northshire Council")
    care_leaver = initial_values(CaseKind.care_leaver_death, TODAY, notifier)
    assert care_leaver["c1.care_leaver"] == "yes" and care_leaver["outcome"] == "died"
    child_death = initial_values(CaseKind.child_death, TODAY, notifier)
    assert child_death["outcome"] == "died" and child_death["abuse_or_neglect"] == "none"
    incident = initial_values(SI, TODAY, notifier)
    assert incident["aware_date"] == "23/11/2026"
    assert (incident["notifier.name"], incident["notifier.la"]) == ("A. Lead", "Northshire Council")
    assert incident["decision"] == "undecided" and incident["children"] == 1


def test_each_kind_has_the_sections_of_its_form() -> None:
    assert [s.id for s in sections(SI, 2)] == [
        "notifier", "child1", "child2", "incident", "closing", "decision"
    ]  # fmt: skip
    assert [s.id for s in sections(CaseKind.child_death, 1, death=True, editing=True)] == [
        "notifier", "child1", "incident", "death", "closing"
    ]  # fmt: skip
    child = {spec.name for spec in sections(CaseKind.child_death, 1)[1].fields}
    assert "unborn" not in child  # a child death is of a child born alive
    assert {"nhs_number", "ethnicity", "disability", "care_periods", "home_la"} <= child


def test_two_children_with_nhs_numbers_ethnicity_place_abuse_kinds_and_a_link() -> None:
    """The whole national form for a serious incident builds the case document: every
    value where the model keeps it, dates as YYYY-MM-DD."""
    values = with_child(SI, filled(SI))
    values.update(
        {
            "c1.nhs_number": "943 476 5919",
            "c1.ethnicity": "wbri",
            "c1.disability": "no",
            "c1.child_in_need": True,
            "c2.given_names": "Bo",
            "c2.family_name": "Second-Fictional",
            "c2.date_of_birth": "1/2/22",
            "c2.sex": "M",
            "c2.nhs_number": "4010232137",
            "c2.ethnicity": "White and Asian",
            "c2.outcome": "died",
            "event_time": "1430",
            "location_type": "home",
            "place": "Flat 1 (fictional)",
            "abuse_kinds.neglect": True,
            "abuse_kinds.physical": True,
            "linked_cases": "SI-7K3Q9XAB; CD-00000001",
            "other_children": "A baby sibling (fictional)",
            "notifier.email": "lead@example.invalid",
        }
    )
    check = check_form(SI, values, TODAY)
    assert check.errors == {} and check.document is not None
    document = check.document
    first, second = document["subjects"]
    assert (first["nhs_number"], first["ethnicity"], first["disability"]) == (
        "9434765919", "WBRI", "no"
    )  # fmt: skip
    assert first["legal_status"]["child_in_need"] is True
    assert (second["date_of_birth"], second["sex"]) == ("2022-02-01", "M")
    assert second["outcome"] == "died"
    assert (second["nhs_number"], second["ethnicity"]) == ("4010232137", "MWAS")
    incident = document["incident"]
    assert incident["event_date"] == "2026-11-20" and incident["event_time"] == "14:30:00"
    assert (incident["location_type"], incident["place"]) == ("home", "Flat 1 (fictional)")
    assert incident["abuse_kinds"] == ["physical", "neglect"]  # the model's order
    assert document["linked_cases"] == ["SI-7K3Q9XAB", "CD-00000001"]
    assert document["other_children"] == "A baby sibling (fictional)"
    assert document["notifier"] == {
        "name": "A. Lead", "email": "lead@example.invalid", "la": "Northshire Council"
    }  # fmt: skip
    case = validate_case(document, TODAY)
    assert [s.family_name for s in case.subjects] == ["Form-Fictional", "Second-Fictional"]


def test_a_child_death_keeps_the_cdop_questions() -> None:
    values = filled(
        CaseKind.child_death,
        **{
            "death.expected": "unexpected",
            "death.jar.sudden_no_apparent_cause": True,
            "death.post_mortem": "yes",
            "death.death_certificate": "no",
            "death.carer": "mother",
        },
    )
    check = check_form(CaseKind.child_death, values, TODAY)
    assert check.ok and check.document is not None
    assert check.document["death"] == {
        "expected": "unexpected",
        "joint_agency_response": ["sudden_no_apparent_cause"],
        "post_mortem": "yes",
        "death_certificate": "no",
        "carer": "mother",
    }


def test_a_joint_agency_response_on_an_expected_death_is_refused_beside_the_answer() -> None:
    values = filled(
        CaseKind.child_death, **{"death.expected": "expected", "death.jar.suspicious": True}
    )
    check = check_form(CaseKind.child_death, values, TODAY)
    assert check.errors == {"death.expected": "a joint agency response is for an unexpected death"}


def test_field_problems_and_echoes() -> None:
    values = filled(
        SI,
        **{
            "event_date": "30/02/2026",
            "c1.given_names": " ",
            "c1.nhs_number": "943 476 5918",
            "c1.ethnicity": "martian",
            "event_time": "25:00",
        },
    )
    check = check_form(SI, values, TODAY)
    assert check.errors["event_date"].startswith("there is no 30 February 2026")
    assert check.errors["c1.given_names"] == "required"
    assert check.errors["c1.nhs_number"] == "check digit does not match: check for a typing mistake"
    assert check.errors["c1.ethnicity"].startswith("no DfE code matches")
    assert check.errors["event_time"] == "write the time as 14:30 (24-hour clock)"
    assert check.hints["c1.date_of_birth"] == "Thu 04 Apr 2019"
    assert check.hints["aware_date"] == "Fri 20 Nov 2026"
    assert check.preview is None  # no facts to assess without the dates
    future = check_form(SI, filled(SI, event_date="30/11/26"), TODAY)
    assert future.errors["event_date"] == (
        "Mon 30 Nov 2026: is in the future; give the date it happened"
    )


def test_the_status_names_what_is_still_to_complete() -> None:
    values = with_child(SI, initial_values(SI, TODAY))
    check = check_form(SI, values, TODAY)
    assert still_to_complete(SI, values, check.errors) == [
        "Given names (child 1)", "Family name (child 1)", "Date of birth (child 1)",
        "Given names (child 2)", "Family name (child 2)", "Date of birth (child 2)",
        "Date of incident",
    ]  # fmt: skip


def test_cross_field_problems_land_beside_the_right_field() -> None:
    check = check_form(CaseKind.child_death, filled(CaseKind.child_death,
                       **{"c1.date_of_birth": "01/01/2000"}), TODAY)  # fmt: skip
    assert "18 or older" in check.errors["c1.date_of_birth"]
    assert field_of("subjects.1.legal_status") == "c2.looked_after"
    assert field_of("subjects.0.legal_status.care_leaver") == "c1.care_leaver"
    assert field_of("incident.abuse_kinds.0") == "abuse_or_neglect"
    assert field_of("notifier.email") == "notifier.email"
    assert field_of("nothing.known") == "form"


def test_a_decision_needs_a_rationale() -> None:
    values = filled(SI, decision="notify", rationale="short")
    assert "sentence" in check_form(SI, values, TODAY).errors["rationale"]


def test_typed_values_read_as_the_model_keeps_them() -> None:
    assert read_nhs("943 476 5919") == ("9434765919", "", "valid NHS number (check digit matches)")
    assert read_nhs("Not available")[0] == "not_available"
    assert read_nhs("non-resident")[0] == "non_resident"
    assert read_nhs("94347659")[1] == "an NHS number has 10 digits (8 typed)"
    assert read_time("9:05") == ("09:05", "") and read_time("14.30") == ("14:30", "")
    assert read_ethnicity("bafr") == ("BAFR", "", "Black African (BAFR)")
    assert [code for code, _ in ethnicity_matches("irish")] == ["WIRI", "WIRT"]
    assert [code for code, _ in ethnicity_matches("bl")][:2] == ["BCRB", "BAFR"]
    periods, problem = read_periods(
        "01/09/2019 to 31/03/2021 care order; 1/6/22 to now accommodated", TODAY
    )
    assert problem == ""
    assert periods == [
        {"start": "2019-09-01", "end": "2021-03-31", "basis": "care_order"},
        {"start": "2022-06-01", "end": None, "basis": "accommodated"},
    ]
    assert periods_text(periods) == (
        "01/09/2019 to 31/03/2021 care order; 01/06/2022 to now accommodated"
    )
    assert read_periods("01/09/2019 to 31/03/2021 fostering", TODAY)[1].startswith(
        "period 1: the basis is"
    )


def test_children_are_added_and_removed_in_order() -> None:
    values = with_child(SI, with_child(SI, filled(SI)))
    values.update({"c2.given_names": "Two", "c3.given_names": "Three"})
    assert values["children"] == 3
    fewer = without_child(SI, values, 2)
    assert fewer["children"] == 2
    assert (fewer["c1.given_names"], fewer["c2.given_names"]) == ("Ada", "Three")
    assert "c3.given_names" not in fewer
    four = with_child(SI, with_child(SI, values))
    assert four["children"] == 4 and with_child(SI, four)["children"] == 4  # the form's limit


def test_a_draft_is_labelled_by_initials_only() -> None:
    values = with_child(SI, filled(SI))
    values.update({"c2.given_names": "Bo Jo", "c2.family_name": "Second-Fictional"})
    assert draft_label(values) == "children A.F., B.J.S."
    assert draft_label(initial_values(SI, TODAY)) == "no name yet"


# -- editing a stored case with the same form ----------------------------------------

STORED = {
    "kind": "serious_incident",
    "case_outline": "Synthetic: a fictional child, harmed at home.",
    "incident": {
        "abuse_kinds": ["neglect"],
        "abuse_or_neglect": "suspected",
        "aware_date": "2026-11-11",
        "event_date": "2026-11-10",
        "location": "in_area",
        "normally_resident_in_area": True,
        "outcome": "seriously_harmed",
    },
    "subjects": [
        {
            "given_names": "Orla",
            "family_name": "Edit-Fictional",
            "date_of_birth": "2020-11-24",
            "sex": "F",
            "unborn": False,
            "legal_status": {"child_protection_plan": True, "child_in_need": True},
        },
        {
            "given_names": "Second",
            "family_name": "Sibling-Fictional",
            "date_of_birth": "2018-01-01",
            "sex": "M",
            "legal_status": {"looked_after": False},
            "care_periods": [],
        },
    ],
}


def test_the_edit_form_starts_from_every_child_of_the_stored_case() -> None:
    values = values_from_case(SI, STORED, TODAY)
    assert values["children"] == 2
    assert (values["c1.given_names"], values["c1.date_of_birth"], values["c1.sex"]) == (
        "Orla", "24/11/2020", "F"
    )  # fmt: skip
    assert values["c1.child_protection_plan"] is True
    assert values["c1.looked_after"] == "derive"  # not given: worked out from the periods
    assert values["c2.looked_after"] == "no" and values["c2.given_names"] == "Second"
    assert values["aware_date"] == "11/11/2026"  # not the new-case default, today
    assert values["place"] == "" and values["abuse_kinds.neglect"] is True
    assert values["notifier.name"] == ""  # an edit does not prefill: it shows what is held
    assert check_form(SI, values, TODAY).ok


def test_only_the_fields_changed_are_sent() -> None:
    before = values_from_case(SI, STORED, TODAY)
    assert changed_fields(SI, before, dict(before), TODAY) == {}
    # Spaces around a value and another way of writing the same date are not a change.
    same = {**before, "c1.given_names": "  Orla ", "aware_date": "2026-11-11"}
    assert changed_fields(SI, before, same, TODAY) == {}
    after = {**before, "aware_date": "20/11/2026", "place": "Ward 9 (fictional)"}
    assert changed_fields(SI, before, after, TODAY) == {
        "incident.aware_date": "2026-11-20",
        "incident.place": "Ward 9 (fictional)",
    }
    # Clearing an optional value removes it.
    assert changed_fields(SI, after, {**after, "place": "   "}, TODAY) == {"incident.place": None}
    assert changed_fields(
        SI, before, {**before, "c1.unborn": True, "c1.date_of_birth": ""}, TODAY
    ) == {  # fmt: skip
        "subjects.0.unborn": True,
        "subjects.0.date_of_birth": None,
    }


def test_removing_the_first_child_moves_the_second_up() -> None:
    before = values_from_case(SI, STORED, TODAY)
    after = without_child(SI, before, 1)
    changes = changed_fields(SI, before, after, TODAY)
    assert changes["subjects.0.given_names"] == "Second"
    assert changes["subjects.0.date_of_birth"] == "2018-01-01"
    assert changes["subjects.1.given_names"] is None  # the second place is emptied
    assert "subjects.0.legal_status.child_protection_plan" in changes


def test_a_care_leaver_death_checks_clean_with_the_care_leaver_second() -> None:
    """Every subject is on the form, so a sibling first and the care leaver second is a
    valid case, edited on the care leaver's fields."""
    stored = {
        "kind": "care_leaver_death",
        "case_outline": "Synthetic: fictional care leaver died.",
        "incident": {
            "outcome": "died",
            "event_date": "2026-11-19",
            "aware_date": "2026-11-20",
            "abuse_or_neglect": "none",
            "location": "in_area",
            "normally_resident_in_area": True,
        },
        "subjects": [
            {"given_names": "Sib", "family_name": "Ling-Fictional", "sex": "M",
             "date_of_birth": "2010-01-01"},
            {
                "given_names": "Cara",
                "family_name": "Leaver-Fictional",
                "date_of_birth": "2004-03-03",
                "sex": "F",
                "legal_status": {"care_leaver": True, "looked_after": False},
            },
        ],
    }  # fmt: skip
    kind = CaseKind.care_leaver_death
    values = values_from_case(kind, stored, TODAY)
    assert (values["c2.given_names"], values["c2.care_leaver"]) == ("Cara", "yes")
    assert check_form(kind, values, TODAY).ok
    after = {**values, "c2.date_of_birth": "04/03/2004"}
    assert changed_fields(kind, values, after, TODAY) == {"subjects.1.date_of_birth": "2004-03-04"}
