"""What happened to a case's duties: `duty sent|ack|withdraw|confirm-withdrawal|correct|
late-reason`, `decide`, `conflicts`, `resolve`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from notify_tui.cli.common import (
    NotifyGroup,
    checked_together,
    day,
    echo,
    emit_json,
    jsonable,
    second_passphrase,
    with_session,
)
from notify_tui.errors import InvalidInput

if TYPE_CHECKING:
    from notify_tui.services.session import Session


@click.group(cls=NotifyGroup)
def duty() -> None:
    """Record what happened to a duty: sent, acknowledged, withdrawn, corrected.

    Each record must fit the ones before it (a duty is acknowledged only once sent, and
    not before its sent date; a sent duty is not withdrawn); a record made in error is
    undone with `duty correct` and a reason, never overwritten.
    """


@duty.command("sent")
@with_session()
@click.argument("case_id", metavar="CASE")
@click.argument("duty_id", metavar="DUTY")
@click.option(
    "--date",
    "sent_on",
    required=True,
    metavar="DATE",
    callback=day("--date"),
    help="When it was sent: 30/11/2026, 30/11/26, 2026-11-30, today or yesterday.",
)
@click.option("--reference", metavar="REF", help="The reference the recipient gave.")
@click.option(
    "--late-reason",
    metavar="TEXT",
    help="Why it was sent after its due date (required then; kept with the sent record).",
)
def duty_sent(
    session: Session,
    case_id: str,
    duty_id: str,
    sent_on: date,
    reference: str | None,
    late_reason: str | None,
) -> None:
    """Record that a duty's notification was sent.

    A duty already marked sent is refused (correct it with `duty correct`); one sent
    after its due date needs --late-reason.
    """
    session.mark_sent(case_id, duty_id, sent_on, reference, late_reason)
    echo(f"Recorded {duty_id} sent on {sent_on.isoformat()}.")


@duty.command("late-reason")
@with_session()
@click.argument("case_id", metavar="CASE")
@click.argument("duty_id", metavar="DUTY")
@click.option("--reason", required=True, help="Why it was sent after its due date.")
def duty_late_reason(session: Session, case_id: str, duty_id: str, reason: str) -> None:
    """Give the reason for the delay of a duty recorded sent late without one."""
    session.add_late_reason(case_id, duty_id, reason)
    echo(f"Recorded why {duty_id} was sent late.")


@duty.command("ack")
@with_session()
@click.argument("case_id", metavar="CASE")
@click.argument("duty_id", metavar="DUTY")
@click.option(
    "--date",
    "when",
    required=True,
    metavar="DATE",
    callback=day("--date"),
    help="When it was acknowledged (30/11/2026, 2026-11-30, today...).",
)
def duty_ack(session: Session, case_id: str, duty_id: str, when: date) -> None:
    """Record that the recipient acknowledged the notification."""
    session.acknowledge(case_id, duty_id, when)
    echo(f"Recorded {duty_id} acknowledged on {when.isoformat()}.")


@duty.command("withdraw")
@with_session()
@click.argument("case_id", metavar="CASE")
@click.argument("duty_id", metavar="DUTY")
@click.option("--reason", required=True, help="Why the duty no longer applies.")
@click.option(
    "--confirm-user",
    metavar="NAME",
    help="A second user (an admin or a lead) who confirms a statutory duty's withdrawal "
    "here and now with their own passphrase.",
)
@click.option(
    "--confirm-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the second user's passphrase from this file (else a hidden prompt).",
)
def duty_withdraw(
    session: Session,
    case_id: str,
    duty_id: str,
    reason: str,
    confirm_user: str | None,
    confirm_passphrase_file: Path | None,
) -> None:
    """Withdraw a duty that no longer applies, with the reason.

    A statutory duty (one the facts raise) takes two people. With --confirm-user, a
    second user (an admin or lead) confirms it there and then with their passphrase,
    and it is withdrawn. Without, this records the LA's request, the duty stays open
    (still owed), and the business office confirms it with `duty confirm-withdrawal` on
    the case the LA's bundle brought. A duty the facts no longer raise is withdrawn at
    once by one person.
    """
    confirmed_by = None
    if confirm_user:
        confirmed_by = (confirm_user, second_passphrase(confirm_user, confirm_passphrase_file))
    elif confirm_passphrase_file is not None:
        raise InvalidInput("--confirm-passphrase-file: give --confirm-user NAME too")
    event = session.withdraw(case_id, duty_id, reason, confirmed_by=confirmed_by)
    if event.type == "duty.withdrawal_requested":
        echo(
            f"Asked to withdraw {duty_id}: it stays open (still owed) until the business "
            "office confirms the withdrawal."
        )
    elif confirmed_by is not None:
        echo(f"Withdrew {duty_id}, confirmed by {confirmed_by[0]}.")
    else:
        echo(f"Withdrew {duty_id}.")


@duty.command("confirm-withdrawal")
@with_session()
@click.argument("case_id", metavar="CASE")
@click.argument("duty_id", metavar="DUTY")
def duty_confirm_withdrawal(session: Session, case_id: str, duty_id: str) -> None:
    """Office: confirm an LA's request to withdraw a statutory duty (the second person).

    Refused on an LA's vault, and when the one confirming is the one who asked.
    """
    session.confirm_withdrawal(case_id, duty_id)
    echo(f"Confirmed the withdrawal of {duty_id}.")


@duty.command("correct")
@with_session()
@click.argument("case_id", metavar="CASE")
@click.argument("duty_id", metavar="DUTY")
@click.option(
    "--undo",
    "part",
    required=True,
    metavar="sent|acknowledged|withdrawn",
    help="Which record to undo (withdrawn also cancels a pending request).",
)
@click.option("--reason", required=True, help="What was wrong with it (kept with the correction).")
def duty_correct(session: Session, case_id: str, duty_id: str, part: str, reason: str) -> None:
    """Undo a record made in error, with the reason: its own event, never an overwrite.

    The earlier record stays in the audit trail and in `case show`.
    """
    session.correct_duty(case_id, duty_id, part, reason)
    echo(f"Corrected {duty_id}: the {part} record is undone.")


def _require_verdict(params: Mapping[str, Any]) -> None:
    if params["notify"] is None:
        raise InvalidInput("give --notify or --no-notify")


# Checked once --rationale is parsed too, so a missing --rationale is reported first.
_verdict_given = checked_together(("notify", "rationale"), _require_verdict)


@click.command()
@with_session()
@click.argument("case_id", metavar="CASE")
@click.option(
    "--notify/--no-notify",
    default=None,
    callback=_verdict_given,
    help="Whether the threshold is met.",
)
@click.option(
    "--rationale",
    required=True,
    callback=_verdict_given,
    help="Why (recorded with the decision).",
)
@click.option(
    "--date",
    "decided_on",
    metavar="DATE",
    callback=day("--date", blank_is_none=True),
    help="Decision date (default today; 30/11/2026, 2026-11-30, yesterday...).",
)
def decide(
    session: Session, case_id: str, notify: bool, rationale: str, decided_on: date | None
) -> None:
    """Record the threshold decision: notify, or decide not to, with the rationale.

    The decision is about the serious-incident test: it closes only the Panel
    notification and the rapid review (CDOP, looked-after-child and care-leaver death
    notifications are owed whatever it says), is refused on a case with no Panel
    notification, and "do not notify" is refused once the Panel notification is sent.
    """
    session.decide(case_id, notify=notify, rationale=rationale, decided_on=decided_on)
    echo("Recorded the decision to " + ("notify." if notify else "not notify."))


@click.command()
@with_session(write=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (values and their words).")
def conflicts(session: Session, as_json: bool) -> None:
    """List fields holding two values from edits that did not see each other, numbered."""
    from notify_tui.views.conflicts import conflict_lines

    rows = session.conflicts()
    if as_json:
        emit_json(jsonable(rows))
        return
    if not rows:
        echo("No conflicts.")
    for index, row in enumerate(rows):
        if index:
            echo("")
        for line in conflict_lines(row, row.case_id):
            echo(line)


def _choice_number(ctx: click.Context, param: click.Parameter, raw: str | None) -> int | None:
    """--choose N: a whole number from 1, refused in one line before the vault opens."""
    if raw is None or ctx.resilient_parsing:
        return None
    text = raw.strip()
    if not text.isdigit() or int(text) < 1:
        raise InvalidInput(
            f"--choose {raw}: give the number of a value, 1 or more (see `notify-tui conflicts`)"
        )
    return int(text)


def _one_answer(params: Mapping[str, Any]) -> None:
    if (params["value"] is None) == (params["choose"] is None):
        raise InvalidInput("give VALUE or --choose N: exactly one of them")


_answer_given = checked_together(("value", "choose"), _one_answer)


def _choice_given(ctx: click.Context, param: click.Parameter, raw: str | None) -> int | None:
    number: int | None = _answer_given(ctx, param, _choice_number(ctx, param, raw))
    return number


@click.command()
@with_session()
@click.argument("case_id", metavar="CASE")
@click.argument("field_path", metavar="FIELD")
@click.argument("value", metavar="[VALUE]", required=False, callback=_answer_given)
@click.option(
    "--choose",
    metavar="N",
    callback=_choice_given,
    help="Keep the value numbered N in `notify-tui conflicts`.",
)
def resolve(
    session: Session, case_id: str, field_path: str, value: str | None, choose: int | None
) -> None:
    """Resolve a conflict on FIELD of CASE (recorded as a new event).

    Choose one of the values by its number with --choose N, or give VALUE (a fact may
    be set to any valid value; a duty record, decision or office step must be one of
    the values in conflict, as JSON).
    """
    from notify_tui.services.session import parse_value

    if choose is not None:
        session.resolve_choice(case_id, field_path, choose)
    else:
        assert value is not None  # _one_answer holds
        session.resolve(case_id, field_path, parse_value(value))
    echo(f"Resolved {field_path}.")


COMMANDS = (duty, decide, conflicts, resolve)
"""The commands this module adds to `notify-tui`."""
