"""A duty's states, the transitions the record allows, and a refusal for every other one.

A duty is `open` (still owed), `sent`, `acknowledged` (by its recipient), `withdrawn`
(it no longer applies) or `not_notifying` (the threshold decision closed it; only the
duties in `THRESHOLD_DUTIES`). An open statutory duty may carry a withdrawal request
that awaits a second person, the business office: it is still owed, so its status
stays `open`; here that is the stage `withdrawal_pending`.

`TRANSITIONS` lists the actions each stage allows and the stage they lead to. `refusal`
answers, for any action, None (allowed) or one line saying why the record contradicts
it and what to do instead. A correction (`UNDO_*`) is its own action, recorded with a
reason: the record is evidence, so nothing is overwritten in place.

Lateness and backdating are here too: `working_days_late` (a send after its due date
needs a reason) and `recorded_late` (a stated date more than one working day before
the day it was written down). Pure: no clock, no storage; the Session reads the record,
asks, and records or refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from notify_tui.domain.calendar import WorkingDayCalendar

THRESHOLD_DUTIES = frozenset({"panel-notification", "rapid-review"})
"""The duties the threshold decision governs. It is about the serious-incident test
(the Panel); CDOP, looked-after-child and care-leaver death notifications are owed
whatever it says."""

PANEL_DUTY = "panel-notification"
"""The duty a threshold decision is about: a case without it has no decision to make."""

MIN_REASON = 10
"""The shortest reason (for a withdrawal, a correction, a late send) taken as a sentence."""

Part = Literal["sent", "acknowledged", "withdrawn"]
PARTS: tuple[Part, ...] = ("sent", "acknowledged", "withdrawn")
"""The records of a duty a correction may undo."""


class Stage(StrEnum):
    """Where a duty stands: its status, with an open duty's pending withdrawal apart."""

    OPEN = "open"
    WITHDRAWAL_PENDING = "withdrawal_pending"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    WITHDRAWN = "withdrawn"
    NOT_NOTIFYING = "not_notifying"

    @property
    def status(self) -> str:
        """The status stored and shown (a pending withdrawal leaves the duty `open`)."""
        return "open" if self is Stage.WITHDRAWAL_PENDING else self.value


class Action(StrEnum):
    """What a person may record about a duty."""

    SEND = "send"
    ACKNOWLEDGE = "acknowledge"
    WITHDRAW = "withdraw"
    """One person withdraws a duty the rules do not raise (recorded, not required)."""
    REQUEST_WITHDRAWAL = "request_withdrawal"
    """The LA asks to withdraw a statutory duty; it stays owed until confirmed."""
    CONFIRM_WITHDRAWAL = "confirm_withdrawal"
    """A second person (the business office) confirms the LA's request."""
    DECIDE_NOT_TO_NOTIFY = "decide_not_to_notify"
    DECIDE_TO_NOTIFY = "decide_to_notify"
    UNDO_SENT = "undo_sent"
    UNDO_ACKNOWLEDGED = "undo_acknowledged"
    UNDO_WITHDRAWN = "undo_withdrawn"
    """Undo a withdrawal, or cancel a request that awaits confirmation."""
    ADD_LATE_REASON = "add_late_reason"


UNDO: dict[str, Action] = {
    "sent": Action.UNDO_SENT,
    "acknowledged": Action.UNDO_ACKNOWLEDGED,
    "withdrawn": Action.UNDO_WITHDRAWN,
}
"""The correction action for each part of a duty's record."""

