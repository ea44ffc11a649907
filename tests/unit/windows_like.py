"""Run notify-tui as far as Linux can pretend to be Windows: no POSIX-only call available.

Not a test module: `test_portable.py` runs it in a fresh interpreter,

    python tests/unit/windows_like.py WORK_DIR

Before notify_tui is imported it removes what Windows' Python does not have: the
modules `fcntl`, `pwd`, `grp`, `termios`, `tty`, `pty`, `resource` and `readline`
cannot be imported, and `os` loses `getuid`, `fchmod`, `O_NOFOLLOW`, `O_CLOEXEC`,
`O_DIRECTORY`, `pread`, `pwrite` and the rest of `POSIX_ONLY`. `sys.platform` reads
"win32" while notify-tui's platform module and platformdirs are imported (each decides
its branch then), and is Linux's again for everything else, whose Windows code could
not run here. Then it imports every notify_tui module and runs the vault, the writer
lock, a backup, a bundle round trip from an LA to the office, the demo sweep, the CLI
and the line mode, printing one `ok: ...` line per step. Any POSIX call reached is an
AttributeError or ImportError, and the script fails.

Two stand-ins, both for what only Windows can run: `filelock`'s descriptor lock (on
Windows `LockFileEx` on the file's first byte; here `flock`, taken from `fcntl` before
it was hidden, with the same refuse-a-second-holder behaviour), and the platformdirs
folder lookup (on Windows a shell API call; here its documented override variable).
Key derivation uses the suite's cheap stand-in. All data is synthetic.
"""

from __future__ import annotations

import fcntl as _real_fcntl  # taken before it is hidden, for the lock stand-in only
import importlib
import os
import pkgutil
import sys
import warnings
from pathlib import Path

POSIX_ONLY_MODULES = ("fcntl", "pwd", "grp", "termios", "tty", "pty", "resource", "readline")
POSIX_ONLY = (
    "getuid", "geteuid", "getgid", "getegid", "getgroups", "setuid", "setgid",
    "fchmod", "fchown", "chown", "lchown", "lchmod", "chroot", "mkfifo", "mknod",
    "O_NOFOLLOW", "O_CLOEXEC", "O_DIRECTORY", "O_NOCTTY", "O_DSYNC", "O_SYNC",
    "pread", "pwrite", "preadv", "pwritev", "sync", "fdatasync", "statvfs", "fstatvfs",
    "fork", "forkpty", "setsid", "getpgid", "killpg", "openpty", "ttyname", "ctermid",
    "posix_fadvise", "posix_fallocate", "sched_getaffinity",
)  # fmt: skip
"""Attributes of Linux's `os` that Windows' `os` does not have (each is POSIX-only in
the Python documentation)."""

FICTIONAL_LOCAL_APPDATA = "C:\\Users\\Fictional\\AppData\\Local"


def hide_posix() -> None:
    """Make the POSIX-only modules unimportable and the POSIX-only attributes absent."""
    for name in POSIX_ONLY_MODULES:
        sys.modules[name] = None  # type: ignore[assignment]  # import now raises ImportError
    for name in POSIX_ONLY:
        if hasattr(os, name):
            delattr(os, name)


def import_as_windows(*modules: str) -> None:
    """Import `modules` while `sys.platform` says "win32", so they take Windows' branch."""
    real = sys.platform
    sys.platform = "win32"
    try:
        for module in modules:
            importlib.import_module(module)
    finally:
        sys.platform = real


