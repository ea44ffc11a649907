"""Folder transport and the typed sync results, without a vault.

`notify_tui.sync.transport` lists the bundle files in a folder and files each away to
`done/` or `rejected/`; `SyncService.file_away` returns new outcomes rather than
changing the ones it was given; `receipt_rows` and `received_lines` are pure functions
of the service's results. All names and ids are synthetic.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from notify_tui.errors import InvalidInput
from notify_tui.services.sync import SyncService
from notify_tui.services.sync_types import (
    ChainReceipt,
    DutyReceipt,
    ImportOutcome,
    PeerView,
    ReceiptView,
)
from notify_tui.sync import transport
from notify_tui.views.sync import ReceiptRow, receipt_rows, received_lines


def test_bundle_files_lists_only_visible_bundle_files_by_name(tmp_path: Path) -> None:
    for name in ("b.ntbundle", "a.ntbundle", ".hidden.ntbundle", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "c.ntbundle").mkdir()
    assert transport.bundle_files(tmp_path) == [tmp_path / "a.ntbundle", tmp_path / "b.ntbundle"]


def test_bundle_folder_names_the_option_when_the_folder_is_missing(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        transport.bundle_folder(tmp_path / "nowhere", "--from")
    assert caught.value.message == f"--from {tmp_path / 'nowhere'}: no such folder"
    with pytest.raises(InvalidInput, match="^/.*nowhere: no such folder$"):
        transport.bundle_files(tmp_path / "nowhere")


def test_file_away_numbers_a_taken_name_and_writes_the_reason(tmp_path: Path) -> None:
    (tmp_path / "rejected").mkdir()
    (tmp_path / "rejected" / "x.ntbundle").write_bytes(b"earlier")
    (tmp_path / "x.ntbundle").write_bytes(b"now")
    target = transport.file_away(tmp_path, tmp_path / "x.ntbundle", "not a bundle")
    assert target == tmp_path / "rejected" / "x.1.ntbundle"
    assert target.read_bytes() == b"now"
    assert (tmp_path / "rejected" / "x.ntbundle").read_bytes() == b"earlier"
    reason = tmp_path / "rejected" / "x.1.ntbundle.reason.txt"
    assert reason.read_text() == "not a bundle\n"
    (tmp_path / "y.ntbundle").write_bytes(b"fine")
    done = transport.file_away(tmp_path, tmp_path / "y.ntbundle")
    assert done == tmp_path / "done" / "y.ntbundle"
    assert not list((tmp_path / "done").glob("*.reason.txt"))


def test_service_file_away_returns_new_outcomes(tmp_path: Path) -> None:
    for name in ("good.ntbundle", "bad.ntbundle"):
        (tmp_path / name).write_bytes(b"x")
    given = [
        ImportOutcome(tmp_path / "good.ntbundle", "imported", sender="dev-a", new_events=2),
        ImportOutcome(tmp_path / "bad.ntbundle", "refused", reason="signed by an unknown key"),
    ]
    filed = SyncService.file_away(tmp_path, given)
    assert [outcome.moved_to for outcome in filed] == [
        tmp_path / "done" / "good.ntbundle",
        tmp_path / "rejected" / "bad.ntbundle",
    ]
    assert [outcome.moved_to for outcome in given] == [None, None]
    assert dataclasses.replace(filed[0], moved_to=None) == given[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        filed[0].moved_to = None  # type: ignore[misc]


def test_import_outcome_json_keeps_todays_keys_in_order(tmp_path: Path) -> None:
    outcome = ImportOutcome(
        Path("/in/a.ntbundle"), "imported", sender="dev-a", new_events=3, cases=("CD-1",)
    )
    assert outcome.as_json() == {
        "file": "/in/a.ntbundle",
        "status": "imported",
        "reason": None,
        "sender": "dev-a",
        "new_events": 3,
        "cases": ["CD-1"],
        "moved_to": None,
        "caught_up": False,
        "erased": [],
        "kept_under_hold": [],
    }
    # Keys added later (`erased`, issue 18) come after today's, which keep their order.
    assert list(outcome.as_json()) == [
        "file", "status", "reason", "sender", "new_events", "cases", "moved_to", "caught_up",
        "erased", "kept_under_hold",
    ]  # fmt: skip


def _peer(device_id: str, org: str, *, is_self: bool = False) -> PeerView:
    return PeerView(
        device_id=device_id,
        org=org,
        role="la",
        fingerprint="SHA256:x",
        hpke_key_id="0" * 32,
        is_self=is_self,
        revoked_at=None,
        added_at="2026-11-01T09:00:00+00:00",
    )


def test_peer_view_reads_by_attribute_and_prints_as_the_old_row() -> None:
    peer = _peer("north-1", "Northshire Council")
    assert peer.org == "Northshire Council"
    with pytest.raises(TypeError):
        peer["org"]  # type: ignore[index]
    assert not hasattr(peer, "get")
    assert list(peer.as_json()) == [
        "device_id", "org", "role", "fingerprint", "hpke_key_id", "is_self", "revoked_at",
        "added_at",
    ]  # fmt: skip


def test_receipt_rows_name_the_peer_and_the_chain_owner() -> None:
    me = _peer("south-1", "Southshire Council", is_self=True)
    office = _peer("office-1", "Testshire Office")
    receipts = [
        ChainReceipt("office-1", "south-1", "south-1", 4, "2026-11-20T10:00:00+00:00"),
        ChainReceipt("office-1", "office-1--south", "office-1", 2, "2026-11-19T10:00:00+00:00"),
        ChainReceipt("gone-9", "ghost-2", "ghost-2", 1, "2026-11-18T10:00:00+00:00"),
    ]
    assert receipt_rows(receipts, [me, office], "south-1") == [
        ReceiptRow("office-1", "Testshire Office", "south-1", "this device", 4,
                   "2026-11-20T10:00:00+00:00"),
        ReceiptRow("office-1", "Testshire Office", "office-1--south", "Testshire Office", 2,
                   "2026-11-19T10:00:00+00:00"),
        ReceiptRow("gone-9", "gone-9", "ghost-2", "ghost-2", 1, "2026-11-18T10:00:00+00:00"),
    ]  # fmt: skip


def test_received_lines_per_duty() -> None:
    entry = DutyReceipt("Testshire Office", "office-1", "office", "2026-11-20T10:05:09+00:00", "e1")
    view = ReceiptView(case=(), duties={"cdop-notification": (entry,), "ofsted": ()})
    assert received_lines(view) == {
        "cdop-notification": ["received by Testshire Office at 2026-11-20 10:05 UTC"],
        "ofsted": [],
    }
    assert view.as_json() == {
        "case": [],
        "duties": {
            "cdop-notification": [
                {
                    "org": "Testshire Office",
                    "device": "office-1",
                    "role": "office",
                    "received_at": "2026-11-20T10:05:09+00:00",
                    "event": "e1",
                }
            ],
            "ofsted": [],
        },
    }
