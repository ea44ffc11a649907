"""The event rules (`notify_tui.domain.event_rules`), worked by hand: what each type may
set, who may write it (the table in docs/bundle-format.md, row by row), and the values.

Plain values, no vault: the rules are pure. Dates are judged against the day the event
was recorded, here Monday 23 November 2026 (10:00 UTC). All people are synthetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import factories
import pytest

from notify_tui.demo.synthetic import synthetic_cases
from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.event_rules import (
    EVENT_RULES,
    ValidatedCase,
    check_event,
    role_table,
    role_table_markdown,
)
from notify_tui.domain.fold import flatten
from notify_tui.domain.models import validate_case
from notify_tui.domain.rules import default_rule_pack
from notify_tui.store.projection import settled_document

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DUTIES = {rule.id for rule in default_rule_pack().rules if rule.kind == "duty"}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "bundle-format.md"
EVENT_ID = "ab" * 32


@dataclass
class C:
    field: str
    value: Any
    replaces: list[str] = field(default_factory=list)


@dataclass
class E:
    type: str
    changes: list[C]
    at: datetime = AT
    author: str = "Ann Lead"
    org: str = "Testshire Council"


def problem(event: E, relation: str = "owner", partnership: bool = False) -> str | None:
    found = check_event(event, relation, partnership=partnership, duty_ids=DUTIES)  # type: ignore[arg-type]
    return None if found is None else str(found)


def created_case() -> list[C]:
    document = factories.case(
        "serious_incident",
        subjects=[{"given_names": "Test", "family_name": "Fictional"}],
        facts={"date_of_birth": "2019-01-01", "outcome": "seriously_harmed",
               "event_date": "2026-11-16", "aware_date": "2026-11-17",
               "abuse_or_neglect": "suspected"},
    )  # fmt: skip
    case = validate_case(document, AT.date())
    return [
        C(path, value)
        for path, value in flatten(case.model_dump(mode="json", exclude_none=True)).items()
    ]  # noqa: E501


PANEL = "duties.panel-notification"
SAMPLES: dict[tuple[str, str], list[C]] = {
    ("case.created", "case"): created_case(),
    ("case.created", "partnership"): [
        C("annual_report.year", 2026), C("annual_report.published_date", "2026-11-20")
    ],
    ("case.edited", "case"): [C("case_outline", "A synthetic outline.")],
    ("decision.recorded", "case"): [C("decision", {
        "notify": True, "rationale": "Serious harm, abuse suspected.",
        "decided_on": "2026-11-20", "decided_by": "Ann Lead"})],
    ("duty.sent", "case"): [C(f"{PANEL}.sent",
                              {"date": "2026-11-20", "reference": "SIN-1", "by": "Ann Lead"})],
    ("duty.late_reason", "case"): [C(f"{PANEL}.late_reason", {
        "reason": "The meeting was held late.", "by": "Ann Lead", "date": "2026-11-23"})],
    ("duty.withdrawn", "case"): [C(f"{PANEL}.withdrawn",
                                   {"reason": "Not ours after all.", "by": "Ann Lead"})],
    ("duty.withdrawal_requested", "case"): [C(f"{PANEL}.withdrawal_requested", {
        "reason": "Not ours after all.", "by": "Ann Lead", "date": "2026-11-23"})],
    ("duty.withdrawal_confirmed", "case"): [C(f"{PANEL}.withdrawal_confirmed",
                                              {"by": "Olu Office", "date": "2026-11-23",
                                               "request": EVENT_ID})],
    ("duty.acknowledged", "case"): [C(f"{PANEL}.acknowledged",
                                      {"date": "2026-11-23", "by": "Olu Office"})],
    ("duty.corrected", "case"): [
        C(f"{PANEL}.acknowledged", None, [EVENT_ID]),
        C(f"{PANEL}.corrections.e0123456789abcdef", {
            "part": "acknowledged", "undone": {"date": "2026-11-23", "by": "Olu Office"},
            "reason": "Acknowledged on the wrong case.", "by": "Olu Office",
            "date": "2026-11-23"}),
    ],
    ("office.recorded", "case"): [C("office.rapid_review.started", "2026-11-20")],
    ("office.recorded", "partnership"): [C("annual_report.published_date", "2026-11-21")],
    ("office.corrected", "case"): [
        C("office.rapid_review.started", "2026-11-19", [EVENT_ID]),
        C("office.corrections.rapid_review.started",
          {"reason": "The date was mistyped.", "was": "2026-11-20", "by": "Olu Office"}),
    ],
    ("conflict.resolved", "case"): [C("case_outline", "The outline chosen.", [EVENT_ID] * 2)],
    ("conflict.resolved", "partnership"): [C("annual_report.year", 2026, [EVENT_ID] * 2)],
    ("access.recorded", "case"): [C("access", {"action": "opened"})],
    ("people.recorded", "case"): [
        C("people", {"action": "added", "user": "Dee Deputy", "role": "deputy"})
    ],
    ("hold.recorded", "case"): [
        C("hold", {"action": "placed", "reason": "Inquiry order 17 (fictional)",
                   "by": "Ann Lead"})
    ],
    ("case.erased", "case"): [
        C("erasure", {"ground": "duplicate", "duplicate_of": "CD-KEPT0001",
                      "reason": "Logged twice (fictional)", "by": "Ann Lead",
                      "confirmed_by": "Ada Admin", "events": 1, "entries": ["0" * 64]})
    ],
}  # fmt: skip
"""A valid event of each type, on an LA's case and on a partnership record."""


