"""Two Northshire workstations and the office converge whatever the import order.

Each hypothesis example is one sync round on the same three vaults: random new cases,
edits (some concurrent, on the same field, so conflicts arise), office acknowledgements;
then every device exports to every peer and each bundle is imported in a drawn order,
some of them twice. After the round all three hold the same events and byte-identical
projections (`Session.projection_hash`). All data is synthetic.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from bundle_support import (
    TODAY,
    case_document,
    event_ids,
    import_ok,
    make_session,
    trust_each_other,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notify_tui.errors import InvalidInput
from notify_tui.services.session import Session


@pytest.fixture(scope="module")
def trio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[Session], Path]]:
    root = tmp_path_factory.mktemp("trio")
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())
    sessions = [
        make_session(root / "a", "Northshire Council", author="Ann A"),
        make_session(root / "b", "Northshire Council", author="Bob B"),
        make_session(root / "office", "Northshire CSP Office", "office", "Olu O"),
    ]
    trust_each_other(sessions, root / "keys")
    yield sessions, root
    for session in sessions:
        session.close()
    mp.undo()


action = st.tuples(st.sampled_from(["create", "edit", "ack"]), st.integers(0, 10_000))


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    actions=st.lists(st.tuples(st.integers(0, 2), action), min_size=1, max_size=8),
    order=st.randoms(use_true_random=False),
)
def test_converge_in_any_order(
    trio: tuple[list[Session], Path], actions: list, order: object
) -> None:
    sessions, root = trio
    for who, (kind, number) in actions:
        session = sessions[who]
        cases = sorted(row.id for row in session.list_cases())
        if kind == "create" or not cases:
            if session.identity.role == "la":
                session.create_case(case_document(number))
            continue
        case_id = cases[number % len(cases)]
        if kind == "edit" and session.identity.role == "la":
            session.edit_case(case_id, {"case_outline": f"Synthetic outline {number}."})
        elif kind == "ack":
            duties = [d.duty for d in session.case_detail(case_id).duties]
            if duties:
                # The duty's date rules may refuse it; that is not what this test is about.
                with contextlib.suppress(InvalidInput):
                    session.acknowledge(case_id, duties[number % len(duties)], TODAY)
    round_dir = root / f"round-{len(list(root.iterdir()))}"
    round_dir.mkdir()
    deliveries: list[tuple[Session, Path]] = []
    for sender in sessions:
        for receiver in sessions:
            if receiver is not sender:
                path = sender.sync.export(round_dir, receiver.identity.device_id)[0]
                deliveries.append((receiver, path))
    deliveries += [deliveries[i] for i in range(0, len(deliveries), 2)]  # duplicates
    order.shuffle(deliveries)  # type: ignore[attr-defined]
    for receiver, path in deliveries:
        import_ok(receiver, path)
    ids = [event_ids(session) for session in sessions]
    assert ids[0] == ids[1] == ids[2]
    hashes = {session.projection_hash() for session in sessions}
    assert len(hashes) == 1
    conflicts = [sorted((c.case_id, c.field) for c in s.conflicts()) for s in sessions]
    assert conflicts[0] == conflicts[1] == conflicts[2]
