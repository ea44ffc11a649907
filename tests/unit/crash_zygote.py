"""A fork server for crash trials: import notify-tui once, then fork one writer per trial.

    python crash_zygote.py        # commands on stdin, answers on stdout, one per line

Starting a Python process that imports notify-tui takes most of a second; forking one
that already has takes milliseconds, so hundreds of SIGKILL trials fit in minutes. This
process starts no thread and opens no database, so a fork of it is as clean as a fresh
start. Each child runs `vault_writer.main` with its stdout and stderr sent to files; the
test kills it by pid (SIGKILL) and asks for its status.

Commands (JSON objects):

- `{"run": [ARGS...], "out": FILE, "err": FILE}` → `PID <pid>`: fork, and in the child
  run `vault_writer.py ARGS...`;
- `{"wait": PID}` → `STATUS <pid> <code>`: reap it; the code is as `subprocess` gives it
  (-9 for a SIGKILL);
- `{"quit": true}`: exit.

Not a test module; the trials are in test_crash_sync.py.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vault_writer  # noqa: E402 - after the path above; installs the cheap KDF if asked


def child(arguments: list[str], out: str, err: str) -> None:
    """In the forked child: point stdout/stderr at the files and run the writer."""
    code = 1
    try:
        for descriptor, path, flags in (
            (0, os.devnull, os.O_RDONLY),
            (1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            (2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        ):
            opened = os.open(path, flags, 0o600)
            os.dup2(opened, descriptor)
            os.close(opened)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - lives as long as the child
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        vault_writer.main(["vault_writer.py", *arguments])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - report anything, then leave without cleanup
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    """Serve commands until stdin closes or a quit."""
    for line in sys.stdin:
        command = json.loads(line)
        if "run" in command:
            pid = os.fork()
            if pid == 0:
                child(command["run"], command["out"], command["err"])
            print(f"PID {pid}", flush=True)
        elif "wait" in command:
            pid, status = os.waitpid(int(command["wait"]), 0)
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            print(f"STATUS {pid} {code}", flush=True)
        else:
            break


if __name__ == "__main__":
    main()
