"""The case form's logic, without Textual: the national form's fields per kind, values in;
document, problems, echoes and changes out.

The form is the one the case is submitted on (DOMAIN.md, "What the forms ask for"),
laid out in that form's own sections: the notifier; up to four children (the national
online form's limit) and "other children" in free text; what happened (date and time,
where, abuse or neglect and its kinds); for a death, what the CDOP / NCMD notification
asks; the outline and linked cases; and, for a new case, the threshold decision.

The screen keeps one flat dict of raw values, keyed by field name: text as typed, yes/no
as booleans, choices as their values. Names are the model's, with a child's fields
prefixed by the child's number (`c1.given_names`, `c2.nhs_number`), the notifier's and
the death's by their part (`notifier.email`, `death.post_mortem`), and one boolean per
abuse kind and joint-agency criterion (`abuse_kinds.neglect`, `death.jar.suspicious`).
This module turns those values into the case document `Session.create_case` takes, finds
the problems to show beside each field and what each field echoes (a date in words, an
NHS number's check, an ethnicity's label), and, for an edit, the paths that changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from notify_tui.domain.fold import flatten, is_fact_field
from notify_tui.domain.models import (
    MAX_NAMED_SUBJECTS,
    CaseKind,
    validate_case,
)
from notify_tui.errors import InvalidInput
from notify_tui.views.dates import parse_day, read_day
from notify_tui.views.typed_values import (
    NHS_SHOWN,
    PERIODS_PLACEHOLDER,
    periods_text,
    read_ethnicity,
    read_list,
    read_nhs,
    read_periods,
    read_time,
    shown_day,
)

ENTRY_TITLES = {
    CaseKind.serious_incident: "New serious incident",
    CaseKind.care_leaver_death: "New care leaver death",
    CaseKind.child_death: "New child death",
}

FieldKind = Literal[
    "text", "long", "date", "time", "yes_no", "tick", "choice", "nhs", "ethnicity", "periods",
    "list",
]  # fmt: skip
"""How a field is typed: a text box (`text`, `long`, `date`, `time`, `nhs`, `ethnicity`,
`periods`, `list`), a yes/no box (`yes_no`: "[x] yes"), a labelled tick box (`tick`:
"[x] neglect"), or a choice from a list (`choice`)."""

NOT_RECORDED = "-"
"""The value of a choice meaning "not recorded" (stored as nothing)."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of the form."""

    name: str
    """The key in the form's values (a child's without its `cN.` prefix)."""
    label: str
    kind: FieldKind = "text"
    choices: tuple[tuple[str, str], ...] = ()
    """(words shown, value) for a `choice`."""
    placeholder: str = ""
    max_length: int = 200
    hint: str = ""
    """Shown beside the field while it has nothing else to say."""


@dataclass(frozen=True)
class Section:
    """A section of the form, as the national form has it."""

    id: str
    title: str
    fields: tuple[FieldSpec, ...]
    child: int | None = None
    """The child a child's section is about (its fields are prefixed `c{child}.`)."""

    def keys(self) -> list[str]:
        """The value keys of this section's fields."""
        return [key_of(spec, self.child) for spec in self.fields]


def key_of(spec: FieldSpec, child: int | None) -> str:
    """A field's key in the values: `c2.given_names` for a child's field."""
    return f"c{child}.{spec.name}" if child is not None else spec.name


def widget_id(key: str) -> str:
    """The id of the widget holding a value (dots are not allowed in ids)."""
    return "f-" + key.replace(".", "--")


def message_id(key: str) -> str:
    """The id of the message beside a field."""
    return "e-" + key.replace(".", "--")


def key_of_widget(widget: str) -> str | None:
    """The value key a widget id (`f-c1--given_names`) holds, or None."""
    if not widget.startswith("f-"):
        return None
    return widget.removeprefix("f-").replace("--", ".")


# -- choices ----------------------------------------------------------------------------

