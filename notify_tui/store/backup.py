"""The encrypted backup: one ZIP holding a SQLCipher copy of the vault and its key slots.

The copy is keyed with the same data key, so the backup opens with the same
passphrase or recovery code and holds no byte of plaintext.
"""

from __future__ import annotations

import stat
import tempfile
import zipfile
from pathlib import Path

from notify_tui.store.connection import encrypted_copy
from notify_tui.store.files import atomic_write_bytes
from notify_tui.store.keyslots import KEYSLOTS_FILE_NAME
from notify_tui.store.vault import DATABASE_FILE, Vault


def write_backup(vault: Vault, destination: Path) -> Path:
    """Write the backup ZIP to `destination` (which must not exist yet); return it.

    Members are stored uncompressed, with a fixed timestamp and owner-only permissions.
    The file appears whole or not at all.
    """
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".notify-backup-") as tmp:
        copy = Path(tmp) / DATABASE_FILE
        encrypted_copy(vault.db, copy, vault.data_key)
        archive = Path(tmp) / "backup.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as bundle:
            for source, name in (
                (copy, DATABASE_FILE),
                (vault.home / KEYSLOTS_FILE_NAME, KEYSLOTS_FILE_NAME),
            ):
                member = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                member.external_attr = (stat.S_IFREG | 0o600) << 16  # restores owner-only
                bundle.writestr(member, source.read_bytes())
        atomic_write_bytes(destination, archive.read_bytes(), exclusive=True)
    return destination
