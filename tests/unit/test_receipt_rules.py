"""Receipts keep the role rule, and one peer's receipt never stops the office's export.

An LA's receipts are about chains an LA of its organisation may hold. A receipt about
another LA's chain (which would show that LA's case as "received by" the wrong LA) or
about the office's own chain is refused with the rule it breaks; one stored before the
rule existed is not shown. A receipt that claims more of the office's chain for that LA
than the office ever wrote (a lie, or the office restored from a backup) leaves that LA
without a bundle, said in one line, and every other peer still gets its own. Synthetic
organisations; today is Monday 23 November 2026.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from bundle_support import (
    case_document,
    export_to,
    import_ok,
    make_session,
    trust_each_other,
    vault_of,
)
from forge_support import forged_bundle

from notify_tui.clock import system_clock
from notify_tui.domain.chains import office_chain_id
from notify_tui.errors import BundleRefused, VaultError
from notify_tui.services.session import Session
from notify_tui.sync import bundle as bundle_format
from notify_tui.sync import merge
from notify_tui.sync.bundle import Receipt


@dataclass
class Office:
    root: Path
    north: Session
    south: Session
    office: Session


@pytest.fixture
def partnership(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", "2026-11-23")
    north = make_session(tmp_path / "north", "Northshire Council", author="Nia N")
    south = make_session(tmp_path / "south", "Southshire Council", author="Sol S")
    office = make_session(tmp_path / "office", "Twin-shire Partnership", "office", "Olu O")
    trust_each_other([north, office], tmp_path / "k1")
    trust_each_other([south, office], tmp_path / "k2")
    yield Office(tmp_path, north, south, office)
    for session in (north, south, office):
        session.close()


def refused(receiver: Session, data: bytes) -> str:
    raw = bundle_format.read_bundle(data)
    with pytest.raises(BundleRefused) as raised:
        merge.import_bundle(vault_of(receiver), receiver.projector, raw, system_clock().now())
    return raised.value.message


def test_a_receipt_for_another_las_chain_is_refused(partnership: Office) -> None:
    north, south, office = partnership.north, partnership.south, partnership.office
    south.create_case(case_document(51))
    import_ok(office, export_to(south, office, partnership.root / "up"))
    lie = Receipt(device=south.identity.device_id, held_up_to=2, received_at=north.clock.now())
    message = refused(office, forged_bundle(north, office, receipts=[lie]))
    assert message == (
        f"receipt for chain {south.identity.device_id}: role rule: an LA's receipts are about "
        "its own organisation's chains and the office's chains for it, not Southshire "
        "Council's"
    )
    office_chain = office_chain_id(office.identity.device_id, "Southshire Council")
    lie = Receipt(device=office_chain, held_up_to=1, received_at=north.clock.now())
    assert refused(office, forged_bundle(north, office, receipts=[lie])).endswith(
        "not Twin-shire Partnership's for another LA"
    )


def test_a_stored_receipt_of_another_la_is_never_shown_as_received(partnership: Office) -> None:
    """A receipt an older version kept (written into the table here) names Northshire as
    holding Southshire's send: Southshire's case shows no "received by Northshire"."""
    north, south, office = partnership.north, partnership.south, partnership.office
    case_id = south.create_case(case_document(52))
    found = next(d for d in south.case_detail(case_id).duties if d.status == "open")
    duty = found.duty
    late = found.due is not None and found.due < "2026-11-23"
    south.mark_sent(case_id, duty, date(2026, 11, 23),
                    late_reason="Held back for the test." if late else None)  # fmt: skip
    import_ok(office, export_to(south, office, partnership.root / "up"))
    database = vault_of(office).db
    with database.atomic():
        database.execute(
            "INSERT INTO sync_receipts (peer, device, held_up_to, received_at) "
            "VALUES (?, ?, 99, '2026-11-23T12:00:00+00:00')",
            [north.identity.device_id, south.identity.device_id],
        )
    receipt = office.sync.receipt_for(case_id)
    assert "Northshire Council" not in [entry.org for entry in receipt.case]
    assert "Northshire Council" not in [entry.org for entry in receipt.duties[duty]]


def test_one_peers_receipt_never_stops_the_export_to_the_others(partnership: Office) -> None:
    """A receipt saying an LA holds more of the office's chain for it than the office
    does: every peer still gets its bundle; only new office steps on that one chain wait
    (they would fork it) until the LA's next bundle says otherwise (its latest statement,
    `notify_tui.store.catch_up`)."""
    north, south, office = partnership.north, partnership.south, partnership.office
    case_id = north.create_case(case_document(53, "child_death"))
    import_ok(office, export_to(north, office, partnership.root / "up"))
    import_ok(office, export_to(south, office, partnership.root / "up"))
    chain = office_chain_id(office.identity.device_id, "Northshire Council")
    lie = Receipt(device=chain, held_up_to=999, received_at=north.clock.now())
    import_ok(office, _saved(partnership.root, forged_bundle(north, office, receipts=[lie])))
    written = office.sync.export(partnership.root / "out")
    assert sorted(path.name.split("--")[1] for path in written) == sorted(
        [north.identity.device_id, south.identity.device_id]
    )
    with pytest.raises(VaultError, match="holds events 1–999 of this device"):
        office.record_office_step(case_id, "cdop", "review_meeting_held", "2026-11-23")
    import_ok(office, export_to(north, office, partnership.root / "up2"))
    office.record_office_step(case_id, "cdop", "review_meeting_held", "2026-11-23")


def _saved(root: Path, data: bytes) -> Path:
    path = root / "forged.ntbundle"
    path.write_bytes(data)
    return path
