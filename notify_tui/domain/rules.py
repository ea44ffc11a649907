"""The rule pack: statutory rules as versioned data, and the assessment that applies them.

A rule pack is a JSON file shipped in `notify_tui/domain/data/`. Each rule names its
source, its version and the date it took effect; its `when` clause is a small
condition language over facts:

    {"fact": "outcome", "in": ["died", "seriously_harmed"], "reason": "the child {outcome_text}"}
    {"fact": "panel_notified_date", "present": true}
    {"duty": "panel-notification"}                 another duty was raised
    {"setting": "rapid_review_start", "eq": "panel_notified_date"}
    {"any": [...]} / {"all": [...]} / {"not": {...}}

A clause's `reason` (a template over the facts and derived values) is reported when
the clause holds, so every duty says which facts made it fire. Deadlines are
`{"working_days" | "calendar_days" | "calendar_months" | "calendar_hours": N, "start": FACT}`
where N or the start may be `{"setting": NAME}`: a choice the pack declares with a
default and its source, for points where the guidance disagrees. `{"working_days_before":
N, "start": FACT}` counts back: the Nth working day before FACT (FACT itself not counted),
for a date planned ahead such as a publication. A deadline may also name other deadlines
to use `instead` when a setting has a value:

    {"working_days": {"setting": "cdop_working_days"}, "start": "aware_date",
     "instead": [{"setting": "cdop_deadline", "eq": "24_hours",
                  "deadline": {"calendar_hours": 24, "start": "aware_date"}}]}

An advisory's `message` is a template over the facts, like a reason (`{home_area_text}`).

Each rule counts on a clock: `"clock": "national"` (the default: Monday to Friday less
England's bank holidays, as statutory deadlines are counted) or `"local"` (the national
days less the authority's closure days, for a partnership's own rules). The pack's
`office_steps` gives, for each area of the office workflow, its steps in order and the
steps each one needs recorded first (see `notify_tui.domain.office`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from importlib import resources
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from notify_tui.domain import office
from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.models import Case, Facts, Outcome, age_on, describe_validation_error
from notify_tui.domain.status import StatusAnswer
from notify_tui.errors import InvalidInput

SettingValue = int | str

START_FACTS = frozenset(
    {
        "event_date",
        "aware_date",
        "panel_notified_date",
        "lcspr_decision_date",
        "lcspr_planned_publication_date",
        "annual_report_published_date",
    }
)
"""Facts a deadline may count from."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SettingRef(_Strict):
    """A value taken from a rule pack setting (its default unless configured)."""

    setting: str


class FactTest(_Strict):
    """A test of one fact: equality, membership or presence."""

    fact: str
    eq: Any = None
    in_: list[Any] | None = Field(None, alias="in")
    present: bool | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _one_test(self) -> FactTest:
        tests = [self.eq is not None, self.in_ is not None, self.present is not None]
        if sum(tests) != 1:
            raise ValueError(f"fact test on {self.fact!r} needs exactly one of eq, in, present")
        return self


class DutyTest(_Strict):
    """Holds when another (earlier) rule raised its duty."""

    duty: str
    reason: str | None = None


class SettingTest(_Strict):
    """Holds when a setting has a given value."""

    setting: str
    eq: SettingValue
    reason: str | None = None


class AnyOf(_Strict):
    """Holds when any branch holds; reports the first that does."""

    any: list[Condition]
    reason: str | None = None


class AllOf(_Strict):
    """Holds when every branch holds."""

    all: list[Condition]
    reason: str | None = None


class NotOf(_Strict):
    """Holds when its branch does not."""

    not_: Condition = Field(alias="not")
    reason: str | None = None


Condition = Annotated[
    FactTest | DutyTest | SettingTest | AnyOf | AllOf | NotOf, Field(union_mode="smart")
]
for _model in (AnyOf, AllOf, NotOf):
    _model.model_rebuild()

Amount = int | SettingRef
Start = str | SettingRef
Clock = Literal["national", "local"]
"""Which working days a rule counts: national (statutory) or local (less closure days)."""


class Deadline(_Strict):
    """How a due date follows from a start fact (or, counting back, precedes it)."""

    working_days: Amount | None = None
    calendar_days: Amount | None = None
    calendar_months: Amount | None = None
    calendar_hours: Amount | None = None
    working_days_before: Amount | None = Field(
        None, description="The Nth working day before the start (a date planned ahead)."
    )
    start: Start
    instead: list[DeadlineChoice] = Field(
        default_factory=list,
        description="Deadlines used instead of this one when a setting has a value.",
    )

    @model_validator(mode="after")
    def _one_unit(self) -> Deadline:
        if sum(unit is not None for unit in self.units()) != 1:
            raise ValueError("a deadline needs exactly one unit")
        if any(choice.deadline.instead for choice in self.instead):
            raise ValueError("a deadline used instead may not name deadlines of its own")
        return self

    def units(self) -> tuple[Amount | None, ...]:
        """Every unit field (exactly one is set)."""
        return (
            self.working_days,
            self.calendar_days,
            self.calendar_months,
            self.calendar_hours,
            self.working_days_before,
        )

    def chosen(self, settings: Mapping[str, Any]) -> Deadline:
        """The deadline in force with these settings: the first `instead` whose setting
        has its value, else this one."""
        for choice in self.instead:
            if settings.get(choice.setting) == choice.eq:
                return choice.deadline
        return self