_S, _A = Stage, Action
TRANSITIONS: dict[tuple[Stage, Action], Stage] = {
    (_S.OPEN, _A.SEND): _S.SENT,
    (_S.OPEN, _A.WITHDRAW): _S.WITHDRAWN,
    (_S.OPEN, _A.REQUEST_WITHDRAWAL): _S.WITHDRAWAL_PENDING,
    (_S.OPEN, _A.DECIDE_NOT_TO_NOTIFY): _S.NOT_NOTIFYING,
    (_S.OPEN, _A.DECIDE_TO_NOTIFY): _S.OPEN,
    (_S.WITHDRAWAL_PENDING, _A.CONFIRM_WITHDRAWAL): _S.WITHDRAWN,
    (_S.WITHDRAWAL_PENDING, _A.UNDO_WITHDRAWN): _S.OPEN,
    (_S.WITHDRAWAL_PENDING, _A.DECIDE_NOT_TO_NOTIFY): _S.NOT_NOTIFYING,
    (_S.WITHDRAWAL_PENDING, _A.DECIDE_TO_NOTIFY): _S.WITHDRAWAL_PENDING,
    (_S.SENT, _A.ACKNOWLEDGE): _S.ACKNOWLEDGED,
    (_S.SENT, _A.UNDO_SENT): _S.OPEN,
    (_S.SENT, _A.ADD_LATE_REASON): _S.SENT,
    (_S.SENT, _A.DECIDE_TO_NOTIFY): _S.SENT,
    (_S.ACKNOWLEDGED, _A.UNDO_ACKNOWLEDGED): _S.SENT,
    (_S.ACKNOWLEDGED, _A.ADD_LATE_REASON): _S.ACKNOWLEDGED,
    (_S.ACKNOWLEDGED, _A.DECIDE_TO_NOTIFY): _S.ACKNOWLEDGED,
    (_S.WITHDRAWN, _A.UNDO_WITHDRAWN): _S.OPEN,
    (_S.WITHDRAWN, _A.DECIDE_NOT_TO_NOTIFY): _S.WITHDRAWN,
    (_S.WITHDRAWN, _A.DECIDE_TO_NOTIFY): _S.WITHDRAWN,
    (_S.NOT_NOTIFYING, _A.DECIDE_NOT_TO_NOTIFY): _S.NOT_NOTIFYING,
    (_S.NOT_NOTIFYING, _A.DECIDE_TO_NOTIFY): _S.OPEN,
}
"""(stage, action) -> the stage after it. A pair not listed contradicts the record.

A decision changes only the duties in `THRESHOLD_DUTIES`; a fresh decision not to
notify on a duty already closed by one (a new rationale) is allowed, and so is a
decision on a withdrawn duty (it stays withdrawn)."""


@dataclass(frozen=True)
class DutyRecord:
    """What the record holds about one duty, as the transitions need it."""

    case_id: str
    duty_id: str
    status: str
    """One of open, sent, acknowledged, withdrawn, not_notifying."""
    required: bool = True
    """Raised by the rules from the facts (a statutory duty), not only recorded."""
    due: date | None = None
    sent_on: date | None = None
    acknowledged_on: date | None = None
    withdrawn_reason: str | None = None
    withdrawal_pending: str | None = None
    """The reason of a withdrawal request awaiting confirmation, else None."""
    withdrawal_requested_by: str | None = None
    late_reason: str | None = None
    decided_on: date | None = None
    """The date of the decision not to notify that closed it (status not_notifying)."""

    @property
    def stage(self) -> Stage:
        """Where the duty stands."""
        if self.status == "open" and self.withdrawal_pending is not None:
            return Stage.WITHDRAWAL_PENDING
        return Stage(self.status)


def day_words(day: date | None) -> str:
    """A date as people write it: 9 Nov 2026."""
    return "an unknown date" if day is None else f"{day.day} {day:%b %Y}"


def withdrawal_action(required: bool) -> Action:
    """Withdrawing a statutory duty takes two people; a duty not raised, one."""
    return Action.REQUEST_WITHDRAWAL if required else Action.WITHDRAW


def correct_command(record: DutyRecord, part: Part) -> str:
    """The command that undoes one part of a duty's record, with a reason."""
    return (
        f"`notify-tui duty correct {record.case_id} {record.duty_id} --undo {part} --reason TEXT`"
    )