def sample(event_type: str, partnership: bool, writer: str) -> list[C]:
    if event_type == "conflict.resolved" and writer == "office" and not partnership:
        return [C("office.rapid_review.started", "2026-11-20", [EVENT_ID] * 2)]
    if event_type.startswith("duty.") and partnership:
        found = SAMPLES[(event_type, "case")]
        return [C(c.field.replace(PANEL, "duties.annual-report-sent"), c.value, c.replaces)
                for c in found]  # fmt: skip
    key = (event_type, "partnership" if partnership else "case")
    return SAMPLES.get(key, SAMPLES[(event_type, "case")])


def test_the_docs_hold_the_role_table() -> None:
    assert role_table_markdown() in DOCS.read_text()


ROWS = [
    (row[0], column, writer, partnership, row[index])
    for row in role_table()
    for index, column, writer, partnership in (
        (2, "an LA on its case", "owner", False),
        (3, "the office on an LA's case", "office", False),
        (4, "the office on its partnership record", "owner", True),
    )
]


@pytest.mark.parametrize(("event_type", "column", "writer", "partnership", "cell"), ROWS)
def test_the_role_table_row_by_row(
    event_type: str, column: str, writer: str, partnership: bool, cell: str
) -> None:
    """Where the table names fields, a valid event of that type is accepted; where it
    says "—", the same event is refused with the role rule it breaks."""
    event = E(event_type, sample(event_type, partnership, writer))
    found = problem(event, writer, partnership)
    if cell == "—":
        assert found is not None and "role rule" in found, (column, found)
    else:
        assert found is None, (column, found)


