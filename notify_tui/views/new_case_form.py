"""The new case form's logic, without Textual: values in, document, facts and errors out.

The screen keeps a dict of raw field values (text from inputs, booleans from checkboxes,
choices from selects); this module turns them into the minimal case document that
`Session.create_case` takes and the flat facts `Session.assess_facts` takes, and finds
the problems to show beside each field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from notify_tui.domain.models import CaseKind, validate_case
from notify_tui.errors import InvalidInput

ENTRY_TITLES = {
    CaseKind.serious_incident: "New serious incident",
    CaseKind.care_leaver_death: "New care leaver death",
    CaseKind.child_death: "New child death",
}

DATE_FIELDS = ("date_of_birth", "event_date", "aware_date")
REQUIRED_TEXT = ("given_names", "family_name")
SUBJECT_FACTS = ("looked_after", "care_leaver")

FIELD_FOR_PATH = {
    "legal_status": "looked_after",
    "kind": "outcome",
    "abuse_kinds": "abuse_or_neglect",
}
"""Where to show an error whose path ends in a name that is not itself a form field."""

FORM_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "unborn",
    "sex",
    "looked_after",
    "care_leaver",
    "child_protection_plan",
    "outcome",
    "event_date",
    "aware_date",
    "abuse_or_neglect",
    "location",
    "normally_resident_in_area",
    "place",
    "case_outline",
    "decision",
    "rationale",
)


def initial_values(kind: CaseKind, today: date) -> dict[str, Any]:
    """The form's starting values for an entry point."""
    return {
        "given_names": "",
        "family_name": "",
        "date_of_birth": "",
        "unborn": False,
        "sex": "U",
        "looked_after": False,
        "care_leaver": kind is CaseKind.care_leaver_death,
        "child_protection_plan": False,
        "outcome": "seriously_harmed" if kind is CaseKind.serious_incident else "died",
        "event_date": "",
        "aware_date": today.isoformat(),
        "abuse_or_neglect": "suspected" if kind is CaseKind.serious_incident else "none",
        "location": "in_area",
        "normally_resident_in_area": True,
        "place": "",
        "case_outline": "",
        "decision": "undecided",
        "rationale": "",
    }


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@dataclass
class FormCheck:
    """What the form's values amount to: problems per field, and what can be built."""

    errors: dict[str, str]
    document: dict[str, Any] | None
    facts: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        """Nothing is wrong and the document is complete."""
        return not self.errors and self.document is not None


def field_checks(values: dict[str, Any], today: date) -> dict[str, str]:
    """Problems each field has on its own (required, date format, future dates)."""
    errors: dict[str, str] = {}
    for name in REQUIRED_TEXT:
        if not str(values.get(name, "")).strip():
            errors[name] = "required"
    for name in DATE_FIELDS:
        text = str(values.get(name, "")).strip()
        if name == "date_of_birth" and values.get("unborn"):
            if text:
                errors[name] = "an unborn child has no date of birth; leave blank"
            continue
        if not text:
            errors[name] = "required (YYYY-MM-DD)"
            continue
        day = _date(text)
        if day is None:
            errors[name] = "write the date as YYYY-MM-DD, e.g. 2026-11-20"
        elif day > today:
            errors[name] = "is in the future; give the date it happened"
    if values.get("decision") != "undecided" and len(str(values.get("rationale", "")).strip()) < 10:
        errors["rationale"] = "say why in at least a sentence"
    return errors


def build_facts(values: dict[str, Any]) -> dict[str, Any]:
    """The flat facts document (`notify-tui check`) the form describes."""
    unborn = bool(values.get("unborn"))
    facts: dict[str, Any] = {
        "date_of_birth": None if unborn else values["date_of_birth"].strip() or None,
        "unborn": unborn,
        "outcome": values["outcome"],
        "event_date": values["event_date"].strip(),
        "aware_date": values["aware_date"].strip(),
        "abuse_or_neglect": values["abuse_or_neglect"],
        "location": values["location"],
        "normally_resident_in_area": bool(values["normally_resident_in_area"]),
        "looked_after": bool(values["looked_after"]),
        "care_leaver": bool(values["care_leaver"]),
    }
    return facts


