"""Record an office step the way an office does: after the steps the rule pack puts first.

`record_in_order(session, case_id, "rapid_review.sent_to_panel", "2026-11-20")` records
rapid_review.started, summaries_requested, summaries_received, meeting_held and completed
on 2026-11-20, then sent_to_panel. The steps to record first come from the session's own
rule pack (`RulePack.office_order`), so a test states only the step it is about.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from notify_tui.services.session import Session
from notify_tui.store.events import Event
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner


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


def office_for(la: Session, home: Path, *, author: str = "Ola Order") -> Session:
    """A business office's vault (synthetic) that trusts `la` and that `la` trusts.

    Office steps are the office's alone (an LA's own would be refused by every peer), so
    a test of them records them here, on the cases `deliver` brings from the LA."""
    office, _ = Session.init(
        home, "a long test passphrase", org="Testshire Safeguarding Office (test)",
        role="office", author=author, kdf=ARGON2_FLOOR, owner=InlineOwner(),
        clock=la.clock,
    )  # fmt: skip
    keys = home.parent / f"{home.name}-keys"
    keys.mkdir(exist_ok=True)
    for one, other in ((la, office), (office, la)):
        path = keys / f"{one.identity.device_id}.json"
        if not path.exists():
            one.sync.keys_export(path)
        other.sync.add_peer(path, one.sync.me().fingerprint)
    return office


def deliver(sender: Session, receiver: Session, folder: Path) -> None:
    """One bundle from `sender` to `receiver`, imported (it must be accepted)."""
    folder.mkdir(parents=True, exist_ok=True)
    (path,) = sender.sync.export(folder, receiver.identity.device_id)
    (outcome,) = receiver.sync.import_files([path])
    assert outcome.status == "imported", outcome.reason
