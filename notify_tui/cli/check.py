"""`notify-tui check`: assess a facts document without a vault."""

from __future__ import annotations

import click

from notify_tui.cli.common import (
    assessment_lines,
    echo,
    emit_json,
    parse_dates,
    read_json_document,
)
from notify_tui.clock import system_clock
from notify_tui.errors import InvalidInput


@click.command()
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
    metavar="DATE",
    help="A local closure day (repeatable; 30/11/2026 or 2026-11-30): it moves local "
    "rules' deadlines only; statutory deadlines count national working days.",
)
def check(source: str, as_json: bool, settings: tuple[str, ...], closures: tuple[str, ...]) -> None:
    """Assess a facts or case document and print the duties it raises.

    FILE is a JSON facts document (one subject, see docs/facts.md); a case document as
    `case add` takes it, full or minimal, with several subjects; a yearly report document
    ({"kind": "annual_report", "annual_report_published_date": "YYYY-MM-DD"}); or - for
    standard input. Per-child duties (CDOP, looked-after and care-leaver death) are
    listed once per child they apply to, as ID@N for the Nth subject (N >= 2).
    """
    from notify_tui.bank_holidays import cached_bank_holidays
    from notify_tui.domain.calendar import WorkingDayCalendar
    from notify_tui.domain.models import (
        is_annual_report_document,
        validate_annual_report,
        validate_case,
        validate_facts,
    )
    from notify_tui.domain.rules import (
        assess,
        assess_case,
        assess_partnership,
        is_case_document,
    )

    today = system_clock().today()
    document = read_json_document(source)
    calendar = WorkingDayCalendar(
        parse_dates(closures, "--closure", today), bank_holidays=cached_bank_holidays()
    )
    initials: list[str] = []
    if is_annual_report_document(document):
        report = validate_annual_report(document, today)
        assessment = assess_partnership(
            {"annual_report_published_date": report.annual_report_published_date},
            calendar,
            settings=parse_settings(settings),
        )
    elif is_case_document(document):
        case = validate_case(document, today)
        assessment = assess_case(case, calendar, settings=parse_settings(settings))
        initials = [subject.initials for subject in case.subjects]
    else:
        facts = validate_facts(document, today)
        assessment = assess(facts, calendar, settings=parse_settings(settings))
    if as_json:
        emit_json(assessment.model_dump(mode="json"))
        return
    for line in assessment_lines(assessment, today, calendar, initials):
        echo(line)


def parse_settings(values: tuple[str, ...]) -> dict[str, int | str]:
    """Parse NAME=VALUE rule pack setting overrides."""
    parsed: dict[str, int | str] = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name:
            raise InvalidInput(f"--setting {value}: write NAME=VALUE")
        parsed[name] = int(raw) if raw.lstrip("-").isdigit() else raw
    return parsed


COMMANDS = (check,)
"""The commands this module adds to `notify-tui`."""