class DeadlineChoice(_Strict):
    """A deadline used instead of its rule's usual one while a setting has a value."""

    setting: str
    eq: SettingValue
    deadline: Deadline


Deadline.model_rebuild()


class Rule(_Strict):
    """One statutory rule (a duty) or an advisory, with its source."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    kind: Literal["duty", "advisory"]
    scope: Literal["case", "partnership"] = "case"
    title: str
    version: int = Field(ge=1)
    effective_from: date = Field(description="The first day this version is in force.")
    until: date | None = Field(
        None, description="The day a later version replaced it (exclusive); none when current."
    )
    began: bool = Field(
        False,
        description="The duty itself began with this version (before it there was none).",
    )
    recipients: list[str] = Field(default_factory=list)
    when: list[Condition] = Field(min_length=1)
    deadline: Deadline | None = None
    done_when: str | None = Field(
        None,
        pattern=r"^office\.[a-z0-9_.]+$",
        description="An office workflow field whose date completes this duty.",
    )
    message: str | None = None
    source: str = Field(min_length=3)
    clock: Clock = Field(
        "national",
        description="national: statutory working days; local: less the closure days.",
    )

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        if self.kind == "duty" and (not self.recipients or self.deadline is None):
            raise ValueError(f"duty {self.id!r} needs recipients and a deadline")
        if self.kind == "advisory" and not self.message:
            raise ValueError(f"advisory {self.id!r} needs a message")
        if self.until is not None and self.until <= self.effective_from:
            raise ValueError(
                f"rule {self.id!r} version {self.version}: until {self.until} must be after"
                f" effective_from {self.effective_from}"
            )
        return self

    def in_force_on(self, day: date) -> bool:
        """Whether this version is the law on `day` (from `effective_from`, before `until`)."""
        return self.effective_from <= day and (self.until is None or day < self.until)


class Setting(_Strict):
    """A configurable point where sources disagree, with its default."""

    help: str
    default: SettingValue
    choices: list[SettingValue] = Field(min_length=1)
    source: str

    @model_validator(mode="after")
    def _default_allowed(self) -> Setting:
        if self.default not in self.choices:
            raise ValueError("a setting's default must be one of its choices")
        return self


class OfficeStepRule(_Strict):
    """One office step and the steps that must be recorded before it."""

    step: str = Field(description="A step of its area, e.g. sent_to_panel.")
    after: list[str] = Field(
        default_factory=list,
        description="Steps recorded first: a step of the same area, or AREA.STEP of another.",
    )


class OfficeArea(_Strict):
    """An area of the office workflow: its steps in order, with the source of the order."""

    steps: list[OfficeStepRule] = Field(min_length=1)
    source: str = Field(min_length=3)


class RulePack(_Strict):
    """A versioned set of rules."""

    id: str
    version: str
    title: str
    effective_from: date
    settings: dict[str, Setting] = Field(default_factory=dict)
    rules: list[Rule]
    office_steps: dict[str, OfficeArea] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        """The name assessments record, e.g. "england-2025.2"."""
        return f"{self.id}-{self.version}"

    @model_validator(mode="after")
    def _references(self) -> RulePack:
        for versions in self.versions_by_id().values():
            _check_versions(versions)
        seen: set[str] = set()
        for rule in self.rules:
            for name in _settings_named(rule):
                if name not in self.settings:
                    raise ValueError(f"rule {rule.id!r} uses unknown setting {name!r}")
            for duty in _duties_named(rule.when):
                if duty not in seen:
                    raise ValueError(f"rule {rule.id!r} depends on {duty!r}, not defined before it")
            deadlines = [] if rule.deadline is None else [rule.deadline]
            deadlines += [c.deadline for c in rule.deadline.instead] if rule.deadline else []
            for deadline in deadlines:
                start = deadline.start
                starts: list[SettingValue | SettingRef] = (
                    list(self.settings[start.setting].choices)
                    if isinstance(start, SettingRef) and start.setting in self.settings
                    else [start]
                )
                for start_name in starts:
                    if start_name not in START_FACTS:
                        raise ValueError(
                            f"rule {rule.id!r} starts its clock from unknown {start_name!r}"
                        )
            for choice in rule.deadline.instead if rule.deadline else []:
                if choice.eq not in self.settings[choice.setting].choices:
                    raise ValueError(
                        f"rule {rule.id!r}: {choice.eq!r} is not a choice of {choice.setting!r}"
                    )
            if rule.kind == "duty":
                seen.add(rule.id)
        self.office_order()
        return self

    def office_order(self) -> office.StepOrder:
        """The order of the office steps, checked: every step named is a step of
        `domain.office`, listed once, and needs only steps listed before it."""
        requires: dict[str, tuple[str, ...]] = {}
        for area, spec in self.office_steps.items():
            for entry in spec.steps:
                key = _office_step_key(area, entry.step, "office step")
                if key in requires:
                    raise ValueError(f"office step {key!r} appears twice")
                needed = tuple(_office_step_key(area, name, f"{key} after") for name in entry.after)
                for name in needed:
                    if name not in requires:
                        raise ValueError(
                            f"office step {key!r} needs {name!r}, not listed before it"
                        )
                requires[key] = needed
        return office.StepOrder(requires)

    def versions_by_id(self) -> dict[str, list[Rule]]:
        """Each rule id (in the order it first appears) with its versions, oldest first."""
        grouped: dict[str, list[Rule]] = {}
        for rule in self.rules:
            grouped.setdefault(rule.id, []).append(rule)
        return {
            rule_id: sorted(versions, key=lambda v: v.effective_from)
            for rule_id, versions in grouped.items()
        }

    def versions(self, rule_id: str) -> list[Rule]:
        """The versions of one rule, oldest first."""
        versions = self.versions_by_id().get(rule_id)
        if not versions:
            raise KeyError(rule_id)
        return versions

    def rule(self, rule_id: str, on: date | None = None) -> Rule:
        """The version of a rule in force on `on` (the latest version when `on` is None)."""
        versions = self.versions(rule_id)
        if on is None:
            return versions[-1]
        for version in versions:
            if version.in_force_on(on):
                return version
        raise KeyError(f"{rule_id} on {on}")

    def resolve_settings(self, overrides: Mapping[str, SettingValue] | None) -> dict[str, Any]:
        """Defaults with validated overrides applied."""
        values: dict[str, Any] = {name: s.default for name, s in self.settings.items()}
        for name, value in (overrides or {}).items():
            if name not in self.settings:
                raise InvalidInput(f"setting {name}: not a setting of rule pack {self.label}")
            if value not in self.settings[name].choices:
                choices = ", ".join(str(c) for c in self.settings[name].choices)
                raise InvalidInput(f"setting {name}: must be one of {choices}")
            values[name] = value
        return values


def _check_versions(versions: list[Rule]) -> None:
    """The versions of one rule id (oldest first): one kind and scope, distinct numbers
    rising with their dates, and no two in force on the same day (gaps are allowed: the
    duty did not exist then)."""
    first = versions[0]
    for earlier, later in zip(versions, versions[1:], strict=False):
        name = f"rule {first.id!r}"
        if (later.kind, later.scope) != (first.kind, first.scope):
            raise ValueError(f"{name}: every version must have the same kind and scope")
        if later.version == earlier.version:
            raise ValueError(f"{name}: version {later.version} appears twice")
        if later.version < earlier.version:
            raise ValueError(
                f"{name}: version {later.version} (from {later.effective_from}) must be numbered"
                f" after version {earlier.version} (from {earlier.effective_from})"
            )
        if earlier.until is None or earlier.until > later.effective_from:
            raise ValueError(
                f"{name}: versions {earlier.version} (from {earlier.effective_from}) and"
                f" {later.version} (from {later.effective_from}) overlap; give version"
                f" {earlier.version} an until on or before {later.effective_from}"
            )


def _office_step_key(area: str, name: str, where: str) -> str:
    key = name if "." in name else f"{area}.{name}"
    if key not in office.STEP_LABELS:
        raise ValueError(
            f"{where} {key!r} is not an office step (steps: {', '.join(office.STEP_LABELS)})"
        )
    return key


def _walk(conditions: Iterable[Condition]) -> Iterable[Condition]:
    for condition in conditions:
        yield condition
        if isinstance(condition, AnyOf):
            yield from _walk(condition.any)
        elif isinstance(condition, AllOf):
            yield from _walk(condition.all)
        elif isinstance(condition, NotOf):
            yield from _walk([condition.not_])


def _duties_named(conditions: Iterable[Condition]) -> set[str]:
    return {c.duty for c in _walk(conditions) if isinstance(c, DutyTest)}


def _settings_named(rule: Rule) -> set[str]:
    names = {c.setting for c in _walk(rule.when) if isinstance(c, SettingTest)}
    if rule.deadline is not None:
        names.update(choice.setting for choice in rule.deadline.instead)
        for d in [rule.deadline, *(choice.deadline for choice in rule.deadline.instead)]:
            for value in d.units():
                if isinstance(value, SettingRef):
                    names.add(value.setting)
            if isinstance(d.start, SettingRef):
                names.add(d.start.setting)
    return names


def parse_rule_pack(data: Any) -> RulePack:
    """Validate a rule pack document."""
    try:
        return RulePack.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(f"rule pack: {describe_validation_error(error)}") from None


@cache
def default_rule_pack() -> RulePack:
    """The rule pack shipped with this version of notify-tui."""
    text = resources.files("notify_tui.domain").joinpath("data/rulepack-england.json").read_text()
    return parse_rule_pack(json.loads(text))


PER_SUBJECT_DUTIES = frozenset(
    {"cdop-notification", "lac-death-notification", "care-leaver-death-notification"}
)
"""Duties owed per child (one per qualifying subject), not once per incident. The first
subject's keeps the rule's id; the Nth's (N >= 2, its 1-based place in the case's
`subjects`) is `ID@N` (see `subject_duty_id`)."""


def base_duty_id(duty_id: str) -> str:
    """The rule id of a duty id: `cdop-notification@2` -> `cdop-notification`.

    Compare a duty id with a rule id (or a table keyed by rule id) through this."""
    return duty_id.split("@", 1)[0]


def subject_duty_id(rule_id: str, position: int) -> str:
    """The id of a per-child duty for the subject at 1-based `position`."""
    return rule_id if position == 1 else f"{rule_id}@{position}"


def duty_subject(duty_id: str) -> int | None:
    """The 1-based subject position a per-child duty id names (1 for the bare id);
    None for a duty owed once per incident (or an id that is not a duty id)."""
    base, at, number = duty_id.partition("@")
    if base not in PER_SUBJECT_DUTIES:
        return None
    if not at:
        return 1
    return int(number) if number.isdigit() and int(number) >= 2 else None


def subject_label(position: int) -> str:
    """How a subject is named where names must not go (reasons, logs): "child 2"."""
    return f"child {position}"


def per_subject_name(name: str, duty_id: str) -> str:
    """A duty's name with its child's place for `ID@N`: "CDOP notification (child 2)";
    the bare id (the first child's, or a once-per-incident duty's) keeps the name."""
    position = duty_subject(duty_id)
    return name if position is None or position == 1 else f"{name} ({subject_label(position)})"


class DutyAssessment(BaseModel):
    """A duty the facts raise, with its due date and the reasons it fired."""

    id: str
    title: str
    recipients: list[str]
    due: date | None = Field(description="Null until the start fact is known.")
    start: date | None
    deadline: str = Field(description='The rule in words, e.g. "5 working days after ...".')
    reasons: list[str]
    source: str
    rule_version: int
    effective_from: date | None = Field(None, description="When that rule version took effect.")
    in_force_on: date | None = Field(
        None,
        description="The day the version was chosen by (the clock's start, else the day"
        " the LA became aware); null when no date was known and the current version applied.",
    )
    done_when: str | None = None
    clock: Clock = Field(
        "national",
        description="national: counted in statutory working days; local: less closure days.",
    )
    subject: int | None = Field(
        None,
        description="A per-child duty's subject: its 1-based place in the case's subjects "
        "(null for a duty owed once per incident).",
    )
    subject_label: str | None = Field(
        None, description='Whose a per-child duty is, by place, e.g. "child 2".'
    )


class Assessment(BaseModel):
    """What the facts require: duties, advisories and the rule pack used."""

    rulepack: str
    duties: list[DutyAssessment]
    advisories: list[str]

    def duty(self, duty_id: str) -> DutyAssessment | None:
        """The duty with this id, if raised."""
        return next((d for d in self.duties if d.id == duty_id), None)


START_LABELS = {
    "aware_date": "the LA became aware",
    "event_date": "the event",
    "panel_notified_date": "the Panel notification was sent",
    "lcspr_decision_date": "partners decided to hold a local review",
    "lcspr_planned_publication_date": "the planned publication date",
    "annual_report_published_date": "the yearly report was published",
}


def derived_facts(facts: Facts | Mapping[str, Any]) -> dict[str, Any]:
    """The facts plus the values rules and reasons use (age, child, wording)."""
    values: dict[str, Any] = facts.model_dump() if isinstance(facts, Facts) else dict(facts)
    born: date | None = values.get("date_of_birth")
    event: date | None = values.get("event_date")
    unborn = bool(values.get("unborn"))
    age = age_on(born, event) if born is not None and event is not None else None
    values["age_at_event"] = age
    values["is_born_child"] = age is not None and age < 18 and not unborn
    values["is_child"] = unborn or values["is_born_child"]
    values["under_25"] = age is not None and age < 25
    outcome = str(values.get("outcome"))
    values["outcome_text"] = {
        Outcome.died.value: "died",
        Outcome.seriously_harmed.value: "was seriously harmed",
    }.get(outcome, "was not seriously harmed")
    if unborn:
        values["child_text"] = "an unborn child"
    elif age is not None and age < 18:
        values["child_text"] = f"aged {age} on the date of the event (under 18)"
    else:
        values["child_text"] = f"aged {age} on the date of the event (not a child)"
    values["care_leaver_age_text"] = f"aged {age} when they died (under 25)"
    status = (
        facts.care_status()
        if isinstance(facts, Facts)
        else StatusAnswer(bool(values.get("looked_after")), bool(values.get("care_leaver")))
    )
    values["looked_after"] = status.looked_after
    values["care_leaver"] = status.care_leaver
    values["looked_after_text"] = status.looked_after_text
    values["care_leaver_text"] = status.care_leaver_text
    values["status_notes"] = list(status.notes)
    home = values.get("home_la")
    values["home_area_text"] = home if home else "the LA where the child normally lived"
    return values


class _Formatter(dict[str, Any]):
    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _amount(value: Amount | None, settings: Mapping[str, Any]) -> int | None:
    if isinstance(value, SettingRef):
        return int(settings[value.setting])
    return value


def due_date(
    deadline: Deadline,
    start: date,
    calendar: WorkingDayCalendar,
    settings: Mapping[str, Any],
) -> date:
    """The due date of a deadline from its start date.

    A start date has no time of day, so a deadline in hours counts from the start of
    that day and is due on the day the hours end: 24 hours after Fri 27 Nov is Sat 28 Nov
    (by the time of day the LA became aware), weekends and bank holidays included."""
    deadline = deadline.chosen(settings)
    before = _amount(deadline.working_days_before, settings)
    if before is not None:
        return calendar.subtract_working_days(start, before)
    working = _amount(deadline.working_days, settings)
    if working is not None:
        if working == 0:
            return calendar.next_working_day_on_or_after(start)
        return calendar.add_working_days(start, working)
    days = _amount(deadline.calendar_days, settings)
    if days is not None:
        return start + timedelta(days=days)
    months = _amount(deadline.calendar_months, settings)
    if months is not None:
        return calendar.add_calendar_months(start, months)
    hours = _amount(deadline.calendar_hours, settings)
    assert hours is not None  # a Deadline has exactly one unit
    return calendar.add_calendar_hours(datetime.combine(start, time()), hours).date()


def describe_deadline(deadline: Deadline, settings: Mapping[str, Any]) -> str:
    """The deadline in words."""
    deadline = deadline.chosen(settings)
    start_name = _start_fact(deadline, settings)
    start = START_LABELS.get(start_name, start_name)
    before = _amount(deadline.working_days_before, settings)
    if before is not None:
        return f"{before} working day{'' if before == 1 else 's'} before {start}"
    hours = _amount(deadline.calendar_hours, settings)
    if hours is not None:
        plural = "" if hours == 1 else "s"
        return f"{hours} hour{plural} after {start}, weekends and holidays included"
    for unit, value in (
        ("working day", deadline.working_days),
        ("calendar day", deadline.calendar_days),
        ("calendar month", deadline.calendar_months),
    ):
        amount = _amount(value, settings)
        if amount is not None:
            if amount == 0 and unit == "working day":
                return f"on the working day {start}"
            plural = "" if amount == 1 else "s"
            return f"{amount} {unit}{plural} after {start}"
    raise AssertionError("a deadline has exactly one unit")


def _start_fact(deadline: Deadline, settings: Mapping[str, Any]) -> str:
    deadline = deadline.chosen(settings)
    if isinstance(deadline.start, SettingRef):
        return str(settings[deadline.start.setting])
    return deadline.start


def calendar_for(clock: Clock, calendar: WorkingDayCalendar) -> WorkingDayCalendar:
    """The calendar a rule on `clock` counts with, from the local calendar: its national
    days (no closures) for a statutory rule, the calendar itself for a local one."""
    return calendar if clock == "local" else calendar.national()


@lru_cache(maxsize=4096)
def _day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _day_fact(rule: Rule, settings: Mapping[str, Any]) -> str:
    """The fact whose date chooses a rule's version: its clock's start, else aware_date.

    A deadline counted back from a planned date (`working_days_before`) has no start in
    the past: a plan may lie in the future, when no rule can be known to be in force, so
    the day the LA became aware chooses its version."""
    deadline = rule.deadline
    if deadline is None or deadline.working_days_before is not None:
        return "aware_date"
    return _start_fact(deadline, settings)


def _choose_version(
    versions: list[Rule],
    values: Mapping[str, Any],
    settings: Mapping[str, Any],
    day_facts: Mapping[int, str] | None = None,
) -> tuple[Rule | None, tuple[str, date] | None]:
    """The version in force on the subject's day, with that day; with no day known, the
    current (latest) version; None when no version was in force on the day. `day_facts`
    holds `_day_fact` of each version (by `id`), when compiled.

    A version's day is the date of its `_day_fact` (the start of the rule's clock) when
    known, else the day the LA became aware; a version with neither is passed over."""
    day: tuple[str, date] | None = None
    for version in versions:
        fact = (None if day_facts is None else day_facts[id(version)]) or _day_fact(
            version, settings
        )
        when = values.get(fact)
        if not isinstance(when, date):
            fact, when = "aware_date", values.get("aware_date")
            if not isinstance(when, date):
                continue
        day = (fact, when)
        if version.in_force_on(when):
            return version, day
    if day is None:
        return versions[-1], None
    return None, day


def _version_reason(rule: Rule, day: tuple[str, date] | None) -> str:
    since = f"version {rule.version}, from {_day_text(rule.effective_from)}"
    if rule.until is not None:
        since += f" until {_day_text(rule.until - timedelta(days=1))}"
    if day is None:
        return f"rule as in force now ({since}): no date yet to choose a version by"
    return f"rule as in force on {_day_text(day[1])} ({since})"


def _advise_each(advise: Callable[[str], None], messages: list[tuple[str, str]]) -> None:
    """Give each subject's note once: unlabelled when every subject it came from said the
    same, else each with its subject's label ("subject 2: ..."), so a note about one child
    of several says which."""
    if len({message for _, message in messages}) <= 1 and messages:
        advise(messages[0][1])
        return
    for label, message in messages:
        advise(f"{label}{message}")


def _not_yet_in_force(later: Rule, day: tuple[str, date]) -> str:
    """Why a duty a later version would raise is not raised: it did not apply on the day."""
    title = later.title[:1].lower() + later.title[1:]
    fact, when = day
    known = f"{START_LABELS.get(fact, fact)} on {_day_text(when)}"
    began = _day_text(later.effective_from)
    source = later.source.split("; ")[0].split(": ")[0]
    if later.began:
        return f"No duty to {title}: that duty began on {began} ({source}); {known}."
    return (
        f"No duty to {title}: this rule pack holds that duty from {began} ({source});"
        f" {known}: check the guidance in force then."
    )


Test = Callable[[Mapping[str, Any], set[str], list[str]], bool]
"""A compiled condition: (derived facts, duties raised so far, reasons) -> whether it
holds. When it holds it adds its reasons to the list: its own `reason` (formatted with
the facts) when it has one, else the reasons of the branches that held; a branch of
`any` that does not hold adds nothing, and a negated branch never adds any."""


@dataclass(frozen=True)
class CompiledPack:
    """A rule pack compiled for one set of settings (`compile_pack`).

    What `_evaluate` would otherwise work out for every case: the resolved settings,
    each scope's rules with their versions in date order, and every version's
    conditions as closures (a setting test is decided once; a fact test reads one
    value), instead of interpreting the condition trees case by case."""

    pack: RulePack
    settings: Mapping[str, Any]
    versions: Mapping[str, list[tuple[str, list[Rule]]]]
    """Per scope, each rule id with its versions, oldest first."""
    tests: Mapping[int, list[Test]]
    """Per version (by `id` of its Rule, held alive by `pack`), its compiled `when`."""
    holds: Mapping[int, Test]
    """Per version (by `id`), one test of all its `tests` (`_all_of`)."""
    day_facts: Mapping[int, str]
    """Per version (by `id`), the fact whose date chooses it (`_day_fact`)."""
    deadlines: Mapping[int, tuple[str, str]]
    """Per version with a deadline (by `id`), the fact its clock starts from
    (`_start_fact`) and the deadline in words (`describe_deadline`)."""


def compile_pack(
    pack: RulePack | None = None, overrides: Mapping[str, SettingValue] | None = None
) -> CompiledPack:
    """Compile a rule pack with settings once, for many assessments (`assess_case`)."""
    pack = pack or default_rule_pack()
    settings = pack.resolve_settings(overrides)
    versions: dict[str, list[tuple[str, list[Rule]]]] = {}
    tests: dict[int, list[Test]] = {}
    holds: dict[int, Test] = {}
    day_facts: dict[int, str] = {}
    deadlines: dict[int, tuple[str, str]] = {}
    for rule_id, rule_versions in pack.versions_by_id().items():
        versions.setdefault(rule_versions[0].scope, []).append((rule_id, rule_versions))
        for rule in rule_versions:
            tests[id(rule)] = [_compile(condition, settings) for condition in rule.when]
            holds[id(rule)] = _all_of(tests[id(rule)])
            day_facts[id(rule)] = _day_fact(rule, settings)
            if rule.deadline is not None:
                deadlines[id(rule)] = (
                    _start_fact(rule.deadline, settings),
                    describe_deadline(rule.deadline, settings),
                )
    return CompiledPack(pack, settings, versions, tests, holds, day_facts, deadlines)


def _all_of(tests: list[Test]) -> Test:
    """Whether every test holds, stopping at the first that does not (each adds its
    reasons as it holds); a version's one test is itself."""
    if len(tests) == 1:
        return tests[0]

    def every(values: Mapping[str, Any], raised: set[str], reasons: list[str]) -> bool:
        # A loop, not `all()` of a generator: this runs for every rule and subject.
        for test in tests:  # noqa: SIM110
            if not test(values, raised, reasons):
                return False
        return True

    return every


