"""The new case form's logic without Textual."""

from __future__ import annotations

from datetime import date

from notify_tui.domain.models import CaseKind, validate_case
from notify_tui.views.new_case_form import (
    changed_fields,
    check_form,
    field_of,
    form_subject,
    initial_values,
    values_from_case,
)

TODAY = date(2026, 11, 23)


def filled(kind: CaseKind, **changes: object) -> dict[str, object]:
    values = initial_values(kind, TODAY)
    values.update(
        given_names="Ada",
        family_name="Form-Fictional",
        date_of_birth="2019-04-04",
        event_date="2026-11-20",
        aware_date="2026-11-20",
    )
    values.update(changes)
    return values


def test_entry_points_preset_what_the_kind_implies() -> None:
    assert initial_values(CaseKind.care_leaver_death, TODAY)["care_leaver"] is True
    assert initial_values(CaseKind.child_death, TODAY)["outcome"] == "died"
    assert initial_values(CaseKind.serious_incident, TODAY)["aware_date"] == "2026-11-23"


def test_a_complete_form_builds_a_valid_case() -> None:
    check = check_form(CaseKind.serious_incident, filled(CaseKind.serious_incident), TODAY)
    assert check.ok and check.document is not None
    case = validate_case(check.document, TODAY)
    assert case.subjects[0].family_name == "Form-Fictional"
    assert check.facts is not None and check.facts["aware_date"] == "2026-11-20"


def test_field_problems_name_their_field() -> None:
    values = filled(CaseKind.serious_incident, event_date="20/11/2026", given_names=" ")
    check = check_form(CaseKind.serious_incident, values, TODAY)
    assert "YYYY-MM-DD" in check.errors["event_date"]
    assert check.errors["given_names"] == "required"
    assert check.facts is None  # no facts to assess without the dates


def test_cross_field_problems_land_beside_the_right_field() -> None:
    values = filled(CaseKind.child_death, date_of_birth="2000-01-01")
    check = check_form(CaseKind.child_death, values, TODAY)
    assert "18 or older" in check.errors["date_of_birth"]
    assert field_of("subjects.0.legal_status") == "looked_after"
    assert field_of("nothing.known") == "form"


def test_a_decision_needs_a_rationale() -> None:
    values = filled(CaseKind.serious_incident, decision="notify", rationale="short")
    assert "sentence" in check_form(CaseKind.serious_incident, values, TODAY).errors["rationale"]


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
        {"given_names": "Second", "family_name": "Sibling-Fictional", "sex": "M"},
    ],
}


def test_the_edit_form_starts_from_the_stored_case() -> None:
    values = values_from_case(CaseKind.serious_incident, STORED, TODAY)
    assert values["given_names"] == "Orla" and values["family_name"] == "Edit-Fictional"
    assert values["date_of_birth"] == "2020-11-24" and values["sex"] == "F"
    assert values["child_protection_plan"] is True
    assert values["looked_after"] is False  # not held: the form's default
    assert values["aware_date"] == "2026-11-11"  # not the new-case default, today
    assert values["event_date"] == "2026-11-10"
    assert values["place"] == ""  # not held: blank
    assert values["case_outline"] == "Synthetic: a fictional child, harmed at home."
    assert values["decision"] == "undecided"


def test_only_the_fields_changed_are_sent() -> None:
    before = values_from_case(CaseKind.serious_incident, STORED, TODAY)
    assert changed_fields(before, dict(before)) == {}
    # Spaces around a value are not a change.
    assert changed_fields(before, {**before, "given_names": "  Orla "}) == {}
    after = {**before, "aware_date": "2026-11-20", "place": "Ward 9 (fictional)"}
    assert changed_fields(before, after) == {
        "incident.aware_date": "2026-11-20",
        "incident.place": "Ward 9 (fictional)",
    }
    # Clearing an optional value removes it; the other subject and child_in_need,
    # which the form does not show, are never in the changes.
    assert changed_fields(after, {**after, "place": "   "}) == {"incident.place": None}
    assert changed_fields(before, {**before, "unborn": True, "date_of_birth": ""}) == {
        "subjects.0.unborn": True,
        "subjects.0.date_of_birth": None,
    }


def test_a_care_leaver_death_is_edited_on_the_care_leaver() -> None:
    """The care leaver is the second subject: the form shows and changes that one, and
    checks clean (with the first subject, a sibling, it could never be saved)."""
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
            {"given_names": "Sib", "family_name": "Ling-Fictional", "sex": "M"},
            {
                "given_names": "Cara",
                "family_name": "Leaver-Fictional",
                "date_of_birth": "2004-03-03",
                "sex": "F",
                "legal_status": {"care_leaver": True, "looked_after": False},
            },
        ],
    }
    kind = CaseKind.care_leaver_death
    assert form_subject(kind, stored) == 1
    values = values_from_case(kind, stored, TODAY)
    assert (values["given_names"], values["care_leaver"]) == ("Cara", True)
    assert check_form(kind, values, TODAY).ok
    after = {**values, "date_of_birth": "2004-03-04"}
    assert changed_fields(values, after, form_subject(kind, stored)) == {
        "subjects.1.date_of_birth": "2004-03-04"
    }
