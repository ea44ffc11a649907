"""The Session: the one API the CLI and the terminal app use.

A `Session` is an unlocked vault, this device's identity, the rule pack and the
working-day calendar. Its verbs validate input (raising `InvalidInput` with one line),
record events, and return plain rows for display. The shells never touch SQL or
cryptography directly.
"""

from __future__ import annotations

import json
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from notify_tui.clock import Clock, system_clock
from notify_tui.domain import office
from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.chains import office_chain_id, signing_device
from notify_tui.domain.fold import CaseState, flatten, fold_case, is_fact_field, unflatten
from notify_tui.domain.ids import new_case_id
from notify_tui.domain.models import (
    Case,
    CaseKind,
    Decision,
    describe_validation_error,
    validate_case,
    validate_facts,
)
from notify_tui.domain.reports import Period, build_report
from notify_tui.domain.rules import Assessment, RulePack, assess, default_rule_pack
from notify_tui.domain.urgency import SOON_WORKING_DAYS, urgency
from notify_tui.errors import InvalidInput, NotifyError, VaultError
from notify_tui.settings import Preferences
from notify_tui.store.connection import translate_errors
from notify_tui.store.events import Change, Event
from notify_tui.store.files import atomic_write_bytes
from notify_tui.store.keyslots import KEYSLOTS_FILE_NAME, Argon2Parameters
from notify_tui.store.owner import InlineOwner, Owner, OwnerThread, owned
from notify_tui.store.projection import (
    PARTNERSHIP_PREFIX,
    Projector,
    projection_hash,
)
from notify_tui.store.queries import fts_query
from notify_tui.store.vault import Identity, Role, Vault


@dataclass
class DoctorReport:
    """What `doctor` checked and what it found."""

    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems


