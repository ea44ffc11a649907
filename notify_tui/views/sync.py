"""What the sync screen shows, and a folder import that runs one file at a time.

No Textual here: the screen (`notify_tui.tui.screens.sync`) calls these and draws the
result. `FolderImport` exists because the vault connection belongs to the UI thread
(sqlcipher3 refuses other threads), so the screen cannot hand a whole folder to a
background thread; instead it imports one file, lets the screen paint, then the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notify_tui.domain.chains import signing_device
from notify_tui.services.sync import ImportOutcome, SyncService

RESULT_WORDS = {"imported": "accepted", "already imported": "already held", "refused": "REFUSED"}
"""How an import outcome reads in the results table (refusals in capitals)."""


@dataclass(frozen=True)
class PeerRow:
    """One trusted (or revoked) device, with the events waiting to be sent to it."""

    device_id: str
    org: str
    role: str
    revoked_at: str | None
    added_at: str
    waiting: int | None
    """Events not yet acknowledged by the peer; None for a revoked peer (nothing is sent)."""


@dataclass(frozen=True)
class ReceiptRow:
    """A peer's latest receipt for one chain: it holds events 1..`held_up_to`."""

    peer: str
    peer_org: str
    chain: str
    chain_owner: str
    held_up_to: int
    received_at: str


def this_device(service: SyncService) -> dict[str, str]:
    """This device's id, organisation, role and signing key fingerprint."""
    me = service.me()
    return {
        "device_id": me.device_id,
        "org": me.org,
        "role": me.role,
        "fingerprint": me.fingerprint,
    }


def peer_rows(service: SyncService) -> list[PeerRow]:
    """Every peer (not this device), trusted first, with what waits for each."""
    waiting = service.pending_counts()
    rows = [
        PeerRow(
            device_id=str(peer["device_id"]),
            org=str(peer["org"]),
            role=str(peer["role"]),
            revoked_at=None if peer["revoked_at"] is None else str(peer["revoked_at"]),
            added_at=str(peer["added_at"]),
            waiting=waiting.get(str(peer["device_id"])),
        )
        for peer in service.list_peers()
        if not peer["is_self"]
    ]
    return sorted(rows, key=lambda row: (row.revoked_at is not None, row.org, row.device_id))


def receipt_rows(service: SyncService) -> list[ReceiptRow]:
    """Each peer's latest receipt per chain: what it says it holds, and since when."""
    peers = {str(p["device_id"]): p for p in service.list_peers()}
    me = service.me().device_id
    rows = service.owner.run(
        lambda: service.vault.db.execute(
            "SELECT r.peer, r.device, r.held_up_to, r.received_at FROM sync_receipts AS r "
            "WHERE r.held_up_to = (SELECT max(held_up_to) FROM sync_receipts "
            "WHERE peer = r.peer AND device = r.device) ORDER BY r.received_at DESC, r.peer"
        ).fetchall()
    )
    receipts = []
    for peer, chain, held_up_to, received_at in rows:
        owner = signing_device(str(chain))
        owner_org = "this device" if owner == me else str(peers.get(owner, {}).get("org", owner))
        receipts.append(
            ReceiptRow(
                peer=str(peer),
                peer_org=str(peers.get(str(peer), {}).get("org", peer)),
                chain=str(chain),
                chain_owner=owner_org,
                held_up_to=int(held_up_to),
                received_at=str(received_at),
            )
        )
    return receipts


class FolderImport:
    """Import a folder's bundles one file per step, as `SyncService.import_from_dir` does.

    Iterating imports the next file and yields its outcome (a refused file may be
    tried again, so it can yield more than once; its last outcome counts). When every
    file is done, each is moved to `done/` or `rejected/` exactly like the CLI's import.
    """

    def __init__(self, service: SyncService, directory: Path) -> None:
        self.service = service
        self.directory = directory.expanduser()
        self.paths = service.bundle_files(self.directory)
        self.outcomes: dict[Path, ImportOutcome] = {}

    @property
    def total(self) -> int:
        """How many bundle files the folder holds."""
        return len(self.paths)

    def __iter__(self) -> Iterator[ImportOutcome]:
        for outcome in self.service.iter_import(self.paths):
            self.outcomes[outcome.path] = outcome
            yield outcome
        self.service.file_away(self.directory, self.outcomes.values())


def received_lines(receipt: dict[str, Any]) -> dict[str, list[str]]:
    """Per duty id, "received by {org} at {time}" for each peer holding its `sent` record.

    `receipt` is what `SyncService.receipt_for(case_id)` returns.
    """
    return {
        duty_id: [
            f"received by {entry['org']} at {str(entry['received_at'])[:16].replace('T', ' ')} UTC"
            for entry in entries
        ]
        for duty_id, entries in (receipt.get("duties") or {}).items()
    }
