"""Figures and digests: `notify-tui deadlines` and `notify-tui report`."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from notify_tui.cli.common import day, describe_left, emit_json, jsonable, with_session
from notify_tui.errors import InvalidInput

if TYPE_CHECKING:
    from notify_tui.services.session import Session
    from notify_tui.services.types import DutyView, Report


def _working_days(ctx: click.Context, param: click.Parameter, within: int) -> int:
    if within < 0:
        raise InvalidInput("--within: give a number of working days, 0 or more")
    return within


@click.command()
@with_session(write=False)
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
    callback=_working_days,
    help="Also list duties due within N working days.",
)
@click.option(
    "--fail-on-overdue",
    is_flag=True,
    help="Exit with status 1 when any duty is overdue (0 otherwise), for scheduled jobs; "
    "the output is the same.",
)
def deadlines(
    session: Session, as_json: bool, output: str, within: int, fail_on_overdue: bool
) -> None:
    """What is due or overdue across all cases (for a daily scheduled job).

    With --fail-on-overdue the exit status says whether anything is overdue: 1 when a
    listed duty's due date has passed (fewer than 0 working days left), else 0.
    """
    rows = session.deadlines(within=within)
    show_deadlines(rows, "json" if as_json else output, session.today())
    if fail_on_overdue and any(
        row.working_days_left is not None and row.working_days_left < 0 for row in rows
    ):
        raise click.exceptions.Exit(1)


def show_deadlines(rows: Sequence[DutyView], output: str, today: date) -> None:
    """Print `deadlines`' rows as text, JSON or Markdown."""
    if output == "json":
        emit_json(jsonable(rows))
        return
    if output == "md":
        click.echo(deadlines_markdown(rows, today))
        return
    if not rows:
        click.echo("Nothing due or overdue.")
        return
    for row in rows:
        left = row.working_days_left
        # Every listed duty has a due date; the urgency word is only there for the type.
        when = row.urgency if left is None else describe_left(left)
        click.echo(f"{row.case_id:<12} {row.duty:<32} due {row.due}  {when}")


@click.command()
@with_session(write=False)
@click.option(
    "--from",
    "start",
    required=True,
    metavar="YYYY-MM-DD",
    callback=day("--from/--to"),
    help="First day.",
)
@click.option(
    "--to",
    "end",
    required=True,
    metavar="YYYY-MM-DD",
    callback=day("--from/--to"),
    help="Last day.",
)
@click.option("--la", metavar="NAME", help="Only this LA's cases.")
@click.option(
    "--format", "output", type=click.Choice(["md", "csv", "json"]), default="md", show_default=True
)
def report(session: Session, start: date, end: date, la: str | None, output: str) -> None:
    """Timeliness figures for a period (counting rules: docs/reports.md). No names."""
    figures = session.report(start, end, la)
    if output == "json":
        emit_json(jsonable(figures))
    elif output == "csv":
        click.echo(report_csv(figures), nl=False)
    else:
        click.echo(report_markdown(figures))


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def report_rows(figures: Report) -> list[tuple[str, str, str, Any]]:
    """The figures flattened to (section, la, measure, value) rows."""
    rows: list[tuple[str, str, str, Any]] = []
    for duty_id, block in figures.notifications.items():
        for measure, value in block.all.as_json().items():
            rows.append((duty_id, "all", measure, value))
        for org, numbers in block.by_la.items():
            for measure, value in numbers.as_json().items():
                rows.append((duty_id, org, measure, value))
    for section, numbers in (
        ("rapid_reviews", figures.rapid_reviews),
        ("local_reviews", figures.local_reviews),
    ):
        for measure, value in numbers.as_json().items():
            rows.append((section, "all", measure, value))
    rows.append(("decisions_not_to_notify", "all", "count", figures.decisions_not_to_notify.count))
    deaths = figures.child_deaths
    rows.append(("child_deaths", "all", "count", deaths.count))
    for category, count in deaths.by_category.items():
        rows.append(("child_deaths_by_category", "all", category, count))
    for band, count in deaths.by_age_band.items():
        rows.append(("child_deaths_by_age_band", "all", band, count))
    rows.append(("open", "all", "count", figures.open.count))
    rows.append(("open", "all", "overdue", figures.open.overdue))
    return rows


def report_csv(figures: Report) -> str:
    """CSV of the figures (one measure per row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "la", "measure", "value"])
    for row in report_rows(figures):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def report_markdown(figures: Report) -> str:
    """A plain report for a board paper or an inspector."""
    period = figures.period
    scope = figures.la or "all LAs"
    lines = [f"# Notifications {period.start} to {period.end} ({scope})", ""]
    lines += [
        "| duty | LA | raised | sent | within deadline | share | median working days |",
        "|---|---|---|---|---|---|---|",
    ]
    for duty_id, block in figures.notifications.items():
        for org, numbers in [("all", block.all), *block.by_la.items()]:
            lines.append(
                f"| {duty_id} | {org} | {numbers.raised} | {numbers.sent} | "
                f"{numbers.sent_within_deadline} | {_share(numbers.share_within_deadline)} | "
                f"{_number(numbers.median_working_days_taken)} |"
            )
    for title, follow_on in (
        ("Rapid reviews", figures.rapid_reviews),
        ("Local reviews", figures.local_reviews),
    ):
        lines += [
            "",
            f"{title}: {follow_on.raised} due, {follow_on.sent} completed, "
            f"{follow_on.sent_within_deadline} on time "
            f"({_share(follow_on.share_within_deadline)}).",
        ]
    not_notifying = figures.decisions_not_to_notify
    lines += ["", f"Decisions not to notify: {not_notifying.count}."]
    deaths = figures.child_deaths
    lines += ["", f"Child deaths: {deaths.count}.", ""]
    lines += ["| category | deaths |", "|---|---|"]
    lines += [f"| {category} | {count} |" for category, count in deaths.by_category.items()]
    lines += ["", "| age band | deaths |", "|---|---|"]
    lines += [f"| {band} | {count} |" for band, count in deaths.by_age_band.items()]
    open_block = figures.open
    lines += [
        "",
        f"Open duties: {open_block.count}, of which overdue: {open_block.overdue}.",
        "",
    ]
    if open_block.duties:
        lines += ["| case | LA | duty | due | working days left |", "|---|---|---|---|---|"]
        lines += [
            f"| {row.case_id} | {row.la} | {row.duty} | {row.due} | {row.working_days_left} |"
            for row in open_block.duties
        ]
    return "\n".join(lines)


def deadlines_markdown(rows: Sequence[DutyView], today: date) -> str:
    """A plain digest for a scheduled mail: case ids and duties only, no names."""
    lines = [f"# notify-tui deadlines on {today.isoformat()}", ""]
    if not rows:
        return "\n".join([*lines, "Nothing due or overdue."])
    lines += ["| case | duty | due | working days left | status |", "|---|---|---|---|---|"]
    for row in rows:
        lines.append(
            f"| {row.case_id} | {row.duty} | {row.due} | {row.working_days_left} | "
            f"{row.urgency.upper()} |"
        )
    return "\n".join(lines)


COMMANDS = (deadlines, report)
"""The commands this module adds to `notify-tui`."""
