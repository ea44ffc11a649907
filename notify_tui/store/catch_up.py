"""After a restore: catching up with the peers, and the guard that keeps a chain whole.

A vault restored from a backup (`notify_tui.store.restore`) holds this device's chains
as they were when the backup was made. Its peers may hold more of them: events made
after the backup and sent before the vault was lost. A new event written now would take
the number of one of those, forking the chain, and every peer would refuse it. So:

- `restore` writes the meta key `restored` (`begin`): until every chain of this device
  is *released*, no new event is written on it (`refusal`, called by `Vault.record`).
- Export still works: its receipts say how far the restored vault holds its own chains,
  and a peer sends back what it holds beyond that (`notify_tui.sync.outbox`).
- An import from a peer whose bundle *answers* a bundle this vault made since the
  restore (the manifest's `answers`: the last bundle the peer had imported from this
  one) shows that the peer has seen where this vault stands; its events are applied in
  the same transaction. That releases every chain of this device the peer may hold
  (`note_answer`). When all are released the vault has caught up (`caught_up_at`).
- Apart from a restore, a peer's latest statement (`sync_statements`, migration 9) that
  it holds more of one of this device's chains than this vault does also stops new
  events on that chain, whatever made the vault go back (a folder copied by hand, say).

What the vault replaced held of this device's chains beyond the backup (when it could
be read) is kept as the `restored_unsent` meta value: after the catch-up, those of them
that did not come back were made after the backup and never reached a peer; they are
lost, and `lost_events` lists them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from notify_tui.domain.chains import chain_suffix, may_receive, signing_device

RESTORED_META_KEY = "restored"
"""The meta key of the catch-up after a restore (small JSON, read on every write)."""

UNSENT_META_KEY = "restored_unsent"
"""The meta key listing the replaced vault's events of this device beyond the backup."""

CATCH_UP_HELP = "docs/vault.md, Restoring a backup"


@dataclass(frozen=True)
class UnsentEvent:
    """An event of this device that the replaced vault held and the backup did not."""

    chain: str
    seq: int
    event_id: str
    case_id: str
    type: str
    at: str
    author: str
    summary: str
    """The event in words, as the audit trail shows it."""


@dataclass(frozen=True)
class CatchUp:
    """Where a restored vault stands (the `restored` meta value)."""

    restored_at: str
    backup_created_at: str | None
    replaced: str | None
    """The folder (inside the vault's home) the replaced vault was moved to, if any."""
    replaced_read: bool
    """Whether the replaced vault could be read (so its unsent events are known)."""
    backup_heads: Mapping[str, int]
    """This device's chains in the backup: the last sequence number of each."""
    sent_rowid: int
    """Bundles this vault logs as made (`sync_sent` rowids) above this are since the restore."""
    answered_by: Mapping[str, str]
    """Peers whose bundle answered one made since the restore, and when it was imported."""
    caught_up_at: str | None
    ended_by_hand: bool
    returned: int | None
    """Events of this device's chains that came back from peers (known once caught up)."""

    @property
    def caught_up(self) -> bool:
        """Whether new events may be written again."""
        return self.caught_up_at is not None

    def as_json(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "restored_at": self.restored_at,
            "backup_created_at": self.backup_created_at,
            "replaced": self.replaced,
            "replaced_read": self.replaced_read,
            "backup_heads": dict(sorted(self.backup_heads.items())),
            "sent_rowid": self.sent_rowid,
            "answered_by": dict(sorted(self.answered_by.items())),
            "caught_up_at": self.caught_up_at,
            "ended_by_hand": self.ended_by_hand,
            "returned": self.returned,
        }


def _get_meta(db: sqlite_utils.Database, key: str) -> Any:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else json.loads(row[0])


def _set_meta(db: sqlite_utils.Database, key: str, value: Any) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, json.dumps(value, sort_keys=True)],
    )


