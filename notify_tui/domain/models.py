"""The case model: subjects, incident facts, notifier, outline and threshold decision.

Field names follow the national online notification form and the CDOP/NCMD
notification (DOMAIN.md, "What the forms ask for"). Models that take input from
outside forbid unknown keys. Checks that depend on "today" (no future dates) read it
from the validation context, so the domain stays free of clocks:

    Facts.model_validate(data, context={"today": date(2026, 11, 23)})

There is no fallback to the wall clock: without a today the check fails loudly, unless
the caller says `{"lenient": True}` (the fold re-validating stored events, which must
give the same result on every day).

`validate_facts` and `validate_case` wrap that and turn a pydantic `ValidationError`
into one line that names the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from notify_tui.domain import codes
from notify_tui.domain.dates import DateProblem, parse_iso_date
from notify_tui.domain.nhs import is_valid_nhs_number, normalise_nhs_number
from notify_tui.domain.status import CareBasis, StatusAnswer, period_text, resolve_status
from notify_tui.domain.status import age_on as age_on  # re-exported: callers import it here
from notify_tui.errors import InvalidInput

MAX_NAMED_SUBJECTS = 4
"""The national online form holds up to four children; others go in free text."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]

EARLIEST_DATE = date(1900, 1, 1)


def _date_text(value: Any) -> Any:
    """Dates arrive as YYYY-MM-DD text (or date objects): never numbers or date-times."""
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = parse_iso_date(value)
        except DateProblem as problem:
            raise ValueError(problem.message) from None
    else:
        raise ValueError("must be a date written YYYY-MM-DD")
    if parsed < EARLIEST_DATE:
        raise ValueError(f"{parsed.isoformat()} is implausibly early; check the year")
    return parsed


Day = Annotated[date, BeforeValidator(_date_text)]
"""A calendar date given as YYYY-MM-DD."""
Flag = Annotated[bool, Strict()]
"""A JSON true or false (not "yes", not 1)."""


class Outcome(StrEnum):
    """What happened to the subject."""

    died = "died"
    seriously_harmed = "seriously_harmed"
    other = "other"


class AbuseOrNeglect(StrEnum):
    """Whether abuse or neglect is known or suspected."""

    known = "known"
    suspected = "suspected"
    none = "none"


class Location(StrEnum):
    """Where the event happened, relative to this LA."""

    in_area = "in_area"
    elsewhere_in_england = "elsewhere_in_england"
    outside_england = "outside_england"


class CaseKind(StrEnum):
    """The three statutory case types the tool logs."""

    serious_incident = "serious_incident"
    care_leaver_death = "care_leaver_death"
    child_death = "child_death"


CASE_KIND_LABELS: dict[CaseKind, str] = {
    CaseKind.serious_incident: "Serious incident",
    CaseKind.care_leaver_death: "Care leaver death",
    CaseKind.child_death: "Child death",
}

Sex = Literal["M", "F", "U"]
AbuseKind = Literal["physical", "emotional", "sexual", "neglect", "exploitation", "online", "other"]
LocationType = Literal["home", "hospital", "placement", "custody", "school", "public", "other"]
YesNoUnknown = Literal["yes", "no", "unknown"]


def _today(info: ValidationInfo) -> date:
    """The caller's today; the domain never reads the clock, so it must be given."""
    today = (info.context or {}).get("today")
    if not isinstance(today, date):
        # A programming error, not bad input: not a ValueError, so pydantic lets it out.
        raise TypeError(
            'validating a date needs context={"today": date}, or {"lenient": True} '
            "to skip the future-date check (stored events, folded deterministically)"
        )
    return today


def _lenient(info: ValidationInfo) -> bool:
    """True when folding stored events: types are checked, cross-field rules are not.

    Events were validated when written; two concurrent edits may still combine into
    facts that break a cross-field rule, and the fold must show them, not fail.
    """
    return bool((info.context or {}).get("lenient"))


def _dates_checked(info: ValidationInfo) -> bool:
    """Whether to refuse future dates: always, except when lenient without a today (the
    fold). A peer's event is checked leniently (no cross-field rules: edits made apart may
    combine) but against the day it was recorded (`notify_tui.domain.event_rules`)."""
    return not _lenient(info) or isinstance((info.context or {}).get("today"), date)


