"""CLI commands of the business office: workflow steps, the yearly report, figures."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import click

from notify_tui.cli import (
    CONTEXT_SETTINGS,
    NotifyGroup,
    emit_json,
    open_session,
    parse_dates,
    vault_options,
)
from notify_tui.domain.office import STEP_LABELS
from notify_tui.errors import InvalidInput


def register(cli: click.Group) -> None:
    """Add the office commands to the main group."""
    cli.add_command(office)
    cli.add_command(report)


@click.group(cls=NotifyGroup, context_settings=CONTEXT_SETTINGS)
def office() -> None:
    """The work after notification: rapid review, Panel response, local review, CDOP."""


@office.command("step", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument("case_id", metavar="CASE")
@click.argument("step", metavar="AREA.STEP", type=click.Choice(sorted(STEP_LABELS)))
@click.argument("value", metavar="VALUE")
@click.option(
    "--outcome",
    type=click.Choice(["local_review", "national_review", "no_further_review"]),
    help="The Panel's answer (with panel_response.response).",
)
def office_step(
    home: Path | None,
    passphrase_file: Path | None,
    case_id: str,
    step: str,
    value: str,
    outcome: str | None,
) -> None:
    """Record a step: VALUE is a date (YYYY-MM-DD), a CDOP category, or true/false.

    For example `office step SI-7K3Q9XAB rapid_review.sent_to_panel 2026-11-20`.
    """
    area, _, name = step.partition(".")
    parsed: Any = value
    if step == "cdop.modifiable_factors":
        if value not in ("true", "false"):
            raise InvalidInput("cdop.modifiable_factors: VALUE must be true or false")
        parsed = value == "true"
    with open_session(home, passphrase_file, write=True) as session:
        session.record_office_step(case_id, area, name, parsed, outcome=outcome)
    click.echo(f"Recorded {STEP_LABELS[step].lower()} for {case_id}.")


@office.command("annual-report", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option("--year", required=True, type=int, help="The report's year.")
@click.option("--published", required=True, metavar="YYYY-MM-DD", help="Publication date.")
def annual_report(
    home: Path | None, passphrase_file: Path | None, year: int, published: str
) -> None:
    """Record the yearly report's publication; sending it is due 7 days later."""
    published_on = parse_dates((published,), "--published")[0]
    with open_session(home, passphrase_file, write=True) as session:
        record = session.record_annual_report(year, published_on)
    click.echo(record)


@click.command(context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD", help="First day.")
@click.option("--to", "end", required=True, metavar="YYYY-MM-DD", help="Last day.")
@click.option("--la", metavar="NAME", help="Only this LA's cases.")
@click.option(
    "--format", "output", type=click.Choice(["md", "csv", "json"]), default="md", show_default=True
)
def report(
    home: Path | None,
    passphrase_file: Path | None,
    start: str,
    end: str,
    la: str | None,
    output: str,
) -> None:
    """Timeliness figures for a period (counting rules: docs/reports.md). No names."""
    first, last = parse_dates((start, end), "--from/--to")
    with open_session(home, passphrase_file, write=False) as session:
        figures = session.report(first, last, la)
    if output == "json":
        emit_json(figures)
    elif output == "csv":
        click.echo(report_csv(figures), nl=False)
    else:
        click.echo(report_markdown(figures))


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def report_rows(figures: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """The figures flattened to (section, la, measure, value) rows."""
    rows: list[tuple[str, str, str, Any]] = []
    for duty_id, block in figures["notifications"].items():
        for measure, value in block["all"].items():
            rows.append((duty_id, "all", measure, value))
        for org, numbers in block["by_la"].items():
            for measure, value in numbers.items():
                rows.append((duty_id, org, measure, value))
    for section in ("rapid_reviews", "local_reviews"):
        for measure, value in figures[section].items():
            rows.append((section, "all", measure, value))
    rows.append(
        ("decisions_not_to_notify", "all", "count", figures["decisions_not_to_notify"]["count"])
    )
    deaths = figures["child_deaths"]
    rows.append(("child_deaths", "all", "count", deaths["count"]))
    for category, count in deaths["by_category"].items():
        rows.append(("child_deaths_by_category", "all", category, count))
    for band, count in deaths["by_age_band"].items():
        rows.append(("child_deaths_by_age_band", "all", band, count))
    rows.append(("open", "all", "count", figures["open"]["count"]))
    rows.append(("open", "all", "overdue", figures["open"]["overdue"]))
    return rows


def report_csv(figures: dict[str, Any]) -> str:
    """CSV of the figures (one measure per row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "la", "measure", "value"])
    for row in report_rows(figures):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def report_markdown(figures: dict[str, Any]) -> str:
    """A plain report for a board paper or an inspector."""
    period = figures["period"]
    scope = figures["la"] or "all LAs"
    lines = [f"# Notifications {period['from']} to {period['to']} ({scope})", ""]
    lines += [
        "| duty | LA | raised | sent | within deadline | share | median working days |",
        "|---|---|---|---|---|---|---|",
    ]
    for duty_id, block in figures["notifications"].items():
        for org, numbers in [("all", block["all"]), *block["by_la"].items()]:
            lines.append(
                f"| {duty_id} | {org} | {numbers['raised']} | {numbers['sent']} | "
                f"{numbers['sent_within_deadline']} | {_share(numbers['share_within_deadline'])} | "
                f"{_number(numbers['median_working_days_taken'])} |"
            )
    for title, key in (("Rapid reviews", "rapid_reviews"), ("Local reviews", "local_reviews")):
        block = figures[key]
        lines += [
            "",
            f"{title}: {block['raised']} due, {block['sent']} completed, "
            f"{block['sent_within_deadline']} on time ({_share(block['share_within_deadline'])}).",
        ]
    not_notifying = figures["decisions_not_to_notify"]
    lines += ["", f"Decisions not to notify: {not_notifying['count']}."]
    deaths = figures["child_deaths"]
    lines += ["", f"Child deaths: {deaths['count']}.", ""]
    lines += ["| category | deaths |", "|---|---|"]
    lines += [f"| {category} | {count} |" for category, count in deaths["by_category"].items()]
    lines += ["", "| age band | deaths |", "|---|---|"]
    lines += [f"| {band} | {count} |" for band, count in deaths["by_age_band"].items()]
    open_block = figures["open"]
    lines += [
        "",
        f"Open duties: {open_block['count']}, of which overdue: {open_block['overdue']}.",
        "",
    ]
    if open_block["duties"]:
        lines += ["| case | LA | duty | due | working days left |", "|---|---|---|---|---|"]
        lines += [
            f"| {row['case_id']} | {row['la']} | {row['duty']} | {row['due']} | "
            f"{row['working_days_left']} |"
            for row in open_block["duties"]
        ]
    return "\n".join(lines)


def deadlines_markdown(rows: list[dict[str, Any]], today: date) -> str:
    """A plain digest for a scheduled mail: case ids and duties only, no names."""
    lines = [f"# notify-tui deadlines on {today.isoformat()}", ""]
    if not rows:
        return "\n".join([*lines, "Nothing due or overdue."])
    lines += ["| case | duty | due | working days left | status |", "|---|---|---|---|---|"]
    for row in rows:
        lines.append(
            f"| {row['case_id']} | {row['duty']} | {row['due']} | {row['working_days_left']} | "
            f"{row['urgency'].upper()} |"
        )
    return "\n".join(lines)
