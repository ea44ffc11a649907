"""The bundle file: build it, read its structure, check its signature, open its payload.

A bundle is a ZIP archive of exactly three members, all *stored* (not deflated):

``manifest.json``
    UTF-8 JSON (`Manifest`): sender, recipients and their HPKE-sealed content keys,
    creation time, schema version, the sender's bundle number for this peer and the
    SHA-256 of its previous manifest, per-device event ranges and chain heads, the
    payload's SHA-256 and sizes, and the sender's receipts (what it holds).
``manifest.json.sig``
    The sender's armored SSHSIG signature of the manifest bytes, namespace
    ``notify-tui-bundle``: ``ssh-keygen -Y verify`` checks it.
``payload.hpke``
    The events as JSON lines, zlib-compressed, then sealed with `notify_tui.sync.seal`
    (AES-256-GCM under a content key sealed with HPKE to each recipient), associated
    data `payload_aad`.

The manifest names the payload's hash, and the signature covers the manifest, so the
signature covers everything. The bundle's identity is the SHA-256 of the manifest bytes.
docs/bundle-format.md describes the format for readers without this program.

Reading never trusts the input: the file size and ZIP structure are checked before any
member is read, and decompression is bounded by the declared size. Every refusal is a
`BundleRefused` with one line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import struct
import uuid
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notify_tui.errors import BundleRefused
from notify_tui.store.events import DEVICE_ID, HEX64, Event
from notify_tui.sync import seal, sshsig

BUNDLE_FORMAT: Final = "notify-tui-bundle"
SCHEMA_VERSION: Final = 1
BUNDLE_SUFFIX: Final = ".ntbundle"
MANIFEST_NAME: Final = "manifest.json"
SIGNATURE_NAME: Final = "manifest.json.sig"
PAYLOAD_NAME: Final = "payload.hpke"
MEMBER_NAMES: Final = (MANIFEST_NAME, SIGNATURE_NAME, PAYLOAD_NAME)

MAX_BUNDLE_BYTES: Final = 256 * 1024 * 1024
"""A bundle file larger than this is refused before it is read."""
MAX_MANIFEST_BYTES: Final = 4 * 1024 * 1024
MAX_SIGNATURE_BYTES: Final = 4096
MAX_UNCOMPRESSED_BYTES: Final = 512 * 1024 * 1024
"""The largest declared (and allowed) size of the decompressed event lines."""
MAX_EVENTS: Final = 1_000_000
MAX_RECIPIENTS: Final = 16
MAX_DEVICES: Final = 10_000

_ZIP_DATE: Final = (1980, 1, 1, 0, 0, 0)
_SEALED_KEY_B64: Final = r"^[A-Za-z0-9+/]{106}[AEIMQUYcgkosw048]=$"  # 80 bytes, canonical


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sender(_Strict):
    """Who made the bundle."""

    device: str = Field(pattern=DEVICE_ID)
    org: str = Field(min_length=1, max_length=200)
    role: Literal["la", "office"]


class Recipient(_Strict):
    """One device the payload is sealed to, with its sealed content key."""

    device: str = Field(pattern=DEVICE_ID)
    key_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    sealed_key: str = Field(pattern=_SEALED_KEY_B64, description="base64 of enc || ct")


class DeviceRange(_Strict):
    """The events of one device in the payload: seq first..last, contiguous."""

    device: str = Field(pattern=DEVICE_ID)
    first_seq: int = Field(ge=1)
    last_seq: int = Field(ge=1)
    head: str = Field(pattern=HEX64, description="id of the event numbered last_seq")

    @property
    def count(self) -> int:
        """How many events the range holds."""
        return self.last_seq - self.first_seq + 1


class PayloadInfo(_Strict):
    """What the payload member must be."""

    sha256: str = Field(pattern=HEX64)
    size: int = Field(ge=0, le=MAX_BUNDLE_BYTES)
    compression: Literal["zlib"]
    uncompressed_size: int = Field(ge=0, le=MAX_UNCOMPRESSED_BYTES)
    events: int = Field(ge=0, le=MAX_EVENTS)


class Receipt(_Strict):
    """The sender holds events 1..held_up_to of `device`, the last since `received_at`."""

    device: str = Field(pattern=DEVICE_ID)
    held_up_to: int = Field(ge=0)
    received_at: datetime


class Answers(_Strict):
    """The last bundle the sender had imported from the peer (`to`) when it made this one.

    The receipts of this bundle are the sender's word as of that bundle: a peer restored
    from a backup knows, from a bundle that answers one it made since, that the sender
    has seen where it stands (and sent back what it lacks)."""

    bundle_seq: int = Field(ge=1)
    manifest_sha256: str = Field(pattern=HEX64)


class Manifest(_Strict):
    """The signed description of a bundle."""

    format: Literal["notify-tui-bundle"]
    schema_version: Literal[1]
    bundle_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    created_at: datetime
    sender: Sender
    to: str = Field(pattern=DEVICE_ID, description="the peer the bundle was made for")
    recipients: list[Recipient] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    bundle_seq: int = Field(ge=1)
    previous_bundle_sha256: str | None = Field(pattern=HEX64)
    answers: Answers | None
    ranges: list[DeviceRange] = Field(max_length=MAX_DEVICES)
    payload: PayloadInfo
    receipts: list[Receipt] = Field(max_length=MAX_DEVICES)


def payload_aad(manifest: Manifest) -> bytes:
    """The associated data the payload is sealed with: ties it to this bundle."""
    return _aad(manifest.sender.device, manifest.bundle_id)


def _aad(sender: str, bundle_id: str) -> bytes:
    return f"notify-tui-bundle/1/{sender}/{bundle_id}".encode("ascii")


@dataclass(frozen=True)
class Party:
    """A device's public identity as the bundle names it."""

    device: str
    org: str
    role: Literal["la", "office"]
    hpke_public: X25519PublicKey


