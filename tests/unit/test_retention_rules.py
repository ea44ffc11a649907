"""The retention schedule and legal holds, the pure part (`domain.retention`), worked by
hand: anniversaries, each trigger, the youngest child, the date of death, and which holds
are in force after a sequence of entries. All people are synthetic."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from notify_tui.domain.retention import (
    DEFAULT_SCHEDULE,
    HoldEntry,
    RetentionFacts,
    RetentionRule,
    anniversary,
    dates_of_birth,
    died_on,
    end_of_period,
    holds_in_force,
    holds_on,
)


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2026, 11, 16), 15, date(2041, 11, 16)),
        (date(2026, 11, 23), 35, date(2061, 11, 23)),
        # 29 Feb 2024 + 4 years: 2028 is a leap year, so the day exists.
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        # 29 Feb 2024 + 15 years: 2039 has no 29 Feb; never a day early, so 1 March.
        (date(2024, 2, 29), 15, date(2039, 3, 1)),
        (date(2003, 5, 1), 75, date(2078, 5, 1)),
    ],
)
def test_the_end_of_a_period_is_the_anniversary(start: date, years: int, expected: date) -> None:
    assert anniversary(start, years) == expected


def facts(**overrides: object) -> RetentionFacts:
    base: dict[str, object] = {
        "case_id": "SI-TEST0001",
        "kind": "serious_incident",
        "closed_on": None,
        "dates_of_birth": (),
        "died_on": None,
    }
    return RetentionFacts(**{**base, **overrides})  # type: ignore[arg-type]


def test_the_default_schedule() -> None:
    """As docs/retention.md gives it, kind by kind."""
    assert {kind: (rule.trigger, rule.years) for kind, rule in DEFAULT_SCHEDULE.items()} == {
        "serious_incident": ("case_closed", 35),
        "care_leaver_death": ("date_of_birth", 75),
        "child_death": ("date_of_death", 15),
    }


def test_a_case_closed_counts_from_its_closing_day() -> None:
    rule = RetentionRule(trigger="case_closed", years=35, reference="Sched 4.1 (test)")
    assert end_of_period(facts(closed_on=date(2026, 11, 23)), rule) == date(2061, 11, 23)
    # A case with an open duty has not closed: its clock has not started.
    assert end_of_period(facts(closed_on=None), rule) is None


def test_the_youngest_child_keeps_the_case_longest() -> None:
    """Two children born 2015 and 2019: 75 years from the later birth, 2094."""
    rule = RetentionRule(trigger="date_of_birth", years=75, reference="Sched 4.2 (test)")
    two = facts(dates_of_birth=(date(2015, 3, 2), date(2019, 6, 1)))
    assert end_of_period(two, rule) == date(2094, 6, 1)
    # An unborn child has no date of birth: no trigger.
    assert end_of_period(facts(dates_of_birth=()), rule) is None


def test_a_death_counts_from_the_date_of_death() -> None:
    rule = RetentionRule(trigger="date_of_death", years=15, reference="Sched 4.3 (test)")
    assert end_of_period(facts(died_on=date(2026, 11, 16)), rule) == date(2041, 11, 16)
    assert end_of_period(facts(died_on=None), rule) is None


def test_the_date_of_death_of_a_document() -> None:
    """A child death's and a care leaver's death's event date is the date of death; a
    serious incident's only when the child died."""
    death = {"kind": "child_death", "incident": {"outcome": "died", "event_date": "2026-11-16"}}
    assert died_on(death) == date(2026, 11, 16)
    leaver = {"kind": "care_leaver_death", "incident": {"event_date": "2026-10-01"}}
    assert died_on(leaver) == date(2026, 10, 1)
    harmed = {
        "kind": "serious_incident",
        "incident": {"outcome": "seriously_harmed", "event_date": "2026-11-16"},
    }
    assert died_on(harmed) is None
    died = {"kind": "serious_incident", "incident": {"outcome": "died", "event_date": "2026-11-2"}}
    assert died_on(died) is None  # not a date: no trigger rather than a guess
    assert dates_of_birth({"subjects": [{"date_of_birth": "2019-06-01"}, {"unborn": True}]}) == (
        date(2019, 6, 1),
    )


def test_a_rule_is_whole_years_with_a_reference() -> None:
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        RetentionRule(trigger="case_closed", years=0, reference="Sched 4.1")
    with pytest.raises(ValueError, match="at least 1 character"):
        RetentionRule(trigger="case_closed", years=35, reference="   ")
    with pytest.raises(ValueError, match="trigger"):
        RetentionRule(trigger="case_opened", years=35, reference="Sched 4.1")  # type: ignore[arg-type]


# -- holds -----------------------------------------------------------------------------

LA, OFFICE = "Testshire (test)", "Testshire Office (test)"


def entry(
    n: int, action: str, case_id: str | None = "SI-TEST0001", org: str = LA, day: int = 1
) -> HoldEntry:
    return HoldEntry(
        event=f"{n:064x}",
        at=datetime(2026, 12, day, 10, n, tzinfo=UTC),
        author="Ann Lead",
        org=org,
        case_id=case_id,
        action=action,  # type: ignore[arg-type]
        reason=f"Inquiry order {n} (fictional)",
    )


def test_a_hold_is_in_force_until_lifted() -> None:
    assert [h.reason for h in holds_in_force([entry(1, "placed")])] == [
        "Inquiry order 1 (fictional)"
    ]
    assert holds_in_force([entry(1, "placed"), entry(2, "lifted")]) == []
    # Placed again after it was lifted: in force again, with the new reason.
    again = holds_in_force([entry(1, "placed"), entry(2, "lifted"), entry(3, "placed")])
    assert [h.reason for h in again] == ["Inquiry order 3 (fictional)"]


def test_entries_apply_in_time_order_whatever_order_they_arrive_in() -> None:
    """The lifting (1 Dec) came before the placing (2 Dec): the hold is in force."""
    entries = [entry(2, "placed", day=2), entry(1, "lifted", day=1)]
    assert [h.event for h in holds_in_force(entries)] == [f"{2:064x}"]


def test_one_organisation_never_lifts_another_s_hold() -> None:
    entries = [entry(1, "placed", org=OFFICE), entry(2, "lifted", org=LA)]
    assert [h.org for h in holds_in_force(entries)] == [OFFICE]


def test_a_second_placing_keeps_the_first_hold() -> None:
    held = holds_in_force([entry(1, "placed"), entry(2, "placed")])
    assert [h.reason for h in held] == ["Inquiry order 1 (fictional)"]


def test_a_hold_on_everything_covers_every_case() -> None:
    held = holds_in_force([entry(1, "placed", case_id=None), entry(2, "placed", "CD-TEST0002")])
    assert [h.case_id for h in holds_on("SI-TEST0001", held)] == [None]
    assert [h.case_id for h in holds_on("CD-TEST0002", held)] == [None, "CD-TEST0002"]
    assert held[0].words() == (
        "everything is held by Ann Lead (Testshire (test)) since 1 Dec 2026: "
        "Inquiry order 1 (fictional)"
    )
