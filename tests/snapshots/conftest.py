"""Snapshot fixtures: the full demo vault (seed 7) on a frozen Monday."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from notify_tui.demo.vault import DemoVault, open_demo_vault

TODAY = "2026-11-23"


@pytest.fixture(autouse=True)
def _frozen_today_and_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY)
    monkeypatch.setenv("NOTIFY_TUI_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoVault]:
    """The demo vault `notify-tui demo` opens, shared by a module's snapshots."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NOTIFY_TUI_TODAY", TODAY)
        with open_demo_vault() as vault:
            yield vault
