"""views/guided_case.py: the new case form's questions, asked one a line, and their answers."""

from __future__ import annotations

from datetime import date

import pytest

from notify_tui.domain.models import CaseKind
from notify_tui.views import guided_case
from notify_tui.views.guided_case import (
    DECISION,
    RATIONALE,
    Answer,
    applies,
    facts_questions,
    problem_with,
    read_answer,
)
from notify_tui.views.new_case_form import FORM_FIELDS, initial_values

TODAY = date(2026, 11, 23)


def fields(kind: CaseKind) -> list[str]:
    return [question.field for question in facts_questions(kind)]


def test_a_serious_incident_asks_every_fact_in_the_forms_order() -> None:
    assert fields(CaseKind.serious_incident) == [
        "given_names", "family_name", "date_of_birth", "unborn", "sex", "looked_after",
        "care_leaver", "child_protection_plan", "outcome", "event_date", "aware_date",
        "abuse_or_neglect", "location", "normally_resident_in_area",
    ]  # fmt: skip


def test_the_fields_a_kind_fixes_are_not_asked() -> None:
    """A care leaver's death: care leaver (yes) and looked after (no) are the kind's; a
    death's outcome is "died"; only a serious incident's subject may be unborn."""
    assert fields(CaseKind.care_leaver_death) == [
        "given_names", "family_name", "date_of_birth", "sex", "child_protection_plan",
        "event_date", "aware_date", "abuse_or_neglect", "location",
        "normally_resident_in_area",
    ]  # fmt: skip
    assert "outcome" not in fields(CaseKind.child_death)
    assert "unborn" not in fields(CaseKind.child_death)


def test_every_question_is_a_field_of_the_form_in_its_order() -> None:
    asked = [*fields(CaseKind.serious_incident), "place", "case_outline", "decision", "rationale"]
    assert [q.field for q in guided_case.DETAIL_QUESTIONS] == ["place", "case_outline"]
    assert asked == [name for name in FORM_FIELDS if name in asked]


@pytest.mark.parametrize(
    ("question", "default", "prompt"),
    [
        (guided_case.Question("given_names", "Given names", "text"), "", "Given names: "),
        (
            guided_case.Question("aware_date", "Date the LA became aware", "date", "YYYY-MM-DD"),
            "2026-11-23",
            "Date the LA became aware (YYYY-MM-DD) [2026-11-23]: ",
        ),
        (
            guided_case.Question("unborn", "Unborn child", "yes_no"),
            False,
            "Unborn child? yes or no [no]: ",
        ),
        (
            DECISION,
            "undecided",
            "Threshold decision (Panel)? 1 Not decided yet, 2 Notify: threshold met, "
            "3 Do not notify: threshold not met [1]: ",
        ),
    ],
)
def test_prompts(question: guided_case.Question, default: object, prompt: str) -> None:
    assert question.prompt(default) == prompt


SEX = next(q for q in facts_questions(CaseKind.child_death) if q.field == "sex")
RESIDENT = facts_questions(CaseKind.child_death)[-1]


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("2", Answer("F")),
        ("female", Answer("F")),
        ("  Ma ", Answer("M")),  # a prefix of one label only
        ("m", Answer("M")),  # the value itself
        ("", Answer("U")),  # blank keeps the default
        ("4", Answer(problem="answer a number from 1 to 3")),
        ("o", Answer(problem="answer a number from 1 to 3")),
    ],
)
def test_choice_answers(text: str, answer: Answer) -> None:
    assert read_answer(SEX, text, "U") == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", Answer(True)),
        ("Y", Answer(True)),
        ("no", Answer(False)),
        ("", Answer(True)),
        ("maybe", Answer(problem="answer yes or no")),
    ],
)
def test_yes_no_answers(text: str, answer: Answer) -> None:
    assert RESIDENT.field == "normally_resident_in_area"
    assert read_answer(RESIDENT, text, True) == answer


def test_text_answers_are_trimmed_and_limited() -> None:
    name = facts_questions(CaseKind.child_death)[0]
    assert read_answer(name, "  Ada  ", "") == Answer("Ada")
    assert read_answer(name, "x" * 201, "") == Answer(problem="too long: at most 200 characters")
    assert read_answer(RATIONALE, "x" * 5000, "") == Answer("x" * 5000)


def test_unborn_and_the_rationale_are_asked_only_when_they_apply() -> None:
    unborn = facts_questions(CaseKind.serious_incident)[3]
    assert applies(unborn, {"date_of_birth": ""})
    assert not applies(unborn, {"date_of_birth": "2019-05-04"})
    assert not applies(RATIONALE, {"decision": "undecided"})
    assert applies(RATIONALE, {"decision": "no_notify"})


def test_a_blank_date_of_birth_waits_for_the_unborn_question() -> None:
    values = initial_values(CaseKind.serious_incident, TODAY) | {
        "given_names": "Baby",
        "family_name": "Unborn-Fictional",
    }
    asked = ["given_names", "family_name", "date_of_birth"]
    kind = CaseKind.serious_incident
    assert problem_with(kind, values, asked, TODAY) is None
    assert problem_with(kind, values, [*asked, "unborn"], TODAY) == (
        "date_of_birth",
        "required (YYYY-MM-DD)",
    )
    values["unborn"] = True
    assert problem_with(kind, values, [*asked, "unborn"], TODAY) is None
    # Only a serious incident's subject may be unborn: a death's date of birth is due.
    values["unborn"] = False
    assert problem_with(CaseKind.child_death, values, asked, TODAY) == (
        "date_of_birth",
        "required (YYYY-MM-DD)",
    )


def test_a_date_in_the_future_is_refused_at_once() -> None:
    values = initial_values(CaseKind.child_death, TODAY) | {"date_of_birth": "2026-11-24"}
    assert problem_with(CaseKind.child_death, values, ["date_of_birth"], TODAY) == (
        "date_of_birth",
        "is in the future; give the date it happened",
    )
