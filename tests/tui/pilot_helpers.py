"""Helpers for Pilot tests."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 20.0
) -> None:
    """Pause until `condition` holds (debounces and key derivation vary with machine load)."""
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("timed out waiting for the screen")
