"""Export and import between real encrypted vaults: round trip, receipts, refusals.

Northshire has two LA workstations (A and B), Southshire one, and the partnership
office one. All data is synthetic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bundle_support import (
    TODAY,
    case_document,
    event_ids,
    exchange,
    export_to,
    import_ok,
    make_session,
    store_digest,
    trust_each_other,
    vault_of,
)
from office_support import record_in_order

from notify_tui.clock import system_clock
from notify_tui.domain.chains import device_id_for, office_chain_id, org_slug, signing_device
from notify_tui.errors import BundleRefused, InvalidInput
from notify_tui.services.session import Session
from notify_tui.store.events import DEVICE_ID, Change, Event, EventBody
from notify_tui.sync import bundle as bundle_format


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Session]]:
    root = tmp_path_factory.mktemp("world")
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())
    sessions = {
        "a": make_session(root / "a", "Northshire Council", author="Ann A"),
        "b": make_session(root / "b", "Northshire Council", author="Bob B"),
        "south": make_session(root / "south", "Southshire Council", author="Sam S"),
        "office": make_session(root / "office", "Northshire CSP Office", "office", "Olu O"),
    }
    trust_each_other(sessions.values(), root / "keys")
    yield sessions
    for session in sessions.values():
        session.close()
    mp.undo()


def refuse(receiver: Session, path: Path) -> str:
    """Import must be refused with one line and leave the store unchanged."""
    before = store_digest(receiver)
    with pytest.raises(BundleRefused) as caught:
        import_ok(receiver, path)
    assert store_digest(receiver) == before
    assert "\n" not in caught.value.message
    return caught.value.message


def test_round_trip_la_office_receipt_la(world: dict[str, Session], tmp_path: Path) -> None:
    la, office = world["a"], world["office"]
    # The world is shared by the module's tests, which run in any order: first let the
    # office catch up with what other tests wrote on `a`, so the counts below are this
    # test's own.
    if la.sync.pending_counts()[office.identity.device_id]:
        import_ok(office, export_to(la, office, tmp_path / "catch-up"))
    case_id = la.create_case(case_document(1, "child_death"))
    duty = next(d for d in la.case_detail(case_id).duties if d.status == "open").duty
    la.mark_sent(case_id, duty, TODAY, reference="REF-1")
    result = import_ok(office, export_to(la, office, tmp_path))
    assert result.new_events == 2 and case_id in result.cases
    assert office.case_detail(case_id).document == la.case_detail(case_id).document

    # The office answers; its manifest carries its signed receipt.
    import_ok(la, export_to(office, la, tmp_path))
    received = la.sync.receipt_for(case_id)
    (entry,) = received.duties[duty]
    assert entry.org == "Northshire CSP Office"
    assert entry.received_at >= TODAY.isoformat()
    assert received.case[0].complete is True
    # Acknowledged events are not sent again.
    assert la.sync.pending_counts()[office.identity.device_id] == 0
    again = bundle_format.read_bundle(export_to(la, office, tmp_path).read_bytes())
    assert again.manifest.payload.events == 0

    # Office acknowledges the duty and records a CDOP step; the LA sees both.
    office.acknowledge(case_id, duty, TODAY)
    record_in_order(office, case_id, "cdop.modifiable_factors", False, on=TODAY.isoformat())
    import_ok(la, export_to(office, la, tmp_path))
    detail = la.case_detail(case_id)
    assert {d.duty: d.status for d in detail.duties}[duty] == "acknowledged"
    assert (
        vault_of(la).case_events(case_id)[-1].changes[0].field == "office.cdop.modifiable_factors"
    )


def test_office_partnership_record_stays_on_its_own_chain(
    world: dict[str, Session], tmp_path: Path
) -> None:
    """The yearly report is on the office's own chain, which no LA is sent."""
    office, a = world["office"], world["a"]
    record = office.record_annual_report(2025, TODAY)
    (event,) = vault_of(office).case_events(record)
    assert event.device == office.identity.device_id
    path = export_to(office, a, tmp_path)
    raw = bundle_format.read_bundle(path.read_bytes())
    assert office.identity.device_id not in {r.device for r in raw.manifest.ranges}
    assert office.identity.device_id not in {r.device for r in raw.manifest.receipts}
    result = import_ok(a, path)
    assert record not in result.cases
    assert (
        vault_of(a)
        .db.execute("SELECT count(*) FROM events WHERE case_id = ?", [record])
        .fetchone()[0]
        == 0
    )