def test_every_type_has_a_sample_and_a_row() -> None:
    assert {row[0] for row in role_table()} == set(EVENT_RULES)
    assert {key[0] for key in SAMPLES} == set(EVENT_RULES)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        # An LA's forged office step, whatever the author's name says.
        (E("office.recorded", [C("office.rapid_review.started", "2026-11-20")],
           author="B. Office"),
         "office.rapid_review.started: role rule: only the business office records office "
         "steps"),
        (E("office.corrected", SAMPLES[("office.corrected", "case")]),
         "type: role rule: office.corrected (an office step corrected, with the reason) is "
         "written by the office (on an LA's case), not the record's owner"),
        (E("duty.withdrawal_confirmed", SAMPLES[("duty.withdrawal_confirmed", "case")]),
         "type: role rule: duty.withdrawal_confirmed (the second person's confirmation of a "
         "withdrawal) is written by the office (on an LA's case), not the record's owner"),
        (E("conflict.resolved", [C(f"{PANEL}.withdrawal_confirmed", {
            "by": "Olu", "date": "2026-11-23", "request": EVENT_ID}, [EVENT_ID] * 2)]),
         f"{PANEL}.withdrawal_confirmed: role rule: only the office confirms a withdrawal "
         "(the second person)"),
        (E("case.edited", [C("annual_report.year", 2026)]),
         "annual_report.year: role rule: annual_report fields belong to the partnership's "
         "records (AR-…)"),
        (E("duty.sent", [C(f"{PANEL}.acknowledged", {"date": "2026-11-23", "by": "A"})]),
         f"{PANEL}.acknowledged: a duty.sent event does not set duty acknowledged"),
    ],
)  # fmt: skip
def test_an_owner_writing_what_is_not_its_own(event: E, expected: str) -> None:
    assert problem(event) == expected


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (E("case.edited", [C("case_outline", "Rewritten.")]),
         "type: role rule: case.edited (facts changed) is written by the record's owner, not "
         "the office"),
        (E("duty.corrected", [
            C(f"{PANEL}.sent", None),
            C(f"{PANEL}.corrections.e0123456789abcdef", {
                "part": "sent", "undone": {"date": "2026-11-20"}, "reason": "Never sent.",
                "by": "Olu", "date": "2026-11-23"})]),
         f"{PANEL}.sent: role rule: on an LA's case the office records only acknowledgements "
         "and withdrawal confirmations"),
        (E("conflict.resolved", [C("decision", None, [EVENT_ID] * 2)]),
         "decision: role rule: the office never records an LA's threshold decision"),
    ],
)  # fmt: skip
def test_the_office_writing_an_las_record(event: E, expected: str) -> None:
    assert problem(event, "office") == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ([C("incident.aware_date", "2026-11-25")],
         "incident.aware_date: is in the future; give the date it happened"),
        ([C("incident.aware_date", "2026-11-24")], None),  # the next day: BST's slack
        ([C("incident.aware_date", "1899-12-31")],
         "incident.aware_date: 1899-12-31 is implausibly early; check the year"),
        ([C("incident.aware_date", "2026-02-30")],
         "incident.aware_date: there is no 30 February 2026"),
        ([C("incident.aware_date", 20261120)],
         "incident.aware_date: must be a date written YYYY-MM-DD"),
        ([C("subjects.0.legal_status.looked_after", 1)],
         "subjects.0.legal_status.looked_after: must be true or false"),
        ([C("subjects.0.date_of_birth", None)], None),  # unset: how an edit removes a fact
        ([C("subjects.4.given_names", "Five")],
         "subjects.4.given_names: subjects holds at most 4 items (0 to 3)"),
        ([C("subjects.01.given_names", "Padded")],
         "subjects.01.given_names: subjects holds at most 4 items (0 to 3)"),
        ([C("subjects.0", {"given_names": "A"})],
         "subjects.0: set the fields of subjects.0 one by one"),
        ([C("subjects.0.ethnicity", "wbri")],
         "subjects.0.ethnicity: is not written the way this program writes it (type or form)"),
        ([C("subjects.0.ethnicity", "WBRI")], None),
        ([C("subjects.0.care_periods.100.start", "2020-01-01")],
         "subjects.0.care_periods.100.start: care_periods holds at most 100 items (0 to 99)"),
        ([C("incident.abuse_kinds", ["neglect", "physical"])], None),
        ([C("linked_cases", [f"SI-{n}" for n in range(101)])],
         "linked_cases: holds 101 items, more than 100"),
        ([C("case_outline", "line one\nline two\ttabbed")], None),
        ([C("case_outline", "overwrite\rme")],
         "case_outline: holds the control character U+000D"),
        ([C("case_outline", "C1 \x9b2J")], "case_outline: holds the control character U+009B"),
        ([C("case_outline", 1.5)], "case_outline: holds a fractional number; no field takes one"),
        ([C("case_outline", "one"), C("case_outline", "two")],
         "case_outline: is set twice in one event"),
        ([C("case_outline", "x", ["not-an-id"])],
         "case_outline: replaces something that is not an event id"),
        ([C("kind", "care_leaver_death")], None),
        ([C("kind", "accident")],
         "kind: must be one of 'serious_incident', 'care_leaver_death' or 'child_death'"),
    ],
)  # fmt: skip
def test_fact_values_worked_by_hand(changes: list[C], expected: str | None) -> None:
    assert problem(E("case.edited", changes)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"date": "2026-11-20", "reference": None, "by": "Ann Lead"}, None),
        ({"date": "2026-11-20", "reference": None, "by": "Ann Lead",
          "late_reason": "The meeting was late."}, None),
        ({"date": "2026-11-20", "by": "Ann Lead"}, f"{PANEL}.sent.reference: is required"),
        ({"date": "2026-11-20", "reference": None, "by": "Ann Lead", "done": True},
         f"{PANEL}.sent.done: is not a known field (check the spelling)"),
        ({"date": "2026-11-20", "reference": None, "by": "Ann Lead", "late_reason": "late"},
         f"{PANEL}.sent.late_reason: String should have at least 10 characters"),
        ({"date": "2026-11-25", "reference": None, "by": "Ann Lead"},
         f"{PANEL}.sent.date: is after the day the event was recorded"),
        ({"date": "2026-11-20", "reference": 7, "by": "Ann Lead"},
         f"{PANEL}.sent.reference: Input should be a valid string"),
        ({"date": "2026-11-20", "reference": None, "by": ""},
         f"{PANEL}.sent.by: String should have at least 1 character"),
        ("2026-11-20", f"{PANEL}.sent: must be an object"),
        (None, f"{PANEL}.sent: is cleared only by a correction"),
    ],
)  # fmt: skip
def test_a_sent_record_worked_by_hand(value: Any, expected: str | None) -> None:
    assert problem(E("duty.sent", [C(f"{PANEL}.sent", value)])) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("duties.cdop-notification@2.sent", None),
        ("duties.cdop-notification@1.sent",
         "duties.cdop-notification@1.sent: a per-child duty is numbered @2 to @4"),
        ("duties.cdop-notification@5.sent",
         "duties.cdop-notification@5.sent: a per-child duty is numbered @2 to @4"),
        ("duties.made-up.sent", "duties.made-up.sent: 'made-up' is not a duty of the rule pack"),
        ("duties.advisory-stillbirth.sent",
         "duties.advisory-stillbirth.sent: 'advisory-stillbirth' is not a duty of the rule pack"),
        ("duties.panel-notification.sent.extra",
         "duties.panel-notification.sent.extra: not a part of a duty's record (sent, "
         "acknowledged, withdrawn, withdrawal_requested, withdrawal_confirmed, late_reason)"),
        ("duties", "duties: not a duty record field (duties.<duty>.<part>)"),
    ],
)  # fmt: skip
def test_duty_paths_worked_by_hand(path: str, expected: str | None) -> None:
    value = {"date": "2026-11-20", "reference": None, "by": "Ann Lead"}
    assert problem(E("duty.sent", [C(path, value)])) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ([C("office.cdop.category", "infection")], None),
        ([C("office.cdop.category", "bad luck")],
         "office.cdop.category: must be one of"),
        ([C("office.cdop.modifiable_factors", 0)],
         "office.cdop.modifiable_factors: must be true or false"),
        ([C("office.panel_response.response", {"date": "2026-11-20", "outcome": "local_review"})],
         None),
        ([C("office.panel_response.response", {"date": "2026-11-20"})],
         "office.panel_response.response: must be an object {date, outcome}"),
        ([C("office.rapid_review.started", "2026-11-30")],
         "office.rapid_review.started: 2026-11-30 is in the future"),
        ([C("office.lcspr.planned_publication", "2031-11-23")], None),
        ([C("office.lcspr.planned_publication", "2031-11-24")],
         "office.lcspr.planned_publication: is more than 5 years ahead"),
        ([C("office.rapid_review.tea_break", "2026-11-20")],
         "office.rapid_review.tea_break: not an office step"),
        ([C("office.rapid_review.started", None)],
         "office.rapid_review.started: an office step is never cleared; correct it instead"),
        ([C("office.rapid_review.started", "2026-11-20"),
          C("office.rapid_review.completed", "2026-11-20")],
         "changes: an office.recorded event records one step"),
    ],
)  # fmt: skip
def test_office_steps_worked_by_hand(changes: list[C], expected: str | None) -> None:
    found = problem(E("office.recorded", changes), "office")
    assert found == expected if expected is None else (found or "").startswith(expected)


