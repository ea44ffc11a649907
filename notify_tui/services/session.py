"""The Session: the one API the CLI and the terminal app use.

A `Session` is an unlocked vault, this device's identity, the rule pack and the
working-day calendar. Its verbs validate input (raising `InvalidInput` with one line),
record events, and return the frozen dataclasses of `notify_tui.services.types`. The
vault itself stays private: the shells never touch SQL or cryptography, and every read
and write goes through a verb here (or `session.sync` for keys, peers and bundles).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from pydantic import ValidationError

from notify_tui.bank_holidays import cached_bank_holidays
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
from notify_tui.domain.erasure import ERASE_TYPE
from notify_tui.domain.event_rules import Relation, ValidatedCase, check_event
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
from notify_tui.domain.people import (
    ACCESS_ACTIONS,
    ACCESS_FIELD,
    ACCESS_TYPE,
    MAX_DETAIL_LENGTH,
    PEOPLE_FIELD,
    PEOPLE_TYPE,
    ROLE_WORDS,
    VAULT_LOG,
    Permission,
    display_name,
    name_problem,
    normalised_name,
    roles_for,
)
from notify_tui.domain.people import refusal as role_refusal
from notify_tui.domain.reports import Period, report_from_inputs
from notify_tui.domain.rules import (
    Assessment,
    RulePack,
    assess,
    assess_case,
    base_duty_id,
    default_rule_pack,
    is_case_document,
)
from notify_tui.domain.text import forbidden_character
from notify_tui.domain.urgency import SOON_WORKING_DAYS, urgency
from notify_tui.errors import InvalidInput, NotifyError, NotPermitted, VaultError
from notify_tui.services.drafts import DraftService
from notify_tui.services.erasure import ErasureService
from notify_tui.services.retention import RetentionService
from notify_tui.services.subject_access import SubjectAccessService
from notify_tui.services.sync import SyncService
from notify_tui.services.types import (
    AuditEntry,
    CaseConflict,
    CaseDetail,
    CaseSummary,
    ChildDeaths,
    ConflictValue,
    ConflictView,
    DeadlineLine,
    DecisionsNotToNotify,
    DoctorReport,
    DutyCorrection,
    DutyTimeliness,
    DutyView,
    LateSend,
    OpenDuties,
    OpenDuty,
    OpenDutyLine,
    RecoveryShare,
    Report,
    ReportPeriod,
    Timeliness,
    UserView,
)
from notify_tui.settings import Preferences
from notify_tui.store import duty_pages, queries
from notify_tui.store.backup import BACKUP_SUFFIX, backup_name, write_backup
from notify_tui.store.bulk import bulk_work
from notify_tui.store.duty_pages import PAGE_SIZE, DutyPages
from notify_tui.store.events import FIELD_PATH, Change, Event, trusted_change
from notify_tui.store.integrity import check_vault
from notify_tui.store.keyslots import KEYSLOTS_FILE_NAME, Argon2Parameters, KeySlotFile
from notify_tui.store.migrations import REPROJECT_META_KEY
from notify_tui.store.owner import InlineOwner, Owner, OwnerThread, owned
from notify_tui.store.projection import PARTNERSHIP_PREFIX, Projector, flattened_and_settled
from notify_tui.store.users import User
from notify_tui.store.vault import Identity, Role, Vault
from notify_tui.store.vault import vault_exists as _vault_exists


def vault_exists(home: Path) -> bool:
    """Whether `home` holds a vault (the shells ask before offering unlock or setup)."""
    return _vault_exists(home)


def several_users(home: Path) -> bool:
    """Whether the vault in `home` has several users, so unlocking needs a name (read
    without a secret; False when there is no readable key slot file)."""
    try:
        slots = KeySlotFile(home / KEYSLOTS_FILE_NAME).summary()
    except NotifyError:
        return False
    return sum(1 for s in slots if s.kind in ("passphrase", "passphrase-v1")) > 1


def recovery_threshold(home: Path) -> int:
    """How many recovery shares the vault in `home` needs (read without a secret)."""
    slots = KeySlotFile(home / KEYSLOTS_FILE_NAME)
    found = [s for s in slots.summary() if s.kind == "shares"]
    if not found or found[0].threshold is None:
        raise InvalidInput(
            "this vault has no recovery shares: use the recovery code (`notify-tui recover`)"
        )
    return found[0].threshold


def parse_value(raw: str) -> object:
    """A `--set` value: JSON where it parses (true, 3, null, [..]), else the text."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


RULEPACK_META_KEY = "rulepack"
"""The label of the rule pack the projection was last folded with (e.g. "england-2025.2"):
a Session with another pack refolds every case on its next writing open."""


S = TypeVar("S", bound="Session")
P = ParamSpec("P")
R = TypeVar("R")


