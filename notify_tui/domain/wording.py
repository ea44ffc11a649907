"""The record in words: field values, conflicts and audit entries as plain English.

Every value a case holds (a fact, the threshold decision, a duty's sent, acknowledged or
withdrawn record, an office step) can be phrased here, so a conflict reads as a question
("Acknowledged on 18 Nov 2026 (B. Office) or 19 Nov 2026 (A. Lead)?") and an event of the
audit trail as a sentence ("A. Lead marked the Panel notification sent on 20 Nov 2026,
reference NOTIF-123").

This is the domain's vocabulary, not a screen's: the Session puts these words into what
it returns (a conflict's `question`, an audit entry's `summary`, in `--json` too), and
the services sit below the presenters, so the words live here, pure like the rest of
the domain (no clock, no I/O).

Audit sentences may end up in logs and files, so they never spell out a person's facts
(names, dates of birth, NHS numbers, free text): they say which field changed. Duty
records, decisions and office steps are shown with their values. A conflict's choices do
show the values (a person must see them to choose), but only on the screen or the
terminal that asked.

Event types are phrased from `EVENT_TEMPLATES` (one line per type); an unknown type gets
a neutral sentence naming the fields it changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from notify_tui.domain import codes
from notify_tui.domain.dashboard import DUTY_LABELS
from notify_tui.domain.models import CASE_KIND_LABELS, CaseKind
from notify_tui.domain.office import STEP_LABELS
from notify_tui.domain.people import (
    ACCESS_ACTIONS,
    ACCESS_TYPE,
    HOLD_TYPE,
    PEOPLE_ACTIONS,
    PEOPLE_TYPE,
)
from notify_tui.domain.rules import base_duty_id, per_subject_name

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""Month abbreviations, fixed here so the words never depend on the process's locale."""


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_iso_day(value: object) -> bool:
    """Whether a stored value is a date written YYYY-MM-DD."""
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def day_words(text: object) -> str:
    """An ISO date as "18 Nov 2026"; anything that is not a date, as it is."""
    if isinstance(text, date):
        day = text
    elif is_iso_day(text):
        day = date.fromisoformat(str(text))
    else:
        return str(text)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# -- labels ------------------------------------------------------------------------------

INCIDENT_LABELS = {
    "outcome": "Outcome",
    "event_date": "Date of event",
    "event_time": "Time of event",
    "aware_date": "LA became aware",
    "location": "Where",
    "location_type": "Kind of place",
    "place": "Place",
    "normally_resident_in_area": "Normally resident in area",
    "abuse_or_neglect": "Abuse or neglect",
    "abuse_kinds": "Kinds",
    "stillbirth_or_planned_termination": "Stillbirth or planned termination",
    "panel_notified_date": "Panel notified",
    "lcspr_decision_date": "Local review decided",
    "lcspr_planned_publication_date": "Local review publication planned",
}
"""The incident's facts (`incident.*`), as the case screen labels them."""

SUBJECT_LABELS = {
    "given_names": "Given names",
    "family_name": "Family name",
    "other_names": "Other names",
    "date_of_birth": "Date of birth",
    "unborn": "Unborn",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "nhs_number": "NHS number",
    "home_la": "Home local authority",
    "health_information": "Health information",
    "outcome": "What happened to the child",
    "legal_status.looked_after": "Looked after",
    "legal_status.child_protection_plan": "Child protection plan",
    "legal_status.child_in_need": "Child in need",
    "legal_status.care_leaver": "Care leaver",
    "legal_status.known_to_agencies": "Known to agencies",
}
"""A subject's facts (`subjects.N.*`); the label says which subject: "(child 1)"."""

NOTIFIER_LABELS = {
    "name": "Notifier's name",
    "role": "Notifier's role",
    "phone": "Notifier's phone",
    "email": "Notifier's email",
    "la": "Notifier's local authority",
}

CASE_LABELS = {
    "kind": "Kind of case",
    "case_outline": "Outline",
    "other_children": "Other children",
    "linked_cases": "Linked cases",
    "decision": "Threshold decision",
    "death.expected": "Expected or unexpected death",
    "death.joint_agency_response": "Joint agency response",
    "death.post_mortem": "Post-mortem required",
    "death.death_certificate": "Death certificate issued",
    "death.cause_of_death": "Cause of death",
    "death.carer": "Carer at the time of death",
    "death.agencies": "Agencies involved",
    "annual_report.year": "Year of the yearly report",
    "annual_report.published_date": "Yearly report published",
}
"""The other fields of a case, by their whole path."""

