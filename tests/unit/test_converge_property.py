"""Replicas converge whatever arrives, in whatever order, among whatever is refused (issue 16).

A property (hypothesis): two Northshire workstations (A, B) and the partnership office
(O) make random valid changes — new cases, outline edits (some concurrent, so conflicts
arise), duties marked sent, office acknowledgements and steps, conflicts resolved — over
a few rounds. Each round every device exports to every peer; the bundles are delivered in
a drawn order, some twice, interleaved with bundles that must be refused:

- from a stranger (a device nobody trusts);
- tampered (one bit of the manifest or the payload flipped) or truncated;
- misaddressed (a bundle for O handed to B) or handed back to its own sender.

A refused bundle leaves the receiver's store unchanged; a good one refused for a gap
(its predecessor not yet imported) is tried again while others import. After settling
rounds with no new changes, the three replicas hold the same events, the same conflicts
and byte-identical projections (the same projection hash).

In the slow version, A may also go back to a backup made in an earlier round and catch
up (`notify_tui.store.catch_up`): its changes are refused until a peer answers, and the
end state is converged all the same. The default suite runs a few small examples; the
slow one many, larger. All data is synthetic.
"""

from __future__ import annotations

import contextlib
import random
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from bundle_support import (
    PASSPHRASE,
    TODAY,
    case_document,
    event_ids,
    import_ok,
    make_session,
    register,
    store_digest,
    trust_each_other,
)
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from notify_tui.clock import system_clock
from notify_tui.errors import BundleRefused, InvalidInput, VaultError
from notify_tui.services.restore import restore_vault
from notify_tui.services.session import Session
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault

ACTIONS = ("create", "edit", "edit", "sent", "ack", "step", "resolve")
BAD_KINDS = ("stranger", "tampered", "truncated", "misaddressed", "own")
SETTLE_ROUNDS = 3


@dataclass
class Replicas:
    """The three replicas and the stranger, in one temporary folder."""

    root: Path
    sessions: list[Session]
    stranger: Session

    @property
    def office(self) -> Session:
        return self.sessions[2]


def build(root: Path) -> Replicas:
    sessions = [
        make_session(root / "a", "Northshire Council", author="Ann A"),
        make_session(root / "b", "Northshire Council", author="Bob B"),
        make_session(root / "o", "Northshire CSP Office", "office", "Olu O"),
    ]
    trust_each_other(sessions, root / "keys")
    stranger = make_session(root / "x", "Nowhere Council", author="Xan X")
    for session in sessions:
        stranger.sync.add_peer(root / "keys" / f"{session.identity.device_id}.keys.json")
    return Replicas(root, sessions, stranger)


def act(session: Session, kind: str, number: int) -> None:
    """One change; one the record refuses (a date rule, a catch-up) is not the point here."""
    la = session.identity.role == "la"
    cases = sorted(row.id for row in session.list_cases())
    with contextlib.suppress(InvalidInput, VaultError):
        if kind == "create" or not cases:
            if la:
                session.create_case(case_document(number))
            return
        case_id = cases[number % len(cases)]
        duties = [d.duty for d in session.case_detail(case_id).duties]
        if kind == "edit" and la:
            session.edit_case(case_id, {"case_outline": f"Synthetic outline {number}."})
        elif kind == "sent" and la and duties:
            duty = duties[number % len(duties)]
            try:
                session.mark_sent(case_id, duty, TODAY, None, None)
            except InvalidInput:  # after its due date: it needs a reason
                session.mark_sent(case_id, duty, TODAY, None, "Synthetic late reason.")
        elif kind == "ack" and duties:
            session.acknowledge(case_id, duties[number % len(duties)], TODAY)
        elif kind == "step" and not la:
            session.record_office_step(case_id, "cdop", "review_meeting_held", TODAY.isoformat())
        elif kind == "resolve" and la:
            for conflict in session.conflicts()[:1]:
                session.resolve_choice(conflict.case_id, conflict.field, 1)


def bad_copy(
    kind: str, good: Path, folder: Path, replicas: Replicas, rng: random.Random
) -> tuple[Session, Path]:
    """A bundle that must be refused, and who receives it."""
    sender_id = good.name.split("--")[0]
    target_id = good.name.split("--")[1]
    by_id = {s.identity.device_id: s for s in replicas.sessions}
    path = folder / f"bad-{kind}-{rng.randrange(10**9)}-{good.name}"
    data = bytearray(good.read_bytes())
    if kind == "stranger":
        peer = by_id[target_id]
        (made,) = replicas.stranger.sync.export(folder, peer.identity.device_id)
        return peer, made
    if kind == "tampered":  # one bit of the manifest or of the payload, re-zipped
        with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
            victim = rng.choice(["manifest.json", "payload.hpke"])
            for member in source.infolist():
                content = bytearray(source.read(member))
                if member.filename == victim:
                    content[rng.randrange(len(content))] ^= 0x01
                target.writestr(member, bytes(content))
        return by_id[target_id], path
    if kind == "truncated":
        path.write_bytes(bytes(data[: rng.randrange(30, len(data) - 1)]))
        return by_id[target_id], path
    path.write_bytes(bytes(data))
    if kind == "own":
        return by_id[sender_id], path
    others = [s for s in replicas.sessions if s.identity.device_id not in (sender_id, target_id)]
    return others[0], path  # misaddressed: sealed to neither key of the receiver


