"""The test side of `crash_zygote.py`: fork a writer, SIGKILL it at a moment, read its lines.

Not a test module. One `Zygote` serves a whole test module (start it in a module-scoped
fixture); each trial forks a `vault_writer.py` child from it and kills that child.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from vault_support import PASSPHRASE, cli_env

ZYGOTE_SCRIPT = Path(__file__).with_name("crash_zygote.py")
TRIGGER_TIMEOUT = 120.0
"""Seconds a writer may take to print its trigger line (a loaded machine is slow)."""


class WriterDied(AssertionError):
    """The writer ended on its own before the kill (its stderr is in the message)."""


class Zygote:
    """A running `crash_zygote.py` (started with the suite's test environment)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ZYGOTE_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=cli_env(None, PASSPHRASE),
        )
        self.trials = 0

    def _ask(self, command: dict[str, object]) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, "the zygote stopped"
        return answer.strip()

    def kill_after(
        self,
        arguments: Iterable[str],
        delay: float,
        *,
        scratch: Path,
        trigger: str = "READY",
    ) -> list[str]:
        """Fork `vault_writer.py ARGS`, SIGKILL it `delay` s after it prints `trigger`.

        Returns every line it printed. Fails (`WriterDied`) if it ends by itself.
        """
        self.trials += 1
        out = scratch / f"writer-{self.trials}.out"
        err = scratch / f"writer-{self.trials}.err"
        answer = self._ask({"run": list(arguments), "out": str(out), "err": str(err)})
        pid = int(answer.removeprefix("PID "))
        deadline = time.monotonic() + TRIGGER_TIMEOUT
        while trigger not in _lines(out):
            if _ended(pid) or time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                self._ask({"wait": pid})
                raise WriterDied(f"no {trigger}: {_lines(out)[-3:]} {_tail(err)}")
            time.sleep(0.002)
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        status = int(self._ask({"wait": pid}).split()[2])
        if status != -signal.SIGKILL:
            raise WriterDied(f"the writer exited with {status} before the kill: {_tail(err)}")
        return _lines(out)

    def close(self) -> None:
        """Stop the zygote."""
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps({"quit": True}) + "\n")
            self.process.stdin.close()
            self.process.wait(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _lines(path: Path) -> list[str]:
    """The whole lines written so far (a line still being written is left out)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    return text[: text.rfind("\n") + 1].splitlines()


def _tail(path: Path) -> str:
    try:
        return path.read_text()[-2000:]
    except FileNotFoundError:
        return ""


def _ended(pid: int) -> bool:
    """Whether the child has exited (a zombie until reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state == "Z"
