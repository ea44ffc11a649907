"""The test document factories build valid documents and apply changes as documented."""

from __future__ import annotations

from datetime import date

import factories
import pytest

from notify_tui.domain.models import CaseKind, validate_case, validate_facts

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("kind", "who"),
    [
        ("serious_incident", "child"),
        ("serious_incident", "unborn"),
        ("child_death", "child"),
        ("care_leaver_death", "care_leaver"),
    ],
)
def test_every_kind_and_subject_is_valid_today(
    kind: factories.Kind, who: factories.SubjectKind
) -> None:
    """Facts and case documents of each kind validate on the frozen Monday."""
    validate_facts(factories.facts(kind, who), TODAY)
    assert validate_case(factories.case(kind, who), TODAY).kind is CaseKind(kind)


def test_care_leaver_death_defaults_to_a_care_leaver() -> None:
    """A care leaver's death is about a care leaver unless told otherwise."""
    document = factories.case("care_leaver_death")
    assert document["facts"]["care_leaver"] is True
    assert document["facts"]["date_of_birth"] == "2003-05-01"


def test_unborn_subject_has_no_date_of_birth() -> None:
    """An unborn child: unborn true, date of birth null, sex U."""
    document = factories.case("serious_incident", "unborn")
    assert document["facts"]["unborn"] is True and document["facts"]["date_of_birth"] is None
    assert document["subjects"][0]["sex"] == "U"


def test_changes_by_keyword_path_and_removal() -> None:
    """Keywords, `__` paths, dotted paths and `...` each change just their key."""
    document = factories.case(
        "child_death",
        facts={"aware_date": "2026-11-20", "location": ...},
        case_outline="SYNTHETIC other",
        subjects__0__family_name="Changed-Fictional",
    )
    assert document["facts"]["aware_date"] == "2026-11-20"
    assert "location" not in document["facts"]
    assert document["case_outline"] == "SYNTHETIC other"
    assert document["subjects"][0]["family_name"] == "Changed-Fictional"
    again = factories.changed(document, {"facts.outcome": "other", "subjects.0.sex": ...})
    assert again["facts"]["outcome"] == "other" and "sex" not in again["subjects"][0]
    assert document["facts"]["outcome"] == "died" and document["subjects"][0]["sex"] == "F"


def test_documents_are_fresh_copies() -> None:
    """Changing one document never changes the next one built."""
    first = factories.case()
    first["subjects"][0]["given_names"] = "Mutated"
    first["facts"]["outcome"] = "died"
    second = factories.case()
    assert second["subjects"][0]["given_names"] == "Ada"
    assert second["facts"]["outcome"] == "seriously_harmed"
