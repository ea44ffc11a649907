"""The vault: an encrypted database, its key slots, this device's identity, the event log.

A vault is a folder holding `vault.db` (SQLCipher, keyed with a random 256-bit data
key), `keyslots.json` (that key wrapped by the passphrase and by the recovery code) and
`vault.lock` (held by the one process that may write). Every change is an `Event`
appended to this device's hash chain and folded into the projection in the same
transaction.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import sqlite_utils
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from notify_tui.domain.chains import device_id_for, office_chain_id, signing_device
from notify_tui.errors import IntegrityError, VaultError
from notify_tui.store.connection import open_database, translate_errors
from notify_tui.store.events import Change, Event, EventBody
from notify_tui.store.keyslots import KEYSLOTS_FILE_NAME, Argon2Parameters, KeySlotFile
from notify_tui.store.lock import WriterLock
from notify_tui.store.migrations import migrate, pending
from notify_tui.store.projection import PARTNERSHIP_PREFIX, Projector, projection_hash, write_case

DATABASE_FILE = "vault.db"
Role = Literal["la", "office"]


@dataclass(frozen=True)
class ChainHead:
    """A chain's head as recorded beside the event log: its last event (migration 6).

    `seq` is also the chain's length: a chain is numbered 1, 2, 3… without gaps."""

    chain: str
    seq: int
    event_id: str
    case_id: str


@dataclass(frozen=True)
class Identity:
    """This device: its id, organisation, role, author name and keys."""

    device_id: str
    org: str
    role: Role
    author: str
    signing_key: Ed25519PrivateKey
    hpke_key: X25519PrivateKey

    @property
    def signing_public(self) -> Ed25519PublicKey:
        """The public half of the signing key."""
        return self.signing_key.public_key()


def _raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _raw_public_hex(key: Ed25519PublicKey | Any) -> str:
    raw: bytes = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def vault_exists(home: Path) -> bool:
    """Whether `home` holds a vault database."""
    return (home / DATABASE_FILE).exists()


