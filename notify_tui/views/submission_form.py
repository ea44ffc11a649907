"""A case laid out in the order of the form it is submitted on (no Textual, no SQL).

Two forms (DOMAIN.md, "What the forms ask for"):

- the national online notification (serious incident, looked-after child death, care
  leaver death), shared by the Panel, DfE and Ofsted;
- the CDOP / NCMD child death notification.

`form_fields` turns a `Session.case_detail` into `FormField`s in the form's order, with
the text to paste into each box. A field the vault does not hold (the CDOP form asks for
a GP and a home address, which notify-tui keeps out on purpose) has an empty value and a
note saying so, so the user sees every box of the form in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from notify_tui.domain import codes
from notify_tui.domain.models import age_on
from notify_tui.domain.rules import base_duty_id
from notify_tui.services.types import CaseDetail, DutyView


class Form(StrEnum):
    """The two national forms a case is submitted on."""

    online = "online"
    cdop = "cdop"


FORM_TITLES = {
    Form.online: "National online notification (Panel, DfE and Ofsted)",
    Form.cdop: "Child death notification (CDOP / NCMD)",
}

FORM_DUTIES: Mapping[Form, tuple[str, ...]] = {
    Form.online: (
        "panel-notification",
        "lac-death-notification",
        "care-leaver-death-notification",
    ),
    Form.cdop: ("cdop-notification",),
}
"""The duties one submission of each form completes."""

NOT_HELD = "not held in notify-tui: fill in on the form"

LEGAL_STATUS_WORDS = {
    "looked_after": "looked after",
    "child_protection_plan": "child protection plan",
    "child_in_need": "child in need",
    "care_leaver": "care leaver",
    "known_to_agencies": "known to agencies",
}
LOCATION_TYPE_WORDS = {
    "home": "Home",
    "hospital": "Hospital",
    "placement": "Placement",
    "custody": "Custody",
    "school": "School",
    "public": "Public place",
    "other": "Other",
}
NATURE_WORDS = {"died": "Death", "seriously_harmed": "Serious harm", "other": "Other"}
ABUSE_WORDS = {"known": "Known", "suspected": "Suspected", "none": "Not known or suspected"}


@dataclass(frozen=True)
class FormField:
    """One box of a form: where it sits, its label and the text to paste into it."""

    key: str
    """Unique within the form, e.g. `child1.names`."""
    section: str
    label: str
    value: str
    """What `c` copies; empty when nothing is recorded."""
    note: str = ""
    """Shown instead of a value when there is none (e.g. `NOT_HELD`)."""

    @property
    def shown(self) -> str:
        """The value, or the note, or "not recorded"."""
        return self.value or self.note or "not recorded"


def form_day(text: str | None) -> str:
    """A date as the forms take it: DD/MM/YYYY."""
    return date.fromisoformat(text).strftime("%d/%m/%Y") if text else ""


def _yes_no(value: Any) -> str:
    if value is None:
        return ""
    return "Yes" if value else "No"


def forms_for(detail: CaseDetail) -> list[Form]:
    """The forms a case is submitted on, the main one first (from its duties and kind)."""
    duties = {base_duty_id(duty.duty) for duty in detail.duties}
    forms = [form for form in Form if duties & set(FORM_DUTIES[form])]
    if detail.kind == "child_death":
        forms.sort(key=lambda form: form is not Form.cdop)
    return forms or [Form.cdop if detail.kind == "child_death" else Form.online]


def submission_duties(detail: CaseDetail, form: Form) -> list[DutyView]:
    """The case's duties one submission of `form` completes, open ones first."""
    order = FORM_DUTIES[form]
    duties = [d for d in detail.duties if base_duty_id(d.duty) in order]
    return sorted(duties, key=lambda d: (d.status != "open", order.index(base_duty_id(d.duty))))


def form_fields(detail: CaseDetail, form: Form) -> list[FormField]:
    """The case's values in the order of `form`."""
    if form is Form.cdop:
        return _cdop_fields(detail)
    return _online_fields(detail)


def _names(subject: Mapping[str, Any]) -> str:
    return f"{subject.get('given_names', '')} {subject.get('family_name', '')}".strip()


def _born_or_age(subject: Mapping[str, Any], event_date: str | None) -> str:
    if subject.get("unborn"):
        return "Unborn"
    born = subject.get("date_of_birth")
    if not born:
        return ""
    text = form_day(born)
    if event_date:
        age = age_on(date.fromisoformat(born), date.fromisoformat(event_date))
        text += f" (aged {age} on the date of the incident)"
    return text


def _sex(subject: Mapping[str, Any]) -> str:
    code = subject.get("sex") or "U"
    if code == "U":
        return "Unborn" if subject.get("unborn") else "Unknown"
    return codes.sex_codes().get(code, code)


def _ethnicity(subject: Mapping[str, Any]) -> str:
    code = subject.get("ethnicity")
    if not code:
        return ""
    return f"{codes.ethnicity_codes().get(code, code)} ({code})"


