"""The dashboard's vocabulary and its filter and sort spec: pure values, no SQL.

`DashboardQuery` says which duties to show and in what order; `store.duty_pages` reads
them from the vault a page at a time as `DutyRow`s. The short labels live here, not in
a presenter, because the table sorts by what a column shows (a duty's short name, not
its stored title), so the query below the store needs them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from notify_tui.domain.models import CASE_KIND_LABELS, MAX_NAMED_SUBJECTS, CaseKind
from notify_tui.domain.rules import (
    PER_SUBJECT_DUTIES,
    base_duty_id,
    per_subject_name,
    subject_duty_id,
)

URGENCY_LABELS = {
    "overdue": "OVERDUE",
    "due today": "DUE TODAY",
    "due soon": "DUE SOON",
    "later": "later",
    "no date": "no date yet",
    "done": "done",
}
"""The word shown beside every urgency colour (colour never carries meaning alone)."""

STATUS_LABELS = {
    "open": "open",
    "sent": "sent",
    "acknowledged": "acknowledged",
    "withdrawn": "withdrawn",
    "not_notifying": "not notifying",
}

DUTY_LABELS = {
    "panel-notification": "Panel notification",
    "lac-death-notification": "LAC death notice",
    "care-leaver-death-notification": "Care leaver death",
    "cdop-notification": "CDOP notification",
    "rapid-review": "Rapid review",
    "lcspr-publication": "LCSPR publication",
    "lcspr-advance-copy": "LCSPR advance copy",
    "annual-report-sent": "Yearly report",
}

RECIPIENT_LABELS = (
    ("Child Safeguarding Practice Review Panel", "Panel"),
    ("Secretary of State", "DfE"),
    ("Ofsted", "Ofsted"),
    ("Child Death Overview Panel", "CDOP"),
    ("Local safeguarding partners", "Partners"),
    ("What Works Centre", "What Works"),
)

KIND_SHORT = {
    CaseKind.serious_incident: "Incident",
    CaseKind.care_leaver_death: "Care leaver",
    CaseKind.child_death: "Child death",
}
"""Kind names short enough for a table column."""

StatusFilter = Literal["open", "overdue", "due this week", "done", "all"]
STATUS_FILTERS: tuple[StatusFilter, ...] = ("open", "overdue", "due this week", "done", "all")
KIND_FILTERS: tuple[str | None, ...] = (None, *CaseKind.__members__)
SORT_KEYS = ("due", "case", "subject", "kind", "duty", "recipient", "left", "status", "la")


def short_recipients(recipients: Sequence[str]) -> str:
    """A few words naming who a duty goes to ("Panel + Partners")."""
    shown: list[str] = []
    for recipient in recipients:
        label = next((short for prefix, short in RECIPIENT_LABELS if prefix in recipient), None)
        label = label or recipient.split("(")[0].strip()[:18]
        if label not in shown:
            shown.append(label)
    return " + ".join(shown) or "-"


def duty_label(duty_id: str, title: str) -> str:
    """A short name for a duty ("CDOP notification (child 2)" for `cdop-notification@2`)."""
    label = DUTY_LABELS.get(base_duty_id(duty_id))
    return title if label is None else per_subject_name(label, duty_id)


def duty_labels() -> dict[str, str]:
    """Every duty id a case can hold (per-child ones for each named subject) and its
    short label, for sorting by what the duty column shows."""
    labels = dict(DUTY_LABELS)
    for base in sorted(PER_SUBJECT_DUTIES & set(DUTY_LABELS)):
        for position in range(2, MAX_NAMED_SUBJECTS + 1):
            duty_id = subject_duty_id(base, position)
            labels[duty_id] = duty_label(duty_id, duty_id)
    return labels


def subject_part(joined: str, subject: int | None, separator: str = ", ") -> str:
    """A per-child duty's own subject's part of a case column that joins every subject's
    (`cases.initials` "AB, CD", `cases.names` with " ; "); the whole for a duty owed once
    per incident (or a place the column does not have)."""
    if subject is None:
        return joined
    parts = joined.split(separator)
    return parts[subject - 1] if 0 < subject <= len(parts) else joined


@dataclass(frozen=True)
class DutyRow:
    """One dashboard line: a duty of a case, ready to show."""

    case_id: str
    kind: str
    initials: str
    names: str
    duty_id: str
    duty: str
    recipients: str
    due: date | None
    working_days_left: int | None
    urgency: str
    status: str
    org: str = ""
    """The LA whose case it is."""
    conflicts: int = 0
    """How many fields of its case hold values in conflict."""
    sent_on: date | None = None
    working_days_late: int = 0
    """Working days after the due date it was sent (0: on time, or not sent)."""
    withdrawal_pending: bool = False
    """An open duty whose withdrawal awaits the office's confirmation (still owed)."""

    @property
    def kind_label(self) -> str:
        """The case kind in words."""
        try:
            return KIND_SHORT[CaseKind(self.kind)]
        except ValueError:
            return self.kind

    @property
    def status_label(self) -> str:
        """OVERDUE / DUE TODAY / DUE SOON / later for open duties, else what happened."""
        if self.status == "open":
            label = URGENCY_LABELS.get(self.urgency, self.urgency)
            return f"{label} · withdrawal pending" if self.withdrawal_pending else label
        label = STATUS_LABELS.get(self.status, self.status)
        if self.sent_on is None:
            return label
        # Short enough for the column: the working days late and the reason are on the
        # case screen.
        flag = "late" if self.working_days_late else "on time"
        ack = " · ack" if self.status == "acknowledged" else ""
        return f"sent {self.sent_on.day} {self.sent_on:%b} · {flag}{ack}"

    def subject(self, full_names: bool) -> str:
        """Initials, or full names when the user asked for them."""
        return self.names if full_names else self.initials

    def left_label(self) -> str:
        """Working days left, or blank when done or undated."""
        return "" if self.working_days_left is None else str(self.working_days_left)