def stand_in_lock() -> None:
    """Give the writer lock a descriptor lock that needs no `fcntl` in the module table."""
    from notify_tui.store import lock

    def lock_descriptor(fd: int, *, blocking: bool = True) -> bool:
        assert blocking is False, "notify-tui never waits for the lock"
        try:
            _real_fcntl.flock(fd, _real_fcntl.LOCK_EX | _real_fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def unlock_descriptor(fd: int) -> None:
        _real_fcntl.flock(fd, _real_fcntl.LOCK_UN)

    lock.lock_descriptor = lock_descriptor  # type: ignore[assignment]
    lock.unlock_descriptor = unlock_descriptor  # type: ignore[assignment]


def main(work: Path) -> None:
    os.environ["WIN_PD_OVERRIDE_LOCAL_APPDATA"] = FICTIONAL_LOCAL_APPDATA
    hide_posix()
    # filelock warns, on import, that a Linux without fcntl gets only its soft lock;
    # the writer lock uses the stand-in below instead.
    warnings.filterwarnings("ignore", "only soft file lock is available")
    import_as_windows("platformdirs", "notify_tui.store.private_files")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import kdf_stub

    kdf_stub.install_if_asked()
    assert kdf_stub.is_cheap(), "run with TESTS_CHEAP_KDF=1"

    from notify_tui.store import private_files

    assert private_files.WINDOWS
    for name in POSIX_ONLY_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        raise AssertionError(f"{name} is still importable")
    assert not hasattr(os, "fchmod") and not hasattr(os, "getuid")
    print("ok: POSIX-only modules and os attributes are gone")

    import notify_tui

    for module in pkgutil.walk_packages(notify_tui.__path__, "notify_tui."):
        if module.name != "notify_tui.__main__":  # which runs the CLI
            importlib.import_module(module.name)
    print("ok: every notify_tui module imports")

    stand_in_lock()
    run_vault_and_bundles(work)
    run_demo_sweep(work)
    run_cli_and_shell(work)


def case_document() -> dict[str, object]:
    return {
        "kind": "child_death",
        "subjects": [
            {"given_names": "Ada", "family_name": "Windows-Fictional", "sex": "F"},
        ],
        "facts": {
            "date_of_birth": "2020-03-14",
            "outcome": "died",
            "event_date": "2026-11-16",
            "aware_date": "2026-11-17",
            "abuse_or_neglect": "none",
            "location": "in_area",
            "normally_resident_in_area": True,
        },
        "case_outline": "SYNTHETIC case for the Windows-like run. Not a real child.",
    }


def run_vault_and_bundles(work: Path) -> None:
    from notify_tui.errors import VaultLocked
    from notify_tui.services.session import Session
    from notify_tui.settings import resolve_home
    from notify_tui.store.keyslots import ARGON2_FLOOR
    from notify_tui.store.lock import WriterLock

    saved_home = os.environ.pop("NOTIFY_TUI_HOME", None)
    default = resolve_home()  # (joined with "/": os.path is Linux's here)
    assert (str(default.parent), default.name) == (FICTIONAL_LOCAL_APPDATA, "notify-tui"), default
    if saved_home is not None:
        os.environ["NOTIFY_TUI_HOME"] = saved_home
    print("ok: the default vault folder is the user's local application data")

    passphrase = "windows like passphrase"
    la, _ = Session.init(
        work / "la", passphrase, org="Winshire Council", role="la", author="W. Lead",
        kdf=ARGON2_FLOOR,
    )  # fmt: skip
    with la:
        case_id = la.create_case(case_document())
        try:
            WriterLock(work / "la").acquire()
        except VaultLocked as error:
            assert f"(pid {os.getpid()})" in error.message, error.message
        else:
            raise AssertionError("a second writer got the lock")
        la.backup(work / "la-backup.ntbackup")
    print("ok: a vault is created, holds a case, refuses a second writer, backs up")

    with Session.unlock(work / "la", passphrase=passphrase) as la:
        assert [row.id for row in la.list_cases()] == [case_id]
        la.change_passphrase(passphrase, passphrase + " again")
    with Session.unlock(work / "la", passphrase=passphrase + " again") as la:
        assert la.case_detail(case_id).id == case_id
    print("ok: the vault unlocks again, and after a passphrase change")

    office, _ = Session.init(
        work / "office", passphrase, org="Winshire CSP Office", role="office",
        author="O. Office", kdf=ARGON2_FLOOR,
    )  # fmt: skip
    keys = work / "keys"
    keys.mkdir()
    outbox = work / "outbox"
    outbox.mkdir()
    with office, Session.unlock(work / "la", passphrase=passphrase + " again") as la:
        la.sync.keys_export(keys / "la.keys")
        office.sync.keys_export(keys / "office.keys")
        la.sync.add_peer(keys / "office.keys")
        office.sync.add_peer(keys / "la.keys")
        (bundle,) = la.sync.export(outbox)
        outcomes = office.sync.import_from_dir(outbox)
        assert [outcome.reason for outcome in outcomes] == [None], outcomes
        assert [row.id for row in office.list_cases()] == [case_id]
        assert not bundle.exists() and (outbox / "done" / bundle.name).exists()
    print("ok: a bundle goes from the LA to the office and is filed away")


def run_demo_sweep(work: Path) -> None:
    import time

    from notify_tui.demo.vault import DEMO_PREFIX, STALE_AFTER_SECONDS, remove_stale_demo_vaults

    stale = work / "temp" / f"{DEMO_PREFIX}killed"
    (stale / "vault").mkdir(parents=True)
    (stale / "vault" / "vault.db").write_bytes(b"encrypted synthetic cases")
    old = time.time() - STALE_AFTER_SECONDS - 60
    os.utime(stale, (old, old))
    assert remove_stale_demo_vaults(work / "temp") == [stale]
    assert not stale.exists()
    print("ok: a killed demo's folder is swept")


def run_cli_and_shell(work: Path) -> None:
    import contextlib
    import io

    from notify_tui.cli import cli

    os.environ["NOTIFY_TUI_HOME"] = str(work / "la")
    os.environ["NOTIFY_TUI_PASSPHRASE"] = "windows like passphrase again"
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        cli.main(["case", "list"], prog_name="notify-tui")
    assert "Windows-Fictional"[:1] in out.getvalue() and "CD-" in out.getvalue(), out.getvalue()
    print("ok: the CLI lists the case")

    from notify_tui.cli.shell import terminal_reader

    terminal_reader(cli)  # readline cannot be imported: plain input() it is
    real_stdin = sys.stdin
    sys.stdin = io.StringIO("case list\ndeadlines\nquit\n")
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            cli.main(["shell"], prog_name="notify-tui")
    finally:
        sys.stdin = real_stdin
    assert "CD-" in out.getvalue() and "cdop-notification" in out.getvalue(), out.getvalue()
    print("ok: the line mode runs without readline")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
