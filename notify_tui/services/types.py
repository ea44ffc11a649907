"""What the Session returns: frozen dataclasses, never raw rows or the vault.

Field names are the keys of the JSON the CLI prints, and `as_json()` gives exactly that
document (same keys, same order), so `--json` output does not change.

Read them by attribute (`row.working_days_left`): a renamed field then breaks a type
check, not a screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class _Plain(Protocol):
    """A value with a JSON document of its own (every dataclass here)."""

    def as_json(self) -> dict[str, object]:
        """The plain JSON document of this value."""
        ...


def _plain(value: object) -> object:
    """A value as JSON would hold it: dataclasses as their `as_json()`, tuples as lists."""
    if isinstance(value, _Plain):
        return value.as_json()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class DutyCorrection:
    """A part of a duty's record undone as recorded in error: what, why, by whom, when."""

    part: str
    """sent, acknowledged or withdrawn."""
    undone: object
    """The record that was undone, as it was (a sent record's date, reference, ...)."""
    reason: str
    by: str
    date: str
    """The day the correction was recorded (ISO)."""

    @property
    def undone_date(self) -> str | None:
        """The date the undone record stated, if it had one."""
        if isinstance(self.undone, Mapping):
            stated = self.undone.get("date")
            return stated if isinstance(stated, str) else None
        return None

    def as_json(self) -> dict[str, object]:
        """The correction as `--json` prints it."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class DutyView:
    """One duty of a case, for display: what is owed, to whom, by when, and its state."""

    case_id: str
    duty: str
    """The duty's id in the rule pack (`panel-notification`, ...)."""
    title: str
    required: bool
    recipients: tuple[str, ...]
    start: str | None
    due: str | None
    """The due date (ISO), or None while a date it counts from is unknown."""
    deadline: str | None
    """The deadline in words, as the rule pack states it."""
    working_days_left: int | None
    """Working days from today to the due date (negative when overdue); None when done."""
    urgency: str
    """overdue / due today / due soon / later / no date / done."""
    status: str
    sent_on: str | None
    reference: str | None
    withdrawn_reason: str | None
    acknowledged_on: str | None
    reasons: tuple[str, ...]
    source: str | None
    rule_version: str | None
    # The duty record of issue 13, keyword-only with defaults (a view built by hand
    # for a presenter test need not name them).
    late: bool = field(default=False, kw_only=True)
    """Sent after its due date."""
    working_days_late: int = field(default=0, kw_only=True)
    """How many working days after the due date it was sent (0: on time or not sent)."""
    late_reason: str | None = field(default=None, kw_only=True)
    """The reason for the delay the LA gave, with the sent record or afterwards."""
    sent_recorded_on: str | None = field(default=None, kw_only=True)
    """The day the sent record was written down (ISO)."""
    recorded_late: bool = field(default=False, kw_only=True)
    """The sent date is more than one working day before `sent_recorded_on`."""
    acknowledged_recorded_on: str | None = field(default=None, kw_only=True)
    acknowledged_recorded_late: bool = field(default=False, kw_only=True)
    """The acknowledged date is more than one working day before it was recorded."""
    withdrawal_pending: str | None = field(default=None, kw_only=True)
    """The reason of a withdrawal request awaiting the office's confirmation (the duty
    is still owed: its status stays open)."""
    withdrawal_requested_by: str | None = field(default=None, kw_only=True)
    """Who asked for the withdrawal (pending or confirmed), or withdrew it alone."""
    withdrawal_confirmed_by: str | None = field(default=None, kw_only=True)
    """The second person who confirmed a statutory duty's withdrawal."""
    corrections: tuple[DutyCorrection, ...] = field(default=(), kw_only=True)
    """Parts of the record undone as recorded in error, oldest first."""
    subject: int | None = field(default=None, kw_only=True)
    """Whose a per-child duty is: the subject's 1-based place in the case's subjects
    (None for a duty owed once per incident)."""
    subject_initials: str | None = field(default=None, kw_only=True)
    """That subject's initials, where the view was read with its case."""

    @property
    def whose(self) -> str | None:
        """Whose a per-child duty is, in words: "child 2 — AB" (None for a duty owed
        once per incident)."""
        if self.subject is None:
            return None
        from notify_tui.domain.rules import subject_label

        label = subject_label(self.subject)
        return f"{label} — {self.subject_initials}" if self.subject_initials else label

    def as_json(self) -> dict[str, object]:
        """The duty as `--json` prints it."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class OpenDuty(DutyView):
    """A duty with the case columns the dashboard shows beside it."""

    kind: str | None
    initials: str | None
    names: str | None
    org: str | None


@dataclass(frozen=True)
class DeadlineLine:
    """One line of `deadlines` as text or Markdown: an open duty and when it is due
    (the full duty, for `--json`, is a `DutyView`)."""

    case_id: str
    duty: str
    due: str
    working_days_left: int
    """Working days from today to the due date (negative when overdue)."""
    urgency: str


@dataclass(frozen=True)
class CaseSummary:
    """One line of the case list."""

    id: str
    kind: str | None
    org: str
    initials: str
    names: str
    next_due: str | None
    """The soonest due date of its open duties (ISO), or None."""
    working_days_left: int | None
    urgency: str
    open_duties: int
    decision: str | None
    """"notify", "no_notify", or None while undecided."""
    conflicts: tuple[str, ...]
    """The fields in conflict."""
    created_at: str
    event_date: str | None
    aware_date: str | None
    outcome: str | None

    def as_json(self) -> dict[str, object]:
        """The summary as `case list --json` prints it."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class ConflictValue:
    """One of the values a field holds in conflict, and who recorded it."""

    value: object
    by: str
    device: str
    at: str
    event: str
    number: int
    """Its number among the field's values (1, 2, ...): `resolve --choose N`."""
    words: str
    """The value as a choice, in words: "18 Nov 2026 (B. Office)"."""

    def as_json(self) -> dict[str, object]:
        """The value as `--json` prints it."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ConflictView:
    """A field of a case that holds more than one value."""

    field: str
    values: tuple[ConflictValue, ...]
    """Oldest first, numbered from 1."""
    label: str
    """The field in words: "CDOP notification acknowledgement"."""
    question: str
    """The conflict as a question: "Acknowledged on 18 Nov 2026 (B. Office) or ...?"."""

    def as_json(self) -> dict[str, object]:
        """The conflict as `--json` prints it."""
        return {
            "field": self.field,
            "label": self.label,
            "question": self.question,
            "values": _plain(self.values),
        }


@dataclass(frozen=True)
class CaseConflict(ConflictView):
    """A conflict, across cases: the `conflicts` list."""

    case_id: str = ""

    def as_json(self) -> dict[str, object]:
        """The conflict as `conflicts --json` prints it (case id first)."""
        return {"case_id": self.case_id, **super().as_json()}


@dataclass(frozen=True)
class AuditEntry:
    """One line of a case's audit trail: who, when, which device, what changed."""

    at: str
    author: str
    device: str
    org: str
    type: str
    event: str
    summary: str
    """What happened, as a sentence that starts with who did it (`domain.wording`)."""
    case: str = ""
    """The case it is about (`LOG`: about no one case, such as a report or a backup)."""

    def as_json(self) -> dict[str, object]:
        """The entry as `--json` prints it."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class CaseDetail:
    """Everything about one case: its document, duties, conflicts and audit trail."""

    id: str
    kind: str | None
    org: str
    created_at: str
    created_by: str
    updated_at: str
    document: Mapping[str, Any]
    """The case document (facts, decision, duty records, office steps) as JSON."""
    duties: tuple[DutyView, ...]
    advisories: tuple[str, ...]
    """What the rule pack advises for these facts, in words."""
    conflicts: tuple[ConflictView, ...]
    problem: str | None
    """Why the stored facts no longer validate, or None."""
    rulepack: str
    audit: tuple[AuditEntry, ...]
    """Every change to the case, oldest first (who looked at it: `Session.audit`)."""

    def as_json(self) -> dict[str, object]:
        """The case as `case show --json` prints it."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class ReportPeriod:
    """The reporting period of a `Report`, both ends included (ISO dates)."""

    start: str
    end: str

    def as_json(self) -> dict[str, object]:
        """The period as `report --json` prints it (keys "from" and "to")."""
        return {"from": self.start, "to": self.end}