def _compile(condition: Condition, settings: Mapping[str, Any]) -> Test:
    """One condition as a `Test`: its reason, or its branches' reasons, when it holds."""
    inner = _compile_inner(condition, settings)
    reason = condition.reason
    if reason:

        def with_reason(values: Mapping[str, Any], raised: set[str], reasons: list[str]) -> bool:
            if inner(values, raised, []):
                reasons.append(reason.format_map(_Formatter(values)))
                return True
            return False

        return with_reason

    def found_reasons(values: Mapping[str, Any], raised: set[str], reasons: list[str]) -> bool:
        found: list[str] = []
        if inner(values, raised, found):
            reasons.extend(found)
            return True
        return False

    return found_reasons


def _compile_inner(condition: Condition, settings: Mapping[str, Any]) -> Test:
    """Whether one condition holds, collecting its branches' reasons into the list."""
    if isinstance(condition, FactTest):
        fact = condition.fact
        if condition.present is not None:
            present = condition.present
            return lambda values, _raised, _reasons: (values.get(fact) is not None) is present
        if condition.in_ is not None:
            choices = condition.in_
            return lambda values, _raised, _reasons: values.get(fact) in choices
        equal = condition.eq
        return lambda values, _raised, _reasons: bool(values.get(fact) == equal)
    if isinstance(condition, DutyTest):
        duty = condition.duty
        return lambda _values, raised, _reasons: duty in raised
    if isinstance(condition, SettingTest):
        decided = bool(settings.get(condition.setting) == condition.eq)
        return lambda _values, _raised, _reasons: decided
    if isinstance(condition, AnyOf):
        branches = [_compile(branch, settings) for branch in condition.any]
        return lambda values, raised, reasons: any(
            branch(values, raised, reasons) for branch in branches
        )
    if isinstance(condition, AllOf):
        parts = [_compile(branch, settings) for branch in condition.all]

        def all_of(values: Mapping[str, Any], raised: set[str], reasons: list[str]) -> bool:
            found: list[str] = []
            if all(part(values, raised, found) for part in parts):
                reasons.extend(found)
                return True
            return False

        return all_of
    negated = _compile(condition.not_, settings)
    return lambda values, raised, _reasons: not negated(values, raised, [])