def build_document(kind: CaseKind, values: dict[str, Any]) -> dict[str, Any]:
    """The minimal case document `Session.create_case` takes."""
    facts = build_facts(values)
    place = values.get("place", "").strip()
    if place:
        facts["place"] = place
    subject = {
        "given_names": values["given_names"].strip(),
        "family_name": values["family_name"].strip(),
        "sex": values["sex"],
        "legal_status": {"child_protection_plan": bool(values["child_protection_plan"])},
    }
    return {
        "kind": kind.value,
        "subjects": [subject],
        "facts": facts,
        "case_outline": values.get("case_outline", "").strip(),
    }


def field_of(path: str) -> str:
    """The form field an error path ("subjects.0.date_of_birth: ...") belongs to."""
    for part in reversed(path.split(".")):
        if part in FORM_FIELDS:
            return part
        if part in FIELD_FOR_PATH:
            return FIELD_FOR_PATH[part]
    return "form"


def check_form(kind: CaseKind, values: dict[str, Any], today: date) -> FormCheck:
    """Field checks first; when they pass, the whole case through the domain model."""
    errors = field_checks(values, today)
    facts_ready = not any(name in errors for name in DATE_FIELDS)
    facts = build_facts(values) if facts_ready else None
    if errors:
        return FormCheck(errors, None, facts)
    document = build_document(kind, values)
    try:
        validate_case(document, today)
    except InvalidInput as error:
        path, _, message = error.message.partition(": ")
        return FormCheck({field_of(path): message or error.message}, None, facts)
    return FormCheck({}, document, facts)


# -- editing a case's facts with the same form ----------------------------------------

FORM_PATHS = {
    "given_names": "subjects.{subject}.given_names",
    "family_name": "subjects.{subject}.family_name",
    "date_of_birth": "subjects.{subject}.date_of_birth",
    "unborn": "subjects.{subject}.unborn",
    "sex": "subjects.{subject}.sex",
    "looked_after": "subjects.{subject}.legal_status.looked_after",
    "care_leaver": "subjects.{subject}.legal_status.care_leaver",
    "child_protection_plan": "subjects.{subject}.legal_status.child_protection_plan",
    "outcome": "incident.outcome",
    "event_date": "incident.event_date",
    "aware_date": "incident.aware_date",
    "abuse_or_neglect": "incident.abuse_or_neglect",
    "location": "incident.location",
    "normally_resident_in_area": "incident.normally_resident_in_area",
    "place": "incident.place",
    "case_outline": "case_outline",
}
"""Where each form field is kept in a stored case; `{subject}` is the subject the form
shows (see `form_subject`). The threshold decision is not here: it has its own action."""


def form_subject(kind: CaseKind, document: Mapping[str, Any]) -> int:
    """Which subject the edit form shows: for a care leaver's death, the care leaver
    (whose facts decide the duty); otherwise the first."""
    subjects = document.get("subjects") or []
    if kind is CaseKind.care_leaver_death:
        for index, subject in enumerate(subjects):
            if (subject.get("legal_status") or {}).get("care_leaver"):
                return index
    return 0


REMOVED_WHEN_BLANK = ("date_of_birth", "place")
"""Text fields whose blank means "not held" rather than an empty text."""


TEXT_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "event_date",
    "aware_date",
    "place",
    "case_outline",
)


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
    """The form's values for a stored case document (one subject: `form_subject`)."""
    values = initial_values(kind, today)
    subject = form_subject(kind, document)
    for name, path in FORM_PATHS.items():
        held = _held(document, path.format(subject=subject))
        if held is not None:
            values[name] = held
        elif name in TEXT_FIELDS:  # not held: blank, not the new-case default (today)
            values[name] = ""
    return values


def _stored(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not value and name in REMOVED_WHEN_BLANK:
            return None
    return value


def changed_fields(
    before: dict[str, Any], after: dict[str, Any], subject: int = 0
) -> dict[str, Any]:
    """The stored paths to set for the form fields that changed (None removes a value).

    Only fields the user changed are sent, so values the form does not show (another
    subject, a field set from the CLI) are never overwritten by the form's defaults.
    """
    changes: dict[str, Any] = {}
    for name, path in FORM_PATHS.items():
        old, new = _stored(name, before.get(name)), _stored(name, after.get(name))
        if old != new:
            changes[path.format(subject=subject)] = new
    return changes