def load(db: sqlite_utils.Database) -> CatchUp | None:
    """The catch-up of the last restore into this vault, or None."""
    value = _get_meta(db, RESTORED_META_KEY)
    if not isinstance(value, dict):
        return None
    return CatchUp(
        restored_at=str(value["restored_at"]),
        backup_created_at=value.get("backup_created_at"),
        replaced=value.get("replaced"),
        replaced_read=bool(value.get("replaced_read")),
        backup_heads={str(k): int(v) for k, v in dict(value.get("backup_heads", {})).items()},
        sent_rowid=int(value.get("sent_rowid", 0)),
        answered_by={str(k): str(v) for k, v in dict(value.get("answered_by", {})).items()},
        caught_up_at=value.get("caught_up_at"),
        ended_by_hand=bool(value.get("ended_by_hand")),
        returned=value.get("returned"),
    )


def _me(db: sqlite_utils.Database) -> tuple[str, str, str]:
    row = db.execute("SELECT device_id, org, role FROM identity").fetchone()
    return str(row[0]), str(row[1]), str(row[2])


def _own_heads(db: sqlite_utils.Database, me: str) -> dict[str, int]:
    rows = db.execute("SELECT device, max(seq) FROM events GROUP BY device").fetchall()
    return {str(chain): int(seq) for chain, seq in rows if signing_device(str(chain)) == me}


def begin(
    db: sqlite_utils.Database,
    *,
    restored_at: datetime,
    backup_created_at: str | None,
    replaced: str | None,
    replaced_read: bool,
    unsent: Sequence[UnsentEvent],
) -> CatchUp:
    """Start the catch-up of a vault just restored (call inside a transaction)."""
    me, _, _ = _me(db)
    sent = db.execute("SELECT coalesce(max(rowid), 0) FROM sync_sent").fetchone()[0]
    state = CatchUp(
        restored_at=restored_at.isoformat(),
        backup_created_at=backup_created_at,
        replaced=replaced,
        replaced_read=replaced_read,
        backup_heads=_own_heads(db, me),
        sent_rowid=int(sent),
        answered_by={},
        caught_up_at=None,
        ended_by_hand=False,
        returned=None,
    )
    _set_meta(db, RESTORED_META_KEY, state.as_json())
    _set_meta(
        db,
        UNSENT_META_KEY,
        [
            [e.chain, e.seq, e.event_id, e.case_id, e.type, e.at, e.author, e.summary]
            for e in unsent
        ],
    )
    return state


def unsent_events(db: sqlite_utils.Database) -> list[UnsentEvent]:
    """The replaced vault's events of this device beyond the backup (as `begin` kept them)."""
    value = _get_meta(db, UNSENT_META_KEY) or []
    return [
        UnsentEvent(str(c), int(s), str(i), str(k), str(t), str(a), str(w), str(m))
        for c, s, i, k, t, a, w, m in value
    ]


def lost_events(db: sqlite_utils.Database) -> list[UnsentEvent]:
    """The unsent events not held now (after the catch-up: lost), by case then number."""
    lost = [
        event
        for event in unsent_events(db)
        if db.execute("SELECT 1 FROM events WHERE id = ?", [event.event_id]).fetchone() is None
    ]
    return sorted(lost, key=lambda e: (e.case_id, e.chain, e.seq))


@dataclass(frozen=True)
class _Peer:
    device_id: str
    org: str
    role: str


def _peers(db: sqlite_utils.Database) -> dict[str, _Peer]:
    rows = db.execute(
        "SELECT device_id, org, role FROM devices WHERE is_self = 0 AND revoked_at IS NULL"
    ).fetchall()
    return {str(r[0]): _Peer(str(r[0]), str(r[1]), str(r[2])) for r in rows}


def _released(
    chain: str, state: CatchUp, me: tuple[str, str, str], peers: Mapping[str, _Peer]
) -> bool:
    """Whether a chain of this device may take new events again during a catch-up.

    Some peer that may hold it answered a bundle made since the restore; or it is an
    office's own chain (the partnership's records, sent only to other offices) and no
    other office is trusted.
    """
    _, org, role = me
    for peer_id in state.answered_by:
        peer = peers.get(peer_id)
        if peer is not None and may_receive(peer.role, peer.org, chain, role, org):
            return True
    return (
        role == "office"
        and chain_suffix(chain) is None
        and not any(peer.role == "office" for peer in peers.values())
    )


