"""The projection: tables of current case and duty state, folded from the event log.

The projection is a deterministic function of (the case's events, the rule pack, the
partnership settings): it never reads the clock, so two replicas holding the same
events hold byte-identical rows. "Working days left" depends on today and is worked
out when rows are read, not stored.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

import sqlite_utils
from pydantic import ValidationError

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.duty_states import THRESHOLD_DUTIES, recorded_late
from notify_tui.domain.fold import (
    LEAF_OBJECTS,
    CaseState,
    FieldState,
    FieldValue,
    fold_case,
)
from notify_tui.domain.models import Case, describe_validation_error
from notify_tui.domain.rules import (
    Assessment,
    CompiledPack,
    RulePack,
    SettingValue,
    assess_case,
    assess_partnership,
    base_duty_id,
    compile_pack,
    duty_subject,
)
from notify_tui.store.events import Event, canonical_json

PARTNERSHIP_PREFIX = "AR-"
"""Records of the partnership itself (the yearly report), not of a child."""

NOT_NOTIFYING_COVERS = THRESHOLD_DUTIES
"""Duties a decision not to notify the Panel closes (the threshold decision is about
the Panel; deaths of looked-after children, care leavers and children are notified
whatever the cause, so their duties stay open)."""


@dataclass(frozen=True)
class Projector:
    """Folds a case's events into projection rows with one rule pack and settings."""

    pack: RulePack
    calendar: WorkingDayCalendar
    """The authority's calendar with its closure days: local rules count on it,
    statutory ones on its national days (`rules.calendar_for`)."""
    settings: Mapping[str, SettingValue]

    @functools.cached_property
    def compiled(self) -> CompiledPack:
        """The rule pack compiled with these settings, once per projector."""
        return compile_pack(self.pack, self.settings)

    def case_rows(
        self, case_id: str, events: Iterable[Event]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The `cases` row and the `duties` rows of one case."""
        state = fold_case(case_id, events)
        document = case_document(state)
        problem: str | None = None
        if case_id.startswith(PARTNERSHIP_PREFIX):
            assessment = self._partnership(document)
        else:
            facts = {key: value for key, value in document.items() if key != "office"}
            try:
                case = Case.model_validate(facts, context={"lenient": True})
            except ValidationError as error:
                problem = describe_validation_error(error)
                assessment = Assessment(rulepack=self.pack.label, duties=[], advisories=[])
            else:
                assessment = assess_case(case, self.calendar, compiled=self.compiled)
        return self._rows(state, document, assessment, problem)

    def new_case_rows(
        self, created: Event, case: Case, document: dict[str, Any]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The rows of a case whose only event is `created`, made from the case in hand.

        `case` is the case document that event records, already validated (strictly,
        which passes only what the fold's lenient validation passes, to the same values),
        and `document` the nested document of the event's changes (what the fold
        rebuilds: `unflatten` of them, or `settled_document` of the dump they were
        flattened from). The same rows `case_rows` folds from the event: one head per
        field (a new case replaces nothing) and the assessment of the validated case,
        with no fold and no second validation."""
        event_id, at, author, device = created.id, created.at, created.author, created.device
        fields = {
            change.field: FieldState([FieldValue(change.value, event_id, at, author, device)])
            for change in sorted(created.changes, key=attrgetter("field"))
        }
        state = CaseState(
            case_id=created.case,
            org=created.org,
            created_at=created.at,
            created_by=created.author,
            updated_at=created.at,
            fields=fields,
        )
        assessment = assess_case(case, self.calendar, compiled=self.compiled)
        return self._rows(state, document, assessment, None)

    def _rows(
        self,
        state: CaseState,
        document: dict[str, Any],
        assessment: Assessment,
        problem: str | None,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        case_id = state.case_id
        duties = duty_rows(state, assessment, self.calendar)
        subjects = document.get("subjects") or []
        names = " ; ".join(
            " ".join(
                str(s.get(part) or "") for part in ("given_names", "family_name", "other_names")
            ).strip()
            for s in subjects
        )
        initials = ", ".join(_initials(s) for s in subjects)
        open_dues = sorted(d["due"] for d in duties if d["status"] == "open" and d["due"])
        incident = document.get("incident") or {}
        decision = document.get("decision") or {}
        row = {
            "id": case_id,
            "kind": "annual_report"
            if case_id.startswith(PARTNERSHIP_PREFIX)
            else document.get("kind"),
            "org": state.org,
            "created_at": state.created_at.isoformat(),
            "created_by": state.created_by,
            "updated_at": state.updated_at.isoformat(),
            "names": names,
            "initials": initials,
            "outline": document.get("case_outline") or "",
            "outcome": incident.get("outcome"),
            "event_date": incident.get("event_date"),
            "aware_date": incident.get("aware_date"),
            "decision": None
            if not decision
            else ("notify" if decision.get("notify") else "no_notify"),
            "next_due": open_dues[0] if open_dues else None,
            "open_duties": sum(1 for d in duties if d["status"] == "open"),
            "conflicts": json.dumps(sorted(state.conflicts)),
            "problem": problem,
            "rulepack": assessment.rulepack,
            "advisories": json.dumps(assessment.advisories),
            "document": canonical_json(document).decode("utf-8"),
        }
        return row, duties

    def _partnership(self, document: Mapping[str, Any]) -> Assessment:
        report = document.get("annual_report") or {}
        published = report.get("published_date")
        facts = {"annual_report_published_date": date.fromisoformat(published)} if published else {}
        return assess_partnership(facts, self.calendar, self.pack, self.settings)


def settled_document(dump: Mapping[str, Any]) -> dict[str, Any]:
    """`unflatten(flatten(dump))` without the round trip: what a fold of a new case's
    event rebuilds from its flattened changes (`fold.flatten`): empty objects vanish,
    a list of objects keeps the items that do not, other values (and the whole of a
    `fold.LEAF_OBJECTS` field) stay as they are."""
    settled = _settled(dump, "")
    return {} if settled is _GONE else dict(settled)


def _settled(value: Any, path: str) -> Any:
    if isinstance(value, Mapping) and path not in LEAF_OBJECTS:
        kept = {}
        for key, item in value.items():
            settled = _settled(item, f"{path}.{key}" if path else key)
            if settled is not _GONE:
                kept[key] = settled
        return kept if kept else _GONE
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        items = [_settled(item, f"{path}.{index}") for index, item in enumerate(value)]
        kept_items = [item for item in items if item is not _GONE]
        return kept_items if kept_items else _GONE
    return _GONE if value is None else value


_GONE: Any = object()
"""What `_settled` returns for a value the fold would not rebuild."""


def flattened_and_settled(dump: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """`(fold.flatten(dump), settled_document(dump))` in one walk over the dump: a new
    case's changes and the document a fold of them rebuilds."""
    flat: dict[str, Any] = {}
    settled = _flattened_and_settled(dump, "", flat)
    return flat, ({} if settled is _GONE else dict(settled))


def _flattened_and_settled(value: Any, path: str, flat: dict[str, Any]) -> Any:
    # `_settled`, putting each value it reaches at the end of a path in `flat` on the way
    # (where `fold.flatten` puts it: objects and lists of objects are walked into).
    if isinstance(value, Mapping) and path not in LEAF_OBJECTS:
        kept = {}
        for key, item in value.items():
            settled = _flattened_and_settled(item, f"{path}.{key}" if path else key, flat)
            if settled is not _GONE:
                kept[key] = settled
        return kept if kept else _GONE
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        items = [
            _flattened_and_settled(item, f"{path}.{index}", flat)
            for index, item in enumerate(value)
        ]
        kept_items = [item for item in items if item is not _GONE]
        return kept_items if kept_items else _GONE
    flat[path] = value
    return _GONE if value is None else value


def case_document(state: CaseState) -> dict[str, Any]:
    """The case document of a folded state, with duty records folded in as facts."""
    document = state.document()
    duties = document.pop("duties", {}) or {}
    panel = duties.get("panel-notification") or {}
    sent = panel.get("sent")
    if isinstance(sent, Mapping) and sent.get("date"):
        document.setdefault("incident", {})["panel_notified_date"] = sent["date"]
    decided = state.value("office.lcspr.decision_date")
    if isinstance(decided, str):
        document.setdefault("incident", {})["lcspr_decision_date"] = decided
    planned = state.value("office.lcspr.planned_publication")
    if isinstance(planned, str):
        document.setdefault("incident", {})["lcspr_planned_publication_date"] = planned
    return document


def _step_date(value: Any) -> str | None:
    """The date of an office workflow step (a date, or an object with one)."""
    if isinstance(value, Mapping):
        value = value.get("date")
    return value if isinstance(value, str) else None


def _recorded_on(field: FieldState | None) -> str | None:
    """The date (of its event's time) the value a field holds was written down."""
    return None if field is None else field.heads[-1].at.date().isoformat()


def _iso(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _withdrawal(
    record: Mapping[str, Any], state: CaseState, duty_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the withdrawal in force, the request awaiting confirmation): one of them or neither.

    A duty withdrawn by one person (`withdrawn`, a duty the rules do not raise) is in
    force; a statutory one only once a second person confirmed the request it names."""
    withdrawn = record.get("withdrawn") or {}
    requested = record.get("withdrawal_requested") or {}
    confirmed = record.get("withdrawal_confirmed") or {}
    if withdrawn or not requested:
        return withdrawn, {}
    request_field = state.fields.get(f"duties.{duty_id}.withdrawal_requested")
    confirm_field = state.fields.get(f"duties.{duty_id}.withdrawal_confirmed")
    if confirmed and request_field is not None and confirm_field is not None:
        request, confirmation = request_field.heads[-1], confirm_field.heads[-1]
        # The second person is judged by the events, not by the names their values carry:
        # another author on another device confirmed this very request.
        if (
            confirmed.get("request") == request.event_id
            and confirmation.author != request.author
            and confirmation.device != request.device
        ):
            return {**requested, "confirmed_by": confirmation.author}, {}
    return {}, requested


def duty_rows(
    state: CaseState, assessment: Assessment, calendar: WorkingDayCalendar
) -> list[dict[str, Any]]:
    """One row per duty raised by the facts or recorded on the case."""
    recorded = state.document("duties.")
    decision = state.value("decision") or {}
    rows: list[dict[str, Any]] = []
    raised = {duty.id: duty for duty in assessment.duties}
    for duty_id in [*raised, *sorted(set(recorded) - set(raised))]:
        duty = raised.get(duty_id)
        record = recorded.get(duty_id) or {}
        sent = record.get("sent") or {}
        sent_field = state.fields.get(f"duties.{duty_id}.sent") if sent else None
        withdrawn, pending = _withdrawal(record, state, duty_id)
        acknowledged = record.get("acknowledged") or {}
        done_field = duty.done_when if duty else None
        done = state.fields.get(done_field) if done_field else None
        if done is not None and not sent and _step_date(done.value):
            # Completed by an office workflow step (e.g. rapid review sent to the Panel).
            sent = {"date": _step_date(done.value), "by": done.heads[-1].author}
            sent_field = done
        if withdrawn:
            status = "withdrawn"
        elif acknowledged:
            status = "acknowledged"
        elif sent:
            status = "sent"
        elif base_duty_id(duty_id) in NOT_NOTIFYING_COVERS and decision.get("notify") is False:
            status = "not_notifying"
        else:
            status = "open"
        due = duty.due if duty and duty.due else None
        sent_on = _iso(sent.get("date"))
        sent_recorded_on = _recorded_on(sent_field)
        acknowledged_recorded_on = _recorded_on(
            state.fields.get(f"duties.{duty_id}.acknowledged") if acknowledged else None
        )
        late_reason = sent.get("late_reason") or (record.get("late_reason") or {}).get("reason")
        corrections = sorted(
            (record.get("corrections") or {}).values(),
            key=lambda c: (str(c.get("date")), str(c.get("part")), str(c.get("reason"))),
        )
        rows.append(
            {
                "case_id": state.case_id,
                "duty_id": duty_id,
                "required": 1 if duty is not None else 0,
                "title": duty.title if duty else duty_id,
                "recipients": json.dumps(duty.recipients if duty else []),
                "start": duty.start.isoformat() if duty and duty.start else None,
                "due": due.isoformat() if due else None,
                "deadline": duty.deadline if duty else "",
                "reasons": json.dumps(duty.reasons if duty else []),
                "source": duty.source if duty else "",
                "rule_version": duty.rule_version if duty else None,
                "status": status,
                "sent_on": sent.get("date"),
                "reference": sent.get("reference"),
                "sent_by": sent.get("by"),
                "withdrawn_reason": withdrawn.get("reason"),
                "acknowledged_on": acknowledged.get("date"),
                "sent_recorded_on": sent_recorded_on,
                "late": 1 if sent_on and due and sent_on > due else 0,
                "late_reason": late_reason if sent else None,
                "recorded_late": int(recorded_late(sent_on, _iso(sent_recorded_on), calendar)),
                "acknowledged_recorded_on": acknowledged_recorded_on,
                "acknowledged_recorded_late": int(
                    recorded_late(
                        _iso(acknowledged.get("date")), _iso(acknowledged_recorded_on), calendar
                    )
                ),
                "withdrawal_pending": pending.get("reason") if status == "open" else None,
                "withdrawal_requested_by": (pending or withdrawn).get("by"),
                "withdrawal_confirmed_by": withdrawn.get("confirmed_by"),
                "corrections": canonical_json(corrections).decode("utf-8"),
                # Whose a per-child duty is (1-based place in the case's subjects).
                "subject": duty.subject if duty else duty_subject(duty_id),
            }
        )
    return rows


def _initials(subject: Mapping[str, Any]) -> str:
    words = f"{subject.get('given_names', '')} {subject.get('family_name', '')}".split()
    return "".join(word[0].upper() for word in words if word)


def write_case(
    db: sqlite_utils.Database,
    row: dict[str, Any],
    duties: list[dict[str, Any]],
) -> None:
    """Replace one case's projection rows (call inside a transaction)."""
    db.execute("DELETE FROM duties WHERE case_id = ?", [row["id"]])
    columns = list(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    db.execute(
        f"INSERT INTO cases ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}",
        list(row.values()),
    )
    if duties:
        duty_columns = list(duties[0])
        db.conn.executemany(
            f"INSERT INTO duties ({', '.join(duty_columns)}) "
            f"VALUES ({', '.join('?' * len(duty_columns))})",
            [list(duty.values()) for duty in duties],
        )


def write_cases(
    db: sqlite_utils.Database, cases: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> None:
    """Replace the rows of cases, a few statements for them all (`write_case` of each).

    Call inside a transaction; every row comes from `Projector`, so every `cases` row has
    the same columns in the same order, as has every `duties` row. Their old duty rows
    are deleted in one statement: a case new to the event log may still have rows when
    its lost events come back (a damaged log being mended by a later bundle)."""
    if not cases:
        return
    for start in range(0, len(cases), 500):  # SQLite's default limit is 999 variables
        ids = [row["id"] for row, _ in cases[start : start + 500]]
        db.execute(f"DELETE FROM duties WHERE case_id IN ({', '.join('?' * len(ids))})", ids)
    columns = list(cases[0][0])
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    db.conn.executemany(
        f"INSERT INTO cases ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}",
        [list(row.values()) for row, _ in cases],
    )
    duties = [duty for _, rows in cases for duty in rows]
    if duties:
        duty_columns = list(duties[0])
        db.conn.executemany(
            f"INSERT INTO duties ({', '.join(duty_columns)}) "
            f"VALUES ({', '.join('?' * len(duty_columns))})",
            [list(duty.values()) for duty in duties],
        )


def projection_hash(db: sqlite_utils.Database) -> str:
    """SHA-256 over every projection row in key order: equal on converged replicas."""
    digest = hashlib.sha256()
    for table, order in (("cases", "id"), ("duties", "case_id, duty_id")):
        for row in db.execute(f"SELECT * FROM {table} ORDER BY {order}"):
            digest.update(canonical_json(list(row)))
    return digest.hexdigest()
