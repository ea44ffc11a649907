"""What an event may say and who may say it: a closed list, checked on every event.

Every event a device writes and every event a bundle brings is held to the same rules
(`check_event`), whoever signed it: a trusted peer's program may be old, broken or
tampered with, and its events are input like any other.

- **Types**: an event's `type` is one of `EVENT_RULES`; `duty.submitted` (named by the
  first version, never written) is not.
- **Fields**: each type sets fields of a few kinds only (`FieldKind`), and each kind is a
  closed grammar of paths: a fact of the case model (`subjects.0.date_of_birth`), the
  threshold `decision`, one part of a duty's record (`duties.<duty>.sent`, the duty one
  of the rule pack's, `@N` for child N >= 2), a duty's correction note
  (`duties.<duty>.corrections.e<16 hex>`), an office step (`office.<area>.<step>` of
  `notify_tui.domain.office`), an office correction note, a field of the partnership's
  yearly report (`annual_report.year`, `annual_report.published_date`).
- **Values**: each path's value is checked by the model that writes it (the case model
  for facts, `Decision`, and the records below for duty parts), in the types, ranges and
  lengths the model allows, and must be exactly what that model writes (`"5"` for a
  number, `5.0` for 5, `1` for true are refused). Dates are YYYY-MM-DD text from 1900
  and not after the day the event was recorded (a planned publication may be up to 5
  years ahead). No text holds a control, bidi or separator character
  (`notify_tui.domain.text`); newline and tab only inside values. Every string is at
  most 20,000 characters, every list at most 100 items.
- **Who** (`Relation`): the owner of the record (an LA on a case its organisation
  created; the office on the partnership's yearly report), or the office on an LA's case
  (its workflow). `EVENT_RULES` says which types and field kinds each may write;
  docs/bundle-format.md has it as a table.

What is not here needs the record (which cases exist, whose they are, which chain an
event is on, what the duty's record says): `notify_tui.sync.merge` checks those.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Final, Literal, Protocol, get_args, get_origin

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import to_jsonable_python

from notify_tui.domain import office
from notify_tui.domain.duty_states import MIN_REASON, PARTS
from notify_tui.domain.erasure import ERASE_FIELD, ERASE_TYPE, ErasureRecord
from notify_tui.domain.fold import flatten, unflatten
from notify_tui.domain.models import (
    MAX_NAMED_SUBJECTS,
    Case,
    Day,
    Decision,
    describe_validation_error,
)
from notify_tui.domain.people import (
    ACCESS_FIELD,
    HOLD_FIELD,
    MAX_DETAIL_LENGTH,
    PEOPLE_FIELD,
    AccessAction,
    PeopleAction,
)
from notify_tui.domain.text import forbidden_character
from notify_tui.errors import InvalidInput

MAX_TEXT: Final = 20_000
"""The longest string any value may hold (the case outline's limit)."""
MAX_LIST: Final = 100
"""The most items any list in a value may hold."""
MAX_DEPTH: Final = 8
"""The deepest nesting of objects and lists in a value."""
MAX_INTEGER: Final = 2**53
"""Integers beyond this are not exact in every JSON reader."""
EARLIEST_YEAR: Final = 2000
"""No event was recorded before this year."""
LATEST_YEAR: Final = 2199
"""Nor after this one: every date an event holds is at most a day after its time (or
five years, for a planned one), so deadlines counted from them stay within the calendar."""
PLANNED_AHEAD_YEARS: Final = 5
"""How far ahead a planned date (a planned publication) may be."""

Relation = Literal["owner", "office"]
"""Who writes an event, relative to the record: its owner (an LA on a case its
organisation created, the office on a partnership record, any device on its own log of
entries about no case, `LOG`), or the office on an LA's case."""


class FieldKind(StrEnum):
    """The kinds of field an event sets."""

    FACT = "fact"
    DECISION = "decision"
    DUTY = "duty"
    DUTY_CORRECTION = "duty correction"
    OFFICE_STEP = "office step"
    OFFICE_CORRECTION = "office correction"
    YEARLY_REPORT = "yearly report"
    ACCESS = "access log entry"
    PEOPLE = "people entry"
    HOLD = "legal hold entry"
    ERASURE = "erasure certificate"


DUTY_PARTS: Final = (
    "sent",
    "acknowledged",
    "withdrawn",
    "withdrawal_requested",
    "withdrawal_confirmed",
    "late_reason",
)
"""The parts of a duty's record an event may set (`duties.<duty>.<part>`)."""

OWNER_PARTS: Final = frozenset(DUTY_PARTS) - {"withdrawal_confirmed"}
"""The parts the owner records: everything but the second person's confirmation."""

OFFICE_PARTS: Final = frozenset({"acknowledged", "withdrawal_confirmed"})
"""The parts the office records on an LA's case."""

CORRECTION_CLEARS: Final[Mapping[str, frozenset[str]]] = {
    "sent": frozenset({"sent", "late_reason"}),
    "acknowledged": frozenset({"acknowledged"}),
    "withdrawn": frozenset({"withdrawn", "withdrawal_requested", "withdrawal_confirmed"}),
}
"""The parts a correction of each part may clear (`Session.correct_duty`)."""


@dataclass(frozen=True)
class TypeRule:
    """What one event type may set, and who may write it."""

    kinds: Mapping[Relation, frozenset[FieldKind]]
    """For each relation allowed to write the type, the field kinds it may set."""
    single: bool = False
    """Exactly one change."""
    parts: Mapping[Relation, frozenset[str]] | None = None
    """For duty fields, the parts each relation may set (default: `OWNER_PARTS` for the
    owner, `OFFICE_PARTS` for the office)."""
    summary: str = ""
    """What the type records, for refusals and the docs."""


_F = FieldKind
EVENT_RULES: Final[Mapping[str, TypeRule]] = {
    "case.created": TypeRule(
        {"owner": frozenset({_F.FACT, _F.DECISION, _F.YEARLY_REPORT})},
        summary="a new case (an LA) or yearly report record (the office)",
    ),
    "case.edited": TypeRule({"owner": frozenset({_F.FACT})}, summary="facts changed"),
    "decision.recorded": TypeRule(
        {"owner": frozenset({_F.DECISION})}, single=True, summary="the threshold decision"
    ),
    "duty.sent": TypeRule(
        {"owner": frozenset({_F.DUTY})},
        single=True,
        parts={"owner": frozenset({"sent"})},
        summary="a notification sent",
    ),
    "duty.late_reason": TypeRule(
        {"owner": frozenset({_F.DUTY})},
        single=True,
        parts={"owner": frozenset({"late_reason"})},
        summary="the reason a send was late",
    ),
    "duty.withdrawn": TypeRule(
        {"owner": frozenset({_F.DUTY})},
        single=True,
        parts={"owner": frozenset({"withdrawn"})},
        summary="a duty the rules do not raise, withdrawn",
    ),
    "duty.withdrawal_requested": TypeRule(
        {"owner": frozenset({_F.DUTY})},
        single=True,
        parts={"owner": frozenset({"withdrawal_requested"})},
        summary="a request to withdraw a statutory duty",
    ),
    "duty.withdrawal_confirmed": TypeRule(
        {"office": frozenset({_F.DUTY})},
        single=True,
        parts={"office": frozenset({"withdrawal_confirmed"})},
        summary="the second person's confirmation of a withdrawal",
    ),
    "duty.acknowledged": TypeRule(
        {"owner": frozenset({_F.DUTY}), "office": frozenset({_F.DUTY})},
        single=True,
        parts={"owner": frozenset({"acknowledged"}), "office": frozenset({"acknowledged"})},
        summary="a recipient's acknowledgement",
    ),
    "duty.corrected": TypeRule(
        {
            "owner": frozenset({_F.DUTY, _F.DUTY_CORRECTION}),
            "office": frozenset({_F.DUTY, _F.DUTY_CORRECTION}),
        },
        parts={"owner": frozenset(DUTY_PARTS), "office": frozenset({"acknowledged"})},
        summary="part of a duty's record undone, with the reason",
    ),
    "office.recorded": TypeRule(
        {"owner": frozenset({_F.YEARLY_REPORT}), "office": frozenset({_F.OFFICE_STEP})},
        summary="an office workflow step (or the yearly report)",
    ),
    "office.corrected": TypeRule(
        {"office": frozenset({_F.OFFICE_STEP, _F.OFFICE_CORRECTION})},
        summary="an office step corrected, with the reason",
    ),
    "access.recorded": TypeRule(
        {"owner": frozenset({_F.ACCESS}), "office": frozenset({_F.ACCESS})},
        single=True,
        summary="a look at case data (the access log; never the data)",
    ),
    "people.recorded": TypeRule(
        {"owner": frozenset({_F.PEOPLE})},
        single=True,
        summary="a user added or removed, a passphrase or recovery changed",
    ),
    "hold.recorded": TypeRule(
        {"owner": frozenset({_F.HOLD}), "office": frozenset({_F.HOLD})},
        single=True,
        summary="a legal hold placed or lifted, with the reason (on a case, or on everything)",
    ),
    ERASE_TYPE: TypeRule(
        {"owner": frozenset({_F.ERASURE})},
        single=True,
        summary="a case erased, by two people, with the ground and the reason (no content)",
    ),
    "conflict.resolved": TypeRule(
        {
            "owner": frozenset({_F.FACT, _F.DECISION, _F.DUTY, _F.YEARLY_REPORT}),
            "office": frozenset({_F.OFFICE_STEP, _F.DUTY}),
        },
        summary="a conflict resolved by choosing a value",
    ),
}
"""Every event type this version writes, with who may write it and what it may set."""

PARTNERSHIP_KINDS: Final = frozenset({_F.YEARLY_REPORT, _F.DUTY, _F.DUTY_CORRECTION, _F.ACCESS})
"""The field kinds of a partnership record (the yearly report and its duty), and a look
at it (the access log)."""


class EventLike(Protocol):
    """What the rules read of an event."""

    @property
    def at(self) -> datetime: ...
    @property
    def author(self) -> str: ...
    @property
    def org(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def changes(self) -> Sequence[ChangeLike]: ...


class ChangeLike(Protocol):
    """What the rules read of a change."""

    @property
    def field(self) -> str: ...
    @property
    def value(self) -> Any: ...
    @property
    def replaces(self) -> list[str]: ...


@dataclass(frozen=True)
class EventProblem:
    """Why an event is refused: the field (or `type`, `author`...) and what is wrong."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class _Refused(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.problem = EventProblem(field, message)


# -- value records ---------------------------------------------------------------------

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(min_length=MIN_REASON, max_length=MAX_TEXT)]
Reference = Annotated[str, StringConstraints(max_length=200)]
EventId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SentRecord(_Record):
    """`duties.<duty>.sent`: when it was sent, the reference, by whom (and why late)."""

    date: Day
    reference: Reference | None
    by: Name
    late_reason: Reason | None = None


class AcknowledgedRecord(_Record):
    """`duties.<duty>.acknowledged`: when the recipient acknowledged it, recorded by whom."""

    date: Day
    by: Name


class WithdrawnRecord(_Record):
    """`duties.<duty>.withdrawn`: a duty the rules do not raise, withdrawn by one person;
    or a statutory one, confirmed there and then by a second user (`confirmed_by`, on
    `date`)."""

    reason: Reason
    by: Name
    confirmed_by: Name | None = None
    date: Day | None = None


class WithdrawalRequest(_Record):
    """`duties.<duty>.withdrawal_requested`: the owner asks to withdraw a statutory duty."""

    reason: Reason
    by: Name
    date: Day


class WithdrawalConfirmation(_Record):
    """`duties.<duty>.withdrawal_confirmed`: the second person confirms the request."""

    by: Name
    date: Day
    request: EventId


class LateReason(_Record):
    """`duties.<duty>.late_reason`: why a send recorded earlier was late."""

    reason: Reason
    by: Name
    date: Day


class DutyCorrection(_Record):
    """`duties.<duty>.corrections.e<id>`: a part undone, what it held, why, by whom."""

    part: Literal["sent", "acknowledged", "withdrawn"]
    undone: dict[str, Any] | None
    reason: Reason
    by: Name
    date: Day


class OfficeCorrection(_Record):
    """`office.corrections.<area>.<step>`: why a step was corrected, what it held, by whom."""

    reason: Annotated[str, StringConstraints(min_length=10, max_length=MAX_TEXT)]
    was: Any
    by: Name


DUTY_RECORDS: Final[Mapping[str, type[_Record]]] = {
    "sent": SentRecord,
    "acknowledged": AcknowledgedRecord,
    "withdrawn": WithdrawnRecord,
    "withdrawal_requested": WithdrawalRequest,
    "withdrawal_confirmed": WithdrawalConfirmation,
    "late_reason": LateReason,
}
"""The record each part of a duty holds."""


class AccessRecord(_Record):
    """`access`: what was looked at or taken out (`people.ACCESS_ACTIONS`), never the data."""

    action: AccessAction
    detail: Annotated[str, StringConstraints(min_length=1, max_length=MAX_DETAIL_LENGTH)] | None = (
        None
    )


class PeopleRecord(_Record):
    """`people`: a change to the users (`people.PEOPLE_ACTIONS`), naming the user (not
    their passphrase)."""

    action: PeopleAction
    user: Name | None = None
    role: Literal["admin", "lead", "deputy", "viewer", "manager", "coordinator"] | None = None
    detail: Annotated[str, StringConstraints(min_length=1, max_length=MAX_DETAIL_LENGTH)] | None = (
        None
    )


MAX_HOLD_REASON: Final = 2_000
"""The longest reason a hold entry gives (an inquiry's name and order, not case data)."""


class HoldRecord(_Record):
    """`hold`: a legal hold placed or lifted (`domain.retention`), why, and by whom; on the
    event's case, or on everything when the event is about no case (`LOG`)."""

    action: Literal["placed", "lifted"]
    reason: Annotated[str, StringConstraints(min_length=MIN_REASON, max_length=MAX_HOLD_REASON)]
    by: Name


class YearlyReport(_Record):
    """The partnership's yearly report record (`annual_report.*`)."""

    year: int = Field(ge=2018, le=2100)
    published_date: Day


# -- paths -----------------------------------------------------------------------------

_DUTY_ID = re.compile(r"^(?P<base>[a-z0-9][a-z0-9-]*)(@(?P<child>[1-9][0-9]*))?$")
_CORRECTION_KEY = re.compile(r"^e[0-9a-f]{16}$")
_INDEX = re.compile(r"^(0|[1-9][0-9]*)$")


@dataclass(frozen=True)
class FieldPath:
    """A field path an event may set, classified."""

    kind: FieldKind
    path: str
    duty: str | None = None
    """For duty fields: the duty id (with `@N`)."""
    part: str | None = None
    """For duty fields: the part (`sent`, ...); for office fields: `area.step`."""


def classify(path: str, duty_ids: Collection[str]) -> FieldPath:
    """The kind of a field path; `_Refused` when it is none this version writes.

    `duty_ids` are the rule pack's duty rule ids (a duty field names one of them)."""
    parts = path.split(".")
    if path == "decision":
        return FieldPath(FieldKind.DECISION, path)
    if path == ACCESS_FIELD:
        return FieldPath(FieldKind.ACCESS, path)
    if path == PEOPLE_FIELD:
        return FieldPath(FieldKind.PEOPLE, path)
    if path == HOLD_FIELD:
        return FieldPath(FieldKind.HOLD, path)
    if path == ERASE_FIELD:
        return FieldPath(FieldKind.ERASURE, path)
    if parts[0] == "duties":
        if len(parts) < 3:
            raise _Refused(path, "not a duty record field (duties.<duty>.<part>)")
        duty = parts[1]
        match = _DUTY_ID.match(duty)
        child = int(match.group("child")) if match and match.group("child") else None
        if match is None or match.group("base") not in duty_ids:
            raise _Refused(path, f"{duty!r} is not a duty of the rule pack")
        if child is not None and not 2 <= child <= MAX_NAMED_SUBJECTS:
            raise _Refused(path, f"a per-child duty is numbered @2 to @{MAX_NAMED_SUBJECTS}")
        if len(parts) == 3 and parts[2] in DUTY_PARTS:
            return FieldPath(FieldKind.DUTY, path, duty, parts[2])
        if len(parts) == 4 and parts[2] == "corrections" and _CORRECTION_KEY.match(parts[3]):
            return FieldPath(FieldKind.DUTY_CORRECTION, path, duty, "corrections")
        raise _Refused(path, f"not a part of a duty's record ({', '.join(DUTY_PARTS)})")
    if parts[0] == "office":
        if len(parts) == 4 and parts[1] == "corrections":
            key = f"{parts[2]}.{parts[3]}"
            if key in office.STEP_LABELS:
                return FieldPath(FieldKind.OFFICE_CORRECTION, path, part=key)
        key = ".".join(parts[1:])
        if key in office.STEP_LABELS:
            return FieldPath(FieldKind.OFFICE_STEP, path, part=key)
        raise _Refused(path, "not an office step")
    if parts[0] == "annual_report":
        if len(parts) == 2 and parts[1] in YearlyReport.model_fields:
            return FieldPath(FieldKind.YEARLY_REPORT, path, part=parts[1])
        raise _Refused(path, "not a field of the yearly report (year, published_date)")
    _fact_leaf(path)
    return FieldPath(FieldKind.FACT, path)


_classify_known = functools.lru_cache(maxsize=8192)(classify)
"""`classify` remembered, for a rule pack's duty ids as a frozenset (the sessions' and
imports'): a new case's 25 or so paths are the same case after case. A path refused is
not remembered (`_Refused` is raised afresh)."""


def _unwrap(annotation: Any) -> Any:
    """`X | None` as X."""
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) is not None and len(args) == 1 and type(None) in get_args(annotation):
        return args[0]
    return annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _max_items(field: Any) -> int:
    for item in getattr(field, "metadata", ()):
        limit = getattr(item, "max_length", None)
        if isinstance(limit, int):
            return limit
    return MAX_LIST


@functools.lru_cache(maxsize=4096)
def _fact_leaf(path: str) -> tuple[type[BaseModel], str]:
    """The case model class and field name a fact path ends on (`_Refused` otherwise)."""
    parts = path.split(".")
    model: type[BaseModel] = Case
    index = 0
    while True:
        name = parts[index]
        field = model.model_fields.get(name)
        if field is None:
            raise _Refused(path, "not a field of the case")
        annotation = _unwrap(field.annotation)
        last = index == len(parts) - 1
        inner = _model_of(annotation)
        if get_origin(annotation) is list:
            item = _model_of(get_args(annotation)[0])
            if last or item is None:
                if not last:
                    raise _Refused(path, "not a field of the case")
                return model, name
            position = parts[index + 1]
            if not _INDEX.match(position) or int(position) >= _max_items(field):
                raise _Refused(
                    path,
                    f"{name} holds at most {_max_items(field)} items (0 to "
                    f"{_max_items(field) - 1})",
                )
            if index + 1 == len(parts) - 1:
                raise _Refused(path, f"set the fields of {name}.{position} one by one")
            model, index = item, index + 2
            continue
        if inner is not None:
            if last:
                raise _Refused(path, "is a group of fields; set them one by one")
            model, index = inner, index + 1
            continue
        if not last:
            raise _Refused(path, "not a field of the case")
        return model, name


# -- values ----------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _exactly(path: str, written: Any, value: Any) -> None:
    # Both sides through one encoder: orjson (fast) unless either holds what it refuses;
    # values reaching here passed `_check_shape` (no fractions, bounded integers).
    try:
        same = orjson.dumps(written, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
            value, option=orjson.OPT_SORT_KEYS
        )
    except (TypeError, orjson.JSONEncodeError):
        same = _canonical(written) == _canonical(value)
    if not same:
        raise _Refused(path, "is not written the way this program writes it (type or form)")


def _check_shape(path: str, value: Any, depth: int = 0, *, multiline: bool = True) -> None:
    """Generic limits on any value: lengths, depth, characters, JSON types."""
    if depth > MAX_DEPTH:
        raise _Refused(path, "is nested too deeply")
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise _Refused(path, f"is {len(value)} characters long, more than {MAX_TEXT}")
        bad = forbidden_character(value, multiline=multiline)
        if bad:
            raise _Refused(path, f"holds the control character {bad}")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            raise _Refused(path, "holds a number out of range")
    elif isinstance(value, float):
        raise _Refused(path, "holds a fractional number; no field takes one")
    elif isinstance(value, list):
        if len(value) > MAX_LIST:
            raise _Refused(path, f"holds {len(value)} items, more than {MAX_LIST}")
        for item in value:
            _check_shape(path, item, depth + 1)
    elif isinstance(value, dict):
        if len(value) > MAX_LIST:
            raise _Refused(path, f"holds {len(value)} members, more than {MAX_LIST}")
        for key, item in value.items():
            if not isinstance(key, str) or len(key) > 64 or forbidden_character(key):
                raise _Refused(path, "holds a member name that is not plain text")
            _check_shape(path, item, depth + 1)
    else:
        raise _Refused(path, "holds a value that is not JSON")


def _validation_problem(path: str, error: ValidationError) -> _Refused:
    described = describe_validation_error(error)
    where, _, message = described.partition(": ")
    if where and where != "document":
        return _Refused(f"{path}.{where}" if path else where, message)
    return _Refused(path or "document", message)


def _dated_context(at: datetime) -> dict[str, Any]:
    # The author's day may be ahead of UTC (British Summer Time): one day of slack.
    return {"lenient": True, "today": at.date() + timedelta(days=1)}


def _check_record(path: str, model: type[BaseModel], value: Any, at: datetime) -> None:
    if not isinstance(value, dict):
        raise _Refused(path, "must be an object")
    try:
        parsed = model.model_validate(value, context=_dated_context(at))
    except ValidationError as error:
        raise _validation_problem(path, error) from None
    _exactly(path, parsed.model_dump(mode="json", exclude_unset=True), value)
    _not_after(path, parsed, at)


def _not_after(path: str, record: BaseModel, at: datetime) -> None:
    latest = at.date() + timedelta(days=1)
    for name in type(record).model_fields:
        day = getattr(record, name)
        if isinstance(day, date) and day > latest:
            raise _Refused(f"{path}.{name}", "is after the day the event was recorded")


def _blank(model: type[BaseModel]) -> BaseModel:
    """An empty instance to validate one field on (`model_construct` would build every
    default, which costs more than the check)."""
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", {})
    object.__setattr__(instance, "__pydantic_fields_set__", set())
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


def _check_fact(path: str, value: Any, at: datetime) -> None:
    model, name = _fact_leaf(path)
    if value is None:
        return
    instance = _blank(model)
    try:
        validated = model.__pydantic_validator__.validate_assignment(
            instance, name, value, context=_dated_context(at)
        )
    except ValidationError as error:
        parent = path.rsplit(".", 1)[0] if "." in path else ""
        raise _validation_problem(parent, error) from None
    result = validated if isinstance(validated, BaseModel) else instance
    written = to_jsonable_python(getattr(result, name), exclude_none=True)
    _exactly(path, written, value)


def _check_decision(path: str, value: Any, at: datetime) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise _Refused(path, "must be an object (notify, rationale, decided_on, decided_by)")
    try:
        decision = Decision.model_validate(value, context=_dated_context(at))
    except ValidationError as error:
        raise _validation_problem(path, error) from None
    _exactly(path, decision.model_dump(mode="json", exclude_unset=True), value)


def _check_office_step(path: str, key: str, value: Any, at: datetime) -> None:
    area, _, step = key.partition(".")
    today = at.date() + timedelta(days=1)
    raw, outcome = value, None
    if key == "panel_response.response":
        if not isinstance(value, dict) or set(value) != {"date", "outcome"}:
            raise _Refused(path, "must be an object {date, outcome}")
        raw, outcome = value["date"], value["outcome"]
        if not isinstance(outcome, str):
            raise _Refused(f"{path}.outcome", "must be text")
    if key not in ("cdop.category", "cdop.modifiable_factors") and not isinstance(raw, str):
        raise _Refused(path, "must be a date written YYYY-MM-DD")
    try:
        step_change = office.validate_step(area, step, raw, today=today, earliest=None,
                                           outcome=outcome)  # fmt: skip
    except InvalidInput as error:  # one line that starts with the field's name
        raise _Refused(path, error.message.split(": ", 1)[-1]) from None
    _exactly(path, step_change.value, value)
    day = office.step_date(step_change.value)
    if day is not None and key in office.PLANNED_STEPS:
        limit = at.date().replace(year=at.date().year + PLANNED_AHEAD_YEARS)
        if date.fromisoformat(day) > limit:
            raise _Refused(path, f"is more than {PLANNED_AHEAD_YEARS} years ahead")


def _check_office_correction(path: str, key: str, value: Any, at: datetime) -> None:
    if not isinstance(value, dict):
        raise _Refused(path, "must be an object {reason, was, by}")
    try:
        note = OfficeCorrection.model_validate(value, context=_dated_context(at))
    except ValidationError as error:
        raise _validation_problem(path, error) from None
    _exactly(path, note.model_dump(mode="json", exclude_unset=True), value)
    if note.was is not None:
        _check_office_step(f"{path}.was", key, note.was, at)


def _check_duty_correction(path: str, value: Any, at: datetime) -> DutyCorrection:
    if not isinstance(value, dict):
        raise _Refused(path, "must be an object {part, undone, reason, by, date}")
    try:
        note = DutyCorrection.model_validate(value, context=_dated_context(at))
    except ValidationError as error:
        raise _validation_problem(path, error) from None
    _exactly(path, note.model_dump(mode="json", exclude_unset=True), value)
    _not_after(path, note, at)
    return note


def _check_yearly(path: str, name: str, value: Any, at: datetime) -> None:
    if name == "year":
        if isinstance(value, bool) or not isinstance(value, int) or not 2018 <= value <= 2100:
            raise _Refused(path, "must be a year from 2018 to 2100")
        return
    if not isinstance(value, str):
        raise _Refused(path, "must be a date written YYYY-MM-DD")
    try:
        YearlyReport.model_validate(
            {"year": 2018, "published_date": value}, context=_dated_context(at)
        )
    except ValidationError as error:
        raise _validation_problem("annual_report", error) from None
    if date.fromisoformat(value) > at.date() + timedelta(days=1):
        raise _Refused(path, "is after the day the event was recorded")


# -- the event -------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidatedCase:
    """A new case its writer validated (strictly, on `today`), and the flattened dump
    (`fold.flatten`) its `case.created` event's changes were made from, value for value.

    `check_event` takes it for its writer's own event instead of validating the same
    values again (`_check_created`); a peer's event never comes with one."""

    case: Case
    document: dict[str, Any]
    """The nested document of the changes (`unflatten` of them)."""
    values: Mapping[str, Any]
    """Each change's path and value: the very objects the changes hold."""
    today: date
    """The day `case` was validated on (no date in it is later)."""


def check_event(
    event: EventLike,
    relation: Relation,
    *,
    partnership: bool,
    duty_ids: Collection[str],
    keep_case: Callable[[Case, dict[str, Any]], None] | None = None,
    validated: ValidatedCase | None = None,
) -> EventProblem | None:
    """None when `event` keeps the rules for who writes it; else the first problem.

    `relation` says who wrote it (see `Relation`); `partnership` whether its case is a
    partnership record (`AR-…`); `duty_ids` the rule pack's duty rule ids. `keep_case`
    is given, once a `case.created` event of a case (not a partnership record) has
    passed, the case it was validated as and the nested document of its changes that
    was validated (an import projects the new case from them instead of folding and
    validating the same values again). `validated`, for a `case.created` event this
    device made from a case it validated, spares the second validation of the whole
    case when the event's changes are exactly its values and its day is no later than
    the event's own check allows (see `ValidatedCase`); every other rule is checked."""
    try:
        created = _check(event, relation, partnership, duty_ids, validated)
    except _Refused as refused:
        return refused.problem
    if created is not None and keep_case is not None:
        keep_case(*created)
    return None


def check_erased(event: EventLike) -> EventProblem | None:
    """None when what erasure left of an event (no changes: `domain.erasure`) keeps the
    rules its header kept: a UTC time in range, plain author and org, a type this program
    writes (never a certificate: a certificate is never erased); else the first problem."""
    try:
        _check_header(event)
    except _Refused as refused:
        return refused.problem
    if event.type == ERASE_TYPE:
        return EventProblem("type", "an erasure certificate is never erased")
    return None


def _check_header(event: EventLike) -> TypeRule:
    offset = event.at.utcoffset()
    if offset is None or offset != timedelta(0):
        raise _Refused("at", "must be a UTC time (ending Z or +00:00)")
    if not EARLIEST_YEAR <= event.at.year <= LATEST_YEAR:
        raise _Refused("at", f"is not a time from {EARLIEST_YEAR} to {LATEST_YEAR}")
    for name, text in (("author", event.author), ("org", event.org)):
        bad = forbidden_character(text, multiline=False)
        if bad:
            raise _Refused(name, f"holds the control character {bad}")
    rule = EVENT_RULES.get(event.type)
    if rule is None:
        raise _Refused("type", f"{event.type!r} is not an event type this program writes")
    return rule


def _check(
    event: EventLike,
    relation: Relation,
    partnership: bool,
    duty_ids: Collection[str],
    validated: ValidatedCase | None = None,
) -> tuple[Case, dict[str, Any]] | None:
    rule = _check_header(event)
    kinds = rule.kinds.get(relation)
    if kinds is None:
        who = "the office" if relation == "office" else "the record's owner"
        writers = " or ".join(
            "the office (on an LA's case)" if r == "office" else "the record's owner"
            for r in rule.kinds
        )
        raise _Refused(
            "type", f"role rule: {event.type} ({rule.summary}) is written by {writers}, not {who}"
        )
    kinds = kinds & PARTNERSHIP_KINDS if partnership else kinds - {FieldKind.YEARLY_REPORT}
    if rule.single and len(event.changes) != 1:
        raise _Refused("changes", f"a {event.type} event sets exactly one field")
    paths: list[FieldPath] = []
    seen: set[str] = set()
    allowed_parts = (rule.parts or {}).get(
        relation, OWNER_PARTS if relation == "owner" else OFFICE_PARTS
    )
    for change in event.changes:
        if change.field in seen:
            raise _Refused(change.field, "is set twice in one event")
        seen.add(change.field)
        found = (
            _classify_known(change.field, duty_ids)
            if isinstance(duty_ids, frozenset)
            else classify(change.field, duty_ids)
        )
        if found.kind not in kinds or (
            found.kind is FieldKind.DUTY and found.part not in allowed_parts
        ):
            raise _Refused(change.field, _not_allowed(event.type, found, relation, partnership))
        if found.kind is not FieldKind.ERASURE:  # its record's own model bounds it, whole
            _check_shape(change.field, change.value)
        for replaced in change.replaces:
            if not re.fullmatch(r"[0-9a-f]{64}", replaced):
                raise _Refused(change.field, "replaces something that is not an event id")
        _check_value(found, change.value, event)
        paths.append(found)
    if event.type == "case.created":
        return _check_created(event, paths, partnership, validated)
    if event.type == "duty.corrected":
        _check_correction(event, paths, relation)
    elif event.type == "office.corrected":
        _check_office_corrected(paths)
    elif event.type == "office.recorded" and not partnership and len(paths) != 1:
        raise _Refused("changes", "an office.recorded event records one step")
    return None


ROLE_RULES: Final[Mapping[tuple[Relation, FieldKind], str]] = {
    ("owner", FieldKind.OFFICE_STEP): "only the business office records office steps",
    ("owner", FieldKind.OFFICE_CORRECTION): "only the business office corrects office steps",
    ("office", FieldKind.FACT): "the office never changes an LA's facts",
    ("office", FieldKind.DECISION): "the office never records an LA's threshold decision",
    ("office", FieldKind.DUTY): (
        "on an LA's case the office records only acknowledgements and withdrawal confirmations"
    ),
    ("office", FieldKind.YEARLY_REPORT): "the yearly report is a partnership record",
}
"""The role rule each (writer, field kind) breaks that its writer may never set."""


def _writable(relation: Relation, found: FieldPath) -> bool:
    """Whether `relation` may set `found` in some event type."""
    for rule in EVENT_RULES.values():
        kinds = rule.kinds.get(relation, frozenset())
        parts = (rule.parts or {}).get(
            relation, OWNER_PARTS if relation == "owner" else OFFICE_PARTS
        )
        if found.kind in kinds and (found.kind is not FieldKind.DUTY or found.part in parts):
            return True
    return False


def _not_allowed(event_type: str, found: FieldPath, relation: Relation, partnership: bool) -> str:
    """Why `relation` may not set `found` in an event of `event_type`, in one line."""
    if partnership and found.kind not in PARTNERSHIP_KINDS:
        return "role rule: a partnership record holds the yearly report and its duty only"
    if not partnership and found.kind is FieldKind.YEARLY_REPORT:
        return "role rule: annual_report fields belong to the partnership's records (AR-…)"
    if (
        found.kind is FieldKind.DUTY
        and found.part == "withdrawal_confirmed"
        and relation == "owner"
    ):
        return "role rule: only the office confirms a withdrawal (the second person)"
    if not _writable(relation, found):
        return f"role rule: {ROLE_RULES.get((relation, found.kind), 'not written by its author')}"
    what = (
        f"{found.kind.value} fields" if found.part is None else f"{found.kind.value} {found.part}"
    )
    return f"a {event_type} event does not set {what}"


def _check_value(found: FieldPath, value: Any, event: EventLike) -> None:
    at = event.at
    kind, path = found.kind, found.path
    if kind is FieldKind.FACT:
        if event.type != "case.created":  # a new case is checked whole (`_check_created`)
            _check_fact(path, value, at)
    elif kind is FieldKind.DECISION:
        _check_decision(path, value, at)
    elif kind is FieldKind.DUTY:
        if value is None:
            if event.type not in ("duty.corrected", "conflict.resolved"):
                raise _Refused(path, "is cleared only by a correction")
            return
        if event.type == "duty.corrected":
            raise _Refused(path, "a correction clears the part it undoes (null)")
        assert found.part is not None
        _check_record(path, DUTY_RECORDS[found.part], value, at)
    elif kind is FieldKind.DUTY_CORRECTION:
        _check_duty_correction(path, value, at)
    elif kind is FieldKind.OFFICE_STEP:
        assert found.part is not None
        if value is None:
            raise _Refused(path, "an office step is never cleared; correct it instead")
        _check_office_step(path, found.part, value, at)
    elif kind is FieldKind.OFFICE_CORRECTION:
        assert found.part is not None
        _check_office_correction(path, found.part, value, at)
    elif kind is FieldKind.ACCESS:
        _check_record(path, AccessRecord, value, at)
    elif kind is FieldKind.PEOPLE:
        _check_record(path, PeopleRecord, value, at)
    elif kind is FieldKind.HOLD:
        _check_record(path, HoldRecord, value, at)
    elif kind is FieldKind.ERASURE:
        _check_record(path, ErasureRecord, value, at)
        problem = ErasureRecord.model_validate(value).consistent()
        if problem is not None:
            raise _Refused(path, problem)
        if event.author.casefold() != value["by"].casefold():
            raise _Refused(f"{path}.by", "is not the event's author")
    else:
        assert found.part is not None
        _check_yearly(path, found.part, value, at)


def _check_created(
    event: EventLike,
    paths: list[FieldPath],
    partnership: bool,
    validated: ValidatedCase | None = None,
) -> tuple[Case, dict[str, Any]] | None:
    for change in event.changes:
        if change.replaces:
            raise _Refused(change.field, "a new case replaces nothing")
        if change.value is None:
            raise _Refused(change.field, "a new case sets no empty field")
    if partnership:
        if {found.kind for found in paths} != {FieldKind.YEARLY_REPORT}:
            raise _Refused("changes", "a new yearly report record sets annual_report.* only")
        return None
    values = {change.field: change.value for change in event.changes}
    if validated is not None and _same_case(validated, values, event.at):
        return validated.case, validated.document
    document = unflatten(values)
    try:
        case = Case.model_validate(document, context=_dated_context(event.at))
    except ValidationError as error:
        raise _validation_problem("", error) from None
    written = flatten(case.model_dump(mode="json", exclude_none=True))
    for path, value in values.items():
        if path not in written:
            raise _Refused(path, "is not part of the case document")
        _exactly(path, written[path], value)
    return case, document


def _same_case(validated: ValidatedCase, values: Mapping[str, Any], at: datetime) -> bool:
    """Whether `values` are the validated case's own, so that checking them again would
    pass them as they are: a strict validation passes only what the lenient one passes,
    to the same values (the model writes what it reads), and refuses every date after
    its day, which is no later than the event's (`_dated_context`). The values are the
    very objects of the validated dump: `1` for `true` cannot slip in."""
    if validated.today > _dated_context(at)["today"] or len(values) != len(validated.values):
        return False
    own = validated.values
    return all(own.get(path, _ABSENT) is value for path, value in values.items())


_ABSENT: Final = object()


def _check_correction(event: EventLike, paths: list[FieldPath], relation: Relation) -> None:
    notes = [found for found in paths if found.kind is FieldKind.DUTY_CORRECTION]
    cleared = [found for found in paths if found.kind is FieldKind.DUTY]
    if len(notes) != 1 or not cleared:
        raise _Refused(
            "changes", "a correction clears part of one duty's record and keeps one note"
        )
    note_path = notes[0]
    value = next(c.value for c in event.changes if c.field == note_path.path)
    note = DutyCorrection.model_validate(value, context=_dated_context(event.at))
    for found in cleared:
        if found.duty != note_path.duty:
            raise _Refused(found.path, "a correction is about one duty")
        if found.part not in CORRECTION_CLEARS[note.part]:
            raise _Refused(found.path, f"a correction of {note.part} does not clear {found.part}")
    if relation == "office" and note.part != "acknowledged":
        raise _Refused(note_path.path, "the office corrects only its acknowledgements")
    assert note.part in PARTS


def _check_office_corrected(paths: list[FieldPath]) -> None:
    steps = [found.part for found in paths if found.kind is FieldKind.OFFICE_STEP]
    notes = [found.part for found in paths if found.kind is FieldKind.OFFICE_CORRECTION]
    if len(steps) != 1 or notes != steps:
        raise _Refused("changes", "an office correction sets one step and its correction note")


def _who_sets(event_type: str, rule: TypeRule, relation: Relation, partnership: bool) -> str:
    """The fields `relation` may set with `rule`'s events, in words ("—" for none)."""
    kinds = rule.kinds.get(relation)
    if kinds is None:
        return "—"
    kinds = kinds & PARTNERSHIP_KINDS if partnership else kinds - {FieldKind.YEARLY_REPORT}
    if not kinds:
        return "—"
    parts = (rule.parts or {}).get(relation, OWNER_PARTS if relation == "owner" else OFFICE_PARTS)
    words = []
    for kind in FieldKind:
        if kind not in kinds:
            continue
        if kind is FieldKind.DUTY:
            verb = "clears duty " if event_type == "duty.corrected" else "duty "
            words.append(verb + ", ".join(part for part in DUTY_PARTS if part in parts))
        else:
            words.append(kind.value)
    return "; ".join(words)


def role_table() -> list[tuple[str, str, str, str, str]]:
    """Each event type: what it records, and the fields it may set written by an LA on
    its own case, by the office on an LA's case, by the office on its partnership
    record (docs/bundle-format.md, "Who may write what", is this table)."""
    return [
        (
            event_type,
            rule.summary,
            _who_sets(event_type, rule, "owner", partnership=False),
            _who_sets(event_type, rule, "office", partnership=False),
            _who_sets(event_type, rule, "owner", partnership=True),
        )
        for event_type, rule in EVENT_RULES.items()
    ]


def role_table_markdown() -> str:
    """`role_table` as the Markdown table in docs/bundle-format.md."""
    lines = [
        "| event type | records | an LA, on a case its organisation created | the office, "
        "on an LA's case | the office, on its partnership record (`AR-…`) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in role_table():
        lines.append("| `" + row[0] + "` | " + " | ".join(row[1:]) + " |")
    return "\n".join(lines) + "\n"
