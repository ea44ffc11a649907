"""Figures and digests: `notify-tui deadlines` and `notify-tui report`."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from notify_tui.cli.common import (
    checked_together,
    day,
    describe_left,
    echo,
    echo_lines,
    emit_json,
    jsonable,
    with_session,
)
from notify_tui.errors import InvalidInput
from notify_tui.views.reports import (
    DEFINITIONS,
    NOTIFICATION_NOTES,
    TIMELINESS_COLUMNS,
    deaths_title,
    decisions_text,
    late_reason_text,
    late_title,
    left_out_text,
    notification_rows,
    open_left_text,
    open_title,
    period_presets,
    scope_label,
    timeliness_cells,
)

if TYPE_CHECKING:
    from notify_tui.services.session import Session
    from notify_tui.services.types import DeadlineLine, DutyView, Report


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
    output = "json" if as_json else output
    # The text and Markdown lines show five things of each duty: read only those.
    rows: Sequence[DutyView | DeadlineLine] = (
        session.deadlines(within=within)
        if output == "json"
        else session.deadline_lines(within=within)
    )
    show_deadlines(rows, output, session.today())
    if fail_on_overdue and any(
        row.working_days_left is not None and row.working_days_left < 0 for row in rows
    ):
        raise click.exceptions.Exit(1)


def show_deadlines(rows: Sequence[DutyView | DeadlineLine], output: str, today: date) -> None:
    """Print `deadlines`' rows as text, JSON or Markdown."""
    if output == "json":
        emit_json(jsonable(rows))
        return
    if output == "md":
        echo(deadlines_markdown(rows, today))
        return
    if not rows:
        echo("Nothing due or overdue.")
        return
    lines = []
    for row in rows:
        left = row.working_days_left
        # Every listed duty has a due date; the urgency word is only there for the type.
        when = row.urgency if left is None else describe_left(left)
        lines.append(f"{row.case_id:<12} {row.duty:<32} due {row.due}  {when}")
    echo_lines(lines)


PERIODS = {
    "last-month": "last_month",
    "month-to-date": "month_to_date",
    "last-12-months": "last_12_months",
}
"""`--period` names and the preset each chooses (`views.reports.period_presets`)."""


def _require_one_period(params: Mapping[str, Any]) -> None:
    given = params["start"] is not None, params["end"] is not None
    if params["period"] is not None and any(given):
        raise InvalidInput("--period: give either --period or --from and --to, not both")
    if params["period"] is None and not all(given):
        raise InvalidInput(
            "--from/--to: give both dates, or --period last-month|month-to-date|last-12-months"
        )


_one_period = checked_together(("start", "end", "period"), _require_one_period)
_as_day = day("--from/--to")


def _period_day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    return _one_period(ctx, param, _as_day(ctx, param, value))


@click.command()
@with_session()
@click.option(
    "--from",
    "start",
    metavar="DATE",
    callback=_period_day,
    help="First day (with --to).",
)
@click.option(
    "--to",
    "end",
    metavar="DATE",
    callback=_period_day,
    help="Last day (with --from).",
)
@click.option(
    "--period",
    type=click.Choice(list(PERIODS)),
    callback=_one_period,
    help="Instead of --from/--to: last month, this month to today, or the 12 months to today.",
)
@click.option("--la", metavar="NAME", help="Only this LA's cases.")
@click.option(
    "--format", "output", type=click.Choice(["md", "csv", "json"]), default="md", show_default=True
)
def report(
    session: Session,
    start: date | None,
    end: date | None,
    period: str | None,
    la: str | None,
    output: str,
) -> None:
    """Timeliness figures for a period (counting rules: docs/reports.md). No names."""
    if period is not None:
        preset = next(p for p in period_presets(session.today()) if p.key == PERIODS[period])
        start, end = preset.start, preset.end
    assert start is not None and end is not None  # _require_one_period saw to it
    figures = session.report(start, end, la)
    if output == "json":
        emit_json(jsonable(figures))
    elif output == "csv":
        echo(report_csv(figures), nl=False)
    else:
        echo(report_markdown(figures))


