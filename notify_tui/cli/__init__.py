"""The `notify-tui` command line.

Bare `notify-tui` opens the terminal app; headless subcommands sit beside it. Every
refusal is one line on stderr with exit status 2. Unexpected failures print the
exception type only (never its message, which could hold case data) unless
`NOTIFY_TUI_DEBUG=1` is set.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from notify_tui.clock import system_clock
from notify_tui.errors import InvalidInput, NotifyError
from notify_tui.settings import PASSPHRASE_VARIABLE, resolve_home

if TYPE_CHECKING:
    from notify_tui.services.session import Session

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A one-line refusal: exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class NotifyGroup(click.Group):
    """A group that turns `NotifyError` into a one-line `UserError`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NotifyError as error:
            raise UserError(error.message) from None


def read_json_document(source: str) -> Any:
    """Read a JSON document from a path or `-` (stdin), with one-line errors."""
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
    except FileNotFoundError:
        raise InvalidInput(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{source}: cannot read ({type(error).__name__})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{source}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except RecursionError:
        raise InvalidInput(
            f"{source}: JSON nested too deeply to be a notify-tui document"
        ) from None


def emit_json(value: Any) -> None:
    """Print a JSON document to stdout."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=_as_json))


def _as_json(value: Any) -> Any:
    """The Session's dataclasses as their JSON documents; anything else as text."""
    as_json = getattr(value, "as_json", None)
    return as_json() if callable(as_json) else str(value)


@click.group(cls=NotifyGroup, invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="notify-tui", message="notify-tui %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Log statutory safeguarding cases and notify the right bodies on time.

    Run without a command to open the terminal app.
    """
    if ctx.invoked_subcommand is None:
        from notify_tui.cli.tui import run_tui

        run_tui()


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("source", metavar="FILE|-")
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
@click.option(
    "--setting",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a rule pack setting, e.g. rapid_review_start=aware_date.",
)
@click.option(
    "--closure",
    "closures",
    multiple=True,
    metavar="YYYY-MM-DD",
    help="A local closure day that is not a working day (repeatable).",
)
def check(source: str, as_json: bool, settings: tuple[str, ...], closures: tuple[str, ...]) -> None:
    """Assess a facts document and print the duties it raises.

    FILE is a JSON facts document (see docs/facts.md), or - for standard input.
    """
    from notify_tui.domain.calendar import WorkingDayCalendar
    from notify_tui.domain.models import validate_facts
    from notify_tui.domain.rules import assess

    today = system_clock().today()
    facts = validate_facts(read_json_document(source), today)
    calendar = WorkingDayCalendar(parse_dates(closures, "--closure"))
    assessment = assess(facts, calendar, settings=parse_settings(settings))
    if as_json:
        emit_json(assessment.model_dump(mode="json"))
        return
    click.echo(f"Rule pack {assessment.rulepack}")
    if not assessment.duties:
        click.echo("No statutory notification duty arises from these facts.")
    for duty in assessment.duties:
        click.echo("")
        click.echo(f"{duty.id}: {duty.title}")
        if duty.due is None:
            click.echo(f"  due:        not yet known ({duty.deadline})")
        else:
            left = calendar.working_days_left(today, duty.due)
            click.echo(
                f"  due:        {duty.due:%a %d %b %Y} ({duty.deadline}); {describe_left(left)}"
            )
        for recipient in duty.recipients:
            click.echo(f"  notify:     {recipient}")
        for reason in duty.reasons:
            click.echo(f"  because:    {reason}")
    for advisory in assessment.advisories:
        click.echo("")
        click.echo(f"Note: {advisory}")


# -- vault commands ----------------------------------------------------------------


def vault_options(command: F) -> F:
    """Add --home and --passphrase-file to a command that opens the vault."""
    command = click.option(
        "--passphrase-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Read the passphrase from the first line of this file.",
    )(command)
    command = click.option(
        "--home",
        type=click.Path(file_okay=False, path_type=Path),
        help="The vault folder (default: $NOTIFY_TUI_HOME, else the user data folder).",
    )(command)
    return command


def read_passphrase(passphrase_file: Path | None, *, prompt: str = "Passphrase") -> str:
    """The passphrase: NOTIFY_TUI_PASSPHRASE, else --passphrase-file, else a hidden prompt."""
    from_env = os.environ.get(PASSPHRASE_VARIABLE)
    if from_env:
        return from_env
    if passphrase_file is not None:
        try:
            with open(passphrase_file, encoding="utf-8") as handle:
                return handle.readline().rstrip("\r\n")
        except OSError as error:
            raise InvalidInput(
                f"--passphrase-file {passphrase_file}: cannot read ({type(error).__name__})"
            ) from None
    if not sys.stdin.isatty():
        raise InvalidInput(
            f"no passphrase: set {PASSPHRASE_VARIABLE}, pass --passphrase-file, "
            "or run in a terminal"
        )
    value: str = click.prompt(prompt, hide_input=True, err=True)
    return value


def new_passphrase(passphrase_file: Path | None, *, label: str = "New passphrase") -> str:
    """A new passphrase, typed twice when prompted."""
    if os.environ.get(PASSPHRASE_VARIABLE) or passphrase_file is not None:
        return read_passphrase(passphrase_file)
    if not sys.stdin.isatty():
        raise InvalidInput("no new passphrase: pass --new-passphrase-file or run in a terminal")
    first: str = click.prompt(label, hide_input=True, err=True)
    second: str = click.prompt(f"{label} (again)", hide_input=True, err=True)
    if first != second:
        raise InvalidInput("the two passphrases differ; nothing was changed")
    return first


def open_session(home: Path | None, passphrase_file: Path | None, *, write: bool) -> Session:
    """Unlock the vault for one command."""
    from notify_tui.services.session import Session

    path = resolve_home(home)
    from notify_tui.store.vault import vault_exists

    if not vault_exists(path):
        raise InvalidInput(f"no vault in {path}: run `notify-tui init` first, or pass --home")
    return Session.unlock(path, passphrase=read_passphrase(passphrase_file), write=write)


@cli.command(context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option("--la", "la_name", metavar="NAME", help="This local authority's name.")
@click.option("--name", "office_name", metavar="NAME", help="The organisation's name (office).")
@click.option(
    "--role",
    type=click.Choice(["la", "office"]),
    default="la",
    show_default=True,
    help="An LA workstation, or the partnership business office.",
)
@click.option("--user", "author", metavar="NAME", help="Your name, recorded on every change.")
def init(
    home: Path | None,
    passphrase_file: Path | None,
    la_name: str | None,
    office_name: str | None,
    role: str,
    author: str | None,
) -> None:
    """Create a new encrypted vault and this device's identity.

    Prints the recovery code once: write it down and keep it somewhere safe.
    """
    import getpass

    from notify_tui.services.session import Session

    if la_name and office_name:
        raise InvalidInput("give --la NAME or --name NAME, not both")
    org = la_name or office_name
    if not org:
        raise InvalidInput("give the organisation: --la NAME (an LA) or --name NAME (an office)")
    path = resolve_home(home)
    from notify_tui.store.vault import vault_exists

    if vault_exists(path):
        raise InvalidInput(f"a vault already exists in {path}; nothing was changed")
    passphrase = new_passphrase(passphrase_file, label="Passphrase")
    session, recovery = Session.init(
        path,
        passphrase,
        org=org,
        role="office" if role == "office" else "la",
        author=author or getpass.getuser(),
    )
    with session:
        identity = session.identity
    click.echo(f"Created the vault in {path} for {identity.org} ({identity.role}).")
    click.echo(f"Device id: {identity.device_id}")
    click.echo("")
    click.echo("Recovery code (shown once; write it down and keep it apart from this computer):")
    click.echo(f"    {recovery}")


@cli.group(cls=NotifyGroup, context_settings=CONTEXT_SETTINGS)
def case() -> None:
    """Add, list, show and edit cases."""


@case.command("add", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument("source", metavar="FILE|-")
def case_add(home: Path | None, passphrase_file: Path | None, source: str) -> None:
    """Add a case from a JSON case document; print its id.

    Accepts the full case document (schemas/case.schema.json) or the minimal one:
    kind, subjects, facts (the facts document of `check`) and case_outline.
    """
    document = read_json_document(source)
    with open_session(home, passphrase_file, write=True) as session:
        click.echo(session.create_case(document))


@case.command("list", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--overdue", is_flag=True, help="Only cases with an overdue duty.")
@click.option(
    "--due-within", type=int, metavar="N", help="Only cases with a duty due within N working days."
)
@click.option("--kind", help="serious_incident, care_leaver_death or child_death.")
@click.option("--search", metavar="WORDS", help="Search names and outlines.")
@click.option("--full-names", is_flag=True, help="Show full names instead of initials.")
def case_list(
    home: Path | None,
    passphrase_file: Path | None,
    as_json: bool,
    overdue: bool,
    due_within: int | None,
    kind: str | None,
    search: str | None,
    full_names: bool,
) -> None:
    """List cases, soonest deadline first."""
    with open_session(home, passphrase_file, write=False) as session:
        rows = session.list_cases(overdue=overdue, due_within=due_within, kind=kind, search=search)
    if as_json:
        hidden = set() if full_names else {"names"}
        emit_json([{k: v for k, v in row.as_json().items() if k not in hidden} for row in rows])
        return
    if not rows:
        click.echo("No cases match.")
        return
    click.echo(f"{'CASE':<12} {'KIND':<18} {'SUBJECT':<20} {'NEXT DUE':<11} {'STATUS':<24} OPEN")
    for row in rows:
        left = row["working_days_left"]
        status = row["urgency"] if left is None else f"{row['urgency']} ({describe_left(left)})"
        if row["open_duties"] == 0:
            status = "done"
        subject = row["names"] if full_names else row["initials"]
        click.echo(
            f"{row['id']:<12} {row['kind'] or '?':<18} {subject[:20]:<20} "
            f"{row['next_due'] or '-':<11} {status[:40]:<24} {row['open_duties']}"
        )


@case.command("show", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument("case_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def case_show(home: Path | None, passphrase_file: Path | None, case_id: str, as_json: bool) -> None:
    """Show a case: facts, duties with due dates and status, and the audit trail."""
    from notify_tui.views.sync import received_lines

    with open_session(home, passphrase_file, write=False) as session:
        detail = session.case_detail(case_id)
        receipts = session.sync.receipt_for(case_id)
    if as_json:
        emit_json({**detail, "receipts": receipts})
        return
    received = received_lines(receipts)
    document = detail["document"]
    click.echo(f"Case {detail['id']} ({detail['kind']}) — {detail['org']}")
    for index, subject in enumerate(document.get("subjects", []), start=1):
        born = subject.get("date_of_birth") or ("unborn" if subject.get("unborn") else "?")
        click.echo(
            f"  Subject {index}: {subject.get('given_names')} {subject.get('family_name')}"
            f" (born {born}, sex {subject.get('sex', 'U')})"
        )
    incident = document.get("incident", {})
    click.echo(
        f"  Outcome: {incident.get('outcome')} on {incident.get('event_date')}; "
        f"LA aware {incident.get('aware_date')}; location {incident.get('location')}; "
        f"abuse or neglect {incident.get('abuse_or_neglect')}"
    )
    decision = document.get("decision")
    if decision:
        verdict = "notify" if decision.get("notify") else "NOT notify"
        click.echo(
            f"  Decision: {verdict} ({decision.get('decided_on')}): {decision.get('rationale')}"
        )
    if detail["problem"]:
        click.echo(f"  Problem: {detail['problem']}")
    click.echo("")
    click.echo("Duties")
    for duty in detail["duties"]:
        line = f"  {duty['duty']:<32} {duty['status']:<13}"
        if duty["status"] == "open":
            due = duty["due"] or "not yet known"
            left = duty["working_days_left"]
            line += f" due {due}" + (f" ({describe_left(left)})" if left is not None else "")
        elif duty["sent_on"]:
            line += f" sent {duty['sent_on']}" + (
                f" ref {duty['reference']}" if duty["reference"] else ""
            )
        click.echo(line)
        for receipt in received.get(duty["duty"], []):
            click.echo(f"  {'':<32} {receipt}")
    for advisory in detail["advisories"]:
        click.echo(f"  Note: {advisory}")
    if detail["conflicts"]:
        click.echo("")
        click.echo("Conflicts (resolve with `notify-tui resolve CASE FIELD VALUE`)")
        for conflict in detail["conflicts"]:
            values = " | ".join(
                f"{json.dumps(v['value'])} by {v['by']} ({v['device']})" for v in conflict["values"]
            )
            click.echo(f"  {conflict['field']}: {values}")
    click.echo("")
    click.echo("Audit trail")
    for entry in detail["audit"]:
        click.echo(
            f"  {entry['at'][:19]}  {entry['author']} on {entry['device']}: {entry['summary']}"
        )


@case.command("edit", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument("case_id", metavar="ID")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    required=True,
    help="A field to change, e.g. incident.aware_date=2026-11-20 (repeatable).",
)
def case_edit(
    home: Path | None, passphrase_file: Path | None, case_id: str, assignments: tuple[str, ...]
) -> None:
    """Change fields of a case (each change is recorded in the audit trail)."""
    from notify_tui.services.session import parse_value

    values: dict[str, Any] = {}
    for number, assignment in enumerate(assignments, start=1):
        name, sep, raw = assignment.partition("=")
        if not sep or not name.strip():
            # Never echo the argument: it may be a name or an outline typed without "=".
            raise InvalidInput(f"--set (number {number}): write FIELD=VALUE")
        values[name.strip()] = parse_value(raw)
    with open_session(home, passphrase_file, write=True) as session:
        event = session.edit_case(case_id, values)
    click.echo("No change." if event is None else f"Recorded {len(event.changes)} change(s).")


@cli.group(cls=NotifyGroup, context_settings=CONTEXT_SETTINGS)
def duty() -> None:
    """Record what happened to a duty: sent, acknowledged, withdrawn."""


def _date_option(value: str, option: str = "--date") -> Any:
    return parse_dates((value,), option)[0]


@duty.command("sent", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument("case_id", metavar="CASE")
@click.argument("duty_id", metavar="DUTY")
@click.option("--date", "sent_on", required=True, metavar="YYYY-MM-DD", help="When it was sent.")
@click.option("--reference", metavar="REF", help="The reference the recipient gave.")
def duty_sent(
    home: Path | None,
    passphrase_file: Path | None,
    case_id: str,
    duty_id: str,
    sent_on: str,
    reference: str | None,
) -> None:
    """Record that a duty's notification was sent."""
    when = _date_option(sent_on)
    with open_session(home, passphrase_file, write=True) as session:
        session.mark_sent(case_id, duty_id, when, reference)
    click.echo(f"Recorded {duty_id} sent on {when.isoformat()}.")


@duty.command("ack", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument("case_id", metavar="CASE")
@click.argument("duty_id", metavar="DUTY")
@click.option(
    "--date", "when", required=True, metavar="YYYY-MM-DD", help="When it was acknowledged."
)
def duty_ack(
    home: Path | None, passphrase_file: Path | None, case_id: str, duty_id: str, when: str
) -> None:
    """Record that the recipient acknowledged the notification."""
    day = _date_option(when)
    with open_session(home, passphrase_file, write=True) as session:
        session.acknowledge(case_id, duty_id, day)
    click.echo(f"Recorded {duty_id} acknowledged on {day.isoformat()}.")


@duty.command("withdraw", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument("case_id", metavar="CASE")
@click.argument("duty_id", metavar="DUTY")
@click.option("--reason", required=True, help="Why the duty no longer applies.")
def duty_withdraw(
    home: Path | None, passphrase_file: Path | None, case_id: str, duty_id: str, reason: str
) -> None:
    """Withdraw a duty that no longer applies, with the reason."""
    with open_session(home, passphrase_file, write=True) as session:
        session.withdraw(case_id, duty_id, reason)
    click.echo(f"Withdrew {duty_id}.")


@cli.command(context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument("case_id", metavar="CASE")
@click.option("--notify/--no-notify", default=None, help="Whether the threshold is met.")
@click.option("--rationale", required=True, help="Why (recorded with the decision).")
@click.option("--date", "decided_on", metavar="YYYY-MM-DD", help="Decision date (default today).")
def decide(
    home: Path | None,
    passphrase_file: Path | None,
    case_id: str,
    notify: bool | None,
    rationale: str,
    decided_on: str | None,
) -> None:
    """Record the threshold decision: notify, or decide not to, with the rationale."""
    if notify is None:
        raise InvalidInput("give --notify or --no-notify")
    day = _date_option(decided_on) if decided_on else None
    with open_session(home, passphrase_file, write=True) as session:
        session.decide(case_id, notify=notify, rationale=rationale, decided_on=day)
    click.echo("Recorded the decision to " + ("notify." if notify else "not notify."))


@cli.command(context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON (same as --format json).")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json", "md"]),
    default="text",
    show_default=True,
    help="md: a plain digest for mail (case ids and duties only, no names).",
)
@click.option(
    "--within",
    default=2,
    show_default=True,
    metavar="N",
    help="Also list duties due within N working days.",
)
def deadlines(
    home: Path | None, passphrase_file: Path | None, as_json: bool, output: str, within: int
) -> None:
    """What is due or overdue across all cases (for a daily scheduled job)."""
    if within < 0:
        raise InvalidInput("--within: give a number of working days, 0 or more")
    with open_session(home, passphrase_file, write=False) as session:
        rows = session.deadlines(within=within)
        today = session.today()
    if as_json or output == "json":
        emit_json(rows)
        return
    if output == "md":
        from notify_tui.cli.office import deadlines_markdown

        click.echo(deadlines_markdown(rows, today))
        return
    if not rows:
        click.echo("Nothing due or overdue.")
        return
    for row in rows:
        click.echo(
            f"{row['case_id']:<12} {row['duty']:<32} due {row['due']}  "
            f"{describe_left(row['working_days_left'])}"
        )


@cli.command(context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the new passphrase from this file.",
)
def passwd(
    home: Path | None, passphrase_file: Path | None, new_passphrase_file: Path | None
) -> None:
    """Change the passphrase (the data is not rewritten; the recovery code still works)."""
    path = resolve_home(home)
    old = read_passphrase(passphrase_file, prompt="Current passphrase")
    new = read_passphrase_file(new_passphrase_file) if new_passphrase_file else new_passphrase(None)
    from notify_tui.services.session import Session

    with Session.unlock(path, passphrase=old, write=True) as session:
        session.change_passphrase(old, new)
    click.echo("Passphrase changed. The old passphrase no longer opens the vault.")


def read_passphrase_file(path: Path) -> str:
    """The first line of a passphrase file."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.readline().rstrip("\r\n")
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read ({type(error).__name__})") from None


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), help="The vault folder.")
@click.option(
    "--code-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the recovery code from this file.",
)
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the new passphrase from this file.",
)
def recover(home: Path | None, code_file: Path | None, new_passphrase_file: Path | None) -> None:
    """Set a new passphrase with the recovery code; a new recovery code replaces the old."""
    from notify_tui.services.session import Session

    path = resolve_home(home)
    if code_file:
        code = read_passphrase_file(code_file)
    elif sys.stdin.isatty():
        code = click.prompt("Recovery code", hide_input=True, err=True)
    else:
        raise InvalidInput("no recovery code: pass --code-file or run in a terminal")
    new = read_passphrase_file(new_passphrase_file) if new_passphrase_file else new_passphrase(None)
    with Session.unlock(path, recovery_code=code, write=True) as session:
        fresh = session.set_passphrase_after_recovery(new)
    click.echo("Passphrase set. The old recovery code no longer works; the new one is:")
    click.echo(f"    {fresh}")


@cli.command(context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option(
    "--to",
    "destination",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to write (must not exist).",
)
def backup(home: Path | None, passphrase_file: Path | None, destination: Path) -> None:
    """Write an encrypted copy of the vault (opens with the same passphrase)."""
    with open_session(home, passphrase_file, write=False) as session:
        written = session.backup(destination)
    click.echo(str(written))


@cli.command(context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def doctor(home: Path | None, passphrase_file: Path | None, as_json: bool) -> None:
    """Check database integrity, every hash chain and signature, and the projection."""
    with open_session(home, passphrase_file, write=False) as session:
        report = session.doctor()
    if as_json:
        emit_json({"ok": report.ok, "checks": report.checks, "problems": report.problems})
    else:
        for check_name in report.checks:
            click.echo(f"checked: {check_name}")
        for problem in report.problems:
            click.echo(f"PROBLEM: {problem}")
    if not report.ok:
        raise UserError(f"{len(report.problems)} problem(s) found; first: {report.problems[0]}")


@cli.command(context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option("--cases", "count", required=True, type=int, metavar="N", help="How many cases.")
@click.option("--seed", "random_seed", type=int, help="Random seed (repeatable output).")
def seed(
    home: Path | None, passphrase_file: Path | None, count: int, random_seed: int | None
) -> None:
    """Add N synthetic, obviously fake cases (for demos and benchmarks)."""
    from notify_tui.demo.vault import seed_synthetic

    with open_session(home, passphrase_file, write=True) as session:
        ids = seed_synthetic(session, count, seed=random_seed)
    click.echo(f"Added {len(ids)} synthetic cases.")


@cli.command(context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def conflicts(home: Path | None, passphrase_file: Path | None, as_json: bool) -> None:
    """List fields holding two values from edits that did not see each other."""
    with open_session(home, passphrase_file, write=False) as session:
        rows = session.conflicts()
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No conflicts.")
    for row in rows:
        values = " | ".join(f"{json.dumps(v['value'])} by {v['by']}" for v in row["values"])
        click.echo(f"{row['case_id']:<12} {row['field']}: {values}")


@cli.command(context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument("case_id", metavar="CASE")
@click.argument("field_path", metavar="FIELD")
@click.argument("value", metavar="VALUE")
def resolve(
    home: Path | None, passphrase_file: Path | None, case_id: str, field_path: str, value: str
) -> None:
    """Resolve a conflict on FIELD of CASE with VALUE (recorded as a new event)."""
    from notify_tui.services.session import parse_value

    with open_session(home, passphrase_file, write=True) as session:
        session.resolve(case_id, field_path, parse_value(value))
    click.echo(f"Resolved {field_path}.")


def describe_left(left: int) -> str:
    """Working days left, in words that do not rely on colour."""
    if left < 0:
        return f"OVERDUE by {-left} working day{'s' if left != -1 else ''}"
    if left == 0:
        return "DUE TODAY"
    return f"{left} working day{'s' if left != 1 else ''} left"


def parse_dates(values: tuple[str, ...], option: str) -> list[Any]:
    """Parse YYYY-MM-DD option values."""
    from datetime import date

    parsed = []
    for value in values:
        try:
            parsed.append(date.fromisoformat(value))
        except ValueError:
            raise InvalidInput(f"{option} {value}: must be a date written YYYY-MM-DD") from None
    return parsed


def parse_settings(values: tuple[str, ...]) -> dict[str, int | str]:
    """Parse NAME=VALUE rule pack setting overrides."""
    parsed: dict[str, int | str] = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name:
            raise InvalidInput(f"--setting {value}: write NAME=VALUE")
        parsed[name] = int(raw) if raw.lstrip("-").isdigit() else raw
    return parsed


from notify_tui.cli.sync import register as _register_sync  # noqa: E402

_register_sync(cli)
from notify_tui.cli.tui import register as _register_tui  # noqa: E402

_register_tui(cli)


from notify_tui.cli.office import register as _register_office  # noqa: E402

_register_office(cli)


def main() -> NoReturn:
    """Console script entry point."""
    try:
        cli.main(prog_name="notify-tui")
    except NotifyError as error:  # raised outside a group invoke (e.g. in a callback)
        click.echo(f"error: {error.message}", err=True)
        sys.exit(2)
    except Exception as error:  # noqa: BLE001 - last resort: never print case data
        if os.environ.get("NOTIFY_TUI_DEBUG") == "1":
            raise
        click.echo(
            f"error: internal error ({type(error).__name__}); nothing further was changed. "
            "Run with NOTIFY_TUI_DEBUG=1 to see details.",
            err=True,
        )
        sys.exit(70)
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