def needs(
    permission: Permission, action: str
) -> Callable[[Callable[Concatenate[S, P], R]], Callable[Concatenate[S, P], R]]:
    """Refuse a verb (`NotPermitted`, one line, before anything else) unless the
    signed-in user's role allows `permission`; `action` says what was refused."""

    def decorate(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
        @functools.wraps(method)
        def checked(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            self.require(permission, action)
            return method(self, *args, **kwargs)

        return checked

    return decorate


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
        self.retention = RetentionService(
            self, vault, self._record, after_lift=lambda: self.erasure.after_lift()
        )
        """The retention schedule, what has reached its date, and legal holds."""
        self.subject_access = SubjectAccessService(self, vault)
        """Everything held about one person, for the data protection officer."""
        self.erasure = ErasureService(self, vault, self.retention)
        """Erasing a case by two people, with a certificate; what a certificate says."""

    def _configure(self) -> None:
        self.local_calendar = WorkingDayCalendar(
            self.preferences.calendar.closure_days, bank_holidays=cached_bank_holidays()
        )
        """Working days less the closure days of the preferences: local rules only."""
        self.calendar = self.local_calendar.national()
        """National working days (Monday to Friday less England's bank holidays): every
        statutory deadline and working-days-left count."""
        self.local_duties = frozenset(r.id for r in self.pack.rules if r.clock == "local")
        """The duties of local rules, whose working days left count on `local_calendar`."""
        self.projector = Projector(self.pack, self.local_calendar, self.preferences.rule_settings())
        # A list of 100,000 rows holds a few hundred distinct due dates: count each once
        # (per calendar: a new one, from new preferences, starts a new memo).
        self._days_left = functools.lru_cache(maxsize=4096)(self._count_days_left)
        self._duty_rule_ids = frozenset(r.id for r in self.pack.rules if r.kind == "duty")

    def _record(
        self,
        entries: Iterable[tuple[str, str, Sequence[Change]]],
        new_cases: Mapping[str, ValidatedCase] | None = None,
    ) -> list[Event]:
        """Record events from this device, each held to the rules a peer's import holds
        it to (`event_rules.check_event`): what a peer would refuse is never written,
        so this device's chain can always be sent. `new_cases`, by case id, the cases
        validated here that `case.created` entries were made from: see `Vault.record`
        and `event_rules.ValidatedCase`."""
        if not new_cases:
            return self._vault.record(
                self.projector, entries, self.clock.now(), check=self._check_own
            )

        def check(event: Event) -> None:
            self._check_own(event, new_cases.get(event.case))

        return self._vault.record(
            self.projector,
            entries,
            self.clock.now(),
            check=check,
            new_cases={key: (new.case, new.document) for key, new in new_cases.items()},
        )

    def _check_own(self, event: Event, validated: ValidatedCase | None = None) -> None:
        for change in event.changes:
            # A change built without validation (a new case's, from the validated case)
            # still holds a path every peer's event schema accepts, or its chain could
            # never be sent.
            if len(change.field) > MAX_FIELD_PATH or not _FIELD_PATH.fullmatch(change.field):
                raise InvalidInput(f"{change.field[:80]!r}: not a field path an event may set")
        partnership = event.case.startswith(PARTNERSHIP_PREFIX)
        own_log = event.case == VAULT_LOG
        relation: Relation = (
            "office" if self.identity.role == "office" and not (partnership or own_log) else "owner"
        )
        problem = check_event(
            event,
            relation,
            partnership=partnership,
            duty_ids=self._duty_rule_ids,
            validated=validated if event.type == "case.created" else None,
        )
        if problem is not None:
            raise InvalidInput(str(problem))

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
        for label, text in (("organisation", org), ("user name", author)):
            bad = forbidden_character(text, multiline=False)
            if bad:  # every event names them: a peer would refuse them all
                raise InvalidInput(f"{label}: holds the control character {bad}")
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
        user: str | None = None,
        recovery_code: str | None = None,
        shares: Sequence[str] | None = None,
        write: bool = True,
        clock: Clock | None = None,
        owner: Owner | None = None,
    ) -> Session:
        """Open the vault in `home` on `owner` (default: a new `OwnerThread`).

        With a passphrase, `user` says whose (needed when the vault has several users).
        With the recovery code or shares, `user` names the user to act for (see
        `set_passphrase_after_recovery`)."""
        clock = clock or system_clock()
        owner = owner or OwnerThread()
        try:
            vault = owner.run(
                Vault.open,
                home,
                passphrase=passphrase,
                user=user,
                recovery_code=recovery_code,
                shares=None if shares is None else list(shares),
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
    def user(self) -> UserView | None:
        """The signed-in user (None in a recovery session before a user is named)."""
        user = self._vault.user
        return None if user is None else user_view(user)

    @property
    def user_name(self) -> str:
        """The signed-in user's name, recorded on every change."""
        return self._vault.author

    @property
    def user_role(self) -> str | None:
        """The signed-in user's role (None in a recovery session)."""
        user = self._vault.user
        return None if user is None else user.role

    def record_events(self, entries: list[tuple[str, str, list[Change]]]) -> list[Event]:
        """Record events from this device, held to a peer's rules (for the services)."""
        return self._record(entries)

    def second_person(self, name: str, passphrase: str, action: str) -> tuple[str, str]:
        """Check a second user there and then (`_second_person`); their name and role."""
        confirmed = self._second_person(name, passphrase, action)
        found = self._vault.find_user(confirmed)
        assert found is not None
        return confirmed, found.role

    def may(self, permission: Permission) -> bool:
        """Whether the signed-in user's role allows `permission` (the shells hide keys)."""
        user = self._vault.user
        return user is not None and role_refusal(user.name, user.role, permission, "") is None

    def require(self, permission: Permission, action: str) -> None:
        """Refuse (`NotPermitted`, one line) unless the signed-in user may `action`."""
        user = self._vault.user
        if user is None:
            raise NotPermitted(
                f"a recovery session may not {action}: unlock with a user's passphrase"
            )
        refused = role_refusal(user.name, user.role, permission, action)
        if refused:
            raise NotPermitted(refused)

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
        """Store preferences; refold every case when deadlines depend on them.

        Closure days and rule choices move deadlines: only an admin changes them."""
        before = (self.preferences.calendar, self.preferences.rules)
        if before != (preferences.calendar, preferences.rules):
            self.require(Permission.ADMINISTER, "change closure days or rule choices")
        if self.preferences.retention != preferences.retention:
            self.require(Permission.ADMINISTER, "change the retention schedule")
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
    @needs(Permission.RECORD, "record cases")
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
        in_hand: dict[str, ValidatedCase] = {}
        today = self.today()
        for index, document in enumerate(documents):
            try:
                case = validate_case(document, today)
            except InvalidInput as error:
                prefix = f"case {index + 1}: " if index else ""
                raise InvalidInput(f"{prefix}{error.message}") from None
            if case.decision is not None:
                assessment = assess_case(case, self.calendar, compiled=self.projector.compiled)
                if PANEL_DUTY not in {duty.id for duty in assessment.duties}:
                    prefix = f"case {index + 1}: " if index else ""
                    raise InvalidInput(f"{prefix}decision: {_NO_PANEL_DECISION}")
            case_id = new_id(case.kind)
            # The paths and values are the validated case's own, and `_check_own` holds the
            # event to the event rules (each path a field of the case, each value the
            # validated case's, as this program writes it): no second validation of each
            # change, nor of the whole case (`event_rules.ValidatedCase`).
            values, settled = flattened_and_settled(case.model_dump(mode="json", exclude_none=True))
            changes = [trusted_change(path, value) for path, value in values.items()]
            entries.append((case_id, "case.created", changes))
            in_hand[case_id] = ValidatedCase(case, settled, values, today)
        with bulk_work():
            self._record(entries, in_hand)
        return [case_id for case_id, _, _ in entries]

    def _state(self, case_id: str, *, reading: bool = False) -> CaseState:
        """A case's state, folded from its events; refused for an erased case unless
        `reading` (one a legal hold keeps whole here is still read)."""
        events = self._vault.case_events(case_id)
        if not events:
            raise InvalidInput(f"no case {case_id}: check the id with `notify-tui case list`")
        if not reading and any(event.type == ERASE_TYPE for event in events):
            erased = self.erasure.erased(case_id)
            assert erased is not None
            kept = (
                "" if erased.kept_under is None else f" (kept whole here while {erased.kept_under})"
            )
            raise InvalidInput(
                f"case {case_id} was {erased.words()}{kept}: nothing more is recorded on it "
                f"(`notify-tui case show {case_id}`)"
            )
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
    @needs(Permission.RECORD, "change cases")
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
        return self._record([(case_id, event_type, changes)])[0]

    @owned
    @needs(Permission.RECORD, "record threshold decisions")
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
                    "decided_by": self.user_name,
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
        return self._record([(case_id, "decision.recorded", [change])])[0]

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
        return self._record([(state.case_id, event_type, changes)])[0]

    def _check_duty_date(self, case_id: str, when: date, what: str) -> None:
        if when > self.today():
            raise InvalidInput(f"--date {when}: is in the future; give the date it was {what}")
        aware = self._state(case_id).value("incident.aware_date")
        if aware and when < date.fromisoformat(aware):
            raise InvalidInput(f"--date {when}: is before the LA became aware ({aware})")

    @owned
    @needs(Permission.RECORD, "record a notification as sent")
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
            "by": self.user_name,
        }
        if late_reason and late_reason.strip():
            value["late_reason"] = late_reason.strip()
        return self._set_duty_fields(state, "duty.sent", {f"duties.{duty_id}.sent": value})

    @owned
    @needs(Permission.RECORD, "record why a notification was late")
    def add_late_reason(self, case_id: str, duty_id: str, reason: str) -> Event:
        """Give the reason for the delay of a duty already recorded sent late (old data)."""
        if len(reason.strip()) < MIN_REASON:
            raise InvalidInput("--reason: say why it was late in at least a sentence")
        state, record = self._duty(case_id, duty_id)
        self._require_owner(state, "say why it was sent late")
        self._allowed(record, Action.ADD_LATE_REASON)
        value = {
            "reason": reason.strip(),
            "by": self.user_name,
            "date": self.today().isoformat(),
        }
        return self._set_duty_fields(
            state, "duty.late_reason", {f"duties.{duty_id}.late_reason": value}
        )

    @owned
    @needs(Permission.RECORD, "withdraw duties")
    def withdraw(
        self,
        case_id: str,
        duty_id: str,
        reason: str,
        *,
        confirmed_by: tuple[str, str] | None = None,
    ) -> Event:
        """Withdraw a duty (it no longer applies), with the reason.

        A statutory duty (raised by the rules) takes two people. With `confirmed_by`
        (another user's name and passphrase, an admin or lead, there and then) it is
        withdrawn at once and the record names both; without, this records the LA's
        request, the duty stays open (owed) with the withdrawal pending, and the business
        office confirms it (`confirm_withdrawal`). A duty the facts no longer raise is
        withdrawn at once by one person."""
        if len(reason.strip()) < MIN_REASON:
            raise InvalidInput("--reason: say why in at least a sentence")
        state, record = self._duty(case_id, duty_id)
        self._require_owner(state, "withdraw its duties")
        action = withdrawal_action(record.required)
        self._allowed(record, action)
        value = {"reason": reason.strip(), "by": self.user_name}
        if action is Action.REQUEST_WITHDRAWAL and confirmed_by is not None:
            second = self._second_person(*confirmed_by, "confirm the withdrawal of a duty")
            value |= {"confirmed_by": second, "date": self.today().isoformat()}
            return self._set_duty_fields(
                state, "duty.withdrawn", {f"duties.{duty_id}.withdrawn": value}
            )
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

    def _second_person(self, name: str, passphrase: str, action: str) -> str:
        """Check a second user there and then: another active user, whose role may
        confirm, and whose own passphrase opens their key slot. Returns their name."""
        found = self._vault.find_user(name)
        if found is None or not found.active:
            raise InvalidInput(f"--confirm-user {display_name(name)}: not a user of this vault")
        if _same_name(found.name, self.user_name):
            raise InvalidInput("--confirm-user: the second person must be someone other than you")
        refused = role_refusal(found.name, found.role, Permission.CONFIRM, action)
        if refused:
            raise NotPermitted(refused)
        self._vault.verify_user(found.name, passphrase)
        return found.name

    @owned
    @needs(Permission.RECORD, "confirm withdrawals")
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
        self._allowed(record, Action.CONFIRM_WITHDRAWAL, by=self.user_name)
        request = state.fields[f"duties.{duty_id}.withdrawal_requested"]
        value = {
            "by": self.user_name,
            "date": self.today().isoformat(),
            "request": request.heads[-1].event_id,
        }
        return self._set_duty_fields(
            state, "duty.withdrawal_confirmed", {f"duties.{duty_id}.withdrawal_confirmed": value}
        )

    @owned
    @needs(Permission.RECORD, "record acknowledgements")
    def acknowledge(self, case_id: str, duty_id: str, acknowledged_on: date) -> Event:
        """Record that the recipient acknowledged the notification (not before it was
        sent; the LA or the office)."""
        self._check_duty_date(case_id, acknowledged_on, "acknowledged")
        state, record = self._duty(case_id, duty_id)
        if self.identity.role != "office":
            self._require_owner(state, "record what was sent")
        self._allowed(record, Action.ACKNOWLEDGE, when=acknowledged_on)
        value = {"date": acknowledged_on.isoformat(), "by": self.user_name}
        return self._set_duty_fields(
            state, "duty.acknowledged", {f"duties.{duty_id}.acknowledged": value}
        )

    @owned
    @needs(Permission.RECORD, "correct records")
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
            "by": self.user_name,
            "date": self.today().isoformat(),
        }
        key = f"duties.{duty_id}.corrections.e{undone.heads[-1].event_id[:16]}"
        values: dict[str, object] = {path: None for path in cleared}
        values[key] = correction
        return self._set_duty_fields(state, "duty.corrected", values)

    @owned
    @needs(Permission.RECORD, "resolve conflicts")
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
        return self._record([(case_id, "conflict.resolved", [change])])[0]

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
    @needs(Permission.RECORD, "resolve conflicts")
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
    @needs(Permission.RECORD, "record edits")
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
        self._record(entries)

    # -- the office workflow -------------------------------------------------------

    @owned
    @needs(Permission.RECORD, "record office steps")
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
        if self.identity.role != "office":
            raise InvalidInput(
                "office steps are recorded by the business office (its bundles bring them "
                "here); an LA's own record of them would be refused by every peer"
            )
        state = self._state(case_id)
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
            note = {"reason": reason.strip(), "was": recorded.get(key), "by": self.user_name}
            changes.append(change_of(f"{office.CORRECTIONS}.{key}", note))
            event_type = "office.corrected"
        return self._record([(case_id, event_type, changes)])[0]

    @owned
    @needs(Permission.RECORD, "record the yearly report")
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
        self._record([(record_id, event_type, changes)])
        return record_id

    @owned
    @needs(Permission.REPORT, "make reports")
    def report(self, start: date, end: date, la: str | None = None) -> Report:
        """The figures of `notify-tui report` and the Reports screen."""
        if end < start:
            raise InvalidInput("--to: must not be before --from")
        if la is not None:
            held = queries.organisations(self._vault)
            if la not in held:
                known = ", ".join(held) or "none"
                raise InvalidInput(f"--la {la}: no cases from that LA (LAs held: {known})")
        inputs = queries.report_inputs(self._vault, start, end, la)
        with _no_cyclic_gc():
            figures = report_from_inputs(
                inputs, Period(start, end), self.today(), self.calendar, la
            )
            report = _report_from(figures)
        detail = f"{start.isoformat()} to {end.isoformat()}" + (f", {la}" if la else "")
        self._log_access("report", None, detail)
        return report

    # -- reading -------------------------------------------------------------------

    def _duty_rows(self, case_id: str) -> list[dict[str, Any]]:
        return queries.case_duty_rows(self._vault, case_id)

    def _left(self, due: str | None, duty_id: str | None = None) -> int | None:
        """Working days left to `due`: national days, or local ones for a local rule."""
        if due is None:
            return None
        local = duty_id is not None and base_duty_id(duty_id) in self.local_duties
        return self._days_left(self.today(), due, local)

    def _count_days_left(self, today: date, due: str, local: bool) -> int:
        calendar = self.local_calendar if local else self.calendar
        return calendar.working_days_left(today, date.fromisoformat(due))

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
            "recipients": _json_strings(row["recipients"]),
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
            "reasons": _json_strings(row["reasons"]),
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
            "corrections": _corrections(row["corrections"] or "[]"),
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
        full_names: bool = False,
    ) -> list[CaseSummary]:
        """Case summaries, soonest deadline first.

        Names are left out (initials only) unless `full_names`, which the access log
        records."""
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
        with _no_cyclic_gc():
            for (
                case_id,
                case_kind,
                org,
                initials,
                names,
                next_due,
                open_duties,
                decision,
                conflicts,
                created_at,
                event_date,
                aware_date,
                outcome,
            ) in rows:
                left = None if next_due is None else self._days_left(today, next_due, False)
                summaries.append(
                    CaseSummary(
                        id=case_id,
                        kind=case_kind,
                        org=org,
                        initials=initials,
                        names=names if full_names else "",
                        next_due=next_due,
                        working_days_left=left,
                        urgency=urgency("open" if open_duties else "sent", left),
                        open_duties=open_duties,
                        decision=decision,
                        conflicts=_json_strings(conflicts),
                        created_at=created_at,
                        event_date=event_date,
                        aware_date=aware_date,
                        outcome=outcome,
                    )
                )
        if full_names and summaries:
            self._log_access("names_shown", None, f"case list of {len(summaries)} case(s)")
        return summaries

    @owned
    def open_case(self, case_id: str) -> CaseDetail:
        """A person opens a case: its detail, and an entry in the access log.

        The shells call this when someone asks to see a case (`case show`, the case
        screen); `case_detail` reads it again without a new entry."""
        detail = self._case_detail(case_id)
        self._log_access("opened", case_id)
        return detail

    @owned
    def case_detail(self, case_id: str) -> CaseDetail:
        """Everything about one case: document, duties, conflicts, audit trail (no access
        log entry: for a case already opened, and for the program's own reads)."""
        return self._case_detail(case_id)

    def _case_detail(self, case_id: str) -> CaseDetail:
        row = queries.case_row(self._vault, case_id)
        if row is None:
            erased = self.erasure.erased(case_id)
            if erased is not None:
                raise InvalidInput(
                    f"case {case_id} was {erased.words()}: nothing of it is held but who did "
                    f"what and when (`notify-tui case show {case_id}`)"
                )
            raise InvalidInput(f"no case {case_id}: check the id with `notify-tui case list`")
        state = self._state(case_id, reading=True)
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
            audit=tuple(
                audit_entry(event)
                for event in self._vault.case_events(case_id)
                if event.type != ACCESS_TYPE
            ),
        )

    @owned
    def conflicts(self) -> list[CaseConflict]:
        """Every field, across cases, that holds more than one value."""
        rows = []
        for case_id in queries.conflicted_case_ids(self._vault):
            for conflict in self._case_detail(case_id).conflicts:
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
        columns = queries.DUTY_COLUMNS
        with _no_cyclic_gc():
            return [
                self._duty_view(dict(zip(columns, values, strict=True)))
                for values in queries.deadline_rows(self._vault, limit)
            ]

    @owned
    def deadline_lines(self, *, within: int = SOON_WORKING_DAYS) -> list[DeadlineLine]:
        """The duties of `deadlines`, in its order, with only what its lines show (read
        from an index: at a decade's scale the full rows cost ten times as much)."""
        today = self.today()
        limit = self.calendar.add_working_days(today, within) if within > 0 else today
        lines = []
        with _no_cyclic_gc():
            for case_id, duty_id, due in queries.deadline_keys(self._vault, limit):
                local = base_duty_id(duty_id) in self.local_duties
                left = self._days_left(today, due, local)
                lines.append(DeadlineLine(case_id, duty_id, due, left, urgency("open", left)))
        return lines

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
    def change_passphrase(self, old: str, new: str, *, rotate_key: bool = False) -> None:
        """Give the signed-in user a new passphrase (a new slot with a new key pair).

        The data is not re-encrypted, so a copy of the key slot file made before (in a
        backup, say) still opens with the old passphrase; with `rotate_key` the database
        is re-keyed too, so it opens nothing written from now on."""
        _check_new_passphrase(new)
        if rotate_key:
            self._require_current_recovery()
        name = self.user_name
        self._vault.keyslots.change_passphrase(old, new, user=name)
        if rotate_key:
            self._rekey()
        self._log_people("rotated" if rotate_key else "passphrase", name)

    def _rekey(self) -> None:
        """Re-key the vault (refused while an old-format recovery code, which could not
        follow, is still in place: an admin replaces it first)."""
        self._require_current_recovery()
        self._vault.rekey()

    def _require_current_recovery(self) -> None:
        if any(slot.kind == "recovery-v1" for slot in self._vault.keyslots.summary()):
            raise InvalidInput(
                "this vault's recovery code is from an older notify-tui and would not survive "
                "the re-key: an admin replaces it first with `notify-tui recovery new-code`"
            )

    @owned
    def set_passphrase_after_recovery(self, new: str, user: str | None = None) -> str | None:
        """In a recovery session, give `user` (or the one the session was opened for, or
        the only user) a new passphrase; the session then acts as that user.

        Opened with the recovery code, a new code replaces it and is returned; opened
        with shares, None is returned (the shares stay valid: split anew if they were
        exposed)."""
        _check_new_passphrase(new)
        vault = self._vault
        if vault.opened_with not in ("recovery", "shares"):
            raise NotPermitted(
                "only a vault opened with the recovery code or shares sets a passphrase this "
                "way; change your own with `notify-tui passwd`"
            )
        target = user or (vault.user.name if vault.user else None)
        active = [u for u in vault.users() if u.active]
        if target is None:
            if len(active) != 1:
                names = ", ".join(u.name for u in active)
                raise InvalidInput(f"say whose passphrase to set with --user NAME (users: {names})")
            target = active[0].name
        found = vault.find_user(target)
        if found is None or not found.active:
            raise InvalidInput(f"--user {display_name(target)}: not a user of this vault")
        vault.keyslots.set_passphrase(
            vault.data_key,
            new,
            user=found.name,
            first_user=_same_name(found.name, self.identity.author),
        )
        vault.user = found
        code = None
        if vault.opened_with == "recovery":
            code = vault.keyslots.reset_recovery(vault.data_key)
        how = "recovery code" if vault.opened_with == "recovery" else "recovery shares"
        self._log_people("recovered", found.name, detail=f"with the {how}")
        return code

    # -- users ---------------------------------------------------------------------

    @owned
    def users(self) -> list[UserView]:
        """Every user of the vault, removed ones too (marked)."""
        return [user_view(user) for user in self._vault.users()]

    @owned
    @needs(Permission.ADMINISTER, "add users")
    def add_user(self, name: str, role: str, passphrase: str) -> UserView:
        """Add a user with a role and their own passphrase (a new key slot)."""
        problem = name_problem(name)
        if problem is not None:
            raise InvalidInput(problem)
        allowed = roles_for(self.identity.role)
        if role not in allowed:
            raise InvalidInput(
                f"--role {role}: a{'n office' if self.identity.role == 'office' else 'n LA'} "
                f"vault's roles are {', '.join(allowed)}"
            )
        existing = self._vault.find_user(name)
        if existing is not None and existing.active:
            raise InvalidInput(f"{existing.name} is already a user ({existing.role})")
        _check_new_passphrase(passphrase)
        shown = display_name(name)
        self._vault.add_user(
            self.projector,
            shown,
            role,
            passphrase,
            self.clock.now(),
            record=[_people_change("added", shown, role)],
            check=self._check_own,
        )
        added = self._vault.find_user(shown)
        assert added is not None
        return user_view(added)

    @owned
    @needs(Permission.ADMINISTER, "remove users")
    def remove_user(self, name: str) -> UserView:
        """Remove a user: their key slot goes and the database is re-keyed, so no copy of
        their slot opens anything written from now on. Their events keep their name."""
        found = self._vault.find_user(name)
        if found is None or not found.active:
            raise InvalidInput(f"{display_name(name)} is not a user of this vault")
        if _same_name(found.name, self.user_name):
            raise InvalidInput("you cannot remove yourself; another admin can")
        admins = [u for u in self._vault.users() if u.active and u.role == "admin"]
        if found.role == "admin" and len(admins) == 1:
            raise InvalidInput(f"{found.name} is the last admin; add another admin first")
        self._require_current_recovery()
        self._vault.remove_user(
            self.projector,
            found.name,
            self.clock.now(),
            record=[_people_change("removed", found.name, found.role)],
            check=self._check_own,
        )
        removed = self._vault.find_user(found.name)
        assert removed is not None
        return user_view(removed)

    @owned
    @needs(Permission.ADMINISTER, "replace the recovery code")
    def new_recovery_code(self) -> str:
        """Replace the recovery code; the old one stops working. Shown once."""
        code = self._vault.keyslots.reset_recovery(self._vault.data_key)
        self._log_people("recovery_code", None)
        return code

    @owned
    @needs(Permission.ADMINISTER, "split recovery into shares")
    def split_recovery(self, holders: Sequence[str], threshold: int) -> list[RecoveryShare]:
        """Split a new recovery secret into one SLIP-39 share per named holder, any
        `threshold` of which recover the vault. Earlier shares stop working. The
        holders' names are recorded (never the shares), the shares returned to be shown
        once."""
        names = [display_name(holder) for holder in holders]
        for holder in names:
            problem = name_problem(holder)
            if problem is not None:
                raise InvalidInput(f"--holder: {problem}")
        if len({normalised for normalised in map(str.casefold, names)}) != len(names):
            raise InvalidInput("--holder: each officer holds one share; a name is repeated")
        words = self._vault.keyslots.split_recovery(
            self._vault.data_key, shares=len(names), threshold=threshold
        )
        self._vault.set_meta(RECOVERY_HOLDERS_META_KEY, {"threshold": threshold, "holders": names})
        self._log_people(
            "recovery_split", None, detail=f"{threshold} of {len(names)}: {', '.join(names)}"
        )
        return [
            RecoveryShare(number=index + 1, holder=holder, words=share)
            for index, (holder, share) in enumerate(zip(names, words, strict=True))
        ]

    @owned
    def recovery_holders(self) -> tuple[int, tuple[str, ...]] | None:
        """(threshold, holders) of the current recovery shares, or None."""
        stored = self._vault.get_meta(RECOVERY_HOLDERS_META_KEY)
        if not stored:
            return None
        return int(stored["threshold"]), tuple(str(h) for h in stored["holders"])

    # -- the access log ------------------------------------------------------------

    @owned
    def record_access(self, action: str, case_id: str | None = None, detail: str = "") -> None:
        """Record in the access log that the signed-in user `action`ed (see
        `domain.people.ACCESS_ACTIONS`), on a case or the vault, never the data seen:
        `detail` names a field, a period or a peer (at most 200 characters)."""
        if action not in ACCESS_ACTIONS:
            raise InvalidInput(f"unknown access action {action!r}")
        self._log_access(action, case_id, detail)

    def _log_access(self, action: str, case_id: str | None, detail: str = "") -> None:
        if not self._vault.writable:
            raise VaultError(
                "every look at case data is logged, and this command opened the vault "
                "read-only; run it again while no other notify-tui has the vault open"
            )
        value: dict[str, str] = {"action": action}
        if detail:
            value["detail"] = " ".join(detail.split())[:MAX_DETAIL_LENGTH]
        change = Change(field=ACCESS_FIELD, value=value)
        self._record([(case_id or VAULT_LOG, ACCESS_TYPE, [change])])

    def _log_people(self, action: str, user: str | None, *, detail: str = "") -> None:
        change = _people_change(action, user, None, detail)
        self._record([(VAULT_LOG, PEOPLE_TYPE, [change])])

    @owned
    def audit(
        self, *, user: str | None = None, case_id: str | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        """The audit trail, newest first: every change and every logged look, by whom,
        and every bundle exported (kept with the bundles sent, not as an event); only
        `user`'s, or only about `case_id`, when given."""
        wanted = None if user is None else normalised_name(user)
        sql_limit = limit if wanted is None and case_id is not None else None
        entries = [
            audit_entry(event)
            for event in queries.audit_events(self._vault, case_id=case_id, limit=sql_limit)
        ]
        if case_id is None:
            me = self.identity
            entries += [
                AuditEntry(
                    at=row["created_at"],
                    author=row["made_by"] or "(before users were named)",
                    device=me.device_id,
                    org=me.org,
                    type="sync.exported",
                    event=row["manifest_sha256"],
                    summary=f"{row['made_by'] or 'someone'} exported a bundle for "
                    f"{row['org'] or row['peer']} ({row['events']} event(s))",
                    case=VAULT_LOG,
                )
                for row in queries.export_rows(self._vault)
            ]
            entries.sort(key=lambda entry: (entry.at, entry.event), reverse=True)
        chosen = [e for e in entries if wanted is None or normalised_name(e.author) == wanted]
        return chosen if limit is None else chosen[:limit]

    @owned
    @needs(Permission.RECORD, "write backups")
    def backup(self, destination: Path) -> Path:
        """Write an encrypted copy of the vault (database + key slots) as one `.ntbackup`.

        `destination` is a new file whose name ends in `.ntbackup`, or an existing folder
        (the file is then named `<device id>-<UTC time>.ntbackup` in it)."""
        destination = destination.expanduser()
        now = self.clock.now()
        if destination.is_dir():
            destination = destination / backup_name(self.identity.device_id, now)
        elif not destination.name.endswith(BACKUP_SUFFIX):
            raise InvalidInput(
                f"--to {destination}: a backup file's name ends in {BACKUP_SUFFIX} "
                f"(e.g. {destination.with_suffix(BACKUP_SUFFIX).name}), or give a folder"
            )
        if destination.exists():
            raise InvalidInput(f"{destination}: already exists; choose a new file name")
        if not destination.parent.is_dir():
            raise InvalidInput(f"{destination.parent}: no such folder")
        self._vault.require_writer()  # the access log must be able to record it
        written = write_backup(self._vault, destination, now)
        self._log_access("backup", None, destination.name)
        return written

    @owned
    def doctor(self, progress: Callable[[int, int], None] | None = None) -> DoctorReport:
        """Check SQLCipher integrity, every hash chain and signature, each chain's recorded
        head and peers' receipts of it, and the projection against the events.

        `progress` is told (done, total) now and then, on the vault's owner thread."""
        findings = check_vault(self._vault, self.projector, progress)
        trust_checks, trust_problems = self.sync.trust_findings()
        return DoctorReport(
            checks=(*findings.checks, *trust_checks),
            problems=(*findings.problems, *trust_problems),
        )

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


RECOVERY_HOLDERS_META_KEY = "recovery_holders"
"""Who holds the current recovery shares, and how many are needed (names, not shares)."""

MIN_PASSPHRASE = 12


def _check_new_passphrase(new: str) -> None:
    if len(new) < MIN_PASSPHRASE:
        raise InvalidInput(
            f"new passphrase: use at least {MIN_PASSPHRASE} characters (a few words is best)"
        )


def _same_name(one: str, other: str) -> bool:
    return normalised_name(one) == normalised_name(other)


def _people_change(
    action: str, user: str | None, role: str | None = None, detail: str = ""
) -> Change:
    value: dict[str, str] = {"action": action}
    if user:
        value["user"] = user
    if role:
        value["role"] = role
    if detail:
        value["detail"] = detail[:MAX_DETAIL_LENGTH]
    return Change(field=PEOPLE_FIELD, value=value)


def user_view(user: User) -> UserView:
    """A stored user as the shells see it."""
    return UserView(
        name=user.name,
        role=user.role,
        role_words=ROLE_WORDS.get(user.role, user.role),  # type: ignore[call-overload]
        added_at=user.added_at,
        added_by=user.added_by,
        removed_at=user.removed_at,
        removed_by=user.removed_by,
    )


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Build a long list of new, acyclic values without the cyclic collector running.

    Every few hundred new objects the collector walks them, and now and then every
    object alive: building 100,000 rows then cost far more than the rows themselves.
    The rows hold no cycles, so nothing is left for it to find; it runs again after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_FIELD_PATH = re.compile(FIELD_PATH)
MAX_FIELD_PATH = 200
"""What `store.events.Change` allows a field path to be (pattern and length)."""


@functools.lru_cache(maxsize=1024)
def _json_strings(text: str) -> tuple[str, ...]:
    """A stored JSON list of strings as a tuple (a few distinct ones, decoded once).

    Only lists the program writes pass here (a duty's reasons from the rule pack, a
    case's conflicting field names), never text a person typed: the memo outlives a
    locked session, so nothing typed may be kept in it (see `_corrections`)."""
    return tuple(json.loads(text))


def _corrections(text: str) -> tuple[DutyCorrection, ...]:
    """A duty's stored corrections (usually none) as views.

    Not memoised: a correction holds its reason and who made it, typed by a person, and
    a module-level memo would keep them in memory after the vault is locked."""
    if text == "[]":
        return ()
    return tuple(
        DutyCorrection(
            part=c.get("part"),
            undone=c.get("undone"),
            reason=c.get("reason"),
            by=c.get("by"),
            date=c.get("date"),
        )
        for c in json.loads(text)
    )


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
        case=event.case,
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