def test_a_new_case_is_checked_whole() -> None:
    changes = created_case()
    assert problem(E("case.created", changes)) is None
    without_outcome = [c for c in changes if c.field != "incident.outcome"]
    assert problem(E("case.created", without_outcome)) == "incident.outcome: is required"
    replacing = [C(changes[0].field, changes[0].value, [EVENT_ID]), *changes[1:]]
    assert (
        problem(E("case.created", replacing)) == f"{changes[0].field}: a new case replaces nothing"
    )
    extra = [*changes, C("subjects.0.nickname", "Zed")]
    assert problem(E("case.created", extra)) == "subjects.0.nickname: not a field of the case"


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (E("case.edited", [C("case_outline", "x")], at=datetime(2026, 11, 23, 10)),
         "at: must be a UTC time (ending Z or +00:00)"),
        (E("case.edited", [C("case_outline", "x")], at=datetime(1999, 12, 31, tzinfo=UTC)),
         "at: is not a time from 2000 to 2199"),
        (E("case.edited", [C("case_outline", "x")], author="Ann\x1b[2J"),
         "author: holds the control character U+001B"),
        (E("case.edited", [C("case_outline", "x")], org="Testshire\nCouncil"),
         "org: holds the control character U+000A"),
        (E("duty.submitted", [C(f"{PANEL}.sent", None)]),
         "type: 'duty.submitted' is not an event type this program writes"),
        (E("decision.recorded", [C("decision", None), C("case_outline", "x")]),
         "changes: a decision.recorded event sets exactly one field"),
    ],
)  # fmt: skip
def test_the_event_itself_worked_by_hand(event: E, expected: str) -> None:
    assert problem(event) == expected