YES_NO_WORDS = {"yes": "Yes", "no": "No", "unknown": "Not known"}
NHS_WORDS = {"not_available": "Not available", "non_resident": "Non-resident in England"}


def _nhs(subject: Mapping[str, Any]) -> str:
    """An NHS number grouped 3 3 4 as it is printed, or why there is none."""
    number = subject.get("nhs_number") or ""
    if number in NHS_WORDS:
        return NHS_WORDS[number]
    if len(number) == 10 and number.isdigit():
        return f"{number[:3]} {number[3:6]} {number[6:]}"
    return number


def _legal_status(subject: Mapping[str, Any]) -> str:
    status = subject.get("legal_status") or {}
    return ", ".join(words for key, words in LEGAL_STATUS_WORDS.items() if status.get(key))


def _subjects(detail: CaseDetail) -> Sequence[Mapping[str, Any]]:
    subjects: Sequence[Mapping[str, Any]] = detail.document.get("subjects") or []
    return subjects


def _online_fields(detail: CaseDetail) -> list[FormField]:
    document = detail.document
    notifier = document.get("notifier") or {}
    incident = document.get("incident") or {}
    event_date = incident.get("event_date")
    fields = [
        FormField("notifier.name", "Notifier", "Name", notifier.get("name") or ""),
        FormField("notifier.role", "Notifier", "Role", notifier.get("role") or ""),
        FormField("notifier.phone", "Notifier", "Phone", notifier.get("phone") or ""),
        FormField("notifier.email", "Notifier", "Email", notifier.get("email") or ""),
        FormField("notifier.la", "Notifier", "Local authority", notifier.get("la") or detail.org),
    ]
    for number, subject in enumerate(_subjects(detail), start=1):
        section = f"Child {number}"
        prefix = f"child{number}"
        fields += [
            FormField(f"{prefix}.names", section, "Name(s)", _names(subject)),
            FormField(f"{prefix}.other_names", section, "Other names",
                      subject.get("other_names") or ""),
            FormField(f"{prefix}.born", section, "Date of birth or age",
                      _born_or_age(subject, event_date)),
            FormField(f"{prefix}.sex", section, "Sex", _sex(subject)),
            FormField(f"{prefix}.ethnicity", section, "Ethnicity", _ethnicity(subject)),
            FormField(f"{prefix}.disability", section, "Disability",
                      YES_NO_WORDS.get(subject.get("disability") or "", "")),
            FormField(f"{prefix}.legal_status", section, "Legal status", _legal_status(subject),
                      note="none of: looked after, CP plan, CIN, care leaver, known"),
            FormField(f"{prefix}.health", section, "Health information",
                      subject.get("health_information") or ""),
            FormField(f"{prefix}.home_la", section, "Home local authority",
                      subject.get("home_la") or ""),
        ]  # fmt: skip
    if document.get("other_children"):
        fields.append(
            FormField(
                "other_children", "Other children", "Further children", document["other_children"]
            )  # fmt: skip
        )
    decision = document.get("decision") or {}
    time = incident.get("event_time") or ""
    fields += [
        FormField("incident.nature", "Incident", "Nature of incident",
                  NATURE_WORDS.get(incident.get("outcome", ""), "")),
        FormField("incident.date", "Incident", "Date of incident", form_day(event_date)),
        FormField("incident.time", "Incident", "Time of incident", time[:5]),
        FormField("incident.location_type", "Incident", "Location type",
                  LOCATION_TYPE_WORDS.get(incident.get("location_type") or "", "")),
        FormField("incident.place", "Incident", "Place", incident.get("place") or ""),
        FormField("incident.abuse", "Incident", "Abuse or neglect known or suspected",
                  ABUSE_WORDS.get(incident.get("abuse_or_neglect", ""), "")),
        FormField("incident.abuse_kinds", "Incident", "Kind of abuse or neglect",
                  ", ".join(k.replace("_", " ") for k in incident.get("abuse_kinds") or [])),
        FormField("incident.outline", "Incident", "Case outline",
                  document.get("case_outline") or ""),
        FormField("incident.threshold", "Incident", "Rapid review threshold met",
                  _yes_no(decision.get("notify")), note="no threshold decision recorded yet"),
        FormField("incident.stillbirth", "Incident", "Stillbirth or planned termination",
                  _yes_no(incident.get("stillbirth_or_planned_termination"))
                  if incident.get("outcome") == "died" else "", note="not a death"),
        FormField("incident.linked", "Incident", "Linked cases",
                  ", ".join(document.get("linked_cases") or []), note="none"),
    ]  # fmt: skip
    return fields


