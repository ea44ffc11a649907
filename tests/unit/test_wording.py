"""The record in words (`domain.wording`): values, conflict questions, audit sentences.

Every expected sentence is written out by hand from the issue's examples ("A. Lead
marked the Panel notification sent on 20 Nov 2026, reference NOTIF-123"). All people
are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from notify_tui.domain.wording import (
    EVENT_TEMPLATES,
    audit_sentence,
    choice_words,
    conflict_question,
    day_words,
    field_label,
    value_words,
)
from notify_tui.store.events import EVENT_TYPES

ACK = "duties.cdop-notification.acknowledged"
SENT = "duties.panel-notification.sent"
SENT_RECORD = {"date": "2026-11-20", "by": "A. Lead", "reference": "NOTIF-123"}
DECISION = {
    "notify": True,
    "rationale": "Serious harm and suspected neglect: threshold met.",
    "decided_on": "2026-11-20",
    "decided_by": "A. Lead",
}


@dataclass(frozen=True)
class Change:
    field: str
    value: Any


def said(event_type: str, author: str, *changes: tuple[str, Any]) -> str:
    return audit_sentence(event_type, author, [Change(field, value) for field, value in changes])


# -- dates, labels and values ------------------------------------------------------------


def test_dates_read_as_day_month_year_without_a_leading_zero() -> None:
    assert day_words("2026-11-18") == "18 Nov 2026"
    assert day_words("2026-12-05") == "5 Dec 2026"
    assert day_words("not a date") == "not a date"
    assert day_words("2026-02-30") == "2026-02-30"  # not a real day: shown as stored


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("subjects.0.date_of_birth", "Date of birth (child 1)"),
        ("subjects.1.legal_status.looked_after", "Looked after (child 2)"),
        ("incident.aware_date", "LA became aware"),
        ("incident.place", "Place"),
        ("notifier.email", "Notifier's email"),
        ("case_outline", "Outline"),
        ("decision", "Threshold decision"),
        (ACK, "CDOP notification acknowledgement"),
        (SENT, "Panel notification sent record"),
        ("duties.rapid-review.withdrawn", "Rapid review withdrawal"),
        ("office.rapid_review.meeting_held", "Rapid review meeting held"),
        ("office.cdop.category", "Category of death"),
    ],
)
def test_field_labels(path: str, label: str) -> None:
    assert field_label(path) == label


def test_a_sent_record_in_words() -> None:
    assert value_words(SENT, SENT_RECORD) == "sent on 20 Nov 2026 by A. Lead, reference NOTIF-123"
    no_reference = {"date": "2026-11-20", "by": "A. Lead", "reference": None}
    assert value_words(SENT, no_reference) == "sent on 20 Nov 2026 by A. Lead"


def test_an_acknowledgement_in_words() -> None:
    record = {"date": "2026-11-18", "by": "B. Office"}
    assert value_words(ACK, record) == "acknowledged on 18 Nov 2026 (B. Office)"


def test_a_withdrawal_in_words() -> None:
    record = {"reason": "The child was not looked after after all.", "by": "A. Lead"}
    assert (
        value_words("duties.lac-death-notification.withdrawn", record)
        == "withdrawn by A. Lead: The child was not looked after after all."
    )


def test_a_decision_in_words() -> None:
    assert value_words("decision", DECISION) == "notify (decided 20 Nov 2026 by A. Lead)"
    not_notify = {**DECISION, "notify": False, "decided_by": "C. Chair"}
    assert value_words("decision", not_notify) == "do not notify (decided 20 Nov 2026 by C. Chair)"


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("office.rapid_review.meeting_held", "2026-11-18", "18 Nov 2026"),
        (
            "office.panel_response.response",
            {"date": "2026-12-01", "outcome": "local_review"},
            "1 Dec 2026: local review",
        ),
        ("office.cdop.category", "infection", "Infection"),
        ("office.cdop.modifiable_factors", False, "no"),
        ("incident.outcome", "seriously_harmed", "seriously harmed"),
        ("incident.location", "elsewhere_in_england", "elsewhere in England"),
        ("incident.abuse_or_neglect", "none", "not known or suspected"),
        ("incident.abuse_kinds", ["neglect", "physical"], "neglect, physical"),
        ("incident.normally_resident_in_area", True, "yes"),
        ("subjects.0.sex", "F", "Female"),
        ("subjects.0.nhs_number", "non_resident", "non-resident in England"),
        ("kind", "care_leaver_death", "care leaver death"),
        ("incident.place", None, "not recorded"),
    ],
)
def test_office_steps_and_facts_in_words(path: str, value: Any, words: str) -> None:
    assert value_words(path, value) == words


# -- conflicts as questions --------------------------------------------------------------


def test_an_acknowledgement_conflict_is_the_issue_s_question() -> None:
    choices = [
        choice_words(ACK, {"date": "2026-11-18", "by": "B. Office"}, "B. Office"),
        choice_words(ACK, {"date": "2026-11-19", "by": "A. Lead"}, "A. Lead"),
    ]
    assert choices == ["18 Nov 2026 (B. Office)", "19 Nov 2026 (A. Lead)"]
    assert (
        conflict_question(ACK, choices)
        == "Acknowledged on 18 Nov 2026 (B. Office) or 19 Nov 2026 (A. Lead)?"
    )


def test_a_sent_record_conflict() -> None:
    other = {"date": "2026-11-19", "by": "B. Office", "reference": None}
    choices = [choice_words(SENT, SENT_RECORD, "A. Lead"), choice_words(SENT, other, "x")]
    assert choices == ["20 Nov 2026 by A. Lead, reference NOTIF-123", "19 Nov 2026 by B. Office"]
    assert conflict_question(SENT, choices) == (
        "Sent on 20 Nov 2026 by A. Lead, reference NOTIF-123 or 19 Nov 2026 by B. Office?"
    )


def test_a_fact_conflict_quotes_free_text_and_names_who_recorded_it() -> None:
    choices = [
        choice_words("incident.place", "Ward 3 (demo)", "Demo User"),
        choice_words("incident.place", "Ward 5 (demo)", "Other User"),
        choice_words("incident.place", None, "Third User"),
    ]
    assert conflict_question("incident.place", choices) == (
        "Place: 'Ward 3 (demo)' (Demo User), 'Ward 5 (demo)' (Other User) or no value (Third User)?"
    )
    dates = [
        choice_words("incident.aware_date", "2026-11-17", "A. Lead"),
        choice_words("incident.aware_date", "2026-11-18", "B. Lead"),
    ]
    assert conflict_question("incident.aware_date", dates) == (
        "LA became aware: 17 Nov 2026 (A. Lead) or 18 Nov 2026 (B. Lead)?"
    )


def test_a_decision_conflict_and_an_office_step_conflict() -> None:
    undecided_by = {**DECISION, "notify": False, "decided_by": None}
    choices = [
        choice_words("decision", DECISION, "A. Lead"),
        choice_words("decision", undecided_by, "B. Lead"),
    ]
    assert conflict_question("decision", choices) == (
        "Threshold decision: notify (decided 20 Nov 2026 by A. Lead) "
        "or do not notify (decided 20 Nov 2026 by B. Lead)?"
    )
    step = "office.rapid_review.meeting_held"
    steps = [choice_words(step, "2026-11-18", "B. Office"), choice_words(step, "2026-11-19", "C")]
    assert conflict_question(step, steps) == (
        "Rapid review meeting held on 18 Nov 2026 (B. Office) or 19 Nov 2026 (C)?"
    )


# -- audit sentences, one per event type -------------------------------------------------


def test_every_stored_event_type_has_a_sentence() -> None:
    assert set(EVENT_TYPES) <= set(EVENT_TEMPLATES)


def test_case_created() -> None:
    assert (
        said(
            "case.created",
            "A. Lead",
            ("kind", "serious_incident"),
            ("subjects.0.given_names", "Ada"),
            ("subjects.0.family_name", "Fictional"),
            ("subjects.1.given_names", "Bo"),
            ("incident.outcome", "seriously_harmed"),
        )
        == "A. Lead created the case (serious incident, 2 children)"
    )
    assert (
        said("case.created", "A. Lead", ("kind", "care_leaver_death"), ("subjects.0.sex", "M"))
        == "A. Lead created the case (care leaver death, 1 person)"
    )


def test_the_yearly_report_record() -> None:
    changes = (("annual_report.year", 2025), ("annual_report.published_date", "2026-03-12"))
    expected = "B. Office recorded the yearly report for 2025, published 12 Mar 2026"
    assert said("case.created", "B. Office", *changes) == expected
    assert said("office.recorded", "B. Office", *changes) == expected  # published again


def test_case_edited_names_person_fields_without_their_values() -> None:
    sentence = said(
        "case.edited",
        "A. Lead",
        ("subjects.0.date_of_birth", "2019-04-02"),
        ("subjects.0.family_name", "Secret-Fictional"),
        ("subjects.0.nhs_number", "9434765919"),
    )
    assert sentence == (
        "A. Lead changed Date of birth (child 1), Family name (child 1) and NHS number (child 1)"
    )
    for value in ("2019", "Secret", "9434765919", "943"):
        assert value not in sentence


def test_case_edited_shows_what_happened_and_when_but_not_free_text() -> None:
    assert (
        said(
            "case.edited",
            "A. Lead",
            ("incident.aware_date", "2026-11-20"),
            ("incident.place", "Flat 4, Fictional Road"),
            ("case_outline", "SYNTHETIC outline naming Ada Fictional"),
        )
        == "A. Lead changed LA became aware to 20 Nov 2026, Place and Outline"
    )
    assert said("case.edited", "A. Lead", ("incident.place", None)) == (
        "A. Lead changed Place (removed)"
    )


def test_many_changes_are_counted() -> None:
    changes = [(f"subjects.0.{name}", "x") for name in ("given_names", "family_name", "sex")]
    changes += [("incident.outcome", "died"), ("incident.location", "in_area")]
    assert said("case.edited", "A. Lead", *changes) == (
        "A. Lead changed Given names (child 1), Family name (child 1), Sex (child 1) "
        "and 2 other fields"
    )


def test_duty_events() -> None:
    assert said("duty.sent", "A. Lead", (SENT, SENT_RECORD)) == (
        "A. Lead marked the Panel notification sent on 20 Nov 2026, reference NOTIF-123"
    )
    assert said("duty.submitted", "A. Lead", (SENT, {**SENT_RECORD, "reference": None})) == (
        "A. Lead marked the Panel notification sent on 20 Nov 2026"
    )
    assert said(
        "duty.acknowledged", "B. Office", (ACK, {"date": "2026-11-18", "by": "B. Office"})
    ) == ("B. Office recorded the CDOP notification acknowledged on 18 Nov 2026")
    withdrawn = {"reason": "Not resident in the area after all.", "by": "A. Lead"}
    assert said("duty.withdrawn", "A. Lead", ("duties.cdop-notification.withdrawn", withdrawn)) == (
        "A. Lead withdrew the CDOP notification: Not resident in the area after all."
    )


def test_a_record_made_by_someone_else_names_them() -> None:
    """The office's acknowledgement recorded on an LA device names whose record it is."""
    assert said(
        "duty.acknowledged", "A. Lead", (ACK, {"date": "2026-11-18", "by": "B. Office"})
    ) == ("A. Lead recorded the CDOP notification acknowledged on 18 Nov 2026 (B. Office)")


