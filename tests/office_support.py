"""Record an office step the way an office does: after the steps the rule pack puts first.

`record_in_order(session, case_id, "rapid_review.sent_to_panel", "2026-11-20")` records
rapid_review.started, summaries_requested, summaries_received, meeting_held and completed
on 2026-11-20, then sent_to_panel. The steps to record first come from the session's own
rule pack (`RulePack.office_order`), so a test states only the step it is about.
"""

from __future__ import annotations

from typing import Any

from notify_tui.services.session import Session
from notify_tui.store.events import Event


def record_in_order(
    session: Session,
    case_id: str,
    key: str,
    value: Any,
    *,
    on: str | None = None,
    outcome: str | None = None,
) -> Event:
    """Record every step `key` needs that is not yet recorded, dated `on` (by default
    `value`, when it is a date), then `key` itself with `value`; return its event."""
    day = on or str(value)
    held = session.case_detail(case_id).document.get("office") or {}
    for needed in session.pack.office_order().before(key):
        area, _, step = needed.partition(".")
        if (held.get(area) or {}).get(step) is not None:
            continue
        needed_outcome = "local_review" if needed == "panel_response.response" else None
        session.record_office_step(case_id, area, step, day, outcome=needed_outcome)
    area, _, step = key.partition(".")
    return session.record_office_step(case_id, area, step, value, outcome=outcome)