def refusal(
    record: DutyRecord, action: Action, *, when: date | None = None, by: str | None = None
) -> str | None:
    """None when the record allows `action`; else one line: why not, and what to do.

    `when` is the date the action states (an acknowledgement's date), `by` who records
    it (a confirmation must come from someone other than the requester)."""
    stage = record.stage
    if (stage, action) not in TRANSITIONS:
        return _contradiction(record, stage, action)
    duty = record.duty_id
    if action is Action.WITHDRAW and record.required:
        return withdrawal_refusal_for_statutory(record)
    if (
        action is Action.ACKNOWLEDGE
        and when is not None
        and record.sent_on is not None
        and when < record.sent_on
    ):
        return (
            f"--date {when}: is before {duty} was sent ({day_words(record.sent_on)}); "
            "give the date the recipient acknowledged it, on or after that"
        )
    if (
        action is Action.CONFIRM_WITHDRAWAL
        and by is not None
        and by == record.withdrawal_requested_by
    ):
        return (
            f"the withdrawal of {duty} was requested by {by}: a second person must "
            "confirm it (the business office, from the case its bundle brought)"
        )
    if action is Action.ADD_LATE_REASON:
        if record.due is None or record.sent_on is None or record.sent_on <= record.due:
            return (
                f"{duty} was sent on {day_words(record.sent_on)}, by its due date "
                f"({day_words(record.due)}): it was not late, so it needs no reason"
            )
        if record.late_reason:
            return (
                f"{duty} already has a reason for the delay ({record.late_reason}); to "
                f"change it, correct the sent record with {correct_command(record, 'sent')}"
            )
    return None


def withdrawal_refusal_for_statutory(record: DutyRecord) -> str:
    """Why one person may not withdraw a duty the rules raise."""
    return (
        f"{record.duty_id} is a statutory duty the facts raise: withdrawing it takes two "
        f"people (`notify-tui duty withdraw {record.case_id} {record.duty_id} --reason` "
        "asks, the business office confirms)"
    )


def _contradiction(record: DutyRecord, stage: Stage, action: Action) -> str:
    """The refusal of a (stage, action) pair `TRANSITIONS` does not allow."""
    duty, case_id = record.duty_id, record.case_id
    sent = day_words(record.sent_on)
    withdrawn = f"{duty} is withdrawn ({record.withdrawn_reason or 'no reason recorded'})"
    pending = (
        f"a withdrawal of {duty} awaits office confirmation "
        f"(requested by {record.withdrawal_requested_by or 'the LA'})"
    )
    closed = f"{duty} is closed by the decision not to notify" + (
        f" of {day_words(record.decided_on)}" if record.decided_on else ""
    )
    if action is Action.SEND:
        if stage in (Stage.SENT, Stage.ACKNOWLEDGED):
            return (
                f"{duty} is already marked sent on {sent}; to change it, "
                f"{correct_command(record, 'sent')} with a reason, then record it again"
            )
        if stage is Stage.WITHDRAWN:
            return (
                f"{withdrawn}; if that was recorded in error, undo it first with "
                f"{correct_command(record, 'withdrawn')}"
            )
        if stage is Stage.WITHDRAWAL_PENDING:
            return (
                f"{pending}; if it is owed after all, cancel the request first with "
                f"{correct_command(record, 'withdrawn')}"
            )
        return (
            f"{closed}; if it was notified after all, record a decision to notify first "
            f"(`notify-tui decide {case_id} --notify --rationale TEXT`)"
        )
    if action is Action.ACKNOWLEDGE:
        if stage is Stage.ACKNOWLEDGED:
            return (
                f"{duty} is already acknowledged on {day_words(record.acknowledged_on)}; "
                f"to change it, {correct_command(record, 'acknowledged')} first"
            )
        if stage is Stage.WITHDRAWN:
            return f"{withdrawn}: there is nothing to acknowledge"
        if stage is Stage.NOT_NOTIFYING:
            return f"{closed}: nothing was sent, so there is nothing to acknowledge"
        return (
            f"{duty} is not marked sent in this record, so it cannot be acknowledged; the "
            f"LA records it sent first (`notify-tui duty sent {case_id} {duty} --date "
            "YYYY-MM-DD`), and its bundle brings that to the office"
        )
    if action in (Action.WITHDRAW, Action.REQUEST_WITHDRAWAL):
        if stage in (Stage.SENT, Stage.ACKNOWLEDGED):
            return (
                f"{duty} was sent on {sent}: a sent notification is not withdrawn; if it "
                f"was recorded in error, {correct_command(record, 'sent')}"
            )
        if stage is Stage.WITHDRAWN:
            return f"{withdrawn} already"
        if stage is Stage.WITHDRAWAL_PENDING:
            return f"{pending} already; the office confirms it with `duty confirm-withdrawal`"
        return f"{closed}: there is nothing to withdraw"
    if action is Action.CONFIRM_WITHDRAWAL:
        if stage is Stage.WITHDRAWN:
            return f"{withdrawn} already: there is nothing to confirm"
        if stage in (Stage.SENT, Stage.ACKNOWLEDGED):
            return f"{duty} was sent on {sent}: there is no withdrawal to confirm"
        if stage is Stage.NOT_NOTIFYING:
            return f"{closed}: there is no withdrawal to confirm"
        return (
            f"no withdrawal of {duty} awaits confirmation; the LA asks for one with "
            f"`notify-tui duty withdraw {case_id} {duty} --reason TEXT`"
        )
    if action is Action.DECIDE_NOT_TO_NOTIFY:
        if stage is Stage.ACKNOWLEDGED:
            return (
                f"{duty} was sent on {sent} and acknowledged, so a decision not to notify "
                f"contradicts the record; if it was recorded in error, correct it first with "
                f"{correct_command(record, 'acknowledged')}, then the same with --undo sent"
            )
        return (
            f"{duty} was sent on {sent}, so a decision not to notify contradicts the "
            f"record; if it was recorded in error, correct it first with "
            f"{correct_command(record, 'sent')}"
        )
    if action is Action.UNDO_SENT:
        if stage is Stage.ACKNOWLEDGED:
            return (
                f"{duty} is acknowledged on {day_words(record.acknowledged_on)}: correct the "
                f"acknowledgement first ({correct_command(record, 'acknowledged')})"
            )
        return f"{duty} is not marked sent: there is no sent record to correct"
    if action is Action.UNDO_ACKNOWLEDGED:
        return f"{duty} has no acknowledgement recorded: there is nothing to correct"
    if action is Action.UNDO_WITHDRAWN:
        return (
            f"{duty} is not withdrawn and no withdrawal of it awaits confirmation: there "
            "is nothing to correct"
        )
    if action is Action.ADD_LATE_REASON:
        return (
            f"{duty} is not marked sent; give the reason for a late send when you record "
            f"it (`notify-tui duty sent {case_id} {duty} --date YYYY-MM-DD --late-reason TEXT`)"
        )
    return f"{duty}: {action.value} is not allowed while it is {stage.status}"  # pragma: no cover


