"""Retention and legal holds for the shells: `session.retention`.

- **Holds** (`place`, `lift`, `in_force`): a hold on one case or on everything (an
  inquiry's moratorium) is a signed `hold.recorded` entry in the audit trail, with the
  reason and who placed it; it travels to peers like any event. Lifting one is an entry
  too; nothing is ever deleted. Anyone who records may place a hold; lifting one, which
  lets a record be destroyed, needs a lead, an office manager or an admin.
- **The schedule** (`schedule`, `set_rule`): per case kind, a trigger and a period, with
  the council's reference, kept in the vault's settings; only an admin changes it.
- **What is due** (`due`): each case's end of period under its kind's rule, today's date
  from the session's clock, and the holds that stop it being destroyed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from notify_tui.domain.event_rules import MAX_HOLD_REASON
from notify_tui.domain.models import CASE_KIND_LABELS, CaseKind, describe_validation_error
from notify_tui.domain.people import HOLD_FIELD, HOLD_TYPE, VAULT_LOG, Permission
from notify_tui.domain.retention import (
    Hold,
    RetentionRule,
    Trigger,
    day_words,
    end_of_period,
    holds_in_force,
    holds_on,
    no_trigger_reason,
    trigger_date,
)
from notify_tui.domain.text import forbidden_character
from notify_tui.errors import InvalidInput
from notify_tui.services.context import SessionContext
from notify_tui.settings import Preferences
from notify_tui.store import queries
from notify_tui.store import retention as store
from notify_tui.store.events import Change, Event
from notify_tui.store.owner import Owner, owned
from notify_tui.store.vault import Identity, Vault

MIN_HOLD_REASON = 10
"""A hold's reason names the inquiry or order: at least this many characters."""

Status = Literal["due", "held", "not_yet", "no_trigger"]


@dataclass(frozen=True)
class RetentionItem:
    """One case under the schedule: when it may be destroyed, and what stops it."""

    case_id: str
    kind: str
    rule: RetentionRule
    trigger_date: date | None
    due_on: date | None
    """The first day the case may be destroyed; None while it has no trigger date."""
    status: Status
    """due (its period has run, no hold), held (its period has run, a hold stops it),
    not_yet (its period is still running), no_trigger (no trigger date yet)."""
    why: str
    """The status in words: the rule, the dates, the hold."""
    holds: tuple[Hold, ...]

    def as_json(self) -> dict[str, Any]:
        """The item as `retention due --json` prints it (no personal data)."""
        return {
            "case": self.case_id,
            "kind": self.kind,
            "status": self.status,
            "trigger": self.rule.trigger,
            "years": self.rule.years,
            "reference": self.rule.reference,
            "trigger_date": None if self.trigger_date is None else self.trigger_date.isoformat(),
            "due_on": None if self.due_on is None else self.due_on.isoformat(),
            "holds": [hold_json(hold) for hold in self.holds],
            "why": self.why,
        }


def hold_json(hold: Hold) -> dict[str, Any]:
    """A hold as the JSON outputs print it."""
    return {
        "case": hold.case_id,
        "scope": "case" if hold.case_id else "all",
        "reason": hold.reason,
        "placed_by": hold.placed_by,
        "org": hold.org,
        "placed_at": hold.placed_at.isoformat(),
        "event": hold.event,
    }


@dataclass(frozen=True)
class Lifted:
    """A hold lifted, and the cases erased because it no longer keeps them."""

    hold: Hold
    erased: tuple[str, ...] = ()


class RetentionContext(SessionContext, Protocol):
    """What the retention verbs need of the `Session` beyond every service's."""

    @property
    def identity(self) -> Identity:
        """This device."""
        ...

    @property
    def user_name(self) -> str:
        """The signed-in user's name."""
        ...

    @property
    def preferences(self) -> Preferences:
        """The vault's settings (the schedule is among them)."""
        ...

    def set_preferences(self, preferences: Preferences) -> None:
        """Store settings (an admin's, for the schedule)."""
        ...


Recorder = Callable[[Iterable[tuple[str, str, Sequence[Change]]]], list[Event]]