def test_a_correction_clears_only_what_its_part_covers() -> None:
    note = C(f"{PANEL}.corrections.e0123456789abcdef", {
        "part": "withdrawn", "undone": None, "reason": "Asked on the wrong case.",
        "by": "Ann Lead", "date": "2026-11-23"})  # fmt: skip
    assert problem(E("duty.corrected", [C(f"{PANEL}.withdrawal_confirmed", None), note])) is None
    assert problem(E("duty.corrected", [C(f"{PANEL}.sent", None), note])) == (
        f"{PANEL}.sent: a correction of withdrawn does not clear sent"
    )
    other = C("duties.rapid-review.withdrawn", None)
    assert problem(E("duty.corrected", [other, note])) == (
        "duties.rapid-review.withdrawn: a correction is about one duty"
    )
    assert problem(E("duty.corrected", [note])) == (
        "changes: a correction clears part of one duty's record and keeps one note"
    )


def test_the_table_names_each_writer_once_per_type() -> None:
    """The Markdown is the rows, each row five cells."""
    table = role_table_markdown().splitlines()
    assert len(table) == 2 + len(EVENT_RULES)
    assert all(len(re.findall(r"\|", line)) == 6 for line in table)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        # The access log never holds case data: an unknown key is refused, and so is a
        # detail longer than a field's label or a period.
        (E("access.recorded", [C("access", {"action": "opened", "names": "Ada Fictional"})]),
         "access.names: is not a known field (check the spelling)"),
        (E("access.recorded", [C("access", {"action": "opened", "detail": "x" * 201})]),
         "access.detail: String should have at most 200 characters"),
        (E("access.recorded", [C("access", {"action": "read everything"})]),
         "access.action: must be one of 'opened', 'names_shown', 'submission_viewed', "
         "'field_copied', 'report', 'backup' or 'subject_export'"),
        (E("people.recorded", [C("people", {"action": "added", "role": "superuser"})]),
         "people.role: must be one of 'admin', 'lead', 'deputy', 'viewer', 'manager' or "
         "'coordinator'"),
        (E("access.recorded", [C("access", {"action": "opened"}), C("case_outline", "x")]),
         "changes: a access.recorded event sets exactly one field"),
    ],
)  # fmt: skip
def test_log_entries_hold_no_case_data(event: E, expected: str) -> None:
    assert problem(event) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"action": "placed", "reason": "Inquiry order 17", "by": "Ann Lead"}, None),
        ({"action": "lifted", "reason": "Inquiry order 17 ended", "by": "Lee Lead"}, None),
        # A hold is placed or lifted, never "erased" or anything else.
        ({"action": "erased", "reason": "Inquiry order 17", "by": "Ann Lead"},
         "hold.action: must be one of 'placed' or 'lifted'"),
        # The reason names the inquiry: ten characters at least, at most 2,000.
        ({"action": "placed", "reason": "because", "by": "Ann Lead"},
         "hold.reason: String should have at least 10 characters"),
        ({"action": "placed", "reason": "x" * 2001, "by": "Ann Lead"},
         "hold.reason: String should have at most 2000 characters"),
        # Who placed it is named, and nothing else rides along.
        ({"action": "placed", "reason": "Inquiry order 17"},
         "hold.by: is required"),
        ({"action": "placed", "reason": "Inquiry order 17", "by": "Ann Lead",
          "names": "Ada Fictional"},
         "hold.names: is not a known field (check the spelling)"),
    ],
)  # fmt: skip
def test_a_hold_entry_says_placed_or_lifted_why_and_by_whom(
    value: dict[str, Any], expected: str | None
) -> None:
    assert problem(E("hold.recorded", [C("hold", value)])) == expected
    # The office places and lifts its own holds on an LA's case, by the same rules.
    assert problem(E("hold.recorded", [C("hold", value)]), "office") == expected


