"""Office steps in the rule pack's order; a correction is its own event with its reason.

The shipped pack's order (rulepack-england.json `office_steps`): a rapid review is
started, agency summaries requested and received, the meeting held, the review completed,
then sent to the Panel; the Panel answers after it was sent; a local review is decided,
its final report sent, then published; a child death review meeting comes before the
CDOP's review, which comes before its category and modifiable factors.

Real encrypted vaults; today is Monday 23 November 2026. All people are synthetic.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import factories
import pytest
from office_support import deliver, office_for

from notify_tui.errors import InvalidInput
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner
from notify_tui.views.office import form_message, step_rows

WAY_FORWARD = "or mark this as a correction with --correction --reason TEXT"
REASON = "Sent by secure email on 20 Nov; the earlier steps were kept on paper."


@pytest.fixture
def la(tmp_path: Path, frozen_today: str) -> Iterator[Session]:
    """The LA that logs the cases."""
    opened, _ = Session.init(
        tmp_path / "la", "a long test passphrase", org="Testshire (test)", role="la",
        author="Lee Order", kdf=ARGON2_FLOOR, owner=InlineOwner(),
    )  # fmt: skip
    with opened:
        yield opened


@pytest.fixture
def session(la: Session, tmp_path: Path) -> Iterator[Session]:
    """The business office, which records the steps on the cases the LA's bundles bring."""
    with office_for(la, tmp_path / "office") as office:
        yield office


@pytest.fixture
def incident(la: Session, session: Session, tmp_path: Path) -> str:
    """A serious incident known Tue 3 Nov, its Panel notification sent Mon 9 Nov."""
    case_id = la.create_case(
        factories.case(
            "serious_incident",
            subjects=[{"given_names": "Ada", "family_name": "Order-Fictional"}],
            facts={
                "date_of_birth": "2019-05-01",
                "outcome": "seriously_harmed",
                "event_date": "2026-11-02",
                "aware_date": "2026-11-03",
                "abuse_or_neglect": "suspected",
                "location": "in_area",
            },
        )
    )
    la.mark_sent(case_id, "panel-notification", date(2026, 11, 9), "SIN-0001")
    deliver(la, session, tmp_path / "bundles")
    return case_id


@pytest.fixture
def death(la: Session, session: Session, tmp_path: Path) -> str:
    """A child death known Mon 2 Nov, no abuse or neglect."""
    case_id = la.create_case(
        factories.case(
            "child_death",
            subjects=[{"given_names": "Sol", "family_name": "Order-Fictional"}],
            facts={
                "date_of_birth": "2021-03-04",
                "event_date": "2026-11-01",
                "aware_date": "2026-11-02",
                "abuse_or_neglect": "none",
            },
        )
    )
    deliver(la, session, tmp_path / "bundles")
    return case_id


def test_an_la_records_no_office_step(la: Session, incident: str) -> None:
    """Office steps are the business office's: an LA's vault refuses them, in one line."""
    before = la.projection_hash()
    with pytest.raises(InvalidInput) as raised:
        la.record_office_step(incident, "rapid_review", "started", "2026-11-10")
    assert raised.value.message == (
        "office steps are recorded by the business office (its bundles bring them here); "
        "an LA's own record of them would be refused by every peer"
    )
    assert la.projection_hash() == before


def refusal(session: Session, case_id: str, key: str, value: object, **kwargs: object) -> str:
    """The one-line refusal of recording `key`, checking nothing was recorded."""
    before = session.projection_hash(), len(session.case_detail(case_id).audit)
    area, _, step = key.partition(".")
    with pytest.raises(InvalidInput) as raised:
        session.record_office_step(case_id, area, step, value, **kwargs)  # type: ignore[arg-type]
    assert (session.projection_hash(), len(session.case_detail(case_id).audit)) == before
    assert "\n" not in raised.value.message
    return raised.value.message


def record(session: Session, case_id: str, key: str, value: object) -> None:
    area, _, step = key.partition(".")
    session.record_office_step(case_id, area, step, value)


