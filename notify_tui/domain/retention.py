"""How long a case is kept, and what stops it being destroyed: retention and legal holds.

A council keeps each record for a set period from a named trigger (its retention
schedule) and must not destroy anything an inquiry has put on hold. This module is the
pure part: the schedule's rules, the date a case reaches the end of its period, and
which holds are in force given the hold entries of the audit trail. docs/retention.md
gives the default schedule's sources.

- **Triggers.** `case_closed`: the date no duty of the case was open any more (every one
  sent, acknowledged, withdrawn or closed by a decision not to notify), taken as the day
  of the case's last recorded change; a case with an open duty is not closed, and its
  clock has not started. `date_of_birth`: the youngest named child's (the longest
  period); a case with no date of birth (an unborn child) has no trigger.
  `date_of_death`: the event date of a death (a child death, a care leaver's death, or a
  serious incident in which the child died); a case with no death has no trigger.
- **The end of the period** is the trigger's anniversary `years` later: a record kept
  "35 years after closure" may be destroyed from that day. A 29 February trigger ends on
  1 March in a year with no 29 February (never a day early).
- **Holds.** A hold on one case, or on everything (an inquiry's moratorium), is placed
  and lifted by signed entries (`hold.recorded`); while one is in force the case is not
  erased, whatever its retention date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from notify_tui.domain.models import CaseKind
from notify_tui.domain.text import forbidden_character

Trigger = Literal["case_closed", "date_of_birth", "date_of_death"]
"""What a retention period counts from."""

TRIGGER_WORDS: Final[Mapping[str, str]] = {
    "case_closed": "after the case closed",
    "date_of_birth": "from the child's date of birth",
    "date_of_death": "from the date of death",
}
"""Each trigger as the schedule reads it ("35 years after the case closed")."""

RETENTION_KINDS: Final = (
    CaseKind.serious_incident,
    CaseKind.care_leaver_death,
    CaseKind.child_death,
)
"""The kinds of case a schedule covers: every kind that holds a person's data."""

MAX_YEARS: Final = 150
"""The longest period a schedule may set."""


class RetentionRule(BaseModel):
    """How long one kind of case is kept: a trigger, a period in years, and the
    council's own reference for the rule (the line of its retention schedule)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    trigger: Trigger
    """What the period counts from."""
    years: int = Field(ge=1, le=MAX_YEARS)
    """The period, in whole years."""
    reference: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        max_length=200
    )
    """The council's schedule reference, or the source of the default."""

    @field_validator("reference")
    @classmethod
    def _one_plain_line(cls, reference: str) -> str:
        bad = forbidden_character(reference, multiline=False)
        if bad:
            raise ValueError(f"holds the control character {bad}")
        return reference

    def words(self) -> str:
        """The rule in words: "35 years after the case closed"."""
        return f"{self.years} years {TRIGGER_WORDS[self.trigger]}"


DEFAULT_SCHEDULE: Final[Mapping[str, RetentionRule]] = {
    CaseKind.serious_incident.value: RetentionRule(
        trigger="case_closed",
        years=35,
        reference="default (docs/retention.md): R (C) v Northumberland CC [2015] EWHC 2134 (Admin)",
    ),
    CaseKind.care_leaver_death.value: RetentionRule(
        trigger="date_of_birth",
        years=75,
        reference="default (docs/retention.md): Care Planning, Placement and Case Review "
        "(England) Regulations 2010, reg. 50",
    ),
    CaseKind.child_death.value: RetentionRule(
        trigger="date_of_death",
        years=15,
        reference="default (docs/retention.md): as reg. 50 of the 2010 Regulations sets for "
        "a looked-after child who dies; no statutory period for CDOP records",
    ),
}
"""The schedule a new vault starts with, editable in the settings (docs/retention.md)."""


_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def day_words(day: date) -> str:
    """A date as people write it, whatever the process's locale: "23 Nov 2026"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def anniversary(start: date, years: int) -> date:
    """`start`'s anniversary `years` later; 1 March when that year has no 29 February."""
    year = start.year + years
    if start.month == 2 and start.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return start.replace(year=year)


@dataclass(frozen=True)
class RetentionFacts:
    """What the schedule needs of one case (read from the projection)."""

    case_id: str
    kind: str
    closed_on: date | None
    """The day no duty was open any more (the case's last change then), or None while
    a duty is open."""
    dates_of_birth: tuple[date, ...]
    """The named children's dates of birth (an unborn child has none)."""
    died_on: date | None
    """The date of death, where the case is about a death."""


