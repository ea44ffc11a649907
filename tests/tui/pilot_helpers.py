"""Helpers for Pilot tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from textual.pilot import Pilot

from notify_tui.services.session import Session


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 20.0
) -> None:
    """Pause until `condition` holds (debounces and key derivation vary with machine load)."""
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("timed out waiting for the screen")


@contextmanager
def owner_held(session: Session) -> Iterator[threading.Event]:
    """Hold the session's owner thread until the event yielded is set.

    Every verb of the session queues behind it, so a worker that calls one blocks there
    (a gate the test controls, instead of a sleep); the UI thread stays free.
    """
    gate = threading.Event()
    held = threading.Event()

    def hold() -> None:
        held.set()
        gate.wait(60)

    thread = threading.Thread(target=session.owner.run, args=(hold,), daemon=True)
    thread.start()
    assert held.wait(10), "the owner thread did not take the gate"
    try:
        yield gate
    finally:
        gate.set()
        thread.join(10)


async def still_answering(pilot: Pilot[None]) -> None:
    """Prove the app repaints and answers while a worker waits: a timer ticks, and f1
    opens the keys panel (then closes it again)."""
    app = pilot.app
    ticks: list[int] = []
    timer = app.set_interval(0.02, lambda: ticks.append(1))
    await wait_for(pilot, lambda: len(ticks) >= 3)
    timer.stop()
    await pilot.press("f1")
    await wait_for(pilot, lambda: bool(app.screen.query("HelpPanel")))
    await pilot.press("f1")
    await wait_for(pilot, lambda: not app.screen.query("HelpPanel"))