class Vault:
    """An open, unlocked vault. Use `Vault.create` or `Vault.open`; close when done."""

    def __init__(
        self,
        home: Path,
        db: sqlite_utils.Database,
        data_key: bytes,
        lock: WriterLock | None,
    ) -> None:
        self.home = home
        self.db = db
        self._data_key: bytes | None = data_key
        self._lock = lock
        self.identity = self._load_identity()

    # -- opening and closing -------------------------------------------------------

    @classmethod
    def create(
        cls,
        home: Path,
        passphrase: str,
        *,
        org: str,
        role: Role,
        author: str,
        now: datetime,
        kdf: Argon2Parameters | None = None,
    ) -> tuple[Vault, str]:
        """Create a vault in `home`; return it (open for writing) and the recovery code."""
        if not org.strip():
            raise VaultError("give the organisation name (--la NAME or --name NAME)")
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        database = home / DATABASE_FILE
        slots = KeySlotFile(home / KEYSLOTS_FILE_NAME)
        if database.exists() or slots.exists():
            raise VaultError(f"a vault already exists in {home}; nothing was changed")
        lock = WriterLock(home)
        lock.acquire()
        data_key = secrets.token_bytes(32)
        created: list[Path] = []
        try:
            db = open_database(database, data_key, create=True)
            created.append(database)
            with translate_errors():
                migrate(db, now.isoformat())
                with db.atomic():
                    vault_id = uuid.uuid4().hex
                    db.table("meta").insert({"key": "vault_id", "value": vault_id})
                    signing = Ed25519PrivateKey.generate()
                    hpke = X25519PrivateKey.generate()
                    device_id = device_id_for(org)
                    db.table("identity").insert(
                        {
                            "device_id": device_id,
                            "org": org.strip(),
                            "role": role,
                            "author": author,
                            "signing_key": _raw_private(signing),
                            "hpke_key": _raw_private(hpke),
                            "created_at": now.isoformat(),
                        }
                    )
                    db.table("devices").insert(
                        {
                            "device_id": device_id,
                            "org": org.strip(),
                            "role": role,
                            "signing_public": _raw_public_hex(signing.public_key()),
                            "hpke_public": _raw_public_hex(hpke.public_key()),
                            "is_self": 1,
                            "revoked_at": None,
                            "added_at": now.isoformat(),
                        }
                    )
            recovery = slots.create(vault_id, data_key, passphrase, parameters=kdf)
        except BaseException:
            for path in (*created, slots.path):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            lock.release()
            raise
        return cls(home, db, data_key, lock), recovery

    @classmethod
    def open(
        cls,
        home: Path,
        *,
        passphrase: str | None = None,
        recovery_code: str | None = None,
        write: bool = True,
        now: datetime,
    ) -> Vault:
        """Unlock the vault in `home` with the passphrase or the recovery code.

        `now` is recorded as the time of any upgrade (migration) applied."""
        if not vault_exists(home):
            raise VaultError(f"no vault in {home}: run `notify-tui init` first, or pass --home")
        slots = KeySlotFile(home / KEYSLOTS_FILE_NAME)
        if not slots.exists():
            raise VaultError(
                f"{KEYSLOTS_FILE_NAME} is missing from {home}; restore it from a backup"
            )
        lock = WriterLock(home) if write else None
        if lock is not None:
            lock.acquire()
            remove_stale_temporaries(home)
        try:
            if recovery_code is not None:
                data_key = slots.unlock_with_recovery(recovery_code)
            else:
                data_key = slots.unlock_with_passphrase(passphrase or "")
            db = open_database(home / DATABASE_FILE, data_key)
            with translate_errors():
                if pending(db):
                    if not write:
                        raise VaultError("this vault needs an upgrade: run a writing command")
                    migrate(db, now.isoformat())
            return cls(home, db, data_key, lock)
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    @property
    def data_key(self) -> bytes:
        """The raw data key (for re-wrapping key slots); gone once closed."""
        if self._data_key is None:
            raise VaultError("the vault is locked")
        return self._data_key

    @property
    def writable(self) -> bool:
        """Whether this process holds the writer lock."""
        return self._lock is not None

    def close(self) -> None:
        """Close the database, drop the key, release the lock."""
        self._data_key = None
        try:
            self.db.conn.close()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def keyslots(self) -> KeySlotFile:
        """The key slot file beside the database."""
        return KeySlotFile(self.home / KEYSLOTS_FILE_NAME)

    def _load_identity(self) -> Identity:
        with translate_errors():
            row = self.db.execute(
                "SELECT device_id, org, role, author, signing_key, hpke_key FROM identity"
            ).fetchone()
        if row is None:
            raise IntegrityError("the vault has no device identity; restore it from backup")
        return Identity(
            device_id=row[0],
            org=row[1],
            role=row[2],
            author=row[3],
            signing_key=Ed25519PrivateKey.from_private_bytes(bytes(row[4])),
            hpke_key=X25519PrivateKey.from_private_bytes(bytes(row[5])),
        )

    # -- meta ----------------------------------------------------------------------

    def get_meta(self, key: str) -> Any:
        """A JSON value from the meta table (None when unset)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        """Store a JSON value in the meta table."""
        self.require_writer()
        with translate_errors(), self.db.atomic():
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value, sort_keys=True, default=str)],
            )

    # -- events --------------------------------------------------------------------

    def require_writer(self) -> None:
        """Refuse (`VaultError`) when this vault was opened read-only."""
        if self._lock is None:
            raise VaultError("this command opened the vault read-only; nothing was changed")

    def head(self, chain_id: str) -> tuple[int, str | None]:
        """The sequence number and id a chain's next event follows (see `chain_for`).

        Its recorded head (`recorded_head`), or the last event held when that is further
        on: a number once given to an event is never given to another, so an event
        deleted from the log stays a visible gap and no second event takes its place.
        """
        held = self.held_head(chain_id)
        recorded = self.recorded_head(chain_id)
        if recorded is None or held[0] >= recorded.seq:
            return held
        return recorded.seq, recorded.event_id

    def held_head(self, chain_id: str) -> tuple[int, str | None]:
        """The last sequence number and event id held of a chain in the event log."""
        row = self.db.execute(
            "SELECT seq, id FROM events WHERE device = ? ORDER BY seq DESC LIMIT 1", [chain_id]
        ).fetchone()
        return (0, None) if row is None else (int(row[0]), str(row[1]))

    def recorded_head(self, chain_id: str) -> ChainHead | None:
        """A chain's head as recorded beside the log (`chain_heads`), or None."""
        row = self.db.execute(
            "SELECT device, seq, id, case_id FROM chain_heads WHERE device = ?", [chain_id]
        ).fetchone()
        return (
            None if row is None else ChainHead(str(row[0]), int(row[1]), str(row[2]), str(row[3]))
        )

    def recorded_heads(self) -> list[ChainHead]:
        """Every chain's recorded head, by chain id."""
        rows = self.db.execute(
            "SELECT device, seq, id, case_id FROM chain_heads ORDER BY device"
        ).fetchall()
        return [ChainHead(str(r[0]), int(r[1]), str(r[2]), str(r[3])) for r in rows]

    def _advance_heads(self, heads: Mapping[str, Event]) -> None:
        """Move each chain's recorded head to the given event (never backwards).

        Call inside the transaction that inserted the events: one upsert per chain."""
        for chain, event in heads.items():
            self.db.execute(
                "INSERT INTO chain_heads (device, seq, id, case_id) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (device) DO UPDATE SET seq = excluded.seq, id = excluded.id, "
                "case_id = excluded.case_id WHERE excluded.seq > chain_heads.seq",
                [chain, event.seq, event.id, event.case],
            )

    def record(
        self,
        projector: Projector,
        entries: Iterable[tuple[str, str, Sequence[Change]]],
        now: datetime,
        check: Callable[[Event], None] | None = None,
    ) -> list[Event]:
        """Append events (case id, type, changes) from this device, in one transaction.

        Each is signed, chained to the previous one of its chain (`chain_for`, `head`),
        given to `check` (which raises to refuse it), stored (its chain's recorded head
        advanced with it), and folded into its case's projection before the transaction
        commits; nothing is written if any fails.
        """
        self.require_writer()
        identity = self.identity
        written: list[Event] = []
        with translate_errors(), self.db.atomic():
            heads: dict[str, tuple[int, str | None]] = {}
            newest: dict[str, Event] = {}
            touched: dict[str, list[Event]] = {}
            for case_id, event_type, changes in entries:
                chain = self.chain_for(case_id)
                seq, prev = heads[chain] if chain in heads else self.head(chain)
                body = EventBody(
                    device=chain,
                    seq=seq + 1,
                    prev=prev,
                    at=now,
                    author=identity.author,
                    org=identity.org,
                    case=case_id,
                    type=event_type,
                    changes=list(changes),
                )
                event = Event.create(body, identity.signing_key)
                if check is not None:
                    check(event)
                self._insert_event(event)
                heads[chain] = (event.seq, event.id)
                newest[chain] = event
                written.append(event)
                touched.setdefault(case_id, []).append(event)
            self._advance_heads(newest)
            for case_id, events in touched.items():
                if events[0].type == "case.created" and len(events) == 1:
                    # A brand-new case: its only event is in hand, no need to read it back.
                    write_case(self.db, *projector.case_rows(case_id, events))
                else:
                    self.project_case(projector, case_id)
        return written

    def chain_for(self, case_id: str) -> str:
        """The chain this device writes a case's events on.

        An LA device has one chain, its device id. An office device writes the
        partnership's own records (`AR-…`) on its device id and its steps on an LA's case
        on `office_chain_id(device, the case's creating org)`, so each LA can be sent its
        own cases' events and nothing about another LA's.
        """
        identity = self.identity
        if identity.role != "office" or case_id.startswith(PARTNERSHIP_PREFIX):
            return identity.device_id
        org = self.case_org(case_id)
        if org is None:
            raise VaultError(f"no case {case_id} here: its creation has not arrived")
        return office_chain_id(identity.device_id, org)

    def case_org(self, case_id: str) -> str | None:
        """The organisation that created a case (None when its creation is not held)."""
        row = self.db.execute("SELECT org FROM cases WHERE id = ?", [case_id]).fetchone()
        if row is not None:
            return str(row[0])
        row = self.db.execute(
            "SELECT body FROM events WHERE case_id = ? AND type = 'case.created' "
            "ORDER BY at, id LIMIT 1",
            [case_id],
        ).fetchone()
        return None if row is None else Event.model_validate_json(row[0]).org

    def _insert_event(self, event: Event) -> None:
        self.db.execute(
            "INSERT INTO events (id, device, seq, prev, at, case_id, type, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                event.id,
                event.device,
                event.seq,
                event.prev,
                event.at.isoformat(),
                event.case,
                event.type,
                event.to_json(),
            ],
        )

    def insert_foreign(
        self,
        projector: Projector,
        events: Sequence[Event],
        also: Callable[[sqlite_utils.Database], None] | None = None,
    ) -> list[str]:
        """Store already-checked events from other devices and refold their cases.

        One transaction: the events, their chains' recorded heads, whatever `also` writes
        (sync bookkeeping), and the projection of every touched case that has its
        `case.created` event. Nothing is written if any step fails. Returns the ids of the
        cases refolded.
        """
        self.require_writer()
        refolded: list[str] = []
        with translate_errors(), self.db.atomic():
            touched: dict[str, None] = {}
            newest: dict[str, Event] = {}
            for event in events:
                self._insert_event(event)
                touched[event.case] = None
                if event.device not in newest or event.seq > newest[event.device].seq:
                    newest[event.device] = event
            self._advance_heads(newest)
            if also is not None:
                also(self.db)
            for case_id in touched:
                created = self.db.execute(
                    "SELECT 1 FROM events WHERE case_id = ? AND type = 'case.created' LIMIT 1",
                    [case_id],
                ).fetchone()
                if created is not None:
                    self.project_case(projector, case_id)
                    refolded.append(case_id)
        return refolded

    def case_events(self, case_id: str) -> list[Event]:
        """Every event of a case, oldest first."""
        rows = self.db.execute(
            "SELECT body FROM events WHERE case_id = ? ORDER BY at, id", [case_id]
        ).fetchall()
        return [Event.model_validate_json(row[0]) for row in rows]

    def iter_events(self, device_id: str | None = None) -> Iterator[Event]:
        """Every event held (of one device, in chain order, when given)."""
        if device_id is None:
            cursor = self.db.execute("SELECT body FROM events ORDER BY device, seq")
        else:
            cursor = self.db.execute(
                "SELECT body FROM events WHERE device = ? ORDER BY seq", [device_id]
            )
        for row in cursor:
            yield Event.model_validate_json(row[0])

    def project_case(self, projector: Projector, case_id: str) -> None:
        """Refold one case from its events into the projection tables."""
        row, duties = projector.case_rows(case_id, self.case_events(case_id))
        write_case(self.db, row, duties)

    def reproject_all(self, projector: Projector) -> int:
        """Refold every case (after a settings or rule pack change)."""
        self.require_writer()
        case_ids = [r[0] for r in self.db.execute("SELECT DISTINCT case_id FROM events")]
        with translate_errors(), self.db.atomic():
            for case_id in case_ids:
                self.project_case(projector, case_id)
        return len(case_ids)

    def chains(self) -> list[str]:
        """Ids of every chain held, sorted."""
        return [
            str(r[0]) for r in self.db.execute("SELECT DISTINCT device FROM events ORDER BY device")
        ]

    def own_chains(self) -> list[str]:
        """Ids of this device's chains held (its own id and, for an office, per-LA ones)."""
        me = self.identity.device_id
        return [chain for chain in self.chains() if signing_device(chain) == me]

    def device_keys(self) -> dict[str, Ed25519PublicKey]:
        """Signing keys of every known device (this one included), by device id.

        Look a chain's key up with `signing_device(chain_id)`."""
        keys = {}
        for device_id, public_hex in self.db.execute(
            "SELECT device_id, signing_public FROM devices"
        ):
            keys[device_id] = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        return keys

    def projection_hash(self) -> str:
        """Hash of the projection tables (equal on converged replicas)."""
        return projection_hash(self.db)


def remove_stale_temporaries(home: Path) -> None:
    """Delete temp files a killed writer left (call only while holding the writer lock).

    `atomic_write_bytes` writes `.<name>.<random>.tmp` beside its target; one left behind
    holds only a wrapped key or an encrypted copy, but nothing should accumulate.
    """
    for leftover in home.glob(f".{KEYSLOTS_FILE_NAME}.*.tmp"):
        leftover.unlink(missing_ok=True)
