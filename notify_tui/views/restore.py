"""What a restored vault's catch-up looks like in words (CLI `catch-up`, `import`, the TUI).

No Textual here: `notify-tui catch-up` prints `catch_up_lines`, `import` prints them when
an import ends the catch-up, and the sync screen shows `catch_up_banner`.
"""

from __future__ import annotations

from notify_tui.services.restore import CatchUpView


def catch_up_lines(view: CatchUpView) -> list[str]:
    """The `catch-up` report in words."""
    made = f" (made {view.backup_created_at})" if view.backup_created_at else ""
    lines = [f"Restored from a backup{made} on {view.restored_at}."]
    if view.caught_up_at is None:
        lines.append("Catching up: changes are refused until a peer below answers.")
    elif view.ended_by_hand:
        lines.append(f"Catch-up ended by hand on {view.caught_up_at}.")
    else:
        lines.append(
            f"Caught up on {view.caught_up_at}: {view.returned} event(s) of this device "
            "came back from peers."
        )
    for peer in view.peers:
        answered = f"answered {peer.answered_at}" if peer.answered_at else "has not answered yet"
        lines.append(f"  {peer.org} ({peer.device_id}): {answered}")
    if not view.peers:
        lines.append("  No trusted peer may hold this device's events: add the office first.")
    if not view.replaced_read:
        lines.append(
            "The vault replaced could not be read (or there was none): events made after the "
            "backup that never reached a peer cannot be listed."
        )
    elif view.lost is None:
        lines.append(
            f"{view.unsent} event(s) of this device were made after the backup: each comes "
            "back from a peer that holds it, or is listed here as lost once caught up."
        )
    elif not view.lost:
        lines.append("Nothing was lost: every event made after the backup came back.")
    else:
        lines.append(
            f"Lost (made after the backup, never sent): {view.lost_events} event(s) in "
            f"{len(view.lost)} case(s); record them again:"
        )
        for case in view.lost:
            lines.append(f"  {case.case_id}:")
            for event in case.events:
                lines.append(f"    #{event.seq} {event.at[:16]} {event.summary}")
    return lines


def catch_up_banner(view: CatchUpView | None) -> str | None:
    """One line for the sync screen: the catch-up in progress, or what it lost; else None."""
    if view is None:
        return None
    if view.caught_up_at is None:
        waiting = ", ".join(p.org for p in view.peers if p.answered_at is None) or "a peer"
        return (
            f"Restored from a backup on {view.restored_at[:10]}: changes are refused until "
            f"{waiting} answers. Export (x), give the bundle to the office, import its reply (i)."
        )
    if view.lost:
        cases = ", ".join(case.case_id for case in view.lost)
        return (
            f"Caught up after the restore; {view.lost_events} event(s) made after the backup "
            f"were never sent and are lost, in {cases}: record them again "
            "(`notify-tui catch-up` lists them)."
        )
    return None
