"""The encrypted backup (`.ntbackup`): a ZIP of a SQLCipher copy of the vault and its key slots.

A backup file is a ZIP archive of exactly three members, in this order, all *stored*
(no compression, no ZIP encryption), each a regular file of mode 0600:

``backup.json``
    what the file is (`BackupInfo`): format, version, vault id, device id, when it was
    made. No case data.
``vault.db``
    an encrypted copy of the database (`sqlcipher_export`), keyed with the same data key,
    so it opens with the same passphrase or recovery code and holds no plaintext byte.
``keyslots.json``
    the key slot file as it was (the data key wrapped by the passphrase and the recovery
    code of the day).

A backup made before `backup.json` existed (the two other members only) is still read.
`notify_tui.store.restore` checks and restores one.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import stat
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notify_tui.errors import InvalidInput, VaultError
from notify_tui.store.connection import encrypted_copy
from notify_tui.store.events import DEVICE_ID
from notify_tui.store.files import atomic_write_stream
from notify_tui.store.keyslots import KEYSLOTS_FILE_NAME
from notify_tui.store.private_files import PRIVATE_FILE_MODE, make_private, open_private
from notify_tui.store.vault import BACKUP_COPY_PREFIX, DATABASE_FILE, Vault

BACKUP_SUFFIX: Final = ".ntbackup"
"""The file name ending of a backup; `backup --to` names what it writes so, and
`restore --from` takes nothing else."""

INFO_NAME: Final = "backup.json"
MEMBERS: Final = (INFO_NAME, DATABASE_FILE, KEYSLOTS_FILE_NAME)
LEGACY_MEMBERS: Final = (DATABASE_FILE, KEYSLOTS_FILE_NAME)
MAX_INFO_BYTES: Final = 4096
MAX_KEYSLOTS_BYTES: Final = 64 * 1024
MAX_DATABASE_BYTES: Final = 64 * 1024**3
"""A larger database member is refused unread (a vault of a million cases is far less)."""

_ZIP_DATE: Final = (1980, 1, 1, 0, 0, 0)
_CHUNK: Final = 1024 * 1024


class BackupInfo(BaseModel):
    """The `backup.json` member: what the file is, without any case data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["notify-tui-backup"]
    version: Literal[1]
    vault_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    device_id: str = Field(pattern=DEVICE_ID)
    created_at: datetime


def backup_name(device_id: str, now: datetime) -> str:
    """The file name `backup --to DIR` gives a backup: `<device>-<UTC time>.ntbackup`."""
    return f"{device_id}-{now.strftime('%Y%m%dT%H%M%SZ')}{BACKUP_SUFFIX}"


def write_backup(vault: Vault, destination: Path, now: datetime) -> Path:
    """Write the backup to `destination` (which must not exist yet); return it.

    The file appears whole or not at all (`atomic_write_stream`); the encrypted copy is
    made in the vault's home first and removed after (or, after a crash, by the next
    writing open: `notify_tui.store.vault.remove_stale_temporaries`).
    """
    home = vault.home
    copy = home / f"{BACKUP_COPY_PREFIX}{os.getpid()}-{secrets.token_hex(6)}.db"
    try:
        encrypted_copy(vault.db, copy, vault.data_key)
        info = BackupInfo(
            format="notify-tui-backup",
            version=1,
            vault_id=vault.keyslots.read_vault_id(),
            device_id=vault.identity.device_id,
            created_at=now,
        )
        info_bytes = (json.dumps(info.model_dump(mode="json"), indent=2) + "\n").encode()
        slots = (home / KEYSLOTS_FILE_NAME).read_bytes()

        def fill(handle: BinaryIO) -> None:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
                for name, source in ((INFO_NAME, info_bytes), (DATABASE_FILE, copy)):
                    member = _member(name)
                    if isinstance(source, bytes):
                        archive.writestr(member, source)
                        continue
                    member.file_size = source.stat().st_size
                    with (
                        source.open("rb") as data,
                        archive.open(
                            member, "w", force_zip64=member.file_size > 0x7FFFFFFF
                        ) as target,
                    ):
                        shutil.copyfileobj(data, target, _CHUNK)
                archive.writestr(_member(KEYSLOTS_FILE_NAME), slots)

        atomic_write_stream(destination, fill, exclusive=True)
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return destination