def _evaluate(
    pack: RulePack | None,
    subjects: list[tuple[str, dict[str, Any]]],
    calendar: WorkingDayCalendar,
    overrides: Mapping[str, SettingValue] | None,
    scope: Literal["case", "partnership"],
    compiled: CompiledPack | None = None,
) -> Assessment:
    if compiled is None:
        compiled = compile_pack(pack, overrides)
    pack = compiled.pack
    settings = compiled.settings
    holds = compiled.holds
    raised: dict[str, DutyAssessment] = {}
    advisories: list[str] = []

    def advise(message: str) -> None:
        if message not in advisories:
            advisories.append(message)

    for label, values in subjects:
        for note in values.get("status_notes", []):
            advise(f"{label}{note}")

    raised_ids: set[str] = set()  # the base ids of `raised`, kept in step with it
    for rule_id, versions in compiled.versions.get(scope, []):
        reasons: list[str] = []
        messages: list[tuple[str, str]] = []
        # (start, version, day) of each subject that raised it: the earliest start sets
        # the clock, and its version the rule applied.
        fired: list[tuple[date | None, Rule, tuple[str, date] | None]] = []
        by_subject: list[_SubjectFiring] = []
        for position, (label, values) in enumerate(subjects, 1):
            rule, day = _choose_version(versions, values, settings, compiled.day_facts)
            if rule is None:
                assert day is not None
                later = next((v for v in versions if v.effective_from > day[1]), None)
                if (
                    later is not None
                    and later.kind == "duty"
                    and holds[id(later)](values, raised_ids, [])
                ):
                    messages.append((label, _not_yet_in_force(later, day)))
                continue
            found: list[str] = []
            if holds[id(rule)](values, raised_ids, found):
                reasons.extend(f"{label}{reason}" for reason in found)
                if rule.message is not None:
                    messages.append((label, rule.message.format_map(_Formatter(values))))
                start = None
                if rule.deadline is not None:
                    value = values.get(compiled.deadlines[id(rule)][0])
                    start = value if isinstance(value, date) else None
                fired.append((start, rule, day))
                by_subject.append(_SubjectFiring(position, found, start))
        # An advisory's messages, or a duty's notes that it was not yet in force.
        if messages:
            _advise_each(advise, messages)
        if not fired:
            continue
        if fired[0][1].kind == "advisory":
            continue
        dated = [entry for entry in fired if entry[0] is not None]
        start, rule, day = min(dated, key=lambda entry: entry[0] or date.max) if dated else fired[0]
        assert rule.deadline is not None
        subject_reasons = list(reasons)
        reasons.append(_version_reason(rule, day))
        raised[rule_id] = DutyAssessment(
            id=rule.id,
            title=rule.title,
            recipients=list(rule.recipients),
            due=(
                due_date(rule.deadline, start, calendar_for(rule.clock, calendar), settings)
                if start
                else None
            ),
            start=start,
            deadline=compiled.deadlines[id(rule)][1],
            reasons=reasons,
            source=rule.source,
            rule_version=rule.version,
            effective_from=rule.effective_from,
            in_force_on=day[1] if day else None,
            done_when=rule.done_when,
            clock=rule.clock,
        )
        if rule.id in PER_SUBJECT_DUTIES:
            shared = raised.pop(rule.id)
            for duty in _per_subject(
                shared, rule, subject_reasons, by_subject, len(subjects) > 1, calendar, settings
            ):
                raised[duty.id] = duty
        raised_ids = {base_duty_id(d) for d in raised}
    return Assessment(rulepack=pack.label, duties=list(raised.values()), advisories=advisories)


