"""The office workflow of one case, ready to show (no Textual, no SQL).

Reads the `office.` fields of a `Session.case_detail` document and lists every step of
`domain.office` that applies to the case with what has been recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from notify_tui.domain import codes, office
from notify_tui.domain.wording import PANEL_OUTCOME_WORDS
from notify_tui.services.types import CaseDetail

AREA_TITLES = {
    "rapid_review": "Rapid review",
    "panel_response": "Panel response",
    "lcspr": "Local child safeguarding practice review",
    "cdop": "Child death review (CDOP)",
}
OUTCOME_WORDS = PANEL_OUTCOME_WORDS


@dataclass(frozen=True)
class StepRow:
    """One office step of a case: its label and what is recorded (blank when nothing)."""

    key: str
    """`area.step`, as `Session.record_office_step` takes it."""
    area: str
    label: str
    recorded: str
    correction: str = ""
    """The reason given when the step was last recorded as a correction, else blank."""

    @property
    def shown(self) -> str:
        """What is recorded, with the correction's reason when there is one."""
        if self.correction:
            return f"{self.recorded} (correction: {self.correction})"
        return self.recorded

    @property
    def step(self) -> str:
        """The step name within its area."""
        return self.key.partition(".")[2]


def _day(text: str) -> str:
    return date.fromisoformat(text).strftime("%a %d %b %Y")


def describe_value(key: str, value: Any) -> str:
    """A recorded step value in words."""
    if value is None:
        return ""
    if key == "cdop.category":
        return str(codes.cdop_categories().get(value, value))
    if key == "cdop.modifiable_factors":
        return "yes" if value else "no"
    if isinstance(value, dict):
        raw = str(value.get("outcome") or "")
        outcome = OUTCOME_WORDS.get(raw, raw)
        return f"{_day(value['date'])}: {outcome}" if value.get("date") else outcome
    try:
        return _day(str(value))
    except ValueError:
        return str(value)


def applicable_areas(detail: CaseDetail) -> list[str]:
    """The office areas that apply to a case (rapid review only after a Panel duty, ...)."""
    duties = {duty.duty for duty in detail.duties}
    areas = dict.fromkeys(key.partition(".")[0] for key in office.STEP_LABELS)
    return [area for area in areas if office.applies_to(area, duties, detail.kind) is None]


def step_rows(detail: CaseDetail) -> list[StepRow]:
    """Every applicable step in workflow order, with its recorded value."""
    recorded = detail.document.get("office") or {}
    corrections = recorded.get("corrections") or {}
    areas = applicable_areas(detail)
    rows = []
    for key, label in office.STEP_LABELS.items():
        area, _, step = key.partition(".")
        if area in areas:
            value = (recorded.get(area) or {}).get(step)
            note = (corrections.get(area) or {}).get(step) or {}
            reason = str(note.get("reason") or "") if isinstance(note, dict) else ""
            rows.append(StepRow(key, area, label, describe_value(key, value), reason))
    return rows


def form_message(message: str) -> str:
    """A refusal of `Session.record_office_step` in the words of the office step form
    (its Correction box and Reason field, not the command line's flags)."""
    return message.replace(
        office.CORRECTION_HINT, "tick Correction and give the reason to record it anyway"
    ).replace("--reason:", "Reason:")