def test_a_hold_sets_one_field_and_never_a_fact() -> None:
    hold = C("hold", {"action": "placed", "reason": "Inquiry order 17", "by": "Ann Lead"})
    assert problem(E("hold.recorded", [hold, C("case_outline", "x")])) == (
        "changes: a hold.recorded event sets exactly one field"
    )
    assert problem(E("hold.recorded", [C("case_outline", "A new outline.")])) == (
        "case_outline: a hold.recorded event does not set fact fields"
    )


def test_a_statutory_withdrawal_names_who_confirmed_it() -> None:
    """`withdrawn` takes the second user (confirmed_by) and the date, nothing else."""
    confirmed = {"reason": "Not ours after all.", "by": "Ann Lead", "confirmed_by": "Lee Lead",
                 "date": "2026-11-23"}  # fmt: skip
    assert problem(E("duty.withdrawn", [C(f"{PANEL}.withdrawn", confirmed)])) is None
    extra = {**confirmed, "passphrase": "never"}
    found = problem(E("duty.withdrawn", [C(f"{PANEL}.withdrawn", extra)]))
    assert str(found) == f"{PANEL}.withdrawn.passphrase: is not a known field (check the spelling)"


# -- a case validated by its writer (issue 19) -------------------------------------------


def _own_created(document: dict[str, Any], today: date) -> tuple[E, ValidatedCase]:
    """The `case.created` event `Session.create_cases` makes of a document, and the case
    it validated, as it hands them to the check."""
    case = validate_case(document, today)
    dump = case.model_dump(mode="json", exclude_none=True)
    values = flatten(dump)
    event = E("case.created", [C(path, value) for path, value in values.items()])
    return event, ValidatedCase(case, settled_document(dump), values, today)


def _checked(event: E, validated: ValidatedCase | None) -> tuple[str | None, Any]:
    kept: list[Any] = []
    found = check_event(
        event, "owner", partnership=False, duty_ids=DUTIES,
        keep_case=lambda case, document: kept.append((case, document)), validated=validated,
    )  # fmt: skip
    return (None if found is None else str(found)), (kept[0] if kept else None)


def _own_documents() -> list[dict[str, Any]]:
    calendar = WorkingDayCalendar()
    return [
        *synthetic_cases(150, AT.date(), calendar, seed=19),
        factories.case("serious_incident", "unborn"),
        factories.case("child_death"),
        factories.case("care_leaver_death"),
        factories.case("serious_incident", subjects=[factories.subject(), factories.subject()]),
    ]


def test_a_case_validated_by_its_writer_is_checked_as_the_whole_check_would() -> None:
    """For many cases (every seeded shape), the validated case handed to the check gives
    what validating its changes again gives: it passes, with the same case and document,
    and the second validation is skipped (the case kept is the very one handed over)."""
    for document in _own_documents():
        event, validated = _own_created(document, AT.date())
        whole_problem, (whole_case, whole_document) = _checked(event, None)
        own_problem, (own_case, own_document) = _checked(event, validated)
        assert whole_problem is None and own_problem is None
        assert own_case is validated.case
        assert own_case.model_dump(mode="json") == whole_case.model_dump(mode="json")
        assert own_document == whole_document


def test_a_validated_case_is_checked_whole_when_its_values_are_not_the_same() -> None:
    """A case validated on a later day than the event's check allows, a change holding
    an equal value that is not the validated one (`1` for `true`), or a path the case
    does not have: the case is validated again, and refused as it would be."""
    later = factories.case("serious_incident", facts={"aware_date": "2026-11-25"})
    event, validated = _own_created(later, date(2026, 11, 30))
    refusal = "incident.aware_date: is in the future; give the date it happened"
    assert _checked(event, validated) == _checked(event, None) == (refusal, None)

    event, validated = _own_created(factories.case("serious_incident"), AT.date())
    flag = next(change for change in event.changes if change.value is True)
    flag.value = 1
    assert _checked(event, validated)[0] == _checked(event, None)[0] is not None
    flag.value = True
    assert _checked(event, validated)[1][0] is validated.case
    event.changes.append(C("notifier.name", "Nia Notifier (fictional)"))
    problem, (kept, _) = _checked(event, validated)
    assert problem is None and kept is not validated.case
    assert kept.notifier is not None and kept.notifier.name == "Nia Notifier (fictional)"