def _not_future(value: date | None, info: ValidationInfo) -> date | None:
    if value is not None and _dates_checked(info) and value > _today(info):
        # The value is not repeated: a date of birth is case data, and errors reach stderr.
        raise ValueError("is in the future; give the date it happened")
    return value


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class CarePeriod(_Input):
    """A period the LA looked after the subject (see `notify_tui.domain.status`)."""

    start: Day = Field(description="First day of the period (YYYY-MM-DD).")
    end: Day | None = Field(
        None, description="Day the period ended (included); absent while it goes on."
    )
    basis: CareBasis = Field(
        description="accommodated (s20, counts when more than 24 hours), care_order, "
        "placement_order or short_breaks (reg 48; not counted towards the 13 weeks)."
    )

    _no_future = field_validator("start", "end")(_not_future)

    @model_validator(mode="after")
    def _ordered(self, info: ValidationInfo) -> Self:
        if not _lenient(info) and self.end is not None and self.end < self.start:
            raise _field_error("end", "a care period cannot end before it starts")
        return self


CarePeriods = Annotated[
    list[CarePeriod],
    Field(
        max_length=100,
        description="Care history: the periods the LA looked after the subject. Given, "
        "they work out looked_after and care_leaver on the event date where those are "
        "left out (docs/facts.md).",
    ),
]


class Facts(_Input):
    """The facts document `notify-tui check` assesses: one subject and one event."""

    date_of_birth: Day | None = Field(
        description="Subject's date of birth (YYYY-MM-DD); null only for an unborn child."
    )
    unborn: Flag = Field(False, description="The subject is an unborn child.")
    outcome: Outcome = Field(description="died, seriously_harmed or other.")
    event_date: Day = Field(description="Date of the death or of the serious harm.")
    event_time: time | None = Field(None, description="Time of the event, where known.")
    aware_date: Day = Field(description="Date the LA became aware of the event.")
    abuse_or_neglect: AbuseOrNeglect = Field(description="known, suspected or none.")
    abuse_kinds: list[AbuseKind] = Field(
        default_factory=list, description="Kinds of abuse or neglect known or suspected."
    )
    location: Location = Field(
        description="in_area, elsewhere_in_england or outside_england (relative to this LA)."
    )
    normally_resident_in_area: Flag = Field(
        description="The subject is normally resident in this LA's area."
    )
    looked_after: Flag | None = Field(
        None,
        description="The subject was a looked-after child; left out, worked out from "
        "care_periods (no periods: no). Given, it wins over the periods.",
    )
    care_leaver: Flag | None = Field(
        None,
        description="The subject was a care leaver; left out, worked out from "
        "care_periods (no periods: no). Given, it wins over the periods.",
    )
    care_periods: CarePeriods = Field(default_factory=list)
    stillbirth_or_planned_termination: Flag = Field(
        False, description="The death was a stillbirth or a planned termination."
    )
    panel_notified_date: Day | None = Field(
        None, description="Date the Panel notification was sent, when it has been."
    )
    lcspr_decision_date: Day | None = Field(
        None, description="Date partners decided to hold a local practice review."
    )
    lcspr_planned_publication_date: Day | None = Field(
        None,
        description="Date the local review's final report is to be published (may be ahead).",
    )
    home_la: str | None = Field(
        None, max_length=200, description="The subject's home local authority, where known."
    )

    _no_future = field_validator(
        "date_of_birth",
        "event_date",
        "aware_date",
        "panel_notified_date",
        "lcspr_decision_date",
    )(_not_future)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Self:
        if _lenient(info):
            return self
        check_subject_dates(self.date_of_birth, self.unborn, self.event_date, "")
        if self.unborn and (self.looked_after or self.care_leaver or self.care_periods):
            raise _field_error("unborn", "an unborn child cannot be looked after or a care leaver")
        check_status_ages(self.date_of_birth, self.event_date, bool(self.care_leaver), "")
        check_care_periods(self.date_of_birth, self.care_periods, "")
        check_incident_dates(self)
        return self

    def care_status(self) -> StatusAnswer:
        """Looked after and care leaver on the event date: given, or worked out."""
        return resolve_status(
            self.looked_after,
            self.care_leaver,
            self.date_of_birth,
            self.event_date,
            self.care_periods,
        )


