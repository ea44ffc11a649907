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
from notify_tui.views.new_case_form import initial_values, sections

TODAY = date(2026, 11, 23)


def fields(kind: CaseKind) -> list[str]:
    return [question.field for question in facts_questions(kind)]


def test_a_serious_incident_asks_every_fact_in_the_forms_order() -> None:
    assert fields(CaseKind.serious_incident) == [
        "c1.given_names", "c1.family_name", "c1.date_of_birth", "c1.unborn", "c1.sex",
        "c1.looked_after", "c1.child_protection_plan", "c1.care_leaver", "outcome",
        "event_date", "aware_date", "location", "normally_resident_in_area", "abuse_or_neglect",
    ]  # fmt: skip


def test_the_fields_a_kind_fixes_are_not_asked() -> None:
    """A care leaver's death: care leaver (yes) and looked after (no) are the kind's; a
    death's outcome is "died"; only a serious incident's subject may be unborn."""
    assert fields(CaseKind.care_leaver_death) == [
        "c1.given_names", "c1.family_name", "c1.date_of_birth", "c1.sex",
        "c1.child_protection_plan", "event_date", "aware_date", "location",
        "normally_resident_in_area", "abuse_or_neglect",
    ]  # fmt: skip
    assert "outcome" not in fields(CaseKind.child_death)
    assert "c1.unborn" not in fields(CaseKind.child_death)


def test_every_question_is_a_field_of_the_form_in_its_order() -> None:
    """The facts the duties depend on in the form's order, then (once the duties are
    shown) the place and outline, then the decision: each a field of the form."""
    kind = CaseKind.serious_incident
    form = [key for section in sections(kind, 1) for key in section.keys()]  # noqa: SIM118
    facts = fields(kind)
    after = ["place", "case_outline", "decision", "rationale"]
    assert [q.field for q in guided_case.DETAIL_QUESTIONS] == ["place", "case_outline"]
    assert facts == [key for key in form if key in facts]
    assert after == [key for key in form if key in after]


@pytest.mark.parametrize(
    ("question", "default", "prompt"),
    [
        (guided_case.Question("c1.given_names", "Given names", "text"), "", "Given names: "),
        (
            guided_case.Question("aware_date", "Date the LA became aware", "date", "dd/mm/yyyy"),
            "23/11/2026",
            "Date the LA became aware (dd/mm/yyyy) [23/11/2026]: ",
        ),
        (
            guided_case.Question("c1.unborn", "Unborn child", "yes_no"),
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


SEX = next(q for q in facts_questions(CaseKind.child_death) if q.field == "c1.sex")
RESIDENT = next(
    q for q in facts_questions(CaseKind.child_death) if q.field == "normally_resident_in_area"
)


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
    assert read_answer(RESIDENT, text, True) == answer


def test_text_answers_are_trimmed_and_limited() -> None:
    name = facts_questions(CaseKind.child_death)[0]
    assert read_answer(name, "  Ada  ", "") == Answer("Ada")
    assert read_answer(name, "x" * 201, "") == Answer(problem="too long: at most 200 characters")
    assert read_answer(RATIONALE, "x" * 5000, "") == Answer("x" * 5000)


def test_unborn_and_the_rationale_are_asked_only_when_they_apply() -> None:
    unborn = facts_questions(CaseKind.serious_incident)[3]
    assert applies(unborn, {"c1.date_of_birth": ""})
    assert not applies(unborn, {"c1.date_of_birth": "2019-05-04"})
    assert not applies(RATIONALE, {"decision": "undecided"})
    assert applies(RATIONALE, {"decision": "no_notify"})


def test_a_blank_date_of_birth_waits_for_the_unborn_question() -> None:
    values = initial_values(CaseKind.serious_incident, TODAY) | {
        "c1.given_names": "Baby",
        "c1.family_name": "Unborn-Fictional",
    }
    asked = ["c1.given_names", "c1.family_name", "c1.date_of_birth"]
    kind = CaseKind.serious_incident
    assert problem_with(kind, values, asked, TODAY) is None
    assert problem_with(kind, values, [*asked, "c1.unborn"], TODAY) == (
        "c1.date_of_birth",
        "required",
    )
    values["c1.unborn"] = True
    assert problem_with(kind, values, [*asked, "c1.unborn"], TODAY) is None
    # Only a serious incident's subject may be unborn: a death's date of birth is due.
    values["c1.unborn"] = False
    assert problem_with(CaseKind.child_death, values, asked, TODAY) == (
        "c1.date_of_birth",
        "required",
    )


def test_a_date_in_the_future_is_refused_at_once() -> None:
    values = initial_values(CaseKind.child_death, TODAY) | {"c1.date_of_birth": "24/11/2026"}
    assert problem_with(CaseKind.child_death, values, ["c1.date_of_birth"], TODAY) == (
        "c1.date_of_birth",
        "Tue 24 Nov 2026: is in the future; give the date it happened",
    )