SHOWN_FACTS = frozenset(
    {f"incident.{name}" for name in INCIDENT_LABELS if name != "place"}
    | {"kind", "linked_cases", "annual_report.year", "annual_report.published_date"}
)
"""Facts whose value an audit sentence may show: what happened, when, where in words.
Everything about a person and every free text (place, outline, notifier) is named only."""

DUTY_NAMES = {
    "panel-notification": "Panel notification",
    "lac-death-notification": "looked-after child death notification",
    "care-leaver-death-notification": "care leaver death notification",
    "cdop-notification": "CDOP notification",
    "rapid-review": "rapid review",
    "lcspr-publication": "local review publication",
    "lcspr-advance-copy": "advance copy of the local review",
    "annual-report-sent": "yearly report",
}
"""Duties as a sentence names them ("marked the CDOP notification sent")."""

DUTY_PARTS = {
    "sent": "sent record",
    "acknowledged": "acknowledgement",
    "withdrawn": "withdrawal",
    "late_reason": "reason for the delay",
    "submitted": "submission",
    "withdrawal_requested": "withdrawal request",
    "withdrawal_confirmed": "withdrawal confirmation",
}
"""What each part of a duty's record (`duties.ID.PART`) is called."""

VALUE_WORDS: Mapping[str, Mapping[str, str]] = {
    "incident.outcome": {"died": "died", "seriously_harmed": "seriously harmed", "other": "other"},
    "incident.location": {
        "in_area": "in the LA's area",
        "elsewhere_in_england": "elsewhere in England",
        "outside_england": "outside England",
    },
    "incident.abuse_or_neglect": {
        "known": "known",
        "suspected": "suspected",
        "none": "not known or suspected",
    },
    "nhs_number": {"not_available": "not available", "non_resident": "non-resident in England"},
    "disability": {"yes": "yes", "no": "no", "unknown": "not known"},
}
"""Stored codes in words, by path (a subject's fields by their name alone)."""

PANEL_OUTCOME_WORDS = {
    "local_review": "local review",
    "national_review": "national review",
    "no_further_review": "no further review",
}
"""The Panel's answer after a rapid review (`office.panel_response.response`)."""


def duty_name(duty_id: str) -> str:
    """A duty as a sentence names it ("CDOP notification (child 2)" for a second
    child's: by place, never by name)."""
    base = base_duty_id(duty_id)
    name = DUTY_NAMES.get(base) or DUTY_LABELS.get(base)
    return duty_id if name is None else per_subject_name(name, duty_id)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _split(path: str) -> tuple[str, str, str]:
    """(area, key, rest): ("duties", "cdop-notification", "acknowledged"), ("subjects",
    "0", "date_of_birth"), ("office", "rapid_review.started", ""), ("", path, "")."""
    head, _, tail = path.partition(".")
    if head == "duties":
        duty, _, part = tail.partition(".")
        return head, duty, part
    if head == "subjects":
        number, _, name = tail.partition(".")
        return head, number, name
    if head in ("office", "incident", "notifier"):
        return head, tail, ""
    return "", path, ""


def field_label(path: str) -> str:
    """A field of a case in words, as a heading: "Date of birth (child 1)", "Place",
    "CDOP notification acknowledgement", "Rapid review meeting held"."""
    area, key, rest = _split(path)
    if area == "duties" and rest.startswith("corrections."):
        return _capital(f"{duty_name(key)} correction")
    if area == "office" and key.startswith("corrections."):
        step = key.removeprefix("corrections.")
        return f"{STEP_LABELS.get(step, step.replace('_', ' '))}: correction"
    if area == "duties":
        return _capital(f"{duty_name(key)} {DUTY_PARTS.get(rest, rest.replace('_', ' '))}")
    if area == "subjects" and key.isdigit():
        label = SUBJECT_LABELS.get(rest, rest.replace("_", " ").replace(".", " "))
        return f"{label} (child {int(key) + 1})"
    if area == "office":
        return STEP_LABELS.get(key, key.replace("_", " ").replace(".", ": "))
    if area == "incident":
        return INCIDENT_LABELS.get(key, key.replace("_", " "))
    if area == "notifier":
        return NOTIFIER_LABELS.get(key, f"Notifier's {key.replace('_', ' ')}")
    return CASE_LABELS.get(path, path)


