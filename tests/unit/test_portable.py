"""Windows and macOS: no POSIX-only call on Windows' paths, and the POSIX side unchanged.

CI cannot run Windows here, so `windows_like.py` runs the whole program in a fresh
interpreter with every POSIX-only module and `os` attribute removed and the platform
checks answering "win32" (see its docstring for what it stands in for). The rest checks
the POSIX side of `store/private_files.py` on this machine. (`.ci/run` also downloads
every dependency's wheel for Windows and macOS, and installs from an offline folder.)
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from notify_tui.store import private_files
from notify_tui.store.connection import open_database
from notify_tui.store.files import atomic_write_bytes

SCRIPT = Path(__file__).with_name("windows_like.py")
ROOT = Path(__file__).resolve().parents[2]

STEPS = [
    "ok: POSIX-only modules and os attributes are gone",
    "ok: every notify_tui module imports",
    "ok: the default vault folder is the user's local application data",
    "ok: a vault is created, holds a case, refuses a second writer, backs up",
    "ok: the vault unlocks again, and after a passphrase change",
    "ok: a bundle goes from the LA to the office and is filed away",
    "ok: a killed demo's folder is swept",
    "ok: the CLI lists the case",
    "ok: the line mode runs without readline",
]


def test_the_program_runs_with_no_posix_only_call(tmp_path: Path) -> None:
    """Every module imports, and the vault, lock, backup, bundles, demo sweep, CLI and line
    mode work, with fcntl, pwd, termios, os.getuid, os.fchmod, O_NOFOLLOW... all gone."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NOTIFY_TUI_")}
    # The cache folder is set: the fictional Windows folder is a relative path here, and
    # the bank holiday table would be written under it inside the checkout.
    cache = tmp_path / "cache"
    env.update(
        TESTS_CHEAP_KDF="1",
        NOTIFY_TUI_TODAY="2026-11-23",
        NOTIFY_TUI_CACHE=str(cache),
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == STEPS, result.stdout
    assert [p.name for p in cache.glob("england-bank-holidays-*.json")], "the table's cache"
    assert not list(ROOT.glob("C:*")), "nothing written in the checkout"


def test_files_are_created_owner_only_past_the_umask(tmp_path: Path) -> None:
    """POSIX: a written file, the lock and the database are 0600 even under umask 000."""
    old_umask = os.umask(0)
    try:
        atomic_write_bytes(tmp_path / "slots.json", b"{}")
        database = open_database(tmp_path / "vault.db", bytes(32), create=True)
        database.close()
    finally:
        os.umask(old_umask)
    for name in ("slots.json", "vault.db"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def test_an_exclusive_write_never_replaces_a_file(tmp_path: Path) -> None:
    """POSIX renames over a target, so the exclusive move links: an existing file stays."""
    target = tmp_path / "bundle.zip"
    target.write_bytes(b"first")
    source = tmp_path / "new.tmp"
    source.write_bytes(b"second")
    with pytest.raises(FileExistsError):
        private_files.move_into_place_exclusively(source, target)
    assert target.read_bytes() == b"first" and source.exists()
    fresh = tmp_path / "other.zip"
    private_files.move_into_place_exclusively(source, fresh)
    assert fresh.read_bytes() == b"second" and not source.exists()


def test_a_file_is_never_opened_through_a_symbolic_link(tmp_path: Path) -> None:
    """POSIX: O_NOFOLLOW still applies where the system has it."""
    (tmp_path / "elsewhere").write_bytes(b"")
    (tmp_path / "vault.lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError):
        private_files.open_private(tmp_path / "vault.lock", os.O_RDWR | os.O_CREAT)


def test_ownership_is_the_user_id_on_posix(tmp_path: Path) -> None:
    info = tmp_path.lstat()
    assert private_files.owned_by_current_user(info)
    assert not private_files.owned_by_current_user(
        os.stat_result((info.st_mode, 0, 0, 1, os.getuid() + 1, 0, 0, 0, 0, 0))
    )


def test_this_machine_is_not_taken_for_windows() -> None:
    assert private_files.WINDOWS is (sys.platform == "win32") is False


def test_sqlite_gets_a_file_uri_that_survives_odd_names(tmp_path: Path) -> None:
    """`?`, `#`, `%` and a space in the folder name reach SQLite escaped, as one path."""
    folder = tmp_path / "odd ?#% name"
    folder.mkdir()
    database = open_database(folder / "vault.db", bytes(32), create=True)
    database.close()
    assert sorted(path.name for path in folder.iterdir()) == ["vault.db"]
    reopened = open_database(folder / "vault.db", bytes(32))
    reopened.close()