def _member(name: str) -> zipfile.ZipInfo:
    member = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    member.compress_type = zipfile.ZIP_STORED
    member.external_attr = (stat.S_IFREG | PRIVATE_FILE_MODE) << 16  # restores owner-only
    return member


# -- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupFile:
    """A backup file whose structure passed: its members are what they should be."""

    path: Path
    info: BackupInfo | None
    """None for a backup made before `backup.json` existed."""
    keyslots: bytes
    database_size: int


def _not_a_backup(path: Path, why: str) -> InvalidInput:
    return InvalidInput(f"{path.name} is not a notify-tui backup ({why}); nothing was changed")


def read_backup(path: Path) -> BackupFile:
    """Check that `path` is a backup file (`.ntbackup`) and read its small members.

    Refused in one line (`InvalidInput`): another suffix, not a regular file, not a ZIP,
    members other than the three (or the two of an older backup) in order, a member
    compressed, encrypted or not a regular file, sizes out of range, a `backup.json`
    that does not validate.
    """
    if not path.name.endswith(BACKUP_SUFFIX):
        raise InvalidInput(
            f"--from {path}: a backup file's name ends in {BACKUP_SUFFIX} (as `notify-tui "
            "backup` writes it); rename an older backup if it is one"
        )
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            raise _not_a_backup(path, "not a regular file")
        with path.open("rb") as handle:
            if handle.read(4) != b"PK\x03\x04":
                raise _not_a_backup(path, "not a ZIP archive")
            handle.seek(0)
            with zipfile.ZipFile(handle) as archive:
                return _read_members(path, archive)
    except FileNotFoundError:
        raise InvalidInput(f"--from {path}: no such file") from None
    except IsADirectoryError:
        raise _not_a_backup(path, "a folder") from None
    except InvalidInput:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise _not_a_backup(path, f"damaged ZIP: {type(error).__name__}") from None


def _read_members(path: Path, archive: zipfile.ZipFile) -> BackupFile:
    members = archive.infolist()
    names = tuple(member.filename for member in members)
    if names not in (MEMBERS, LEGACY_MEMBERS):
        raise _not_a_backup(path, f"it holds {', '.join(names) or 'nothing'}")
    for member in members:
        kind = stat.S_IFMT(member.external_attr >> 16)
        if member.compress_type != zipfile.ZIP_STORED or member.flag_bits & 0x1:
            raise _not_a_backup(path, f"{member.filename} is compressed or encrypted")
        if kind not in (0, stat.S_IFREG):
            raise _not_a_backup(path, f"{member.filename} is not a regular file")
    sizes = {member.filename: member.file_size for member in members}
    limits = {
        INFO_NAME: MAX_INFO_BYTES,
        KEYSLOTS_FILE_NAME: MAX_KEYSLOTS_BYTES,
        DATABASE_FILE: MAX_DATABASE_BYTES,
    }
    for name, size in sizes.items():
        if size > limits[name]:
            raise _not_a_backup(path, f"{name} is {size} bytes, more than {limits[name]}")
    info = None
    if INFO_NAME in sizes:
        try:
            info = BackupInfo.model_validate_json(archive.read(INFO_NAME))
        except ValidationError:
            raise _not_a_backup(path, f"{INFO_NAME} is not what notify-tui writes") from None
    return BackupFile(
        path=path,
        info=info,
        keyslots=archive.read(KEYSLOTS_FILE_NAME),
        database_size=sizes[DATABASE_FILE],
    )


def extract_database(backup: BackupFile, target: Path) -> None:
    """Copy the backup's database member to `target` (a new file, mode 0600, synced).

    The ZIP's CRC is checked as the member is read to its end."""
    try:
        descriptor = open_private(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        with os.fdopen(descriptor, "wb") as out, backup.path.open("rb") as handle:
            make_private(out.fileno())
            with zipfile.ZipFile(handle) as archive, archive.open(DATABASE_FILE) as member:
                shutil.copyfileobj(member, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        why = f"damaged {DATABASE_FILE}: {type(error).__name__}"
        raise _not_a_backup(backup.path, why) from None
    except OSError as error:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        raise VaultError(
            f"could not copy the backup's database into {target.parent}: {error.strerror}; "
            "nothing was changed; check free space"
        ) from None