class _SubjectFiring(NamedTuple):
    """One subject for whom a rule's conditions held: its place, reasons and start."""

    position: int
    reasons: list[str]
    start: date | None


def _per_subject(
    shared: DutyAssessment,
    rule: Rule,
    subject_reasons: list[str],
    firings: list[_SubjectFiring],
    many: bool,
    calendar: WorkingDayCalendar,
    settings: Mapping[str, Any],
) -> list[DutyAssessment]:
    """A per-child duty split into one duty per subject who raised it.

    Each keeps what the shared duty says beyond the subjects' reasons (the rule's
    version and the like) and has its own reasons, named by place ("child 2: ...") in a
    case of several subjects, never by name, and its own clock."""
    rest = [reason for reason in shared.reasons if reason not in subject_reasons]
    duties: list[DutyAssessment] = []
    for firing in firings:
        label = subject_label(firing.position)
        duty_id = subject_duty_id(rule.id, firing.position)
        due = shared.due
        if firing.start != shared.start:  # the subjects' start facts differ
            assert rule.deadline is not None
            due = (
                due_date(rule.deadline, firing.start, calendar_for(rule.clock, calendar), settings)
                if firing.start
                else None
            )
        duties.append(
            shared.model_copy(
                update={
                    "id": duty_id,
                    "title": f"{shared.title} ({label})" if many else shared.title,
                    "reasons": [
                        *(f"{label}: {reason}" if many else reason for reason in firing.reasons),
                        *rest,
                    ],
                    "start": firing.start,
                    "due": due,
                    "subject": firing.position,
                    "subject_label": label,
                }
            )
        )
    return duties