def _cdop_fields(detail: CaseDetail) -> list[FormField]:
    document = detail.document
    incident = document.get("incident") or {}
    death: Mapping[str, Any] = document.get("death") or {}
    fields: list[FormField] = []
    for number, subject in enumerate(_subjects(detail), start=1):
        section = "Child" if len(_subjects(detail)) == 1 else f"Child {number}"
        prefix = f"child{number}"
        fields += [
            FormField(f"{prefix}.family_name", section, "Family name",
                      subject.get("family_name") or ""),
            FormField(f"{prefix}.forenames", section, "Forenames",
                      subject.get("given_names") or ""),
            FormField(f"{prefix}.other_names", section, "Other names",
                      subject.get("other_names") or ""),
            FormField(f"{prefix}.born", section, "Date of birth",
                      form_day(subject.get("date_of_birth"))),
            FormField(f"{prefix}.sex", section, "Sex", _sex(subject)),
            FormField(f"{prefix}.nhs_number", section, "NHS number", _nhs(subject)),
            FormField(f"{prefix}.ethnicity", section, "Ethnicity", _ethnicity(subject)),
            FormField(f"{prefix}.address", section, "Home address and postcode", "",
                      note=NOT_HELD),
            FormField(f"{prefix}.gp", section, "GP", "", note=NOT_HELD),
            FormField(f"{prefix}.parental_responsibility", section,
                      "People with parental responsibility", "", note=NOT_HELD),
        ]  # fmt: skip
    time = incident.get("event_time") or ""
    fields += [
        FormField("death.date", "Death", "Date of death", form_day(incident.get("event_date"))),
        FormField("death.time", "Death", "Time of death", time[:5]),
        FormField("death.place", "Death", "Place of death or fatal event",
                  ", ".join(p for p in (LOCATION_TYPE_WORDS.get(
                      incident.get("location_type") or "", ""), incident.get("place") or "") if p)),
        FormField("death.carer", "Death", "Carer at time of death", death.get("carer") or ""),
        FormField("death.other_children", "Death", "Other children in the household",
                  document.get("other_children") or ""),
        FormField("death.expected", "Death", "Expected or unexpected (joint agency response)",
                  _expected(death)),
        FormField("death.post_mortem", "Death", "Post-mortem required",
                  YES_NO_WORDS.get(death.get("post_mortem") or "", "")),
        FormField("death.certificate", "Death", "Death certificate issued and cause",
                  _certificate(death)),
        FormField("death.summary", "Death", "Summary of circumstances",
                  document.get("case_outline") or ""),
        FormField("death.other_reviews", "Death", "Other reviews under way",
                  _other_reviews(detail), note="none"),
        FormField("death.agencies", "Death", "Agencies involved", death.get("agencies") or ""),
    ]  # fmt: skip
    return fields


EXPECTED_WORDS = {"expected": "Expected", "unexpected": "Unexpected", "not_known": "Not known"}
JOINT_AGENCY_WORDS = {
    "external_causes": "external causes",
    "sudden_no_apparent_cause": "sudden with no apparent cause",
    "custody_or_detention": "in custody or detention",
    "suspicious": "suspicious",
}


def _expected(death: Mapping[str, Any]) -> str:
    words = EXPECTED_WORDS.get(death.get("expected") or "", "")
    criteria = [JOINT_AGENCY_WORDS.get(c, c) for c in death.get("joint_agency_response") or []]
    if criteria:
        words = f"{words or 'Unexpected'}; joint agency response: {', '.join(criteria)}"
    return words


def _certificate(death: Mapping[str, Any]) -> str:
    issued = YES_NO_WORDS.get(death.get("death_certificate") or "", "")
    cause = death.get("cause_of_death") or ""
    if issued and cause:
        return f"{issued}: {cause}"
    return issued or (f"Cause: {cause}" if cause else "")


def _other_reviews(detail: CaseDetail) -> str:
    names = {
        "panel-notification": "serious incident notification to the Panel",
        "rapid-review": "rapid review",
        "lac-death-notification": "looked-after child death notified to DfE and Ofsted",
    }
    held = {base_duty_id(duty.duty) for duty in detail.duties}
    return "; ".join(text for duty_id, text in names.items() if duty_id in held)


# -- copying more than one box ----------------------------------------------------------


def section_text(fields: Sequence[FormField], section: str) -> str:
    """One section as text to paste or keep: a heading, then "Label: value" per box
    (what is not recorded says so)."""
    lines = [section]
    lines += [f"{field.label}: {field.shown}" for field in fields if field.section == section]
    return "\n".join(lines)


def form_text(title: str, fields: Sequence[FormField]) -> str:
    """The whole form as text: its title, then each section, a blank line between."""
    sections = list(dict.fromkeys(field.section for field in fields))
    return "\n\n".join([title, *(section_text(fields, name) for name in sections)])


def still_to_complete(fields: Sequence[FormField]) -> list[str]:
    """The boxes with nothing recorded ("Child 1 · Ethnicity"), in the form's order;
    boxes notify-tui does not hold and boxes whose emptiness is an answer ("none")
    are left out."""
    return [
        f"{field.section} · {field.label}"
        for field in fields
        if not field.value and field.note in ("", "no threshold decision recorded yet")
    ]