SEX = (("Unknown / not given", "U"), ("Female", "F"), ("Male", "M"))
OUTCOMES = (("Died", "died"), ("Seriously harmed", "seriously_harmed"))
CHILD_OUTCOMES = (("As the incident", "same"), *OUTCOMES)
ABUSE = (("Known", "known"), ("Suspected", "suspected"), ("None known or suspected", "none"))
LOCATIONS = (
    ("In our area", "in_area"),
    ("Elsewhere in England", "elsewhere_in_england"),
    ("Outside England", "outside_england"),
)
LOCATION_TYPES = (
    ("Not recorded", NOT_RECORDED),
    ("Home", "home"),
    ("Hospital", "hospital"),
    ("Placement", "placement"),
    ("Custody", "custody"),
    ("School", "school"),
    ("Public place", "public"),
    ("Other", "other"),
)
YES_NO_UNKNOWN = (("Not recorded", NOT_RECORDED), ("Yes", "yes"), ("No", "no"),
                  ("Not known", "unknown"))  # fmt: skip
STATUS = (("No", "no"), ("Yes", "yes"), ("Work out from the care periods", "derive"))
EXPECTED = (("Not recorded", NOT_RECORDED), ("Expected", "expected"),
            ("Unexpected", "unexpected"), ("Not known", "not_known"))  # fmt: skip
DECISIONS = (
    ("Not decided yet", "undecided"),
    ("Notify: threshold met", "notify"),
    ("Do not notify: threshold not met", "no_notify"),
)
ABUSE_KINDS = ("physical", "emotional", "sexual", "neglect", "exploitation", "online", "other")
JOINT_AGENCY = (
    ("external_causes", "external causes"),
    ("sudden_no_apparent_cause", "sudden, no apparent cause"),
    ("custody_or_detention", "in custody or detention"),
    ("suspicious", "suspicious"),
)

# -- the fields of each kind ------------------------------------------------------------


def notifier_defaults(author: str, org: str) -> dict[str, str]:
    """The notifier's fields prefilled from the person signed in and their organisation.

    The one place the prefill is made (a vault with named users will pass the user)."""
    return {
        "notifier.name": author,
        "notifier.role": "",
        "notifier.phone": "",
        "notifier.email": "",
        "notifier.la": org,
    }


NOTIFIER = (
    FieldSpec("notifier.name", "Name"),
    FieldSpec("notifier.role", "Role"),
    FieldSpec("notifier.phone", "Phone", max_length=50),
    FieldSpec("notifier.email", "Email"),
    FieldSpec("notifier.la", "Local authority"),
)


def child_fields(kind: CaseKind) -> tuple[FieldSpec, ...]:
    """A child's fields on the kind's form, in the form's order."""
    specs = [
        FieldSpec("given_names", "Given names"),
        FieldSpec("family_name", "Family name"),
        FieldSpec("other_names", "Other names"),
        FieldSpec("date_of_birth", "Date of birth", "date", placeholder="dd/mm/yyyy"),
    ]
    if kind is CaseKind.serious_incident:
        specs.append(FieldSpec("unborn", "Unborn child", "yes_no"))
    specs += [
        FieldSpec("sex", "Sex", "choice", SEX),
        FieldSpec(
            "nhs_number",
            "NHS number",
            "nhs",
            placeholder="943 476 5919, or not available",
            max_length=40,
            hint="10 digits, or: not available / non-resident",
        ),
        FieldSpec(
            "ethnicity",
            "Ethnicity",
            "ethnicity",
            placeholder="type a code or part of a name",
            max_length=60,
            hint="DfE code: type WBRI or 'irish'",
        ),
        FieldSpec("disability", "Disability", "choice", YES_NO_UNKNOWN),
        FieldSpec("looked_after", "Looked after", "choice", STATUS),
        FieldSpec("child_protection_plan", "Protection plan", "yes_no"),
        FieldSpec("child_in_need", "Child in need", "yes_no"),
        FieldSpec("care_leaver", "Care leaver", "choice", STATUS),
        FieldSpec("known_to_agencies", "Known to agencies", "yes_no"),
        FieldSpec(
            "care_periods",
            "Care periods",
            "periods",
            placeholder=PERIODS_PLACEHOLDER,
            max_length=2000,
            hint="periods apart with ;",
        ),
        FieldSpec("health_information", "Health", "long", max_length=5000),
        FieldSpec("home_la", "Home LA"),
    ]
    if kind is CaseKind.serious_incident:
        specs.append(FieldSpec("outcome", "This child", "choice", CHILD_OUTCOMES))
    return tuple(specs)


