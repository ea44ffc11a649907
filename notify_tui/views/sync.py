"""What the sync screen shows.

No Textual here: the screen (`notify_tui.tui.screens.sync`) calls these and draws the
result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from notify_tui.domain.text import terminal_line
from notify_tui.services.sync import SyncService
from notify_tui.services.sync_types import ChainReceipt, PeerView, ReceiptView

RESULT_WORDS = {
    "imported": "accepted",
    "already imported": "already held",
    "refused": "REFUSED",
    "incomplete": "left in place (incomplete)",
    "for another device": "left in place (another device's)",
    "named twice": "named twice",
}
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
            device_id=peer.device_id,
            org=terminal_line(peer.org),
            role=peer.role,
            revoked_at=peer.revoked_at,
            added_at=peer.added_at,
            waiting=waiting.get(peer.device_id),
        )
        for peer in service.list_peers()
        if not peer.is_self
    ]
    return sorted(rows, key=lambda row: (row.revoked_at is not None, row.org, row.device_id))


def receipt_rows(
    receipts: Iterable[ChainReceipt], peers: Iterable[PeerView], me: str
) -> list[ReceiptRow]:
    """Each peer's latest receipt per chain (as `SyncService.latest_receipts` gives them).

    `peers` name the organisations (`SyncService.list_peers`); a chain of this device
    (`me`, its id) reads "this device", a device not known by its id.
    """
    orgs = {peer.device_id: terminal_line(peer.org) for peer in peers}
    return [
        ReceiptRow(
            peer=receipt.peer,
            peer_org=orgs.get(receipt.peer, receipt.peer),
            chain=receipt.chain,
            chain_owner=(
                "this device"
                if receipt.chain_device == me
                else orgs.get(receipt.chain_device, receipt.chain_device)
            ),
            held_up_to=receipt.held_up_to,
            received_at=receipt.received_at,
        )
        for receipt in receipts
    ]


def received_lines(receipt: ReceiptView) -> dict[str, list[str]]:
    """Per duty id, "received by {org} at {time}" for each peer holding its `sent` record.

    `receipt` is what `SyncService.receipt_for(case_id)` returns.
    """
    return {
        duty_id: [
            f"received by {terminal_line(entry.org)} at "
            f"{entry.received_at[:16].replace('T', ' ')} UTC"
            for entry in entries
        ]
        for duty_id, entries in receipt.duties.items()
    }
