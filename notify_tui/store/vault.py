"""The vault: an encrypted database, its key slots, this device's identity, the event log.

A vault is a folder holding `vault.db` (SQLCipher, keyed with a random 256-bit data
key), `keyslots.json` (that key wrapped by the passphrase and by the recovery code) and
`vault.lock` (held by the one process that may write). Every change is an `Event`
appended to this device's hash chain and folded into the projection in the same
transaction.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import sqlite_utils
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from notify_tui.domain.chains import device_id_for, office_chain_id, signing_device
from notify_tui.domain.models import Case
from notify_tui.domain.people import (
    LOG_ENTRY_TYPES,
    NON_STATE_TYPES,
    VAULT_LOG,
    display_name,
    name_problem,
)
from notify_tui.errors import IntegrityError, InvalidInput, VaultError, WrongPassphrase
from notify_tui.store import catch_up, erasure, restore_journal
from notify_tui.store import users as user_table
from notify_tui.store.connection import encrypted_copy, open_database, translate_errors
from notify_tui.store.events import Change, Event, EventBody
from notify_tui.store.keyslots import (
    KEYSLOTS_FILE_NAME,
    WRONG_PASSPHRASE_MESSAGE,
    Argon2Parameters,
    KeySlotFile,
    Unlocked,
    user_id_for,
)
from notify_tui.store.lock import WriterLock
from notify_tui.store.migrations import migrate, pending
from notify_tui.store.private_files import sync_directory
from notify_tui.store.projection import (
    PARTNERSHIP_PREFIX,
    Projector,
    projection_hash,
    write_case,
    write_cases,
)

DATABASE_FILE = "vault.db"
REKEY_FILE = "vault.db.rekey"
"""The re-encrypted copy a re-key writes before it replaces the database."""
REKEY_DUE_META_KEY = "rekey_due"
"""Set (with the reason) in the transaction that removes a user; cleared once the
database is re-keyed, so a re-key interrupted before it began is done on the next
writing open."""
BACKUP_COPY_PREFIX = ".backup-"
"""`backup` makes its encrypted copy in the home as `.backup-<pid>-<random>.db` first."""
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
    """This device: its id, organisation, role, first user's name and keys.

    `author` is the name given at `init` (the vault's first user); events carry the
    name of the user who unlocked the vault (`Vault.user`)."""

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
    """Whether `home` holds a vault database (or an interrupted restore of one)."""
    return (home / DATABASE_FILE).exists() or restore_journal.pending(home)


def finish_interrupted_restore(home: Path) -> None:
    """Finish a restore killed after its commit point (`restore_journal`), if any.

    Takes the writer lock for the moment (a process holding it is refused as usual).
    """
    if restore_journal.pending(home):
        with WriterLock(home):
            try:
                restore_journal.finish(home)
            except OSError as error:
                raise VaultError(
                    f"a restore into {home} was interrupted and cannot be finished "
                    f"({error.strerror}); check the folder's permissions and free space"
                ) from None


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
        self.user: user_table.User | None = user_table.find_user(db, self.identity.author)
        """Who unlocked the vault (set by `open`); None in a recovery session until a user
        is named."""
        self.opened_with: str = "passphrase"
        """How the vault was unlocked: "passphrase", "recovery" (the code) or "shares"."""

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
        problem = name_problem(author)
        if problem is not None:
            raise InvalidInput(f"--user: {problem}")
        author = display_name(author)
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        finish_interrupted_restore(home)
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
                    user_table.put_user(db, author, "admin", now=now.isoformat(), by=author)
            recovery = slots.create(vault_id, data_key, passphrase, user=author, parameters=kdf)
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
        user: str | None = None,
        recovery_code: str | None = None,
        shares: list[str] | None = None,
        write: bool = True,
        now: datetime,
    ) -> Vault:
        """Unlock the vault in `home` with a user's passphrase, the recovery code or shares.

        With a passphrase, `user` names whose it is (required when the vault has several
        users, see `KeySlotFile.summary`); the vault's `user` is then that user. With the
        recovery code or shares, `user` (optional) names the user the session acts for,
        typically to give them a new passphrase. `now` is recorded as the time of any
        upgrade (migration) applied. A writing open also finishes an interrupted re-key.
        """
        finish_interrupted_restore(home)
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
                unlocked = slots.unlock_with_recovery(recovery_code)
            elif shares is not None:
                unlocked = slots.unlock_with_shares(shares)
            else:
                if user is None and _passphrase_users(slots) > 1:
                    raise VaultError(
                        "this vault has several users: say who you are with --user NAME "
                        "(or NOTIFY_TUI_USER)"
                    )
                unlocked = slots.unlock_with_passphrase(passphrase or "", user=user)
            vault = cls._open_keyed(home, unlocked.data_keys, lock, write=write, now=now)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        try:
            vault.opened_with = unlocked.kind
            vault.user = vault._who(unlocked, user)
            if write:
                if unlocked.kind == "passphrase" and unlocked.user_id is None and vault.user:
                    # A version 1 key slot file: its one slot becomes this (first) user's.
                    slots.unlock_with_passphrase(passphrase or "", upgrade_as=vault.user.name)
                vault._finish_rekey(unlocked)
        except BaseException:
            vault.close()
            raise
        return vault

    @classmethod
    def open_with_key(cls, home: Path, data_key: bytes, *, now: datetime) -> Vault:
        """Open the vault in `home` for writing with a data key already unwrapped.

        For a restore, which unwraps the key once to check the backup and then prepares
        the copy (`notify_tui.store.restore`)."""
        lock = WriterLock(home)
        lock.acquire()
        try:
            return cls._open_keyed(home, (data_key,), lock, write=True, now=now)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _open_keyed(
        cls,
        home: Path,
        keys: Sequence[bytes],
        lock: WriterLock | None,
        *,
        write: bool,
        now: datetime,
    ) -> Vault:
        """Open the database with the first of `keys` it takes (two during a re-key)."""
        db, data_key = _open_with_any(home / DATABASE_FILE, keys)
        try:
            with translate_errors():
                if pending(db):
                    if not write:
                        db.conn.close()
                        raise VaultError("this vault needs an upgrade: run a writing command")
                    migrate(db, now.isoformat())
            return cls(home, db, data_key, lock)
        except BaseException:
            db.conn.close()
            raise

    def _who(self, unlocked: Unlocked, named: str | None) -> user_table.User | None:
        """The user this unlock is for (see `open`); refuse one who is not a user."""
        if unlocked.kind != "passphrase":
            if named is None:
                return None
            found = user_table.find_user(self.db, named)
            if found is None or not found.active:
                raise VaultError(f"{display_name(named)} is not a user of this vault")
            return found
        vault_id = self.vault_id
        if unlocked.user_id is None:
            # A version 1 slot: the vault's first user's.
            found = user_table.find_user(self.db, self.identity.author)
            if named is not None and (
                found is None or user_id_for(vault_id, named) != user_id_for(vault_id, found.name)
            ):
                raise WrongPassphrase(WRONG_PASSPHRASE_MESSAGE)
        else:
            found = next(
                (
                    u
                    for u in user_table.all_users(self.db)
                    if user_id_for(vault_id, u.name) == unlocked.user_id
                ),
                None,
            )
        if found is None or not found.active:
            raise VaultError(
                "this passphrase belongs to someone who is no longer a user of this vault; "
                "ask an admin"
            )
        return found

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

    @property
    def vault_id(self) -> str:
        """The vault's random id (also in the key slot file, binding it to this vault)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
        if row is None:
            raise IntegrityError("the vault has no id; restore it from a backup")
        return str(row[0])

    @property
    def author(self) -> str:
        """The name events are recorded under: the user who unlocked the vault."""
        if self.user is None:
            raise VaultError(
                "this vault was opened with recovery, not as a user: nothing can be recorded"
            )
        return self.user.name

    # -- users and keys ------------------------------------------------------------

    def users(self) -> list[user_table.User]:
        """Every user, removed ones too, by name."""
        return user_table.all_users(self.db)

    def find_user(self, name: str) -> user_table.User | None:
        """The user of this name, or None."""
        return user_table.find_user(self.db, name)

    def verify_user(self, name: str, passphrase: str) -> None:
        """Prove `name`'s passphrase opens their own slot of this vault (a second person
        confirming there and then); `WrongPassphrase` (nothing changed) if not."""
        wrong = WrongPassphrase(f"wrong passphrase for {display_name(name)}; nothing was changed")
        try:
            unlocked = self.keyslots.unlock_with_passphrase(passphrase, user=name)
        except WrongPassphrase:
            raise wrong from None
        if unlocked.user_id != user_id_for(self.vault_id, name):
            raise wrong
        if self.data_key not in unlocked.data_keys:
            raise wrong

    def add_user(
        self,
        projector: Projector,
        name: str,
        role: str,
        passphrase: str,
        now: datetime,
        *,
        record: Sequence[Change],
        parameters: Argon2Parameters | None = None,
        check: Callable[[Event], None] | None = None,
    ) -> None:
        """Give a new user a passphrase slot, then their row and the `record` event.

        The slot is written first: a crash between leaves a slot whose user is not in
        the table, which unlocks nothing (`_who` refuses it) and the next `add_user` of
        that name replaces.
        """
        self.require_writer()
        self.keyslots.set_passphrase(self.data_key, passphrase, user=name, parameters=parameters)
        with translate_errors(), self.db.atomic():
            user_table.put_user(self.db, name, role, now=now.isoformat(), by=self.author)
            self.record(projector, [(VAULT_LOG, "people.recorded", record)], now, check)

    def remove_user(
        self,
        projector: Projector,
        name: str,
        now: datetime,
        *,
        record: Sequence[Change],
        check: Callable[[Event], None] | None = None,
    ) -> None:
        """Remove a user: their row marked, their slot gone, the database re-keyed.

        The row, the `record` event and a "re-key due" mark are one transaction; the slot
        goes next, then the re-key. A crash at any point leaves a vault the other users
        open, and the next writing open finishes what is left (`_finish_rekey`).
        """
        self.require_writer()
        with translate_errors(), self.db.atomic():
            user_table.mark_removed(self.db, name, now=now.isoformat(), by=self.author)
            self.record(projector, [(VAULT_LOG, "people.recorded", record)], now, check)
            self.set_meta(REKEY_DUE_META_KEY, f"user removed at {now.isoformat()}")
        self._complete_removals()

    def rekey(self) -> None:
        """Encrypt the database under a new data key, sealed to every remaining slot.

        Old copies of `keyslots.json` (in a backup, or kept by a removed user) open only
        the old key, which opens nothing written from now on. Crash-safe: the slot file
        holds both keys until the database has been replaced by its re-encrypted copy.
        """
        self.require_writer()
        new_key = secrets.token_bytes(32)
        self.keyslots.begin_rekey(self.data_key, new_key)
        self._reencrypt(new_key)
        self.keyslots.finish_rekey(new_key)

    def _reencrypt(self, new_key: bytes) -> None:
        """Replace the database with a copy encrypted under `new_key`, and reopen it.

        The WAL is checkpointed and the connection closed (SQLite then removes the WAL)
        before the copy, made whole and synced beside the database, is renamed over it:
        SQLCipher's in-place `rekey` is not used, as a kill during it in WAL mode can
        leave a database no key opens.
        """
        path = self.home / DATABASE_FILE
        staged = self.home / REKEY_FILE
        staged.unlink(missing_ok=True)
        with translate_errors():
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        encrypted_copy(self.db, staged, new_key)
        with staged.open("rb+") as handle:
            os.fsync(handle.fileno())
        self.db.conn.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(staged, path)
        sync_directory(self.home)
        self.db = open_database(path, new_key)
        self._data_key = new_key

    def _finish_rekey(self, unlocked: Unlocked) -> None:
        """On a writing open, finish an interrupted re-key or user removal."""
        slots = self.keyslots
        if slots.rekey_pending():
            keys = unlocked.data_keys
            if self.data_key == keys[0]:
                self._reencrypt(keys[1])
            slots.finish_rekey(self.data_key)
        self._complete_removals()

    def _complete_removals(self) -> None:
        """Drop the slots of removed users and re-key, if a removal asked for it."""
        if not self.get_meta(REKEY_DUE_META_KEY):
            return
        for user in self.users():
            if not user.active:
                self.keyslots.remove_user(self.data_key, user.name)
        self.rekey()
        self.set_meta(REKEY_DUE_META_KEY, None)

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
        new_cases: Mapping[str, tuple[Case, dict[str, Any]]] | None = None,
    ) -> list[Event]:
        """Append events (case id, type, changes) from this device, in one transaction.

        Each is signed, chained to the previous one of its chain (`chain_for`, `head`),
        given to `check` (which raises to refuse it), stored (its chain's recorded head
        advanced with it), and folded into its case's projection before the transaction
        commits; nothing is written if any fails.
        Refused (`VaultError`) on a chain a peer holds more of, or during the catch-up
        after a restore (`notify_tui.store.catch_up.refusal`): it would fork the chain.
        An access log or people entry (`people.LOG_ENTRY_TYPES`) is held instead
        (`held_log`), and written, with its own time and author, before the next event
        its chain takes once it may grow again.
        `new_cases` gives, for a new case's id, its validated document and the nested
        document of its `case.created` entry's changes: its projection is made from them
        (`Projector.new_case_rows`) instead of folding the event just written.
        """
        self.require_writer()
        identity = self.identity
        written: list[Event] = []
        with translate_errors(), self.db.atomic():
            heads: dict[str, tuple[int, str | None]] = {}
            newest: dict[str, Event] = {}
            touched: dict[str, list[Event]] = {}
            rows: list[list[object]] = []

            def append(
                chain: str, case_id: str, event_type: str, changes: Sequence[Change],
                at: datetime, author: str,
            ) -> None:  # fmt: skip
                seq, prev = heads[chain] if chain in heads else self.head(chain)
                body = EventBody(
                    device=chain,
                    seq=seq + 1,
                    prev=prev,
                    at=at,
                    author=author,
                    org=identity.org,
                    case=case_id,
                    type=event_type,
                    changes=list(changes),
                )
                event, stored = Event.create_with_bytes(body, identity.signing_key)
                if check is not None:
                    check(event)
                rows.append(_event_row(event, stored))
                heads[chain] = (event.seq, event.id)
                newest[chain] = event
                written.append(event)
                touched.setdefault(case_id, []).append(event)

            for case_id, event_type, changes in entries:
                chain = self.chain_for(case_id)
                if chain not in heads:
                    refused = catch_up.refusal(self.db, [chain])
                    if refused is not None and event_type in LOG_ENTRY_TYPES:
                        self._hold(chain, case_id, event_type, changes, now)
                        continue
                    if refused is not None:
                        raise VaultError(refused)
                    for held in self._take_held(chain):
                        append(chain, *held)
                append(chain, case_id, event_type, changes, now, self.author)
            self._insert_event_rows(rows)
            self._advance_heads(newest)
            made: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
            for case_id, events in touched.items():
                if all(event.type in NON_STATE_TYPES for event in events):
                    continue  # the access log and users change no case
                if events[0].type == "case.created" and len(events) == 1:
                    # A brand-new case: its only event is in hand, no need to read it back.
                    in_hand = (new_cases or {}).get(case_id)
                    if in_hand is not None:
                        made.append(projector.new_case_rows(events[0], *in_hand))
                    else:
                        write_case(self.db, *projector.case_rows(case_id, events))
                else:
                    self.project_case(projector, case_id)
            write_cases(self.db, made)
        return written

    def _hold(
        self, chain: str, case_id: str, event_type: str, changes: Sequence[Change], at: datetime
    ) -> None:
        """Keep a log entry for its chain until the chain may grow (see `record`)."""
        self.db.execute(
            "INSERT INTO held_log (chain, case_id, type, author, at, changes) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                chain,
                case_id,
                event_type,
                self.author,
                at.isoformat(),
                json.dumps([change.model_dump(mode="json") for change in changes]),
            ],
        )

    def _take_held(self, chain: str) -> list[tuple[str, str, list[Change], datetime, str]]:
        """The log entries held for a chain, oldest first, removed from `held_log`."""
        rows = self.db.execute(
            "SELECT id, case_id, type, author, at, changes FROM held_log WHERE chain = ? "
            "ORDER BY id",
            [chain],
        ).fetchall()
        if rows:
            self.db.execute("DELETE FROM held_log WHERE chain = ?", [chain])
        return [
            (
                str(row[1]),
                str(row[2]),
                [Change.model_validate(change) for change in json.loads(row[5])],
                datetime.fromisoformat(str(row[4])),
                str(row[3]),
            )
            for row in rows
        ]

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
        if case_id == VAULT_LOG:
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
        self._insert_event_rows([_event_row(event, event.to_json().encode("utf-8"))])

    def _insert_event_rows(self, rows: list[list[object]]) -> None:
        """Insert event rows (`_event_row`) in one statement."""
        if rows:
            self.db.conn.executemany(
                "INSERT INTO events (id, device, seq, prev, at, case_id, type, body) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    @contextmanager
    def foreign_writes(self, projector: Projector) -> Iterator[ForeignWriter]:
        """One transaction for events from other devices, written as they are checked.

        The caller hands each new event to the writer as soon as it has passed the
        checks that can be made of it alone, and raises (here, inside the block) when a
        later check of the whole refuses: the transaction is then rolled back and
        nothing was written. On a normal exit the last batches are written, the chains'
        recorded heads advanced and the cases not made from events in hand refolded,
        before the commit."""
        self.require_writer()
        with translate_errors(), self.db.atomic():
            writer = ForeignWriter(self, projector)
            yield writer
            writer.finish()

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
        """Refold one case from its events into the projection tables (an erased case
        has none: what of it is not erased yet is erased instead)."""
        if erasure.is_erased(self, case_id) and not erasure.erase_held(self, [case_id]).waiting:
            return  # erased: no rows (a hold keeps a waiting one whole: folded as any)
        row, duties = projector.case_rows(case_id, self.case_events(case_id))
        write_case(self.db, row, duties)

    def reproject_all(self, projector: Projector) -> int:
        """Refold every case (after a settings or rule pack change)."""
        self.require_writer()
        case_ids = [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT case_id FROM events WHERE case_id != ?", [VAULT_LOG]
            )
        ]
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