def working_days_late(due: date | None, sent_on: date | None, calendar: WorkingDayCalendar) -> int:
    """How many working days after its due date a duty was sent (0: on time or unsent).

    Sent on a weekend just after a Friday due date counts as 1: it was still late."""
    if due is None or sent_on is None or sent_on <= due:
        return 0
    return max(1, calendar.working_days_between(due, sent_on))


def late_send_refusal(
    record: DutyRecord,
    sent_on: date,
    late_reason: str | None,
    calendar: WorkingDayCalendar,
) -> str | None:
    """A send after the due date needs the reason for the delay; one that is not late,
    none. None when the reason given fits."""
    late = working_days_late(record.due, sent_on, calendar)
    reason = (late_reason or "").strip()
    if late and not reason:
        days = f"{late} working day{'s' if late != 1 else ''}"
        return (
            f"{record.duty_id} was due {day_words(record.due)}; sent {day_words(sent_on)} "
            f"is {days} late: add --late-reason TEXT saying why it was sent late"
        )
    if late and len(reason) < MIN_REASON:
        return "--late-reason: say why it was late in at least a sentence"
    if not late and reason:
        return (
            f"--late-reason: {record.duty_id} sent {day_words(sent_on)} is not late "
            f"(due {day_words(record.due)}); leave the reason out"
        )
    return None


def recorded_late(
    stated: date | None, recorded_on: date | None, calendar: WorkingDayCalendar
) -> bool:
    """Whether a stated date (sent, acknowledged) is more than one working day before
    the day it was written down: the entry was recorded late (backdated)."""
    if stated is None or recorded_on is None or stated >= recorded_on:
        return False
    return calendar.working_days_between(stated, recorded_on) > 1
