"""The single-writer lock, checked against real second processes."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from notify_tui.errors import VaultError, VaultLocked
from notify_tui.store.lock import LOCK_FILE_NAME, WriterLock

REPO = Path(__file__).resolve().parents[2]

HOLDER = """
import sys
from pathlib import Path
from notify_tui.store.lock import WriterLock
lock = WriterLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
sys.stdin.readline()
lock.release()
print("released", flush=True)
"""

CONTENDER = """
import sys
from pathlib import Path
from notify_tui.errors import VaultLocked
from notify_tui.store.lock import WriterLock
try:
    WriterLock(Path(sys.argv[1])).acquire()
except VaultLocked as error:
    print(error)
    sys.exit(3)
print("acquired")
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that holds the lock on `tmp_path` until told to let go."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "locked"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def test_acquire_writes_pid_and_release_clears_it(tmp_path: Path) -> None:
    """The lock file is 0600 and names the holder's pid while held."""
    old_umask = os.umask(0o022)
    try:
        lock = WriterLock(tmp_path)
        lock.acquire()
    finally:
        os.umask(old_umask)
    path = tmp_path / LOCK_FILE_NAME
    assert lock.held
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == f"\n{os.getpid()}\n"
    lock.acquire()  # already held: nothing happens
    lock.release()
    assert not lock.held
    assert path.read_text() == ""
    lock.release()  # not held: nothing happens


def test_context_manager(tmp_path: Path) -> None:
    """`with WriterLock(home)` holds the lock for the block only."""
    with WriterLock(tmp_path) as lock:
        assert lock.held
        with pytest.raises(VaultLocked):
            WriterLock(tmp_path).acquire()
    assert not lock.held
    with WriterLock(tmp_path):
        pass


def test_second_lock_in_the_same_process_is_refused(tmp_path: Path) -> None:
    """Two Session objects in one process cannot both write."""
    with WriterLock(tmp_path), pytest.raises(VaultLocked) as caught:
        WriterLock(tmp_path).acquire()
    assert str(caught.value) == (
        f"the vault is open in another notify-tui process (pid {os.getpid()}); close it first"
    )


def test_another_process_holding_the_lock_is_named(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    """While another process holds the vault we get its pid; after it lets go, we get in."""
    lock = WriterLock(tmp_path)
    with pytest.raises(VaultLocked) as caught:
        lock.acquire()
    assert str(caught.value) == (
        f"the vault is open in another notify-tui process (pid {holder.pid}); close it first"
    )
    assert not lock.held
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "released"
    with lock:
        assert lock.held


def test_a_crashed_holder_does_not_block(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    """The kernel drops the lock of a killed process; its stale pid is overwritten."""
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    with WriterLock(tmp_path):
        assert (tmp_path / LOCK_FILE_NAME).read_text() == f"\n{os.getpid()}\n"


def test_another_process_is_refused_while_we_hold_it(tmp_path: Path) -> None:
    """A second notify-tui process gets the one-line message with our pid."""
    with WriterLock(tmp_path):
        result = subprocess.run(
            [sys.executable, "-c", CONTENDER, str(tmp_path)],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=30,
        )
    assert result.returncode == 3, result.stderr
    assert result.stdout == (
        f"the vault is open in another notify-tui process (pid {os.getpid()}); close it first\n"
    )


def test_lock_is_not_inherited_by_child_processes(tmp_path: Path) -> None:
    """The lock descriptor is close-on-exec: a child we start cannot hold the vault."""
    with WriterLock(tmp_path):
        child = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(30)"], close_fds=False, cwd=REPO
        )
    try:
        with WriterLock(tmp_path):
            pass
    finally:
        child.kill()
        child.wait(timeout=10)


def test_missing_home_directory(tmp_path: Path) -> None:
    """A home that does not exist is a one-line VaultError, not a traceback."""
    with pytest.raises(VaultError, match="could not open the lock file") as caught:
        WriterLock(tmp_path / "missing").acquire()
    assert "\n" not in str(caught.value)
