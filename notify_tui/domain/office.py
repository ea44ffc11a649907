"""The business office's workflow after a notification, as validated field changes.

Office steps are fields under `office.` on the LA's case, so they travel back to the
LA in bundles and show on both dashboards:

- `rapid_review`: started, summaries_requested, summaries_received, meeting_held,
  completed, sent_to_panel (a date each; sent_to_panel completes the `rapid-review` duty);
- `panel_response.response`: a date and the outcome (local_review, national_review,
  no_further_review);
- `lcspr`: decision_date (starts the 6-month `lcspr-publication` clock),
  final_report_sent, published (completes that duty);
- `cdop`: review_meeting_held, reviewed_at_panel (dates), category (a CDOP analysis
  category), modifiable_factors (true or false).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from notify_tui.domain import codes
from notify_tui.errors import InvalidInput

RAPID_REVIEW_STEPS = (
    "started",
    "summaries_requested",
    "summaries_received",
    "meeting_held",
    "completed",
    "sent_to_panel",
)
LCSPR_STEPS = ("decision_date", "final_report_sent", "published")
CDOP_DATE_STEPS = ("review_meeting_held", "reviewed_at_panel")
PANEL_OUTCOMES = ("local_review", "national_review", "no_further_review")

STEP_LABELS = {
    "rapid_review.started": "Rapid review started",
    "rapid_review.summaries_requested": "Agency summaries requested",
    "rapid_review.summaries_received": "Agency summaries received",
    "rapid_review.meeting_held": "Rapid review meeting held",
    "rapid_review.completed": "Rapid review completed",
    "rapid_review.sent_to_panel": "Rapid review sent to the Panel",
    "panel_response.response": "Panel response",
    "lcspr.decision_date": "Decision to hold a local review",
    "lcspr.final_report_sent": "Final report sent to the Panel",
    "lcspr.published": "Local review published",
    "cdop.review_meeting_held": "Child death review meeting held",
    "cdop.reviewed_at_panel": "Reviewed at the CDOP",
    "cdop.category": "Category of death",
    "cdop.modifiable_factors": "Modifiable factors identified",
}
"""Every office step, by `area.step`, with its label."""


@dataclass(frozen=True)
class OfficeStep:
    """A validated office step: the field to set and its JSON value."""

    field: str
    value: Any
    label: str


def _parse_date(raw: Any, name: str, today: date, earliest: date | None) -> date:
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = date.fromisoformat(str(raw))
        except ValueError:
            raise InvalidInput(f"{name}: must be a date written YYYY-MM-DD") from None
    if day > today:
        raise InvalidInput(f"{name}: {day.isoformat()} is in the future")
    if earliest is not None and day < earliest:
        raise InvalidInput(f"{name}: {day.isoformat()} is before {earliest.isoformat()}")
    return day


def validate_step(
    area: str,
    step: str,
    value: Any,
    *,
    today: date,
    earliest: date | None,
    outcome: str | None = None,
) -> OfficeStep:
    """Check one office step and return the field change it makes.

    `earliest` is the date no step may precede (when the LA became aware); `outcome`
    is the Panel's answer for a `panel_response`.
    """
    key = f"{area}.{step}"
    if key not in STEP_LABELS:
        known = ", ".join(sorted(STEP_LABELS))
        raise InvalidInput(f"{key}: not an office step (steps: {known})")
    name = f"office.{key}"
    label = STEP_LABELS[key]
    if key == "cdop.category":
        categories = codes.cdop_categories()
        if value not in categories:
            raise InvalidInput(f"{name}: must be one of {', '.join(categories)}")
        return OfficeStep(name, value, label)
    if key == "cdop.modifiable_factors":
        if not isinstance(value, bool):
            raise InvalidInput(f"{name}: must be true or false")
        return OfficeStep(name, value, label)
    day = _parse_date(value, name, today, earliest)
    if key == "panel_response.response":
        if outcome not in PANEL_OUTCOMES:
            raise InvalidInput(f"{name}: outcome must be one of {', '.join(PANEL_OUTCOMES)}")
        return OfficeStep(name, {"date": day.isoformat(), "outcome": outcome}, label)
    return OfficeStep(name, day.isoformat(), label)


def applies_to(area: str, duties: set[str], kind: str | None) -> str | None:
    """Why an area does not apply to a case, or None when it does."""
    if area in ("rapid_review", "panel_response") and "rapid-review" not in duties:
        return "this case raised no Panel notification, so there is no rapid review"
    if area == "cdop" and "cdop-notification" not in duties and kind != "child_death":
        return "CDOP steps apply to child deaths only"
    return None