@dataclass(frozen=True)
class BuiltBundle:
    """A bundle's bytes and its identity."""

    data: bytes
    manifest: Manifest
    manifest_sha256: str


def build_bundle(
    *,
    sender: Party,
    signing_key: Ed25519PrivateKey,
    to: Party,
    events: Sequence[Event],
    bundle_seq: int,
    previous_bundle_sha256: str | None,
    receipts: Sequence[Receipt],
    created_at: datetime,
    answers: Answers | None = None,
) -> BuiltBundle:
    """Seal `events` to `to` and the sender, sign the manifest, and zip the three members."""
    ordered = sorted(events, key=lambda event: (event.device, event.seq))
    ranges = ranges_of(ordered)
    lines = b"".join(event.to_json().encode("utf-8") + b"\n" for event in ordered)
    compressed = zlib.compress(lines, 6)
    bundle_id = uuid.uuid4().hex
    parties = {to.device: to, sender.device: sender}
    aad = _aad(sender.device, bundle_id)
    payload, sealed = seal.seal(
        compressed,
        {seal.key_id(party.hpke_public): party.hpke_public for party in parties.values()},
        aad=aad,
    )
    manifest = Manifest(
        format=BUNDLE_FORMAT,
        schema_version=SCHEMA_VERSION,
        bundle_id=bundle_id,
        created_at=created_at,
        sender=Sender(device=sender.device, org=sender.org, role=sender.role),
        to=to.device,
        recipients=[
            Recipient(
                device=party.device,
                key_id=seal.key_id(party.hpke_public),
                sealed_key=base64.b64encode(sealed[seal.key_id(party.hpke_public)]).decode(),
            )
            for party in parties.values()
        ],
        bundle_seq=bundle_seq,
        previous_bundle_sha256=previous_bundle_sha256,
        answers=answers,
        ranges=ranges,
        payload=PayloadInfo(
            sha256=hashlib.sha256(payload).hexdigest(),
            size=len(payload),
            compression="zlib",
            uncompressed_size=len(lines),
            events=len(ordered),
        ),
        receipts=list(receipts),
    )
    manifest_bytes = manifest_to_bytes(manifest)
    signature = sshsig.sign(manifest_bytes, signing_key, sshsig.BUNDLE_NAMESPACE)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, member in (
            (MANIFEST_NAME, manifest_bytes),
            (SIGNATURE_NAME, signature.encode("ascii")),
            (PAYLOAD_NAME, payload),
        ):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o600 << 16
            archive.writestr(info, member)
    return BuiltBundle(buffer.getvalue(), manifest, hashlib.sha256(manifest_bytes).hexdigest())