def report_rows(figures: Report) -> list[tuple[str, str, str, Any]]:
    """The figures flattened to (section, la, measure, value) rows; `la` is the LA's
    name, or "all LAs" for figures over several."""
    scope = scope_label(figures)
    rows: list[tuple[str, str, str, Any]] = []
    for duty_id, block in figures.notifications.items():
        for measure, value in block.all.as_json().items():
            rows.append((duty_id, scope, measure, value))
        if len(block.by_la) > 1:
            for org, numbers in block.by_la.items():
                for measure, value in numbers.as_json().items():
                    rows.append((duty_id, org, measure, value))
    for section, numbers in (
        ("rapid_reviews", figures.rapid_reviews),
        ("local_reviews", figures.local_reviews),
    ):
        for measure, value in numbers.as_json().items():
            rows.append((section, scope, measure, value))
    rows.append(("decisions_not_to_notify", scope, "count", figures.decisions_not_to_notify.count))
    deaths = figures.child_deaths
    rows.append(("child_deaths", scope, "count", deaths.count))
    for kind, count in deaths.by_kind.items():
        rows.append(("child_deaths_by_kind", scope, kind, count))
    for category, count in deaths.by_category.items():
        rows.append(("child_deaths_by_category", scope, category, count))
    for band, count in deaths.by_age_band.items():
        rows.append(("child_deaths_by_age_band", scope, band, count))
    rows.append(("late_sends", scope, "count", len(figures.late_sends)))
    open_block = figures.open
    for measure in ("count", "overdue", "with_due_date", "without_due_date"):
        rows.append(("open", scope, measure, getattr(open_block, measure)))
    return rows


def report_csv(figures: Report) -> str:
    """CSV of the figures (one measure per row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "la", "measure", "value"])
    for row in report_rows(figures):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Free text made safe for a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def report_markdown(figures: Report) -> str:
    """A plain report for a board paper or an inspector: every figure with its definition."""
    period = figures.period
    scope = scope_label(figures)
    lines = [f"# Notifications {period.start} to {period.end}: {scope}", ""]
    lines += [
        "| duty | LA | " + " | ".join(TIMELINESS_COLUMNS) + " |",
        "|---|---|" + "---|" * len(TIMELINESS_COLUMNS),
    ]
    for duty_id, _org, la_label, cells in notification_rows(figures):
        lines.append(f"| {duty_id} | {la_label} | " + " | ".join(cells) + " |")
    lines += ["", left_out_text(figures), ""]
    lines += [f"- {DEFINITIONS[key]}" for key in (*NOTIFICATION_NOTES, "left_out")]
    lines += ["", "| review | " + " | ".join(TIMELINESS_COLUMNS) + " |"]
    lines += ["|---|" + "---|" * len(TIMELINESS_COLUMNS)]
    for title, follow_on in (
        ("Rapid reviews", figures.rapid_reviews),
        ("Local reviews", figures.local_reviews),
    ):
        lines.append(f"| {title} | " + " | ".join(timeliness_cells(follow_on)) + " |")
    lines += ["", f"- {DEFINITIONS['reviews']}"]
    lines += ["", f"{late_title(figures)}.", "", f"- {DEFINITIONS['late_sends']}"]
    if figures.late_sends:
        lines += [
            "",
            "| case | LA | duty | due | sent | working days late | reason |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {line.case_id} | {line.la} | {line.duty} | {line.due} | {line.sent_on} | "
            f"{line.working_days_late} | {_cell(late_reason_text(line))} |"
            for line in figures.late_sends
        ]
    lines += ["", f"{decisions_text(figures)}.", "", f"- {DEFINITIONS['decisions_not_to_notify']}"]
    deaths = figures.child_deaths
    lines += ["", f"{deaths_title(figures)}.", "", f"- {DEFINITIONS['child_deaths']}", ""]
    lines += ["| category | deaths |", "|---|---|"]
    lines += [f"| {category} | {count} |" for category, count in deaths.by_category.items()]
    lines += ["", "| age band | deaths |", "|---|---|"]
    lines += [f"| {band} | {count} |" for band, count in deaths.by_age_band.items()]
    open_block = figures.open
    lines += ["", f"{open_title(figures)}.", "", f"- {DEFINITIONS['open']}", ""]
    if open_block.duties:
        lines += ["| case | LA | duty | due | working days left |", "|---|---|---|---|---|"]
        lines += [
            f"| {row.case_id} | {row.la} | {row.duty} | {row.due or '-'} | {open_left_text(row)} |"
            for row in open_block.duties
        ]
    return "\n".join(lines)


def deadlines_markdown(rows: Sequence[DutyView | DeadlineLine], today: date) -> str:
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