def test_corrections_and_late_reasons() -> None:
    # As Session.correct_duty records it: the sent record cleared, and a note keeping it.
    note = {
        "part": "sent",
        "undone": {"date": "2026-11-06", "by": "A. Lead", "reference": "NOTIF-124"},
        "reason": "It was recorded on the wrong case.",
        "by": "A. Lead",
        "date": "2026-11-23",
    }
    assert said(
        "duty.corrected",
        "A. Lead",
        (SENT, None),
        ("duties.panel-notification.corrections.e0123456789abcdef", note),
    ) == (
        "A. Lead corrected the Panel notification: its sent record (sent on 6 Nov 2026, "
        "reference NOTIF-124) was made in error (reason: It was recorded on the wrong case.)"
    )
    late = {"reason": "The referral reached us after the deadline.", "by": "A. Lead"}
    assert said("duty.late_reason", "A. Lead", ("duties.panel-notification.late_reason", late)) == (
        "A. Lead gave the reason the Panel notification was late: "
        "The referral reached us after the deadline."
    )
    # As Session.record_office_step records a correction: the step and its note.
    assert said(
        "office.corrected",
        "B. Office",
        ("office.rapid_review.meeting_held", "2026-11-17"),
        (
            "office.corrections.rapid_review.meeting_held",
            {"reason": "Minutes said 17.", "was": "2026-11-18", "by": "B. Office"},
        ),
    ) == (
        "B. Office corrected 'Rapid review meeting held' to 17 Nov 2026 "
        "(was 18 Nov 2026; reason: Minutes said 17.)"
    )