class _FieldError(ValueError):
    """A model-level check that belongs to one field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _field_error(field: str, message: str) -> _FieldError:
    return _FieldError(field, message)


def check_status_ages(born: date | None, event: date, care_leaver: bool, prefix: str) -> None:
    """Care leavers left care at 16 or later, so a care leaver under 16 is a mistake.

    A looked-after subject of 18 or over is accepted (records lag a birthday); the
    rules simply raise no looked-after-child duty for them.
    """
    if born is None:
        return
    age = age_on(born, event)
    if care_leaver and age < 16:
        raise _field_error(
            f"{prefix}care_leaver",
            f"a care leaver is 16 or older, but the subject was {age} on the event date",
        )


def check_care_periods(born: date | None, periods: list[CarePeriod], prefix: str) -> None:
    """Care periods fall after the birth; an unborn child has none (checked by callers)."""
    for index, period in enumerate(periods):
        if born is not None and period.start < born:
            raise _field_error(
                f"{prefix}care_periods.{index}.start", "a care period cannot start before birth"
            )


def check_subject_dates(born: date | None, unborn: bool, event: date, prefix: str) -> None:
    """Shared date checks for a subject against the event date."""
    if unborn and born is not None:
        raise _field_error(f"{prefix}date_of_birth", "an unborn child has no date of birth")
    if not unborn and born is None:
        raise _field_error(
            f"{prefix}date_of_birth", "give the date of birth, or set unborn to true"
        )
    if born is not None and born > event:
        raise _field_error(f"{prefix}date_of_birth", "date of birth is after the event date")


def check_incident_dates(incident: Facts | Incident) -> None:
    """The LA cannot become aware before the event, nor notify before becoming aware."""
    if incident.aware_date < incident.event_date:
        raise _field_error("aware_date", "the LA cannot have become aware before the event date")
    if incident.stillbirth_or_planned_termination and incident.outcome is not Outcome.died:
        raise _field_error(
            "stillbirth_or_planned_termination", "only applies when the outcome is died"
        )
    notified = incident.panel_notified_date
    if notified is not None and notified < incident.aware_date:
        raise _field_error(
            "panel_notified_date", "the notification cannot be sent before the LA became aware"
        )
    decided = incident.lcspr_decision_date
    if decided is not None and decided < incident.event_date:
        raise _field_error("lcspr_decision_date", "a review decision cannot precede the event")
    planned = incident.lcspr_planned_publication_date
    if planned is not None and planned < (decided or incident.event_date):
        raise _field_error(
            "lcspr_planned_publication_date",
            "a local review is published after the decision to hold it (and the event)",
        )


class LegalStatus(_Input):
    """The subject's legal status at the time of the event (form: "legal status")."""

    looked_after: Flag | None = Field(
        None,
        description="Looked-after child; left out, worked out from the subject's "
        "care_periods (no periods: no). Given, it wins over the periods.",
    )
    child_protection_plan: Flag = Field(False, description="Subject of a child protection plan.")
    child_in_need: Flag = Field(False, description="Child in need.")
    care_leaver: Flag | None = Field(
        None,
        description="Care leaver; left out, worked out from the subject's care_periods "
        "(no periods: no). Given, it wins over the periods.",
    )
    known_to_agencies: Flag = Field(False, description="Known to agencies.")


