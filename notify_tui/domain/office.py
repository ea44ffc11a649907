"""The business office's workflow after a notification, as validated field changes.

Office steps are fields under `office.` on the LA's case, so they travel back to the
LA in bundles and show on both dashboards:

- `rapid_review`: started, summaries_requested, summaries_received, meeting_held,
  completed, sent_to_panel (a date each; sent_to_panel completes the `rapid-review` duty);
- `panel_response.response`: a date and the outcome (local_review, national_review,
  no_further_review);
- `lcspr`: decision_date (starts the 6-month `lcspr-publication` clock),
  planned_publication (the date publication is planned for, which may be ahead: the
  `lcspr-advance-copy` duty falls due 7 working days before it), final_report_sent
  (completes that duty), published (completes `lcspr-publication`);
- `cdop`: review_meeting_held, reviewed_at_panel (dates), category (a CDOP analysis
  category), modifiable_factors (true or false).

The rule pack's `office_steps` says the order they are recorded in (`StepOrder`): a step
whose required steps are not recorded, or dated before one of them, is refused, and so is
recording a step again; a correction (with its reason) is recorded whatever the order, as
its own `office.corrected` event that also sets `office.corrections.<area>.<step>`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from notify_tui.domain import codes
from notify_tui.domain.dates import DateProblem, parse_date
from notify_tui.errors import InvalidInput

RAPID_REVIEW_STEPS = (
    "started",
    "summaries_requested",
    "summaries_received",
    "meeting_held",
    "completed",
    "sent_to_panel",
)
LCSPR_STEPS = ("decision_date", "planned_publication", "final_report_sent", "published")
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
    "lcspr.planned_publication": "Planned publication date",
    "lcspr.final_report_sent": "Final report sent to the Panel",
    "lcspr.published": "Local review published",
    "cdop.review_meeting_held": "Child death review meeting held",
    "cdop.reviewed_at_panel": "Reviewed at the CDOP",
    "cdop.category": "Category of death",
    "cdop.modifiable_factors": "Modifiable factors identified",
}
"""Every office step, by `area.step`, with its label."""

PLANNED_STEPS = frozenset({"lcspr.planned_publication"})
"""Steps that record a date planned ahead, so a date in the future is accepted."""

CORRECTIONS = "office.corrections"
"""Where a correction keeps its reason: `office.corrections.<area>.<step>` holds
`{"reason", "was", "by"}` beside the corrected step's own field."""

CORRECTION_HINT = "mark this as a correction with --correction --reason TEXT"
"""The way forward every order refusal ends with."""


@dataclass(frozen=True)
class OfficeStep:
    """A validated office step: the field to set and its JSON value."""

    field: str
    value: Any
    label: str


def _parse_date(
    raw: Any, name: str, today: date, earliest: date | None, *, future_ok: bool = False
) -> date:
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = parse_date(str(raw), today)
        except DateProblem as problem:
            raise InvalidInput(f"{name}: {problem.message}") from None
    if not future_ok and day > today:
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
    day = _parse_date(value, name, today, earliest, future_ok=key in PLANNED_STEPS)
    if key == "panel_response.response":
        if outcome not in PANEL_OUTCOMES:
            raise InvalidInput(f"{name}: outcome must be one of {', '.join(PANEL_OUTCOMES)}")
        return OfficeStep(name, {"date": day.isoformat(), "outcome": outcome}, label)
    return OfficeStep(name, day.isoformat(), label)


def applies_to(area: str, duties: set[str], kind: str | None) -> str | None:
    """Why an area does not apply to a case, or None when it does.

    `duties` are the case's duty ids; a per-child one (`cdop-notification@2`) counts as
    its rule's (`rules.base_duty_id`, written out here: `rules` imports this module)."""
    duties = {duty.split("@", 1)[0] for duty in duties}
    if area in ("rapid_review", "panel_response") and "rapid-review" not in duties:
        return "this case raised no Panel notification, so there is no rapid review"
    if area == "cdop" and "cdop-notification" not in duties and kind != "child_death":
        return "CDOP steps apply to child deaths only"
    return None


@dataclass(frozen=True)
class StepOrder:
    """The order office steps are recorded in, from the rule pack's `office_steps`.

    `requires` maps each step (`area.step`, in workflow order) to the steps that must be
    recorded before it; a step the pack does not list may be recorded at any time.
    """

    requires: Mapping[str, tuple[str, ...]]

    def before(self, key: str) -> list[str]:
        """Every step `key` needs first, directly or through another, in workflow order."""
        needed: set[str] = set()
        pending = list(self.requires.get(key, ()))
        while pending:
            step = pending.pop()
            if step not in needed:
                needed.add(step)
                pending.extend(self.requires.get(step, ()))
        return [step for step in self.requires if step in needed]

    def missing(self, key: str, recorded: Collection[str]) -> list[str]:
        """The steps `key` needs that are not recorded, in workflow order. A recorded
        step stands for the steps before it (one recorded as a correction, say)."""
        needed: set[str] = set()
        pending = list(self.requires.get(key, ()))
        while pending:
            step = pending.pop()
            if step not in recorded and step not in needed:
                needed.add(step)
                pending.extend(self.requires.get(step, ()))
        return [step for step in self.requires if step in needed]

    def following(self, key: str) -> list[str]:
        """Every step that needs `key` first, directly or through another."""
        return [step for step in self.requires if key in self.before(step)]


def step_date(value: Any) -> str | None:
    """The ISO date of a recorded step's value (a date, or a Panel response with one)."""
    if isinstance(value, Mapping):
        value = value.get("date")
    return value if isinstance(value, str) else None


def _quoted(keys: list[str]) -> str:
    names = [f"'{STEP_LABELS[key]}'" for key in keys]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def check_recording(
    order: StepOrder,
    key: str,
    value: Any,
    recorded: Mapping[str, Any],
    *,
    correction: bool,
) -> None:
    """Refuse (with `InvalidInput`, one line) a step that contradicts the steps recorded.

    `recorded` holds the value of every step recorded on the case, by `area.step`. A step
    is refused when it is already recorded, when a step it requires is missing, or when
    its date is before a required step's date (or after the date of a step that follows
    it). A correction skips the order, but not the check that something changes.
    """
    label = STEP_LABELS[key]
    if key in recorded and recorded[key] == value:
        raise InvalidInput(f"{label}: already recorded with this value; nothing to change")
    if correction:
        return
    if key in recorded:
        shown = step_date(recorded[key]) or recorded[key]
        raise InvalidInput(f"{label}: already recorded ({shown}); to change it, {CORRECTION_HINT}")
    missing = order.missing(key, recorded)
    if missing:
        raise InvalidInput(f"{label}: record {_quoted(missing)} first, or {CORRECTION_HINT}")
    day = step_date(value)
    if day is None:
        return
    for step in order.before(key):
        earlier = step_date(recorded.get(step))
        if earlier is not None and day < earlier:
            raise InvalidInput(
                f"{label}: {day} is before '{STEP_LABELS[step]}' ({earlier}); give a date on "
                f"or after it, or {CORRECTION_HINT}"
            )
    for step in order.following(key):
        later = step_date(recorded.get(step))
        if later is not None and day > later:
            raise InvalidInput(
                f"{label}: {day} is after '{STEP_LABELS[step]}' ({later}), which follows it; "
                f"give a date on or before it, or {CORRECTION_HINT}"
            )