def trigger_date(facts: RetentionFacts, rule: RetentionRule) -> date | None:
    """The date `rule`'s period counts from for this case, or None when it has none."""
    if rule.trigger == "case_closed":
        return facts.closed_on
    if rule.trigger == "date_of_birth":
        return max(facts.dates_of_birth) if facts.dates_of_birth else None
    return facts.died_on


def no_trigger_reason(facts: RetentionFacts, rule: RetentionRule) -> str:
    """Why a case has no trigger date under `rule` (for the list of every case)."""
    if rule.trigger == "case_closed":
        return "not closed: a duty is still open"
    if rule.trigger == "date_of_birth":
        return "no date of birth recorded"
    return "no date of death (the child did not die)"


def end_of_period(facts: RetentionFacts, rule: RetentionRule) -> date | None:
    """The first day the case may be destroyed under `rule`, or None (no trigger yet)."""
    start = trigger_date(facts, rule)
    return None if start is None else anniversary(start, rule.years)


def died_on(document: Mapping[str, Any]) -> date | None:
    """A case document's date of death: the event date of a death case, or of a
    serious incident in which a child died."""
    incident = document.get("incident") or {}
    if not isinstance(incident, Mapping):
        return None
    kind = document.get("kind")
    died = kind in (CaseKind.child_death.value, CaseKind.care_leaver_death.value) or (
        incident.get("outcome") == "died"
    )
    return _day(incident.get("event_date")) if died else None


def dates_of_birth(document: Mapping[str, Any]) -> tuple[date, ...]:
    """The named children's dates of birth in a case document."""
    subjects = document.get("subjects") or []
    found = (
        _day(subject.get("date_of_birth")) for subject in subjects if isinstance(subject, Mapping)
    )
    return tuple(day for day in found if day is not None)


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


# -- legal holds -----------------------------------------------------------------------

HOLD_ALL: Final = "all"
"""The scope of a hold on everything (an inquiry's moratorium)."""


@dataclass(frozen=True)
class HoldEntry:
    """One `hold.recorded` entry as the audit trail holds it."""

    event: str
    at: datetime
    author: str
    org: str
    case_id: str | None
    """The held case, or None for a hold on everything."""
    action: Literal["placed", "lifted"]
    reason: str
    device: str = ""
    """The chain that holds the entry."""
    seq: int = 0
    """Its place on that chain (orders two entries of one time)."""


@dataclass(frozen=True)
class Hold:
    """A hold in force: on one case or on everything, why, who placed it and when."""

    case_id: str | None
    reason: str
    placed_by: str
    org: str
    placed_at: datetime
    event: str

    def words(self) -> str:
        """The hold in one line: "held by A. Lead (Testshire) since 1 Dec 2026: reason"."""
        what = "everything is held" if self.case_id is None else f"{self.case_id} is held"
        since = day_words(self.placed_at.date())
        return f"{what} by {self.placed_by} ({self.org}) since {since}: {self.reason}"


def holds_in_force(entries: Iterable[HoldEntry]) -> list[Hold]:
    """The holds in force after `entries`, in the order they were placed.

    Entries are applied in time order (then by chain and place on it, so every replica
    agrees, and one device's entries of one instant keep their order): a
    placement starts a hold on its scope, a lifting ends the hold on that scope of the
    same organisation (one organisation's hold is never lifted by another's entry). A
    second placement on a scope already held keeps the first (the older reason)."""
    held: dict[tuple[str, str | None], Hold] = {}
    for entry in sorted(entries, key=lambda e: (e.at, e.device, e.seq, e.event)):
        key = (entry.org, entry.case_id)
        if entry.action == "placed":
            held.setdefault(
                key,
                Hold(entry.case_id, entry.reason, entry.author, entry.org, entry.at, entry.event),
            )
        else:
            held.pop(key, None)
    return sorted(held.values(), key=lambda hold: (hold.placed_at, hold.event))


def holds_on(case_id: str, holds: Sequence[Hold]) -> list[Hold]:
    """The holds in force that stop `case_id` being erased: its own and any on
    everything."""
    return [hold for hold in holds if hold.case_id in (None, case_id)]