def assess(
    facts: Facts,
    calendar: WorkingDayCalendar,
    pack: RulePack | None = None,
    settings: Mapping[str, SettingValue] | None = None,
) -> Assessment:
    """The duties and advisories one facts document raises.

    `calendar` is the authority's calendar, closure days and all: local rules count on
    it, statutory ones on its `national()` days (see `calendar_for`)."""
    return _evaluate(pack, [("", derived_facts(facts))], calendar, settings, "case")


def assess_case(
    case: Case,
    calendar: WorkingDayCalendar,
    pack: RulePack | None = None,
    settings: Mapping[str, SettingValue] | None = None,
    *,
    compiled: CompiledPack | None = None,
) -> Assessment:
    """The duties a case raises: a per-child duty (`PER_SUBJECT_DUTIES`) once per subject
    it applies to, every other duty once per case, whatever the subjects.

    A per-child duty of the subject at 1-based place N in `case.subjects` has id
    `subject_duty_id(rule, N)` (`cdop-notification`, `cdop-notification@2`, ...; a
    subject it does not apply to leaves a gap). With several subjects each reason names
    the subject by place ("subject 2: ..." for a once-per-case duty, "child 2: ..." for a
    per-child one), never by name; a once-per-case duty's clock starts from the earliest
    start among the subjects that raised it. `calendar` is the authority's (local)
    calendar, as for `assess`. `compiled`, the pack and settings compiled once
    (`compile_pack`), is used instead of `pack` and `settings` when given.
    """
    many = len(case.subjects) > 1
    subjects = [
        (f"subject {index + 1}: " if many else "", derived_facts(case.facts_for(subject)))
        for index, subject in enumerate(case.subjects)
    ]
    return _evaluate(pack, subjects, calendar, settings, "case", compiled)


def is_case_document(data: Any) -> bool:
    """Whether a document `check` reads is a case document (full or minimal: it lists
    `subjects`) rather than the one-subject facts document."""
    return isinstance(data, Mapping) and "subjects" in data


def assess_partnership(
    facts: Mapping[str, Any],
    calendar: WorkingDayCalendar,
    pack: RulePack | None = None,
    settings: Mapping[str, SettingValue] | None = None,
) -> Assessment:
    """Partnership-level duties (the yearly report) from the office's own facts."""
    return _evaluate(pack, [("", dict(facts))], calendar, settings, "partnership")
