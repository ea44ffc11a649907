"""How fast the forms and screens open, on a vault of N synthetic cases (default 5,000).

    .venv/bin/python benchmarks/bench_screens.py                # 5k cases (seeds once)
    .venv/bin/python benchmarks/bench_screens.py --cases 1000   # a quick run
    .venv/bin/python benchmarks/bench_screens.py --vault DIR    # reuse a seeded vault

Screens: the new-case form of each kind (`n`, `l`, `c` on the dashboard), the reports
screen (`r`) and the settings (the command palette's "settings: open"). Target: each
opens in under 200 ms.

(a) Under `App.run_test()` at 120×40: from the key until the app is idle again (the
test pilot waits for that), so everything the screen does when it opens is in it,
including what it does after its first paint. A key bound to nothing gives the pilot's
own cost. Median of `RUNS` openings, each closed with `escape` before the next.

(b) In a real terminal: the app runs full screen in a child process on a pseudo-terminal
of 120×40 (as `bench_tui.py` (c) does), and each opening is timed from writing the key's
bytes to the first byte of the repaint (the screen starts to appear) and to the last byte
(it is drawn in full: no repaint follows for 1 s; a cursor blink's few hundred bytes do
not count). This is what a user sees.
For the settings the timed key is the Enter that runs the palette's command.

The vault is the one `bench_tui.py` seeds (`benchmarks/.cache/vault-N`, today frozen at
2026-11-23); unlocking is not timed.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from benchmarks.bench_tui import (  # noqa: E402
    PASSPHRASE,
    SIZE,
    TODAY,
    _read_until_quiet,
    seeded_vault,
)
from notify_tui.store.owner import InlineOwner  # noqa: E402

RUNS = 7
TARGET_MS = 200
SCREENS: list[tuple[str, bytes, bytes]] = [
    # name, bytes that open it (the last write is the one timed), what it must show
    ("new serious incident form", b"n", b"serious"),
    ("new care leaver death form", b"l", b"care leaver"),
    ("new child death form", b"c", b"child death"),
    ("reports", b"r", b"Reports"),
    ("settings", b"\x10settings: open\r", b"Settings"),
]
"""What is opened, and the key presses from the dashboard that open it."""
ESCAPE = b"\x1b"


async def pilot_openings(home: Path) -> dict[str, list[float]]:
    """(a): each screen opened `RUNS` times under the test pilot, to idle."""
    from textual.screen import Screen

    from notify_tui.services.session import Session
    from notify_tui.tui.app import make_app

    session = Session.unlock(home, passphrase=PASSPHRASE, owner=InlineOwner())
    app = make_app(session)
    results: dict[str, list[float]] = {name: [] for name, _, _ in SCREENS}
    results["key bound to nothing"] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            dashboard = app.screen

            async def open_with(name: str, action: Callable[[], object]) -> None:
                started = time.perf_counter()
                await action()  # type: ignore[misc]
                while app.screen is dashboard:
                    await pilot.pause()
                await pilot.pause()
                results[name].append(time.perf_counter() - started)
                assert isinstance(app.screen, Screen)
                app.pop_screen()
                await pilot.pause()

            for _ in range(RUNS):
                started = time.perf_counter()
                await pilot.press("x")
                results["key bound to nothing"].append(time.perf_counter() - started)
                for name, keys, _ in SCREENS:
                    if name == "settings":

                        async def settings() -> None:
                            app.open_settings()

                        await open_with(name, settings)
                    else:
                        key = keys.decode()
                        await open_with(name, lambda key=key: pilot.press(key))
    finally:
        session.close()
    return results


QUIET = 1.0
"""Seconds without a repaint that end a reading: longer than any pause inside an opening
(the reports screen is drawn, then filled)."""
NOISE = 700
"""A write this small is taken for a cursor blink (76-91 bytes for a text box, about 620
for the palette's, 470-490 on the settings screen), not a repaint: it neither ends nor
extends one."""
LONGEST = 15.0
"""Seconds after which a reading ends whatever arrives."""


def read_until_settled(fd: int) -> tuple[float | None, float | None]:
    """Read the terminal until `QUIET` seconds pass with no repaint larger than `NOISE`
    bytes: the times of the first and of the last such repaint."""
    first = last = None
    deadline = time.perf_counter() + QUIET
    give_up = time.perf_counter() + LONGEST
    while (remaining := min(deadline, give_up) - time.perf_counter()) > 0:
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if len(data) > NOISE:
            last = time.perf_counter()
            first = first or last
            deadline = last + QUIET
    return first, last


def terminal_openings(home: Path) -> dict[str, list[tuple[float, float]]]:
    """(b): each screen opened `RUNS` times in a real terminal: (first byte, last byte)."""
    rows, columns = SIZE[1], SIZE[0]
    pid, fd = pty.fork()
    if pid == 0:  # the child: bench_tui.py's app child, on this terminal
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        child = str(Path(__file__).with_name("bench_tui.py"))
        os.execv(sys.executable, [sys.executable, child, "--child", "notify", "--vault", str(home)])
    results: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in SCREENS}
    try:
        first, _, _ = _read_until_quiet(fd, 30.0)
        if first is None:
            raise SystemExit("the app painted nothing in 30 s")
        _read_until_quiet(fd, 1.5)
        for _ in range(RUNS):
            for name, keys, _ in SCREENS:
                if len(keys) > 1:  # the palette: open it and type, untimed
                    os.write(fd, keys[:1])
                    read_until_settled(fd)
                    os.write(fd, keys[1:-1])
                    read_until_settled(fd)
                started = time.perf_counter()
                os.write(fd, keys[-1:])
                first_byte, last_byte = read_until_settled(fd)
                if first_byte is None or last_byte is None:
                    raise SystemExit(f"{name}: nothing was drawn")
                results[name].append((first_byte - started, last_byte - started))
                os.write(fd, ESCAPE)
                read_until_settled(fd)
    finally:
        os.write(fd, b"\x11")  # ctrl+q
        for _ in range(50):
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                break
            _read_until_quiet(fd, 0.1)
        else:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        os.close(fd)
    return results


def ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def verdict(value_ms: float) -> str:
    return "ok" if value_ms < TARGET_MS else "MISSED"


def main(cases: int, folder: Path | None) -> None:
    os.environ["NOTIFY_TUI_TODAY"] = TODAY
    home = seeded_vault(cases, folder)
    import notify_tui.tui.app  # noqa: F401  (imports are not what is measured)

    load = os.getloadavg()
    print(f"vault {home}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    piloted = asyncio.run(pilot_openings(home))
    print(f"\n(a) key to idle under the test pilot, median of {RUNS} (first opening)")
    for name, values in piloted.items():
        mark = "" if name == "key bound to nothing" else verdict(ms(values))
        print(f"    {name:28} {ms(values):7.0f} ms  ({values[0] * 1000:.0f})  {mark}")

    drawn = terminal_openings(home)
    print(f"\n(b) real terminal: key to the first / last byte of the repaint, median of {RUNS}")
    for name, pairs in drawn.items():
        first = ms([pair[0] for pair in pairs])
        last = ms([pair[1] for pair in pairs])
        spread = ", ".join(f"{pair[1] * 1000:.0f}" for pair in sorted(pairs, key=lambda p: p[1]))
        print(f"    {name:28} {first:6.0f} / {last:6.0f} ms  {verdict(last)}   (last: {spread})")
    load = os.getloadavg()
    print(f"\nload average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5_000, help="synthetic cases to seed")
    parser.add_argument("--vault", type=Path, help="an already seeded vault folder to reuse")
    arguments = parser.parse_args()
    main(arguments.cases, arguments.vault)