def test_same_bundle_twice_changes_nothing(world: dict[str, Session], tmp_path: Path) -> None:
    la, office = world["a"], world["office"]
    la.create_case(case_document(2))
    path = export_to(la, office, tmp_path)
    import_ok(office, path)
    before = store_digest(office)
    assert import_ok(office, path).already_imported
    assert store_digest(office) == before


def test_la_peer_gets_only_its_own_orgs_chains(world: dict[str, Session], tmp_path: Path) -> None:
    south, office, b = world["south"], world["office"], world["b"]
    south_case = south.create_case(case_document(3))
    import_ok(office, export_to(south, office, tmp_path))
    path = export_to(office, b, tmp_path)
    raw = bundle_format.read_bundle(path.read_bytes())
    devices = {r.device for r in raw.manifest.ranges}
    assert south.identity.device_id not in devices
    import_ok(b, path)
    assert south_case not in {row.id for row in b.list_cases()}


def test_la_touching_another_las_case_is_refused(world: dict[str, Session], tmp_path: Path) -> None:
    office, south = world["office"], world["south"]
    south_case = south.create_case(case_document(4))
    import_ok(office, export_to(south, office, tmp_path))
    mallory = make_session(tmp_path / "mallory", "Northshire Council", author="Mal")
    try:
        trust_each_other([mallory, office], tmp_path / "keys")
        # Bypass the Session's owner check, as a tampered program would.
        vault_of(mallory).record(
            mallory.projector,
            [(south_case, "case.edited", [Change(field="case_outline", value="changed")])],
            system_clock().now(),
        )
        message = refuse(office, export_to(mallory, office, tmp_path))
        assert f"may not change case {south_case} of Southshire Council" in message
    finally:
        mallory.close()


def test_office_may_only_write_office_fields(tmp_path: Path) -> None:
    la = make_session(tmp_path / "la", "Northshire Council", author="Lee")
    case_id = la.create_case(case_document(5))
    rogue = make_session(tmp_path / "rogue", "Rogue Office", "office", author="Rex")
    try:
        trust_each_other([rogue, la], tmp_path / "keys")
        import_ok(rogue, export_to(la, rogue, tmp_path))
        # Bypass the Session's owner check, as a tampered program would.
        vault_of(rogue).record(
            rogue.projector,
            [(case_id, "case.edited", [Change(field="case_outline", value="rewritten")])],
            system_clock().now(),
        )
        message = refuse(la, export_to(rogue, la, tmp_path))
        assert (
            "type: role rule: case.edited (facts changed) is written by the record's owner, "
            "not the office" in message
        )
    finally:
        rogue.close()
        la.close()


def test_missing_events_are_named(tmp_path: Path) -> None:
    la = make_session(tmp_path / "la", "Northshire Council", author="Lee")
    office = make_session(tmp_path / "office", "Northshire CSP Office", "office", author="Fay")
    try:
        trust_each_other([la, office], tmp_path / "keys")
        la.create_cases([case_document(6), case_document(60), case_document(61)])
        la.create_case(case_document(62))
        device = la.identity.device_id
        # A statement the office never made (say, a lost bundle): it "holds" events 1–3.
        vault_of(la).db.execute(
            "INSERT INTO sync_statements VALUES (?, ?, 3, NULL)",
            [office.identity.device_id, device],
        )
        message = refuse(office, export_to(la, office, tmp_path))
        assert message.startswith(f"events 1–3 of device {device} are missing")
    finally:
        la.close()
        office.close()


