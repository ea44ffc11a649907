"""The new case form as questions asked one at a time (the line mode's `new KIND`).

The same fields as the terminal app's form (`views.new_case_form`), in its order, each
as one question on one line with its default in brackets; the same checks decide what
an answer may be. Fields the kind fixes (a care leaver's death: care leaver, died) are
not asked. Pure: the shell asks, this module says what to ask and what an answer means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from notify_tui.domain.models import CaseKind
from notify_tui.views.new_case_form import (
    ABUSE,
    DECISIONS,
    LOCATIONS,
    OUTCOMES,
    SEX,
    STATUS,
    field_checks,
)

AnswerKind = Literal["text", "date", "yes_no", "choice"]

CHILD = "c1."
"""The form keys a child's fields by number (`views.new_case_form.key_of`): the line mode
asks about the first child; the terminal app's form takes up to four."""

DATE_HINT = "e.g. 30/11/2026, 2026-11-30 or today"

YES = frozenset({"y", "yes"})
NO = frozenset({"n", "no"})


@dataclass(frozen=True)
class Question:
    """One field of the form, asked on one line."""

    field: str
    """The form field (`views.new_case_form.FORM_FIELDS`) the answer fills."""
    label: str
    """What is asked, as the form labels it ("Date of birth")."""
    kind: AnswerKind
    hint: str = ""
    """Said after the label, in brackets: the date format, "optional"."""
    choices: tuple[tuple[str, str], ...] = ()
    """(label, value) pairs of a choice, numbered from 1 in the prompt."""
    max_length: int = 200

    def prompt(self, default: Any) -> str:
        """The line that asks it: "Sex? 1 Unknown or not given, 2 Female, 3 Male [1]: "."""
        text = self.label + (f" ({self.hint})" if self.hint else "")
        if self.kind == "yes_no":
            text += "? yes or no"
            shown = "yes" if default else "no"
        elif self.kind == "choice":
            numbered = ", ".join(f"{n} {label}" for n, (label, _) in enumerate(self.choices, 1))
            text += f"? {numbered}"
            shown = next(
                (str(n) for n, (_, value) in enumerate(self.choices, 1) if value == default), ""
            )
        else:
            shown = str(default or "")
        return f"{text}{f' [{shown}]' if shown else ''}: "


def _dated(field: str, label: str, hint: str = DATE_HINT) -> Question:
    return Question(field, label, "date", hint)


def subject_questions(kind: CaseKind) -> tuple[Question, ...]:
    """The (first) child's part of the form, in its order."""
    questions = [
        Question(CHILD + "given_names", "Given names", "text"),
        Question(CHILD + "family_name", "Family name", "text"),
    ]
    if kind is CaseKind.serious_incident:
        questions.append(
            _dated(CHILD + "date_of_birth", "Date of birth", f"{DATE_HINT}; blank if unborn")
        )
        questions.append(Question(CHILD + "unborn", "Unborn child", "yes_no"))
    else:
        questions.append(_dated(CHILD + "date_of_birth", "Date of birth"))
    questions.append(Question(CHILD + "sex", "Sex", "choice", choices=SEX))
    if kind is not CaseKind.care_leaver_death:
        questions.append(Question(CHILD + "looked_after", "Looked after", "choice", choices=STATUS))
    questions.append(Question(CHILD + "child_protection_plan", "Child protection plan", "yes_no"))
    if kind is not CaseKind.care_leaver_death:
        questions.append(Question(CHILD + "care_leaver", "Care leaver", "choice", choices=STATUS))
    return tuple(questions)


def incident_questions(kind: CaseKind) -> tuple[Question, ...]:
    """What happened, as far as the duties depend on it, in the form's order."""
    questions = []
    if kind is CaseKind.serious_incident:
        questions.append(Question("outcome", "Outcome", "choice", choices=OUTCOMES))
    questions += [
        _dated("event_date", "Date of the event"),
        _dated("aware_date", "Date the LA became aware"),
        Question("location", "Where it happened", "choice", choices=LOCATIONS),
        Question("normally_resident_in_area", "Normally resident in our area", "yes_no"),
        Question("abuse_or_neglect", "Abuse or neglect", "choice", choices=ABUSE),
    ]
    return tuple(questions)


DETAIL_QUESTIONS = (
    Question("place", "Place", "text", "optional", max_length=500),
    Question("case_outline", "Outline", "text", "a few sentences", max_length=20_000),
)
"""The rest of the form before the decision: they change no duty."""

DECISION = Question("decision", "Threshold decision (Panel)", "choice", choices=DECISIONS)
RATIONALE = Question("rationale", "Rationale", "text", "why, at least a sentence", max_length=5000)
SAVE = Question("save", "Save this case", "yes_no")


def facts_questions(kind: CaseKind) -> tuple[Question, ...]:
    """Every question whose answer the duties depend on: the subject, then the event."""
    return subject_questions(kind) + incident_questions(kind)


def applies(question: Question, values: Mapping[str, Any]) -> bool:
    """Whether to ask `question` given the answers so far: "unborn" only when no date of
    birth was given, the rationale only once a decision is."""
    if question.field == CHILD + "unborn":
        return not str(values.get(CHILD + "date_of_birth", "")).strip()
    if question.field == "rationale":
        return bool(values.get("decision", "undecided") != "undecided")
    return True


@dataclass(frozen=True)
class Answer:
    """An answer read: the value for the field, or the problem with it (one line)."""

    value: Any = None
    problem: str | None = None


def read_answer(question: Question, text: str, default: Any) -> Answer:
    """What a typed answer means; blank keeps the default."""
    text = text.strip()
    if not text:
        return Answer(default)
    if question.kind == "yes_no":
        word = text.lower()
        if word in YES:
            return Answer(True)
        if word in NO:
            return Answer(False)
        return Answer(problem="answer yes or no")
    if question.kind == "choice":
        return _choice(question.choices, text)
    if len(text) > question.max_length:
        return Answer(problem=f"too long: at most {question.max_length} characters")
    return Answer(text)


def _choice(choices: Sequence[tuple[str, str]], text: str) -> Answer:
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return Answer(choices[int(text) - 1][1])
    word = text.lower()
    for label, value in choices:
        if word in (value.lower(), label.lower()):
            return Answer(value)
    started = [value for label, value in choices if label.lower().startswith(word)]
    if len(started) == 1:
        return Answer(started[0])
    return Answer(problem=f"answer a number from 1 to {len(choices)}")


def problem_with(
    kind: CaseKind, values: Mapping[str, Any], asked: Sequence[str], today: date
) -> tuple[str, str] | None:
    """The first field asked so far whose value the form refuses, with why, or None.

    A serious incident's blank date of birth waits for the "unborn" question."""
    errors, _hints = field_checks(kind, dict(values), today)
    waiting = (
        kind is CaseKind.serious_incident
        and CHILD + "unborn" not in asked
        and not str(values.get(CHILD + "date_of_birth", "")).strip()
    )
    for field in asked:
        if field in errors and not (waiting and field == CHILD + "date_of_birth"):
            return field, errors[field]
    return None


LABELS = {
    question.field: question.label
    for kind in CaseKind
    for question in (*facts_questions(kind), *DETAIL_QUESTIONS, DECISION, RATIONALE)
}
"""Each field's label, to name it in a problem ("Date of birth: is in the future")."""