def rapid_review(session: Session, case_id: str) -> tuple[str, str | None]:
    duty = next(d for d in session.case_detail(case_id).duties if d.duty == "rapid-review")
    return duty.status, duty.sent_on


def test_sent_to_the_panel_before_anything_names_every_missing_step(
    session: Session, incident: str
) -> None:
    message = refusal(session, incident, "rapid_review.sent_to_panel", "2026-11-20")
    assert message == (
        "Rapid review sent to the Panel: record 'Rapid review started', 'Agency summaries "
        "requested', 'Agency summaries received', 'Rapid review meeting held' and 'Rapid "
        f"review completed' first, {WAY_FORWARD}"
    )
    assert rapid_review(session, incident) == ("open", None)


def test_steps_in_order_complete_the_rapid_review(session: Session, incident: str) -> None:
    steps = [("started", "2026-11-10"), ("summaries_requested", "2026-11-10"),
             ("summaries_received", "2026-11-16"), ("meeting_held", "2026-11-18")]  # fmt: skip
    for step, day in steps:
        record(session, incident, f"rapid_review.{step}", day)
    assert refusal(session, incident, "rapid_review.sent_to_panel", "2026-11-20") == (
        f"Rapid review sent to the Panel: record 'Rapid review completed' first, {WAY_FORWARD}"
    )
    record(session, incident, "rapid_review.completed", "2026-11-18")  # the same day is in order
    record(session, incident, "rapid_review.sent_to_panel", "2026-11-20")
    assert rapid_review(session, incident) == ("sent", "2026-11-20")
    assert session.case_detail(incident).audit[-1].type == "office.recorded"


def test_a_date_before_the_step_it_follows_is_refused(session: Session, incident: str) -> None:
    for step in ("started", "summaries_requested", "summaries_received"):
        record(session, incident, f"rapid_review.{step}", "2026-11-12")
    record(session, incident, "rapid_review.meeting_held", "2026-11-19")
    assert refusal(session, incident, "rapid_review.completed", "2026-11-18") == (
        "Rapid review completed: 2026-11-18 is before 'Rapid review meeting held' "
        f"(2026-11-19); give a date on or after it, {WAY_FORWARD}"
    )


def test_a_step_recorded_again_needs_a_correction(session: Session, incident: str) -> None:
    record(session, incident, "rapid_review.started", "2026-11-10")
    assert refusal(session, incident, "rapid_review.started", "2026-11-11") == (
        "Rapid review started: already recorded (2026-11-10); to change it, mark this as a "
        "correction with --correction --reason TEXT"
    )
    same = refusal(
        session, incident, "rapid_review.started", "2026-11-10", correction=True, reason=REASON
    )
    assert same == "Rapid review started: already recorded with this value; nothing to change"
    session.record_office_step(
        incident, "rapid_review", "started", "2026-11-11", correction=True, reason=REASON
    )
    detail = session.case_detail(incident)
    assert detail.document["office"]["rapid_review"]["started"] == "2026-11-11"
    assert detail.document["office"]["corrections"]["rapid_review"]["started"] == {
        "reason": REASON,
        "was": "2026-11-10",
        "by": "Ola Order",
    }


def test_a_correction_is_its_own_event_and_keeps_its_reason(
    session: Session, incident: str
) -> None:
    event = session.record_office_step(
        incident, "rapid_review", "sent_to_panel", "2026-11-20", correction=True, reason=REASON
    )
    assert event.type == "office.corrected"
    assert [(c.field, c.value) for c in event.changes] == [
        ("office.rapid_review.sent_to_panel", "2026-11-20"),
        (
            "office.corrections.rapid_review.sent_to_panel",
            {"reason": REASON, "was": None, "by": "Ola Order"},
        ),
    ]
    # The projection still reads the step: the rapid review is done on its date.
    assert rapid_review(session, incident) == ("sent", "2026-11-20")
    detail = session.case_detail(incident)
    assert REASON in detail.audit[-1].summary and detail.audit[-1].type == "office.corrected"
    row = next(r for r in step_rows(detail) if r.key == "rapid_review.sent_to_panel")
    assert row.shown == f"Fri 20 Nov 2026 (correction: {REASON})"
    # The steps not recorded still go in order after it.
    record(session, incident, "rapid_review.started", "2026-11-10")


