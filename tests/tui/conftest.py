"""Pilot tests: the frozen Monday, a demo vault of their own, and `async def` in a fresh loop."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from notify_tui.demo.vault import DemoVault


@pytest.fixture(autouse=True)
def _on_the_frozen_monday(frozen_today: str) -> None:
    """Every Pilot test sees today as 2026-11-23."""


@pytest.fixture
def demo(fresh_demo: DemoVault) -> DemoVault:
    """A demo vault per Pilot test: most of them write (mark sent, decide, edit, add)."""
    return fresh_demo


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop (no async plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    parameters = inspect.signature(pyfuncitem.obj).parameters
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in parameters}))
    return True
