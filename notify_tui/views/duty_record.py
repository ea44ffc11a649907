"""A duty's record in words: sent on time or late (and why), recorded late, withdrawals
awaiting confirmation, corrections, and the threshold decision (no Textual, no SQL).

`case show`, the case screen and the dashboard all use these, so an inspector reads the
same sentence wherever the record is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from notify_tui.domain.duty_states import PANEL_DUTY, day_words
from notify_tui.services.types import DutyCorrection, DutyView


def _day(text: str | None) -> str:
    return day_words(date.fromisoformat(text)) if text else "an unknown date"


def timeliness(duty: DutyView) -> str:
    """ "on time", or "3 working days late: <reason>" (blank while not sent)."""
    if not duty.sent_on:
        return ""
    if not duty.late:
        return "on time" if duty.due else ""
    days = duty.working_days_late
    late = f"{days} working day{'s' if days != 1 else ''} late"
    return f"{late}: {duty.late_reason}" if duty.late_reason else f"{late}: no reason given"


def recorded_late_note(stated: str | None, recorded: str | None) -> str:
    """ "recorded late: stated 10 Nov 2026, recorded 23 Nov 2026"."""
    return f"recorded late: stated {_day(stated)}, recorded {_day(recorded)}"


def sent_flags(duty: DutyView) -> str:
    """What follows a sent date: "3 working days late: <reason>", a recorded-late note."""
    parts = [timeliness(duty)] if timeliness(duty) else []
    if duty.sent_on and duty.recorded_late:
        parts.append(recorded_late_note(duty.sent_on, duty.sent_recorded_on))
    return " · ".join(parts)


def sent_summary(duty: DutyView) -> str:
    """The sent record in one line: "sent 12 Nov 2026 · 3 working days late: <reason>"."""
    if not duty.sent_on:
        return ""
    flags = sent_flags(duty)
    return f"sent {_day(duty.sent_on)}" + (f" · {flags}" if flags else "")


def acknowledged_summary(duty: DutyView) -> str:
    """ "acknowledged 13 Nov 2026" (with a recorded-late note), or blank."""
    if not duty.acknowledged_on:
        return ""
    text = f"acknowledged {_day(duty.acknowledged_on)}"
    if duty.acknowledged_recorded_late:
        text += " · " + recorded_late_note(duty.acknowledged_on, duty.acknowledged_recorded_on)
    return text


def withdrawal_summary(duty: DutyView) -> str:
    """A pending withdrawal (the duty is still owed) or a withdrawal in force, or blank."""
    if duty.withdrawal_pending:
        return (
            "withdrawal awaiting office confirmation (asked by "
            f"{duty.withdrawal_requested_by or 'the LA'}: {duty.withdrawal_pending})"
        )
    if duty.status != "withdrawn":
        return ""
    who = ""
    if duty.withdrawal_confirmed_by:
        who = (
            f" (asked by {duty.withdrawal_requested_by or 'the LA'}, "
            f"confirmed by {duty.withdrawal_confirmed_by})"
        )
    elif duty.withdrawal_requested_by:
        who = f" (by {duty.withdrawal_requested_by})"
    return f"withdrawn{who}: {duty.withdrawn_reason or 'no reason recorded'}"


def correction_line(correction: DutyCorrection) -> str:
    """ "corrected: sent 20 Nov 2026 recorded in error — <reason> (A. Lead, 23 Nov 2026)"."""
    stated = correction.undone_date
    what = correction.part + (f" {_day(stated)}" if stated else "")
    return (
        f"corrected: {what} recorded in error — {correction.reason} "
        f"({correction.by}, {_day(correction.date)})"
    )


def record_lines(duty: DutyView) -> list[str]:
    """The lines of a duty's record after its sent line: acknowledged, withdrawal,
    corrections."""
    lines = [text for text in (acknowledged_summary(duty), withdrawal_summary(duty)) if text]
    lines += [correction_line(c) for c in duty.corrections]
    return lines


def done_label(duty: DutyView) -> str:
    """What a done duty's line shows: "sent 12 Nov 2026 · 3 working days late: <reason>"."""
    if duty.sent_on:
        return sent_summary(duty)
    return withdrawal_summary(duty) or duty.status.replace("_", " ")


def decision_line(decision: Mapping[str, Any] | None, duties: tuple[DutyView, ...]) -> str:
    """The threshold decision, said as what it governs: the Panel duties only.

    "Panel: not notifying (threshold not met) — decided 20 Nov 2026 by A. Lead: ..."; a
    case whose facts raise no Panel notification has no decision to make."""
    has_panel = any(d.duty == PANEL_DUTY for d in duties)
    if not decision:
        if not has_panel:
            return (
                "Threshold decision: none needed (no Panel notification; the other "
                "notifications are owed whatever the threshold)"
            )
        return "Panel threshold decision: not yet recorded"
    verdict = (
        "notify (threshold met)" if decision.get("notify") else "not notifying (threshold not met)"
    )
    when = _day(decision.get("decided_on"))
    by = decision.get("decided_by") or "-"
    rationale = decision.get("rationale", "")
    scope = "" if has_panel else " (the facts now raise no Panel notification)"
    return f"Panel: {verdict}{scope} — decided {when} by {by}: {rationale}"