def test_revoked_peer_is_refused_and_not_exported_to(tmp_path: Path) -> None:
    la = make_session(tmp_path / "la", "Eastshire Council")
    office = make_session(tmp_path / "office", "Eastshire Office", "office")
    try:
        trust_each_other([la, office], tmp_path / "keys")
        la.create_case(case_document(7))
        path = export_to(la, office, tmp_path / "out")
        office.sync.revoke_peer(la.identity.device_id)
        assert "revoked" in refuse(office, path)
        with pytest.raises(InvalidInput, match="no peers yet|revoked"):
            office.sync.export(tmp_path / "out", la.identity.device_id)
        with pytest.raises(InvalidInput, match="cannot be trusted again"):
            office.sync.add_peer(tmp_path / "keys" / f"{la.identity.device_id}.keys.json")
    finally:
        la.close()
        office.close()


def test_import_from_dir_moves_files(world: dict[str, Session], tmp_path: Path) -> None:
    la, office = world["a"], world["office"]
    la.create_case(case_document(8))
    inbox = tmp_path / "inbox"
    good = export_to(la, office, inbox)
    bad = inbox / "junk.ntbundle"
    bad.write_bytes(b"not a zip at all")
    outcomes = office.sync.import_from_dir(inbox)
    assert {o.path.name: o.status for o in outcomes} == {
        good.name: "imported",
        "junk.ntbundle": "refused",
    }
    assert (inbox / "done" / good.name).exists()
    reason = (inbox / "rejected" / "junk.ntbundle.reason.txt").read_text()
    assert reason == "not a bundle: the file is not a ZIP archive\n"
    assert not good.exists() and not bad.exists()


def test_import_files_any_order(world: dict[str, Session], tmp_path: Path) -> None:
    a, b, office = world["a"], world["b"], world["office"]
    exchange(a, b, tmp_path / "ab")
    a.create_case(case_document(9))
    first = export_to(a, office, tmp_path / "x")
    a.create_case(case_document(10))
    second = export_to(a, office, tmp_path / "x")
    outcomes = office.sync.import_files([second, first, second])
    assert [o.status for o in outcomes][:2] == ["imported", "imported"] or all(
        o.status in {"imported", "already imported"} for o in outcomes
    )
    assert event_ids(a) <= event_ids(office)


def test_what_a_peer_holds_is_what_its_last_bundle_says(tmp_path: Path) -> None:
    """Receipts are tied to the bundle that carried them: a peer's latest statement, not
    the most it ever said, decides what it is sent (so a peer gone back to a backup gets
    back what it lost). An LA's older bundle imported last makes the office send again
    what it did not acknowledge, and the LA takes that as already held; each bundle
    answers the last one imported from its peer."""
    la = make_session(tmp_path / "la", "Westshire Council")
    office = make_session(tmp_path / "office", "Westshire Office", "office")
    try:
        trust_each_other([la, office], tmp_path / "keys")
        la_id = la.identity.device_id
        la.create_case(case_document(11))
        first = export_to(la, office, tmp_path / "b1")  # says: the LA holds its #1
        la.create_case(case_document(12))
        second = export_to(la, office, tmp_path / "b2")  # events #1-#2; holds its #2
        import_ok(office, second)
        assert office.sync.pending_counts()[la_id] == 0
        assert import_ok(office, first).new_events == 0
        assert office.sync.pending_counts()[la_id] == 1  # its latest word: it holds #1
        answer = export_to(office, la, tmp_path / "o1")
        manifest = bundle_format.read_bundle(answer.read_bytes()).manifest
        assert manifest.answers is not None
        assert (manifest.answers.bundle_seq, manifest.answers.manifest_sha256) == (
            1,
            bundle_format.read_bundle(first.read_bytes()).manifest_sha256,
        )
        assert [(r.device, r.first_seq, r.last_seq) for r in manifest.ranges] == [(la_id, 2, 2)]
        assert import_ok(la, answer).new_events == 0  # held already, and the same
        import_ok(office, export_to(la, office, tmp_path / "b3"))
        assert office.sync.pending_counts()[la_id] == 0
        assert la.doctor().ok and office.doctor().ok
    finally:
        la.close()
        office.close()