class Subject(_Input):
    """A child, an unborn child or a care leaver named in a case."""

    given_names: Text = Field(description="Forename(s).")
    family_name: Text = Field(description="Family name.")
    other_names: str | None = Field(None, max_length=200, description="Other names used.")
    date_of_birth: Day | None = Field(None, description="Absent for an unborn child.")
    unborn: Flag = Field(False, description="An unborn child (no date of birth).")
    sex: Sex = Field("U", description="M, F or U (unborn or unknown).")
    ethnicity: str | None = Field(None, description="DfE ethnicity code, e.g. WBRI.")
    disability: YesNoUnknown | None = Field(None, description="Whether the subject is disabled.")
    legal_status: LegalStatus = Field(default_factory=LegalStatus)
    care_periods: CarePeriods = Field(default_factory=list)
    nhs_number: str | None = Field(
        None,
        description='NHS number (10 digits, modulus-11 checked), "not_available" or '
        '"non_resident" (not resident in England).',
    )
    home_la: str | None = Field(None, max_length=200, description="Home local authority.")
    outcome: Outcome | None = Field(
        None,
        description="What happened to this child when it differs from the incident's "
        "outcome (one child died, another was seriously harmed); the incident's by default.",
    )
    health_information: str | None = Field(None, max_length=5_000)

    _no_future = field_validator("date_of_birth")(_not_future)

    @field_validator("ethnicity")
    @classmethod
    def _known_ethnicity(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if code not in codes.ethnicity_codes():
            raise ValueError("not a DfE ethnicity code (e.g. WBRI, MWBC, NOBT; see docs/facts.md)")
        return code

    @field_validator("nhs_number")
    @classmethod
    def _nhs(cls, value: str | None) -> str | None:
        if value is None or value in ("not_available", "non_resident"):
            return value
        if not is_valid_nhs_number(value):
            raise ValueError("not a valid NHS number (10 digits with a modulus-11 check digit)")
        return normalise_nhs_number(value)

    @model_validator(mode="after")
    def _unborn_consistent(self, info: ValidationInfo) -> Self:
        if _lenient(info):
            return self
        if self.unborn:
            if self.date_of_birth is not None:
                raise _field_error("date_of_birth", "an unborn child has no date of birth")
            if self.legal_status.looked_after or self.legal_status.care_leaver:
                raise _field_error(
                    "legal_status", "an unborn child cannot be looked after or a care leaver"
                )
            if self.care_periods:
                raise _field_error("care_periods", "an unborn child has no care periods")
        elif self.date_of_birth is None:
            raise _field_error("date_of_birth", "give the date of birth, or set unborn to true")
        check_care_periods(self.date_of_birth, self.care_periods, "")
        return self

    def care_status(self, event: date) -> StatusAnswer:
        """Looked after and care leaver on the event date: given, or worked out."""
        return resolve_status(
            self.legal_status.looked_after,
            self.legal_status.care_leaver,
            self.date_of_birth,
            event,
            self.care_periods,
        )

    @property
    def initials(self) -> str:
        """Initials for lists that must not show full names."""
        parts = [*self.given_names.split(), *self.family_name.split()]
        return "".join(part[0].upper() for part in parts if part)

    @property
    def full_name(self) -> str:
        """Given names then family name."""
        return f"{self.given_names} {self.family_name}"


class Incident(_Input):
    """What happened, when, where, and when the LA became aware."""

    outcome: Outcome
    event_date: Day
    event_time: time | None = None
    aware_date: Day
    location: Location
    location_type: LocationType | None = None
    place: str | None = Field(None, max_length=500, description="Place of the event.")
    normally_resident_in_area: Flag
    abuse_or_neglect: AbuseOrNeglect
    abuse_kinds: list[AbuseKind] = Field(default_factory=list)
    stillbirth_or_planned_termination: Flag = False
    panel_notified_date: Day | None = None
    lcspr_decision_date: Day | None = None
    lcspr_planned_publication_date: Day | None = None
    """Set from the office's `lcspr.planned_publication` step; a date that may be ahead."""

    _no_future = field_validator(
        "event_date", "aware_date", "panel_notified_date", "lcspr_decision_date"
    )(_not_future)

    @model_validator(mode="after")
    def _dates(self, info: ValidationInfo) -> Self:
        if _lenient(info):
            return self
        check_incident_dates(self)
        return self


class Notifier(_Input):
    """Who is notifying, for the online form."""

    name: str | None = Field(None, max_length=200)
    role: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=200)
    la: str | None = Field(None, max_length=200)


Expected = Literal["expected", "unexpected", "not_known"]
JointAgencyCriterion = Literal[
    "external_causes", "sudden_no_apparent_cause", "custody_or_detention", "suspicious"
]