def test_a_two_person_withdrawal_in_words() -> None:
    request = {"reason": "The death was of a child from another area.", "by": "A. Lead",
               "date": "2026-11-20"}  # fmt: skip
    assert said(
        "duty.withdrawal_requested",
        "A. Lead",
        ("duties.cdop-notification.withdrawal_requested", request),
    ) == (
        "A. Lead asked to withdraw the CDOP notification (the office confirms; until then it "
        "is owed): The death was of a child from another area."
    )
    confirmation = {"by": "B. Office", "date": "2026-11-23", "request": "0123"}
    assert (
        said(
            "duty.withdrawal_confirmed",
            "B. Office",
            ("duties.cdop-notification.withdrawal_confirmed", confirmation),
        )
        == "B. Office confirmed the withdrawal of the CDOP notification"
    )


def test_decision_recorded() -> None:
    assert said("decision.recorded", "A. Lead", ("decision", DECISION)) == (
        "A. Lead recorded the threshold decision: notify (decided 20 Nov 2026)"
    )


def test_office_steps() -> None:
    assert said(
        "office.recorded", "B. Office", ("office.rapid_review.meeting_held", "2026-11-18")
    ) == ("B. Office recorded 'Rapid review meeting held' on 18 Nov 2026")
    response = {"date": "2026-12-01", "outcome": "national_review"}
    assert said("office.recorded", "B. Office", ("office.panel_response.response", response)) == (
        "B. Office recorded 'Panel response' on 1 Dec 2026: national review"
    )
    assert said("office.recorded", "B. Office", ("office.cdop.category", "infection")) == (
        "B. Office recorded 'Category of death' as Infection"
    )
    assert said("office.recorded", "B. Office", ("office.cdop.modifiable_factors", True)) == (
        "B. Office recorded 'Modifiable factors identified' as yes"
    )


