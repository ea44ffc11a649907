"""Bundles a trusted peer's real key signs, holding whatever a test wants: what a broken
or tampered program on a trusted workstation could send.

`forged_events` appends events to the sender's chain without the Session's checks (the
store is not written: a bad event could not even be projected there); `forged_bundle`
seals them to the receiver and signs the manifest with the sender's key, optionally
after editing the manifest's JSON text or the event lines. All data is synthetic.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bundle_support import vault_of

from notify_tui.clock import system_clock
from notify_tui.services.session import Session
from notify_tui.store.events import EVENT_SIGNING_PREFIX, Change, Event, EventBody
from notify_tui.sync import bundle as bundle_format
from notify_tui.sync import outbox, seal, sshsig, trust
from notify_tui.sync.bundle import Receipt


def change(field: str, value: Any, replaces: Sequence[str] = ()) -> Change:
    """A change, its field path not checked (an arbitrary path is one of the tests)."""
    return Change.model_construct(field=field, value=value, replaces=list(replaces))


def forged_events(
    sender: Session,
    entries: Sequence[tuple[str, str, Sequence[Change]]],
    *,
    author: str | None = None,
    at: datetime | None = None,
    chain: str | None = None,
) -> list[Event]:
    """Events (case, type, changes) after the head of `chain` (default: the sender's own
    chain), signed with the sender's key; nothing is stored."""
    vault = vault_of(sender)
    chain = chain or sender.identity.device_id
    seq, prev = vault.head(chain)
    events = []
    for case_id, event_type, changes in entries:
        body = EventBody.model_construct(
            device=chain,
            seq=seq + 1,
            prev=prev,
            at=at or system_clock().now(),
            author=author or sender.identity.author,
            org=sender.identity.org,
            case=case_id,
            type=event_type,
            changes=list(changes),
        )
        event_id = hashlib.sha256(body.canonical()).hexdigest()
        signature = sender.identity.signing_key.sign(EVENT_SIGNING_PREFIX + event_id.encode())
        event = Event.model_construct(
            **dict(body), id=event_id, sig=base64.b64encode(signature).decode()
        )
        events.append(event)
        seq, prev = event.seq, event.id
    return events


def forged_bundle(
    sender: Session,
    receiver: Session,
    events: Sequence[Event] = (),
    *,
    receipts: Sequence[Receipt] | None = None,
    manifest_text: Callable[[str], str] | None = None,
    lines: Callable[[bytes], bytes] | None = None,
) -> bytes:
    """A bundle from `sender` to `receiver` holding `events`, signed by the sender's key.

    `receipts` replaces the sender's own; `lines` rewrites the event lines before they
    are sealed (the manifest's sizes follow); `manifest_text` rewrites the manifest's JSON
    text before it is signed."""
    vault = vault_of(sender)
    me = sender.sync.me()
    peer = next(p for p in sender.sync.list_peers() if p.device_id == receiver.identity.device_id)
    last = outbox.last_sent(vault, peer.device_id)
    known = trust.devices(vault)
    built = bundle_format.build_bundle(
        sender=bundle_format.Party(me.device_id, me.org, me.role, known[me.device_id].hpke_public),
        signing_key=sender.identity.signing_key,
        to=bundle_format.Party(
            peer.device_id, peer.org, peer.role, known[peer.device_id].hpke_public
        ),
        events=list(events),
        bundle_seq=1 if last is None else last.seq + 1,
        previous_bundle_sha256=None if last is None else last.manifest_sha256,
        receipts=list(receipts) if receipts is not None else [],
        created_at=system_clock().now(),
    )
    with zipfile.ZipFile(io.BytesIO(built.data)) as archive:
        manifest_bytes = archive.read("manifest.json")
        payload = archive.read("payload.hpke")
    manifest = json.loads(manifest_bytes)
    if lines is not None:
        original = b"".join(e.to_json().encode() + b"\n" for e in events)
        rewritten = lines(original)
        aad = f"notify-tui-bundle/1/{manifest['sender']['device']}/{manifest['bundle_id']}"
        publics = {seal.key_id(device.hpke_public): device.hpke_public for device in known.values()}
        wanted = {r["key_id"] for r in manifest["recipients"]}
        payload, sealed = seal.seal(
            zlib.compress(rewritten),
            {k: v for k, v in publics.items() if k in wanted},
            aad=aad.encode(),
        )
        for recipient in manifest["recipients"]:
            recipient["sealed_key"] = base64.b64encode(sealed[recipient["key_id"]]).decode()
        manifest["payload"].update(
            sha256=hashlib.sha256(payload).hexdigest(),
            size=len(payload),
            uncompressed_size=len(rewritten),
        )
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    if manifest_text is not None:
        text = manifest_text(text)
    return zipped(text.encode(), sign(sender, text.encode()), payload)


def sign(sender: Session, manifest: bytes) -> bytes:
    """The sender's SSHSIG signature of manifest bytes."""
    return sshsig.sign(manifest, sender.identity.signing_key, sshsig.BUNDLE_NAMESPACE).encode()


def zipped(manifest: bytes, signature: bytes, payload: bytes) -> bytes:
    """The three members, stored, as the program writes them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in (
            ("manifest.json", manifest),
            ("manifest.json.sig", signature),
            ("payload.hpke", payload),
        ):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o600 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
