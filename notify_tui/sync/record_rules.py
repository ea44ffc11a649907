"""A peer's duty events judged against the record its author had seen.

The Session refuses an action the duty's record contradicts (`domain.duty_states`); a
peer's program may not have. Import judges four contradictions again, without refusing
what two devices may legitimately do apart (those are conflicts, kept and shown):

1. **An acknowledgement with no send before it.** `duties.D.acknowledged` dated A is
   refused when no event held (or in the bundle) ever recorded D sent (or completed
   by its office step) on or before A. Every send counts, even one corrected since: the
   acknowledger may have seen it before the correction.
2. **A send over a send.** `duties.D.sent` is refused when it replaces a sent record
   (the way to change one is a correction, which clears it first), or when its author
   had seen a sent record of D that nobody has replaced since.
3. **A statutory duty withdrawn by one person.** `duties.D.withdrawn` is refused when
   the rules raise D both on what its author had seen and on everything held here: a
   statutory duty is withdrawn by a request and the office's confirmation.
4. **Not notifying after sending.** A decision not to notify is refused when its author
   had seen a sent record of a Panel duty (`THRESHOLD_DUTIES`) that nobody has replaced.

"What its author had seen" is a lower bound, worked out from the events themselves: the
events before it on its own chain and the events it replaces, and (the same way) what
those had seen. Everything in it was certainly seen, so a refusal never rests on a guess;
"nobody has replaced" looks at every event held, so a correction made on another
device counts as soon as it is here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from notify_tui.domain.duty_states import THRESHOLD_DUTIES, day_words
from notify_tui.domain.people import normalised_name
from notify_tui.domain.rules import base_duty_id
from notify_tui.errors import BundleRefused
from notify_tui.store.events import Event
from notify_tui.store.projection import Projector


def judge_case(
    projector: Projector, case_id: str, everything: Mapping[str, Event], fresh: Sequence[Event]
) -> None:
    """Judge a case's new events (`fresh`, by device and seq) against all its events
    (held and new, by id); refuse the first its author's record contradicts."""
    judge = _Judge(projector, case_id, everything)
    for event in fresh:
        problem = judge.problem(event)
        if problem:
            raise BundleRefused(f"event {event.seq} of device {event.device}: {problem}")


JUDGED = frozenset({"duty.sent", "duty.acknowledged", "duty.withdrawn", "decision.recorded"})
"""The event types judged against their author's record."""


