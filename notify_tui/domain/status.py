"""Looked-after and care-leaver status worked out from a subject's care periods.

The law defines both statuses (DOMAIN.md, "Definitions"):

- **Looked after** (Children Act 1989 s22(1)-(2)): in the care of the LA (a care order;
  a placement order, Adoption and Children Act 2002 s18(3)), or provided with
  accommodation by it for a continuous period of more than 24 hours.
- **Care leaver** (Children Act 1989 Sch 2 para 19B(2); Care Planning, Placement and
  Case Review (England) Regulations 2010 reg 40(1)): no longer looked after, having been
  looked after "for a prescribed period, or periods amounting in all to the prescribed
  period, which began after he reached a prescribed age and ended after he reached the
  age of sixteen": 13 weeks, after the 14th birthday. Short breaks under reg 48 do not
  make a child eligible (reg 40(2)), so they are not counted towards the 13 weeks.

A care period runs from `start` to `end` (the day care ended; absent while it goes on),
both days included in "looked after on the event date": a period ending on the day
of a death covers it, as care records end a period on the date of death. Its length
is `end - start` in days. With dates only the 24 hours cannot be measured, so an
accommodation counts as more than 24 hours when it spans two dates or more (it ended
on a later date than it began, or it goes on and began before the event date); one
that began and ended on the same date does not.

The booleans a user gives (`looked_after`, `care_leaver`) stay an override: given,
they win, and a disagreement with the dates becomes a note asking for the record to
be checked. Categories the dates cannot show (qualifying care leavers, s24) need the
boolean. Pure: no clock, no IO.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol


class CareBasis(StrEnum):
    """Why the LA looked after the subject during a period."""

    accommodated = "accommodated"
    care_order = "care_order"
    placement_order = "placement_order"
    short_breaks = "short_breaks"


BASIS_LABELS: dict[CareBasis, str] = {
    CareBasis.accommodated: "accommodated",
    CareBasis.care_order: "under a care order",
    CareBasis.placement_order: "under a placement order",
    CareBasis.short_breaks: "on short breaks",
}

ORDERS = frozenset({CareBasis.care_order, CareBasis.placement_order})
PRESCRIBED_PERIOD = timedelta(weeks=13)
"""Care Planning regs 2010 reg 40(1): 13 weeks, after the 14th birthday."""
PRESCRIBED_AGE = 14
LEAVING_AGE = 16

DEFAULT_LOOKED_AFTER_TEXT = "the child was looked after (whatever the cause of death)"
DEFAULT_CARE_LEAVER_TEXT = "the LA knows they were a care leaver (whatever the cause of death)"


class CarePeriod(Protocol):
    """What the status test needs of a care period (the model is in `models`)."""

    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date | None: ...

    @property
    def basis(self) -> CareBasis: ...


def anniversary(born: date, years: int) -> date:
    """The date a person born on `born` attains `years` of age.

    A 29 February birthday falls on 1 March in a common year (the usual reading of
    the Family Law Reform Act 1969 s9 in England).
    """
    year = born.year + years
    try:
        return born.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def age_on(born: date, on: date) -> int:
    """Whole years of age on a date."""
    years = on.year - born.year
    if on < anniversary(born, years):
        years -= 1
    return years


def day_text(day: date) -> str:
    """A date as "1 Mar 2019"."""
    return f"{day.day} {day:%b %Y}"


def period_text(period: CarePeriod) -> str:
    """A period in words: "1 Mar 2019 – 30 Jun 2022 (under a care order)"."""
    end = day_text(period.end) if period.end is not None else "ongoing"
    return f"{day_text(period.start)} – {end} ({BASIS_LABELS[period.basis]})"


def _weeks_text(days: int) -> str:
    weeks, rest = divmod(days, 7)
    parts = [f"{weeks} week{'s' if weeks != 1 else ''}"] if weeks else []
    if rest or not parts:
        parts.append(f"{rest} day{'s' if rest != 1 else ''}")
    return " ".join(parts)


def counts_as_looked_after(period: CarePeriod, event: date) -> bool:
    """An order always counts; accommodation only when more than 24 hours (two dates)."""
    if period.basis in ORDERS:
        return True
    if period.end is None:
        return period.start < event
    return period.end > period.start


def covers(period: CarePeriod, event: date) -> bool:
    """The period includes the event date (both ends included)."""
    return period.start <= event and (period.end is None or event <= period.end)


@dataclass(frozen=True)
class CareStatus:
    """The statuses the care periods give on the event date, and why."""

    looked_after: bool
    care_leaver: bool
    looked_after_why: str
    care_leaver_why: str


def work_out(born: date, event: date, periods: Sequence[CarePeriod]) -> CareStatus:
    """The status on `event` of a person born on `born`, from their care periods."""
    covering = [p for p in periods if covers(p, event)]
    looking = [p for p in covering if counts_as_looked_after(p, event)]
    if looking:
        why = f"looked after {period_text(looking[0])}, which covers the event date"
        return CareStatus(True, False, why, f"still looked after ({why}), so not a care leaver")
    if covering:
        la_why = (
            f"accommodated {day_text(covering[0].start)}, the event date, only: "
            "not more than 24 hours by the dates given"
        )
    else:
        la_why = "no care period covers the event date"
    return _leaver_status(born, event, periods, la_why)


def _leaver_status(
    born: date, event: date, periods: Sequence[CarePeriod], la_why: str
) -> CareStatus:
    fourteen = anniversary(born, PRESCRIBED_AGE)
    sixteen = anniversary(born, LEAVING_AGE)
    counted = [
        p
        for p in periods
        if p.basis is not CareBasis.short_breaks
        and p.end is not None
        and p.end < event
        and counts_as_looked_after(p, event)
    ]
    spans = sorted(
        (max(p.start, fourteen), p.end) for p in counted if p.end is not None and p.end > fourteen
    )
    total = 0
    reach: date | None = None
    for begin, end in spans:  # union of the spans: overlapping records count once
        if reach is not None and begin < reach:
            begin = reach
        if end > begin:
            total += (end - begin).days
            reach = end
    shown = " and ".join(period_text(p) for p in sorted(counted, key=lambda p: p.start))
    if not counted:
        before = any(p.start < event for p in periods)
        why = (
            "no care period before the event date counts towards the 13 weeks (short breaks "
            "and accommodation of 24 hours or less do not): not a care leaver"
            if before
            else "no care period before the event date: not a care leaver"
        )
        return CareStatus(False, False, la_why, why)
    last_end = max(p.end for p in counted if p.end is not None)
    enough = total >= PRESCRIBED_PERIOD.days
    after_sixteen = last_end >= sixteen
    if enough and after_sixteen:
        age = age_on(born, event)
        category = "relevant child" if age < 18 else "former relevant child"
        why = (
            f"looked after {shown}: 13 weeks or more after the 14th birthday, ending after "
            f"the 16th, so a care leaver ({category})"
        )
        return CareStatus(False, True, la_why, why)
    problems = []
    if not enough:
        problems.append(
            f"{_weeks_text(total)} after the 14th birthday ({day_text(fourteen)}), "
            "less than the 13 weeks needed"
        )
    if not after_sixteen:
        problems.append(f"care ended before the 16th birthday ({day_text(sixteen)})")
    why = f"looked after {shown}, but {' and '.join(problems)}: not a care leaver"
    return CareStatus(False, False, la_why, why)


@dataclass(frozen=True)
class StatusAnswer:
    """The statuses the rules use, the reasons they give, and notes for the user."""

    looked_after: bool
    care_leaver: bool
    looked_after_text: str = DEFAULT_LOOKED_AFTER_TEXT
    care_leaver_text: str = DEFAULT_CARE_LEAVER_TEXT
    notes: tuple[str, ...] = ()
    derived: CareStatus | None = None


def resolve_status(
    looked_after: bool | None,
    care_leaver: bool | None,
    born: date | None,
    event: date,
    periods: Sequence[CarePeriod],
) -> StatusAnswer:
    """The statuses on the event date: a given boolean wins; otherwise the periods decide.

    Without periods (or a date of birth) a missing boolean means no."""
    if not periods or born is None:
        return StatusAnswer(bool(looked_after), bool(care_leaver))
    found = work_out(born, event, periods)
    notes: list[str] = []
    for name, given, derived, why, what in (
        ("looked_after", looked_after, found.looked_after, found.looked_after_why,
         "looked after"),
        ("care_leaver", care_leaver, found.care_leaver, found.care_leaver_why, "a care leaver"),
    ):  # fmt: skip
        if given is not None and given != derived:
            make = "make" if derived else "do not make"
            notes.append(
                f"The care periods given {make} the subject {what} on the event date, but "
                f"{name} is {'true' if given else 'false'}: check the record ({why})."
            )
    neither = not (found.looked_after or found.care_leaver)
    if looked_after is None and care_leaver is None and neither:
        notes.append(
            "The care periods given make the subject neither looked after nor a care "
            f"leaver on the event date: {found.looked_after_why}; {found.care_leaver_why}."
        )
    la_text = DEFAULT_LOOKED_AFTER_TEXT
    if looked_after is None and found.looked_after:
        la_text = f"the child was {found.looked_after_why} (whatever the cause of death)"
    cl_text = DEFAULT_CARE_LEAVER_TEXT
    if care_leaver is None and found.care_leaver:
        cl_text = f"{found.care_leaver_why} (whatever the cause of death)"
    return StatusAnswer(
        looked_after=found.looked_after if looked_after is None else looked_after,
        care_leaver=found.care_leaver if care_leaver is None else care_leaver,
        looked_after_text=la_text,
        care_leaver_text=cl_text,
        notes=tuple(notes),
        derived=found,
    )