def _the_field(path: str) -> str:
    """A field as the object of a sentence: "the CDOP notification acknowledgement",
    "'Rapid review meeting held'", "the threshold decision", "Place"."""
    area, key, part = _split(path)
    if area == "duties":
        return f"the {duty_name(key)} {DUTY_PARTS.get(part, part.replace('_', ' '))}"
    if area == "office":
        return f"'{field_label(path)}'"
    if path == "decision":
        return "the threshold decision"
    return field_label(path)


# -- values ------------------------------------------------------------------------------


def _plain_words(path: str, value: Any) -> str:
    """A fact or office value in words (no person named, no "recorded by")."""
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_plain_words(path, item) for item in value) or "none"
    area, key, rest = _split(path)
    name = rest if area == "subjects" else path
    words = VALUE_WORDS.get(name, {})
    if isinstance(value, str) and value in words:
        return words[value]
    if name == "sex" and isinstance(value, str):
        return codes.sex_codes().get(value, value)
    if name == "ethnicity" and isinstance(value, str):
        return f"{codes.ethnicity_codes().get(value, value)} ({value})"
    if path == "kind" and isinstance(value, str) and value in CaseKind.__members__:
        return CASE_KIND_LABELS[CaseKind(value)].lower()
    if path == "office.cdop.category" and isinstance(value, str):
        return codes.cdop_categories().get(value, value)
    if isinstance(value, Mapping):
        outcome = str(value.get("outcome") or "")
        outcome = PANEL_OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
        if value.get("date"):
            return f"{day_words(value['date'])}: {outcome}" if outcome else day_words(value["date"])
        return outcome or ", ".join(f"{k} {v}" for k, v in value.items() if v is not None)
    if is_iso_day(value):
        return day_words(value)
    if isinstance(value, str) and " " not in value and "_" in value:
        return value.replace("_", " ")
    return str(value)