class _Judge:
    """The four checks over one case's events (held and new)."""

    def __init__(self, projector: Projector, case_id: str, events: Mapping[str, Event]) -> None:
        self.projector = projector
        self.case_id = case_id
        self.events = events
        self.done_when = {
            rule.id: rule.done_when for rule in projector.pack.rules if rule.done_when
        }

    # -- what an author had seen ---------------------------------------------------

    def seen(self, event: Event) -> list[Event]:
        """The events `event`'s author certainly had seen (lower bound), itself excluded."""
        found: dict[str, Event] = {}
        pending = [event]
        while pending:
            current = pending.pop()
            before = [
                other
                for other in self.events.values()
                if other.device == current.device and other.seq < current.seq
            ]
            replaced = [
                self.events[ref]
                for change in current.changes
                for ref in change.replaces
                if ref in self.events
            ]
            for other in [*before, *replaced]:
                if other.id not in found and other.id != event.id:
                    found[other.id] = other
                    pending.append(other)
        return list(found.values())

    def replaced_by_others(self, field: str, event: Event) -> set[str]:
        """Ids of the events whose value of `field` some event other than `event` replaced."""
        return {
            ref
            for other in self.events.values()
            if other.id != event.id
            for change in other.changes
            if change.field == field
            for ref in change.replaces
        }

    @staticmethod
    def setters(field: str, events: Iterable[Event]) -> list[tuple[Event, object]]:
        """(event, value) of each event among `events` that set `field`."""
        return [
            (event, change.value)
            for event in events
            for change in event.changes
            if change.field == field
        ]

    def standing_sends(self, duty: str, event: Event) -> list[tuple[Event, str]]:
        """Sent records of `duty` that `event`'s author had seen and nobody replaced."""
        field = f"duties.{duty}.sent"
        gone = self.replaced_by_others(field, event)
        return [
            (setter, _words(value))
            for setter, value in self.setters(field, self.seen(event))
            if value is not None and setter.id not in gone
        ]

    # -- the checks ----------------------------------------------------------------

    def problem(self, event: Event) -> str | None:
        """One line when the record `event`'s author had seen contradicts it."""
        for change in event.changes:
            parts = change.field.split(".")
            if event.type == "duty.acknowledged" and len(parts) == 3:
                return self.acknowledged(event, parts[1], change.value)
            if event.type == "duty.sent" and len(parts) == 3:
                return self.sent(event, parts[1], change.replaces)
            if event.type == "duty.withdrawn" and len(parts) == 3:
                return self.withdrawn(event, parts[1])
            if (
                event.type == "decision.recorded"
                and isinstance(change.value, Mapping)
                and change.value.get("notify") is False
            ):
                return self.not_notifying(event)
        return None

    def acknowledged(self, event: Event, duty: str, value: object) -> str | None:
        acknowledged_on = _day(value)
        if acknowledged_on is None:
            return None
        sends = [
            day
            for _, sent in self.setters(f"duties.{duty}.sent", self.events.values())
            if (day := _day(sent)) is not None
        ]
        step = self.done_when.get(base_duty_id(duty))
        if step:
            sends += [
                day
                for _, done in self.setters(step, self.events.values())
                if (day := _day(done)) is not None
            ]
        if any(day <= acknowledged_on for day in sends):
            return None
        said = (
            f"the earliest send held is {day_words(date.fromisoformat(min(sends)))}"
            if sends
            else "no send of it is held"
        )
        return (
            f"duties.{duty}.acknowledged: acknowledged on "
            f"{day_words(date.fromisoformat(acknowledged_on))}, but {said} (duty state rule: "
            "a duty is acknowledged only after it was sent)"
        )

    def sent(self, event: Event, duty: str, replaces: Sequence[str]) -> str | None:
        field = f"duties.{duty}.sent"
        for ref in replaces:
            replaced = self.events.get(ref)
            if replaced is None:
                continue
            for _, value in self.setters(field, [replaced]):
                if value is not None:
                    return (
                        f"{field}: replaces the send of {_words(value)} without a correction "
                        "(duty state rule: a sent record is changed only by correcting it)"
                    )
        standing = self.standing_sends(duty, event)
        if standing:
            return (
                f"{field}: its author had seen {duty} sent on {standing[0][1]} and "
                "records it sent again (duty state rule: a sent record is changed only by "
                "correcting it)"
            )
        return None

    def withdrawn(self, event: Event, duty: str) -> str | None:
        seen = self.seen(event)
        if not seen:
            return None
        record = next(
            (c.value for c in event.changes if c.field == f"duties.{duty}.withdrawn"), None
        )
        confirmed_by = record.get("confirmed_by") if isinstance(record, dict) else None
        if confirmed_by and normalised_name(str(confirmed_by)) != normalised_name(event.author):
            return None  # two people there and then: the author and the one who confirmed
        if duty in self.raised(seen) and duty in self.raised(list(self.events.values())):
            return (
                f"duties.{duty}.withdrawn: {duty} is a statutory duty the facts raise; it is "
                "withdrawn by two people (a second user confirming there and then, or the "
                "business office confirming a request), not by one (duty state rule)"
            )
        return None

    def not_notifying(self, event: Event) -> str | None:
        for duty in sorted(THRESHOLD_DUTIES):
            standing = self.standing_sends(duty, event)
            if standing:
                return (
                    f"decision: a decision not to notify, but its author had seen {duty} sent "
                    f"on {standing[0][1]} (duty state rule: correct the sent record "
                    "first)"
                )
        return None

    def raised(self, events: Sequence[Event]) -> set[str]:
        """The duties the rules raise on a case made of `events` (empty when it does not
        fold into a valid case)."""
        if not any(event.type == "case.created" for event in events):
            return set()
        _, rows = self.projector.case_rows(self.case_id, events)
        return {str(row["duty_id"]) for row in rows if row["required"]}


def _day(value: object) -> str | None:
    """The ISO date of a record (`{"date": …}`) or of a dated step, else None."""
    if isinstance(value, Mapping):
        value = value.get("date")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


def _words(value: object) -> str:
    day = _day(value)
    return day_words(date.fromisoformat(day)) if day else "an unknown date"
