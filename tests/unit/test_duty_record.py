"""The duty state machine enforced by the Session, on real encrypted vaults.

Every refusal leaves the store as it was (every table's rows hashed before and after).
Dates are worked by hand on the English calendar (November 2026 has no bank holiday;
weekends 7-8, 14-15, 21-22, 28-29 November); the clock is a `ManualClock` on Monday
23 November 2026, 10:00 UTC, unless a test moves it.

The late case: aware Mon 2 Nov -> the Panel notification is due 5 working days later,
Mon 9 Nov (3, 4, 5, 6, 9); sent Thu 12 Nov is 3 working days late (10, 11, 12).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import factories
import pytest
from bundle_support import (
    export_to,
    import_ok,
    register,
    store_digest,
    trust_each_other,
    vault_of,
)

from notify_tui.clock import ManualClock
from notify_tui.errors import InvalidInput
from notify_tui.services.session import Session
from notify_tui.services.types import DutyView
from notify_tui.store.events import Change
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault

PANEL = "panel-notification"
CDOP = "cdop-notification"
LATE_REASON = "The lead was on leave and the cover did not see the referral."


def open_session(home: Path, org: str, role: str, author: str, clock: ManualClock) -> Session:
    vault, _ = Vault.create(
        home, "a long test passphrase", org=org, role=role, author=author,  # type: ignore[arg-type]
        now=clock.now(), kdf=ARGON2_FLOOR,
    )  # fmt: skip
    return register(Session(vault, clock=clock, owner=InlineOwner()), vault)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def la(tmp_path: Path, clock: ManualClock) -> Iterator[Session]:
    with open_session(tmp_path / "la", "Testshire", "la", "A. Lead", clock) as session:
        yield session


def incident(aware: str = "2026-11-02", event: str = "2026-11-01") -> dict[str, object]:
    """A serious incident (abuse known, child seriously harmed, in the area)."""
    return factories.case(
        "serious_incident",
        facts={
            "outcome": "seriously_harmed",
            "abuse_or_neglect": "known",
            "event_date": event,
            "aware_date": aware,
        },
        case_outline="SYNTHETIC TEST CASE",
    )


def child_death(aware: str = "2026-11-17") -> dict[str, object]:
    """A child death with no abuse or neglect: CDOP notification only, no Panel duty."""
    return factories.case(
        "child_death",
        facts={"abuse_or_neglect": "none", "event_date": "2026-11-16", "aware_date": aware},
        case_outline="SYNTHETIC TEST CASE",
    )


def duties(session: Session, case_id: str) -> dict[str, DutyView]:
    return {d.duty: d for d in session.case_detail(case_id).duties}


def refused_unchanged(session: Session, words: str, verb: str, *args: object, **kw: object) -> str:
    """Call a verb that must be refused; the store must be unchanged. The message."""
    before = store_digest(session)
    with pytest.raises(InvalidInput) as caught:
        getattr(session, verb)(*args, **kw)
    assert words in caught.value.message
    assert "\n" not in caught.value.message
    assert store_digest(session) == before
    return caught.value.message


# -- refusals --------------------------------------------------------------------


def test_acknowledging_a_duty_never_sent_is_refused(la: Session) -> None:
    case_id = la.create_case(incident())
    refused_unchanged(la, "is not marked sent", "acknowledge", case_id, PANEL, date(2026, 11, 20))


def test_an_acknowledgement_before_the_sent_date_is_refused(la: Session) -> None:
    case_id = la.create_case(incident(aware="2026-11-17", event="2026-11-16"))
    la.mark_sent(case_id, PANEL, date(2026, 11, 20), "P-1")
    message = refused_unchanged(
        la, "is before panel-notification was sent (20 Nov 2026)",
        "acknowledge", case_id, PANEL, date(2026, 11, 19),
    )  # fmt: skip
    assert message.startswith("--date 2026-11-19:")
    la.acknowledge(case_id, PANEL, date(2026, 11, 20))  # the same day is fine
    assert duties(la, case_id)[PANEL].status == "acknowledged"


def test_deciding_not_to_notify_after_the_panel_was_notified_is_refused(la: Session) -> None:
    case_id = la.create_case(incident(aware="2026-11-17", event="2026-11-16"))
    la.mark_sent(case_id, PANEL, date(2026, 11, 20), "P-1")
    message = refused_unchanged(
        la, "was sent on 20 Nov 2026", "decide", case_id, notify=False,
        rationale="Threshold not met after all.",
    )  # fmt: skip
    assert f"notify-tui duty correct {case_id} panel-notification --undo sent" in message
    la.acknowledge(case_id, PANEL, date(2026, 11, 23))
    message = refused_unchanged(
        la, "and acknowledged", "decide", case_id, notify=False,
        rationale="Threshold not met after all.",
    )  # fmt: skip
    assert "--undo acknowledged" in message
    # A decision to notify agrees with the record.
    la.decide(case_id, notify=True, rationale="Threshold met: abuse known, serious harm.")


def test_marking_sent_twice_is_refused_not_overwritten(la: Session) -> None:
    case_id = la.create_case(incident(aware="2026-11-17", event="2026-11-16"))
    la.mark_sent(case_id, PANEL, date(2026, 11, 20), "P-1")
    message = refused_unchanged(
        la, "already marked sent on 20 Nov 2026", "mark_sent", case_id, PANEL, date(2026, 11, 23)
    )
    assert "--undo sent --reason TEXT` with a reason" in message
    assert duties(la, case_id)[PANEL].sent_on == "2026-11-20"


def test_withdrawing_a_sent_duty_is_refused(la: Session) -> None:
    case_id = la.create_case(incident(aware="2026-11-17", event="2026-11-16"))
    la.mark_sent(case_id, PANEL, date(2026, 11, 20))
    refused_unchanged(
        la, "a sent notification is not withdrawn", "withdraw", case_id, PANEL,
        "Recorded on the wrong case, it seems.",
    )  # fmt: skip


def test_marking_sent_a_withdrawn_duty_is_refused(la: Session) -> None:
    # A duty withdrawn by one person before two-person withdrawal existed (old data).
    case_id = la.create_case(child_death())
    change = Change(field=f"duties.{CDOP}.withdrawn", value={"reason": "Out of area.", "by": "X"})
    vault_of(la).record(la.projector, [(case_id, "duty.withdrawn", [change])], la.clock.now())
    assert duties(la, case_id)[CDOP].status == "withdrawn"
    message = refused_unchanged(
        la, "is withdrawn (Out of area.)", "mark_sent", case_id, CDOP, date(2026, 11, 18)
    )
    assert "--undo withdrawn" in message


def test_a_decision_on_a_case_without_a_panel_duty_is_refused(la: Session) -> None:
    case_id = la.create_case(child_death())
    assert PANEL not in duties(la, case_id)
    refused_unchanged(
        la, "the facts raise no Panel notification", "decide", case_id, notify=False,
        rationale="Threshold not met: no abuse or neglect.",
    )  # fmt: skip
    assert duties(la, case_id)[CDOP].status == "open"


def test_a_new_child_death_with_a_decision_is_refused(la: Session) -> None:
    document = {
        **child_death(),
        "decision": {
            "notify": False,
            "rationale": "Threshold not met: no abuse or neglect.",
            "decided_on": "2026-11-20",
            "decided_by": "A. Lead",
        },
    }
    refused_unchanged(la, "decision: the threshold decision", "create_case", document)


def test_a_decision_still_closes_the_panel_duties_only(la: Session) -> None:
    # A looked-after child died with neglect suspected: Panel, CDOP and LAC duties.
    document = factories.case(
        "child_death",
        facts={
            "abuse_or_neglect": "suspected",
            "looked_after": True,
            "event_date": "2026-11-16",
            "aware_date": "2026-11-17",
        },
        case_outline="SYNTHETIC TEST CASE",
    )
    case_id = la.create_case(document)
    la.decide(case_id, notify=False, rationale="Threshold not met: neglect not borne out.")
    statuses = {duty_id: d.status for duty_id, d in duties(la, case_id).items()}
    assert statuses[PANEL] == "not_notifying"
    assert statuses[CDOP] == "open"
    assert statuses["lac-death-notification"] == "open"


# -- corrections -----------------------------------------------------------------


def test_a_correction_is_its_own_event_and_keeps_what_it_undid(la: Session) -> None:
    case_id = la.create_case(incident(aware="2026-11-17", event="2026-11-16"))
    la.mark_sent(case_id, PANEL, date(2026, 11, 20), "P-1")
    la.correct_duty(case_id, PANEL, "sent", "Recorded on the wrong case by mistake.")
    panel = duties(la, case_id)[PANEL]
    assert (panel.status, panel.sent_on) == ("open", None)
    (correction,) = panel.corrections
    assert correction.part == "sent"
    assert correction.undone == {"date": "2026-11-20", "reference": "P-1", "by": "A. Lead"}
    assert (correction.reason, correction.by, correction.date) == (
        "Recorded on the wrong case by mistake.",
        "A. Lead",
        "2026-11-23",
    )
    audit = la.case_detail(case_id).audit
    # (One clock tick for all three: the trail's order among them is by event id.)
    assert sorted(entry.type for entry in audit) == ["case.created", "duty.corrected", "duty.sent"]
    # The decision not to notify no longer contradicts the record.
    la.decide(case_id, notify=False, rationale="Threshold not met after the strategy meeting.")
    assert duties(la, case_id)[PANEL].status == "not_notifying"


def test_a_corrected_send_may_be_recorded_again(la: Session) -> None:
    case_id = la.create_case(incident(aware="2026-11-17", event="2026-11-16"))
    la.mark_sent(case_id, PANEL, date(2026, 11, 20), "P-WRONG")
    la.correct_duty(case_id, PANEL, "sent", "The reference was mistyped on entry.")
    la.mark_sent(case_id, PANEL, date(2026, 11, 20), "P-RIGHT")
    panel = duties(la, case_id)[PANEL]
    assert (panel.status, panel.reference, len(panel.corrections)) == ("sent", "P-RIGHT", 1)


def test_corrections_are_refused_where_nothing_fits(la: Session) -> None:
    case_id = la.create_case(incident(aware="2026-11-17", event="2026-11-16"))
    refused_unchanged(
        la, "no sent record to correct", "correct_duty", case_id, PANEL, "sent",
        "Nothing was ever sent for this one.",
    )  # fmt: skip
    refused_unchanged(
        la, "--undo received: must be one of sent, acknowledged, withdrawn",
        "correct_duty", case_id, PANEL, "received", "Not a part of the record.",
    )  # fmt: skip
    la.mark_sent(case_id, PANEL, date(2026, 11, 20))
    la.acknowledge(case_id, PANEL, date(2026, 11, 23))
    refused_unchanged(
        la, "correct the acknowledgement first", "correct_duty", case_id, PANEL, "sent",
        "Recorded on the wrong case by mistake.",
    )  # fmt: skip
    refused_unchanged(
        la, "at least a sentence", "correct_duty", case_id, PANEL, "acknowledged", "oops"
    )


# -- lateness and backdating -----------------------------------------------------


def test_a_late_send_needs_a_reason_and_keeps_it(la: Session) -> None:
    case_id = la.create_case(incident())
    assert duties(la, case_id)[PANEL].due == "2026-11-09"
    refused_unchanged(
        la,
        "panel-notification was due 9 Nov 2026; sent 12 Nov 2026 is 3 working days late: "
        "add --late-reason TEXT",
        "mark_sent", case_id, PANEL, date(2026, 11, 12),
    )  # fmt: skip
    la.mark_sent(case_id, PANEL, date(2026, 11, 12), "P-LATE", late_reason=LATE_REASON)
    panel = duties(la, case_id)[PANEL]
    assert (panel.late, panel.working_days_late, panel.late_reason) == (True, 3, LATE_REASON)
    shown = panel.as_json()
    assert (shown["late"], shown["late_reason"]) == (True, LATE_REASON)


def test_an_on_time_send_is_not_late(la: Session) -> None:
    case_id = la.create_case(incident())
    la.mark_sent(case_id, PANEL, date(2026, 11, 9))
    panel = duties(la, case_id)[PANEL]
    assert (panel.late, panel.working_days_late, panel.late_reason) == (False, 0, None)


def test_a_late_reason_may_be_added_to_an_old_late_send(la: Session) -> None:
    # A send recorded before reasons were asked for: written as old versions wrote it.
    case_id = la.create_case(incident())
    value = {"date": "2026-11-12", "reference": None, "by": "A. Lead"}
    change = Change(field=f"duties.{PANEL}.sent", value=value)
    vault_of(la).record(la.projector, [(case_id, "duty.sent", [change])], la.clock.now())
    assert (duties(la, case_id)[PANEL].late, duties(la, case_id)[PANEL].late_reason) == (True, None)
    la.add_late_reason(case_id, PANEL, LATE_REASON)
    assert duties(la, case_id)[PANEL].late_reason == LATE_REASON
    refused_unchanged(
        la, "already has a reason for the delay", "add_late_reason", case_id, PANEL,
        "A second, different reason for the delay.",
    )  # fmt: skip


def test_a_late_reason_for_an_on_time_send_is_refused(la: Session) -> None:
    case_id = la.create_case(incident())
    la.mark_sent(case_id, PANEL, date(2026, 11, 6))
    refused_unchanged(
        la, "it was not late", "add_late_reason", case_id, PANEL, "It was not late at all."
    )


def test_an_entry_dated_two_working_days_back_is_recorded_late(la: Session) -> None:
    # Recorded Mon 23 Nov. Sent Thu 19 Nov: 20 and 23 Nov are two working days -> late.
    # Acknowledged Fri 20 Nov: one working day (23) -> not late.
    case_id = la.create_case(incident(aware="2026-11-17", event="2026-11-16"))
    la.mark_sent(case_id, PANEL, date(2026, 11, 19))
    la.acknowledge(case_id, PANEL, date(2026, 11, 20))
    panel = duties(la, case_id)[PANEL]
    assert (panel.sent_on, panel.sent_recorded_on, panel.recorded_late) == (
        "2026-11-19",
        "2026-11-23",
        True,
    )
    assert (panel.acknowledged_recorded_on, panel.acknowledged_recorded_late) == (
        "2026-11-23",
        False,
    )
    assert panel.late is False  # due Tue 24 Nov: on time, though written down late


def test_an_acknowledgement_written_days_later_is_recorded_late(
    la: Session, clock: ManualClock
) -> None:
    case_id = la.create_case(incident(aware="2026-11-17", event="2026-11-16"))
    la.mark_sent(case_id, PANEL, date(2026, 11, 23))
    clock.current = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # Thu 26 Nov
    la.acknowledge(case_id, PANEL, date(2026, 11, 23))  # 24, 25, 26: three working days
    panel = duties(la, case_id)[PANEL]
    assert (panel.recorded_late, panel.sent_recorded_on) == (False, "2026-11-23")
    assert (panel.acknowledged_recorded_on, panel.acknowledged_recorded_late) == (
        "2026-11-26",
        True,
    )


def test_existing_vaults_get_the_new_columns_filled(tmp_path: Path, clock: ManualClock) -> None:
    # A vault of schema 4: the new columns dropped and migrations 5 and 7 not recorded
    # (migration 7's column goes too, or migration 5 would add its columns after it),
    # nor migration 12, whose report index holds one of them.
    home = tmp_path / "old"
    session = open_session(home, "Testshire", "la", "A. Lead", clock)
    case_id = session.create_case(incident())
    session.mark_sent(case_id, PANEL, date(2026, 11, 12), late_reason=LATE_REASON)
    db = vault_of(session).db
    for index in ("cases_list", "cases_org_by_id", "duties_report", "cases_by_outcome"):
        db.execute(f"DROP INDEX {index}")
    db.execute("DELETE FROM migrations WHERE number = 12")
    for column in (
        "sent_recorded_on", "late", "late_reason", "recorded_late", "acknowledged_recorded_on",
        "acknowledged_recorded_late", "withdrawal_pending", "withdrawal_requested_by",
        "withdrawal_confirmed_by", "corrections", "subject",
    ):  # fmt: skip
        db.execute(f"ALTER TABLE duties DROP COLUMN {column}")
    db.execute("DELETE FROM migrations WHERE number IN (5, 7)")
    db.execute("DELETE FROM meta WHERE key = 'reproject'")
    db.conn.commit()
    session.close()
    with Session.unlock(
        home, passphrase="a long test passphrase", clock=clock, owner=InlineOwner()
    ) as reopened:
        panel = {d.duty: d for d in reopened.case_detail(case_id).duties}[PANEL]
        assert (panel.late, panel.late_reason, panel.sent_recorded_on, panel.recorded_late) == (
            True,
            LATE_REASON,
            "2026-11-23",
            True,
        )
        assert reopened.doctor().problems == ()


# -- withdrawal ------------------------------------------------------------------


def test_a_duty_the_facts_no_longer_raise_is_withdrawn_by_one_person(la: Session) -> None:
    case_id = la.create_case(incident(aware="2026-11-17", event="2026-11-16"))
    la.withdraw(case_id, PANEL, "Abuse was recorded in error: a fall in the park.")
    assert duties(la, case_id)[PANEL].withdrawal_pending is not None
    # The facts change: no abuse or neglect known or suspected -> no Panel duty raised.
    la.edit_case(case_id, {"incident.abuse_or_neglect": "none"})
    panel = duties(la, case_id)[PANEL]
    assert (panel.required, panel.status) == (False, "open")
    la.correct_duty(case_id, PANEL, "withdrawn", "The request is moot: the duty is not raised.")
    event = la.withdraw(case_id, PANEL, "Not raised: no abuse or neglect is suspected.")
    assert event.type == "duty.withdrawn"
    assert duties(la, case_id)[PANEL].status == "withdrawn"
    refused_unchanged(la, "is withdrawn", "mark_sent", case_id, PANEL, date(2026, 11, 18))


@pytest.fixture
def partnership(tmp_path: Path, clock: ManualClock) -> Iterator[tuple[Session, Session]]:
    """An LA and its business office that trust each other."""
    la = open_session(tmp_path / "la", "Testshire Council", "la", "A. Lead", clock)
    office = open_session(tmp_path / "office", "Test Partnership", "office", "B. Office", clock)
    trust_each_other([la, office], tmp_path / "keys")
    try:
        yield la, office
    finally:
        la.close()
        office.close()


def test_a_statutory_withdrawal_takes_the_la_and_the_office(
    partnership: tuple[Session, Session], tmp_path: Path
) -> None:
    la, office = partnership
    case_id = la.create_case(child_death())
    event = la.withdraw(case_id, CDOP, "The child was normally resident in another area.")
    assert event.type == "duty.withdrawal_requested"
    cdop = duties(la, case_id)[CDOP]
    assert (cdop.status, cdop.withdrawal_pending, cdop.withdrawal_requested_by) == (
        "open",
        "The child was normally resident in another area.",
        "A. Lead",
    )
    assert cdop.urgency != "done"  # still owed: it counts on the dashboard
    # The LA cannot confirm its own request.
    refused_unchanged(la, "confirmed by the business office", "confirm_withdrawal", case_id, CDOP)

    import_ok(office, export_to(la, office, tmp_path / "to-office"))
    assert duties(office, case_id)[CDOP].withdrawal_pending is not None
    office.confirm_withdrawal(case_id, CDOP)
    cdop = duties(office, case_id)[CDOP]
    assert (cdop.status, cdop.withdrawal_pending, cdop.withdrawal_confirmed_by) == (
        "withdrawn",
        None,
        "B. Office",
    )
    assert cdop.withdrawn_reason == "The child was normally resident in another area."

    import_ok(la, export_to(office, la, tmp_path / "to-la"))
    assert duties(la, case_id)[CDOP].status == "withdrawn"
    assert la.projection_hash() == office.projection_hash()
    refused_unchanged(la, "is withdrawn", "mark_sent", case_id, CDOP, date(2026, 11, 18))


def test_the_requester_may_not_confirm_their_own_withdrawal(
    tmp_path: Path, clock: ManualClock
) -> None:
    # The office's author is the same person who asked on the LA's vault.
    la = open_session(tmp_path / "la", "Testshire Council", "la", "A. Lead", clock)
    office = open_session(tmp_path / "office", "Test Partnership", "office", "A. Lead", clock)
    try:
        trust_each_other([la, office], tmp_path / "keys")
        case_id = la.create_case(child_death())
        la.withdraw(case_id, CDOP, "The child was normally resident in another area.")
        import_ok(office, export_to(la, office, tmp_path / "to-office"))
        refused_unchanged(
            office, "a second person must confirm it", "confirm_withdrawal", case_id, CDOP
        )
        assert duties(office, case_id)[CDOP].status == "open"
    finally:
        la.close()
        office.close()


def test_confirming_with_nothing_pending_is_refused(
    partnership: tuple[Session, Session], tmp_path: Path
) -> None:
    la, office = partnership
    case_id = la.create_case(child_death())
    import_ok(office, export_to(la, office, tmp_path / "to-office"))
    refused_unchanged(office, "no withdrawal of cdop-notification awaits", "confirm_withdrawal",
                      case_id, CDOP)  # fmt: skip


def test_a_pending_withdrawal_is_cancelled_by_a_correction(la: Session) -> None:
    case_id = la.create_case(child_death())
    la.withdraw(case_id, CDOP, "The child was normally resident in another area.")
    refused_unchanged(
        la, "awaits office confirmation", "mark_sent", case_id, CDOP, date(2026, 11, 18)
    )
    la.correct_duty(case_id, CDOP, "withdrawn", "Our child after all: the address was old.")
    cdop = duties(la, case_id)[CDOP]
    assert (cdop.status, cdop.withdrawal_pending) == ("open", None)
    assert cdop.corrections[0].part == "withdrawn"
    la.mark_sent(case_id, CDOP, date(2026, 11, 18))
    assert duties(la, case_id)[CDOP].status == "sent"


def test_the_office_acknowledges_only_what_the_la_sent(
    partnership: tuple[Session, Session], tmp_path: Path
) -> None:
    la, office = partnership
    case_id = la.create_case(child_death())
    import_ok(office, export_to(la, office, tmp_path / "one"))
    refused_unchanged(
        office, "is not marked sent", "acknowledge", case_id, CDOP, date(2026, 11, 20)
    )
    la.mark_sent(case_id, CDOP, date(2026, 11, 18))
    import_ok(office, export_to(la, office, tmp_path / "two"))
    office.acknowledge(case_id, CDOP, date(2026, 11, 20))
    office.correct_duty(case_id, CDOP, "acknowledged", "Acknowledged on the wrong case.")
    import_ok(la, export_to(office, la, tmp_path / "back"))
    cdop = duties(la, case_id)[CDOP]
    assert (cdop.status, [c.by for c in cdop.corrections]) == ("sent", ["B. Office"])


def test_resolving_a_conflict_keeps_the_record_consistent(la: Session) -> None:
    # Two devices recorded the acknowledgement without seeing each other: Wed 18 Nov
    # (before the send on Fri 20 Nov) and Mon 23 Nov. Only the second fits the record.
    case_id = la.create_case(incident(aware="2026-11-17", event="2026-11-16"))
    la.mark_sent(case_id, PANEL, date(2026, 11, 20))
    field = f"duties.{PANEL}.acknowledged"
    early = {"date": "2026-11-18", "by": "B. Office"}
    later = {"date": "2026-11-23", "by": "A. Lead"}
    entries = [
        (case_id, "duty.acknowledged", [Change(field=field, value=v)]) for v in (early, later)
    ]
    vault_of(la).record(la.projector, entries, la.clock.now())
    assert [c.field for c in la.case_detail(case_id).conflicts] == [field]
    refused_unchanged(la, "is before panel-notification was sent", "resolve", case_id, field, early)
    la.resolve(case_id, field, later)
    panel = duties(la, case_id)[PANEL]
    assert (panel.status, panel.acknowledged_on) == ("acknowledged", "2026-11-23")