class DeathDetails(_Input):
    """What the CDOP / NCMD child death notification asks about a death beyond the
    incident's facts (DOMAIN.md, "What the forms ask for").

    The home address, GP and the people with parental responsibility are not held: the
    submission view says to fill them in on the form (minimum data)."""

    expected: Expected | None = Field(None, description="expected, unexpected or not_known.")
    joint_agency_response: list[JointAgencyCriterion] = Field(
        default_factory=list,
        max_length=4,
        description="Why a joint agency response applies, for an unexpected death: "
        "external_causes, sudden_no_apparent_cause, custody_or_detention, suspicious.",
    )
    post_mortem: YesNoUnknown | None = Field(None, description="Post-mortem required.")
    death_certificate: YesNoUnknown | None = Field(
        None, description="Medical certificate of cause of death issued."
    )
    cause_of_death: str | None = Field(
        None, max_length=1000, description="Cause of death as certified, where issued."
    )
    carer: str | None = Field(
        None, max_length=200, description="Carer at the time of death (relationship, not name)."
    )
    agencies: str | None = Field(None, max_length=2000, description="Agencies involved.")

    @model_validator(mode="after")
    def _response_needs_unexpected(self, info: ValidationInfo) -> Self:
        if not _lenient(info) and self.joint_agency_response and self.expected == "expected":
            raise _field_error(
                "joint_agency_response", "a joint agency response is for an unexpected death"
            )
        return self


class Decision(_Input):
    """The threshold decision: notify or not, always with its rationale."""

    notify: Flag
    rationale: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10)] = Field(
        description="Why the threshold is or is not met (at least a sentence)."
    )
    decided_on: Day
    decided_by: str | None = Field(None, max_length=200)

    _no_future = field_validator("decided_on")(_not_future)


class Case(_Input):
    """The full case document."""

    kind: CaseKind
    subjects: list[Subject] = Field(min_length=1, max_length=MAX_NAMED_SUBJECTS)
    other_children: str | None = Field(
        None, max_length=5_000, description="Further children beyond the four named."
    )
    incident: Incident
    notifier: Notifier = Field(default_factory=Notifier)
    case_outline: LongText = ""
    linked_cases: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    ] = Field(
        default_factory=list, max_length=50, description="Other notifications this one links to."
    )
    death: DeathDetails | None = Field(
        None, description="For a death: what the CDOP / NCMD notification asks besides."
    )
    decision: Decision | None = None

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Self:
        if _lenient(info):
            return self
        for index, subject in enumerate(self.subjects):
            check_subject_dates(
                subject.date_of_birth,
                subject.unborn,
                self.incident.event_date,
                f"subjects.{index}.",
            )
            check_status_ages(
                subject.date_of_birth,
                self.incident.event_date,
                bool(subject.legal_status.care_leaver),
                f"subjects.{index}.legal_status.",
            )
        check_case_kind(self)
        died = self.incident.outcome is Outcome.died or any(
            subject.outcome is Outcome.died for subject in self.subjects
        )
        if self.death is not None and not died:
            raise _field_error("death", "the death details are for a case where a child died")
        if self.decision is not None and self.decision.decided_on < self.incident.event_date:
            raise _field_error("decision.decided_on", "a decision cannot precede the event")
        return self

    def facts_for(self, subject: Subject) -> Facts:
        """The flat facts document for one subject, as the rule pack reads it."""
        return Facts.model_construct(
            date_of_birth=subject.date_of_birth,
            unborn=subject.unborn,
            outcome=subject.outcome or self.incident.outcome,
            event_date=self.incident.event_date,
            event_time=self.incident.event_time,
            aware_date=self.incident.aware_date,
            abuse_or_neglect=self.incident.abuse_or_neglect,
            abuse_kinds=list(self.incident.abuse_kinds),
            location=self.incident.location,
            normally_resident_in_area=self.incident.normally_resident_in_area,
            looked_after=subject.legal_status.looked_after,
            care_leaver=subject.legal_status.care_leaver,
            care_periods=list(subject.care_periods),
            stillbirth_or_planned_termination=self.incident.stillbirth_or_planned_termination,
            panel_notified_date=self.incident.panel_notified_date,
            lcspr_decision_date=self.incident.lcspr_decision_date,
            lcspr_planned_publication_date=self.incident.lcspr_planned_publication_date,
            home_la=subject.home_la,
        )


