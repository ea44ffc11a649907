"""The new case form's logic without Textual."""

from __future__ import annotations

from datetime import date

from notify_tui.domain.models import CaseKind, validate_case
from notify_tui.new_case_form import check_form, field_of, initial_values

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