def refusal(db: sqlite_utils.Database, chains: Iterable[str]) -> str | None:
    """Why new events may not be written on these chains of this device now, or None."""
    me = _me(db)
    state = load(db)
    wanted = sorted(set(chains))
    if state is not None and not state.caught_up:
        peers = _peers(db)
        for chain in wanted:
            if not _released(chain, state, me, peers):
                return (
                    f"this vault was restored from a backup on {state.restored_at[:10]} and "
                    "has not caught up yet: nothing was changed. Export, let the peer (an "
                    "LA's office) import the bundle and export its reply, then import that "
                    f"reply, so that new changes cannot fork this device's chain ({CATCH_UP_HELP}; "
                    "`notify-tui catch-up` shows where it stands)"
                )
    for chain in wanted:
        ahead = db.execute(
            "SELECT s.peer, coalesce(d.org, s.peer), s.held_up_to FROM sync_statements AS s "
            "LEFT JOIN devices AS d ON d.device_id = s.peer "
            "WHERE s.chain = ? ORDER BY s.held_up_to DESC, s.peer LIMIT 1",
            [chain],
        ).fetchone()
        if ahead is None:
            continue
        held = db.execute("SELECT coalesce(max(seq), 0) FROM events WHERE device = ?", [chain])
        ours = int(held.fetchone()[0])
        if int(ahead[2]) > ours:
            which = "" if chain == me[0] else f" (chain {chain})"
            return (
                f"{ahead[1]} ({ahead[0]}) holds events 1–{ahead[2]} of this device{which} but "
                f"this vault only 1–{ours} (restored from an old backup?): nothing was "
                "changed; export to it and import its reply first, so that new changes "
                f"cannot fork the chain ({CATCH_UP_HELP})"
            )
    return None


def note_answer(
    db: sqlite_utils.Database, sender: str, answers_sha256: str | None, now: datetime
) -> CatchUp | None:
    """During an import from `sender`: record an answer to a bundle made since the restore.

    Call inside the import's transaction, after its events and the sender's statement
    are written. When every chain of this device is released, the catch-up ends here.
    Returns the state when it changed, else None.
    """
    state = load(db)
    if state is None or state.caught_up or answers_sha256 is None:
        return None
    row = db.execute(
        "SELECT 1 FROM sync_sent WHERE peer = ? AND manifest_sha256 = ? AND rowid > ?",
        [sender, answers_sha256, state.sent_rowid],
    ).fetchone()
    if row is None:
        return None  # it answers a bundle from before the restore: its word may be stale
    answered = {**state.answered_by, sender: now.isoformat()}
    state = _with(state, answered_by=answered)
    me = _me(db)
    peers = _peers(db)
    chains = set(_own_heads(db, me[0])) | set(state.backup_heads)
    chains |= {event.chain for event in unsent_events(db)}
    if all(_released(chain, state, me, peers) for chain in chains):
        state = _finish(db, state, now, by_hand=False)
    _set_meta(db, RESTORED_META_KEY, state.as_json())
    return state


def end_by_hand(db: sqlite_utils.Database, now: datetime) -> CatchUp | None:
    """End the catch-up without an answer (when no peer holds this device's events)."""
    state = load(db)
    if state is None or state.caught_up:
        return state
    state = _finish(db, state, now, by_hand=True)
    _set_meta(db, RESTORED_META_KEY, state.as_json())
    return state


def _finish(db: sqlite_utils.Database, state: CatchUp, now: datetime, *, by_hand: bool) -> CatchUp:
    me = _me(db)[0]
    heads = _own_heads(db, me)
    returned = sum(max(0, seq - state.backup_heads.get(chain, 0)) for chain, seq in heads.items())
    return _with(state, caught_up_at=now.isoformat(), ended_by_hand=by_hand, returned=returned)


def _with(state: CatchUp, **changes: Any) -> CatchUp:
    values = {**state.as_json(), **changes}
    return CatchUp(
        restored_at=values["restored_at"],
        backup_created_at=values["backup_created_at"],
        replaced=values["replaced"],
        replaced_read=values["replaced_read"],
        backup_heads=values["backup_heads"],
        sent_rowid=values["sent_rowid"],
        answered_by=values["answered_by"],
        caught_up_at=values["caught_up_at"],
        ended_by_hand=values["ended_by_hand"],
        returned=values["returned"],
    )