def test_conflicts_travel_and_resolve(world: dict[str, Session], tmp_path: Path) -> None:
    a, b, office = world["a"], world["b"], world["office"]
    case_id = a.create_case(case_document(13))
    exchange(a, b, tmp_path / "1")
    a.edit_case(case_id, {"case_outline": "Outline as A wrote it."})
    b.edit_case(case_id, {"case_outline": "Outline as B wrote it."})
    exchange(a, b, tmp_path / "2")
    for session in (a, b):
        conflicts = [c for c in session.conflicts() if c.case_id == case_id]
        assert [c.field for c in conflicts] == ["case_outline"]
        assert {v.value for v in conflicts[0].values} == {
            "Outline as A wrote it.",
            "Outline as B wrote it.",
        }
    a.resolve(case_id, "case_outline", "Outline agreed by both.")
    exchange(a, b, tmp_path / "3")
    for session in (a, b):
        assert not [c for c in session.conflicts() if c.case_id == case_id]
        assert session.case_detail(case_id).document["case_outline"] == ("Outline agreed by both.")
    assert a.case_detail(case_id).document == b.case_detail(case_id).document
    assert office


def test_office_relays_between_workstations_of_one_la(
    world: dict[str, Session], tmp_path: Path
) -> None:
    """A and B never exchange bundles directly: the office carries each one's events."""
    a, b, office = world["a"], world["b"], world["office"]
    case_id = a.create_case(case_document(14))
    import_ok(office, export_to(a, office, tmp_path))
    import_ok(b, export_to(office, b, tmp_path))
    b.edit_case(case_id, {"case_outline": "Outline B added via the office."})
    import_ok(office, export_to(b, office, tmp_path))
    import_ok(a, export_to(office, a, tmp_path))
    assert a.case_detail(case_id).document["case_outline"] == "Outline B added via the office."
    assert a.case_detail(case_id).document == b.case_detail(case_id).document


def forge(session: Session, chain: str, case_id: str, field: str, value: object) -> None:
    """Append an event on any chain of `session`'s device, as a tampered program would."""
    seq, prev = vault_of(session).head(chain)
    body = EventBody(
        device=chain,
        seq=seq + 1,
        prev=prev,
        at=system_clock().now(),
        author=session.identity.author,
        org=session.identity.org,
        case=case_id,
        type="office.recorded",
        changes=[Change(field=field, value=value)],
    )
    with vault_of(session).db.atomic():
        vault_of(session)._insert_event(Event.create(body, session.identity.signing_key))


def test_office_writes_each_las_cases_on_its_own_chain(
    world: dict[str, Session], tmp_path: Path
) -> None:
    a, south, office = world["a"], world["south"], world["office"]
    north_case = a.create_case(case_document(15, "child_death"))
    south_case = south.create_case(case_document(16, "child_death"))
    import_ok(office, export_to(a, office, tmp_path))
    import_ok(office, export_to(south, office, tmp_path))
    me = office.identity.device_id
    north_step = record_in_order(
        office, north_case, "cdop.modifiable_factors", True, on=TODAY.isoformat()
    )
    south_step = record_in_order(
        office, south_case, "cdop.modifiable_factors", False, on=TODAY.isoformat()
    )
    assert north_step.device == office_chain_id(me, "Northshire Council")
    assert south_step.device == office_chain_id(me, "Southshire Council")
    assert south_step.device == f"{me}--southshire-council"
    assert signing_device(south_step.device) == me
    raw = bundle_format.read_bundle(export_to(office, south, tmp_path).read_bytes())
    assert {r.device for r in raw.manifest.ranges} == {south_step.device}
    import_ok(south, export_to(office, south, tmp_path))
    assert vault_of(south).case_events(south_case)[-1].id == south_step.id
    assert south.doctor().ok
    assert not vault_of(south).case_events(north_case)