def _event_row(event: Event, stored: bytes) -> list[object]:
    """The `events` row of an event whose canonical bytes are `stored`."""
    return [
        event.id,
        event.device,
        event.seq,
        event.prev,
        event.at.isoformat(),
        event.case,
        event.type,
        stored.decode("utf-8"),
    ]


FOREIGN_BATCH = 1000
"""Events (and new cases) written per statement by `ForeignWriter`."""


class ForeignWriter:
    """Writes checked events from other devices in batches (`Vault.foreign_writes`).

    A case whose first event here is its `case.created`, with no event of it held
    before, is projected from that event in hand (`new_case`); any other case touched
    is refolded from the log at the end (`touch`)."""

    def __init__(self, vault: Vault, projector: Projector) -> None:
        self._vault = vault
        self._projector = projector
        self._events: list[list[object]] = []
        self._cases: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        self._newest: dict[str, Event] = {}
        self._in_hand: set[str] = set()
        self._refold: dict[str, None] = {}
        self.projected: list[str] = []
        """Ids of the cases projected, in the order first touched (filled by `finish`)."""

    def add(self, event: Event, stored: bytes) -> None:
        """Queue one event with its canonical bytes (checked to be its line)."""
        self._events.append(_event_row(event, stored))
        newest = self._newest.get(event.device)
        if newest is None or event.seq > newest.seq:
            self._newest[event.device] = event
        if len(self._events) >= FOREIGN_BATCH:
            self._flush_events()

    def new_case(self, created: Event, validated: tuple[Case, dict[str, Any]] | None) -> None:
        """Project a new case from its `case.created` event in hand (no read-back), and
        from the case it was validated as with the nested document of its changes
        (`event_rules.check_event`'s `keep_case`), when there are those."""
        self._in_hand.add(created.case)
        self.projected.append(created.case)
        if validated is None:
            rows = self._projector.case_rows(created.case, [created])
        else:
            rows = self._projector.new_case_rows(created, *validated)
        self._cases.append(rows)
        if len(self._cases) >= FOREIGN_BATCH:
            self._flush_cases()

    def touch(self, case_id: str, created_held: bool) -> None:
        """A case with a new event other than its creation in hand: refold it at the end
        when its creation is held or arrives here."""
        if case_id not in self._refold and (created_held or case_id in self._in_hand):
            if case_id not in self._in_hand:
                self.projected.append(case_id)
            self._refold[case_id] = None

    def _flush_events(self) -> None:
        self._vault._insert_event_rows(self._events)
        self._events = []

    def _flush_cases(self) -> None:
        if self._cases:
            write_cases(self._vault.db, self._cases)
            self._cases = []

    def flush(self) -> None:
        """Write what is queued (before reading the log back within the transaction)."""
        self._flush_events()
        self._flush_cases()

    def finish(self) -> None:
        """The last batches, the chains' recorded heads and the refolds."""
        self.flush()
        self._vault._advance_heads(self._newest)
        for case_id in self._refold:
            self._vault.project_case(self._projector, case_id)


