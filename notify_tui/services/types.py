"""What the Session returns: frozen dataclasses, never raw rows or the vault.

Field names are the keys of the JSON the CLI prints, and `as_json()` gives exactly that
document (same keys, same order), so `--json` output does not change.

Read them by attribute (`row.working_days_left`): a renamed field then breaks a type
check, not a screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
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

    def as_json(self) -> dict[str, object]:
        """The value as `--json` prints it."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ConflictView:
    """A field of a case that holds more than one value."""

    field: str
    values: tuple[ConflictValue, ...]

    def as_json(self) -> dict[str, object]:
        """The conflict as `--json` prints it."""
        return {"field": self.field, "values": _plain(self.values)}


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
    advisories: tuple[Any, ...]
    conflicts: tuple[ConflictView, ...]
    problem: str | None
    """Why the stored facts no longer validate, or None."""
    rulepack: str
    audit: tuple[AuditEntry, ...]

    def as_json(self) -> dict[str, object]:
        """The case as `case show --json` prints it."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class Report:
    """The figures of `notify-tui report` and the Reports screen (see `domain.reports`).

    Each field is a JSON block of figures as `domain.reports.build_report` makes it.
    """

    period: Mapping[str, Any]
    la: str | None
    notifications: Mapping[str, Any]
    rapid_reviews: Mapping[str, Any]
    local_reviews: Mapping[str, Any]
    decisions_not_to_notify: Mapping[str, Any]
    child_deaths: Mapping[str, Any]
    open: Mapping[str, Any]

    def as_json(self) -> dict[str, object]:
        """The figures as `report --json` prints them."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


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
