"""Owner-only files on POSIX and Windows: the few file calls that differ between them.

Everything the vault writes must be readable by its user alone, and every other module
of `store/` and `sync/` creates, renames and syncs files through here, so no POSIX-only
call is reached on Windows (a test runs the vault with them removed).

- **POSIX** (Linux, macOS): a file is created with mode 0600 and set to exactly that
  past the umask (`fchmod`), never through a symbolic link (`O_NOFOLLOW`); after a
  rename the directory itself is synced, so the rename survives a power cut.
- **Windows** has no permission bits. Privacy comes from the folder: the default vault
  folder is the per-user local application data folder that `platformdirs` gives
  (`%LOCALAPPDATA%\\notify-tui`), whose access control list admits only the user (and
  the system and administrators), and a new file inherits it. Files are opened in binary
  mode. NTFS journals its directory entries, and Windows offers no way to sync a
  directory, so nothing is synced after a rename.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Final

WINDOWS: Final = sys.platform == "win32"
"""Whether this is Windows, decided once, where the module is imported."""

PRIVATE_FILE_MODE: Final = 0o600
"""Permissions for every file the vault writes on POSIX: read and write for the owner."""

_SAFETY_FLAGS: Final = (
    getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)
"""Never through a symbolic link, never inherited by a child process (POSIX), never
text-mode newline translation (Windows). Each flag exists only where it means something."""


def open_private(path: Path, flags: int) -> int:
    """`os.open(path, flags)` for a file of the user's alone; returns the descriptor.

    With `os.O_CREAT` a new file is created owner-only (mode 0600 on POSIX; on Windows
    it inherits its folder's access list). Raises `OSError` as `os.open` does.
    """
    return os.open(path, flags | _SAFETY_FLAGS, PRIVATE_FILE_MODE)


def make_private(descriptor: int) -> None:
    """Set an open file to owner-only: exactly 0600 on POSIX (the creation mode is
    filtered by the umask); on Windows the folder's access list already applies."""
    if not WINDOWS:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)


def sync_directory(directory: Path) -> None:
    """Flush a directory's entries (renames, new files) to disk (POSIX; see above)."""
    if WINDOWS:
        return
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def move_into_place_exclusively(source: Path, target: Path) -> None:
    """Rename `source` to `target`, which must not exist: `FileExistsError` if it does.

    POSIX's rename replaces an existing target, so the file is hard-linked into place
    (which refuses) and the source unlinked; Windows' rename itself refuses.
    """
    if WINDOWS:
        os.rename(source, target)
        return
    os.link(source, target)
    os.unlink(source)


def owned_by_current_user(info: os.stat_result) -> bool:
    """Whether a file (as `Path.lstat` describes it) belongs to the user running us.

    On Windows the question does not arise for the folders we ask about (the temporary
    folder is per-user), so the answer is yes.
    """
    if WINDOWS:
        return True
    return info.st_uid == os.getuid()
