"""Fixtures for every test: an isolated data folder, a frozen today, a cheap KDF.

- No test may touch a real notify-tui data folder (`isolated_data_directory`).
- "Today" is 2026-11-23, a Monday with no bank holiday within two weeks either side
  (`TODAY`; the module-scoped `frozen_today` fixture sets NOTIFY_TUI_TODAY).
- `demo`: a seeded demo vault per module (`demo_options` says which); `fresh_demo`, one
  per test.
- Passphrase keys are derived with `kdf_stub.cheap_kdf` instead of Argon2id, from the
  start of the session (module-scoped fixtures too). A test, class or module marked
  `@pytest.mark.real_kdf` gets the real Argon2id instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kdf_stub import RecordingKdf, cheap_kdf

from notify_tui.demo.vault import DemoVault, open_demo_vault
from notify_tui.store import keyslots
from notify_tui.store.keyslots import PassphraseKdf

TODAY = "2026-11-23"
"""A Monday; no bank holiday within two weeks either side."""


@pytest.fixture(scope="session", autouse=True)
def isolated_cache_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point NOTIFY_TUI_CACHE (the bank holiday table) at one temporary folder per run."""
    with pytest.MonkeyPatch.context() as patch:
        cache = tmp_path_factory.mktemp("cache")
        patch.setenv("NOTIFY_TUI_CACHE", str(cache))
        yield cache


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
        patch.setenv("NOTIFY_TUI_TODAY", TODAY)
        yield TODAY


@pytest.fixture(scope="module")
def demo_options() -> dict[str, int]:
    """Keyword arguments for `open_demo_vault` in `demo`; a folder conftest may override it."""
    return {"count": 12, "seed": 7}


@pytest.fixture(scope="module")
def demo(frozen_today: str, demo_options: dict[str, int]) -> Iterator[DemoVault]:
    """A seeded demo vault on the frozen Monday, shared by the (read-only) tests of a module."""
    with open_demo_vault(**demo_options) as vault:
        yield vault


@pytest.fixture
def fresh_demo(frozen_today: str, demo_options: dict[str, int]) -> Iterator[DemoVault]:
    """A seeded demo vault of its own for one test that writes to it."""
    with open_demo_vault(**demo_options) as vault:
        yield vault


# --- the key derivation seam ----------------------------------------------------------------


def _wants_real_kdf(node: pytest.Item | pytest.Collector) -> bool:
    return node.get_closest_marker("real_kdf") is not None


@pytest.fixture(scope="session", autouse=True)
def _cheap_kdf_for_the_session() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keyslots, "passphrase_kdf", cheap_kdf)
        yield


@pytest.fixture(scope="module", autouse=True)
def _real_kdf_for_marked_modules(request: pytest.FixtureRequest) -> Iterator[None]:
    # Module-scoped fixtures of a `pytestmark = pytest.mark.real_kdf` module (such as
    # a key slot file made once) must derive the way the module's tests will.
    with pytest.MonkeyPatch.context() as patch:
        if _wants_real_kdf(request.node):
            patch.setattr(keyslots, "passphrase_kdf", keyslots.derive_argon2id)
        yield


@pytest.fixture(autouse=True)
def passphrase_kdf(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> PassphraseKdf:
    """This test's passphrase KDF: a fresh `RecordingKdf`, or Argon2id under `real_kdf`."""
    kdf: PassphraseKdf
    kdf = keyslots.derive_argon2id if _wants_real_kdf(request.node) else RecordingKdf()
    monkeypatch.setattr(keyslots, "passphrase_kdf", kdf)
    return kdf
