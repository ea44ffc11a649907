"""Data protection: how long records are kept (`retention due|schedule|set`), legal
holds (`hold add|remove|list`), and subject access (`subject export`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from notify_tui.cli.common import NotifyGroup, echo, emit_json, with_session

if TYPE_CHECKING:
    from notify_tui.services.session import Session

TRIGGERS = ("case_closed", "date_of_birth", "date_of_death")
KINDS = ("serious_incident", "care_leaver_death", "child_death")


@click.group(cls=NotifyGroup)
def retention() -> None:
    """The retention schedule: how long each kind of case is kept, and what is due.

    Each kind of case is kept for a period from a trigger (the case closing, the
    child's date of birth, the date of death), under the council's own schedule
    reference. See docs/retention.md for the default schedule and its sources.
    """


@retention.command("due")
@with_session(write=False)
@click.option("--all", "every_case", is_flag=True, help="Every case, with its date or why none.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (no personal data).")
def retention_due(session: Session, every_case: bool, as_json: bool) -> None:
    """List the cases whose retention period has run (held ones marked HELD)."""
    items = session.retention.due(every_case=every_case)
    if as_json:
        emit_json([item.as_json() for item in items])
        return
    if not items:
        click.echo(
            "No case has reached the end of its retention period."
            if not every_case
            else "No cases."
        )
        return
    for item in items:
        mark = {"due": "DUE", "held": "HELD", "not_yet": "kept", "no_trigger": "kept"}
        click.echo(f"{item.case_id}  {mark[item.status]:<4}  {item.why}")


@retention.command("schedule")
@with_session(write=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def retention_schedule(session: Session, as_json: bool) -> None:
    """Show the schedule: each kind's trigger, period and reference."""
    schedule = session.retention.schedule()
    if as_json:
        emit_json({kind: rule.model_dump(mode="json") for kind, rule in schedule.items()})
        return
    for kind, rule in schedule.items():
        click.echo(f"{kind}: {rule.words()} ({rule.reference})")


@retention.command("set")
@with_session()
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--trigger", type=click.Choice(TRIGGERS), required=True, help="What it counts from.")
@click.option("--years", type=click.IntRange(1, 150), required=True, help="The period in years.")
@click.option("--reference", required=True, help="Your council's schedule reference.")
def retention_set(session: Session, kind: str, trigger: str, years: int, reference: str) -> None:
    """Set one kind's rule (admins only)."""
    rule = session.retention.set_rule(
        kind,
        trigger=trigger,  # type: ignore[arg-type]  # click.Choice checked it
        years=years,
        reference=reference,
    )
    click.echo(f"{kind}: {rule.words()} ({rule.reference})")


@click.group(cls=NotifyGroup)
def hold() -> None:
    """Legal holds: while a hold is in force, the cases it covers are not destroyed.

    A hold is on one case, or on everything (`--all`, an inquiry's moratorium). Placing
    and lifting a hold are signed entries in the audit trail, with the reason and who
    did it, and they travel to the partnership's peers like any event.
    """


def _scope(case_id: str | None, everything: bool) -> str | None:
    if bool(case_id) == everything:
        raise click.UsageError("give a case id or --all (not both)")
    return case_id


@hold.command("add")
@with_session()
@click.argument("case_id", metavar="CASE", required=False)
@click.option("--all", "everything", is_flag=True, help="Hold everything (a moratorium).")
@click.option("--reason", required=True, help="The inquiry or order, and its reference.")
def hold_add(session: Session, case_id: str | None, everything: bool, reason: str) -> None:
    """Place a legal hold on a case, or on everything."""
    placed = session.retention.place(_scope(case_id, everything), reason)
    click.echo(f"Placed: {placed.words()}.")


@hold.command("remove")
@with_session()
@click.argument("case_id", metavar="CASE", required=False)
@click.option("--all", "everything", is_flag=True, help="Lift the hold on everything.")
@click.option("--reason", required=True, help="Why the hold ends (the order that ends it).")
def hold_remove(session: Session, case_id: str | None, everything: bool, reason: str) -> None:
    """Lift this organisation's hold on a case, or on everything (recorded, not deleted)."""
    lifted = session.retention.lift(_scope(case_id, everything), reason)
    hold = lifted.hold
    what = "everything" if hold.case_id is None else hold.case_id
    click.echo(f"Lifted the hold on {what} placed by {hold.placed_by} ({hold.org}).")
    if lifted.erased:
        click.echo(
            "Erased now, as their erasure certificates asked once no hold kept them: "
            + ", ".join(lifted.erased)
        )


@hold.command("list")
@with_session(write=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def hold_list(session: Session, as_json: bool) -> None:
    """List the holds in force, the oldest first."""
    from notify_tui.services.retention import hold_json

    holds = session.retention.in_force()
    if as_json:
        emit_json([hold_json(h) for h in holds])
        return
    if not holds:
        click.echo("No holds in force.")
        return
    for placed in holds:
        click.echo(placed.words())


@click.group(cls=NotifyGroup)
def subject() -> None:
    """Subject access requests: everything held about one person, for the data
    protection officer, with the third parties to redact."""


@subject.command("export")
@with_session()
@click.option("--nhs", metavar="NUMBER", help="The person's NHS number.")
@click.option("--name", metavar="NAME", help="The person's full name, as the case records it.")
@click.option(
    "--to", "destination", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="The new ZIP file to write (never overwritten).",
)  # fmt: skip
@click.option(
    "--plain", is_flag=True,
    help="Write the ZIP unencrypted (it holds a child's records in the clear).",
)  # fmt: skip
def subject_export(
    session: Session, nhs: str | None, name: str | None, destination: Path, plain: bool
) -> None:
    """Export the cases that hold a person, their audit trails and the third parties
    they name, as an encrypted ZIP (AES-256; 7-Zip and WinZip open it). Admins only;
    each case exported is recorded in its access log."""
    written = session.subject_access.export(nhs=nhs, name=name, to=destination, plain=plain)
    cases = len(written.cases)
    echo(
        f"Wrote {written.path}: {cases} case{'' if cases == 1 else 's'} "
        f"({', '.join(written.cases)}), {written.third_parties} third-party entries to review "
        "before disclosure."
    )
    if written.password is None:
        echo(
            f"warning: {written.path} is NOT encrypted: it holds a child's records in the clear. "
            "Move it only to where the data protection officer alone can read it, and delete "
            "it when done.",
            err=True,
        )
    else:
        echo(
            f"Password (shown once; give it to the data protection officer apart from the "
            f"file): {written.password}"
        )


COMMANDS = (retention, hold, subject)
"""The commands this module adds to `notify-tui`."""