def deliver(deliveries: list[tuple[Session, Path, bool]]) -> int:
    """Import each, retrying good ones refused for a gap while others import; every
    refusal must leave the store unchanged. Returns how many good ones stayed refused."""
    pending = deliveries
    while pending:
        retry: list[tuple[Session, Path, bool]] = []
        progressed = False
        for receiver, path, good in pending:
            before = store_digest(receiver)
            try:
                result = import_ok(receiver, path)
            except BundleRefused:
                assert store_digest(receiver) == before, path.name
                if good:
                    retry.append((receiver, path, good))
                continue
            assert good, f"{path.name} was accepted"
            progressed = progressed or not result.already_imported
        if not progressed or len(retry) == len(pending):
            return len(retry)
        pending = retry
    return 0


def one_round(replicas: Replicas, folder: Path, rng: random.Random, bad: list[str]) -> int:
    folder.mkdir()
    goods: list[tuple[Session, Path, bool]] = []
    for sender in replicas.sessions:
        for receiver in replicas.sessions:
            if receiver is not sender:
                (path,) = sender.sync.export(folder, receiver.identity.device_id)
                goods.append((receiver, path, True))
    deliveries = list(goods)
    deliveries += [goods[i] for i in range(0, len(goods), 2)]  # duplicates
    for kind in bad:
        receiver, path = bad_copy(kind, rng.choice(goods)[1], folder, replicas, rng)
        deliveries.append((receiver, path, False))
    rng.shuffle(deliveries)
    return deliver(deliveries)


def run_property(
    actions: list[list[tuple[int, str, int]]],
    bad: list[list[str]],
    seed: int,
    restore_at: tuple[int, int] | None = None,
) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="converge-") as tmp:
        replicas = build(Path(tmp))
        backup: Path | None = None
        try:
            for number, round_actions in enumerate(actions):
                if restore_at and number == restore_at[0]:
                    backup = replicas.sessions[0].backup(Path(tmp))
                for who, kind, value in round_actions:
                    act(replicas.sessions[who], kind, value)
                if restore_at and backup is not None and number == restore_at[1]:
                    # A's changes of this round were never sent: they are lost.
                    replicas.sessions[0] = restore_a(replicas.sessions[0], backup)
                    event("A restored from a backup")
                one_round(replicas, Path(tmp) / f"round-{number}", rng, bad[number % len(bad)])
            for number in range(SETTLE_ROUNDS):
                left = one_round(replicas, Path(tmp) / f"settle-{number}", rng, [])
            assert left == 0
            sessions = replicas.sessions
            ids = [event_ids(session) for session in sessions]
            assert ids[0] == ids[1] == ids[2]
            assert len({session.projection_hash() for session in sessions}) == 1
            conflicts = [sorted((c.case_id, c.field) for c in s.conflicts()) for s in sessions]
            assert conflicts[0] == conflicts[1] == conflicts[2]
            for session in sessions:
                assert session.doctor().ok
            view = sessions[0].sync.catch_up()
            assert view is None or view.caught_up_at is not None
        finally:
            for session in (*replicas.sessions, replicas.stranger):
                session.close()


def restore_a(session: Session, backup: Path) -> Session:
    """A goes back to the backup (its live vault replaced) and opens it again."""
    home = session.home
    session.close()
    restore_vault(home, backup, passphrase=PASSPHRASE, replace=True)
    vault = Vault.open(home, passphrase=PASSPHRASE, now=system_clock().now())
    return register(Session(vault, owner=InlineOwner()), vault)


action = st.tuples(st.integers(0, 2), st.sampled_from(ACTIONS), st.integers(0, 10_000))
bad_round = st.lists(st.sampled_from(BAD_KINDS), max_size=3)


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    actions=st.lists(st.lists(action, max_size=5), min_size=1, max_size=2),
    bad=st.lists(bad_round, min_size=1, max_size=2),
    seed=st.integers(0, 2**32),
)
def test_replicas_converge(actions: list, bad: list, seed: int) -> None:
    """A few small examples (the default suite)."""
    run_property(actions, bad, seed)


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    actions=st.lists(st.lists(action, max_size=8), min_size=2, max_size=4),
    bad=st.lists(bad_round, min_size=1, max_size=4),
    seed=st.integers(0, 2**32),
    restore=st.one_of(st.none(), st.tuples(st.integers(0, 1), st.integers(1, 3))),
)
@example(
    actions=[
        [(0, "create", 1), (2, "ack", 0)],
        [(0, "create", 2), (1, "edit", 3), (0, "edit", 4)],
        [(0, "create", 5), (0, "sent", 0), (1, "create", 6)],
    ],
    bad=[["tampered", "stranger"], ["own", "misaddressed", "truncated"]],
    seed=16,
    restore=(0, 2),
)
def test_replicas_converge_many(
    actions: list, bad: list, seed: int, restore: tuple[int, int] | None
) -> None:
    """Many larger examples, some with A going back to a backup mid-way (slow)."""
    if restore is not None and not restore[0] < restore[1] < len(actions):
        restore = None
    run_property(actions, bad, seed, restore)
