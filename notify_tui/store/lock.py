"""The single-writer lock: one notify-tui process per vault at a time.

`WriterLock` takes an exclusive `flock` on `vault.lock` in the vault's home directory
and writes its process id into the file, so a second process can say which process
holds the vault. The kernel drops the lock when the holder exits, even if it crashes,
so a stale lock file never blocks anyone; the file itself is never deleted (deleting a
lock file that others may have open lets two processes "hold" it at once).

`flock` locks are advisory and local to one machine: keep the vault on a local disk.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import Final

from notify_tui.errors import VaultError, VaultLocked

LOCK_FILE_NAME: Final = "vault.lock"
"""Name of the lock file in the vault's home directory."""

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
            descriptor = os.open(
                self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600
            )
        except OSError as error:
            raise VaultError(
                f"could not open the lock file {self.path}: {error.strerror}; "
                "check the data directory"
            ) from None
        try:
            os.fchmod(descriptor, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_pid(descriptor)
                raise VaultLocked(
                    f"the vault is open in another notify-tui process (pid {holder}); "
                    "close it first"
                ) from None
            # Write the pid, then cut off any longer pid left by an earlier holder.
            text = f"{os.getpid()}\n".encode("ascii")
            os.pwrite(descriptor, text, 0)
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
        finally:
            # Closing the last descriptor releases the flock.
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


def _read_pid(descriptor: int) -> str:
    """The pid written in the lock file, or "unknown" if it cannot be read."""
    try:
        text = os.pread(descriptor, _MAX_PID_TEXT, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return "unknown"
    return text if text.isdigit() else "unknown"
