"""Start-up: `notify-tui check FILE` and `notify-tui --help` against importing click and pydantic.

    .venv/bin/python benchmarks/bench_startup.py          # median of 10 interleaved runs
    .venv/bin/python benchmarks/bench_startup.py 20       # of 20

Each command is a whole new process; its CPU time (user + system, from the kernel's
accounting of the finished child) is the measure, with wall time beside it. The baseline
is `python -c "import click, pydantic"` run by the same interpreter, interleaved with the
commands so a busier moment weighs on every side alike. Target: `check` ≤ 2× the baseline.

Also printed: a floor, `python -c` importing click and building one pydantic model
(what any command that validates with pydantic pays before doing anything), and the
first `check` with an empty cache folder (it works out the bank holiday table once).

Python's bytecode cache is allowed (`PYTHONDONTWRITEBYTECODE` is removed from the
children's environment): an installed package has its bytecode compiled at install
time, and click and pydantic have theirs; without it notify-tui's own modules would be
compiled from source in every run. The bank holiday table is kept in
`benchmarks/.cache/startup-cache` (`NOTIFY_TUI_CACHE`), warmed by one untimed run.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "docs" / "examples" / "facts.json"
CACHE = ROOT / "benchmarks" / ".cache" / "startup-cache"
PYTHON = sys.executable
NOTIFY_TUI = str(Path(PYTHON).with_name("notify-tui"))
TARGET = 2.0
MODEL = "import click\nfrom pydantic import BaseModel\nclass A(BaseModel):\n    x: int\n"
COMMANDS = {
    "python -c 'import click, pydantic'": [PYTHON, "-c", "import click, pydantic"],
    "notify-tui check facts.json": [NOTIFY_TUI, "check", str(FACTS)],
    "notify-tui --help": [NOTIFY_TUI, "--help"],
    "floor: click + one pydantic model": [PYTHON, "-c", MODEL],
}
BASELINE = "python -c 'import click, pydantic'"


def environment(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NOTIFY_TUI_CACHE"] = str(cache)
    env["NOTIFY_TUI_TODAY"] = "2026-11-23"
    return env


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of `command`, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-300:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main(runs: int) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    env = environment(CACHE)
    for command in COMMANDS.values():  # untimed: bytecode and the holiday table written
        run(command, env)
    with tempfile.TemporaryDirectory() as empty:
        first_cpu, first_wall = run(
            COMMANDS["notify-tui check facts.json"], environment(Path(empty))
        )
        shutil.rmtree(empty, ignore_errors=True)

    cpu: dict[str, list[float]] = {name: [] for name in COMMANDS}
    wall: dict[str, list[float]] = {name: [] for name in COMMANDS}
    load = os.getloadavg()
    for _ in range(runs):
        for name, command in COMMANDS.items():
            used, took = run(command, env)
            cpu[name].append(used)
            wall[name].append(took)
    end_load = os.getloadavg()

    base_cpu = statistics.median(cpu[BASELINE])
    base_wall = statistics.median(wall[BASELINE])
    print(f"median of {runs} interleaved runs; load average {load[0]:.2f} at the start, "
          f"{end_load[0]:.2f} at the end")  # fmt: skip
    print(f"{'':38} {'CPU':>8} {'× base':>7}   {'wall':>8} {'× base':>7}")
    for name in COMMANDS:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        print(f"{name:38} {c * 1000:6.0f} ms {c / base_cpu:6.2f}×   "
              f"{w * 1000:6.0f} ms {w / base_wall:6.2f}×")  # fmt: skip
    ratio = statistics.median(cpu["notify-tui check facts.json"]) / base_cpu
    verdict = "met" if ratio <= TARGET else "MISSED"
    print(f"\ncheck ÷ baseline (CPU): {ratio:.2f}×   target ≤ {TARGET:.0f}×: {verdict}")
    print(f"first check with an empty cache folder (works out the bank holiday table): "
          f"{first_cpu * 1000:.0f} ms CPU, {first_wall * 1000:.0f} ms wall")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
