"""Five commands in the line mode against one plain CLI command, each a real process.

    .venv/bin/python benchmarks/bench_shell.py              # 200 cases, 5 runs each
    .venv/bin/python benchmarks/bench_shell.py --cases 1000 --runs 3

Every vault command of the CLI unlocks the vault (Argon2id at 256 MiB or more, tuned at
`init` to take 0.5-1 s) and starts a Python process; the line mode does both once. The
vault is made with `notify-tui init` as a user would (real Argon2id, calibrated) and
seeded with synthetic cases. Measured, as wall-clock time of whole processes, median of
`--runs`, alternating the sides so neither gets a warmer machine:

- baseline: `notify-tui case list`, one plain CLI command;
- `printf 'case list\\ndeadlines\\ncase show ID\\nconflicts\\nreport --period
  last-month\\nquit\\n' | notify-tui shell`: the same five commands in the line mode;
- for scale, those five as five CLI commands.

Target: the line mode's five take less than twice the one CLI command.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TODAY = "2026-11-23"
PASSPHRASE = "benchmark passphrase"
PROGRAM = [sys.executable, "-m", "notify_tui"]


def run(args: list[str], env: dict[str, str], stdin: str = "") -> tuple[float, str]:
    """Run notify-tui ARGS; its wall time and standard output (it must succeed)."""
    start = time.perf_counter()
    result = subprocess.run(
        [*PROGRAM, *args], input=stdin, capture_output=True, text=True, env=env, check=False
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"notify-tui {' '.join(args)} failed: {result.stderr.strip()}")
    return elapsed, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shell-") as folder:
        env = {key: value for key, value in os.environ.items() if not key.startswith("NOTIFY_")}
        env.update(
            NOTIFY_TUI_HOME=str(Path(folder) / "vault"),
            NOTIFY_TUI_PASSPHRASE=PASSPHRASE,
            NOTIFY_TUI_TODAY=TODAY,
        )
        run(["init", "--la", "Benchshire", "--user", "Bench"], env)
        run(["seed", "--cases", str(options.cases), "--seed", "1"], env)
        _, listing = run(["case", "list"], env)
        case_id = listing.splitlines()[1].split()[0]
        commands = [
            ["case", "list"],
            ["deadlines"],
            ["case", "show", case_id],
            ["conflicts"],
            ["report", "--period", "last-month"],
        ]
        script = "".join(" ".join(words) + "\n" for words in commands) + "quit\n"
        cli_one: list[float] = []
        shell_five: list[float] = []
        cli_five: list[float] = []
        for _ in range(options.runs):
            cli_one.append(run(["case", "list"], env)[0])
            seconds, shell_output = run(["shell"], env, stdin=script)
            shell_five.append(seconds)
            cli_five.append(sum(run(words, env)[0] for words in commands))
        expected = "".join(run(words, env)[1] for words in commands)
        if shell_output != expected:
            raise SystemExit("the line mode printed something else than the five CLI commands")
    one, shell, five = (statistics.median(v) for v in (cli_one, shell_five, cli_five))
    print(f"{options.cases} synthetic cases, median of {options.runs} runs (whole processes)")
    print(f"one CLI command (case list):          {one:6.2f} s")
    print(f"five commands in the line mode:       {shell:6.2f} s  = {shell / one:.2f}x one command")
    print(f"the same five as five CLI commands:   {five:6.2f} s  = {five / one:.2f}x one command")
    verdict = "met" if shell < 2 * one else "MISSED"
    print(f"target: the line mode's five < 2x one command: {verdict}")


if __name__ == "__main__":
    main()
