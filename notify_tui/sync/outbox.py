"""The outbox: what a peer may receive, what it still lacks, and what was sent to it.

A peer receives whole chain suffixes: for each chain it may see (`visible_chains`),
the events after the last one its latest statement says it holds
(`notify_tui.sync.receipts.statement`). Each bundle made for a peer is numbered, names
the manifest hash of the one before it, and names the last bundle imported from the peer
(`answers`: the receipts it carries are this vault's word as of that bundle);
`sync_sent` (migration 2) keeps that bookkeeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from notify_tui.domain.chains import may_receive, signing_device
from notify_tui.store.events import Event
from notify_tui.store.vault import Vault
from notify_tui.sync import receipts
from notify_tui.sync.bundle import StoredLine
from notify_tui.sync.trust import Device, devices


@dataclass(frozen=True)
class SentBundle:
    """The last bundle made for a peer: its number and manifest hash."""

    seq: int
    manifest_sha256: str


@dataclass(frozen=True)
class Answered:
    """The last bundle imported from a peer: the one a bundle to it answers."""

    seq: int
    manifest_sha256: str


def visible_chains(vault: Vault, peer: Device) -> set[str]:
    """The chains held that a peer may receive.

    An office receives every chain held (it relays). An LA receives the chains of LA
    devices of its own organisation and the office devices' chains for its cases
    (`office_chain_id(office, its org)`), never an office's own chain (the
    partnership's records) nor anything about another LA's cases.
    """
    known = devices(vault)
    held = vault.chains()
    if peer.role == "office":
        return set(held)
    visible: set[str] = set()
    for chain in held:
        device = known.get(signing_device(chain))
        if device is not None and may_receive(peer.role, peer.org, chain, device.role, device.org):
            visible.add(chain)
    return visible


def unacknowledged(vault: Vault, peer: Device) -> list[tuple[str, int]]:
    """(chain, last seq the peer holds) for each chain with events it lacks, by chain.

    What the peer holds is its latest statement (the receipts of the last bundle
    imported from it), so a peer that went back to an old backup is sent what it lost,
    its own events included. Before any bundle from it, a peer is taken to hold its own
    chains and none of the others.
    """
    stated = receipts.statement(vault, peer.device_id)
    visible = visible_chains(vault, peer)
    ranges: list[tuple[str, int]] = []
    for chain, held in sorted(receipts.held_heads(vault).items()):
        if chain not in visible:
            continue
        if stated is None and signing_device(chain) == peer.device_id:
            continue  # a peer holds its own events until it says otherwise
        start = 0 if stated is None else stated.get(chain, 0)
        if start < held:
            ranges.append((chain, start))
    return ranges


def events_for(vault: Vault, peer: Device) -> list[Event]:
    """The events a peer has not acknowledged (whole chain suffixes only)."""
    events: list[Event] = []
    for chain, start in unacknowledged(vault, peer):
        rows = vault.db.execute(
            "SELECT body FROM events WHERE device = ? AND seq > ? ORDER BY seq",
            [chain, start],
        ).fetchall()
        events.extend(Event.model_validate_json(row[0]) for row in rows)
    return events


def stored_lines_for(vault: Vault, peer: Device) -> list[tuple[str, Iterator[StoredLine]]]:
    """What `events_for` selects, as stored: per chain, its events' seq, id and stored
    canonical bytes, read as they are consumed (nothing parsed, nothing held)."""
    return [
        (chain, _stored_lines(vault, chain, start)) for chain, start in unacknowledged(vault, peer)
    ]


def _stored_lines(vault: Vault, chain: str, start: int) -> Iterator[StoredLine]:
    cursor = vault.db.execute(
        "SELECT seq, id, body FROM events WHERE device = ? AND seq > ? ORDER BY seq",
        [chain, start],
    )
    for seq, event_id, body in cursor:
        yield int(seq), str(event_id), body.encode("utf-8")


def pending_count(vault: Vault, peer: Device) -> int:
    """How many events a peer has not acknowledged (counted, not loaded)."""
    return sum(
        int(
            vault.db.execute(
                "SELECT count(*) FROM events WHERE device = ? AND seq > ?", [chain, start]
            ).fetchone()[0]
        )
        for chain, start in unacknowledged(vault, peer)
    )


def answered(vault: Vault, peer: str) -> Answered | None:
    """The last bundle imported from a peer (by import order), or None before the first."""
    row = vault.db.execute(
        "SELECT seq, manifest_sha256 FROM sync_imported WHERE sender = ? "
        "ORDER BY rowid DESC LIMIT 1",
        [peer],
    ).fetchone()
    return None if row is None else Answered(int(row[0]), str(row[1]))


def last_sent(vault: Vault, peer: str) -> SentBundle | None:
    """The last bundle made for a peer, or None before the first."""
    row = vault.db.execute(
        "SELECT seq, manifest_sha256 FROM sync_sent WHERE peer = ? ORDER BY seq DESC LIMIT 1",
        [peer],
    ).fetchone()
    return None if row is None else SentBundle(int(row[0]), str(row[1]))


def record_sent(
    vault: Vault,
    peer: str,
    seq: int,
    manifest_sha256: str,
    created_at: datetime,
    events: int,
    made_by: str | None = None,
) -> None:
    """Log a bundle made for a peer, and who made it (in its own transaction), before its
    file is written: a crash in between skips a number, never gives one to two bundles."""
    db = vault.db
    with db.atomic():
        db.execute(
            "INSERT INTO sync_sent (peer, seq, manifest_sha256, created_at, events, made_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [peer, seq, manifest_sha256, created_at.isoformat(), events, made_by],
        )


def forget_sent(vault: Vault, peer: str, seq: int) -> None:
    """Drop the log of a bundle whose file could not be written (its number is reused)."""
    db = vault.db
    with db.atomic():
        db.execute("DELETE FROM sync_sent WHERE peer = ? AND seq = ?", [peer, seq])
