"""The demo vault: a killed demo's folder is swept up by the next demo, a running one's is not."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from notify_tui.demo.vault import (
    DEMO_PREFIX,
    STALE_AFTER_SECONDS,
    DemoVault,
    open_demo_vault,
    remove_stale_demo_vaults,
)
from notify_tui.store.lock import WriterLock


def demo_folder(parent: Path, name: str, *, age: float, with_vault: bool = True) -> Path:
    folder = parent / f"{DEMO_PREFIX}{name}"
    (folder / "vault" if with_vault else folder).mkdir(parents=True)
    if with_vault:
        (folder / "vault" / "vault.db").write_bytes(b"encrypted synthetic cases")
    then = time.time() - age
    os.utime(folder, (then, then))
    return folder


def test_only_unheld_old_demo_folders_are_removed(tmp_path: Path) -> None:
    old = STALE_AFTER_SECONDS + 60
    killed = demo_folder(tmp_path, "killed", age=old)
    empty = demo_folder(tmp_path, "never-made-a-vault", age=old, with_vault=False)
    running = demo_folder(tmp_path, "running", age=old)
    starting = demo_folder(tmp_path, "starting", age=5)
    other = tmp_path / "someone-elses-folder"
    other.mkdir()
    os.utime(other, (time.time() - old, time.time() - old))

    with WriterLock(running):  # a demo still open holds its folder's lock
        removed = remove_stale_demo_vaults(tmp_path)

    assert sorted(removed) == sorted([killed, empty])
    assert not killed.exists() and not empty.exists()
    assert (running / "vault" / "vault.db").exists()
    assert starting.exists() and other.exists()
    # With nobody holding it any more, the once-running demo's folder goes too (its
    # lock file was made just now, which made the folder young again: age it).
    os.utime(running, (time.time() - old, time.time() - old))
    assert remove_stale_demo_vaults(tmp_path) == [running]


def test_an_idle_locked_demo_is_not_swept(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Locking closes the vault and lets its writer lock go; the demo is still running."""
    monkeypatch.setenv("NOTIFY_TUI_TODAY", "2026-11-23")
    with open_demo_vault(count=2, seed=1) as demo:
        demo.session.close()  # what an idle lock does
        folder = demo.home.parent
        old = time.time() - STALE_AFTER_SECONDS - 60
        os.utime(folder, (old, old))
        assert folder not in remove_stale_demo_vaults(folder.parent)
        assert (demo.home / "vault.db").exists()
    assert not folder.exists()  # gone once the demo closes


@pytest.fixture(scope="module")
def demo_options() -> dict[str, int]:
    """The full-size demo (40 synthetic cases), as `notify-tui demo` seeds it."""
    return {"count": 40, "seed": 7}


def test_the_demo_record_keeps_the_duty_rules(demo: DemoVault) -> None:
    """Seeding went through the state machine: every late send carries its reason, some
    sends are late, nothing acknowledged before it was sent, and no case is both sent to
    the Panel and decided not to notify."""
    duties = demo.session.open_duties()
    late = [d for d in duties if d.late]
    assert late and all(d.late_reason for d in late)
    assert all(d.sent_on and d.due and d.sent_on > d.due for d in late)
    assert all(d.acknowledged_on >= d.sent_on for d in duties if d.acknowledged_on and d.sent_on)
    not_notifying = {d.case_id for d in duties if d.status == "not_notifying"}
    panel_sent = {
        d.case_id for d in duties if d.duty == "panel-notification" and d.sent_on is not None
    }
    assert not_notifying and not (not_notifying & panel_sent)