@dataclass(frozen=True)
class Timeliness:
    """How many duties were raised, sent and left open, and how promptly (rules 1 to 3 of
    docs/reports.md): raised = sent + still open; sent = within deadline + late + without date."""

    raised: int
    """Duties owed (open, sent or acknowledged) whose clock started in the period."""
    sent: int
    """Of those, sent or acknowledged."""
    sent_within_deadline: int
    """Sent on or before the due date."""
    sent_late: int
    """Sent after the due date."""
    sent_without_date: int
    """Acknowledged with no sent date recorded (neither on time nor late)."""
    still_open: int
    """Raised and not yet sent."""
    withdrawn: int
    """Started in the period and withdrawn (not counted as raised)."""
    not_notifying: int
    """Started in the period and closed by a decision not to notify the Panel (not raised)."""
    share_within_deadline: float | None
    """Sent within deadline over sent with a date (4 decimals), or None when nothing was sent."""
    median_working_days_taken: float | None
    """Median working days from start to sent, or None when nothing was sent."""

    def as_json(self) -> dict[str, object]:
        """The figures as `report --json` prints them."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class DutyTimeliness:
    """The timeliness of one notification duty: over all LAs chosen, and per LA."""

    all: Timeliness
    by_la: Mapping[str, Timeliness]
    """Per LA, in LA order; only LAs with a duty started in the period."""

    def as_json(self) -> dict[str, object]:
        """The block as `report --json` prints it."""
        return {
            "all": self.all.as_json(),
            "by_la": {org: numbers.as_json() for org, numbers in self.by_la.items()},
        }


@dataclass(frozen=True)
class DecisionsNotToNotify:
    """Cases whose Panel notification was closed by a decision not to notify, the LA
    having become aware in the period (the Panel row's `not_notifying`)."""

    count: int
    cases: tuple[str, ...]
    """Their case ids, sorted."""

    def as_json(self) -> dict[str, object]:
        """The block as `report --json` prints it."""
        return {"count": self.count, "cases": list(self.cases)}


@dataclass(frozen=True)
class ChildDeaths:
    """Deaths of children under 18 in the period, whatever kind of case logged them."""

    count: int
    by_kind: Mapping[str, int]
    """Deaths per case kind (child_death, serious_incident, care_leaver_death), sorted."""
    by_category: Mapping[str, int]
    """Deaths per category id, sorted by id ("not yet categorised" when none is set)."""
    by_age_band: Mapping[str, int]
    """Deaths per CDOP/NCMD age band, youngest first, every band present."""

    def as_json(self) -> dict[str, object]:
        """The block as `report --json` prints it."""
        return {
            "count": self.count,
            "by_kind": dict(self.by_kind),
            "by_category": dict(self.by_category),
            "by_age_band": dict(self.by_age_band),
        }


@dataclass(frozen=True)
class LateSend:
    """A duty counted in the period that was sent after its due date."""

    case_id: str
    la: str
    duty: str
    due: str
    sent_on: str
    working_days_late: int
    """Working days after the due date (not counted) to the sent date (counted)."""
    reason: str | None
    """The LA's reason for the delay, or None when none is recorded."""

    def as_json(self) -> dict[str, object]:
        """The line as `report --json` prints it."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class OpenDutyLine:
    """One duty open today."""

    case_id: str
    la: str
    duty: str
    required: bool
    """False for a duty recorded on the case that the facts no longer raise."""
    due: str | None
    """None while the duty's clock has not started (a rapid review before the Panel
    notification is sent)."""
    working_days_left: int | None
    """Working days from today to the due date (negative when overdue); None undated."""

    def as_json(self) -> dict[str, object]:
        """The line as `report --json` prints it."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class OpenDuties:
    """Every duty open today (whatever the period), as the dashboard's "open" filter
    counts them: dated ones soonest due first, then undated ones."""

    count: int
    overdue: int
    """Open with a due date before today (the dashboard header's "overdue")."""
    with_due_date: int
    without_due_date: int
    duties: tuple[OpenDutyLine, ...]

    def as_json(self) -> dict[str, object]:
        """The block as `report --json` prints it."""
        return {
            "count": self.count,
            "overdue": self.overdue,
            "with_due_date": self.with_due_date,
            "without_due_date": self.without_due_date,
            "duties": [line.as_json() for line in self.duties],
        }