def incident_fields(kind: CaseKind) -> tuple[FieldSpec, ...]:
    """What happened, when and where."""
    death = kind is not CaseKind.serious_incident
    specs = [
        FieldSpec("outcome", "Nature", "choice", OUTCOMES),
        FieldSpec("event_date", "Date of death" if death else "Date of incident", "date",
                  placeholder="dd/mm/yyyy"),
        FieldSpec("event_time", "Time of death" if death else "Time of incident", "time",
                  placeholder="14:30", max_length=8),
        FieldSpec("aware_date", "LA became aware", "date", placeholder="dd/mm/yyyy"),
        FieldSpec("location", "Where", "choice", LOCATIONS),
        FieldSpec("normally_resident_in_area", "Lives in our area", "yes_no"),
        FieldSpec("location_type", "Kind of place", "choice", LOCATION_TYPES),
        FieldSpec("place", "Place", max_length=500),
        FieldSpec("abuse_or_neglect", "Abuse or neglect", "choice", ABUSE),
        *(FieldSpec(f"abuse_kinds.{name}", name, "tick") for name in ABUSE_KINDS),
    ]  # fmt: skip
    if kind is CaseKind.serious_incident:
        specs.append(FieldSpec("stillbirth_or_planned_termination", "Stillbirth or TOP", "yes_no"))
    return tuple(specs)


DEATH = (
    FieldSpec("death.expected", "Expected?", "choice", EXPECTED),
    *(FieldSpec(f"death.jar.{name}", words, "tick") for name, words in JOINT_AGENCY),
    FieldSpec("death.post_mortem", "Post-mortem", "choice", YES_NO_UNKNOWN),
    FieldSpec("death.death_certificate", "Certificate", "choice", YES_NO_UNKNOWN),
    FieldSpec("death.cause_of_death", "Cause of death", max_length=1000),
    FieldSpec("death.carer", "Carer at death", placeholder="relationship, e.g. mother"),
    FieldSpec("death.agencies", "Agencies", "long", max_length=2000),
)


def closing_fields(kind: CaseKind) -> tuple[FieldSpec, ...]:
    """Other children, the outline and linked cases."""
    household = kind is CaseKind.child_death
    return (
        FieldSpec("other_children", "Other children in household" if household
                  else "Other children", "long", max_length=5000,
                  placeholder="" if household else "any further children, in free text"),
        FieldSpec("case_outline", "Summary" if household else "Case outline", "long",
                  placeholder="a few sentences", max_length=20_000),
        FieldSpec("linked_cases", "Linked cases", "list", placeholder="SI-7K3Q9XAB, ...",
                  max_length=2000),
    )  # fmt: skip


DECISION = (
    FieldSpec("decision", "Decision", "choice", DECISIONS),
    FieldSpec("rationale", "Rationale", "long", placeholder="why (at least a sentence)",
              max_length=5000),
)  # fmt: skip


def has_death_section(kind: CaseKind, values: Mapping[str, Any]) -> bool:
    """Whether the form shows the CDOP / NCMD death questions: always for a child death,
    for a serious incident once a child died."""
    if kind is CaseKind.child_death:
        return True
    if kind is CaseKind.care_leaver_death:
        return False
    return values.get("outcome") == "died" or any(
        values.get(f"c{n}.outcome") == "died" for n in range(1, MAX_NAMED_SUBJECTS + 1)
    )


def sections(kind: CaseKind, children: int, *, editing: bool = False,
             death: bool = False) -> list[Section]:  # fmt: skip
    """The form's sections in order: notifier, each child, what happened, the death (when
    shown), other children and outline, and (new cases) the threshold decision."""
    found = [Section("notifier", "Notifier", NOTIFIER)]
    for number in range(1, children + 1):
        title = "Child" if kind is CaseKind.child_death and children == 1 else f"Child {number}"
        found.append(Section(f"child{number}", title, child_fields(kind), child=number))
    incident_title = "Death" if kind is not CaseKind.serious_incident else "Incident"
    found.append(Section("incident", incident_title, incident_fields(kind)))
    if death:
        found.append(Section("death", "Death: CDOP / NCMD questions", DEATH))
    found.append(Section("closing", "Other children, outline, linked cases",
                         closing_fields(kind)))  # fmt: skip
    if not editing:
        found.append(Section("decision", "Threshold decision (Panel)", DECISION))
    return found


