"""The Session: the one API the CLI and the terminal app use.

A `Session` is an unlocked vault, this device's identity, the rule pack and the
working-day calendar. Its verbs validate input (raising `InvalidInput` with one line),
record events, and return the frozen dataclasses of `notify_tui.services.types`. The
vault itself stays private: the shells never touch SQL or cryptography, and every read
and write goes through a verb here (or `session.sync` for keys, peers and bundles).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from notify_tui.clock import Clock, system_clock
from notify_tui.domain import office, wording
from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.dashboard import Counts, DashboardQuery, subject_part
from notify_tui.domain.duty_states import (
    MIN_REASON,
    PANEL_DUTY,
    PARTS,
    THRESHOLD_DUTIES,
    UNDO,
    Action,
    DutyRecord,
    day_words,
    late_send_refusal,
    refusal,
    withdrawal_action,
    working_days_late,
)
from notify_tui.domain.fold import (
    CaseState,
    FieldState,
    flatten,
    fold_case,
    is_fact_field,
    unflatten,
)
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
from notify_tui.domain.rules import (
    Assessment,
    RulePack,
    assess,
    assess_case,
    base_duty_id,
    default_rule_pack,
    is_case_document,
)
from notify_tui.domain.urgency import SOON_WORKING_DAYS, urgency
from notify_tui.errors import InvalidInput, NotifyError, VaultError
from notify_tui.services.drafts import DraftService
from notify_tui.services.sync import SyncService
from notify_tui.services.types import (
    AuditEntry,
    CaseConflict,
    CaseDetail,
    CaseSummary,
    ChildDeaths,
    ConflictValue,
    ConflictView,
    DecisionsNotToNotify,
    DoctorReport,
    DutyCorrection,
    DutyTimeliness,
    DutyView,
    LateSend,
    OpenDuties,
    OpenDuty,
    OpenDutyLine,
    Report,
    ReportPeriod,
    Timeliness,
)
from notify_tui.settings import Preferences
from notify_tui.store import duty_pages, queries
from notify_tui.store.backup import write_backup
from notify_tui.store.duty_pages import PAGE_SIZE, DutyPages
from notify_tui.store.events import Change, Event
from notify_tui.store.integrity import check_vault
from notify_tui.store.keyslots import Argon2Parameters
from notify_tui.store.migrations import REPROJECT_META_KEY
from notify_tui.store.owner import InlineOwner, Owner, OwnerThread, owned
from notify_tui.store.projection import PARTNERSHIP_PREFIX, Projector
from notify_tui.store.vault import Identity, Role, Vault
from notify_tui.store.vault import vault_exists as _vault_exists


def vault_exists(home: Path) -> bool:
    """Whether `home` holds a vault (the shells ask before offering unlock or setup)."""
    return _vault_exists(home)


def parse_value(raw: str) -> object:
    """A `--set` value: JSON where it parses (true, 3, null, [..]), else the text."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