def parse_value(raw: str) -> Any:
    """A `--set` value: JSON where it parses (true, 3, null, [..]), else the text."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


class Session:
    """An unlocked vault with the verbs both shells need."""

    def __init__(
        self,
        vault: Vault,
        pack: RulePack | None = None,
        *,
        clock: Clock | None = None,
        owner: Owner | None = None,
    ) -> None:
        self._owner: Owner = owner or InlineOwner()
        self._closed = False
        self.vault = vault
        self.clock: Clock = clock or system_clock()
        """Where today's date and the time come from (injected by tests)."""
        self.pack = pack or default_rule_pack()
        stored = vault.get_meta("preferences") or {}
        try:
            self.preferences = Preferences.model_validate(stored)
        except ValidationError:
            self.preferences = Preferences()
        self._configure()

    def _configure(self) -> None:
        self.calendar = WorkingDayCalendar(self.preferences.calendar.closure_days)
        self.projector = Projector(self.pack, self.calendar, self.preferences.rule_settings())

    # -- lifecycle -----------------------------------------------------------------

    @classmethod
    def init(
        cls,
        home: Path,
        passphrase: str,
        *,
        org: str,
        role: Role,
        author: str,
        kdf: Argon2Parameters | None = None,
        clock: Clock | None = None,
        owner: Owner | None = None,
    ) -> tuple[Session, str]:
        """Create a vault and return a session on it with the recovery code.

        The vault is opened on `owner` (default: a new `OwnerThread`)."""
        if len(passphrase) < 12:
            raise InvalidInput("passphrase: use at least 12 characters (a few words is best)")
        clock = clock or system_clock()
        owner = owner or OwnerThread()
        try:
            vault, recovery = owner.run(
                Vault.create,
                home,
                passphrase,
                org=org,
                role=role,
                author=author,
                now=clock.now(),
                kdf=kdf,
            )
            return owner.run(cls, vault, clock=clock, owner=owner), recovery
        except BaseException:
            owner.close()
            raise

    @classmethod
    def unlock(
        cls,
        home: Path,
        *,
        passphrase: str | None = None,
        recovery_code: str | None = None,
        write: bool = True,
        clock: Clock | None = None,
        owner: Owner | None = None,
    ) -> Session:
        """Open the vault in `home` on `owner` (default: a new `OwnerThread`)."""
        clock = clock or system_clock()
        owner = owner or OwnerThread()
        try:
            vault = owner.run(
                Vault.open,
                home,
                passphrase=passphrase,
                recovery_code=recovery_code,
                write=write,
                now=clock.now(),
            )
            return owner.run(cls, vault, clock=clock, owner=owner)
        except BaseException:
            owner.close()
            raise

    @property
    def owner(self) -> Owner:
        """The thread that holds the vault's connection; every verb runs there."""
        return self._owner

    def close(self) -> None:
        """Lock the vault: close the database and drop the key (again: nothing)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._owner.run(self.vault.close)
        finally:
            self._owner.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def identity(self) -> Identity:
        """This device."""
        return self.vault.identity

    def today(self) -> date:
        """Today's date, from the session's clock."""
        return self.clock.today()

    # -- preferences ---------------------------------------------------------------

    @owned
    def set_preferences(self, preferences: Preferences) -> None:
        """Store preferences; refold every case when deadlines depend on them."""
        before = (self.preferences.calendar, self.preferences.rules)
        self.vault.set_meta("preferences", preferences.model_dump(mode="json"))
        self.preferences = preferences
        self._configure()
        if before != (preferences.calendar, preferences.rules):
            self.vault.reproject_all(self.projector)

    # -- assessment ----------------------------------------------------------------

    @owned
    def assess_facts(self, document: Any) -> Assessment:
        """Assess a facts document with this vault's calendar and rule choices."""
        facts = validate_facts(document, self.today())
        return assess(facts, self.calendar, self.pack, self.preferences.rule_settings())

    # -- writing cases -------------------------------------------------------------

    def create_case(self, document: Any) -> str:
        """Validate and record a new case; return its id."""
        return self.create_cases([document])[0]

    @owned
    def create_cases(
        self, documents: Iterable[Any], new_id: Callable[[CaseKind], str] = new_case_id
    ) -> list[str]:
        """Record several new cases in one transaction (all or nothing).

        `new_id` makes each case id (the demo passes a seeded one for stable snapshots).
        """
        if self.identity.role == "office":
            raise InvalidInput(
                "the business office does not log cases: the LA where it happened does, "
                "and its bundles bring them here"
            )
        entries: list[tuple[str, str, Sequence[Change]]] = []
        today = self.today()
        for index, document in enumerate(documents):
            try:
                case = validate_case(document, today)
            except InvalidInput as error:
                prefix = f"case {index + 1}: " if index else ""
                raise InvalidInput(f"{prefix}{error.message}") from None
            case_id = new_id(case.kind)
            values = flatten(case.model_dump(mode="json", exclude_none=True))
            changes = [Change(field=path, value=value) for path, value in values.items()]
            entries.append((case_id, "case.created", changes))
        self.vault.record(self.projector, entries, self.clock.now())
        return [case_id for case_id, _, _ in entries]

    def _state(self, case_id: str) -> CaseState:
        events = self.vault.case_events(case_id)
        if not events:
            raise InvalidInput(f"no case {case_id}: check the id with `notify-tui case list`")
        return fold_case(case_id, events)

    def _require_owner(self, state: CaseState, action: str = "change its facts") -> None:
        if state.org != self.identity.org:
            hint = (
                "; the office records its own steps with `notify-tui office step`"
                if self.identity.role == "office"
                else ""
            )
            raise InvalidInput(
                f"case {state.case_id} belongs to {state.org}; only that LA may {action}{hint}"
            )

    @owned
    def edit_case(self, case_id: str, assignments: Mapping[str, Any]) -> Event | None:
        """Set fields of a case (dotted paths); None when nothing changed."""
        if not assignments:
            raise InvalidInput("give at least one --set FIELD=VALUE")
        state = self._state(case_id)
        self._require_owner(state)
        current = {
            path: field_state.value
            for path, field_state in state.fields.items()
            if is_fact_field(path)
        }
        proposed = dict(current)
        for path, value in assignments.items():
            if not is_fact_field(path):
                raise InvalidInput(
                    f"{path}: use `notify-tui duty`, `decide` or `office step` for this field"
                )
            proposed[path] = value
        document = unflatten({k: v for k, v in proposed.items() if v is not None})
        try:
            case = Case.model_validate(document, context={"today": self.today()})
        except ValidationError as error:
            raise InvalidInput(describe_validation_error(error)) from None
        new_values = flatten(case.model_dump(mode="json", exclude_none=True))
        changes = []
        for path in sorted(set(new_values) | set(current)):
            if not is_fact_field(path):
                continue
            new = new_values.get(path)
            if new != current.get(path) or (
                path in state.fields and state.fields[path].in_conflict and path in assignments
            ):
                heads = state.fields[path].head_ids if path in state.fields else []
                changes.append(Change(field=path, value=new, replaces=heads))
        if not changes:
            return None
        event_type = (
            "conflict.resolved"
            if any(path in state.fields and state.fields[path].in_conflict for path in assignments)
            else "case.edited"
        )
        return self.vault.record(
            self.projector, [(case_id, event_type, changes)], self.clock.now()
        )[0]

    @owned
    def decide(
        self,
        case_id: str,
        *,
        notify: bool,
        rationale: str,
        decided_on: date | None = None,
    ) -> Event:
        """Record the threshold decision (notify or not) with its rationale."""
        state = self._state(case_id)
        self._require_owner(state)
        try:
            decision = Decision.model_validate(
                {
                    "notify": notify,
                    "rationale": rationale,
                    "decided_on": decided_on or self.today(),
                    "decided_by": self.identity.author,
                },
                context={"today": self.today()},
            )
        except ValidationError as error:
            raise InvalidInput(describe_validation_error(error)) from None
        event_date = state.value("incident.event_date")
        if event_date and decision.decided_on < date.fromisoformat(event_date):
            raise InvalidInput("decided_on: a decision cannot precede the event")
        heads = state.fields["decision"].head_ids if "decision" in state.fields else []
        change = Change(field="decision", value=decision.model_dump(mode="json"), replaces=heads)
        return self.vault.record(
            self.projector, [(case_id, "decision.recorded", [change])], self.clock.now()
        )[0]

    def _duty_change(
        self, case_id: str, duty_id: str, part: str, value: dict[str, Any], event_type: str
    ) -> Event:
        state = self._state(case_id)
        if not (part == "acknowledged" and self.identity.role == "office"):
            self._require_owner(state, "record what was sent")
        duties = {row["duty_id"] for row in self._duty_rows(case_id)}
        if duty_id not in duties:
            listed = ", ".join(sorted(duties)) or "none"
            raise InvalidInput(f"case {case_id} has no duty {duty_id} (its duties: {listed})")
        path = f"duties.{duty_id}.{part}"
        heads = state.fields[path].head_ids if path in state.fields else []
        change = Change(field=path, value=value, replaces=heads)
        return self.vault.record(
            self.projector, [(case_id, event_type, [change])], self.clock.now()
        )[0]

    def _check_duty_date(self, case_id: str, when: date, what: str) -> None:
        if when > self.today():
            raise InvalidInput(f"--date {when}: is in the future; give the date it was {what}")
        aware = self._state(case_id).value("incident.aware_date")
        if aware and when < date.fromisoformat(aware):
            raise InvalidInput(f"--date {when}: is before the LA became aware ({aware})")

    @owned
    def mark_sent(
        self, case_id: str, duty_id: str, sent_on: date, reference: str | None = None
    ) -> Event:
        """Record that a duty's notification was sent (with the reference given)."""
        self._check_duty_date(case_id, sent_on, "sent")
        if reference is not None and len(reference) > 200:
            raise InvalidInput("--reference: at most 200 characters")
        value = {"date": sent_on.isoformat(), "reference": reference, "by": self.identity.author}
        return self._duty_change(case_id, duty_id, "sent", value, "duty.sent")

    @owned
    def withdraw(self, case_id: str, duty_id: str, reason: str) -> Event:
        """Withdraw a duty (it no longer applies), with the reason."""
        if len(reason.strip()) < 10:
            raise InvalidInput("--reason: say why in at least a sentence")
        value = {"reason": reason.strip(), "by": self.identity.author}
        return self._duty_change(case_id, duty_id, "withdrawn", value, "duty.withdrawn")

    @owned
    def acknowledge(self, case_id: str, duty_id: str, acknowledged_on: date) -> Event:
        """Record that the recipient acknowledged the notification."""
        self._check_duty_date(case_id, acknowledged_on, "acknowledged")
        value = {"date": acknowledged_on.isoformat(), "by": self.identity.author}
        return self._duty_change(case_id, duty_id, "acknowledged", value, "duty.acknowledged")

    @owned
    def resolve(self, case_id: str, field_path: str, value: Any) -> Event:
        """Resolve a conflict on a field with the value a person chose.

        A fact may be resolved to any valid value; a decision, duty record or office
        step to one of the values in conflict (the record of what was actually done).
        """
        state = self._state(case_id)
        field_state = state.fields.get(field_path)
        if field_state is None or not field_state.in_conflict:
            raise InvalidInput(f"{field_path}: no conflict on this field of case {case_id}")
        if is_fact_field(field_path):
            event = self.edit_case(case_id, {field_path: value})
            if event is not None:
                return event
        elif value not in [head.value for head in field_state.heads]:
            raise InvalidInput(
                f"{field_path}: choose one of the values in conflict (see `notify-tui conflicts`)"
            )
        # The chosen value is one already held: record it as replacing every head.
        change = Change(field=field_path, value=value, replaces=field_state.head_ids)
        return self.vault.record(
            self.projector, [(case_id, "conflict.resolved", [change])], self.clock.now()
        )[0]

    # -- the office workflow -------------------------------------------------------

    @owned
    def record_office_step(
        self, case_id: str, area: str, step: str, value: Any, *, outcome: str | None = None
    ) -> Event:
        """Record a step of the work after notification (see `domain.office`)."""
        state = self._state(case_id)
        if self.identity.role != "office" and state.org != self.identity.org:
            raise InvalidInput(f"case {case_id} belongs to {state.org}; only it or the office may")
        duties = {row["duty_id"] for row in self._duty_rows(case_id)}
        reason = office.applies_to(area, duties, state.value("kind"))
        if reason:
            raise InvalidInput(f"{area}: {reason}")
        aware = state.value("incident.aware_date")
        step_change = office.validate_step(
            area,
            step,
            value,
            today=self.today(),
            earliest=date.fromisoformat(aware) if aware else None,
            outcome=outcome,
        )
        heads = (
            state.fields[step_change.field].head_ids if step_change.field in state.fields else []
        )
        change = Change(field=step_change.field, value=step_change.value, replaces=heads)
        return self.vault.record(
            self.projector, [(case_id, "office.recorded", [change])], self.clock.now()
        )[0]

    @owned
    def record_annual_report(self, year: int, published_on: date) -> str:
        """Record the partnership's yearly report; its sending duty follows (7 days)."""
        if self.identity.role != "office":
            raise InvalidInput("the yearly report is recorded by the business office")
        if not 2018 <= year <= self.today().year:
            raise InvalidInput(f"year {year}: give a report year from 2018 to this year")
        if published_on > self.today():
            raise InvalidInput(f"--published {published_on}: is in the future")
        record_id = f"{PARTNERSHIP_PREFIX}{year}"
        existing = self.vault.case_events(record_id)
        heads: dict[str, list[str]] = {}
        if existing:
            state = fold_case(record_id, existing)
            heads = {path: f.head_ids for path, f in state.fields.items()}
        values = {
            "annual_report.year": year,
            "annual_report.published_date": published_on.isoformat(),
        }
        changes = [
            Change(field=path, value=value, replaces=heads.get(path, []))
            for path, value in values.items()
        ]
        event_type = "office.recorded" if existing else "case.created"
        self.vault.record(self.projector, [(record_id, event_type, changes)], self.clock.now())
        return record_id

    @owned
    def report(self, start: date, end: date, la: str | None = None) -> dict[str, Any]:
        """The figures of `notify-tui report` and the Reports screen."""
        if end < start:
            raise InvalidInput("--to: must not be before --from")
        db = self.vault.db
        duty_cursor = db.execute(
            "SELECT duties.case_id, duty_id, status, start, due, sent_on, required, cases.org "
            "FROM duties JOIN cases ON cases.id = duties.case_id"
        )
        duty_rows = [
            dict(
                zip(
                    ("case_id", "duty_id", "status", "start", "due", "sent_on", "required", "org"),
                    r,
                    strict=True,
                )
            )
            for r in duty_cursor.fetchall()
        ]
        cases = []
        for case_id, org, kind, decision, aware, event, document in db.execute(
            "SELECT id, org, kind, decision, aware_date, event_date, document FROM cases"
        ).fetchall():
            parsed = json.loads(document)
            subjects = parsed.get("subjects") or [{}]
            cases.append(
                {
                    "id": case_id,
                    "org": org,
                    "kind": kind,
                    "decision": decision,
                    "aware_date": aware,
                    "event_date": event,
                    "date_of_birth": subjects[0].get("date_of_birth"),
                    "cdop_category": (parsed.get("office") or {}).get("cdop", {}).get("category"),
                }
            )
        if la is not None and la not in {c["org"] for c in cases}:
            known = ", ".join(sorted({c["org"] for c in cases})) or "none"
            raise InvalidInput(f"--la {la}: no cases from that LA (LAs held: {known})")
        return build_report(duty_rows, cases, Period(start, end), self.today(), self.calendar, la)

    # -- reading -------------------------------------------------------------------

    def _duty_rows(self, case_id: str) -> list[dict[str, Any]]:
        return list(self.vault.db["duties"].rows_where("case_id = ?", [case_id]))

    def _left(self, due: str | None) -> int | None:
        if due is None:
            return None
        return self.calendar.working_days_left(self.today(), date.fromisoformat(due))

    @owned
    def duty_view(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """A duty row for display: JSON fields decoded, working days left, urgency."""
        left = self._left(row["due"]) if row["status"] == "open" else None
        return {
            "case_id": row["case_id"],
            "duty": row["duty_id"],
            "title": row["title"],
            "required": bool(row["required"]),
            "recipients": json.loads(row["recipients"]),
            "start": row["start"],
            "due": row["due"],
            "deadline": row["deadline"],
            "working_days_left": left,
            "urgency": urgency(row["status"], left),
            "status": row["status"],
            "sent_on": row["sent_on"],
            "reference": row["reference"],
            "withdrawn_reason": row["withdrawn_reason"],
            "acknowledged_on": row["acknowledged_on"],
            "reasons": json.loads(row["reasons"]),
            "source": row["source"],
            "rule_version": row["rule_version"],
        }

    @owned
    def list_cases(
        self,
        *,
        overdue: bool = False,
        due_within: int | None = None,
        kind: str | None = None,
        search: str | None = None,
    ) -> list[dict[str, Any]]:
        """Case summaries, soonest deadline first."""
        if due_within is not None and due_within < 0:
            raise InvalidInput("--due-within: give a number of working days, 0 or more")
        if kind is not None and kind not in CaseKind.__members__:
            raise InvalidInput(f"--kind {kind}: must be one of {', '.join(CaseKind.__members__)}")
        where, params = ["1 = 1"], []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if search:
            where.append("rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)")
            params.append(fts_query(search))
        today = self.today()
        if overdue:
            where.append("next_due < ?")
            params.append(today.isoformat())
        if due_within is not None:
            limit = self.calendar.add_working_days(today, due_within) if due_within else today
            where.append("next_due <= ?")
            params.append(limit.isoformat())
        sql = (
            "SELECT id, kind, org, initials, names, next_due, open_duties, decision, "
            "conflicts, created_at, event_date, aware_date, outcome FROM cases WHERE "
            + " AND ".join(where)
            + " ORDER BY next_due IS NULL, next_due, id"
        )
        with translate_errors():
            rows = self.vault.db.execute(sql, params).fetchall()
        summaries = []
        for row in rows:
            left = self._left(row[5])
            summaries.append(
                {
                    "id": row[0],
                    "kind": row[1],
                    "org": row[2],
                    "initials": row[3],
                    "names": row[4],
                    "next_due": row[5],
                    "working_days_left": left,
                    "urgency": urgency("open" if row[6] else "sent", left),
                    "open_duties": row[6],
                    "decision": row[7],
                    "conflicts": json.loads(row[8]),
                    "created_at": row[9],
                    "event_date": row[10],
                    "aware_date": row[11],
                    "outcome": row[12],
                }
            )
        return summaries

    @owned
    def case_detail(self, case_id: str) -> dict[str, Any]:
        """Everything about one case: document, duties, conflicts, audit trail."""
        row = self.vault.db.execute(
            "SELECT document, org, created_at, created_by, updated_at, conflicts, problem, "
            "rulepack, advisories, kind FROM cases WHERE id = ?",
            [case_id],
        ).fetchone()
        if row is None:
            raise InvalidInput(f"no case {case_id}: check the id with `notify-tui case list`")
        state = self._state(case_id)
        conflicts = [
            {
                "field": path,
                "values": [
                    {
                        "value": head.value,
                        "by": head.author,
                        "device": head.device,
                        "at": head.at.isoformat(),
                        "event": head.event_id,
                    }
                    for head in field_state.heads
                ],
            }
            for path, field_state in state.conflicts.items()
        ]
        return {
            "id": case_id,
            "kind": row[9],
            "org": row[1],
            "created_at": row[2],
            "created_by": row[3],
            "updated_at": row[4],
            "document": json.loads(row[0]),
            "duties": [self.duty_view(d) for d in self._duty_rows(case_id)],
            "advisories": json.loads(row[8]),
            "conflicts": conflicts,
            "problem": row[6],
            "rulepack": row[7],
            "audit": [audit_entry(event) for event in self.vault.case_events(case_id)],
        }

    @owned
    def conflicts(self) -> list[dict[str, Any]]:
        """Every field, across cases, that holds more than one value."""
        rows = []
        for (case_id,) in self.vault.db.execute(
            "SELECT id FROM cases WHERE conflicts != '[]' ORDER BY id"
        ).fetchall():
            for conflict in self.case_detail(case_id)["conflicts"]:
                rows.append({"case_id": case_id, **conflict})
        return rows

    @owned
    def deadlines(self, *, within: int = SOON_WORKING_DAYS) -> list[dict[str, Any]]:
        """Open duties that are overdue, due today, or due within `within` working days."""
        today = self.today()
        limit = self.calendar.add_working_days(today, within) if within > 0 else today
        rows = self.vault.db.execute(
            "SELECT * FROM duties WHERE status = 'open' AND due IS NOT NULL AND due <= ? "
            "ORDER BY due, case_id, duty_id",
            [limit.isoformat()],
        )
        columns = [c[0] for c in rows.description]
        return [self.duty_view(dict(zip(columns, r, strict=True))) for r in rows.fetchall()]

    @owned
    def open_duties(self) -> list[dict[str, Any]]:
        """Every duty across cases, soonest first (for the dashboard)."""
        cursor = self.vault.db.execute(
            "SELECT duties.*, cases.kind, cases.initials, cases.names, cases.org "
            "FROM duties JOIN cases ON cases.id = duties.case_id "
            "ORDER BY duties.due IS NULL, duties.due, duties.case_id, duties.duty_id"
        )
        columns = [c[0] for c in cursor.description]
        views = []
        for values in cursor.fetchall():
            row = dict(zip(columns, values, strict=True))
            view = self.duty_view(row)
            view.update(
                kind=row["kind"], initials=row["initials"], names=row["names"], org=row["org"]
            )
            views.append(view)
        return views

    # -- keys, backup, health ------------------------------------------------------

    @owned
    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the data key under a new passphrase (the data is not rewritten)."""
        if len(new) < 12:
            raise InvalidInput("new passphrase: use at least 12 characters")
        self.vault.keyslots.change_passphrase(old, new)

    @owned
    def set_passphrase_after_recovery(self, new: str) -> str:
        """Set a new passphrase with the unlocked key, and issue a new recovery code."""
        if len(new) < 12:
            raise InvalidInput("new passphrase: use at least 12 characters")
        self.vault.keyslots.set_passphrase(self.vault.data_key, new)
        return self.vault.keyslots.reset_recovery(self.vault.data_key)

    @owned
    def backup(self, destination: Path) -> Path:
        """Write an encrypted copy of the vault (database + key slots) as one ZIP file."""
        destination = destination.expanduser()
        if destination.exists():
            raise InvalidInput(f"{destination}: already exists; choose a new file name")
        if not destination.parent.is_dir():
            raise InvalidInput(f"{destination.parent}: no such folder")
        with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".notify-backup-") as tmp:
            copy = Path(tmp) / "vault.db"
            key = self.vault.data_key.hex()
            with translate_errors():
                self.vault.db.execute(f"ATTACH DATABASE ? AS backup KEY \"x'{key}'\"", [str(copy)])
                try:
                    self.vault.db.execute("PRAGMA backup.cipher_plaintext_header_size = 0")
                    self.vault.db.execute("SELECT sqlcipher_export('backup')")
                    # sqlcipher_export copies schema and rows, not the header pragmas.
                    application_id = self.vault.db.execute("PRAGMA application_id").fetchone()[0]
                    self.vault.db.execute(f"PRAGMA backup.application_id = {int(application_id)}")
                finally:
                    self.vault.db.execute("DETACH DATABASE backup")
            archive = Path(tmp) / "backup.zip"
            with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as bundle:
                for source, name in (
                    (copy, "vault.db"),
                    (self.vault.home / KEYSLOTS_FILE_NAME, KEYSLOTS_FILE_NAME),
                ):
                    member = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                    member.external_attr = (stat.S_IFREG | 0o600) << 16  # restores owner-only
                    bundle.writestr(member, source.read_bytes())
            atomic_write_bytes(destination, archive.read_bytes(), exclusive=True)
        return destination

    @owned
    def doctor(self) -> DoctorReport:
        """Check SQLCipher integrity, every hash chain and signature, and the projection."""
        report = DoctorReport()
        db = self.vault.db
        with translate_errors():
            cipher = [r[0] for r in db.execute("PRAGMA cipher_integrity_check")]
            report.checks.append("SQLCipher page authentication (cipher_integrity_check)")
            report.problems.extend(f"database page check: {line}" for line in cipher)
            integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
            report.checks.append("SQLite integrity_check")
            if integrity != ["ok"]:
                report.problems.extend(f"database structure: {line}" for line in integrity[:5])
        keys = self.vault.device_keys()
        total = 0
        devices = [r[0] for r in db.execute("SELECT DISTINCT device FROM events ORDER BY device")]
        for device in devices:
            expected_prev: str | None = None
            expected_seq = 1
            for seq, event_id, case_id, body in db.execute(
                "SELECT seq, id, case_id, body FROM events WHERE device = ? ORDER BY seq",
                [device],
            ).fetchall():
                total += 1
                problem = check_event_row(
                    device, seq, event_id, case_id, body, expected_seq, expected_prev, keys
                )
                if problem:
                    report.problems.append(problem)
                expected_prev, expected_seq = event_id, seq + 1
        report.checks.append(f"{total} events: ids, hash chains and signatures")
        report.problems.extend(chain_placement_problems(db))
        report.checks.append("each event is on its organisation's and its LA's chain")
        mismatched = 0
        for (case_id,) in db.execute("SELECT DISTINCT case_id FROM events").fetchall():
            try:
                row, duties = self.projector.case_rows(case_id, self.vault.case_events(case_id))
            except (ValidationError, ValueError):
                report.problems.append(f"case {case_id}: its events no longer fold")
                continue
            stored = db.execute("SELECT * FROM cases WHERE id = ?", [case_id]).fetchone()
            cursor = db.execute(
                "SELECT * FROM duties WHERE case_id = ? ORDER BY duty_id", [case_id]
            )
            stored_duties = [list(r) for r in cursor.fetchall()]
            fresh_duties = [list(d.values()) for d in sorted(duties, key=lambda d: d["duty_id"])]
            if (
                stored is None
                or list(stored) != list(row.values())
                or stored_duties != fresh_duties
            ):
                mismatched += 1
                report.problems.append(f"case {case_id}: projection differs from a fresh fold")
        report.checks.append("projection equals a fresh fold of the events")
        if mismatched == 0:
            report.checks.append(f"projection hash {projection_hash(db)[:16]}")
        return report

    @owned
    def projection_hash(self) -> str:
        """Hash of the projection (equal on converged replicas)."""
        return projection_hash(self.vault.db)

    # -- demo data -----------------------------------------------------------------

    def seed(self, count: int, *, batch: int = 500, seed: int | None = None) -> list[str]:
        """Add `count` synthetic, obviously fake cases (see `notify_tui.demo.synthetic`)."""
        from notify_tui.demo.synthetic import synthetic_cases

        if count < 1:
            raise InvalidInput("--cases: give a number of cases, 1 or more")
        ids: list[str] = []
        documents = synthetic_cases(count, self.today(), self.calendar, seed=seed)
        chunk: list[dict[str, Any]] = []
        for document in documents:
            chunk.append(document)
            if len(chunk) >= batch:
                ids.extend(self.create_cases(chunk))
                chunk = []
        if chunk:
            ids.extend(self.create_cases(chunk))
        return ids


def audit_entry(event: Event) -> dict[str, Any]:
    """One line of a case's audit trail: who, when, which device, what changed."""
    if event.type == "case.created":
        summary = f"created the case ({len(event.changes)} fields)"
    else:
        parts = []
        for change in event.changes:
            value = change.value
            if isinstance(value, dict):
                shown = ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
            else:
                shown = json.dumps(value, ensure_ascii=False) if value is not None else "(cleared)"
            parts.append(f"{change.field} = {shown}")
        summary = "; ".join(parts)
    return {
        "at": event.at.isoformat(),
        "author": event.author,
        "device": event.device,
        "org": event.org,
        "type": event.type,
        "event": event.id,
        "summary": summary,
    }


def chain_placement_problems(db: Any) -> list[str]:
    """Events on a chain they may not be on (see `notify_tui.store.vault.chain_for`).

    Each event's org is its chain's device's; an LA device has no per-LA chains; an
    office device's own chain holds only the partnership's records and its chain for an
    LA only that LA's cases (so what is sent to an LA is about that LA only).
    """
    known = {
        str(r[0]): (str(r[1]), str(r[2]))
        for r in db.execute("SELECT device_id, org, role FROM devices")
    }
    problems: list[str] = []
    rows = db.execute(
        "SELECT events.id, events.device, events.case_id, json_extract(events.body, '$.org'), "
        "cases.org FROM events LEFT JOIN cases ON cases.id = events.case_id "
        "ORDER BY events.device, events.seq"
    ).fetchall()
    for event_id, chain, case_id, org, case_org in rows:
        device = signing_device(chain)
        if device not in known:
            continue  # reported with the signatures
        device_org, role = known[device]
        where = f"event {event_id} (chain {chain}, case {case_id})"
        if org != device_org:
            problems.append(f"{where}: claims org {org!r}, but {device} is {device_org}")
        elif role != "office":
            if chain != device:
                problems.append(f"{where}: an LA device has no per-LA chains")
        elif str(case_id).startswith(PARTNERSHIP_PREFIX) != (chain == device):
            problems.append(
                f"{where}: an office's own chain is for the partnership's records only, "
                "its chains per LA for that LA's cases"
            )
        elif (
            chain != device
            and case_org is not None
            and chain != office_chain_id(device, str(case_org))
        ):
            problems.append(f"{where}: the case belongs to {case_org}, not this chain's LA")
    return problems


def check_event_row(
    device: str,
    seq: int,
    event_id: str,
    case_id: str,
    body: str,
    expected_seq: int,
    expected_prev: str | None,
    keys: Mapping[str, Any],
) -> str | None:
    """The first problem with one stored event, or None.

    `device` is the chain id (a device id, or an office device's per-LA chain
    `device--la-slug`); `keys` maps device ids to signing keys."""
    try:
        event = Event.model_validate_json(body)
    except ValidationError:
        return f"event {event_id}: stored body is not a valid event (tampered)"
    if event.id != event_id or event.device != device or event.seq != seq or event.case != case_id:
        return f"event {event_id}: stored columns disagree with its body (tampered)"
    if not event.id_matches():
        return f"event {event_id}: content does not match its id (tampered)"
    if seq != expected_seq:
        return f"event {event_id}: device {device} chain skips from {expected_seq - 1} to {seq}"
    if event.prev != expected_prev:
        return f"event {event_id}: does not follow the previous event of device {device}"
    key = keys.get(signing_device(device))
    if key is None:
        return f"event {event_id}: from unknown device {signing_device(device)}"
    if not event.signature_valid(key):
        return f"event {event_id}: signature is not valid (tampered)"
    return None


__all__ = [
    "DoctorReport",
    "NotifyError",
    "Session",
    "VaultError",
    "parse_value",
]
