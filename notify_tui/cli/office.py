"""The business office's workflow steps: `notify-tui office step|annual-report`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from notify_tui.cli.common import NotifyGroup, day, echo, with_session
from notify_tui.domain.office import STEP_LABELS
from notify_tui.errors import InvalidInput

if TYPE_CHECKING:
    from notify_tui.services.session import Session


@click.group(cls=NotifyGroup)
def office() -> None:
    """The work after notification: rapid review, Panel response, local review, CDOP."""


def _step_value(ctx: click.Context, param: click.Parameter, value: str) -> Any:
    """VALUE as the step takes it: true/false for cdop.modifiable_factors, else the text."""
    if ctx.params.get("step") != "cdop.modifiable_factors":
        return value
    if value not in ("true", "false"):
        raise InvalidInput("cdop.modifiable_factors: VALUE must be true or false")
    return value == "true"


@office.command("step")
@with_session()
@click.argument("case_id", metavar="CASE")
@click.argument("step", metavar="AREA.STEP", type=click.Choice(sorted(STEP_LABELS)))
@click.argument("value", metavar="VALUE", callback=_step_value)
@click.option(
    "--outcome",
    type=click.Choice(["local_review", "national_review", "no_further_review"]),
    help="The Panel's answer (with panel_response.response).",
)
@click.option(
    "--correction",
    is_flag=True,
    help="Record out of the rule pack's order, or change a step already recorded.",
)
@click.option("--reason", metavar="TEXT", help="Why the correction is made (with --correction).")
def office_step(
    session: Session,
    case_id: str,
    step: str,
    value: Any,
    outcome: str | None,
    correction: bool,
    reason: str | None,
) -> None:
    """Record a step: VALUE is a date (30/11/2026, 2026-11-30, today...), a CDOP
    category, or true/false.

    For example `office step SI-7K3Q9XAB rapid_review.sent_to_panel 2026-11-20`.
    Steps go in the rule pack's order (a rapid review is completed before it is sent
    to the Panel), each once; `--correction --reason TEXT` records one out of order or
    changes one recorded, keeping the reason and the value it replaces.
    """
    area, _, name = step.partition(".")
    session.record_office_step(
        case_id, area, name, value, outcome=outcome, correction=correction, reason=reason
    )
    what = ("a correction of " if correction else "") + STEP_LABELS[step].lower()
    echo(f"Recorded {what} for {case_id}.")


@office.command("annual-report")
@with_session()
@click.option("--year", required=True, type=int, help="The report's year.")
@click.option(
    "--published",
    "published_on",
    required=True,
    metavar="DATE",
    callback=day("--published"),
    help="Publication date (30/11/2026, 2026-11-30, today...).",
)
def annual_report(session: Session, year: int, published_on: date) -> None:
    """Record the yearly report's publication; sending it is due 7 days later."""
    echo(session.record_annual_report(year, published_on))


COMMANDS = (office,)
"""The commands this module adds to `notify-tui`."""
