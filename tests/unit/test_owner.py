"""The vault's connection has one owner thread; verbs from any thread run there, in order."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from notify_tui.errors import VaultError
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner, Owner, OwnerThread, owned


@dataclass
class Recorder:
    """A stand-in for a Session: its verbs note which thread ran them."""

    owner: Owner
    threads: list[int] = field(default_factory=list)

    @owned
    def verb(self, value: int) -> int:
        self.threads.append(threading.get_ident())
        return value * 2

    @owned
    def outer(self) -> int:
        # A verb that calls another verb must not wait for itself.
        return self.verb(5) + 1

    @owned
    def fails(self) -> None:
        raise ValueError("refused inside the owner")


def test_verbs_run_on_the_owner_thread_whoever_calls() -> None:
    owner = OwnerThread()
    recorder = Recorder(owner)
    try:
        assert recorder.verb(21) == 42
        other = threading.Thread(target=recorder.verb, args=(1,))
        other.start()
        other.join()
        assert len(set(recorder.threads)) == 1
        assert recorder.threads[0] != threading.get_ident()
    finally:
        owner.close()


def test_a_verb_calling_a_verb_runs_inline_on_the_owner() -> None:
    owner = OwnerThread()
    try:
        assert Recorder(owner).outer() == 11
    finally:
        owner.close()


def test_errors_reach_the_caller_unchanged() -> None:
    owner = OwnerThread()
    try:
        with pytest.raises(ValueError, match="refused inside the owner"):
            Recorder(owner).fails()
    finally:
        owner.close()


def test_work_is_done_one_at_a_time_in_submission_order() -> None:
    owner = OwnerThread()
    started = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def slow() -> None:
        started.set()
        release.wait(timeout=30)
        order.append("slow")

    def quick() -> None:
        order.append("quick")

    try:
        first = threading.Thread(target=owner.run, args=(slow,))
        first.start()
        assert started.wait(timeout=30)
        second = threading.Thread(target=owner.run, args=(quick,))
        second.start()
        second.join(timeout=0.2)
        assert second.is_alive(), "the quick verb must wait for the slow one"
        release.set()
        first.join()
        second.join()
        assert order == ["slow", "quick"]
    finally:
        release.set()
        owner.close()


def test_after_close_a_verb_says_the_vault_is_locked() -> None:
    owner = OwnerThread()
    owner.close()
    with pytest.raises(VaultError, match="the vault is locked"):
        Recorder(owner).verb(1)


def test_inline_owner_runs_on_the_calling_thread() -> None:
    recorder = Recorder(InlineOwner())
    assert recorder.verb(2) == 4
    assert recorder.threads == [threading.get_ident()]


def test_a_session_opened_by_init_keeps_its_connection_off_the_callers_thread(
    tmp_path: Path,
) -> None:
    """The real door: Session.init opens the vault on an owner thread of its own; verbs
    called from this thread run there, and after close they say the vault is locked."""
    vault_thread: list[int] = []
    session, _ = Session.init(
        tmp_path / "vault",
        "a long test passphrase",
        org="Ownershire (test)",
        role="la",
        author="T",
        kdf=ARGON2_FLOOR,
    )
    try:
        assert isinstance(session.owner, OwnerThread)
        assert session.list_cases() == []  # a verb works from this thread
        session.owner.run(lambda: vault_thread.append(threading.get_ident()))
        assert vault_thread != [threading.get_ident()]
    finally:
        session.close()
    with pytest.raises(VaultError, match="the vault is locked"):
        session.list_cases()
