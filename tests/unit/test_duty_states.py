"""The duty state machine (`domain.duty_states`) with plain values, no vault.

Dates are worked by hand on the English calendar: November 2026 has no bank holiday;
weekends are 7-8, 14-15, 21-22 and 28-29 November.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.duty_states import (
    TRANSITIONS,
    Action,
    DutyRecord,
    Stage,
    day_words,
    late_send_refusal,
    recorded_late,
    refusal,
    withdrawal_action,
    working_days_late,
)

CALENDAR = WorkingDayCalendar()


def record(status: str = "open", **values: Any) -> DutyRecord:
    return DutyRecord(case_id="SI-TEST0001", duty_id="panel-notification", status=status, **values)


SENT_20 = {"sent_on": date(2026, 11, 20)}


def test_the_happy_path_is_open_sent_acknowledged() -> None:
    assert TRANSITIONS[(Stage.OPEN, Action.SEND)] is Stage.SENT
    assert TRANSITIONS[(Stage.SENT, Action.ACKNOWLEDGE)] is Stage.ACKNOWLEDGED
    assert refusal(record("open"), Action.SEND) is None
    assert refusal(record("sent", **SENT_20), Action.ACKNOWLEDGE, when=date(2026, 11, 20)) is None


def test_a_pending_withdrawal_is_still_open() -> None:
    pending = record("open", withdrawal_pending="Out of area.", withdrawal_requested_by="A")
    assert pending.stage is Stage.WITHDRAWAL_PENDING
    assert Stage.WITHDRAWAL_PENDING.status == "open"
    assert TRANSITIONS[(Stage.WITHDRAWAL_PENDING, Action.CONFIRM_WITHDRAWAL)] is Stage.WITHDRAWN
    assert TRANSITIONS[(Stage.WITHDRAWAL_PENDING, Action.UNDO_WITHDRAWN)] is Stage.OPEN


def test_every_correction_steps_back_one_state() -> None:
    assert TRANSITIONS[(Stage.SENT, Action.UNDO_SENT)] is Stage.OPEN
    assert TRANSITIONS[(Stage.ACKNOWLEDGED, Action.UNDO_ACKNOWLEDGED)] is Stage.SENT
    assert TRANSITIONS[(Stage.WITHDRAWN, Action.UNDO_WITHDRAWN)] is Stage.OPEN


def test_the_decision_moves_only_between_open_and_not_notifying() -> None:
    assert TRANSITIONS[(Stage.OPEN, Action.DECIDE_NOT_TO_NOTIFY)] is Stage.NOT_NOTIFYING
    assert TRANSITIONS[(Stage.NOT_NOTIFYING, Action.DECIDE_TO_NOTIFY)] is Stage.OPEN
    assert TRANSITIONS[(Stage.SENT, Action.DECIDE_TO_NOTIFY)] is Stage.SENT
    assert (Stage.SENT, Action.DECIDE_NOT_TO_NOTIFY) not in TRANSITIONS
    assert (Stage.ACKNOWLEDGED, Action.DECIDE_NOT_TO_NOTIFY) not in TRANSITIONS


@pytest.mark.parametrize(
    ("status", "values", "action", "words"),
    [
        ("open", {}, Action.ACKNOWLEDGE, "is not marked sent"),
        ("not_notifying", {}, Action.ACKNOWLEDGE, "nothing was sent"),
        ("withdrawn", {"withdrawn_reason": "Out of area."}, Action.SEND, "--undo withdrawn"),
        ("sent", SENT_20, Action.SEND, "already marked sent on 20 Nov 2026"),
        ("acknowledged", SENT_20, Action.SEND, "--undo sent"),
        ("sent", SENT_20, Action.WITHDRAW, "a sent notification is not withdrawn"),
        ("sent", SENT_20, Action.REQUEST_WITHDRAWAL, "correct SI-TEST0001 panel-notification"),
        (
            "sent",
            SENT_20,
            Action.DECIDE_NOT_TO_NOTIFY,
            "was sent on 20 Nov 2026, so a decision not to notify",
        ),
        ("acknowledged", SENT_20, Action.DECIDE_NOT_TO_NOTIFY, "--undo acknowledged"),
        ("not_notifying", {}, Action.SEND, "decide SI-TEST0001 --notify"),
        ("open", {}, Action.CONFIRM_WITHDRAWAL, "no withdrawal of panel-notification awaits"),
        ("acknowledged", SENT_20, Action.UNDO_SENT, "correct the acknowledgement first"),
        ("open", {}, Action.UNDO_SENT, "no sent record to correct"),
        ("sent", SENT_20, Action.UNDO_ACKNOWLEDGED, "no acknowledgement"),
        ("open", {}, Action.UNDO_WITHDRAWN, "nothing to correct"),
        ("open", {}, Action.ADD_LATE_REASON, "is not marked sent"),
    ],
)
def test_a_contradicting_action_is_refused_with_a_way_forward(
    status: str, values: dict[str, object], action: Action, words: str
) -> None:
    refused = refusal(record(status, **values), action)
    assert refused is not None and words in refused
    assert "\n" not in refused


def test_every_pair_not_in_the_table_is_refused_and_every_pair_in_it_is_not() -> None:
    plain = {
        Stage.OPEN: record("open"),
        Stage.WITHDRAWAL_PENDING: record("open", withdrawal_pending="Out of area."),
        Stage.SENT: record("sent", **SENT_20),
        Stage.ACKNOWLEDGED: record("acknowledged", acknowledged_on=date(2026, 11, 23), **SENT_20),
        Stage.WITHDRAWN: record("withdrawn", withdrawn_reason="Out of area."),
        Stage.NOT_NOTIFYING: record("not_notifying"),
    }
    for stage, duty in plain.items():
        for action in Action:
            # Statutory duties are withdrawn by two people; late reasons need a late send.
            if action in (Action.WITHDRAW, Action.ADD_LATE_REASON):
                continue
            refused = refusal(duty, action)
            assert (refused is None) == ((stage, action) in TRANSITIONS), (stage, action, refused)


def test_an_acknowledgement_before_the_sent_date_is_refused() -> None:
    refused = refusal(record("sent", **SENT_20), Action.ACKNOWLEDGE, when=date(2026, 11, 19))
    assert refused == (
        "--date 2026-11-19: is before panel-notification was sent (20 Nov 2026); "
        "give the date the recipient acknowledged it, on or after that"
    )


def test_one_person_withdraws_only_a_duty_the_rules_do_not_raise() -> None:
    assert withdrawal_action(required=True) is Action.REQUEST_WITHDRAWAL
    assert withdrawal_action(required=False) is Action.WITHDRAW
    assert refusal(record("open", required=False), Action.WITHDRAW) is None
    refused = refusal(record("open", required=True), Action.WITHDRAW)
    assert refused is not None and "takes two people" in refused


def test_the_requester_cannot_confirm_their_own_withdrawal() -> None:
    pending = record("open", withdrawal_pending="Out of area.", withdrawal_requested_by="A. Lead")
    refused = refusal(pending, Action.CONFIRM_WITHDRAWAL, by="A. Lead")
    assert refused is not None and "a second person must confirm it" in refused
    assert refusal(pending, Action.CONFIRM_WITHDRAWAL, by="B. Office") is None


def test_working_days_late() -> None:
    # Due Mon 9 Nov; sent Thu 12 Nov: Tue 10, Wed 11, Thu 12 -> 3 working days late.
    assert working_days_late(date(2026, 11, 9), date(2026, 11, 12), CALENDAR) == 3
    # Sent on the due date, or before: on time.
    assert working_days_late(date(2026, 11, 9), date(2026, 11, 9), CALENDAR) == 0
    assert working_days_late(date(2026, 11, 9), date(2026, 11, 4), CALENDAR) == 0
    # Due Fri 6 Nov, sent Sat 7 Nov: no working day between, but still late.
    assert working_days_late(date(2026, 11, 6), date(2026, 11, 7), CALENDAR) == 1
    # Due Fri 6 Nov, sent Mon 9 Nov: 1 working day late.
    assert working_days_late(date(2026, 11, 6), date(2026, 11, 9), CALENDAR) == 1
    assert working_days_late(None, date(2026, 11, 9), CALENDAR) == 0


def test_a_late_send_needs_its_reason() -> None:
    due_9 = record("open", due=date(2026, 11, 9))
    refused = late_send_refusal(due_9, date(2026, 11, 12), None, CALENDAR)
    assert refused == (
        "panel-notification was due 9 Nov 2026; sent 12 Nov 2026 is 3 working days late: "
        "add --late-reason TEXT saying why it was sent late"
    )
    assert (
        late_send_refusal(due_9, date(2026, 11, 12), "Lead on leave; cover missed it.", CALENDAR)
        is None
    )
    short = late_send_refusal(due_9, date(2026, 11, 12), "leave", CALENDAR)
    assert short is not None and "at least a sentence" in short
    on_time = late_send_refusal(
        due_9, date(2026, 11, 9), "Lead on leave; cover missed it.", CALENDAR
    )
    assert on_time is not None and "is not late" in on_time
    assert late_send_refusal(due_9, date(2026, 11, 9), None, CALENDAR) is None


def test_a_late_reason_is_added_only_to_a_late_send_without_one() -> None:
    late = record("sent", due=date(2026, 11, 9), sent_on=date(2026, 11, 12))
    assert refusal(late, Action.ADD_LATE_REASON) is None
    on_time = record("sent", due=date(2026, 11, 9), sent_on=date(2026, 11, 9))
    refused = refusal(on_time, Action.ADD_LATE_REASON)
    assert refused is not None and "it was not late" in refused
    given = record("sent", due=date(2026, 11, 9), sent_on=date(2026, 11, 12), late_reason="Leave.")
    refused = refusal(given, Action.ADD_LATE_REASON)
    assert refused is not None and "already has a reason" in refused


def test_recorded_late_is_more_than_one_working_day_before_the_record() -> None:
    monday = date(2026, 11, 23)
    # Fri 20 Nov written on Mon 23: one working day (23) -> not late.
    assert not recorded_late(date(2026, 11, 20), monday, CALENDAR)
    # Thu 19 Nov written on Mon 23: Fri 20 and Mon 23 -> two working days: late.
    assert recorded_late(date(2026, 11, 19), monday, CALENDAR)
    # Sat 21 Nov written on Mon 23: one working day -> not late.
    assert not recorded_late(date(2026, 11, 21), monday, CALENDAR)
    assert not recorded_late(monday, monday, CALENDAR)
    assert not recorded_late(None, monday, CALENDAR)


def test_dates_in_words() -> None:
    assert day_words(date(2026, 11, 9)) == "9 Nov 2026"
