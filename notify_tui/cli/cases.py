"""`notify-tui case add|list|show|edit|erase`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from notify_tui.cli.common import (
    NotifyGroup,
    describe_left,
    echo,
    echo_lines,
    emit_json,
    json_document,
    jsonable,
    second_passphrase,
    with_session,
)
from notify_tui.errors import InvalidInput

if TYPE_CHECKING:
    from notify_tui.services.erasure import ErasureView
    from notify_tui.services.session import Session


@click.group(cls=NotifyGroup)
def case() -> None:
    """Add, list, show, edit and erase cases."""


@case.command("add")
@with_session()
@click.argument("document", metavar="FILE|-", callback=json_document)
def case_add(session: Session, document: Any) -> None:
    """Add a case from a JSON case document; print its id.

    Accepts the full case document (schemas/case.schema.json) or the minimal one:
    kind, subjects, facts (the facts document of `check`) and case_outline.
    """
    echo(session.create_case(document))


@case.command("list")
@with_session(write=lambda params: bool(params.get("full_names")))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--overdue", is_flag=True, help="Only cases with an overdue duty.")
@click.option(
    "--due-within", type=int, metavar="N", help="Only cases with a duty due within N working days."
)
@click.option("--kind", help="serious_incident, care_leaver_death or child_death.")
@click.option("--search", metavar="WORDS", help="Search names and outlines.")
@click.option("--full-names", is_flag=True, help="Show full names instead of initials.")
def case_list(
    session: Session,
    as_json: bool,
    overdue: bool,
    due_within: int | None,
    kind: str | None,
    search: str | None,
    full_names: bool,
) -> None:
    """List cases, soonest deadline first."""
    rows = session.list_cases(
        overdue=overdue, due_within=due_within, kind=kind, search=search, full_names=full_names
    )
    if as_json:
        documents = jsonable(rows)
        if not full_names:
            for document in documents:
                document.pop("names")
        emit_json(documents)
        return
    if not rows:
        echo("No cases match.")
        return
    from notify_tui.views.conflicts import conflict_marker

    lines = [f"{'CASE':<12} {'KIND':<18} {'SUBJECT':<20} {'NEXT DUE':<11} {'STATUS':<24} OPEN"]
    for row in rows:
        left = row.working_days_left
        status = row.urgency if left is None else f"{row.urgency} ({describe_left(left)})"
        if row.open_duties == 0:
            status = "done"
        subject = row.names if full_names else row.initials
        marker = conflict_marker(len(row.conflicts))
        lines.append(
            f"{row.id:<12} {row.kind or '?':<18} {subject[:20]:<20} "
            f"{row.next_due or '-':<11} {status[:40]:<24} {row.open_duties}"
            + (f"  {marker}" if marker else "")
        )
    echo_lines(lines)


@case.command("show")
@with_session()
@click.argument("case_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def case_show(session: Session, case_id: str, as_json: bool) -> None:
    """Show a case: facts, duties with due dates and status, and the audit trail.

    Showing a case is recorded in the access log (`notify-tui audit --case ID`), so it opens
    the vault for writing: it waits for no other notify-tui to hold the vault."""
    from notify_tui.services.retention import hold_json
    from notify_tui.views.conflicts import numbered_values
    from notify_tui.views.duty_record import decision_line, record_lines, sent_flags
    from notify_tui.views.office import step_rows
    from notify_tui.views.sync import received_lines

    erased = session.erasure.erased(case_id)
    if erased is not None and erased.kept_under is None:
        _show_erased(session, erased, as_json)
        return
    detail = session.open_case(case_id)
    receipts = session.sync.receipt_for(case_id)
    holds = session.retention.holds_on(case_id)
    if as_json:
        emit_json(
            {
                **jsonable(detail),
                "receipts": jsonable(receipts),
                "holds": [hold_json(hold) for hold in holds],
                "erasure": None if erased is None else erased.as_json(),
            }
        )
        return
    received = received_lines(receipts)
    document = detail.document
    echo(f"Case {detail.id} ({detail.kind}) — {detail.org}")
    for index, subject in enumerate(document.get("subjects", []), start=1):
        born = subject.get("date_of_birth") or ("unborn" if subject.get("unborn") else "?")
        echo(
            f"  Subject {index}: {subject.get('given_names')} {subject.get('family_name')}"
            f" (born {born}, sex {subject.get('sex', 'U')})"
        )
    incident = document.get("incident", {})
    echo(
        f"  Outcome: {incident.get('outcome')} on {incident.get('event_date')}; "
        f"LA aware {incident.get('aware_date')}; location {incident.get('location')}; "
        f"abuse or neglect {incident.get('abuse_or_neglect')}"
    )
    echo(f"  {decision_line(document.get('decision'), detail.duties)}")
    if detail.problem:
        echo(f"  Problem: {detail.problem}")
    for hold in holds:
        echo(f"  Legal hold: {hold.words()}")
    if erased is not None:
        echo(
            f"  Erasure: {erased.org} {erased.words()}; kept whole here while the hold "
            "stands, and erased when it is lifted"
        )
    echo("")
    echo("Duties")
    for duty in detail.duties:
        line = f"  {duty.duty:<32} {duty.status:<13}"
        if duty.status == "open":
            due = duty.due or "not yet known"
            left = duty.working_days_left
            line += f" due {due}" + (f" ({describe_left(left)})" if left is not None else "")
        elif duty.sent_on:
            line += f" sent {duty.sent_on}" + (f" ref {duty.reference}" if duty.reference else "")
            flags = sent_flags(duty)
            line += f" · {flags}" if flags else ""
        if duty.whose and len(document.get("subjects") or []) > 1:
            line += f" · for {duty.whose}"
        echo(line)
        for receipt in received.get(duty.duty, []):
            echo(f"  {'':<32} {receipt}")
        for text in record_lines(duty):
            echo(f"  {'':<32} {text}")
    for advisory in detail.advisories:
        echo(f"  Note: {advisory}")
    steps = [row for row in step_rows(detail) if row.recorded]
    if steps:
        echo("")
        echo("Office steps")
        for row in steps:
            echo(f"  {row.label:<40} {row.shown}")
    if detail.conflicts:
        echo("")
        echo(f"Conflicts (resolve with `notify-tui resolve {detail.id} FIELD --choose N`)")
        for conflict in detail.conflicts:
            echo(f"  {conflict.label} ({conflict.field})")
            echo(f"    {conflict.question}")
            echo(f"    {numbered_values(conflict)}")
    echo("")
    echo("Audit trail")
    for entry in detail.audit:
        echo(f"  {entry.at[:19]}  {entry.summary} (device {entry.device})")


def parse_assignments(
    ctx: click.Context, param: click.Parameter, assignments: tuple[str, ...]
) -> Mapping[str, Any]:
    """The --set FIELD=VALUE options as {field: value}, refused before the vault opens."""
    from notify_tui.services.session import parse_value

    values: dict[str, Any] = {}
    for number, assignment in enumerate(assignments, start=1):
        name, sep, raw = assignment.partition("=")
        if not sep or not name.strip():
            # Never echo the argument: it may be a name or an outline typed without "=".
            raise InvalidInput(f"--set (number {number}): write FIELD=VALUE")
        values[name.strip()] = parse_value(raw)
    return values


def _show_erased(session: Session, view: ErasureView, as_json: bool) -> None:
    """An erased case: what its certificate says, who confirmed, and the audit trail
    that is left (who did what kind of step, when; never what)."""
    trail = session.erasure.trail(view.case_id)
    if as_json:
        emit_json(
            {
                **view.as_json(),
                "audit": [
                    {"at": at.isoformat(), "author": author, "type": kind, "erased": gone}
                    for at, author, kind, gone in trail
                ],
            }
        )
        return
    record = view.record
    echo(f"Case {view.case_id} — {view.org}: {view.words()}")
    echo(f"  Ground: {view.ground_words()}")
    echo(f"  Reason: {record.reason}")
    echo(f"  Erased by {record.by}, confirmed by {record.confirmed_by}")
    echo(f"  Certificate: {view.certificate}")
    echo(f"  Events erased where it was written: {record.events}, each listed by digest")
    echo(f"  Held here as erased: {view.erased_here} event(s), with no content")
    if view.confirmations:
        for peer in view.confirmations:
            when = f" (receipt of {peer.received_at[:10]})" if peer.received_at else ""
            echo(f"  Erased at {peer.org} ({peer.role}, {peer.device}) too{when}")
    else:
        echo("  No peer's receipt shows the certificate yet: export a bundle to them")
    echo("Audit trail (what remains: when, who, what kind of step):")
    for at, author, kind, gone in trail:
        echo(f"  {at:%Y-%m-%d %H:%M} {author}: {kind}{' (erased)' if gone else ''}")


@case.command("erase")
@with_session()
@click.argument("case_id", metavar="ID")
@click.option(
    "--reason",
    required=True,
    help="Why it may be destroyed (the schedule's line, or how the duplicate came about); "
    "never what the case held.",
)
@click.option(
    "--confirm-user",
    metavar="NAME",
    required=True,
    help="The second person (an admin if you are a lead, a lead or an admin if you are "
    "an admin), who confirms here and now with their own passphrase.",
)
@click.option(
    "--confirm-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the second person's passphrase from this file (else a hidden prompt).",
)
@click.option(
    "--duplicate-of",
    metavar="CASE",
    help="Erase it as a duplicate of CASE (the case kept), whatever its retention date.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the certificate as JSON.")
def case_erase(
    session: Session,
    case_id: str,
    reason: str,
    confirm_user: str,
    confirm_passphrase_file: Path | None,
    duplicate_of: str | None,
    as_json: bool,
) -> None:
    """Erase a case whose retention period has run, or a duplicate: two people.

    Writes a signed erasure certificate (what was erased, on which ground, why, who,
    when; no content) and keeps each of the case's events with no content, so every
    chain and signature still verifies. The business office erases its copy when the
    certificate reaches it. Refused while a legal hold is in force on the case.
    Backups made before today still hold the case until they are deleted.
    """
    passphrase = second_passphrase(confirm_user, confirm_passphrase_file)
    view = session.erasure.erase(
        case_id,
        reason=reason,
        confirm_user=confirm_user,
        confirm_passphrase=passphrase,
        duplicate_of=duplicate_of,
    )
    if as_json:
        emit_json(view.as_json())
        return
    echo(f"Case {case_id} {view.words()}: {view.ground_words()}.")
    echo(
        f"{view.erased_here} event(s) kept with no content; the certificate goes to the "
        "business office with the next bundle, and its copy is erased when it arrives."
    )
    echo("Backups (.ntbackup) made before now still hold the case until they are deleted.")
    if not view.scrubbed:
        echo(
            "Another program reading the vault kept its log from being emptied: close it "
            f"and run `notify-tui case erase {case_id}` again to finish."
        )


@case.command("edit")
@with_session()
@click.argument("case_id", metavar="ID")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    required=True,
    callback=parse_assignments,
    help="A field to change, e.g. incident.aware_date=2026-11-20 (repeatable).",
)
def case_edit(session: Session, case_id: str, assignments: Mapping[str, Any]) -> None:
    """Change fields of a case (each change is recorded in the audit trail)."""
    event = session.edit_case(case_id, assignments)
    echo("No change." if event is None else f"Recorded {len(event.changes)} change(s).")


COMMANDS = (case,)
"""The commands this module adds to `notify-tui`."""