def end_of_week(today: date) -> date:
    """The Sunday that ends today's week."""
    return today + timedelta(days=6 - today.weekday())


@dataclass(frozen=True)
class Counts:
    """The header line: how many open duties are overdue, due today, due this week."""

    overdue: int = 0
    due_today: int = 0
    due_this_week: int = 0

    def describe(self) -> str:
        """ "3 overdue · 2 due today · 5 due this week"."""
        return (
            f"{self.overdue} overdue · {self.due_today} due today · "
            f"{self.due_this_week} due this week"
        )


@dataclass(frozen=True, kw_only=True)
class DashboardQuery:
    """Which duties to show and in what order (immutable: each key makes a new one)."""

    status: StatusFilter = "open"
    kind: str | None = None
    search: str = ""
    """Only cases whose names or outline match these words (prefixes, every word)."""
    la: str | None = None
    """Only this LA's cases (the office), or every LA's when None."""
    sort_key: str = "due"
    descending: bool = False
    full_names: bool = False
    today: date
    """The day "overdue" and "this week" are judged from (the session's today)."""

    def next_status(self) -> DashboardQuery:
        """Cycle the status filter."""
        index = STATUS_FILTERS.index(self.status)
        return replace(self, status=STATUS_FILTERS[(index + 1) % len(STATUS_FILTERS)])

    def next_kind(self) -> DashboardQuery:
        """Cycle the kind filter (every kind, then each one)."""
        index = KIND_FILTERS.index(self.kind)
        return replace(self, kind=KIND_FILTERS[(index + 1) % len(KIND_FILTERS)])

    def next_la(self, las: Sequence[str]) -> DashboardQuery:
        """Cycle the LA filter: every LA, then each LA held."""
        choices: list[str | None] = [None, *las]
        index = choices.index(self.la) if self.la in choices else 0
        return replace(self, la=choices[(index + 1) % len(choices)])

    def sorted_by(self, key: str) -> DashboardQuery:
        """Sort by `key`; the same key again reverses the order."""
        if key not in SORT_KEYS:
            raise ValueError(f"unknown sort key {key!r}")
        descending = not self.descending if key == self.sort_key else False
        return replace(self, sort_key=key, descending=descending)

    def describe(self) -> str:
        """The filters in words, for the line above the table."""
        kind = CASE_KIND_LABELS[CaseKind(self.kind)] if self.kind else "all kinds"
        order = f"{self.sort_key} {'↓' if self.descending else '↑'}"
        parts = [f"showing: {self.status} duties", kind, f"sorted by {order}"]
        if self.la is not None:
            parts.insert(2, f"LA {self.la}")
        if self.search:
            parts.append(f'search "{self.search}"')
        return " · ".join(parts)