def remove_stale_temporaries(home: Path) -> None:
    """Delete temp files a killed writer left (call only while holding the writer lock).

    `atomic_write_bytes` writes `.<name>.<random>.tmp` beside its target; one left behind
    holds only a wrapped key or an encrypted copy, but nothing should accumulate. So do
    the encrypted copies of backups whose process is gone, and the staging folders of
    restores killed before they committed.
    """
    for leftover in home.glob(f".{KEYSLOTS_FILE_NAME}.*.tmp"):
        leftover.unlink(missing_ok=True)
    # A re-key killed before its rename: the database is still the old one, whole.
    (home / REKEY_FILE).unlink(missing_ok=True)
    # Called with the writer lock held, and backups are made only under it: every
    # encrypted copy a backup left in the home is a killed backup's.
    for leftover in home.glob(f"{BACKUP_COPY_PREFIX}*"):
        leftover.unlink(missing_ok=True)
    restore_journal.remove_staging(home)


def _passphrase_users(slots: KeySlotFile) -> int:
    """How many passphrase slots the file holds (one per user)."""
    return sum(1 for slot in slots.summary() if slot.kind in ("passphrase", "passphrase-v1"))


def _open_with_any(path: Path, keys: Sequence[bytes]) -> tuple[sqlite_utils.Database, bytes]:
    """Open the database with the first of `keys` it takes (two during a re-key)."""
    for index, key in enumerate(keys):
        try:
            return open_database(path, key), key
        except WrongPassphrase:
            if index == len(keys) - 1:
                raise
    raise VaultError("no data key to open the vault with")
