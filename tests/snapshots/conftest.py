"""Snapshots: every test on the frozen Monday, over the full demo vault (seed 7)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _on_the_frozen_monday(frozen_today: str) -> None:
    """Every snapshot sees today as 2026-11-23."""


@pytest.fixture(scope="module")
def demo_options() -> dict[str, int]:
    """The demo vault `notify-tui demo` opens (its default size and seed)."""
    return {}
