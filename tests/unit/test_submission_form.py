"""The submission layout, office step rows and text bar chart (no Textual, no vault)."""

from __future__ import annotations

from typing import Any

from notify_tui.services.types import CaseDetail, DutyView
from notify_tui.tui.widgets.bar_chart import Bar, bar_chart
from notify_tui.views.office import step_rows
from notify_tui.views.submission_form import (
    NOT_HELD,
    Form,
    form_fields,
    forms_for,
    submission_duties,
)


def duty(duty_id: str, status: str) -> DutyView:
    """A duty of case SI-00000009 as `Session.case_detail` lists it (only id and status matter)."""
    return DutyView(
        case_id="SI-00000009",
        duty=duty_id,
        title=duty_id,
        required=True,
        recipients=(),
        start=None,
        due=None,
        deadline=None,
        working_days_left=None,
        urgency="no date" if status == "open" else "done",
        status=status,
        sent_on=None,
        reference=None,
        withdrawn_reason=None,
        acknowledged_on=None,
        reasons=(),
        source=None,
        rule_version=None,
    )


def detail(kind: str, duties: list[tuple[str, str]], **document: Any) -> CaseDetail:
    subject = {
        "given_names": "Ada [b]",
        "family_name": "Form-Fictional",
        "date_of_birth": "2020-02-29",
        "sex": "F",
        "ethnicity": "WBRI",
        "legal_status": {"looked_after": True, "known_to_agencies": True},
    }
    incident = {
        "outcome": "died",
        "event_date": "2026-11-20",
        "event_time": "14:05:00",
        "aware_date": "2026-11-20",
        "location_type": "hospital",
        "place": "Ward 9 (test)",
        "abuse_or_neglect": "suspected",
        "abuse_kinds": ["neglect", "physical"],
    }
    return CaseDetail(
        id="SI-00000009",
        kind=kind,
        org="Testshire (test)",
        created_at="2026-11-20T09:00:00Z",
        created_by="tester",
        updated_at="2026-11-20T09:00:00Z",
        document={"subjects": [subject], "incident": incident, **document},
        duties=tuple(duty(duty_id, status) for duty_id, status in duties),
        advisories=(),
        conflicts=(),
        problem=None,
        rulepack="test",
        audit=(),
    )


def values(fields: list[Any]) -> dict[str, str]:
    return {field.key: field.value for field in fields}


def test_online_form_order_and_values() -> None:
    case = detail(
        "serious_incident",
        [("panel-notification", "open")],
        notifier={"name": "Nia Notifier", "role": "DSL"},
        decision={"notify": True},
        linked_cases=["SI-00000001"],
    )
    fields = form_fields(case, Form.online)
    got = values(fields)
    assert [f.section for f in fields][:6] == ["Notifier"] * 5 + ["Child 1"]
    assert got["notifier.la"] == "Testshire (test)"  # the case's LA when none was typed
    assert got["child1.names"] == "Ada [b] Form-Fictional"
    assert got["child1.born"] == "29/02/2020 (aged 6 on the date of the incident)"
    assert got["child1.sex"] == "Female"
    assert got["child1.ethnicity"].endswith("(WBRI)")
    assert got["child1.legal_status"] == "looked after, known to agencies"
    assert got["incident.nature"] == "Death"
    assert got["incident.time"] == "14:05"
    assert got["incident.location_type"] == "Hospital"
    assert got["incident.abuse_kinds"] == "neglect, physical"
    assert got["incident.threshold"] == "Yes"
    assert got["incident.linked"] == "SI-00000001"
    assert [f.key for f in fields][-1] == "incident.linked"


def test_child_death_uses_cdop_first_and_marks_boxes_not_held() -> None:
    case = detail(
        "child_death", [("lac-death-notification", "open"), ("cdop-notification", "sent")]
    )
    assert forms_for(case) == [Form.cdop, Form.online]
    fields = {f.key: f for f in form_fields(case, Form.cdop)}
    assert fields["death.place"].value == "Hospital, Ward 9 (test)"
    assert fields["child1.gp"].value == "" and fields["child1.gp"].shown == NOT_HELD
    assert [d.duty for d in submission_duties(case, Form.cdop)] == ["cdop-notification"]


def test_office_steps_follow_the_duties() -> None:
    response = {"date": "2026-11-20", "outcome": "no_further_review"}
    incident = detail(
        "serious_incident",
        [("panel-notification", "sent"), ("rapid-review", "open")],
        office={"panel_response": {"response": response}},
    )
    rows = {row.key: row.recorded for row in step_rows(incident)}
    assert rows["panel_response.response"] == "Fri 20 Nov 2026: no further review"
    assert rows["rapid_review.started"] == ""
    assert not [key for key in rows if key.startswith("cdop.")]


def test_bar_chart_prints_the_number_beside_each_bar() -> None:
    chart = bar_chart([Bar("Panel", 0.5, "50% (1 of 2 sent)"), Bar("CDOP", 1.0, "100%")], width=10)
    assert chart.plain.splitlines() == [
        "Panel  ▇▇▇▇▇·····  50% (1 of 2 sent)",
        "CDOP   ▇▇▇▇▇▇▇▇▇▇  100%",
    ]


def test_a_section_and_the_whole_form_as_text() -> None:
    from notify_tui.views.submission_form import FormField, form_text, section_text
    from notify_tui.views.submission_form import still_to_complete as empty_boxes

    fields = [
        FormField("a", "Notifier", "Name", "A. Lead"),
        FormField("b", "Notifier", "Phone", ""),
        FormField("c", "Child 1", "Name(s)", "Ada Example-Fictional"),
        FormField("d", "Child 1", "GP", "", note="not held in notify-tui: fill in on the form"),
        FormField("e", "Incident", "Linked cases", "", note="none"),
    ]
    assert section_text(fields, "Notifier") == "Notifier\nName: A. Lead\nPhone: not recorded"
    assert form_text("The form", fields) == (
        "The form\n\nNotifier\nName: A. Lead\nPhone: not recorded\n\nChild 1\n"
        "Name(s): Ada Example-Fictional\nGP: not held in notify-tui: fill in on the form\n\n"
        "Incident\nLinked cases: none"
    )
    assert empty_boxes(fields) == ["Notifier · Phone"]