def child_label(spec: FieldSpec, child: int | None, children: int) -> str:
    """A field's name in a list of problems: "Date of birth (child 2)"."""
    if child is None or children == 1:
        return spec.label
    return f"{spec.label} (child {child})"


def all_specs(
    kind: CaseKind, children: int, death: bool = True
) -> dict[str, tuple[FieldSpec, int | None]]:
    """Every field key of the form, in order, with its spec and child."""
    found: dict[str, tuple[FieldSpec, int | None]] = {}
    for section in sections(kind, children, death=death):
        for spec in section.fields:
            found[key_of(spec, section.child)] = (spec, section.child)
    return found


# -- starting values ---------------------------------------------------------------------


def child_defaults(kind: CaseKind, number: int) -> dict[str, Any]:
    """A child's fields when added to the form."""
    values: dict[str, Any] = {}
    for spec in child_fields(kind):
        key = f"c{number}.{spec.name}"
        if spec.kind in ("yes_no", "tick"):
            values[key] = False
        elif spec.kind == "choice":
            values[key] = spec.choices[0][1]
        else:
            values[key] = ""
    if kind is CaseKind.care_leaver_death and number == 1:
        values[f"c{number}.care_leaver"] = "yes"
    return values


def initial_values(
    kind: CaseKind, today: date, notifier: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The form's starting values for an entry point (one child)."""
    values: dict[str, Any] = {"children": 1}
    values.update(notifier or notifier_defaults("", ""))
    values.update(child_defaults(kind, 1))
    for spec in (*incident_fields(kind), *DEATH, *closing_fields(kind), *DECISION):
        if spec.kind in ("yes_no", "tick"):
            values[spec.name] = False
        elif spec.kind == "choice":
            values[spec.name] = spec.choices[0][1]
        else:
            values[spec.name] = ""
    values.update(
        outcome="seriously_harmed" if kind is CaseKind.serious_incident else "died",
        aware_date=today.strftime("%d/%m/%Y"),
        abuse_or_neglect="suspected" if kind is CaseKind.serious_incident else "none",
        location="in_area",
        normally_resident_in_area=True,
        decision="undecided",
    )
    return values


def with_child(kind: CaseKind, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values with one more (empty) child, up to the form's four."""
    children = int(values.get("children", 1))
    if children >= MAX_NAMED_SUBJECTS:
        return dict(values)
    return {**values, **child_defaults(kind, children + 1), "children": children + 1}


def without_child(kind: CaseKind, values: Mapping[str, Any], number: int) -> dict[str, Any]:
    """The values with child `number` removed; the children after it move up."""
    children = int(values.get("children", 1))
    if children <= 1 or not 1 <= number <= children:
        return dict(values)
    kept = {k: v for k, v in values.items() if not re.match(r"c\d+\.", k)}
    new_number = 0
    for old in range(1, children + 1):
        if old == number:
            continue
        new_number += 1
        for spec in child_fields(kind):
            kept[f"c{new_number}.{spec.name}"] = values.get(f"c{old}.{spec.name}")
    kept["children"] = children - 1
    return kept


def _day_text(values: Mapping[str, Any], key: str, today: date) -> str | None:
    day = parse_day(str(values.get(key) or ""), today)
    return day.isoformat() if day is not None else None


# -- checking ---------------------------------------------------------------------------


@dataclass
class FormCheck:
    """What the form's values amount to."""

    errors: dict[str, str]
    """A problem per field key ("form" for one that belongs to no field)."""
    hints: dict[str, str] = field(default_factory=dict)
    """What a field echoes while it has no problem: a date in words, an NHS check."""
    document: dict[str, Any] | None = None
    """The case document, when nothing is wrong."""
    preview: dict[str, Any] | None = None
    """A document to assess the duties from as soon as the dates are known."""

    @property
    def ok(self) -> bool:
        """Nothing is wrong and the document is complete."""
        return not self.errors and self.document is not None


def _children(values: Mapping[str, Any]) -> int:
    try:
        return max(1, min(MAX_NAMED_SUBJECTS, int(values.get("children", 1))))
    except (TypeError, ValueError):
        return 1


def field_checks(
    kind: CaseKind, values: Mapping[str, Any], today: date
) -> tuple[dict[str, str], dict[str, str]]:
    """Problems and echoes each field has on its own (required, dates, NHS number...)."""
    errors: dict[str, str] = {}
    hints: dict[str, str] = {}
    for key, (spec, child) in all_specs(kind, _children(values)).items():
        text = values.get(key)
        text = text if isinstance(text, str) else ""
        if spec.name in ("given_names", "family_name") and child is not None:
            if not text.strip():
                errors[key] = "required"
        elif spec.kind == "date":
            unborn = child is not None and bool(values.get(f"c{child}.unborn"))
            if unborn:
                if text.strip():
                    errors[key] = "an unborn child has no date of birth; leave blank"
                continue
            reading = read_day(text, today)
            if reading.problem:
                shown = f"{reading.words}: {reading.problem}" if reading.words else reading.problem
                errors[key] = shown
            else:
                hints[key] = reading.words
        elif spec.kind == "time":
            _, problem = read_time(text)
            if problem:
                errors[key] = problem
        elif spec.kind == "nhs":
            _, problem, hint = read_nhs(text)
            (errors if problem else hints)[key] = problem or hint
        elif spec.kind == "ethnicity":
            _, problem, hint = read_ethnicity(text)
            (errors if problem else hints)[key] = problem or hint
        elif spec.kind == "periods":
            periods, problem = read_periods(text, today)
            if problem:
                errors[key] = problem
            elif periods:
                hints[key] = f"{len(periods)} period{'s' if len(periods) > 1 else ''}"
        elif spec.kind == "list":
            items = read_list(text)
            if any(len(item) > 100 for item in items):
                errors[key] = "each linked case at most 100 characters"
            elif items:
                hints[key] = f"{len(items)} linked"
        if key not in errors and key not in hints and spec.hint and not text.strip():
            hints[key] = spec.hint
    if (
        values.get("decision", "undecided") != "undecided"
        and len(str(values.get("rationale", "")).strip()) < 10
    ):
        errors["rationale"] = "say why in at least a sentence"
    return errors, hints


def _text(values: Mapping[str, Any], key: str) -> str | None:
    value = values.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _choice(values: Mapping[str, Any], key: str) -> str | None:
    value = values.get(key)
    return value if isinstance(value, str) and value and value != NOT_RECORDED else None


def _status(values: Mapping[str, Any], key: str) -> bool | None:
    value = values.get(key)
    return None if value == "derive" else value == "yes"


def _subject(kind: CaseKind, values: Mapping[str, Any], number: int, today: date,
             *, preview: bool) -> dict[str, Any]:  # fmt: skip
    prefix = f"c{number}."
    unborn = bool(values.get(prefix + "unborn")) and kind is CaseKind.serious_incident
    subject: dict[str, Any] = {
        "given_names": _text(values, prefix + "given_names") or ("-" if preview else ""),
        "family_name": _text(values, prefix + "family_name") or ("-" if preview else ""),
        "unborn": unborn,
        "sex": _choice(values, prefix + "sex") or "U",
        "legal_status": {
            "looked_after": _status(values, prefix + "looked_after"),
            "child_protection_plan": bool(values.get(prefix + "child_protection_plan")),
            "child_in_need": bool(values.get(prefix + "child_in_need")),
            "care_leaver": _status(values, prefix + "care_leaver"),
            "known_to_agencies": bool(values.get(prefix + "known_to_agencies")),
        },
    }
    born = str(values.get(prefix + "date_of_birth") or "").strip()
    if born and not unborn:
        subject["date_of_birth"] = _day_text(values, prefix + "date_of_birth", today) or born
    periods, problem = read_periods(str(values.get(prefix + "care_periods") or ""), today)
    if not problem:
        subject["care_periods"] = periods
    nhs_text = str(values.get(prefix + "nhs_number") or "")
    nhs, nhs_problem, _ = read_nhs(nhs_text)
    if nhs is not None:
        subject["nhs_number"] = nhs
    elif nhs_text.strip() and not preview:
        subject["nhs_number"] = nhs_text.strip()
    ethnicity_text = str(values.get(prefix + "ethnicity") or "")
    ethnicity, _, _ = read_ethnicity(ethnicity_text)
    if ethnicity is not None:
        subject["ethnicity"] = ethnicity
    elif ethnicity_text.strip() and not preview:
        subject["ethnicity"] = ethnicity_text.strip()
    for key in ("other_names", "home_la", "health_information"):
        text = _text(values, prefix + key)
        if text is not None:
            subject[key] = text
    disability = _choice(values, prefix + "disability")
    if disability is not None:
        subject["disability"] = disability
    outcome = _choice(values, prefix + "outcome")
    if kind is CaseKind.serious_incident and outcome not in (None, "same"):
        subject["outcome"] = outcome
    return subject


def _incident(kind: CaseKind, values: Mapping[str, Any], today: date) -> dict[str, Any]:
    outcome = values.get("outcome") if kind is CaseKind.serious_incident else "died"
    abuse = _choice(values, "abuse_or_neglect") or "none"
    incident: dict[str, Any] = {
        "outcome": outcome,
        "event_date": _day_text(values, "event_date", today)
        or str(values.get("event_date") or "").strip(),
        "aware_date": _day_text(values, "aware_date", today)
        or str(values.get("aware_date") or "").strip(),
        "location": _choice(values, "location") or "in_area",
        "normally_resident_in_area": bool(values.get("normally_resident_in_area")),
        "abuse_or_neglect": abuse,
        "abuse_kinds": [k for k in ABUSE_KINDS if values.get(f"abuse_kinds.{k}")]
        if abuse != "none"
        else [],
    }
    clock, _ = read_time(str(values.get("event_time") or ""))
    if clock is not None:
        incident["event_time"] = f"{clock}:00"
    location_type = _choice(values, "location_type")
    if location_type is not None:
        incident["location_type"] = location_type
    place = _text(values, "place")
    if place is not None:
        incident["place"] = place
    if kind is CaseKind.serious_incident and outcome == "died":
        incident["stillbirth_or_planned_termination"] = bool(
            values.get("stillbirth_or_planned_termination")
        )
    return incident


def _death(values: Mapping[str, Any]) -> dict[str, Any] | None:
    death: dict[str, Any] = {}
    expected = _choice(values, "death.expected")
    if expected is not None:
        death["expected"] = expected
    criteria = [name for name, _ in JOINT_AGENCY if values.get(f"death.jar.{name}")]
    if criteria:
        death["joint_agency_response"] = criteria
    for key in ("post_mortem", "death_certificate"):
        chosen = _choice(values, f"death.{key}")
        if chosen is not None:
            death[key] = chosen
    for key in ("cause_of_death", "carer", "agencies"):
        text = _text(values, f"death.{key}")
        if text is not None:
            death[key] = text
    return death or None


def build_document(
    kind: CaseKind, values: Mapping[str, Any], today: date, *, preview: bool = False
) -> dict[str, Any]:
    """The case document the form describes (dates as YYYY-MM-DD).

    With `preview`, blank names are filled with "-" and optional values that do not read
    are left out, so the duties can be assessed before the form is complete."""
    document: dict[str, Any] = {
        "kind": kind.value,
        "subjects": [
            _subject(kind, values, number, today, preview=preview)
            for number in range(1, _children(values) + 1)
        ],
        "incident": _incident(kind, values, today),
        "case_outline": _text(values, "case_outline") or "",
        "linked_cases": read_list(str(values.get("linked_cases") or "")),
    }
    notifier = {
        key.removeprefix("notifier."): text
        for key in ("notifier.name", "notifier.role", "notifier.phone", "notifier.email",
                    "notifier.la")
        if (text := _text(values, key)) is not None
    }  # fmt: skip
    if notifier:
        document["notifier"] = notifier
    other = _text(values, "other_children")
    if other is not None:
        document["other_children"] = other
    if has_death_section(kind, values):
        death = _death(values)
        if death is not None:
            document["death"] = death
    return document


_DATES_FOR_FACTS = ("event_date", "aware_date")


def field_of(path: str, kind: CaseKind = CaseKind.serious_incident) -> str:
    """The form field a document error path ("subjects.0.date_of_birth: ...") is shown
    beside; "form" when it belongs to none."""
    parts = path.split(".")
    if parts[0] == "subjects" and len(parts) > 1 and parts[1].isdigit():
        child = f"c{int(parts[1]) + 1}."
        rest = parts[2:]
        if not rest:
            return child + "given_names"
        if rest[0] == "legal_status":
            name = rest[1] if len(rest) > 1 else "looked_after"
            return child + name
        return child + rest[0]
    if parts[0] == "incident" and len(parts) > 1:
        if parts[1] == "abuse_kinds":
            return "abuse_or_neglect"
        return parts[1]
    if parts[0] == "notifier" and len(parts) > 1:
        return f"notifier.{parts[1]}"
    if parts[0] == "death":
        if len(parts) > 1 and parts[1] == "joint_agency_response":
            return "death.expected"
        return f"death.{parts[1]}" if len(parts) > 1 else "death.expected"
    if parts[0] in ("linked_cases", "other_children", "case_outline"):
        return parts[0]
    if parts[0] == "kind":
        return "outcome"
    return "form"


def check_form(kind: CaseKind, values: Mapping[str, Any], today: date) -> FormCheck:
    """Field checks first; when they pass, the whole case through the domain model."""
    errors, hints = field_checks(kind, values, today)
    births_known = all(
        values.get(f"c{n}.unborn") or f"c{n}.date_of_birth" not in errors
        for n in range(1, _children(values) + 1)
    )
    dates_known = births_known and not any(name in errors for name in _DATES_FOR_FACTS)
    preview = build_document(kind, values, today, preview=True) if dates_known else None
    if errors:
        return FormCheck(errors, hints, None, preview)
    document = build_document(kind, values, today)
    try:
        validate_case(document, today)
    except InvalidInput as error:
        path, _, message = error.message.partition(": ")
        return FormCheck({field_of(path, kind): message or error.message}, hints, None, preview)
    return FormCheck({}, hints, document, preview)


def still_to_complete(
    kind: CaseKind, values: Mapping[str, Any], errors: Iterable[str]
) -> list[str]:
    """The names of the fields with a problem, in the form's order ("Given names (child 1)",
    "Date of incident"); a problem of the whole form comes last as "the form"."""
    children = _children(values)
    specs = all_specs(kind, children)
    wanted = set(errors)
    names = [
        child_label(spec, child, children) for key, (spec, child) in specs.items() if key in wanted
    ]
    if "form" in wanted or wanted - set(specs):
        names.append("the form")
    return names


def problem_name(kind: CaseKind, values: Mapping[str, Any], key: str) -> str:
    """A field's name for a problem said on the status line ("Care leaver (child 2)");
    "The form" for one that belongs to no field."""
    children = _children(values)
    found = all_specs(kind, children).get(key)
    if found is None:
        return "The form"
    spec, child = found
    return child_label(spec, child, children)


def draft_label(values: Mapping[str, Any]) -> str:
    """A draft's reminder without case data: the children's initials ("child A.B.")."""
    found = []
    for number in range(1, _children(values) + 1):
        parts = [
            *str(values.get(f"c{number}.given_names") or "").split(),
            *str(values.get(f"c{number}.family_name") or "").split(),
        ]
        initials = ".".join(part[0].upper() for part in parts if part)
        if initials:
            found.append(f"{initials}.")
    if not found:
        return "no name yet"
    return ("child " if len(found) == 1 else "children ") + ", ".join(found)


# -- editing a stored case with the same form -------------------------------------------


def _held(document: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a case document, or None."""
    node: Any = document
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit():
            node = node[int(part)] if int(part) < len(node) else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


def values_from_case(kind: CaseKind, document: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The form's values for a stored case document: every child (up to four)."""
    subjects = list(document.get("subjects") or [])[:MAX_NAMED_SUBJECTS] or [{}]
    values = initial_values(kind, today)
    values["children"] = len(subjects)
    for number, subject in enumerate(subjects, start=1):
        values.update(child_defaults(kind, number))
        prefix = f"c{number}."
        for key in ("given_names", "family_name", "other_names", "home_la",
                    "health_information"):  # fmt: skip
            values[prefix + key] = subject.get(key) or ""
        values[prefix + "date_of_birth"] = shown_day(subject.get("date_of_birth"))
        values[prefix + "unborn"] = bool(subject.get("unborn"))
        values[prefix + "sex"] = subject.get("sex") or "U"
        nhs = subject.get("nhs_number") or ""
        values[prefix + "nhs_number"] = NHS_SHOWN.get(nhs, nhs)
        values[prefix + "ethnicity"] = subject.get("ethnicity") or ""
        values[prefix + "disability"] = subject.get("disability") or NOT_RECORDED
        status = subject.get("legal_status") or {}
        for key in ("looked_after", "care_leaver"):
            held = status.get(key)
            values[prefix + key] = "derive" if held is None else ("yes" if held else "no")
        for key in ("child_protection_plan", "child_in_need", "known_to_agencies"):
            values[prefix + key] = bool(status.get(key))
        values[prefix + "care_periods"] = periods_text(subject.get("care_periods") or [])
        values[prefix + "outcome"] = subject.get("outcome") or "same"
    incident = document.get("incident") or {}
    for key in ("outcome", "location", "abuse_or_neglect"):
        if incident.get(key) is not None:
            values[key] = incident[key]
    values["event_date"] = shown_day(incident.get("event_date"))
    values["aware_date"] = shown_day(incident.get("aware_date"))
    values["event_time"] = str(incident.get("event_time") or "")[:5]
    values["location_type"] = incident.get("location_type") or NOT_RECORDED
    values["place"] = incident.get("place") or ""
    values["normally_resident_in_area"] = bool(incident.get("normally_resident_in_area"))
    for kind_name in ABUSE_KINDS:
        values[f"abuse_kinds.{kind_name}"] = kind_name in (incident.get("abuse_kinds") or [])
    values["stillbirth_or_planned_termination"] = bool(
        incident.get("stillbirth_or_planned_termination")
    )
    notifier = document.get("notifier") or {}
    for key in ("name", "role", "phone", "email", "la"):
        values[f"notifier.{key}"] = notifier.get(key) or ""
    death = document.get("death") or {}
    for key in ("expected", "post_mortem", "death_certificate"):
        values[f"death.{key}"] = death.get(key) or NOT_RECORDED
    for name, _ in JOINT_AGENCY:
        values[f"death.jar.{name}"] = name in (death.get("joint_agency_response") or [])
    for key in ("cause_of_death", "carer", "agencies"):
        values[f"death.{key}"] = death.get(key) or ""
    values["other_children"] = document.get("other_children") or ""
    values["case_outline"] = document.get("case_outline") or ""
    values["linked_cases"] = ", ".join(document.get("linked_cases") or [])
    return values


def changed_fields(
    kind: CaseKind, before: Mapping[str, Any], after: Mapping[str, Any], today: date
) -> dict[str, Any]:
    """The stored paths to set for what the user changed (None removes a value).

    Both sets of values go through the same builder, so a field the user did not touch
    builds the same path and value before and after, and is never sent; fields the form
    does not hold (dates the office records, say) are never in either."""
    old = {
        path: value
        for path, value in flatten(build_document(kind, before, today)).items()
        if is_fact_field(path) and path != "kind"
    }
    new = {
        path: value
        for path, value in flatten(build_document(kind, after, today)).items()
        if is_fact_field(path) and path != "kind"
    }
    changes: dict[str, Any] = {}
    for path in [*new, *(p for p in old if p not in new)]:
        if old.get(path) != new.get(path):
            changes[path] = new.get(path)
    return changes