def check_case_kind(case: Case) -> None:
    """A case's kind must fit its facts; say what to log instead when it does not."""
    incident = case.incident
    if case.kind is not CaseKind.serious_incident:
        for index, subject in enumerate(case.subjects):
            if subject.outcome not in (None, Outcome.died):
                label = CASE_KIND_LABELS[case.kind].lower()
                raise _field_error(
                    f"subjects.{index}.outcome",
                    f"every subject of a {label} case died; log a serious incident for a "
                    "child who was harmed",
                )
    if case.kind is CaseKind.care_leaver_death:
        if incident.outcome is not Outcome.died:
            raise _field_error("incident.outcome", "a care leaver death case needs outcome died")
        statuses = [s.care_status(incident.event_date) for s in case.subjects]
        if not any(status.care_leaver for status in statuses):
            worked = next((a.derived for a in statuses if a.derived is not None), None)
            why = f" ({worked.care_leaver_why})" if worked is not None else ""
            raise _field_error(
                "subjects.0.legal_status.care_leaver",
                f"a care leaver death case needs a subject who is a care leaver{why}",
            )
        leavers = [s for s, a in zip(case.subjects, statuses, strict=True) if a.care_leaver]
        for subject in leavers:
            assert subject.date_of_birth is not None  # guaranteed: care leavers are born
            if age_on(subject.date_of_birth, incident.event_date) >= 25:
                raise _field_error(
                    f"subjects.{case.subjects.index(subject)}.date_of_birth",
                    "the care leaver was 25 or older on the date of death; the notification "
                    "covers deaths before the 25th birthday, so no notification is due",
                )
    elif case.kind is CaseKind.child_death:
        if incident.outcome is not Outcome.died:
            raise _field_error("incident.outcome", "a child death case needs outcome died")

        if incident.stillbirth_or_planned_termination:
            raise _field_error(
                "incident.stillbirth_or_planned_termination",
                "stillbirths and planned terminations are not notified to the CDOP",
            )
        for index, subject in enumerate(case.subjects):
            if subject.unborn:
                raise _field_error(
                    f"subjects.{index}.unborn", "a child death case needs a child born alive"
                )
            assert subject.date_of_birth is not None
            if age_on(subject.date_of_birth, incident.event_date) >= 18:
                raise _field_error(
                    f"subjects.{index}.date_of_birth",
                    "the subject was 18 or older on the date of death, so not a child; "
                    "log a care leaver death if they were a care leaver",
                )
    elif incident.outcome is Outcome.other:
        raise _field_error(
            "incident.outcome",
            "a serious incident needs outcome died or seriously_harmed",
        )


def describe_validation_error(error: ValidationError) -> str:
    """One line naming the first failing field and what is wrong with it."""
    first = error.errors(include_url=False)[0]
    location = ".".join(str(part) for part in first["loc"])
    message = first["msg"]
    raw = first.get("ctx", {}).get("error") if first.get("ctx") else None
    if isinstance(raw, _FieldError):
        location = ".".join(part for part in (location, raw.field) if part)
        message = str(raw)
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    kind = first["type"]
    if kind == "missing":
        message = "is required"
    elif kind == "extra_forbidden":
        message = "is not a known field (check the spelling)"
    elif kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        message = "must be a date written YYYY-MM-DD"
    elif kind == "enum" or kind == "literal_error":
        expected = first.get("ctx", {}).get("expected", "")
        message = f"must be one of {expected}" if expected else message
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = "must be a JSON object"
    elif kind in ("bool_parsing", "bool_type"):
        message = "must be true or false"
    extra = len(error.errors()) - 1
    suffix = f" (and {extra} more problem{'s' if extra > 1 else ''})" if extra > 0 else ""
    return f"{location or 'document'}: {message}{suffix}"


def validate_facts(data: Any, today: date) -> Facts:
    """Parse a facts document, raising `InvalidInput` with one line on failure."""
    try:
        return Facts.model_validate(data, context={"today": today})
    except ValidationError as error:
        raise InvalidInput(describe_validation_error(error)) from None


class AnnualReportFacts(_Input):
    """The document `notify-tui check` assesses for the partnership's yearly report."""

    kind: Literal["annual_report"] = Field(
        "annual_report", description="annual_report: the partnership's yearly report."
    )
    year: int | None = Field(None, ge=2018, le=2100, description="The year it reports on.")
    annual_report_published_date: Day = Field(description="Date the yearly report was published.")

    _no_future = field_validator("annual_report_published_date")(_not_future)


def is_annual_report_document(data: Any) -> bool:
    """Whether a `check` document is about the yearly report rather than a case."""
    return isinstance(data, dict) and (
        data.get("kind") == "annual_report" or "annual_report_published_date" in data
    )


