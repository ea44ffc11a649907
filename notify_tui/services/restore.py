"""Restore a backup, and follow the catch-up that comes after (for both shells).

`restore_vault` puts a backup in place of a vault folder (`notify_tui.store.restore`);
`catch_up_view` says where a restored vault stands: which peers have answered since,
and, once it has caught up, how many of this device's events came back and which were
lost (made after the backup and never sent), by case. `SyncService.catch_up` is the
verb the shells call on an open vault.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from notify_tui.clock import Clock, system_clock
from notify_tui.domain.chains import may_receive
from notify_tui.store import restore as store_restore
from notify_tui.store.backup import BACKUP_SUFFIX
from notify_tui.store.vault import Vault

__all__ = [
    "BACKUP_SUFFIX",
    "CatchUpView",
    "LostCase",
    "LostEvent",
    "PeerAnswer",
    "RestoreReport",
    "catch_up_view",
    "restore_vault",
]


@dataclass(frozen=True)
class RestoreReport:
    """What `restore` did."""

    home: Path
    device_id: str
    org: str
    role: str
    backup_created_at: str | None
    """When the backup was made (None for a backup older than `backup.json`)."""
    events: int
    replaced: Path | None
    """Where the vault that was in the folder now is (None when there was none)."""
    replaced_read: bool
    """Whether that vault could be read, so its events beyond the backup are known."""
    unsent: int
    """Events of this device it held beyond the backup (each comes back or is lost)."""

    def as_json(self) -> dict[str, object]:
        """A plain mapping for `--json`."""
        return {
            "home": str(self.home),
            "device_id": self.device_id,
            "org": self.org,
            "role": self.role,
            "backup_created_at": self.backup_created_at,
            "events": self.events,
            "replaced": None if self.replaced is None else str(self.replaced),
            "replaced_read": self.replaced_read,
            "unsent": self.unsent,
        }


@dataclass(frozen=True)
class LostEvent:
    """An event of this device made after the backup that no peer sent back."""

    chain: str
    seq: int
    event_id: str
    type: str
    at: str
    summary: str
    """What it did, in words (as the audit trail says it)."""


@dataclass(frozen=True)
class LostCase:
    """The lost events of one case."""

    case_id: str
    events: tuple[LostEvent, ...]


@dataclass(frozen=True)
class PeerAnswer:
    """A peer that may hold this device's events, and when it answered since the restore."""

    device_id: str
    org: str
    answered_at: str | None
    """None: no bundle from it has answered one made since the restore."""


@dataclass(frozen=True)
class CatchUpView:
    """Where a vault restored from a backup stands."""

    restored_at: str
    backup_created_at: str | None
    replaced: str | None
    replaced_read: bool
    caught_up_at: str | None
    """None while new changes are still refused."""
    ended_by_hand: bool
    returned: int | None
    """This device's events that came back from peers (known once caught up)."""
    peers: tuple[PeerAnswer, ...]
    unsent: int
    """Events of this device the replaced vault held beyond the backup."""
    lost: tuple[LostCase, ...] | None
    """Of those, the ones not held now, by case (None until caught up)."""

    @property
    def lost_events(self) -> int:
        """How many events were lost (0 until known)."""
        return sum(len(case.events) for case in self.lost or ())

    def as_json(self) -> dict[str, object]:
        """A plain mapping for `--json`."""
        return {
            "restored_at": self.restored_at,
            "backup_created_at": self.backup_created_at,
            "replaced": self.replaced,
            "replaced_read": self.replaced_read,
            "caught_up_at": self.caught_up_at,
            "ended_by_hand": self.ended_by_hand,
            "returned": self.returned,
            "peers": [
                {"device_id": p.device_id, "org": p.org, "answered_at": p.answered_at}
                for p in self.peers
            ],
            "unsent": self.unsent,
            "lost": None
            if self.lost is None
            else [
                {
                    "case": case.case_id,
                    "events": [
                        {
                            "chain": e.chain,
                            "seq": e.seq,
                            "id": e.event_id,
                            "type": e.type,
                            "at": e.at,
                            "summary": e.summary,
                        }
                        for e in case.events
                    ],
                }
                for case in self.lost
            ],
        }


def restore_vault(
    home: Path,
    source: Path,
    *,
    passphrase: str | None = None,
    recovery_code: str | None = None,
    replace: bool = False,
    clock: Clock | None = None,
    user: str | None = None,
) -> RestoreReport:
    """Restore the backup file `source` into the vault folder `home`, all or nothing.

    Refused in one line (nothing changed): a file that is not a backup, a passphrase or
    recovery code that does not open it, a damaged copy, a folder holding a vault
    without `replace`, or holding another vault."""
    clock = clock or system_clock()
    done = store_restore.restore(
        home.expanduser(),
        source.expanduser(),
        passphrase=passphrase,
        recovery_code=recovery_code,
        replace=replace,
        user=user,
        now=clock.now(),
    )
    return RestoreReport(
        home=done.home,
        device_id=done.device_id,
        org=done.org,
        role=done.role,
        backup_created_at=done.backup_created_at,
        events=done.events,
        replaced=done.replaced,
        replaced_read=done.replaced_read,
        unsent=done.unsent,
    )


def catch_up_view(vault: Vault) -> CatchUpView | None:
    """Where the vault stands after its last restore; None if it was never restored."""
    report = store_restore.catch_up_report(vault)
    if report is None:
        return None
    state = report.state
    me = vault.identity
    peers = tuple(
        PeerAnswer(device, org, state.answered_by.get(device))
        for device, org, role in report.peers
        if any(may_receive(role, org, chain, me.role, me.org) for chain in report.own_chains)
    )
    lost: tuple[LostCase, ...] | None = None
    if report.lost is not None:
        by_case: dict[str, list[LostEvent]] = {}
        for event in report.lost:
            lost_event = LostEvent(
                event.chain, event.seq, event.event_id, event.type, event.at, event.summary
            )
            by_case.setdefault(event.case_id, []).append(lost_event)
        lost = tuple(LostCase(case_id, tuple(events)) for case_id, events in by_case.items())
    return CatchUpView(
        restored_at=state.restored_at,
        backup_created_at=state.backup_created_at,
        replaced=state.replaced,
        replaced_read=state.replaced_read,
        caught_up_at=state.caught_up_at,
        ended_by_hand=state.ended_by_hand,
        returned=state.returned,
        peers=peers,
        unsent=report.unsent,
        lost=lost,
    )
