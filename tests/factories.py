"""The one place tests build case and facts documents (input only, never expected output).

Every document is valid on the suite's frozen today (Mon 23 Nov 2026) unless changed:

    facts()                                    # serious incident, a child, seriously harmed
    facts("child_death", aware_date="2026-11-20")
    facts("serious_incident", "unborn")        # no date of birth, unborn: true
    case("care_leaver_death")                  # a care leaver (born 2003) who died
    case(facts={"aware_date": "2026-11-20"}, case_outline="SYNTHETIC", subjects__0__sex="M")
    changed(document, {"facts.aware_date": ..., "subjects.0.family_name": "Other-Fictional"})

A change's key is a field name, or a path: dotted in `changed`, `__`-separated as a
keyword (`subjects__0__family_name`); list items by index. A value of `...` removes the
key. Tests state the facts their expected values depend on, even where they equal the
defaults, so a change here cannot silently change what a test means. All people are
synthetic.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Kind = Literal["serious_incident", "child_death", "care_leaver_death"]
SubjectKind = Literal["child", "unborn", "care_leaver"]

TODAY = "2026-11-23"
"""The suite's frozen today, a Monday (as in tests/conftest.py)."""

_INCIDENT: dict[Kind, dict[str, Any]] = {
    "serious_incident": {
        "outcome": "seriously_harmed",
        "event_date": "2026-11-16",
        "aware_date": "2026-11-17",
        "abuse_or_neglect": "known",
        "location": "in_area",
        "normally_resident_in_area": True,
    },
    "child_death": {
        "outcome": "died",
        "event_date": "2026-11-16",
        "aware_date": "2026-11-17",
        "abuse_or_neglect": "none",
        "location": "in_area",
        "normally_resident_in_area": True,
    },
    "care_leaver_death": {
        "outcome": "died",
        "event_date": "2026-11-16",
        "aware_date": "2026-11-17",
        "abuse_or_neglect": "none",
        "location": "in_area",
        "normally_resident_in_area": True,
    },
}

_SUBJECT_FACTS: dict[SubjectKind, dict[str, Any]] = {
    "child": {"date_of_birth": "2019-06-01"},
    "unborn": {"date_of_birth": None, "unborn": True},
    "care_leaver": {"date_of_birth": "2003-05-01", "care_leaver": True},
}

_SUBJECTS: dict[SubjectKind, dict[str, Any]] = {
    "child": {"given_names": "Ada", "family_name": "Factory-Fictional", "sex": "F"},
    "unborn": {"given_names": "Baby", "family_name": "Unborn-Fictional", "sex": "U"},
    "care_leaver": {"given_names": "Cal", "family_name": "Leaver-Fictional", "sex": "M"},
}

_DEFAULT_SUBJECT: dict[Kind, SubjectKind] = {
    "serious_incident": "child",
    "child_death": "child",
    "care_leaver_death": "care_leaver",
}


def facts(
    kind: Kind = "serious_incident",
    subject: SubjectKind | None = None,
    /,
    **changes: Any,
) -> dict[str, Any]:
    """A facts document (`notify-tui check`) for `kind` about one `subject`, then `changes`."""
    return _facts(kind, subject or _DEFAULT_SUBJECT.get(kind, "child"), _keyword_paths(changes))


def subject(who: SubjectKind = "child", /, **changes: Any) -> dict[str, Any]:
    """A named subject of a case (its date of birth comes from the case's facts)."""
    document = dict(_SUBJECTS[who])
    if who == "unborn":
        document["unborn"] = True
    return changed(document, _keyword_paths(changes))


def case(
    kind: Kind = "serious_incident",
    who: SubjectKind | None = None,
    /,
    *,
    facts: Mapping[str, Any] | None = None,
    subjects: list[dict[str, Any]] | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """A minimal case document (`case add`): `kind`, one `who` subject, flat facts; no outline.

    `facts` changes the facts (merged, `...` removes); `subjects` replaces the subjects;
    other keywords change the document itself (`case_outline=...`, `subjects__0__sex=...`).
    """
    person = who or _DEFAULT_SUBJECT.get(kind, "child")
    document: dict[str, Any] = {
        "kind": kind,
        "subjects": copy.deepcopy(subjects) if subjects is not None else [subject(person)],
        "facts": _facts(kind, person, facts or {}),
    }
    return changed(document, _keyword_paths(changes))


def _facts(kind: Kind, who: SubjectKind, changes: Mapping[str, Any]) -> dict[str, Any]:
    # A kind the factory does not know (a refusal test's input) gets the incident defaults.
    incident = _INCIDENT.get(kind, _INCIDENT["serious_incident"])
    return changed({**_SUBJECT_FACTS[who], **incident}, changes)


def changed(document: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of `document` with each dotted path in `changes` set (or removed by `...`)."""
    result = copy.deepcopy(dict(document))
    for path, value in changes.items():
        *parents, last = path.split(".")
        node: Any = result
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            if value is ...:
                del node[int(last)]
            else:
                node[int(last)] = value
        elif value is ...:
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)
    return result


def _keyword_paths(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {key.replace("__", "."): value for key, value in changes.items()}


@dataclass(frozen=True)
class FoldChange:
    """A change as the fold reads it (`domain.fold.FoldChange`), for hand-built events."""

    field: str
    value: Any
    replaces: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FoldEvent:
    """An event as the fold reads it (`domain.fold.FoldEvent`), for hand-built events."""

    id: str
    at: datetime
    changes: list[FoldChange]
    type: str = "case.edited"
    author: str = "Test Lead"
    device: str = "dev-a"
    org: str = "Testshire"
