"""Synthetic, obviously fake cases for demos, tests and benchmarks.

Every name is made up and marked: family names end in "-Fictional" or similar, and
every outline starts with "SYNTHETIC DEMO CASE". No real person is described.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from notify_tui.domain.calendar import WorkingDayCalendar

GIVEN_NAMES = (
    "Ada", "Bram", "Cleo", "Dara", "Eli", "Fern", "Gus", "Hana", "Ivo", "Juno",
    "Kit", "Lumi", "Milo", "Nia", "Otis", "Pip", "Quin", "Rue", "Sol", "Tove",
)  # fmt: skip
FAMILY_NAMES = (
    "Fictional", "Madeup", "Testcase", "Synthetic", "Sampleton", "Placeholder",
    "Notreal", "Demodata",
)  # fmt: skip
ETHNICITIES = ("WBRI", "MWBC", "AIND", "BAFR", "CHNE", "WOTH", "NOBT")
OUTLINES = {
    "serious_incident": "SYNTHETIC DEMO CASE: fictional infant admitted with injuries; "
    "physical abuse suspected. Not a real child.",
    "care_leaver_death": "SYNTHETIC DEMO CASE: fictional care leaver found deceased in "
    "supported accommodation. Not a real person.",
    "child_death": "SYNTHETIC DEMO CASE: fictional child died in hospital after a sudden "
    "illness. Not a real child.",
}


def _birth_date(rng: random.Random, on: date, youngest: int, oldest: int) -> date:
    years = rng.randint(youngest, oldest)
    return on - timedelta(days=years * 365 + rng.randint(10, 300))


def synthetic_case(
    rng: random.Random, number: int, today: date, calendar: WorkingDayCalendar
) -> dict[str, Any]:
    """One fake case document, with dates before `today`."""
    kind = rng.choices(["serious_incident", "care_leaver_death", "child_death"], weights=[5, 2, 3])[
        0
    ]
    aware = today - timedelta(days=rng.randint(0, 20))
    event = aware - timedelta(days=rng.randint(0, 3))
    subject: dict[str, Any] = {
        "given_names": rng.choice(GIVEN_NAMES),
        "family_name": f"{rng.choice(FAMILY_NAMES)}-{number:05d}",
        "sex": rng.choice("MF"),
        "ethnicity": rng.choice(ETHNICITIES),
        "legal_status": {},
    }
    incident: dict[str, Any] = {
        "event_date": event.isoformat(),
        "aware_date": aware.isoformat(),
        "location": "in_area",
        "normally_resident_in_area": True,
    }
    if kind == "serious_incident":
        subject["date_of_birth"] = _birth_date(rng, event, 0, 16).isoformat()
        subject["legal_status"]["child_protection_plan"] = rng.random() < 0.4
        incident.update(
            outcome=rng.choice(["died", "seriously_harmed", "seriously_harmed"]),
            abuse_or_neglect=rng.choice(["known", "suspected"]),
            abuse_kinds=[rng.choice(["physical", "neglect", "emotional"])],
            location_type=rng.choice(["home", "hospital", "other"]),
        )
    elif kind == "care_leaver_death":
        subject["date_of_birth"] = _birth_date(rng, event, 18, 24).isoformat()
        subject["legal_status"]["care_leaver"] = True
        incident.update(outcome="died", abuse_or_neglect="none", location_type="other")
    else:
        subject["date_of_birth"] = _birth_date(rng, event, 0, 17).isoformat()
        subject["legal_status"]["looked_after"] = rng.random() < 0.15
        incident.update(outcome="died", abuse_or_neglect="none", location_type="hospital")
    return {
        "kind": kind,
        "subjects": [subject],
        "incident": incident,
        "notifier": {
            "name": "Demo User (fictional)",
            "role": "Safeguarding lead",
            "la": "Demoshire",
        },
        "case_outline": OUTLINES[kind],
    }


def synthetic_cases(
    count: int, today: date, calendar: WorkingDayCalendar, *, seed: int | None = None
) -> Iterator[dict[str, Any]]:
    """`count` fake case documents (deterministic for a given seed)."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        yield synthetic_case(rng, number, today, calendar)