def test_chain_ids_fit_the_event_pattern() -> None:
    device = "a" * 40 + "-abcdef"
    long_org = "The Very Long Named Metropolitan Borough Council of Somewhere"
    chain = office_chain_id(device, long_org)
    assert len(chain) <= 64 and re.fullmatch(DEVICE_ID, chain)
    assert chain == office_chain_id(device, long_org)  # deterministic
    assert chain != office_chain_id(device, long_org + " North")
    assert signing_device(chain) == device and "--" not in chain[len(device) + 2 :]
    assert org_slug("  Northshire  Council (Children's) ") == "northshire-council-children-s"
    assert "--" not in device_id_for("A -- B  Council")


@pytest.fixture
def rogue_office(world: dict[str, Session], tmp_path: Path) -> Iterator[Session]:
    rogue = make_session(tmp_path / "rogue", "Rogue Office", "office", author="Rex")
    try:
        trust_each_other([rogue, world["office"]], tmp_path / "rogue-keys")
        yield rogue
    finally:
        rogue.close()


def test_office_chain_for_one_la_may_not_touch_anothers_case(
    world: dict[str, Session], rogue_office: Session, tmp_path: Path
) -> None:
    south, office = world["south"], world["office"]
    south_case = south.create_case(case_document(17, "child_death"))
    import_ok(office, export_to(south, office, tmp_path))
    chain = office_chain_id(rogue_office.identity.device_id, "Northshire Council")
    forge(rogue_office, chain, south_case, "office.cdop.modifiable_factors", True)
    message = refuse(office, export_to(rogue_office, office, tmp_path))
    assert message.endswith(
        f"the chain {chain} may not touch case {south_case} of Southshire Council"
    )


def test_office_own_chain_carries_only_partnership_records(
    world: dict[str, Session], rogue_office: Session, tmp_path: Path
) -> None:
    south, office = world["south"], world["office"]
    south_case = south.create_case(case_document(18, "child_death"))
    import_ok(office, export_to(south, office, tmp_path))
    rogue_id = rogue_office.identity.device_id
    forge(rogue_office, rogue_id, south_case, "office.cdop.modifiable_factors", True)
    message = refuse(office, export_to(rogue_office, office, tmp_path))
    assert "own chain carries only the partnership's records" in message
    problems = rogue_office.doctor().problems
    assert any("an office's own chain is for the partnership's records only" in p for p in problems)


def test_per_la_chain_may_not_carry_partnership_records(
    world: dict[str, Session], rogue_office: Session, tmp_path: Path
) -> None:
    office = world["office"]
    chain = office_chain_id(rogue_office.identity.device_id, "Northshire Council")
    forge(rogue_office, chain, "AR-2024", "annual_report.year", 2024)
    message = refuse(office, export_to(rogue_office, office, tmp_path))
    assert "a per-LA chain may not carry the partnership record AR-2024" in message


def test_la_device_has_no_per_la_chains(world: dict[str, Session], tmp_path: Path) -> None:
    office = world["office"]
    mallory = make_session(tmp_path / "mallory", "Northshire Council", author="Mal")
    try:
        trust_each_other([mallory, office], tmp_path / "keys")
        case_id = mallory.create_case(case_document(19))
        chain = f"{mallory.identity.device_id}--southshire-council"
        forge(mallory, chain, case_id, "office.cdop.modifiable_factors", True)
        message = refuse(office, export_to(mallory, office, tmp_path))
        assert message == (
            f"bundle holds chain {chain}, but only an office device keeps per-LA chains"
        )
    finally:
        mallory.close()


