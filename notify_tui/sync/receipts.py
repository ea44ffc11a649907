"""Receipts: what each device holds of each chain, and since when.

Every bundle's manifest carries the sender's receipts: for each chain it holds that the
peer may be sent (a device's chain, or an office's chain for one LA: see
`notify_tui.store.vault.chain_for`), the highest sequence number held (chains are
gap-free, so 1..held_up_to) and when it first held that event. The manifest is signed,
so a receipt is the sender's signed word. The `device` columns below hold chain ids.

This vault keeps two logs (migration 2) and one table of statements (migration 9):

``sync_arrivals``
    when this vault first held each device's events up to a point (one row per
    import that advanced a chain) — the source of the receipts it sends;
``sync_receipts``
    every receipt peers sent (peer, device, held_up_to, received_at) — an LA's proof
    that the office received a notification (`receipt_for`), kept for good;
``sync_statements``
    each peer's latest statement: the receipts of the last bundle imported from it,
    per chain, and that bundle's manifest hash. Receipts are tied to the bundle that
    carried them: what a peer holds is what its latest bundle says (the next bundle to
    it carries the rest), not the most it ever said, so a peer restored from an old
    backup is sent again what it lost (`statement`).

The functions a service calls take the `Vault`; those run inside an import's
transaction (`record_arrivals`, `record_receipts`) take its connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from notify_tui.domain.chains import signing_device
from notify_tui.store.vault import Vault
from notify_tui.sync.bundle import Receipt
from notify_tui.sync.trust import Device, devices, may_hold


@dataclass(frozen=True)
class CaseHeld:
    """A peer's receipts cover a case's events: the last of them since `received_at`."""

    peer: Device
    received_at: str
    complete: bool
    """False while some event of the case held here is not yet acknowledged."""


@dataclass(frozen=True)
class DutySentHeld:
    """A peer's receipt covers the event that recorded a duty as sent."""

    peer: Device
    received_at: str
    event: str
    """The id of that `duty.sent` event."""


@dataclass(frozen=True)
class CaseReceipts:
    """Which peers acknowledged a case's events, and each duty's latest `sent` record."""

    case: tuple[CaseHeld, ...]
    duties: Mapping[str, tuple[DutySentHeld, ...]]
    """By duty id (sorted), the peers holding its latest `sent` record."""


@dataclass(frozen=True)
class LatestReceipt:
    """A peer's latest receipt for one chain: it holds events 1..`held_up_to`."""

    peer: str
    chain: str
    held_up_to: int
    received_at: str


def held_heads(vault: Vault) -> dict[str, int]:
    """The highest sequence number held of each chain."""
    return _held_heads(vault.db)


def _held_heads(db: sqlite_utils.Database) -> dict[str, int]:
    rows = db.execute("SELECT device, max(seq) FROM events GROUP BY device").fetchall()
    return {str(device): int(seq) for device, seq in rows}


def receipts_to_send(vault: Vault, only: Iterable[str] | None = None) -> list[Receipt]:
    """This vault's receipts (for the chains in `only`, when given)."""
    db = vault.db
    wanted = None if only is None else set(only)
    receipts: list[Receipt] = []
    for device, held in sorted(_held_heads(db).items()):
        if wanted is not None and device not in wanted:
            continue
        row = db.execute(
            "SELECT received_at FROM sync_arrivals WHERE device = ? AND held_up_to <= ? "
            "ORDER BY held_up_to DESC LIMIT 1",
            [device, held],
        ).fetchone()
        if row is None:  # recorded here (this device), not received: the event's own time
            row = db.execute(
                "SELECT at FROM events WHERE device = ? AND seq = ?", [device, held]
            ).fetchone()
        receipts.append(
            Receipt(device=device, held_up_to=held, received_at=datetime.fromisoformat(row[0]))
        )
    return receipts


def record_arrivals(db: sqlite_utils.Database, advanced: Mapping[str, int], now: datetime) -> None:
    """Log that this vault now holds each device's chain up to the given seq."""
    for device, held in advanced.items():
        db.execute(
            "INSERT OR IGNORE INTO sync_arrivals (device, held_up_to, received_at) "
            "VALUES (?, ?, ?)",
            [device, held, now.isoformat()],
        )


def record_receipts(db: sqlite_utils.Database, peer: str, receipts: Iterable[Receipt]) -> int:
    """Store a peer's receipts; return how many were new."""
    added = 0
    for receipt in receipts:
        cursor = db.execute(
            "INSERT OR IGNORE INTO sync_receipts (peer, device, held_up_to, received_at) "
            "VALUES (?, ?, ?, ?)",
            [peer, receipt.device, receipt.held_up_to, receipt.received_at.isoformat()],
        )
        added += cursor.rowcount if cursor.rowcount > 0 else 0
    return added