def manifest_to_bytes(manifest: Manifest) -> bytes:
    """The manifest as written: indented, sorted JSON and a final newline."""
    document = manifest.model_dump(mode="json")
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode()


def ranges_of(events: Sequence[Event]) -> list[DeviceRange]:
    """Per-device first/last seq and head of events sorted by (device, seq)."""
    ranges: list[DeviceRange] = []
    by_device: dict[str, list[Event]] = {}
    for event in events:
        by_device.setdefault(event.device, []).append(event)
    for device, chain in by_device.items():
        ranges.append(
            DeviceRange(
                device=device, first_seq=chain[0].seq, last_seq=chain[-1].seq, head=chain[-1].id
            )
        )
    return ranges


# -- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RawBundle:
    """A bundle whose structure and manifest schema passed; nothing verified yet."""

    manifest_bytes: bytes
    manifest: Manifest
    signature: bytes
    payload: bytes

    @property
    def manifest_sha256(self) -> str:
        """The bundle's identity: SHA-256 of the manifest bytes."""
        return hashlib.sha256(self.manifest_bytes).hexdigest()


_MEMBER_LIMITS: Final = {
    MANIFEST_NAME: MAX_MANIFEST_BYTES,
    SIGNATURE_NAME: MAX_SIGNATURE_BYTES,
    PAYLOAD_NAME: MAX_BUNDLE_BYTES,
}


def read_bundle_file(path: Path) -> RawBundle:
    """Read a bundle file, refusing one that is too large before reading it."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise BundleRefused(f"{path.name}: not a regular file")
        if size > MAX_BUNDLE_BYTES:
            raise BundleRefused(f"bundle is {size} bytes, more than the {MAX_BUNDLE_BYTES} allowed")
        with path.open("rb") as handle:
            data = handle.read(MAX_BUNDLE_BYTES + 1)
    except FileNotFoundError:
        raise BundleRefused(f"{path}: no such file") from None
    except OSError as error:
        raise BundleRefused(f"{path.name}: cannot read ({error.strerror})") from None
    return read_bundle(data)


def read_bundle(data: bytes) -> RawBundle:
    """Check the ZIP structure and the manifest schema; return the members."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleRefused(
            f"bundle is {len(data)} bytes, more than the {MAX_BUNDLE_BYTES} allowed"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise BundleRefused("not a bundle: the file is not a ZIP archive")
    try:
        members = _read_members(data)
    except BundleRefused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
        ValueError,
        KeyError,
        IndexError,
        UnicodeDecodeError,
        struct.error,
        zlib.error,
        OverflowError,
    ) as error:
        raise BundleRefused(f"not a valid bundle ZIP ({type(error).__name__})") from None
    manifest = _parse_manifest(members[MANIFEST_NAME])
    payload = members[PAYLOAD_NAME]
    _check_declared(manifest, payload)
    return RawBundle(members[MANIFEST_NAME], manifest, members[SIGNATURE_NAME], payload)


def _read_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if len(infos) != len(MEMBER_NAMES) or sorted(names) != sorted(MEMBER_NAMES):
            shown = ", ".join(repr(name[:40]) for name in names[:5])
            raise BundleRefused(
                f"a bundle holds exactly {', '.join(MEMBER_NAMES)}; this one holds {shown}"
                + (" …" if len(names) > 5 else "")
            )
        declared_total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise BundleRefused(f"member {info.filename} is ZIP-encrypted")
            if info.compress_type != zipfile.ZIP_STORED:
                raise BundleRefused(f"member {info.filename} is compressed; members are stored")
            if info.file_size != info.compress_size:
                raise BundleRefused(f"member {info.filename} declares inconsistent sizes")
            limit = _MEMBER_LIMITS[info.filename]
            if info.file_size > limit:
                raise BundleRefused(
                    f"member {info.filename} declares {info.file_size} bytes, more than {limit}"
                )
            declared_total += info.file_size
        if declared_total > len(data):
            raise BundleRefused("members declare more bytes than the file holds")
        _check_layout(data, infos)
        members: dict[str, bytes] = {}
        for info in infos:
            content = archive.read(info)
            if len(content) != info.file_size:
                raise BundleRefused(f"member {info.filename} is truncated")
            members[info.filename] = content
    return members


