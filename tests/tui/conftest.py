"""Pilot test fixtures: one demo vault per module (unlocking costs ~0.7 s), today frozen."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from notify_tui.demo.vault import DemoVault, open_demo_vault

TODAY = "2026-11-23"
"""A Monday; no bank holiday within two weeks either side."""


@pytest.fixture(autouse=True)
def _frozen_today_and_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY)
    monkeypatch.setenv("NOTIFY_TUI_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoVault]:
    """A seeded demo vault shared by the tests of one module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NOTIFY_TUI_TODAY", TODAY)
        with open_demo_vault(count=12, seed=7) as vault:
            yield vault


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop (no async plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = inspect.signature(pyfuncitem.obj).parameters
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