def record_statement(
    db: sqlite_utils.Database, peer: str, receipts: Iterable[Receipt], manifest_sha256: str
) -> None:
    """Make a bundle's receipts the peer's latest statement (replacing the one before)."""
    db.execute("DELETE FROM sync_statements WHERE peer = ?", [peer])
    for receipt in receipts:
        db.execute(
            "INSERT INTO sync_statements (peer, chain, held_up_to, manifest_sha256) "
            "VALUES (?, ?, ?, ?)",
            [peer, receipt.device, receipt.held_up_to, manifest_sha256],
        )


def statement(vault: Vault, peer: str) -> dict[str, int] | None:
    """What a peer holds, per chain, by its latest statement; None before its first bundle.

    A chain its latest bundle has no receipt for is a chain it holds none of. Before any
    bundle from it, nothing is known (see `notify_tui.sync.outbox.unacknowledged`).
    """
    db = vault.db
    rows = db.execute(
        "SELECT chain, held_up_to FROM sync_statements WHERE peer = ?", [peer]
    ).fetchall()
    if not rows:
        heard = db.execute("SELECT 1 FROM sync_imported WHERE sender = ? LIMIT 1", [peer])
        if heard.fetchone() is None:
            return None
    return {str(chain): int(held) for chain, held in rows}


def latest_receipts(vault: Vault) -> list[LatestReceipt]:
    """Each peer's latest receipt per chain, newest first (then by peer)."""
    rows = vault.db.execute(
        "SELECT r.peer, r.device, r.held_up_to, r.received_at FROM sync_receipts AS r "
        "WHERE r.held_up_to = (SELECT max(held_up_to) FROM sync_receipts "
        "WHERE peer = r.peer AND device = r.device) ORDER BY r.received_at DESC, r.peer"
    ).fetchall()
    return [
        LatestReceipt(
            peer=str(peer),
            chain=str(chain),
            held_up_to=int(held_up_to),
            received_at=str(received_at),
        )
        for peer, chain, held_up_to, received_at in rows
    ]


def _first_receipt(db: sqlite_utils.Database, peer: str, device: str, seq: int) -> str | None:
    row = db.execute(
        "SELECT min(received_at) FROM sync_receipts WHERE peer = ? AND device = ? "
        "AND held_up_to >= ?",
        [peer, device, seq],
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def _may_hold(known: Mapping[str, Device], peer: Device, chain: str) -> bool:
    """A receipt of `peer` about `chain` counts: an LA's only for chains it may hold."""
    if peer.role != "la":
        return True
    device = known.get(signing_device(chain))
    return device is not None and may_hold(peer, device, chain)


def receipt_for(vault: Vault, case_id: str) -> CaseReceipts:
    """Which peers acknowledged holding a case's events, and each duty's record.

    A `received_at` is the earliest time a peer's receipt covers the event (for the
    case: covers every event it acknowledged; `complete` says whether that is all the
    events held here).
    """
    db = vault.db
    known = devices(vault)
    peers = [device for device in known.values() if not device.is_self]
    rows = db.execute(
        "SELECT id, device, seq, type, body FROM events WHERE case_id = ? ORDER BY at, id",
        [case_id],
    ).fetchall()
    case_rows: list[CaseHeld] = []
    for peer in peers:
        times = [
            _first_receipt(db, peer.device_id, str(r[1]), int(r[2]))
            if _may_hold(known, peer, str(r[1]))
            else None
            for r in rows
        ]
        covered = [time for time in times if time is not None]
        if not covered:
            continue
        case_rows.append(CaseHeld(peer, max(covered), len(covered) == len(times)))
    latest: dict[str, tuple[str, str, int]] = {}
    for event_id, device, seq, event_type, body in rows:
        if event_type != "duty.sent":
            continue
        for change in json.loads(body)["changes"]:
            parts = str(change["field"]).split(".")
            if len(parts) == 3 and parts[0] == "duties" and parts[2] == "sent":
                latest[parts[1]] = (str(event_id), str(device), int(seq))
    duties: dict[str, tuple[DutySentHeld, ...]] = {}
    for duty_id, (event_id, device, seq) in sorted(latest.items()):
        entries: list[DutySentHeld] = []
        for peer in peers:
            if not _may_hold(known, peer, device):
                continue
            when = _first_receipt(db, peer.device_id, device, seq)
            if when is not None:
                entries.append(DutySentHeld(peer, when, event_id))
        duties[duty_id] = tuple(entries)
    return CaseReceipts(tuple(case_rows), duties)