def test_keys_files_that_would_confuse_chains_are_refused(
    world: dict[str, Session], tmp_path: Path
) -> None:
    office = world["office"]
    other = make_session(tmp_path / "other", "Southshire  Council!", author="Oz")
    try:
        path = tmp_path / "other.keys.json"
        other.sync.keys_export(path)
        with pytest.raises(InvalidInput, match="have the same short name 'southshire-council'"):
            office.sync.add_peer(path)
        document = json.loads(path.read_text())
        document["device_id"] = "southshire--council-abc123"
        path.write_text(json.dumps(document))
        with pytest.raises(InvalidInput, match="which only chain ids do"):
            office.sync.add_peer(path)
    finally:
        other.close()


def test_la_may_not_confirm_its_own_statutory_withdrawal(tmp_path: Path) -> None:
    """The second person of a two-person withdrawal is the office: an LA's bundle that
    carries the confirmation itself (naming the office, as a tampered program could)
    is refused, so the statutory duty stays owed on the office's vault."""
    la = make_session(tmp_path / "la", "Northshire Council", author="Lee")
    office = make_session(tmp_path / "office", "Northshire CSP Office", "office", author="Olu")
    try:
        trust_each_other([la, office], tmp_path / "keys")
        case_id = la.create_case(case_document(5, "child_death"))
        cdop = "cdop-notification"
        assert cdop in {d.duty for d in la.case_detail(case_id).duties}
        request = la.withdraw(case_id, cdop, "The child lived in another area.")
        assert request.type == "duty.withdrawal_requested"
        # Bypass the Session's office-only check, as a tampered program would.
        forged = {"by": "Olu", "date": TODAY.isoformat(), "request": request.id}
        vault_of(la).record(
            la.projector,
            [
                (
                    case_id,
                    "duty.withdrawal_confirmed",
                    [Change(field=f"duties.{cdop}.withdrawal_confirmed", value=forged)],
                )
            ],
            system_clock().now(),
        )
        message = refuse(office, export_to(la, office, tmp_path))
        assert (
            "type: role rule: duty.withdrawal_confirmed (the second person's confirmation"
            in message
        )
    finally:
        office.close()
        la.close()


def test_office_may_correct_only_acknowledgements(tmp_path: Path) -> None:
    """An office's bundle may carry a correction of its own acknowledgement, not one
    that says the LA's sent record was made in error, nor erase an LA's correction."""
    la = make_session(tmp_path / "la", "Northshire Council", author="Lee")
    rogue = make_session(tmp_path / "rogue", "Northshire CSP Office", "office", author="Rex")
    try:
        trust_each_other([rogue, la], tmp_path / "keys")
        case_id = la.create_case(case_document(5, "child_death"))
        cdop = "cdop-notification"
        import_ok(rogue, export_to(la, rogue, tmp_path))
        forged = {
            "part": "sent",
            "undone": {"date": "2026-11-18"},
            "reason": "Never sent, it seems.",
            "by": "Rex",
            "date": TODAY.isoformat(),
        }
        # Bypass the Session's owner check, as a tampered program would: a correction
        # note that says the LA's send was in error, alone and then with the send cleared.
        note = Change(field=f"duties.{cdop}.corrections.e0123456789abcdef", value=forged)
        cleared = Change(field=f"duties.{cdop}.sent", value=None)
        vault_of(rogue).record(
            rogue.projector, [(case_id, "duty.corrected", [note, cleared])], system_clock().now()
        )
        message = refuse(la, export_to(rogue, la, tmp_path))
        assert message.endswith(
            f"duties.{cdop}.sent: role rule: on an LA's case the office records only "
            "acknowledgements and withdrawal confirmations (type duty.corrected)"
        )
    finally:
        rogue.close()
        la.close()
