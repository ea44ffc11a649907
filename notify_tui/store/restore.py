"""Restore a backup into a vault folder: checked first, then put in place all or nothing.

`restore` does, holding the folder's writer lock:

1. check the file is a backup (`notify_tui.store.backup.read_backup`);
2. refuse a folder that holds a vault unless `replace` is given (nothing changed);
3. copy the backup's two files into a staging folder in the home (`.restore-<random>/`),
   unwrap the data key with the passphrase or the recovery code, open the copy, upgrade
   it if it is older (migrations), and check its pages (`cipher_integrity_check`,
   `quick_check`), its vault id and its identity;
4. when a vault is replaced and it opens with the same key (the same vault: a data key
   never changes), note the events of this device it holds beyond the backup (the
   candidates for loss, `notify_tui.store.catch_up.UnsentEvent`) and carry over its log
   of bundles made (so bundle numbers are not given twice); a vault that does not open
   (damaged, another key) is replaced all the same, as unread;
5. start the catch-up in the copy (`notify_tui.store.catch_up.begin`): until a peer
   answers, no new event is written;
6. commit: write the journal of renames, then run them (`restore_journal`): the
   replaced vault's files go to `replaced-<UTC time>/` in the home (kept, still
   encrypted), the copy's come in.

Any refusal or failure before step 6 leaves the folder as it was (the staging folder is
removed); a crash after the journal is written is finished by the next open.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from notify_tui.domain import wording
from notify_tui.domain.chains import signing_device
from notify_tui.errors import IntegrityError, InvalidInput, NotifyError, VaultError
from notify_tui.store import catch_up, restore_journal
from notify_tui.store.backup import BackupFile, extract_database, read_backup
from notify_tui.store.connection import open_database, translate_errors
from notify_tui.store.events import Event
from notify_tui.store.keyslots import KEYSLOTS_FILE_NAME, KeySlotFile
from notify_tui.store.lock import WriterLock
from notify_tui.store.private_files import PRIVATE_FILE_MODE
from notify_tui.store.vault import DATABASE_FILE, Vault, vault_exists

LIVE_FILES = (DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm", KEYSLOTS_FILE_NAME)
"""The files of a vault that a restore moves aside (the lock file stays)."""


@dataclass(frozen=True)
class RestoreOutcome:
    """What a restore did."""

    home: Path
    device_id: str
    org: str
    role: str
    backup_created_at: str | None
    events: int
    """Events the restored vault holds."""
    replaced: Path | None
    """Where the vault that was in the folder was moved (None when there was none)."""
    replaced_read: bool
    unsent: int
    """Events of this device the replaced vault held beyond the backup."""


@dataclass(frozen=True)
class _Live:
    """What a restore read from the vault it replaces."""

    readable: bool
    unsent: tuple[catch_up.UnsentEvent, ...] = ()
    sent: tuple[tuple[str, int, str, str, int], ...] = ()


def restore(
    home: Path,
    source: Path,
    *,
    passphrase: str | None = None,
    recovery_code: str | None = None,
    replace: bool = False,
    user: str | None = None,
    now: datetime,
) -> RestoreOutcome:
    """Restore the backup `source` into `home` (see the module docstring); `user` says
    whose passphrase it is (else every user's slot of the backup is tried)."""
    backup = read_backup(source)
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise VaultError(f"could not create {home}: {error.strerror}") from None
    lock = WriterLock(home)
    lock.acquire()
    try:
        try:
            restore_journal.finish(home)
        except OSError as error:
            raise VaultError(
                f"an earlier restore into {home} could not be finished ({error.strerror}); "
                "check the folder's permissions and free space"
            ) from None
        live = vault_exists(home) or (home / KEYSLOTS_FILE_NAME).exists()
        if live and not replace:
            raise InvalidInput(
                f"{home} holds a vault: pass --replace to put the backup in its place (the "
                "vault there is kept in a replaced-… folder beside it); nothing was changed"
            )
        staging_name = f"{restore_journal.STAGING_PREFIX}{secrets.token_hex(6)}"
        staging = home / staging_name
        try:
            staging.mkdir(mode=0o700)
            outcome, moves = _prepare(
                home, staging, backup, live, passphrase, recovery_code, now, user
            )
            restore_journal.write(home, staging_name, moves)
        except BaseException as error:
            if not restore_journal.pending(home):
                shutil.rmtree(staging, ignore_errors=True)
            if isinstance(error, OSError):
                raise VaultError(
                    f"could not restore into {home} ({error.strerror}); nothing was changed; "
                    "check the folder's permissions and free space"
                ) from None
            raise
        try:
            restore_journal.finish(home)
        except OSError as error:
            raise VaultError(
                f"the restore into {home} stopped midway ({error.strerror}); it is finished "
                "when the vault is next opened"
            ) from None
        return outcome
    finally:
        lock.release()


def _prepare(
    home: Path,
    staging: Path,
    backup: BackupFile,
    live: bool,
    passphrase: str | None,
    recovery_code: str | None,
    now: datetime,
    user: str | None = None,
) -> tuple[RestoreOutcome, list[tuple[str, str]]]:
    """Steps 3–5 in the staging folder; return the outcome and the journal's renames."""
    slots_path = staging / KEYSLOTS_FILE_NAME
    slots_path.write_bytes(backup.keyslots)
    slots_path.chmod(PRIVATE_FILE_MODE)
    slots = KeySlotFile(slots_path)
    try:
        vault_id = slots.read_vault_id()
    except NotifyError:
        raise InvalidInput(
            f"{backup.path.name}: its {KEYSLOTS_FILE_NAME} is damaged; nothing was changed"
        ) from None
    if backup.info is not None and backup.info.vault_id != vault_id:
        raise InvalidInput(
            f"{backup.path.name}: its parts belong to different vaults; nothing was changed"
        )
    if recovery_code is not None:
        data_key = slots.unlock_with_recovery(recovery_code).data_key
    else:
        data_key = slots.unlock_with_passphrase(passphrase or "", user=user).data_key
    extract_database(backup, staging / DATABASE_FILE)
    vault = Vault.open_with_key(staging, data_key, now=now)
    try:
        _check_copy(vault, vault_id, backup)
        me = vault.identity
        heads = {
            chain: vault.held_head(chain)[0]
            for chain in vault.chains()
            if signing_device(chain) == me.device_id
        }
        found = _read_live(home, data_key, vault_id, me.device_id, heads) if live else None
        replaced = _replaced_name(home, now) if live else None
        with translate_errors(), vault.db.atomic():
            for peer, seq, sha, created_at, count in found.sent if found else ():
                vault.db.execute(
                    "INSERT OR IGNORE INTO sync_sent (peer, seq, manifest_sha256, created_at, "
                    "events) VALUES (?, ?, ?, ?, ?)",
                    [peer, seq, sha, created_at, count],
                )
            catch_up.begin(
                vault.db,
                restored_at=now,
                backup_created_at=None
                if backup.info is None
                else backup.info.created_at.isoformat(),
                replaced=replaced,
                replaced_read=bool(found and found.readable),
                unsent=found.unsent if found else (),
            )
        with translate_errors():
            events = int(vault.db.execute("SELECT count(*) FROM events").fetchone()[0])
            vault.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        outcome = RestoreOutcome(
            home=home,
            device_id=me.device_id,
            org=me.org,
            role=me.role,
            backup_created_at=None if backup.info is None else backup.info.created_at.isoformat(),
            events=events,
            replaced=None if replaced is None else home / replaced,
            replaced_read=bool(found and found.readable),
            unsent=len(found.unsent) if found else 0,
        )
    finally:
        vault.close()
    moves: list[tuple[str, str]] = []
    if replaced is not None:
        moves += [(name, f"{replaced}/{name}") for name in LIVE_FILES if (home / name).exists()]
    for name in (DATABASE_FILE, f"{DATABASE_FILE}-wal", KEYSLOTS_FILE_NAME):
        if (staging / name).exists():
            moves.append((f"{staging.name}/{name}", name))
    return outcome, moves


def _check_copy(vault: Vault, vault_id: str, backup: BackupFile) -> None:
    """The copy's pages authenticate, its structure is sound, it is the slots' vault."""
    db = vault.db
    with translate_errors():
        damaged = [r[0] for r in db.execute("PRAGMA cipher_integrity_check")]
        structure = [r[0] for r in db.execute("PRAGMA quick_check")]
    if damaged or structure != ["ok"]:
        raise IntegrityError(
            f"{backup.path.name}: its database is damaged (page or structure check failed); "
            "nothing was changed; use another backup"
        )
    with translate_errors():
        row = db.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
    if row is not None and str(row[0]).strip('"') != vault_id:
        raise InvalidInput(
            f"{backup.path.name}: its database and key slots belong to different vaults; "
            "nothing was changed"
        )
    if backup.info is not None and backup.info.device_id != vault.identity.device_id:
        raise InvalidInput(
            f"{backup.path.name}: it says it is a backup of {backup.info.device_id} but holds "
            f"{vault.identity.device_id}; nothing was changed"
        )


def _read_live(
    home: Path, data_key: bytes, vault_id: str, me: str, heads: Mapping[str, int]
) -> _Live:
    """What the vault being replaced holds beyond the backup, if it opens with the key."""
    slots = KeySlotFile(home / KEYSLOTS_FILE_NAME)
    live_id: str | None = None
    if slots.exists():
        try:
            live_id = slots.read_vault_id()
        except NotifyError:
            live_id = None
    if live_id is not None and live_id != vault_id:
        raise InvalidInput(
            f"{home} holds another vault (id {live_id}) than the backup's ({vault_id}): move "
            "that folder's files away first; nothing was changed"
        )
    if not (home / DATABASE_FILE).exists():
        return _Live(readable=False)
    try:
        db = open_database(home / DATABASE_FILE, data_key)
    except NotifyError:
        return _Live(readable=False)
    try:
        with translate_errors():
            row = db.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
            if row is not None and row[0].strip('"') != vault_id:
                raise InvalidInput(
                    f"{home} holds another vault than the backup's: move that folder's files "
                    "away first; nothing was changed"
                )
            unsent: list[catch_up.UnsentEvent] = []
            for (body,) in db.execute("SELECT body FROM events ORDER BY device, seq").fetchall():
                event = Event.model_validate_json(body)
                if signing_device(event.device) != me or event.seq <= heads.get(event.device, 0):
                    continue
                unsent.append(
                    catch_up.UnsentEvent(
                        chain=event.device,
                        seq=event.seq,
                        event_id=event.id,
                        case_id=event.case,
                        type=event.type,
                        at=event.at.isoformat(),
                        author=event.author,
                        summary=wording.audit_sentence(event.type, event.author, event.changes),
                    )
                )
            sent = tuple(
                (str(peer), int(seq), str(sha), str(created_at), int(count))
                for peer, seq, sha, created_at, count in db.execute(
                    "SELECT peer, seq, manifest_sha256, created_at, events FROM sync_sent"
                ).fetchall()
            )
    except InvalidInput:
        raise
    except (NotifyError, ValidationError, ValueError, KeyError):
        return _Live(readable=False)
    finally:
        db.conn.close()
    return _Live(readable=True, unsent=tuple(unsent), sent=sent)


def _replaced_name(home: Path, now: datetime) -> str:
    """A new folder name for the replaced vault: `replaced-<UTC time>[-N]`."""
    base = f"{restore_journal.REPLACED_PREFIX}{now.strftime('%Y%m%dT%H%M%SZ')}"
    name, number = base, 1
    while (home / name).exists():
        number += 1
        name = f"{base}-{number}"
    return name


# -- after the restore ----------------------------------------------------------------


@dataclass(frozen=True)
class CatchUpReport:
    """A restored vault's catch-up as the store holds it (`catch_up_report`)."""

    state: catch_up.CatchUp
    peers: tuple[tuple[str, str, str], ...]
    """(device id, org, role) of every unrevoked peer, by org then id."""
    own_chains: frozenset[str]
    """This device's chains: held now, in the backup, or in the unsent events."""
    unsent: int
    lost: tuple[catch_up.UnsentEvent, ...] | None
    """The unsent events not held now, by case (None until caught up)."""


def catch_up_report(vault: Vault) -> CatchUpReport | None:
    """Where the vault stands after its last restore; None if it was never restored."""
    db = vault.db
    with translate_errors():
        state = catch_up.load(db)
        if state is None:
            return None
        me = vault.identity.device_id
        unsent = catch_up.unsent_events(db)
        own = {chain for chain in vault.chains() if signing_device(chain) == me}
        own |= set(state.backup_heads) | {event.chain for event in unsent} | {me}
        peers = tuple(
            (str(device), str(org), str(role))
            for device, org, role in db.execute(
                "SELECT device_id, org, role FROM devices WHERE is_self = 0 "
                "AND revoked_at IS NULL ORDER BY org, device_id"
            ).fetchall()
        )
        lost = tuple(catch_up.lost_events(db)) if state.caught_up else None
    return CatchUpReport(state, peers, frozenset(own), len(unsent), lost)


def end_catch_up(vault: Vault, now: datetime) -> None:
    """End the catch-up by hand (`catch_up.end_by_hand`), in one transaction."""
    vault.require_writer()
    with translate_errors(), vault.db.atomic():
        catch_up.end_by_hand(vault.db, now)