def test_conflict_resolved() -> None:
    kept = {"date": "2026-11-18", "by": "B. Office"}
    assert said("conflict.resolved", "A. Lead", (ACK, kept)) == (
        "A. Lead resolved a conflict on the CDOP notification acknowledgement: "
        "acknowledged on 18 Nov 2026 (B. Office)"
    )
    assert said("conflict.resolved", "A. Lead", ("incident.place", "Ward 5 (demo)")) == (
        "A. Lead resolved a conflict on Place"
    )
    assert said("conflict.resolved", "A. Lead", ("subjects.0.date_of_birth", "2019-04-02")) == (
        "A. Lead resolved a conflict on Date of birth (child 1)"
    )
    assert said("conflict.resolved", "A. Lead", ("incident.aware_date", "2026-11-18")) == (
        "A. Lead resolved a conflict on LA became aware as 18 Nov 2026"
    )
    assert said("conflict.resolved", "A. Lead", ("decision", DECISION)) == (
        "A. Lead resolved a conflict on the threshold decision: notify (decided 20 Nov 2026)"
    )


def test_an_unknown_event_type_names_its_fields_and_no_values() -> None:
    sentence = said(
        "duty.countersigned",
        "C. Second",
        ("duties.cdop-notification.countersigned", {"by": "C. Second", "date": "2026-11-20"}),
        ("subjects.0.given_names", "Hidden"),
    )
    assert sentence == (
        "C. Second recorded duty.countersigned "
        "(CDOP notification countersigned and Given names (child 1))"
    )