@dataclass(frozen=True)
class Report:
    """The figures of `notify-tui report` and the Reports screen (see `domain.reports`)."""

    period: ReportPeriod
    la: str | None
    """The LA chosen, or None for every LA held."""
    las: tuple[str, ...]
    """The LAs whose cases the figures cover, sorted."""
    notifications: Mapping[str, DutyTimeliness]
    """Per notification duty id, in `domain.reports.NOTIFICATION_DUTIES` order."""
    rapid_reviews: Timeliness
    local_reviews: Timeliness
    decisions_not_to_notify: DecisionsNotToNotify
    child_deaths: ChildDeaths
    late_sends: tuple[LateSend, ...]
    """Duties counted in the period and sent late, earliest sent first."""
    open: OpenDuties

    def as_json(self) -> dict[str, object]:
        """The figures as `report --json` prints them."""
        return {
            "period": self.period.as_json(),
            "la": self.la,
            "las": list(self.las),
            "notifications": {
                duty_id: block.as_json() for duty_id, block in self.notifications.items()
            },
            "rapid_reviews": self.rapid_reviews.as_json(),
            "local_reviews": self.local_reviews.as_json(),
            "decisions_not_to_notify": self.decisions_not_to_notify.as_json(),
            "child_deaths": self.child_deaths.as_json(),
            "late_sends": [line.as_json() for line in self.late_sends],
            "open": self.open.as_json(),
        }


@dataclass(frozen=True)
class DoctorReport:
    """What `doctor` checked and what it found."""

    checks: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems

    def as_json(self) -> dict[str, object]:
        """The findings as `doctor --json` prints them."""
        return {"ok": self.ok, "checks": list(self.checks), "problems": list(self.problems)}


@dataclass(frozen=True)
class UserView:
    """A user of the vault: who they are, their role, and since when."""

    name: str
    role: str
    role_words: str
    """What the role may do, in a few words (`domain.people.ROLE_WORDS`)."""
    added_at: str
    added_by: str
    removed_at: str | None = None
    removed_by: str | None = None

    @property
    def active(self) -> bool:
        """Whether the user may still unlock the vault."""
        return self.removed_at is None

    def as_json(self) -> dict[str, object]:
        """The user as `users list --json` prints it."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class RecoveryShare:
    """One recovery share: the officer who holds it and its words (shown once)."""

    number: int
    holder: str
    words: str
