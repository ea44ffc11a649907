"""`case list`, `deadlines`, `report` and `doctor` at 1k, 10k and 100k cases: the cost of
each step of 10× in the vault's size.

    .venv/bin/python benchmarks/bench_queries.py                   # 1k, 10k, 100k (seeds once)
    .venv/bin/python benchmarks/bench_queries.py --cases 1000 10000  # a quick run
    .venv/bin/python benchmarks/bench_queries.py --no-doctor       # the three reads only

Each command runs in this process, after the vault is unlocked (Argon2id is not timed),
through the CLI code users hit: the click command is invoked with the unlocked session
as the line mode hands it (`ShellSession`), its output written to a throwaway buffer.
Each command runs several times (`REPEATS`, `DOCTOR_RUNS`: more at the small sizes,
whose few milliseconds a busy shared machine disturbs most) and the fastest run is the
figure (the median and the first run, which reads the vault cold, are printed beside
it); `doctor` runs with `--progress`, so its bar is drawn on this process's stderr.

The figure that matters is the ratio between sizes in the same run: a step of 10× in
cases must cost at most `LIMIT`× in time (the table says "ok" or "MISSED"). Seeded
vaults are shared with `bench_tui.py` (`benchmarks/.cache/vault-N`, git-ignored; the
first run seeds each size, minutes for 100k). Today is frozen at 2026-11-23.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

TODAY = "2026-11-23"
SIZES = (1000, 10000, 100000)
REPEATS = {1000: 15, 10000: 7, 100000: 3}
"""Runs of each command at each size; the fastest is the figure (`doctor`: `DOCTOR_RUNS`)."""
DOCTOR_RUNS = {1000: 5, 10000: 2, 100000: 1}
LIMIT = 12.0
"""A step of 10× in cases may cost at most this many times the time."""

COMMANDS: dict[str, list[str]] = {
    "case list": ["case", "list"],
    "deadlines": ["deadlines"],
    "report": ["report", "--from", "2016-11-24", "--to", TODAY],
    "doctor": ["doctor", "--progress"],
}
"""What is timed: the command's words, as typed after `notify-tui`."""


def run_command(session: object, words: Sequence[str]) -> tuple[float, str]:
    """Run one CLI command on the open session: (seconds, what it printed)."""
    from notify_tui.cli import cli
    from notify_tui.cli.common import ShellSession

    output = io.StringIO()
    started = time.perf_counter()
    shell = ShellSession(session)  # type: ignore[arg-type]
    with (
        contextlib.redirect_stdout(output),
        cli.make_context("notify-tui", list(words), obj=shell) as context,
    ):
        cli.invoke(context)
    return time.perf_counter() - started, output.getvalue()


def measure(cases: int, doctor: bool) -> dict[str, tuple[float, float, int]]:
    """Each command's (fastest seconds, first run's seconds, output bytes) at `cases`."""
    from bench_tui import PASSPHRASE, seeded_vault

    from notify_tui.services.session import Session
    from notify_tui.store.owner import InlineOwner

    home = seeded_vault(cases, None)
    session = Session.unlock(home, passphrase=PASSPHRASE, owner=InlineOwner())
    results: dict[str, tuple[float, float, int]] = {}
    try:
        for name, words in COMMANDS.items():
            if name == "doctor" and not doctor:
                continue
            table = DOCTOR_RUNS if name == "doctor" else REPEATS
            repeats = table.get(cases, 1)
            times, size = [], 0
            for run in range(repeats):
                if name == "doctor":
                    print(
                        f"doctor on {cases:,} cases (run {run + 1}):", file=sys.stderr, flush=True
                    )
                seconds, text = run_command(session, words)
                times.append(seconds)
                size = len(text)
            results[name] = (min(times), times[0], size)
            print(
                f"  {cases:>7,} cases  {name:<10} {min(times):8.3f} s fastest of {repeats} "
                f"(median {statistics.median(times):.3f} s, first {times[0]:.3f} s, "
                f"{size:,} bytes out)",
                flush=True,
            )
    finally:
        session.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--no-doctor", action="store_true", help="Leave doctor out.")
    args = parser.parse_args()
    os.environ["NOTIFY_TUI_TODAY"] = TODAY
    sizes = sorted(args.cases)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    table = {cases: measure(cases, not args.no_doctor) for cases in sizes}
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    names = [name for name in COMMANDS if name in table[sizes[0]]]
    print()
    header = "| command | " + " | ".join(f"{n:,} cases" for n in sizes)
    steps = list(zip(sizes, sizes[1:], strict=False))
    header += "".join(f" | {b // a}× cases: × time" for a, b in steps) + " |"
    print(header)
    print("|" + "---|" * (1 + len(sizes) + len(steps)))
    missed = []
    for name in names:
        cells = [f"{table[n][name][0]:.3f} s" for n in sizes]
        for small, large in steps:
            ratio = table[large][name][0] / table[small][name][0]
            allowed = LIMIT * (large / small) / 10
            ok = ratio <= allowed
            if not ok:
                missed.append(f"{name} {small:,}→{large:,}")
            cells.append(f"{ratio:.1f}× ({'ok' if ok else 'MISSED'})")
        print(f"| `{name}` | " + " | ".join(cells) + " |")
    if "doctor" in names:
        for n in sizes:
            print(f"doctor at {n:,} cases: {table[n]['doctor'][0] / n * 1e6:.0f} µs a case")
    print()
    print(
        f"each step of 10× at most {LIMIT:g}×: "
        + ("met" if not missed else f"MISSED ({', '.join(missed)})")
    )


if __name__ == "__main__":
    main()