def test_a_correction_needs_a_reason_and_a_reason_a_correction(
    session: Session, incident: str
) -> None:
    key, day = "rapid_review.sent_to_panel", "2026-11-20"
    assert refusal(session, incident, key, day, correction=True).startswith("--reason: ")
    assert refusal(session, incident, key, day, correction=True, reason="  oops  ").startswith(
        "--reason: "
    )
    assert "--correction" in refusal(session, incident, key, day, reason=REASON)


def test_the_panel_answers_only_what_it_was_sent(session: Session, incident: str) -> None:
    answer = {"outcome": "local_review"}
    assert refusal(session, incident, "panel_response.response", "2026-11-20", **answer) == (
        "Panel response: record 'Rapid review started', 'Agency summaries requested', "
        "'Agency summaries received', 'Rapid review meeting held', 'Rapid review completed' "
        f"and 'Rapid review sent to the Panel' first, {WAY_FORWARD}"
    )
    session.record_office_step(
        incident, "rapid_review", "sent_to_panel", "2026-11-20", correction=True, reason=REASON
    )
    assert refusal(session, incident, "panel_response.response", "2026-11-19", **answer) == (
        "Panel response: 2026-11-19 is before 'Rapid review sent to the Panel' (2026-11-20); "
        f"give a date on or after it, {WAY_FORWARD}"
    )
    session.record_office_step(incident, "panel_response", "response", "2026-11-23", **answer)


def test_a_category_waits_for_the_cdop_review(session: Session, death: str) -> None:
    assert refusal(session, death, "cdop.category", "infection") == (
        "Category of death: record 'Child death review meeting held' and 'Reviewed at the "
        f"CDOP' first, {WAY_FORWARD}"
    )
    record(session, death, "cdop.review_meeting_held", "2026-11-16")
    record(session, death, "cdop.reviewed_at_panel", "2026-11-20")
    record(session, death, "cdop.category", "infection")
    record(session, death, "cdop.modifiable_factors", False)
    assert session.case_detail(death).document["office"]["cdop"]["category"] == "infection"


def test_a_step_dated_after_one_that_follows_it_is_refused(session: Session, death: str) -> None:
    """Recorded first as a correction, "reviewed at the CDOP" (Fri 20 Nov) bounds the
    meeting that comes before it."""
    session.record_office_step(
        death, "cdop", "reviewed_at_panel", "2026-11-20", correction=True, reason=REASON
    )
    assert refusal(session, death, "cdop.review_meeting_held", "2026-11-21") == (
        "Child death review meeting held: 2026-11-21 is after 'Reviewed at the CDOP' "
        f"(2026-11-20), which follows it; give a date on or before it, {WAY_FORWARD}"
    )
    record(session, death, "cdop.review_meeting_held", "2026-11-20")


def test_a_corrected_decision_date_moves_the_publication_clock(
    session: Session, incident: str
) -> None:
    def publication_due() -> str | None:
        duties = session.case_detail(incident).duties
        return next(d.due for d in duties if d.duty == "lcspr-publication")

    record(session, incident, "lcspr.decision_date", "2026-11-10")
    assert publication_due() == "2027-05-10"  # 6 calendar months after Tue 10 Nov
    assert refusal(session, incident, "lcspr.published", "2026-11-20") == (
        f"Local review published: record 'Final report sent to the Panel' first, {WAY_FORWARD}"
    )
    session.record_office_step(
        incident, "lcspr", "decision_date", "2026-11-12", correction=True, reason=REASON
    )
    assert publication_due() == "2027-05-12"


def test_the_form_words_the_way_forward_for_its_own_fields() -> None:
    assert form_message(
        f"Rapid review sent to the Panel: record 'Rapid review completed' first, {WAY_FORWARD}"
    ) == (
        "Rapid review sent to the Panel: record 'Rapid review completed' first, "
        "or tick Correction and give the reason to record it anyway"
    )
    assert form_message("--reason: a correction needs its reason; say why in a sentence") == (
        "Reason: a correction needs its reason; say why in a sentence"
    )
