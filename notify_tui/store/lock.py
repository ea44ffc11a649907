"""The single-writer lock: one notify-tui process per vault at a time.

`WriterLock` locks `vault.lock` in the vault's home directory with the operating
system's own file lock, through `filelock.lock_descriptor` (an exclusive `flock` of the
whole file on Linux and macOS, `LockFileEx` of its first byte on Windows), and writes
its process id into the file, so a second process can say which process holds the
vault. The system drops the lock when the holder exits, even if it crashes, so a stale
lock file never blocks anyone; the file itself is never deleted (deleting a lock file
that others may have open lets two processes "hold" it at once).

The file is opened here, owner-only and without truncating it (`filelock.FileLock`
would truncate it on every attempt, wiping the holder's pid), and only the locking call
is the library's. On Windows a locked byte cannot be read by anyone else, so the pid is
written after the first byte: the file reads "\\n<pid>\\n" while held, and is empty
otherwise.

File locks are local to one machine: keep the vault on a local disk.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType
from typing import Final

from filelock import lock_descriptor, unlock_descriptor

from notify_tui.errors import VaultError, VaultLocked
from notify_tui.store.private_files import make_private, open_private

LOCK_FILE_NAME: Final = "vault.lock"
"""Name of the lock file in the vault's home directory."""

_LOCKED_BYTE: Final = b"\n"
"""The first byte of a held lock file: the one Windows locks (and nobody else may read)."""

_MAX_PID_TEXT: Final = 32


class WriterLock:
    """An exclusive, non-blocking lock on a vault's home directory.

    Use as a context manager (`with WriterLock(home): ...`) or call `acquire()` and
    `release()`. `acquire()` raises `VaultLocked` naming the holder's pid if another
    process (or another `WriterLock` in this process) holds the lock.
    """

    def __init__(self, home: Path) -> None:
        """Refer to the lock of the vault in `home`; nothing is locked until `acquire()`."""
        self.home = home
        self.path = home / LOCK_FILE_NAME
        self._descriptor: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._descriptor is not None

    def acquire(self) -> None:
        """Take the lock, or raise `VaultLocked`; does nothing if already held."""
        if self._descriptor is not None:
            return
        try:
            descriptor = open_private(self.path, os.O_RDWR | os.O_CREAT)
        except OSError as error:
            raise VaultError(
                f"could not open the lock file {self.path}: {error.strerror}; "
                "check the data directory"
            ) from None
        try:
            make_private(descriptor)
            try:
                locked = lock_descriptor(descriptor, blocking=False)
            except OSError as error:
                raise VaultError(
                    f"could not lock {self.path}: {error.strerror}; keep the vault on a local disk"
                ) from None
            if not locked:
                holder = _read_pid(descriptor)
                raise VaultLocked(
                    f"the vault is open in another notify-tui process (pid {holder}); "
                    "close it first"
                )
            # Write the pid, then cut off any longer pid left by an earlier holder.
            text = _LOCKED_BYTE + f"{os.getpid()}\n".encode("ascii")
            _write_at_start(descriptor, text)
            os.ftruncate(descriptor, len(text))
        except BaseException:
            os.close(descriptor)
            raise
        self._descriptor = descriptor

    def release(self) -> None:
        """Give the lock up; does nothing if it is not held."""
        descriptor, self._descriptor = self._descriptor, None
        if descriptor is None:
            return
        try:
            # Clear the pid while still holding the lock, so nobody reads a stale one.
            os.ftruncate(descriptor, 0)
            # Windows asks for an explicit unlock (closing releases it "in due course");
            # should it fail, closing the descriptor below still releases the lock.
            with contextlib.suppress(OSError):
                unlock_descriptor(descriptor)
        finally:
            os.close(descriptor)

    def __enter__(self) -> WriterLock:
        """Acquire the lock for the `with` block."""
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Release the lock at the end of the `with` block."""
        self.release()


def _write_at_start(descriptor: int, data: bytes) -> None:
    """Write all of `data` at the start of the file (`os.pwrite` is POSIX-only)."""
    os.lseek(descriptor, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _read_pid(descriptor: int) -> str:
    """The pid written in the lock file, or "unknown" if it cannot be read."""
    try:
        os.lseek(descriptor, len(_LOCKED_BYTE), os.SEEK_SET)
        text = os.read(descriptor, _MAX_PID_TEXT).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return "unknown"
    return text if text.isdigit() else "unknown"