RULEPACK_META_KEY = "rulepack"
"""The label of the rule pack the projection was last folded with (e.g. "england-2025.2"):
a Session with another pack refolds every case on its next writing open."""


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
        self._vault = vault
        self.clock: Clock = clock or system_clock()
        """Where today's date and the time come from (injected by tests)."""
        self.pack = pack or default_rule_pack()
        self.preferences = stored_preferences(vault)
        self._configure()
        if vault.writable and (
            vault.get_meta(REPROJECT_META_KEY)
            or vault.get_meta(RULEPACK_META_KEY) != self.pack.label
        ):
            # A migration added projection columns only a refold can fill, or the rule
            # pack changed (another version of a rule may apply to a case): refold all.
            vault.reproject_all(self.projector)
            vault.set_meta(REPROJECT_META_KEY, None)
            vault.set_meta(RULEPACK_META_KEY, self.pack.label)
        self.sync = SyncService(self, vault)
        """Keys, peers, export, import, verify and receipts of this vault."""
        self.drafts = DraftService(self, vault)
        """Forms being typed, kept in the vault until they are recorded (never cases)."""

    def _configure(self) -> None:
        self.local_calendar = WorkingDayCalendar(self.preferences.calendar.closure_days)
        """Working days less the closure days of the preferences: local rules only."""
        self.calendar = self.local_calendar.national()
        """National working days (Monday to Friday less England's bank holidays): every
        statutory deadline and working-days-left count."""
        self.local_duties = frozenset(r.id for r in self.pack.rules if r.clock == "local")
        """The duties of local rules, whose working days left count on `local_calendar`."""
        self.projector = Projector(self.pack, self.local_calendar, self.preferences.rule_settings())

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
            return owner.run(cls.on_open_vault, vault, clock=clock, owner=owner), recovery
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
            return owner.run(cls.on_open_vault, vault, clock=clock, owner=owner)
        except BaseException:
            owner.close()
            raise

    @classmethod
    def on_open_vault(cls, vault: Vault, *, clock: Clock, owner: Owner) -> Session:
        """A session on a vault just opened on `owner`; the vault is closed if that fails
        (a stored preferences record that does not validate, say)."""
        try:
            return cls(vault, clock=clock, owner=owner)
        except BaseException:
            vault.close()
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
            self._owner.run(self._vault.close)
        finally:
            self._owner.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def identity(self) -> Identity:
        """This device."""
        return self._vault.identity

    @property
    def home(self) -> Path:
        """The folder that holds the vault."""
        return self._vault.home

    @property
    def writable(self) -> bool:
        """Whether this session may record (it holds the vault's writer lock)."""
        return self._vault.writable

    def today(self) -> date:
        """Today's date, from the session's clock."""
        return self.clock.today()

    # -- preferences ---------------------------------------------------------------

    @owned
    def set_preferences(self, preferences: Preferences) -> None:
        """Store preferences; refold every case when deadlines depend on them."""
        before = (self.preferences.calendar, self.preferences.rules)
        self._vault.set_meta("preferences", preferences.model_dump(mode="json"))
        self.preferences = preferences
        self._configure()
        if before != (preferences.calendar, preferences.rules):
            self._vault.reproject_all(self.projector)

    # -- assessment ----------------------------------------------------------------

    @owned
    def assess_facts(self, document: object) -> Assessment:
        """Assess a facts document, or a case document (full or minimal, any number of
        subjects: per-child duties once per subject), with this vault's calendar and
        rule choices."""
        settings = self.preferences.rule_settings()
        if is_case_document(document):
            case = validate_case(document, self.today())
            return assess_case(case, self.local_calendar, self.pack, settings)
        facts = validate_facts(document, self.today())
        return assess(facts, self.local_calendar, self.pack, settings)

    # -- writing cases -------------------------------------------------------------

    def create_case(self, document: object) -> str:
        """Validate and record a new case; return its id."""
        return self.create_cases([document])[0]

    @owned
    def create_cases(
        self, documents: Iterable[object], new_id: Callable[[CaseKind], str] = new_case_id
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
            if case.decision is not None:
                assessment = assess_case(
                    case, self.calendar, self.pack, self.preferences.rule_settings()
                )
                if PANEL_DUTY not in {duty.id for duty in assessment.duties}:
                    prefix = f"case {index + 1}: " if index else ""
                    raise InvalidInput(f"{prefix}decision: {_NO_PANEL_DECISION}")
            case_id = new_id(case.kind)
            values = flatten(case.model_dump(mode="json", exclude_none=True))
            changes = [Change(field=path, value=value) for path, value in values.items()]
            entries.append((case_id, "case.created", changes))
        self._vault.record(self.projector, entries, self.clock.now())
        return [case_id for case_id, _, _ in entries]

    def _state(self, case_id: str) -> CaseState:
        events = self._vault.case_events(case_id)
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
    def edit_case(self, case_id: str, assignments: Mapping[str, object]) -> Event | None:
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
        return self._vault.record(
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
        self._check_decision(state, notify)
        heads = state.fields["decision"].head_ids if "decision" in state.fields else []
        change = Change(field="decision", value=decision.model_dump(mode="json"), replaces=heads)
        return self._vault.record(
            self.projector, [(case_id, "decision.recorded", [change])], self.clock.now()
        )[0]

    def _check_decision(self, state: CaseState, notify: bool) -> None:
        """A threshold decision is about the Panel duties only, and may not contradict
        what the record says was sent."""
        rows = {row["duty_id"]: row for row in self._duty_rows(state.case_id)}
        if PANEL_DUTY not in rows:
            raise InvalidInput(f"case {state.case_id}: {_NO_PANEL_DECISION}")
        action = Action.DECIDE_TO_NOTIFY if notify else Action.DECIDE_NOT_TO_NOTIFY
        for duty_id in sorted(THRESHOLD_DUTIES & set(rows), key=lambda d: d != PANEL_DUTY):
            refused = refusal(_record_of(state, rows[duty_id]), action)
            if refused:
                raise InvalidInput(refused)

    def _duty(self, case_id: str, duty_id: str) -> tuple[CaseState, DutyRecord]:
        """A case's folded state and one of its duties' record (refused: no such duty)."""
        state = self._state(case_id)
        rows = {row["duty_id"]: row for row in self._duty_rows(case_id)}
        if duty_id not in rows:
            listed = ", ".join(sorted(rows)) or "none"
            raise InvalidInput(f"case {case_id} has no duty {duty_id} (its duties: {listed})")
        return state, _record_of(state, rows[duty_id])

    @staticmethod
    def _allowed(
        record: DutyRecord, action: Action, *, when: date | None = None, by: str | None = None
    ) -> None:
        refused = refusal(record, action, when=when, by=by)
        if refused:
            raise InvalidInput(refused)

    def _set_duty_fields(
        self,
        state: CaseState,
        event_type: str,
        values: Mapping[str, object],
    ) -> Event:
        """Record one event setting fields of a case, each replacing the value it holds."""
        changes = [
            Change(
                field=path,
                value=value,
                replaces=state.fields[path].head_ids if path in state.fields else [],
            )
            for path, value in values.items()
        ]
        return self._vault.record(
            self.projector, [(state.case_id, event_type, changes)], self.clock.now()
        )[0]

    def _check_duty_date(self, case_id: str, when: date, what: str) -> None:
        if when > self.today():
            raise InvalidInput(f"--date {when}: is in the future; give the date it was {what}")
        aware = self._state(case_id).value("incident.aware_date")
        if aware and when < date.fromisoformat(aware):
            raise InvalidInput(f"--date {when}: is before the LA became aware ({aware})")

    @owned
    def mark_sent(
        self,
        case_id: str,
        duty_id: str,
        sent_on: date,
        reference: str | None = None,
        late_reason: str | None = None,
    ) -> Event:
        """Record that a duty's notification was sent (with the reference given).

        A duty already sent, withdrawn, closed by a decision not to notify, or awaiting
        a withdrawal's confirmation is refused; a send after the due date needs
        `late_reason` (the reason for the delay, kept with the sent record)."""
        self._check_duty_date(case_id, sent_on, "sent")
        if reference is not None and len(reference) > 200:
            raise InvalidInput("--reference: at most 200 characters")
        state, record = self._duty(case_id, duty_id)
        self._require_owner(state, "record what was sent")
        self._allowed(record, Action.SEND)
        refused = late_send_refusal(record, sent_on, late_reason, self.calendar)
        if refused:
            raise InvalidInput(refused)
        value: dict[str, Any] = {
            "date": sent_on.isoformat(),
            "reference": reference,
            "by": self.identity.author,
        }
        if late_reason and late_reason.strip():
            value["late_reason"] = late_reason.strip()
        return self._set_duty_fields(state, "duty.sent", {f"duties.{duty_id}.sent": value})

    @owned
    def add_late_reason(self, case_id: str, duty_id: str, reason: str) -> Event:
        """Give the reason for the delay of a duty already recorded sent late (old data)."""
        if len(reason.strip()) < MIN_REASON:
            raise InvalidInput("--reason: say why it was late in at least a sentence")
        state, record = self._duty(case_id, duty_id)
        self._require_owner(state, "say why it was sent late")
        self._allowed(record, Action.ADD_LATE_REASON)
        value = {
            "reason": reason.strip(),
            "by": self.identity.author,
            "date": self.today().isoformat(),
        }
        return self._set_duty_fields(
            state, "duty.late_reason", {f"duties.{duty_id}.late_reason": value}
        )

    @owned
    def withdraw(self, case_id: str, duty_id: str, reason: str) -> Event:
        """Withdraw a duty (it no longer applies), with the reason.

        A statutory duty (raised by the rules) takes two people: this records the LA's
        request, the duty stays open (owed) with the withdrawal pending, and the business
        office confirms it (`confirm_withdrawal`). A duty the facts no longer raise is
        withdrawn at once."""
        if len(reason.strip()) < MIN_REASON:
            raise InvalidInput("--reason: say why in at least a sentence")
        state, record = self._duty(case_id, duty_id)
        self._require_owner(state, "withdraw its duties")
        action = withdrawal_action(record.required)
        self._allowed(record, action)
        value = {"reason": reason.strip(), "by": self.identity.author}
        if action is Action.REQUEST_WITHDRAWAL:
            return self._set_duty_fields(
                state,
                "duty.withdrawal_requested",
                {
                    f"duties.{duty_id}.withdrawal_requested": {
                        **value,
                        "date": self.today().isoformat(),
                    }
                },
            )
        return self._set_duty_fields(
            state, "duty.withdrawn", {f"duties.{duty_id}.withdrawn": value}
        )

    @owned
    def confirm_withdrawal(self, case_id: str, duty_id: str) -> Event:
        """The business office confirms an LA's request to withdraw a statutory duty.

        The second person: refused on an LA's vault, and when the office's author is
        the one who asked."""
        if self.identity.role != "office":
            raise InvalidInput(
                "a withdrawal of a statutory duty is confirmed by the business office, from "
                "the case the LA's bundle brought it: a second person, not the one who asked"
            )
        state, record = self._duty(case_id, duty_id)
        self._allowed(record, Action.CONFIRM_WITHDRAWAL, by=self.identity.author)
        request = state.fields[f"duties.{duty_id}.withdrawal_requested"]
        value = {
            "by": self.identity.author,
            "date": self.today().isoformat(),
            "request": request.heads[-1].event_id,
        }
        return self._set_duty_fields(
            state, "duty.withdrawal_confirmed", {f"duties.{duty_id}.withdrawal_confirmed": value}
        )

    @owned
    def acknowledge(self, case_id: str, duty_id: str, acknowledged_on: date) -> Event:
        """Record that the recipient acknowledged the notification (not before it was
        sent; the LA or the office)."""
        self._check_duty_date(case_id, acknowledged_on, "acknowledged")
        state, record = self._duty(case_id, duty_id)
        if self.identity.role != "office":
            self._require_owner(state, "record what was sent")
        self._allowed(record, Action.ACKNOWLEDGE, when=acknowledged_on)
        value = {"date": acknowledged_on.isoformat(), "by": self.identity.author}
        return self._set_duty_fields(
            state, "duty.acknowledged", {f"duties.{duty_id}.acknowledged": value}
        )

    @owned
    def correct_duty(self, case_id: str, duty_id: str, part: str, reason: str) -> Event:
        """Undo one part of a duty's record (sent, acknowledged, withdrawn) recorded in
        error: its own event, with the reason, keeping what was undone.

        Undoing `withdrawn` also cancels a request awaiting confirmation. The office may
        correct only its acknowledgements; the owning LA any part."""
        if part not in PARTS:
            raise InvalidInput(f"--undo {part}: must be one of {', '.join(PARTS)}")
        if len(reason.strip()) < MIN_REASON:
            raise InvalidInput("--reason: say what was wrong in at least a sentence")
        state, record = self._duty(case_id, duty_id)
        if not (part == "acknowledged" and self.identity.role == "office"):
            self._require_owner(state, f"correct what it recorded ({part})")
        self._allowed(record, UNDO[part])
        cleared = [
            f"duties.{duty_id}.{name}"
            for name in _CORRECTION_CLEARS[part]
            if state.value(f"duties.{duty_id}.{name}") is not None
        ]
        if not cleared:
            raise InvalidInput(
                f"{duty_id} was completed by an office step, not a {part} record of its own: "
                "correct that step instead"
            )
        undone = state.fields[cleared[0]]
        correction = {
            "part": part,
            "undone": undone.value,
            "reason": reason.strip(),
            "by": self.identity.author,
            "date": self.today().isoformat(),
        }
        key = f"duties.{duty_id}.corrections.e{undone.heads[-1].event_id[:16]}"
        values: dict[str, object] = {path: None for path in cleared}
        values[key] = correction
        return self._set_duty_fields(state, "duty.corrected", values)

    @owned
    def resolve(self, case_id: str, field_path: str, value: object) -> Event:
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
        else:
            self._check_resolution(state, field_path, value)
        # The chosen value is one already held: record it as replacing every head.
        change = Change(field=field_path, value=value, replaces=field_state.head_ids)
        return self._vault.record(
            self.projector, [(case_id, "conflict.resolved", [change])], self.clock.now()
        )[0]

    def _check_resolution(self, state: CaseState, field_path: str, value: object) -> None:
        """A resolution keeps one of the values held; refuse one the rest of the record
        contradicts (a decision not to notify with the Panel notified, an acknowledgement
        before the sent date)."""
        if field_path == "decision" and isinstance(value, Mapping):
            self._check_decision(state, bool(value.get("notify")))
            return
        parts = field_path.split(".")
        if len(parts) != 3 or parts[0] != "duties" or not isinstance(value, Mapping):
            return
        _, duty_id, part = parts
        stated = _iso_day(value.get("date"))
        rows = {row["duty_id"]: row for row in self._duty_rows(state.case_id)}
        row = rows.get(duty_id)
        if row is None or stated is None:
            return
        record = _record_of(state, row)
        if part == "acknowledged" and record.sent_on and stated < record.sent_on:
            raise InvalidInput(
                f"{field_path}: {stated} is before {duty_id} was sent "
                f"({day_words(record.sent_on)}); choose the other value"
            )
        if part == "sent" and record.acknowledged_on and record.acknowledged_on < stated:
            raise InvalidInput(
                f"{field_path}: that sent date ({stated}) is after the acknowledgement "
                f"({record.acknowledged_on}); choose the other value, or correct the "
                "acknowledgement first"
            )

    @owned
    def resolve_choice(self, case_id: str, field_path: str, number: int) -> Event:
        """Resolve a conflict with the value numbered `number` (1, 2, ...) as
        `conflicts` and `case_detail` list them; a number out of range changes nothing."""
        field_state = self._state(case_id).fields.get(field_path)
        if field_state is None or not field_state.in_conflict:
            raise InvalidInput(f"{field_path}: no conflict on this field of case {case_id}")
        values = conflict_view(field_path, field_state).values
        if not 1 <= number <= len(values):
            numbers = " or ".join(str(value.number) for value in values[-2:])
            if len(values) > 2:
                numbers = f"1 to {len(values)}"
            raise InvalidInput(
                f"--choose {number}: {field_path} holds {len(values)} values; "
                f"choose {numbers} (see `notify-tui conflicts`)"
            )
        return self.resolve(case_id, field_path, values[number - 1].value)

    @owned
    def record_unseen_edits(self, case_id: str, field_path: str, values: Sequence[object]) -> None:
        """Record edits of one fact that each replace the value held now, as devices
        that had not seen each other's edit do: the field is then in conflict, both
        values kept, until a person resolves it (`resolve`).

        For the demo and for tests of conflicts, which have no second device to hand.
        Each value is checked as `edit_case` would check it; nothing is recorded if one
        fails.
        """
        if len(set(map(json.dumps, values))) < 2:
            raise InvalidInput(f"{field_path}: give at least two different values")
        if not is_fact_field(field_path):
            raise InvalidInput(f"{field_path}: only a fact of the case can be edited this way")
        state = self._state(case_id)
        self._require_owner(state)
        current = {
            path: field_state.value
            for path, field_state in state.fields.items()
            if is_fact_field(path)
        }
        for value in values:
            proposed = {**current, field_path: value}
            document = unflatten({k: v for k, v in proposed.items() if v is not None})
            try:
                Case.model_validate(document, context={"today": self.today()})
            except ValidationError as error:
                raise InvalidInput(describe_validation_error(error)) from None
        heads = state.fields[field_path].head_ids if field_path in state.fields else []
        entries = [
            (case_id, "case.edited", [Change(field=field_path, value=value, replaces=heads)])
            for value in values
        ]
        self._vault.record(self.projector, entries, self.clock.now())

    # -- the office workflow -------------------------------------------------------

    @owned
    def record_office_step(
        self,
        case_id: str,
        area: str,
        step: str,
        value: object,
        *,
        outcome: str | None = None,
        correction: bool = False,
        reason: str | None = None,
    ) -> Event:
        """Record a step of the work after notification (see `domain.office`).

        Steps go in the rule pack's order, each once. A `correction` (with its `reason`)
        is recorded out of order or over a step already recorded, as an
        `office.corrected` event that keeps the reason and the value it replaces.
        """
        if correction and (reason is None or len(reason.strip()) < 10):
            raise InvalidInput("--reason: a correction needs its reason; say why in a sentence")
        if not correction and reason is not None:
            raise InvalidInput("--reason: goes with --correction (a step in order needs none)")
        state = self._state(case_id)
        if self.identity.role != "office" and state.org != self.identity.org:
            raise InvalidInput(f"case {case_id} belongs to {state.org}; only it or the office may")
        duties = {row["duty_id"] for row in self._duty_rows(case_id)}
        not_here = office.applies_to(area, duties, state.value("kind"))
        if not_here:
            raise InvalidInput(f"{area}: {not_here}")
        aware = state.value("incident.aware_date")
        step_change = office.validate_step(
            area,
            step,
            value,
            today=self.today(),
            earliest=date.fromisoformat(aware) if aware else None,
            outcome=outcome,
        )
        key = f"{area}.{step}"
        recorded = {
            name: state.value(f"office.{name}")
            for name in office.STEP_LABELS
            if state.value(f"office.{name}") is not None
        }
        office.check_recording(
            self.pack.office_order(), key, step_change.value, recorded, correction=correction
        )

        def change_of(field: str, value: object) -> Change:
            heads = state.fields[field].head_ids if field in state.fields else []
            return Change(field=field, value=value, replaces=heads)

        changes = [change_of(step_change.field, step_change.value)]
        event_type = "office.recorded"
        if correction:
            assert reason is not None
            note = {"reason": reason.strip(), "was": recorded.get(key), "by": self.identity.author}
            changes.append(change_of(f"{office.CORRECTIONS}.{key}", note))
            event_type = "office.corrected"
        return self._vault.record(
            self.projector, [(case_id, event_type, changes)], self.clock.now()
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
        existing = self._vault.case_events(record_id)
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
        self._vault.record(self.projector, [(record_id, event_type, changes)], self.clock.now())
        return record_id

    @owned
    def report(self, start: date, end: date, la: str | None = None) -> Report:
        """The figures of `notify-tui report` and the Reports screen."""
        if end < start:
            raise InvalidInput("--to: must not be before --from")
        duty_rows, cases = queries.report_rows(self._vault)
        if la is not None and la not in {c["org"] for c in cases}:
            known = ", ".join(sorted({c["org"] for c in cases})) or "none"
            raise InvalidInput(f"--la {la}: no cases from that LA (LAs held: {known})")
        figures = build_report(
            duty_rows, cases, Period(start, end), self.today(), self.calendar, la
        )
        return _report_from(figures)

    # -- reading -------------------------------------------------------------------

    def _duty_rows(self, case_id: str) -> list[dict[str, Any]]:
        return queries.case_duty_rows(self._vault, case_id)

    def _left(self, due: str | None, duty_id: str | None = None) -> int | None:
        """Working days left to `due`: national days, or local ones for a local rule."""
        if due is None:
            return None
        local = duty_id is not None and base_duty_id(duty_id) in self.local_duties
        calendar = self.local_calendar if local else self.calendar
        return calendar.working_days_left(self.today(), date.fromisoformat(due))

    def _duty_fields(
        self, row: Mapping[str, Any], case_initials: str | None = None
    ) -> dict[str, Any]:
        """A duty row's view fields; `case_initials` (the case's, joined) gives a per-child
        duty its own subject's initials."""
        left = self._left(row["due"], row["duty_id"]) if row["status"] == "open" else None
        return {
            "case_id": row["case_id"],
            "duty": row["duty_id"],
            "title": row["title"],
            "required": bool(row["required"]),
            "recipients": tuple(json.loads(row["recipients"])),
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
            "reasons": tuple(json.loads(row["reasons"])),
            "source": row["source"],
            "rule_version": row["rule_version"],
            "late": bool(row["late"]),
            "working_days_late": working_days_late(
                _iso_day(row["due"]), _iso_day(row["sent_on"]), self.calendar
            ),
            "late_reason": row["late_reason"],
            "sent_recorded_on": row["sent_recorded_on"],
            "recorded_late": bool(row["recorded_late"]),
            "acknowledged_recorded_on": row["acknowledged_recorded_on"],
            "acknowledged_recorded_late": bool(row["acknowledged_recorded_late"]),
            "withdrawal_pending": row["withdrawal_pending"],
            "withdrawal_requested_by": row["withdrawal_requested_by"],
            "withdrawal_confirmed_by": row["withdrawal_confirmed_by"],
            "subject": row["subject"],
            "subject_initials": (
                subject_part(case_initials, row["subject"])
                if row["subject"] is not None and case_initials is not None
                else None
            ),
            "corrections": tuple(
                DutyCorrection(
                    part=c.get("part"),
                    undone=c.get("undone"),
                    reason=c.get("reason"),
                    by=c.get("by"),
                    date=c.get("date"),
                )
                for c in json.loads(row["corrections"] or "[]")
            ),
        }

    def _duty_view(self, row: Mapping[str, Any], case_initials: str | None = None) -> DutyView:
        """A stored duty row for display: JSON fields decoded, working days left, urgency."""
        return DutyView(**self._duty_fields(row, case_initials))

    @owned
    def list_cases(
        self,
        *,
        overdue: bool = False,
        due_within: int | None = None,
        kind: str | None = None,
        search: str | None = None,
    ) -> list[CaseSummary]:
        """Case summaries, soonest deadline first."""
        if due_within is not None and due_within < 0:
            raise InvalidInput("--due-within: give a number of working days, 0 or more")
        if kind is not None and kind not in CaseKind.__members__:
            raise InvalidInput(f"--kind {kind}: must be one of {', '.join(CaseKind.__members__)}")
        today = self.today()
        due_by = None
        if due_within is not None:
            due_by = self.calendar.add_working_days(today, due_within) if due_within else today
        rows = queries.case_list(
            self._vault,
            kind=kind or None,
            search=search or None,
            due_before=today if overdue else None,
            due_by=due_by,
        )
        summaries = []
        for row in rows:
            left = self._left(row["next_due"])
            summaries.append(
                CaseSummary(
                    id=row["id"],
                    kind=row["kind"],
                    org=row["org"],
                    initials=row["initials"],
                    names=row["names"],
                    next_due=row["next_due"],
                    working_days_left=left,
                    urgency=urgency("open" if row["open_duties"] else "sent", left),
                    open_duties=row["open_duties"],
                    decision=row["decision"],
                    conflicts=tuple(json.loads(row["conflicts"])),
                    created_at=row["created_at"],
                    event_date=row["event_date"],
                    aware_date=row["aware_date"],
                    outcome=row["outcome"],
                )
            )
        return summaries

    @owned
    def case_detail(self, case_id: str) -> CaseDetail:
        """Everything about one case: document, duties, conflicts, audit trail."""
        row = queries.case_row(self._vault, case_id)
        if row is None:
            raise InvalidInput(f"no case {case_id}: check the id with `notify-tui case list`")
        state = self._state(case_id)
        return CaseDetail(
            id=case_id,
            kind=row["kind"],
            org=row["org"],
            created_at=row["created_at"],
            created_by=row["created_by"],
            updated_at=row["updated_at"],
            document=json.loads(row["document"]),
            duties=tuple(self._duty_view(d, row["initials"]) for d in self._duty_rows(case_id)),
            advisories=tuple(json.loads(row["advisories"])),
            conflicts=tuple(
                conflict_view(path, field_state) for path, field_state in state.conflicts.items()
            ),
            problem=row["problem"],
            rulepack=row["rulepack"],
            audit=tuple(audit_entry(event) for event in self._vault.case_events(case_id)),
        )

    @owned
    def conflicts(self) -> list[CaseConflict]:
        """Every field, across cases, that holds more than one value."""
        rows = []
        for case_id in queries.conflicted_case_ids(self._vault):
            for conflict in self.case_detail(case_id).conflicts:
                rows.append(
                    CaseConflict(
                        field=conflict.field,
                        values=conflict.values,
                        label=conflict.label,
                        question=conflict.question,
                        case_id=case_id,
                    )
                )
        return rows

    @owned
    def deadlines(self, *, within: int = SOON_WORKING_DAYS) -> list[DutyView]:
        """Open duties that are overdue, due today, or due within `within` working days."""
        today = self.today()
        limit = self.calendar.add_working_days(today, within) if within > 0 else today
        return [self._duty_view(row) for row in queries.deadline_rows(self._vault, limit)]

    @owned
    def open_duties(self) -> list[OpenDuty]:
        """Every duty across cases, soonest first (for the dashboard)."""
        return [
            OpenDuty(
                **self._duty_fields(row, row["initials"]),
                kind=row["kind"],
                initials=subject_part(row["initials"], row["subject"]),
                names=subject_part(row["names"], row["subject"], " ; "),
                org=row["org"],
            )
            for row in queries.open_duty_rows(self._vault)
        ]

    @owned
    def duty_pages(self, query: DashboardQuery, *, page_size: int = PAGE_SIZE) -> DutyPages:
        """The duties `query` selects, read a page at a time (the dashboard's table).

        The pager's reads are queued to this session's owner, like every verb."""
        return DutyPages(
            self._vault,
            self.calendar,
            query,
            owner=self._owner,
            page_size=page_size,
            local_clock=(self.local_calendar, self.local_duties),
        )

    @owned
    def duty_counts(self, today: date) -> Counts:
        """How many open duties are overdue, due today and due this week (to Sunday)."""
        return duty_pages.count_open(self._vault, today)

    @owned
    def total_duties(self) -> int:
        """How many duties the vault holds, in any state."""
        return duty_pages.total_duties(self._vault)

    @owned
    def las_held(self) -> list[str]:
        """The organisations whose cases the vault holds (an LA: itself; the office: many)."""
        return duty_pages.las_held(self._vault)

    # -- keys, backup, health ------------------------------------------------------

    @owned
    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the data key under a new passphrase (the data is not rewritten)."""
        if len(new) < 12:
            raise InvalidInput("new passphrase: use at least 12 characters")
        self._vault.keyslots.change_passphrase(old, new)

    @owned
    def set_passphrase_after_recovery(self, new: str) -> str:
        """Set a new passphrase with the unlocked key, and issue a new recovery code."""
        if len(new) < 12:
            raise InvalidInput("new passphrase: use at least 12 characters")
        self._vault.keyslots.set_passphrase(self._vault.data_key, new)
        return self._vault.keyslots.reset_recovery(self._vault.data_key)

    @owned
    def backup(self, destination: Path) -> Path:
        """Write an encrypted copy of the vault (database + key slots) as one ZIP file."""
        destination = destination.expanduser()
        if destination.exists():
            raise InvalidInput(f"{destination}: already exists; choose a new file name")
        if not destination.parent.is_dir():
            raise InvalidInput(f"{destination.parent}: no such folder")
        return write_backup(self._vault, destination)

    @owned
    def doctor(self) -> DoctorReport:
        """Check SQLCipher integrity, every hash chain and signature, each chain's recorded
        head and peers' receipts of it, and the projection against the events."""
        findings = check_vault(self._vault, self.projector)
        return DoctorReport(checks=findings.checks, problems=findings.problems)

    @owned
    def projection_hash(self) -> str:
        """Hash of the projection (equal on converged replicas)."""
        return self._vault.projection_hash()


_NO_PANEL_DECISION = (
    "the threshold decision is about the serious-incident test, and the facts raise no "
    "Panel notification; the CDOP, looked-after-child and care-leaver death notifications "
    "are owed whatever it says, so there is no decision to record"
)

_CORRECTION_CLEARS: dict[str, tuple[str, ...]] = {
    "sent": ("sent", "late_reason"),
    "acknowledged": ("acknowledged",),
    "withdrawn": ("withdrawn", "withdrawal_requested", "withdrawal_confirmed"),
}
"""The fields of a duty's record a correction of each part clears (the first is the one
whose value the correction keeps as undone)."""


def _iso_day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _record_of(state: CaseState, row: Mapping[str, Any]) -> DutyRecord:
    """A projection row of a duty as the transitions read it."""
    decision = state.value("decision") or {}
    return DutyRecord(
        case_id=state.case_id,
        duty_id=row["duty_id"],
        status=row["status"],
        required=bool(row["required"]),
        due=_iso_day(row["due"]),
        sent_on=_iso_day(row["sent_on"]),
        acknowledged_on=_iso_day(row["acknowledged_on"]),
        withdrawn_reason=row["withdrawn_reason"],
        withdrawal_pending=row["withdrawal_pending"],
        withdrawal_requested_by=row["withdrawal_requested_by"],
        late_reason=row["late_reason"],
        decided_on=_iso_day(decision.get("decided_on"))
        if row["status"] == "not_notifying"
        else None,
    )


def stored_preferences(vault: Vault) -> Preferences:
    """The preferences a vault holds (defaults when none were saved).

    A stored record that no longer validates is refused, never replaced by defaults:
    closure days and rule choices would vanish and deadlines move without a word."""
    stored = vault.get_meta("preferences") or {}
    try:
        return Preferences.model_validate(stored)
    except ValidationError as error:
        raise VaultError(
            "the settings stored in this vault are not valid "
            f"({describe_validation_error(error)}); open it with the notify-tui version "
            "that saved them, or restore a backup"
        ) from None


def conflict_view(path: str, field_state: FieldState) -> ConflictView:
    """A field in conflict: its values oldest first, numbered, in words, as a question."""
    heads = sorted(field_state.heads, key=lambda head: (head.at, head.event_id))
    values = tuple(
        ConflictValue(
            value=head.value,
            by=head.author,
            device=head.device,
            at=head.at.isoformat(),
            event=head.event_id,
            number=number,
            words=wording.choice_words(path, head.value, head.author),
        )
        for number, head in enumerate(heads, start=1)
    )
    return ConflictView(
        field=path,
        values=values,
        label=wording.field_label(path),
        question=wording.conflict_question(path, [value.words for value in values]),
    )


def audit_entry(event: Event) -> AuditEntry:
    """One line of a case's audit trail: who, when, which device, what happened in words."""
    return AuditEntry(
        at=event.at.isoformat(),
        author=event.author,
        device=event.device,
        org=event.org,
        type=event.type,
        event=event.id,
        summary=wording.audit_sentence(event.type, event.author, event.changes),
    )


def _timeliness_from(numbers: Mapping[str, Any]) -> Timeliness:
    """A timeliness block of `build_report` as its dataclass."""
    return Timeliness(**{f.name: numbers[f.name] for f in fields(Timeliness)})


def _report_from(figures: Mapping[str, Any]) -> Report:
    """The dict of `domain.reports.build_report` as a typed `Report` (same values, same order)."""
    deaths, open_block = figures["child_deaths"], figures["open"]
    return Report(
        period=ReportPeriod(start=figures["period"]["from"], end=figures["period"]["to"]),
        la=figures["la"],
        las=tuple(figures["las"]),
        notifications={
            duty_id: DutyTimeliness(
                all=_timeliness_from(block["all"]),
                by_la={org: _timeliness_from(n) for org, n in block["by_la"].items()},
            )
            for duty_id, block in figures["notifications"].items()
        },
        rapid_reviews=_timeliness_from(figures["rapid_reviews"]),
        local_reviews=_timeliness_from(figures["local_reviews"]),
        decisions_not_to_notify=DecisionsNotToNotify(
            count=figures["decisions_not_to_notify"]["count"],
            cases=tuple(figures["decisions_not_to_notify"]["cases"]),
        ),
        child_deaths=ChildDeaths(
            count=deaths["count"],
            by_kind=dict(deaths["by_kind"]),
            by_category=dict(deaths["by_category"]),
            by_age_band=dict(deaths["by_age_band"]),
        ),
        late_sends=tuple(LateSend(**line) for line in figures["late_sends"]),
        open=OpenDuties(
            count=open_block["count"],
            overdue=open_block["overdue"],
            with_due_date=open_block["with_due_date"],
            without_due_date=open_block["without_due_date"],
            duties=tuple(OpenDutyLine(**line) for line in open_block["duties"]),
        ),
    )


__all__ = [
    "DoctorReport",
    "NotifyError",
    "Session",
    "VaultError",
    "parse_value",
]
