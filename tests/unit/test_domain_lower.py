"""Pure logic moved into the domain: urgency, case ids, chain names, and no clock reads.

Every expected value is worked by hand. All names and dates are synthetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.chains import (
    chain_suffix,
    device_id_for,
    office_chain_id,
    org_slug,
    signing_device,
)
from notify_tui.domain.fold import flatten, is_fact_field
from notify_tui.domain.ids import new_case_id
from notify_tui.domain.models import CaseKind, Facts, validate_facts
from notify_tui.domain.rules import default_rule_pack
from notify_tui.domain.urgency import urgency
from notify_tui.errors import InvalidInput
from notify_tui.store.projection import Projector


@pytest.mark.parametrize(
    ("status", "left", "expected"),
    [
        ("sent", -4, "done"),
        ("withdrawn", None, "done"),
        ("open", None, "no date"),
        ("open", -1, "overdue"),
        ("open", 0, "due today"),
        ("open", 1, "due soon"),
        ("open", 2, "due soon"),
        ("open", 3, "later"),
    ],
)
def test_urgency_words(status: str, left: int | None, expected: str) -> None:
    assert urgency(status, left) == expected


def test_case_ids_name_their_kind_in_crockford_base32() -> None:
    pattern = re.compile(r"^(SI|CL|CD)-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}$")
    ids = {new_case_id(CaseKind.child_death) for _ in range(50)}
    assert all(pattern.match(case_id) and case_id.startswith("CD-") for case_id in ids)
    assert new_case_id(CaseKind.serious_incident).startswith("SI-")
    assert new_case_id(CaseKind.care_leaver_death).startswith("CL-")
    assert len(ids) == 50  # 32**8 ids: fifty never collide in practice


def test_chain_names() -> None:
    assert org_slug("  Northshire  Council (Children's) ") == "northshire-council-children-s"
    assert re.fullmatch(r"northshire-council-[0-9a-f]{6}", device_id_for("Northshire Council"))
    assert office_chain_id("office-abc123", "Northshire Council") == (
        "office-abc123--northshire-council"
    )
    assert signing_device("office-abc123--northshire-council") == "office-abc123"
    assert chain_suffix("office-abc123--northshire-council") == "northshire-council"
    assert chain_suffix("office-abc123") is None


def test_fact_fields_exclude_decisions_duty_records_and_office_steps() -> None:
    assert is_fact_field("incident.place")
    assert not is_fact_field("decision")
    assert not is_fact_field("duties.panel-notification.sent")
    assert not is_fact_field("office.cdop.category")


FACTS: dict[str, Any] = {
    "date_of_birth": "2015-03-10",
    "outcome": "died",
    "event_date": "2026-11-24",
    "aware_date": "2026-11-24",
    "abuse_or_neglect": "none",
    "location": "in_area",
    "normally_resident_in_area": True,
}


def test_the_future_is_judged_against_the_today_given_not_the_wall_clock() -> None:
    with pytest.raises(InvalidInput, match="in the future"):
        validate_facts(FACTS, date(2026, 11, 23))
    assert validate_facts(FACTS, date(2026, 11, 24)).event_date == date(2026, 11, 24)


def test_validation_without_a_today_fails_loudly_instead_of_reading_the_clock() -> None:
    with pytest.raises(TypeError, match="today"):
        Facts.model_validate(FACTS)


@dataclass(frozen=True)
class _Change:
    field: str
    value: Any
    replaces: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Event:
    id: str
    at: datetime
    changes: list[_Change]
    type: str = "case.created"
    author: str = "Test Lead (fictional)"
    device: str = "testshire-abc123"
    org: str = "Testshire"


def test_the_fold_does_not_depend_on_the_wall_clock() -> None:
    """A stored case dated long after any real today still folds, with no problem.

    The fold re-validates stored events leniently: the future-date check is skipped on
    purpose, so the same events give the same rows on every day.
    """
    far = "2090-06-05"  # a Monday
    document = {
        "kind": "child_death",
        "subjects": [
            {
                "given_names": "Ada",
                "family_name": "Fictional",
                "sex": "F",
                "date_of_birth": "2084-03-14",
            }
        ],
        "incident": {
            "outcome": "died",
            "event_date": far,
            "aware_date": far,
            "location": "in_area",
            "normally_resident_in_area": True,
            "abuse_or_neglect": "none",
        },
        "notifier": {"name": "Test Lead (fictional)", "role": "Safeguarding lead"},
        "case_outline": "SYNTHETIC test case. Not a real child.",
    }
    changes = [_Change(path, value) for path, value in flatten(document).items()]
    created = _Event("e0", datetime(2090, 6, 5, 9, 0, tzinfo=UTC), changes)
    projector = Projector(default_rule_pack(), WorkingDayCalendar(), {})
    row, duties = projector.case_rows("CD-0000TEST", [created])  # type: ignore[list-item]
    assert row["problem"] is None
    assert row["event_date"] == far
    assert duties and all(duty["start"] == far for duty in duties if duty["start"])