def _record(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _by(record: Mapping[str, Any], by: str | None) -> str | None:
    """Who a record names, unless that is `by` (the sentence's subject already)."""
    named = record.get("by") or record.get("decided_by")
    return None if not named or named == by else str(named)


def _reason(record: Mapping[str, Any]) -> str:
    return str(record.get("reason") or record.get("correction_reason") or "").strip()


def _duty_words(part: str, value: Any, by: str | None) -> str:
    """A duty record in words: "sent on 20 Nov 2026 by A. Lead, reference NOTIF-123",
    "acknowledged on 18 Nov 2026 (B. Office)", "withdrawn by A. Lead: the reason".

    `by` is who the sentence is about already: their name is not repeated."""
    if value is None:
        return "removed"
    record = _record(value)
    if not record:
        return str(value)
    named = _by(record, by)
    when = f" on {day_words(record['date'])}" if record.get("date") else ""
    if part == "sent":
        words = f"sent{when}" + (f" by {named}" if named else "")
        reference = record.get("reference")
        return words + (f", reference {reference}" if reference else "")
    if part == "acknowledged":
        return f"acknowledged{when}" + (f" ({named})" if named else "")
    if part == "withdrawn":
        words = "withdrawn" + (f" by {named}" if named else "")
        return words + (f": {_reason(record)}" if _reason(record) else "")
    if part == "late_reason":
        return _reason(record) or str(value)
    shown = ", ".join(f"{k.replace('_', ' ')} {day_words(v)}" for k, v in record.items()
                      if v is not None and k not in ("by", "decided_by"))  # fmt: skip
    return shown + (f" ({named})" if named else "")


def _decision_words(value: Any, by: str | None = None) -> str:
    """ "notify (decided 20 Nov 2026 by A. Lead)" or "do not notify (...)"."""
    record = _record(value)
    if not record:
        return "not recorded" if value is None else str(value)
    verdict = "notify" if record.get("notify") else "do not notify"
    named = _by(record, by)
    when = [f"decided {day_words(record['decided_on'])}"] if record.get("decided_on") else []
    if named:
        when.append(f"by {named}")
    return f"{verdict} ({' '.join(when)})" if when else verdict


def value_words(path: str, value: Any, by: str | None = None) -> str:
    """A field's value in words, whatever its shape.

    `by` is the person a sentence is already about, whose name a record does not repeat.
    """
    area, _, rest = _split(path)
    if area == "duties":
        return _duty_words(rest, value, by)
    if path == "decision":
        return _decision_words(value, by)
    return _plain_words(path, value)


# -- conflicts ---------------------------------------------------------------------------


def _quoted(path: str, value: Any) -> str:
    """A value in words, free text in quotes (so "Ward 3 (demo)" reads as one value)."""
    words = _plain_words(path, value)
    return f"'{words}'" if isinstance(value, str) and words == value else words


def choice_words(path: str, value: Any, recorded_by: str) -> str:
    """One value of a conflict as a choice: "18 Nov 2026 (B. Office)" for an
    acknowledgement, "'Ward 3' (A. Lead)" for a place.

    The person is the one the record names, else `recorded_by` (the event's author)."""
    area, _, part = _split(path)
    if area == "duties" and isinstance(value, Mapping):
        by = str(value.get("by") or recorded_by)
        when = day_words(value["date"]) if value.get("date") else ""
        if part == "sent":
            reference = value.get("reference")
            return f"{when} by {by}".strip() + (f", reference {reference}" if reference else "")
        if part == "acknowledged" and when:
            return f"{when} ({by})"
        if part == "withdrawn":
            reason = _reason(value)
            return f"by {by}" + (f": {reason}" if reason else "")
        return _duty_words(part, {**value, "by": by}, None)
    if path == "decision" and isinstance(value, Mapping):
        return _decision_words({**value, "decided_by": value.get("decided_by") or recorded_by})
    if value is None:
        return f"no value ({recorded_by})"
    return f"{_quoted(path, value)} ({recorded_by})"


def _question_stem(path: str) -> str:
    area, key, part = _split(path)
    if area == "duties":
        return {"sent": "Sent on", "acknowledged": "Acknowledged on", "withdrawn": "Withdrawn"}.get(
            part, f"{field_label(path)}:"
        )
    if (
        area == "office"
        and key in STEP_LABELS
        and key
        not in (
            "panel_response.response",
            "cdop.category",
            "cdop.modifiable_factors",
        )
    ):
        return f"{field_label(path)} on"
    return f"{field_label(path)}:"


def either(choices: Sequence[str]) -> str:
    """ "a or b", "a, b or c"."""
    if len(choices) < 2:
        return "".join(choices)
    return f"{', '.join(choices[:-1])} or {choices[-1]}"


def conflict_question(path: str, choices: Sequence[str]) -> str:
    """A conflict as the question a person answers: "Acknowledged on 18 Nov 2026
    (B. Office) or 19 Nov 2026 (A. Lead)?" (`choices` from `choice_words`)."""
    return f"{_question_stem(path)} {either(choices)}?"


# -- the audit trail ---------------------------------------------------------------------


class ChangeLike(Protocol):
    """What a sentence needs of a change: the field and its new value."""

    @property
    def field(self) -> str: ...
    @property
    def value(self) -> Any: ...


Phrase = Callable[[str, Sequence[ChangeLike]], str]
"""(author, changes) → what the author did, without the author: "marked ... sent"."""


def _fact_item(change: ChangeLike, verb: str = "to") -> str:
    label = field_label(change.field)
    if change.value is None:
        return f"{label} (removed)"
    if change.field in SHOWN_FACTS:
        return f"{label} {verb} {_plain_words(change.field, change.value)}"
    return label


def _items(items: Sequence[str]) -> str:
    """Items joined with commas and a final "and"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _listed(items: Sequence[str], most: int = 4) -> str:
    """At most `most` items; more are counted ("A, B, C and 3 other fields")."""
    if len(items) > most:
        return f"{', '.join(items[: most - 1])} and {len(items) - most + 1} other fields"
    return _items(items)


def _yearly_report(changes: Sequence[ChangeLike]) -> str | None:
    values = {c.field: c.value for c in changes if c.field.startswith("annual_report.")}
    if not values:
        return None
    year = values.get("annual_report.year")
    published = values.get("annual_report.published_date")
    words = "recorded the yearly report" + (f" for {year}" if year is not None else "")
    return words + (f", published {day_words(published)}" if published else "")


def _created(author: str, changes: Sequence[ChangeLike]) -> str:
    yearly = _yearly_report(changes)
    if yearly:
        return yearly
    kind = next((c.value for c in changes if c.field == "kind"), None)
    subjects = {c.field.split(".")[1] for c in changes if c.field.startswith("subjects.")}
    count = len(subjects)
    if kind == CaseKind.care_leaver_death.value:
        people = "person" if count == 1 else "people"
    else:
        people = "child" if count == 1 else "children"
    parts = []
    if isinstance(kind, str) and kind in CaseKind.__members__:
        parts.append(CASE_KIND_LABELS[CaseKind(kind)].lower())
    if count:
        parts.append(f"{count} {people}")
    return "created the case" + (f" ({', '.join(parts)})" if parts else "")


def _edited(author: str, changes: Sequence[ChangeLike]) -> str:
    yearly = _yearly_report(changes)
    if yearly:
        return yearly
    return f"changed {_listed([_fact_item(c) for c in changes])}"


def _resolved(author: str, changes: Sequence[ChangeLike]) -> str:
    if len(changes) == 1:
        [change] = changes
        path = change.field
        if path == "decision" or path.startswith(("duties.", "office.")):
            words = value_words(path, change.value, by=author)
            return f"resolved a conflict on {_the_field(path)}: {words}"
        return f"resolved a conflict on {_fact_item(change, 'as')}"
    return f"resolved a conflict on {_listed([_fact_item(c, 'as') for c in changes])}"


def _per_change(template: str) -> Phrase:
    """A phrase from a template filled in for each change (joined with "; ").

    Placeholders: {duty} (the duty's name), {part} (what part of its record), {record}
    (that record in words), {reason}, {because} (" (reason: ...)" when one is given),
    {label} (the field's label), {value} (the value in words), {step} (an office step's
    value, as "on 18 Nov 2026" or "as yes")."""

    def phrase(author: str, changes: Sequence[ChangeLike]) -> str:
        said = []
        for change in changes:
            area, key, part = _split(change.field)
            record = _record(change.value)
            step = _plain_words(change.field, change.value)
            dated = is_iso_day(change.value) or bool(record.get("date"))
            step = f"on {step}" if dated else f"as {step}"
            said.append(
                template.format(
                    duty=duty_name(key) if area == "duties" else "",
                    part=DUTY_PARTS.get(part, part.replace("_", " ")),
                    record=value_words(change.field, change.value, by=author),
                    reason=_reason(record) or "no reason given",
                    because=f" (reason: {_reason(record)})" if _reason(record) else "",
                    label=field_label(change.field),
                    value=value_words(change.field, change.value, by=author),
                    step=step,
                )
            )
        return "; ".join(said)

    return phrase


def _duty_corrected(author: str, changes: Sequence[ChangeLike]) -> str:
    """`duty.corrected`: the cleared parts (value None) and the correction note
    (`duties.ID.corrections.eN` = {part, undone, reason, by, date}) in one sentence."""
    notes = [c for c in changes if _split(c.field)[2].startswith("corrections.")]
    if not notes:
        return _per_change("corrected the {duty} {part}: {record}{because}")(author, changes)
    said = []
    for note in notes:
        _, duty, _ = _split(note.field)
        record = _record(note.value)
        part = str(record.get("part") or "")
        undone = value_words(f"duties.{duty}.{part}", record.get("undone"), by=author)
        named = DUTY_PARTS.get(part, part.replace("_", " ") or "record")
        reason = _reason(record)
        said.append(
            f"corrected the {duty_name(duty)}: its {named} ({undone}) was made in error"
            + (f" (reason: {reason})" if reason else "")
        )
    return "; ".join(said)


def _office_corrected(author: str, changes: Sequence[ChangeLike]) -> str:
    """`office.corrected`: the step's new value and its note
    (`office.corrections.AREA.STEP` = {reason, was, by}) in one sentence."""
    prefix = "office.corrections."
    notes = {
        c.field.removeprefix(prefix): _record(c.value)
        for c in changes
        if c.field.startswith(prefix)
    }
    said = []
    for change in changes:
        if change.field.startswith(prefix):
            continue
        key = change.field.removeprefix("office.")
        note = notes.get(key, _record(change.value))
        words = (
            f"corrected '{field_label(change.field)}' to {_plain_words(change.field, change.value)}"
        )
        details = []
        if "was" in note:
            details.append(f"was {_plain_words(change.field, note.get('was'))}")
        if _reason(note):
            details.append(f"reason: {_reason(note)}")
        said.append(words + (f" ({'; '.join(details)})" if details else ""))
    return "; ".join(said) or _unknown("office.corrected")(author, changes)


def _yearly_or(phrase: Phrase) -> Phrase:
    """The yearly report's record (`annual_report.*`) in one sentence, else `phrase`."""

    def either_phrase(author: str, changes: Sequence[ChangeLike]) -> str:
        return _yearly_report(changes) or phrase(author, changes)

    return either_phrase


def _unknown(event_type: str) -> Phrase:
    def phrase(author: str, changes: Sequence[ChangeLike]) -> str:
        labels = _items(list(dict.fromkeys(field_label(c.field) for c in changes)))
        return f"recorded {event_type} ({labels})"

    return phrase


def _access(author: str, changes: Sequence[ChangeLike]) -> str:
    """`access.recorded`: what was looked at or taken out, never the data itself."""
    said = []
    for change in changes:
        record = _record(change.value)
        action = str(record.get("action") or "")
        words = ACCESS_ACTIONS.get(action, f"recorded access ({action or 'unnamed'})")
        detail = str(record.get("detail") or "")
        said.append(words + (f" ({detail})" if detail else ""))
    return "; ".join(said)


def _people(author: str, changes: Sequence[ChangeLike]) -> str:
    """`people.recorded`: a user added or removed, a passphrase or the recovery changed."""
    said = []
    for change in changes:
        record = _record(change.value)
        action = str(record.get("action") or "")
        words = PEOPLE_ACTIONS.get(action, f"changed the users ({action or 'unnamed'})")
        user = str(record.get("user") or "")
        role = str(record.get("role") or "")
        detail = str(record.get("detail") or "")
        words += f" {user}" if user else ""
        words += f" ({role})" if role else ""
        said.append(words + (f": {detail}" if detail else ""))
    return "; ".join(said)


def _hold(author: str, changes: Sequence[ChangeLike]) -> str:
    """`hold.recorded`: a legal hold placed or lifted (on the entry's case, or on
    everything when it is about no case), and why."""
    said = []
    for change in changes:
        record = _record(change.value)
        action = "lifted" if record.get("action") == "lifted" else "placed"
        said.append(f"{action} a legal hold: {record.get('reason') or '(no reason)'}")
    return "; ".join(said)


def _erased(author: str, changes: Sequence[ChangeLike]) -> str:
    """`case.erased`: the erasure certificate: the ground, who confirmed, and why."""
    said = []
    for change in changes:
        record = _record(change.value)
        ground = (
            f"as a duplicate of {record.get('duplicate_of')}"
            if record.get("ground") == "duplicate"
            else "at the end of its retention period"
        )
        said.append(
            f"erased the case {ground}, confirmed by {record.get('confirmed_by')}: "
            f"{record.get('reason') or '(no reason)'}"
        )
    return "; ".join(said)


EVENT_TEMPLATES: dict[str, Phrase] = {
    "case.created": _created,
    "case.erased": _erased,
    "case.edited": _edited,
    "conflict.resolved": _resolved,
    "decision.recorded": _per_change("recorded the threshold decision: {value}"),
    "duty.sent": _per_change("marked the {duty} {record}"),
    "duty.submitted": _per_change("marked the {duty} {record}"),
    "duty.acknowledged": _per_change("recorded the {duty} {record}"),
    "duty.withdrawn": _per_change("withdrew the {duty}: {reason}"),
    "duty.corrected": _duty_corrected,
    "duty.late_reason": _per_change("gave the reason the {duty} was late: {reason}"),
    "duty.withdrawal_requested": _per_change(
        "asked to withdraw the {duty} (the office confirms; until then it is owed): {reason}"
    ),
    "duty.withdrawal_confirmed": _per_change("confirmed the withdrawal of the {duty}"),
    "office.recorded": _yearly_or(_per_change("recorded '{label}' {step}")),
    "office.corrected": _office_corrected,
    ACCESS_TYPE: _access,
    PEOPLE_TYPE: _people,
    HOLD_TYPE: _hold,
}
"""How each event type reads, after its author's name. A new type is one line here;
`_per_change` templates are filled in for each change the event makes."""


def audit_sentence(event_type: str, author: str, changes: Sequence[ChangeLike]) -> str:
    """An event of the audit trail as a sentence: "A. Lead marked the Panel notification
    sent on 20 Nov 2026, reference NOTIF-123". An unknown type names the fields only."""
    if not changes:  # an event of an erased case: who and what kind of step are left
        return f"{author} made a {event_type} entry; what it said was erased"
    phrase = EVENT_TEMPLATES.get(event_type) or _unknown(event_type)
    return f"{author} {phrase(author, changes)}"