class RetentionService:
    """The retention schedule and legal holds of one unlocked vault."""

    def __init__(
        self,
        session: RetentionContext,
        vault: Vault,
        record: Recorder,
        after_lift: Callable[[], list[str]] | None = None,
    ) -> None:
        self._session = session
        self._vault = vault
        self._record = record
        self._after_lift = after_lift
        """Erases what a certificate asked for and a hold kept whole (`session.erasure`)."""

    @property
    def owner(self) -> Owner:
        """The session's owner thread: every verb here runs on it."""
        return self._session.owner

    # -- holds -------------------------------------------------------------------------

    @owned
    def in_force(self) -> list[Hold]:
        """Every hold in force, the oldest first."""
        return holds_in_force(store.hold_entries(self._vault))

    @owned
    def holds_on(self, case_id: str) -> list[Hold]:
        """The holds in force that stop `case_id` being destroyed (its own, and any on
        everything)."""
        return holds_on(case_id, holds_in_force(store.hold_entries(self._vault, case_id)))

    @owned
    def place(self, case_id: str | None, reason: str) -> Hold:
        """Place a hold on `case_id`, or on everything (None): nothing is destroyed
        while it is in force."""
        self._session.require(Permission.RECORD, "place a legal hold")
        reason = _reason(reason)
        what = self._scope(case_id)
        mine = self._mine(case_id)
        if mine is not None:
            raise InvalidInput(f"{what} is already held: {mine.words()}; nothing was recorded")
        event = self._write(case_id, "placed", reason)
        return Hold(case_id, reason, self._session.user_name, event.org, event.at, event.id)

    @owned
    def lift(self, case_id: str | None, reason: str) -> Lifted:
        """Lift this organisation's hold on `case_id`, or on everything (None); return
        the hold lifted, and the cases an erasure certificate had asked to erase that no
        hold keeps any more, now erased. Recorded, never deleted."""
        self._session.require(Permission.CONFIRM, "lift a legal hold")
        reason = _reason(reason)
        what = self._scope(case_id)
        mine = self._mine(case_id)
        if mine is None:
            others = [
                hold
                for hold in self.in_force()
                if hold.case_id == case_id and hold.org != self._session.identity.org
            ]
            hint = (
                f"; the hold in force is {others[0].org}'s, and only {others[0].org} lifts it"
                if others
                else "; see `notify-tui hold list`"
            )
            raise InvalidInput(f"{what} has no hold placed by {self._session.identity.org}{hint}")
        self._write(case_id, "lifted", reason)
        erased = self._after_lift() if self._after_lift is not None else []
        return Lifted(mine, tuple(erased))

    def _scope(self, case_id: str | None) -> str:
        if case_id is None:
            return "everything"
        if queries.case_row(self._vault, case_id) is None:
            raise InvalidInput(f"no case {case_id}: check the id with `notify-tui case list`")
        if case_id.startswith("AR-"):
            raise InvalidInput(
                f"{case_id} is the partnership's yearly report record: it holds no "
                "person's data and is never erased"
            )
        return f"case {case_id}"

    def _mine(self, case_id: str | None) -> Hold | None:
        org = self._session.identity.org
        for hold in self.in_force():
            if hold.case_id == case_id and hold.org == org:
                return hold
        return None

    def _write(self, case_id: str | None, action: str, reason: str) -> Event:
        value = {"action": action, "reason": reason, "by": self._session.user_name}
        change = Change(field=HOLD_FIELD, value=value)
        [event] = self._record([(case_id or VAULT_LOG, HOLD_TYPE, [change])])
        return event

    # -- the schedule ------------------------------------------------------------------

    def schedule(self) -> dict[str, RetentionRule]:
        """The rule for each kind of case."""
        return dict(self._session.preferences.retention.schedule)

    @owned
    def set_rule(self, kind: str, *, trigger: Trigger, years: int, reference: str) -> RetentionRule:
        """Set one kind's rule (an admin's change); return it."""
        self._session.require(Permission.ADMINISTER, "change the retention schedule")
        if kind not in {k.value for k in CaseKind}:
            kinds = ", ".join(k.value for k in CaseKind)
            raise InvalidInput(f"{kind!r} is not a kind of case (one of {kinds})")
        preferences = self._session.preferences
        schedule = {**preferences.retention.schedule}
        try:
            schedule[kind] = RetentionRule.model_validate(
                {"trigger": trigger, "years": years, "reference": reference}
            )
        except ValidationError as error:
            raise InvalidInput(f"--{describe_validation_error(error)}") from None
        retention = preferences.retention.model_copy(update={"schedule": schedule})
        updated = Preferences.model_validate(
            {**preferences.model_dump(mode="json"), "retention": retention.model_dump(mode="json")}
        )
        self._session.set_preferences(updated)
        return schedule[kind]

    # -- what is due -------------------------------------------------------------------

    @owned
    def due(self, *, every_case: bool = False) -> list[RetentionItem]:
        """The cases whose retention period has run (held ones too, with their holds),
        the earliest first; with `every_case`, every case with its date or why it has
        none."""
        today = self._session.clock.today()
        schedule = self._session.preferences.retention.schedule
        holds = holds_in_force(store.hold_entries(self._vault))
        items = []
        for facts in store.retention_facts(self._vault):
            rule = schedule[facts.kind]
            start = trigger_date(facts, rule)
            ends = end_of_period(facts, rule)
            held = tuple(holds_on(facts.case_id, holds))
            status: Status
            if ends is None:
                status, why = "no_trigger", f"{rule.words()}: {no_trigger_reason(facts, rule)}"
            elif ends > today:
                status, why = "not_yet", f"{rule.words()}: may be destroyed from {_day(ends)}"
            elif held:
                status = "held"
                why = f"{rule.words()}: due since {_day(ends)}, but {held[0].words()}"
            else:
                status, why = "due", f"{rule.words()}: due since {_day(ends)}"
            if status in ("due", "held") or every_case:
                items.append(
                    RetentionItem(facts.case_id, facts.kind, rule, start, ends, status, why, held)
                )
        return sorted(items, key=lambda item: (item.due_on or date.max, item.case_id))


def kind_label(kind: str) -> str:
    """A kind of case in words."""
    try:
        return CASE_KIND_LABELS[CaseKind(kind)]
    except ValueError:
        return kind


def _reason(reason: str) -> str:
    return reason_text(
        reason, MIN_HOLD_REASON, MAX_HOLD_REASON, "in at least {n} characters (the inquiry "
        "or order, and its reference)"
    )  # fmt: skip


def reason_text(reason: str, minimum: int, maximum: int, say_why: str) -> str:
    """A `--reason` as recorded (runs of spaces as one), or a one-line refusal: shorter
    than `minimum` ("--reason: say why " + `say_why`, `{n}` the minimum), longer than
    `maximum`, or holding a control character."""
    text = " ".join(reason.split())
    if len(text) < minimum:
        raise InvalidInput(f"--reason: say why {say_why.format(n=minimum)}")
    if len(text) > maximum:
        raise InvalidInput(f"--reason: at most {maximum} characters")
    bad = forbidden_character(text, multiline=False)
    if bad:
        raise InvalidInput(f"--reason holds the control character {bad}")
    return text


def _day(day: date) -> str:
    return day_words(day)