def validate_annual_report(data: Any, today: date) -> AnnualReportFacts:
    """Parse a yearly report document, raising `InvalidInput` with one line on failure."""
    try:
        return AnnualReportFacts.model_validate(data, context={"today": today})
    except ValidationError as error:
        raise InvalidInput(describe_validation_error(error)) from None


def validate_case(data: Any, today: date) -> Case:
    """Parse a case document (full or minimal), raising `InvalidInput` on failure."""
    if isinstance(data, dict) and "facts" in data:
        data = expand_minimal_case(data)
    try:
        return Case.model_validate(data, context={"today": today})
    except ValidationError as error:
        raise InvalidInput(describe_validation_error(error)) from None


_SUBJECT_FACTS = (
    "date_of_birth",
    "unborn",
    "looked_after",
    "care_leaver",
    "care_periods",
    "home_la",
)


def expand_minimal_case(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the minimal case document (subjects + flat `facts`) into the full one.

    The subject-level facts (`unborn`, `looked_after`, `care_leaver`, `care_periods`
    and `date_of_birth` where a subject gives none) apply to every subject.
    """
    facts = data.get("facts")
    if not isinstance(facts, dict):
        raise InvalidInput("facts: must be an object (the facts document of `check`)")
    unknown = set(data) - {"kind", "subjects", "facts", "case_outline", "notifier", "decision"}
    if unknown:
        raise InvalidInput(f"{sorted(unknown)[0]}: is not a known field (check the spelling)")
    incident = {key: value for key, value in facts.items() if key not in _SUBJECT_FACTS}
    subjects_in = data.get("subjects")
    if not isinstance(subjects_in, list):
        raise InvalidInput("subjects: must be a list of subjects")
    subjects: list[Any] = []
    for index, raw in enumerate(subjects_in):
        if not isinstance(raw, dict):
            raise InvalidInput(f"subjects.{index}: must be an object")
        subject = dict(raw)
        if "date_of_birth" in facts and subject.get("date_of_birth") is None:
            subject["date_of_birth"] = facts["date_of_birth"]
        elif (
            "date_of_birth" in facts
            and facts["date_of_birth"] is not None
            and subject.get("date_of_birth") != facts["date_of_birth"]
        ):
            raise InvalidInput(
                f"subjects.{index}.date_of_birth: differs from facts.date_of_birth; give one"
            )
        if "unborn" in facts:
            subject.setdefault("unborn", facts["unborn"])
        if "care_periods" in facts:
            subject.setdefault("care_periods", facts["care_periods"])
        if "home_la" in facts:
            subject.setdefault("home_la", facts["home_la"])
        status = dict(subject.get("legal_status") or {})
        for key in ("looked_after", "care_leaver"):
            if key in facts:
                status.setdefault(key, facts[key])
        subject["legal_status"] = status
        subjects.append(subject)
    expanded: dict[str, Any] = {
        "kind": data.get("kind"),
        "subjects": subjects,
        "incident": incident,
        "case_outline": data.get("case_outline", ""),
    }
    for key in ("notifier", "decision"):
        if key in data:
            expanded[key] = data[key]
    return expanded


def care_status_lines(subject: Mapping[str, Any], event: date) -> list[str]:
    """For the case screen: a stored subject's care periods and the status they give.

    Empty when the subject has no care periods (or cannot be read: the screen shows
    the problem elsewhere). Each status says whether it was given or worked out."""
    try:
        parsed = Subject.model_validate(subject, context={"lenient": True})
    except ValidationError:
        return []
    answer = parsed.care_status(event)
    found = answer.derived
    if found is None:
        return []
    lines = ["care periods: " + "; ".join(period_text(p) for p in parsed.care_periods)]
    for label, given, value, derived, why in (
        ("looked after", parsed.legal_status.looked_after, answer.looked_after,
         found.looked_after, found.looked_after_why),
        ("care leaver", parsed.legal_status.care_leaver, answer.care_leaver,
         found.care_leaver, found.care_leaver_why),
    ):  # fmt: skip
        shown = "yes" if value else "no"
        if given is None:
            lines.append(f"{label} on the event date: {shown}, worked out: {why}")
        elif given == derived:
            lines.append(f"{label} on the event date: {shown} (given; the care periods agree)")
        else:
            lines.append(
                f"{label} on the event date: {shown} (given; the care periods say otherwise, "
                f"check the record: {why})"
            )
    return lines
