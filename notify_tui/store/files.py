"""Crash-safe file writes for the vault's small files (key slots, bundles, backups).

`atomic_write_bytes` writes a whole file so that, after a crash or power cut at any
moment, the path holds either the complete old content or the complete new content,
never a mix and never nothing. The file is private to the user from the instant it
exists: it is created owner-only (mode 0600 on POSIX), not chmod-ed afterwards (see
`store/private_files.py` for what that means on each platform).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from notify_tui.errors import VaultError
from notify_tui.store.private_files import (
    make_private,
    move_into_place_exclusively,
    open_private,
    sync_directory,
)


def atomic_write_bytes(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Replace (or create) `path` with `data`, atomically and durably, owner-only.

    The bytes go to a temporary file in the same directory (created with
    `O_CREAT|O_EXCL`, owner-only), which is flushed with `fsync`, renamed over `path`
    with `os.replace`, and then (on POSIX) the directory itself is synced so the rename
    survives a power cut.

    With `exclusive=True` the file must not exist yet: the temporary file is moved
    into place in a way that fails (leaving any existing file untouched) if another
    file got there first (a hard link on POSIX, a plain rename on Windows).

    Raises `VaultError` (one line, naming the file) if the file cannot be written; in
    that case `path` is unchanged and no temporary file is left behind.
    """
    atomic_write_stream(path, lambda handle: handle.write(data), exclusive=exclusive)


def atomic_write_stream(
    path: Path, fill: Callable[[BinaryIO], object], *, exclusive: bool = False
) -> None:
    """As `atomic_write_bytes`, with the content written by `fill(handle)` in pieces.

    For files too large to hold in memory (backups). `fill` writes to a binary file
    object open on the temporary file.
    """
    directory = path.parent
    temporary = directory / f".{path.name}.{secrets.token_hex(8)}.tmp"
    try:
        descriptor = open_private(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except OSError as error:
        raise VaultError(
            f"could not write {path.name} in {directory}: {error.strerror}; "
            "check that the folder exists and is writable"
        ) from error
    try:
        with os.fdopen(descriptor, "wb") as handle:
            make_private(handle.fileno())
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            move_into_place_exclusively(temporary, path)
        else:
            os.replace(temporary, path)
        sync_directory(directory)
    except FileExistsError as error:
        _remove_quietly(temporary)
        raise VaultError(
            f"{path.name} already exists in {directory}; nothing was changed"
        ) from error
    except OSError as error:
        _remove_quietly(temporary)
        raise VaultError(
            f"could not write {path.name} in {directory}: {error.strerror}; "
            "nothing was changed; check free space and permissions"
        ) from error
    except BaseException:
        _remove_quietly(temporary)
        raise


def _remove_quietly(path: Path) -> None:
    """Delete a leftover temporary file; a missing file is not an error."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
