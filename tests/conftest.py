"""Fixtures for every test: no test may touch a real notify-tui data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_data_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point NOTIFY_TUI_HOME at a fresh temporary folder; drop secrets and debug flags."""
    with pytest.MonkeyPatch.context() as patch:
        home = tmp_path_factory.mktemp("data") / "notify-tui"
        patch.setenv("NOTIFY_TUI_HOME", str(home))
        patch.delenv("NOTIFY_TUI_PASSPHRASE", raising=False)
        patch.delenv("NOTIFY_TUI_DEBUG", raising=False)
        yield home


@pytest.fixture(scope="module")
def frozen_today() -> Iterator[str]:
    """Freeze "today" (NOTIFY_TUI_TODAY) for a whole module: 2026-11-23, a Monday."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NOTIFY_TUI_TODAY", "2026-11-23")
        yield "2026-11-23"
