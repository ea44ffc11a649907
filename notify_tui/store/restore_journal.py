"""The last step of a restore: swap the vault's files, all or nothing, across a crash.

`notify_tui.store.restore` prepares the restored vault in a staging folder inside the
vault's home (`.restore-<random>/`) and checks it. Then it writes this journal,
`restore.journal` (atomically: complete or absent), which lists the renames that put it
in place: the live files (if any) into a folder that keeps them, `replaced-<time>/`,
then the staged files into the home. Writing the journal is the moment the restore
happens; the renames follow. A process killed before it leaves the live vault as it was
(the staging folder is removed later); one killed after it is finished by the next
process to take the writer lock (`finish`), which runs each rename not yet done.
`Vault.open` and `Vault.create` call `finish` first; `vault_exists` counts a pending
journal as a vault.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from notify_tui.errors import VaultError
from notify_tui.store.files import atomic_write_bytes
from notify_tui.store.private_files import sync_directory

JOURNAL_NAME = "restore.journal"
STAGING_PREFIX = ".restore-"
REPLACED_PREFIX = "replaced-"


def pending(home: Path) -> bool:
    """Whether a restore in `home` was interrupted after its journal was written."""
    return (home / JOURNAL_NAME).exists()


def write(home: Path, staging: str, moves: list[tuple[str, str]]) -> None:
    """Commit a restore: the journal of renames (paths relative to `home`)."""
    document = {"format": "notify-tui-restore-journal", "staging": staging, "moves": moves}
    atomic_write_bytes(home / JOURNAL_NAME, json.dumps(document, indent=1).encode("utf-8"))


def finish(home: Path) -> None:
    """Finish an interrupted restore, then remove staging folders left by killed ones.

    Call only while holding the vault's writer lock. Each rename in the journal is done
    unless done already (`run_move`); the journal goes last.
    """
    journal = home / JOURNAL_NAME
    if journal.exists():
        try:
            document = json.loads(journal.read_bytes())
            moves = [(str(a), str(b)) for a, b in document["moves"]]
            staging = str(document["staging"])
        except (OSError, ValueError, KeyError, TypeError):
            raise VaultError(
                f"{journal} is damaged: a restore was interrupted; restore the backup again"
            ) from None
        for source, target in moves:
            _check_inside(home, source, target)
            run_move(home, source, target)
        sync_directory(home)
        journal.unlink()
        sync_directory(home)
        shutil.rmtree(home / staging, ignore_errors=True)
    remove_staging(home)


def remove_staging(home: Path) -> None:
    """Delete staging folders of restores killed before their journal (holding the lock)."""
    if pending(home):
        return  # the journal's staging folder is still to be moved from
    for leftover in home.glob(f"{STAGING_PREFIX}*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
    for temporary in home.glob(f".{JOURNAL_NAME}.*.tmp"):
        temporary.unlink(missing_ok=True)


def run_move(home: Path, source: str, target: str) -> None:
    """One rename of a restore; a no-op when it was done already.

    Done already means the target exists (every target is new when the journal is
    written: the live files go into a new folder, and the home's files are moved out
    before the staged ones come in) or the source is gone.
    """
    source_path, target_path = home / source, home / target
    if target_path.exists() or not source_path.exists():
        return
    target_path.parent.mkdir(mode=0o700, exist_ok=True)
    os.replace(source_path, target_path)
    sync_directory(target_path.parent)


def _check_inside(home: Path, *names: str) -> None:
    for name in names:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise VaultError(f"{home / JOURNAL_NAME} names a file outside the vault folder")