def _check_layout(data: bytes, infos: list[zipfile.ZipInfo]) -> None:
    """Members back to back from byte 0, then the central directory, then its end record
    with no comment: no bytes hide before, between or after the members."""
    end_record = data[-22:]
    if len(end_record) != 22 or end_record[:4] != b"PK\x05\x06" or end_record[-2:] != b"\0\0":
        raise BundleRefused("bundle ZIP has bytes after its end record, or a comment")
    offset = 0
    for info in sorted(infos, key=lambda item: item.header_offset):
        if info.header_offset != offset or data[offset : offset + 4] != b"PK\x03\x04":
            raise BundleRefused("bundle ZIP has bytes before or between its members")
        if info.flag_bits & 0x8:
            raise BundleRefused(f"member {info.filename} uses a data descriptor")
        name_length, extra_length = struct.unpack("<HH", data[offset + 26 : offset + 30])
        offset += 30 + name_length + extra_length + info.compress_size
    (directory_offset,) = struct.unpack("<I", end_record[16:20])
    if directory_offset != offset:
        raise BundleRefused("bundle ZIP has bytes between its members and its directory")


def _parse_manifest(data: bytes) -> Manifest:
    try:
        return Manifest.model_validate_json(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        raise BundleRefused(f"manifest is not valid ({where}: {first['msg']})") from None


def _check_declared(manifest: Manifest, payload: bytes) -> None:
    if len(payload) != manifest.payload.size:
        raise BundleRefused(
            f"payload is {len(payload)} bytes; the manifest declares {manifest.payload.size}"
        )
    if hashlib.sha256(payload).hexdigest() != manifest.payload.sha256:
        raise BundleRefused("payload does not match the SHA-256 in the manifest (altered)")
    devices = [entry.device for entry in manifest.recipients]
    key_ids = [entry.key_id for entry in manifest.recipients]
    if len(set(devices)) != len(devices) or len(set(key_ids)) != len(key_ids):
        raise BundleRefused("manifest lists a recipient twice")
    if manifest.sender.device not in devices or manifest.to not in devices:
        raise BundleRefused("manifest recipients must include the sender and the peer")
    if len({r.device for r in manifest.ranges}) != len(manifest.ranges):
        raise BundleRefused("manifest lists a device's range twice")
    if len({r.device for r in manifest.receipts}) != len(manifest.receipts):
        raise BundleRefused("manifest lists a device's receipt twice")
    total = 0
    for entry in manifest.ranges:
        if entry.last_seq < entry.first_seq:
            raise BundleRefused(f"manifest range of device {entry.device} ends before it starts")
        total += entry.count
    if total != manifest.payload.events:
        raise BundleRefused(
            f"manifest ranges hold {total} events but the payload declares "
            f"{manifest.payload.events}"
        )


def verify_signature(raw: RawBundle, signer: Ed25519PublicKey) -> None:
    """Check the manifest signature by `signer` (namespace notify-tui-bundle)."""
    sshsig.verify(raw.signature, raw.manifest_bytes, sshsig.BUNDLE_NAMESPACE, signer)


def embedded_signer(raw: RawBundle) -> Ed25519PublicKey:
    """The key the signature names (not trusted: for `verify` without a signers file)."""
    return sshsig.signature_key(raw.signature)


def verify_with_signers(raw: RawBundle, signers: Mapping[str, Ed25519PublicKey]) -> None:
    """Check the signature with the key listed for the sender's device id."""
    key = signers.get(raw.manifest.sender.device)
    if key is None:
        raise BundleRefused(
            f"no signer listed for the sender {raw.manifest.sender.device} "
            "(principal in allowed_signers)"
        )
    verify_signature(raw, key)


def open_payload(raw: RawBundle, private_key: X25519PrivateKey) -> list[Event]:
    """Decrypt, decompress (bounded) and parse the events; check them against the ranges."""
    my_id = seal.key_id(private_key.public_key())
    entry = next((r for r in raw.manifest.recipients if r.key_id == my_id), None)
    if entry is None:
        raise BundleRefused(f"this device is not a recipient (no sealed key for {my_id})")
    try:
        sealed_key = base64.b64decode(entry.sealed_key, validate=True)
    except (binascii.Error, ValueError):
        raise BundleRefused("sealed key is not valid base64") from None
    compressed = seal.open_sealed(
        raw.payload, sealed_key, private_key, aad=payload_aad(raw.manifest)
    )
    lines = decompress_bounded(compressed, raw.manifest.payload.uncompressed_size)
    events = parse_event_lines(lines, raw.manifest.payload.events)
    check_ranges(raw.manifest, events)
    return events


def decompress_bounded(compressed: bytes, declared: int) -> bytes:
    """zlib-decompress at most `declared` bytes; anything else is refused."""
    decompressor = zlib.decompressobj()
    try:
        output = decompressor.decompress(compressed, declared + 1)
    except zlib.error:
        raise BundleRefused("payload does not decompress (corrupt zlib stream)") from None
    if len(output) > declared or decompressor.unconsumed_tail:
        raise BundleRefused(f"payload expands beyond its declared size of {declared} bytes")
    if not decompressor.eof:
        raise BundleRefused("payload's compressed stream is truncated")
    if decompressor.unused_data:
        raise BundleRefused("payload has bytes after its compressed stream")
    if len(output) != declared:
        raise BundleRefused(
            f"payload expands to {len(output)} bytes; the manifest declares {declared}"
        )
    return output


def parse_event_lines(lines: bytes, expected: int) -> list[Event]:
    """Events from JSON lines, each schema-checked and content-addressed."""
    if expected == 0:
        if lines:
            raise BundleRefused("payload holds data but the manifest declares no events")
        return []
    if not lines.endswith(b"\n"):
        raise BundleRefused("payload's last event line is not terminated")
    chunks = lines[:-1].split(b"\n")
    if len(chunks) != expected:
        raise BundleRefused(f"payload holds {len(chunks)} events; the manifest declares {expected}")
    events: list[Event] = []
    seen: set[str] = set()
    for number, chunk in enumerate(chunks, start=1):
        try:
            event = Event.model_validate_json(chunk)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "event"
            raise BundleRefused(f"event {number} in the payload is not valid ({where})") from None
        if not event.id_matches():
            raise BundleRefused(f"event {number} in the payload does not match its id (altered)")
        if event.id in seen:
            raise BundleRefused(f"event {event.id[:12]} appears twice in the payload")
        seen.add(event.id)
        events.append(event)
    return events


def check_ranges(manifest: Manifest, events: Sequence[Event]) -> None:
    """The payload's events are exactly the declared contiguous chains per device."""
    by_device: dict[str, list[Event]] = {}
    for event in events:
        by_device.setdefault(event.device, []).append(event)
    declared = {entry.device: entry for entry in manifest.ranges}
    if set(by_device) != set(declared):
        raise BundleRefused("payload's devices differ from the manifest's ranges")
    for device, chain in by_device.items():
        chain.sort(key=lambda event: event.seq)
        entry = declared[device]
        seqs = [event.seq for event in chain]
        if seqs != list(range(entry.first_seq, entry.last_seq + 1)):
            raise BundleRefused(
                f"payload's events of device {device} are not seq {entry.first_seq}–"
                f"{entry.last_seq} as declared"
            )
        if chain[-1].id != entry.head:
            raise BundleRefused(
                f"payload's chain head of device {device} differs from the manifest"
            )
        for before, after in zip(chain, chain[1:], strict=False):
            if after.prev != before.id:
                raise BundleRefused(
                    f"event {after.seq} of device {device} does not follow event {before.seq}"
                )
