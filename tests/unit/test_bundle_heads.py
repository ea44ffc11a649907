"""A forged middle event is refused, whichever way it is forged.

Import recomputes every event's id from its line, checks every `prev` link back to the
chain held, and checks every new event's signature (docs/bundle-format.md, "Threat
model": the head's signature alone would cover what the events below it say, but not
their signature text). These bundles are signed by the sending LA's real key and hold a
chain of three real events of its own, the middle one forged in each way a forger
without the LA's event key could try. All data is synthetic.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from bundle_support import case_document, make_session, trust_each_other, vault_of
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from forge_support import forged_bundle

from notify_tui.services.session import Session
from notify_tui.store.events import EVENT_SIGNING_PREFIX, Event
from notify_tui.sync import bundle as bundle_format
from notify_tui.sync import merge

STRANGER = Ed25519PrivateKey.generate()


@pytest.fixture
def la_and_office(tmp_path: Path) -> tuple[Session, Session]:
    la = make_session(tmp_path / "la", "Northshire Council (test)", author="Lee L")
    office = make_session(tmp_path / "office", "Test Partnership (test)", "office", "Ola O")
    trust_each_other([la, office], tmp_path / "keys")
    for seed in (1, 2, 3):
        la.create_case(case_document(seed))
    return la, office


def chain_of(la: Session) -> list[Event]:
    return list(vault_of(la).iter_events(la.identity.device_id))


def readdressed(event: Event, **changes: object) -> Event:
    """`event` with `changes`, its id recomputed from its body and signed by a stranger
    (what a forger without the LA's key can do)."""
    edited = event.model_copy(update=changes)
    event_id = hashlib.sha256(edited.body().canonical()).hexdigest()
    signature = STRANGER.sign(EVENT_SIGNING_PREFIX + event_id.encode())
    return edited.model_copy(update={"id": event_id, "sig": base64.b64encode(signature).decode()})


def outline_changed(event: Event) -> list[object]:
    return [
        change.model_copy(update={"value": "SYNTHETIC forged outline."})
        if change.field == "case_outline"
        else change
        for change in event.changes
    ]


def refusal(la: Session, office: Session, events: list[Event]) -> str:
    raw = bundle_format.read_bundle(forged_bundle(la, office, events))
    with pytest.raises(merge.BundleRefused) as refused:
        merge.import_bundle(vault_of(office), office.projector, raw, office.clock.now())
    assert vault_of(office).db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert office.list_cases() == []
    return refused.value.message


def test_the_real_chain_is_imported(la_and_office: tuple[Session, Session]) -> None:
    """The three events as the LA signed them: imported (the control)."""
    la, office = la_and_office
    raw = bundle_format.read_bundle(forged_bundle(la, office, chain_of(la)))
    result = merge.import_bundle(vault_of(office), office.projector, raw, office.clock.now())
    assert result.new_events == 3
    assert len(office.list_cases()) == 3


def test_a_middle_event_altered_under_its_old_id_is_refused(
    la_and_office: tuple[Session, Session],
) -> None:
    """Its id no longer is the hash of its body."""
    la, office = la_and_office
    first, middle, head = chain_of(la)
    forged = middle.model_copy(update={"changes": outline_changed(middle)})
    assert refusal(la, office, [first, forged, head]) == (
        "event 2 in the payload does not match its id (altered)"
    )


def test_a_middle_event_readdressed_breaks_the_next_link(
    la_and_office: tuple[Session, Session],
) -> None:
    """Given a new id, the forged event is no longer the one the head names as `prev`."""
    la, office = la_and_office
    first, middle, head = chain_of(la)
    forged = readdressed(middle, changes=outline_changed(middle))
    assert refusal(la, office, [first, forged, head]) == (
        f"event 3 of device {la.identity.device_id} does not follow event 2"
    )


def test_a_middle_event_forged_and_the_chain_relinked_fails_its_signature(
    la_and_office: tuple[Session, Session],
) -> None:
    """Relinked so that every id and link holds, the forged event carries a signature
    that is not the LA's: refused at that event."""
    la, office = la_and_office
    first, middle, head = chain_of(la)
    forged = readdressed(middle, changes=outline_changed(middle))
    relinked = readdressed(head, prev=forged.id)
    assert refusal(la, office, [first, forged, relinked]) == (
        f"event 2 of device {la.identity.device_id} is not signed by its key"
    )


def test_a_head_whose_real_signature_is_kept_is_refused_too(
    la_and_office: tuple[Session, Session],
) -> None:
    """The forged event and the relinked head keep the LA's real signatures of the real
    ids: each signs another id, so neither verifies; refused at the first."""
    la, office = la_and_office
    first, middle, head = chain_of(la)
    forged = readdressed(middle, changes=outline_changed(middle)).model_copy(
        update={"sig": middle.sig}
    )
    relinked = readdressed(head, prev=forged.id).model_copy(update={"sig": head.sig})
    assert refusal(la, office, [first, forged, relinked]) == (
        f"event 2 of device {la.identity.device_id} is not signed by its key"
    )


def test_a_middle_event_s_signature_swapped_for_garbage_is_refused(
    la_and_office: tuple[Session, Session],
) -> None:
    """What the LA signed, unchanged, but the middle event's signature text replaced (a
    tampering relay): the head's signature still covers the content, yet the event is
    refused, so no vault ever keeps a signature `doctor` would call tampered."""
    la, office = la_and_office
    first, middle, head = chain_of(la)
    garbage = base64.b64encode(bytes(64)).decode()
    assert refusal(la, office, [first, middle.model_copy(update={"sig": garbage}), head]) == (
        f"event 2 of device {la.identity.device_id} is not signed by its key"
    )


def test_a_line_holding_nan_is_refused_in_one_line(
    la_and_office: tuple[Session, Session],
) -> None:
    """JSON has no NaN; a line that holds one (valid to the schema, which takes any
    value) is refused as a bundle fault, never an internal error."""
    la, office = la_and_office
    events = chain_of(la)

    def with_nan(lines: bytes) -> bytes:
        return lines.replace(b":true", b":NaN", 1)

    raw = bundle_format.read_bundle(forged_bundle(la, office, events, lines=with_nan))
    with pytest.raises(merge.BundleRefused) as refused:
        merge.import_bundle(vault_of(office), office.projector, raw, office.clock.now())
    # The schema reads NaN, the JSON dump writes it as null: its id cannot match.
    assert refused.value.message == "event 1 in the payload does not match its id (altered)"
    assert vault_of(office).db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
