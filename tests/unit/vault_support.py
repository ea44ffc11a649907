"""Shared helpers for the vault acceptance tests: template vaults, the CLI, file scans.

Not a test module. Vaults are made in-process with `Session.init` at the Argon2id floor
(no calibration run) and copied for each test that changes one; every CLI call is a real
`notify-tui` process with "today" frozen. All names and outlines are synthetic.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import factories
import kdf_stub

from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner

TODAY = "2026-11-23"
PASSPHRASE = "correct horse battery staple"
ORG = "Testshire"
AUTHOR = "Test Lead (fictional)"
WRITER_SCRIPT = Path(__file__).with_name("vault_writer.py")
CLI_TIMEOUT = 120


def case_document(
    number: int,
    *,
    given_names: str = "Ada",
    family_name: str | None = None,
    outline: str | None = None,
    **extra_subject: Any,
) -> dict[str, Any]:
    """A valid minimal child death case document (a fictional 6-year-old)."""
    return factories.case(
        "child_death",
        subjects=[
            factories.subject(
                given_names=given_names,
                family_name=family_name or f"Fictional-{number:05d}",
                sex="F",
                **extra_subject,
            )
        ],
        facts={
            "date_of_birth": "2020-03-14",
            "event_date": "2026-11-16",
            "aware_date": "2026-11-17",
            "abuse_or_neglect": "none",
        },
        case_outline=outline or f"SYNTHETIC test case {number}. Not a real child.",
    )


def make_vault(home: Path, documents: Iterable[Mapping[str, Any]] = ()) -> tuple[str, list[str]]:
    """Create a vault in `home` holding `documents`; return its recovery code and case ids.

    Needs NOTIFY_TUI_TODAY set (the documents' dates are checked against today).
    """
    session, recovery = Session.init(
        home, PASSPHRASE, org=ORG, role="la", author=AUTHOR, kdf=ARGON2_FLOOR, owner=InlineOwner()
    )
    with session:
        ids = session.create_cases(list(documents)) if documents else []
    return recovery, ids


def copy_vault(template: Path, destination: Path) -> Path:
    """A private copy of a closed vault folder (same keys, same cases)."""
    shutil.copytree(template, destination)
    destination.chmod(0o700)
    return destination


def cli_env(home: Path | None, passphrase: str | None = PASSPHRASE, **extra: str) -> dict[str, str]:
    """The environment for a `notify-tui` process: frozen today, no debug, given home.

    While this process derives keys with the test stand-in, the child is asked to as well
    (it must open the vaults made here).
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("NOTIFY_TUI_")}
    env.pop(kdf_stub.ENV_SWITCH, None)
    if kdf_stub.is_cheap():
        env[kdf_stub.ENV_SWITCH] = "1"
    env["NOTIFY_TUI_TODAY"] = TODAY
    # The session's cache folder (conftest), never the real user cache folder.
    if "NOTIFY_TUI_CACHE" in os.environ:
        env["NOTIFY_TUI_CACHE"] = os.environ["NOTIFY_TUI_CACHE"]
    if home is not None:
        env["NOTIFY_TUI_HOME"] = str(home)
    if passphrase is not None:
        env["NOTIFY_TUI_PASSPHRASE"] = passphrase
    env.update(extra)
    return env


def run_cli(
    *args: str,
    home: Path | None,
    passphrase: str | None = PASSPHRASE,
    stdin: str = "",
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `notify-tui ARGS` as a real process against `home` (with the KDF this one uses)."""
    program = [str(kdf_stub.SCRIPT)] if kdf_stub.is_cheap() else ["-m", "notify_tui"]
    return subprocess.run(
        [sys.executable, *program, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=cli_env(home, passphrase),
        cwd=cwd,
        timeout=CLI_TIMEOUT,
    )


def assert_refused(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Exit status 2, exactly one stderr line starting "error:", no traceback; return it."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 2, output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("error: "), line
    for fragment in fragments:
        assert fragment in line, line
    return line


def files_under(directory: Path) -> list[Path]:
    """Every regular file under `directory`, hidden ones and subfolders included."""
    found = []
    for root, _, names in os.walk(directory):
        found.extend(Path(root, name) for name in names)
    return sorted(path for path in found if path.is_file())


def fingerprint(directory: Path) -> dict[str, str]:
    """Every file under `directory` (relative name) with the SHA-256 of its bytes."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in files_under(directory)
    }


def find_needles(paths: Iterable[Path], needles: Iterable[str | bytes]) -> dict[str, list[str]]:
    """Which needles (as UTF-8 bytes) occur in which files: {file: [needle, ...]}."""
    encoded = [n if isinstance(n, bytes) else n.encode("utf-8") for n in needles]
    hits: dict[str, list[str]] = {}
    for path in paths:
        try:
            content = path.read_bytes()
        except FileNotFoundError:  # a sidecar or temporary file that went away meanwhile
            continue
        found = [n.decode("utf-8", "replace") for n in encoded if n in content]
        if found:
            hits[str(path)] = found
    return hits


def kill_writer_after(
    home: Path,
    writer_args: Iterable[str],
    delay: float,
    *,
    passphrase: str = PASSPHRASE,
    scratch: Path,
    trigger: str = "READY",
    before_kill: Any = None,
) -> list[str]:
    """Start `vault_writer.py HOME ARGS`, SIGKILL it `delay` s after `trigger`; return its lines.

    `trigger` is a line the writer prints (READY by default). The lines returned are
    everything it printed. `before_kill`, if given, is called with no argument just
    before the kill (e.g. to scan the files while the writer is busy). Fails if the
    writer does not get to READY and then to `trigger`.
    """
    stderr_path = scratch / f"writer-{os.getpid()}-{len(os.listdir(scratch))}.err"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(WRITER_SCRIPT), str(home), *writer_args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=cli_env(home, passphrase),
        )
        assert process.stdout is not None
        watchdog = threading.Timer(CLI_TIMEOUT, process.kill)
        watchdog.start()
        try:
            seen = [process.stdout.readline()]
            while seen[-1].strip() != trigger and seen[-1] and seen[0].strip() == "READY":
                seen.append(process.stdout.readline())
            if seen[-1].strip() != trigger:
                process.kill()
                process.wait()
                raise AssertionError(
                    f"the writer never printed {trigger}: {seen[-3:]!r} "
                    f"{stderr_path.read_text()[-2000:]}"
                )
            time.sleep(delay)
            if before_kill is not None:
                before_kill()
            process.kill()
            rest = process.stdout.read()
            process.wait()
        finally:
            watchdog.cancel()
            process.stdout.close()
    assert process.returncode == -signal.SIGKILL, stderr_path.read_text()[-2000:]
    return [line.strip() for line in seen] + rest.splitlines()
