"""Subject access: which cases hold a person, and who else they name.

A data protection officer answering a subject access request needs everything held
about one person, and a list of the other people it names, so they can be redacted
before anything is disclosed. This module is the pure part: matching a person in a case
document (by NHS number or by name), and listing the third parties of the cases found.

- **By NHS number**: a subject whose NHS number is that number (spaces ignored).
- **By name**: a subject whose full name ("given names" then "family name"), or whose
  other names, equal the name asked for, ignoring case and spacing. A name matches no one
  by a part of it: a family name alone finds nobody, so no other family is swept in.
- **Third parties**: the other children of the case; the notifier; the carer named in
  the death details; whoever recorded the decision; and the free-text fields that may
  name anyone (the outline, other children, the place, health information, the cause
  of death, the agencies, the decision's rationale), which the officer must read.
  Staff who recorded entries are named in the audit trail, listed by the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from notify_tui.domain.nhs import is_valid_nhs_number, normalise_nhs_number

FREE_TEXT: Final = (
    ("case_outline", "the case outline"),
    ("other_children", "other children"),
    ("incident.place", "the place of the event"),
    ("death.cause_of_death", "the cause of death"),
    ("death.carer", "the carer"),
    ("death.agencies", "the agencies involved"),
    ("decision.rationale", "the decision's rationale"),
)
"""Fields of free text that may name anyone, with what each is."""


@dataclass(frozen=True)
class ThirdParty:
    """Someone other than the person asked about, or a text that may name others."""

    case_id: str
    where: str
    """The field of the case document (`subjects.1`, `notifier.name`, ...)."""
    role: str
    """Who they are in the case, in words."""
    name: str
    """Their name, or the text to read."""

    def as_json(self) -> dict[str, str]:
        """As the export's third-parties.json holds it."""
        return {"case": self.case_id, "where": self.where, "role": self.role, "name": self.name}


def normalised_name(text: str) -> str:
    """A name compared as people mean it: case and spacing ignored."""
    return " ".join(text.split()).casefold()


def full_name(subject: Mapping[str, Any]) -> str:
    """A subject's given names then family name."""
    return " ".join(str(subject.get(part) or "") for part in ("given_names", "family_name")).strip()


def matching_subjects(
    document: Mapping[str, Any], *, nhs: str | None = None, name: str | None = None
) -> list[int]:
    """The indexes of the subjects of `document` who are the person asked about."""
    wanted_nhs = normalise_nhs_number(nhs) if nhs is not None else None
    wanted_name = normalised_name(name) if name is not None else None
    found = []
    for index, subject in enumerate(document.get("subjects") or []):
        if not isinstance(subject, Mapping):
            continue
        held = subject.get("nhs_number")
        if (
            wanted_nhs is not None
            and isinstance(held, str)
            and is_valid_nhs_number(held)
            and normalise_nhs_number(held) == wanted_nhs
        ):
            found.append(index)
            continue
        if wanted_name is not None and wanted_name in {
            normalised_name(full_name(subject)),
            normalised_name(str(subject.get("other_names") or "")),
        }:
            found.append(index)
    return found


def third_parties(
    case_id: str, document: Mapping[str, Any], subjects: Sequence[int]
) -> list[ThirdParty]:
    """Everyone `document` names who is not one of `subjects`, and its free text."""
    found: list[ThirdParty] = []
    for index, subject in enumerate(document.get("subjects") or []):
        if index in subjects or not isinstance(subject, Mapping):
            continue
        found.append(
            ThirdParty(
                case_id, f"subjects.{index}", "another child of the case", full_name(subject)
            )
        )
    notifier = document.get("notifier") or {}
    if isinstance(notifier, Mapping) and notifier.get("name"):
        found.append(ThirdParty(case_id, "notifier.name", "the notifier", str(notifier["name"])))
    decision = document.get("decision") or {}
    if isinstance(decision, Mapping) and decision.get("decided_by"):
        found.append(
            ThirdParty(case_id, "decision.decided_by", "who decided", str(decision["decided_by"]))
        )
    for path, what in FREE_TEXT:
        value = _at(document, path)
        if isinstance(value, str) and value.strip():
            found.append(ThirdParty(case_id, path, f"free text ({what}): read it", value))
    return found


def _at(document: Mapping[str, Any], path: str) -> object:
    value: object = document
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
