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
import functools
import hashlib
import io
import json
import os
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from notify_tui.domain.text import ONE_LINE_PATTERN
from notify_tui.errors import BundleRefused
from notify_tui.store.events import (
    DEVICE_ID,
    HEX64,
    Event,
    canonical_json,
    stdlib_canonical_json,
)
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
MAX_EVENT_LINE: Final = 1024 * 1024
"""The longest event line (bytes): no event the program writes comes near it."""
MAX_SEQ: Final = 2**31 - 1
"""The highest sequence number of a chain, and of a sender's bundles."""
MAX_RECIPIENTS: Final = 16
MAX_DEVICES: Final = 10_000

_ZIP_DATE: Final = (1980, 1, 1, 0, 0, 0)
_SEALED_KEY_B64: Final = r"^[A-Za-z0-9+/]{106}[AEIMQUYcgkosw048]=$"  # 80 bytes, canonical


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sender(_Strict):
    """Who made the bundle."""

    device: str = Field(pattern=DEVICE_ID)
    org: str = Field(min_length=1, max_length=200, pattern=ONE_LINE_PATTERN)
    role: Literal["la", "office"]


class Recipient(_Strict):
    """One device the payload is sealed to, with its sealed content key."""

    device: str = Field(pattern=DEVICE_ID)
    key_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    sealed_key: str = Field(pattern=_SEALED_KEY_B64, description="base64 of enc || ct")


class DeviceRange(_Strict):
    """The events of one device in the payload: seq first..last, contiguous."""

    device: str = Field(pattern=DEVICE_ID)
    first_seq: int = Field(ge=1, le=MAX_SEQ)
    last_seq: int = Field(ge=1, le=MAX_SEQ)
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
    held_up_to: int = Field(ge=0, le=MAX_SEQ)
    received_at: AwareDatetime


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
    created_at: AwareDatetime
    sender: Sender
    to: str = Field(pattern=DEVICE_ID, description="the peer the bundle was made for")
    recipients: list[Recipient] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    bundle_seq: int = Field(ge=1, le=MAX_SEQ)
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
    by_device: dict[str, list[StoredLine]] = {}
    for event in ordered:
        by_device.setdefault(event.device, []).append(
            (event.seq, event.id, event.to_json().encode("utf-8"))
        )
    return build_bundle_from_lines(
        sender=sender,
        signing_key=signing_key,
        to=to,
        chains=by_device.items(),
        bundle_seq=bundle_seq,
        previous_bundle_sha256=previous_bundle_sha256,
        receipts=receipts,
        created_at=created_at,
        answers=answers,
    )


StoredLine = tuple[int, str, bytes]
"""One event as stored: its seq, its id and its canonical bytes (a bundle line)."""


def build_bundle_from_lines(
    *,
    sender: Party,
    signing_key: Ed25519PrivateKey,
    to: Party,
    chains: Iterable[tuple[str, Iterable[StoredLine]]],
    bundle_seq: int,
    previous_bundle_sha256: str | None,
    receipts: Sequence[Receipt],
    created_at: datetime,
    answers: Answers | None = None,
) -> BuiltBundle:
    """`build_bundle` from events as stored: each chain's id, in order, with its events'
    seq, id and canonical bytes in seq order (consecutive, as stored).

    The stored bytes are the lines: nothing is parsed or serialised again, and lines are
    compressed as they come, so only the compressed payload is ever held whole."""
    ranges: list[DeviceRange] = []
    compressor = zlib.compressobj(6)
    parts: list[bytes] = []
    size = 0
    count = 0
    for device, rows in sorted(chains, key=lambda chain: chain[0]):
        first: StoredLine | None = None
        last: StoredLine | None = None
        for row in rows:
            first = first or row
            last = row
            line = row[2] + b"\n"
            size += len(line)
            count += 1
            parts.append(compressor.compress(line))
        if first is not None and last is not None:
            ranges.append(
                DeviceRange(device=device, first_seq=first[0], last_seq=last[0], head=last[1])
            )
    parts.append(compressor.flush())
    compressed = b"".join(parts)
    del parts
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
            uncompressed_size=size,
            events=count,
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


class BundleIncomplete(BundleRefused):
    """The file starts as a bundle but has no end record yet: most likely still being
    written (a copy in progress). A folder import leaves it for the next run."""


class _Source:
    """Random access to the bytes of a bundle: a file (by path, never through a
    symbolic link) or bytes in memory."""

    def __init__(self, size: int, read_at: Callable[[int, int], bytes]) -> None:
        self.size = size
        self._read_at = read_at

    def read(self, offset: int, length: int) -> bytes:
        data = self._read_at(offset, length)
        if len(data) != length:
            raise BundleRefused("bundle file changed or ended while it was read")
        return data

    @classmethod
    def of_bytes(cls, data: bytes) -> _Source:
        return cls(len(data), lambda offset, length: data[offset : offset + length])

    @classmethod
    def of_file(cls, path: Path) -> _Source:
        def read_at(offset: int, length: int) -> bytes:
            # Never through a link; seek and read rather than os.pread, which Windows lacks.
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
            with os.fdopen(os.open(path, flags), "rb") as handle:
                handle.seek(offset)
                return handle.read(length)

        return cls(path.stat().st_size, read_at)


@dataclass(frozen=True)
class _Member:
    name: str
    offset: int
    """Where its data starts in the file."""
    size: int
    crc: int


@dataclass(frozen=True, eq=False)
class RawBundle:
    """A bundle whose structure, manifest and declared sizes passed; nothing verified yet.

    The payload is read (and checked against the manifest's size and SHA-256) only when
    first asked for, after the signature has been checked: a bundle a trusted key did not
    sign costs its manifest, never its payload."""

    manifest_bytes: bytes
    manifest: Manifest
    signature: bytes
    _payload_member: _Member
    _source: _Source

    @property
    def manifest_sha256(self) -> str:
        """The bundle's identity: SHA-256 of the manifest bytes."""
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    @functools.cached_property
    def payload(self) -> bytes:
        """The payload member's bytes, checked against its CRC and the manifest."""
        data = _member_data(self._source, self._payload_member)
        if hashlib.sha256(data).hexdigest() != self.manifest.payload.sha256:
            raise BundleRefused("payload does not match the SHA-256 in the manifest (altered)")
        return data


_MEMBER_LIMITS: Final = {
    MANIFEST_NAME: MAX_MANIFEST_BYTES,
    SIGNATURE_NAME: MAX_SIGNATURE_BYTES,
    PAYLOAD_NAME: MAX_BUNDLE_BYTES,
}
_END_RECORD: Final = struct.Struct("<4sHHHHIIH")
_CENTRAL: Final = struct.Struct("<4sBBHHHHHIIIHHHHHII")
_LOCAL: Final = struct.Struct("<4sHHHHHIIIHH")
_REGULAR_FILE: Final = 0o100000
_FILE_TYPE_BITS: Final = 0o170000
_MAX_DIRECTORY: Final = 1024


def read_bundle_file(path: Path) -> RawBundle:
    """Read a bundle file's structure and manifest (never its payload yet).

    A file larger than the limit is refused unread; only the end record, the central
    directory, the local headers and the two small members are read here."""
    try:
        if path.is_symlink() or not path.is_file():
            raise BundleRefused(f"{path.name}: not a regular file")
        return _read(_Source.of_file(path))
    except FileNotFoundError:
        raise BundleRefused(f"{path}: no such file") from None
    except OSError as error:
        raise BundleRefused(f"{path.name}: cannot read ({error.strerror})") from None


def read_bundle(data: bytes) -> RawBundle:
    """Check the structure of a bundle held in memory and parse its manifest."""
    return _read(_Source.of_bytes(data))


def _read(source: _Source) -> RawBundle:
    if source.size > MAX_BUNDLE_BYTES:
        raise BundleRefused(
            f"bundle is {source.size} bytes, more than the {MAX_BUNDLE_BYTES} allowed"
        )
    if source.size < 4 or source.read(0, 4) != b"PK\x03\x04":
        raise BundleRefused("not a bundle: the file is not a ZIP archive")
    members = _members(source)
    manifest_bytes = _member_data(source, members[0])
    signature = _member_data(source, members[1])
    manifest = parse_manifest(manifest_bytes)
    _check_declared(manifest, members[2].size)
    return RawBundle(manifest_bytes, manifest, signature, members[2], source)


def _members(source: _Source) -> list[_Member]:
    """The three members, from a strict reading of the ZIP structure (docs/bundle-format.md,
    "The file"): exactly the three names in order, stored, no extra fields, comments,
    flags or links, back to back from byte 0, then the directory and its end record."""
    if source.size < _END_RECORD.size:
        raise BundleIncomplete("bundle file ends before its ZIP end record (still being written?)")
    end = _END_RECORD.unpack(source.read(source.size - _END_RECORD.size, _END_RECORD.size))
    signature, disk, directory_disk, on_disk, total, directory_size, directory_offset, comment = end
    if signature != b"PK\x05\x06":
        tail = source.read(max(0, source.size - 65_557), min(source.size, 65_557))
        found = tail.rfind(b"PK\x05\x06")
        if found >= 0 and len(tail) - found >= _END_RECORD.size:
            raise BundleRefused("bundle ZIP has bytes after its end record, or a comment")
        raise BundleIncomplete(
            "bundle file has no ZIP end record at its end (still being written, cut short, "
            "or followed by other bytes or a comment)"
        )
    if (disk, directory_disk, comment) != (0, 0, 0) or on_disk != total:
        raise BundleRefused("bundle ZIP end record has a comment or spans disks")
    if total != len(MEMBER_NAMES):
        raise BundleRefused(
            f"a bundle holds exactly {', '.join(MEMBER_NAMES)}; this one holds {total} members"
        )
    if directory_size > _MAX_DIRECTORY or directory_offset + directory_size != (
        source.size - _END_RECORD.size
    ):
        raise BundleRefused("bundle ZIP directory is not where its end record says")
    directory = source.read(directory_offset, directory_size)
    members: list[_Member] = []
    position = 0
    expected_offset = 0
    for expected in MEMBER_NAMES:
        if position + _CENTRAL.size > len(directory):
            raise BundleRefused("bundle ZIP directory is truncated")
        fields = _CENTRAL.unpack_from(directory, position)
        (magic, _made_by, made_on, needed, flags, method, _time, _date, crc, compressed, size,
         name_length, extra_length, comment_length, start_disk, internal, external,
         offset) = fields  # fmt: skip
        name_bytes = directory[position + _CENTRAL.size : position + _CENTRAL.size + name_length]
        name = name_bytes.decode("ascii", "replace")
        position += _CENTRAL.size + name_length + extra_length + comment_length
        if magic != b"PK\x01\x02":
            raise BundleRefused("bundle ZIP directory is not valid")
        if name != expected:
            shown = repr(name[:40])
            raise BundleRefused(
                f"a bundle holds exactly {', '.join(MEMBER_NAMES)}, in that order; member "
                f"{len(members) + 1} is {shown}"
            )
        if flags & 0x1:
            raise BundleRefused(f"member {name} is ZIP-encrypted")
        if flags & 0x8:
            raise BundleRefused(f"member {name} uses a data descriptor")
        if flags:
            raise BundleRefused(f"member {name} sets ZIP flags ({flags:#06x}); none are used")
        if method != 0:
            raise BundleRefused(f"member {name} is compressed; members are stored")
        if compressed != size:
            raise BundleRefused(f"member {name} declares inconsistent sizes")
        if extra_length or comment_length:
            raise BundleRefused(f"member {name} has ZIP extra fields or a comment; it may not")
        if start_disk or internal or made_on not in (0, 3) or needed > 20:
            raise BundleRefused(f"member {name} has ZIP attributes a bundle does not use")
        file_type = (external >> 16) & _FILE_TYPE_BITS
        if file_type not in (0, _REGULAR_FILE) or external & 0x10:
            raise BundleRefused(
                f"member {name} is not a regular file (a link or a folder); members are files"
            )
        if size > _MEMBER_LIMITS[name]:
            raise BundleRefused(
                f"member {name} declares {size} bytes, more than {_MEMBER_LIMITS[name]}"
            )
        if offset != expected_offset:
            raise BundleRefused("bundle ZIP has bytes before or between its members")
        header = source.read(offset, _LOCAL.size + name_length)
        (local_magic, local_needed, local_flags, local_method, _t, _d, local_crc,
         local_compressed, local_size, local_name_length, local_extra) = _LOCAL.unpack_from(
            header
        )  # fmt: skip
        if (
            local_magic != b"PK\x03\x04"
            or (local_flags, local_method, local_extra) != (0, 0, 0)
            or (local_crc, local_compressed, local_size) != (crc, size, size)
            or header[_LOCAL.size :] != name_bytes
            or local_name_length != name_length
            or local_needed > 20
        ):
            raise BundleRefused(f"member {name}'s local header differs from the directory")
        data_offset = offset + _LOCAL.size + name_length
        members.append(_Member(name, data_offset, size, crc))
        expected_offset = data_offset + size
    if position != len(directory):
        raise BundleRefused("bundle ZIP directory has bytes after its entries")
    if expected_offset != directory_offset:
        raise BundleRefused("bundle ZIP has bytes between its members and its directory")
    return members


def _member_data(source: _Source, member: _Member) -> bytes:
    data = source.read(member.offset, member.size)
    if zlib.crc32(data) != member.crc:
        raise BundleRefused(f"member {member.name} does not match its CRC-32 (damaged)")
    return data


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise BundleRefused(f"manifest is not valid (the key {twice[:40]!r} appears twice)")
    return dict(pairs)


def _no_constants(name: str) -> object:
    raise BundleRefused(f"manifest is not valid ({name} is not a JSON number)")


def parse_manifest(data: bytes) -> Manifest:
    """The manifest from its bytes: UTF-8 JSON, no key twice, every field of exactly its
    type (a number is not text, 5.0 is not 5), nothing unknown."""
    try:
        json.loads(data, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BundleRefused("manifest is not valid (not UTF-8 JSON)") from None
    try:
        manifest = Manifest.model_validate_json(data, strict=True)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        raise BundleRefused(f"manifest is not valid ({where}: {first['msg']})") from None
    return manifest


def _check_declared(manifest: Manifest, payload_size: int) -> None:
    if payload_size != manifest.payload.size:
        raise BundleRefused(
            f"payload is {payload_size} bytes; the manifest declares {manifest.payload.size}"
        )
    devices = [entry.device for entry in manifest.recipients]
    key_ids = [entry.key_id for entry in manifest.recipients]
    if len(set(devices)) != len(devices) or len(set(key_ids)) != len(key_ids):
        raise BundleRefused("manifest lists a recipient twice")
    if manifest.to == manifest.sender.device:
        raise BundleRefused("manifest names the sender as its own peer (to)")
    if sorted(devices) != sorted({manifest.sender.device, manifest.to}):
        raise BundleRefused("manifest recipients must be exactly the sender and the peer (to)")
    if (manifest.bundle_seq == 1) != (manifest.previous_bundle_sha256 is None):
        raise BundleRefused(
            "manifest previous_bundle_sha256 must be null for bundle 1 and only then"
        )
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


def verify_with_signers(raw: RawBundle, keys: Sequence[Ed25519PublicKey], refusal: str) -> None:
    """Check the signature with one of the `keys` a signers file lists for the sender's
    device id; `refusal` says why, when it lists none."""
    if not keys:
        raise BundleRefused(refusal)
    sshsig.verify(raw.signature, raw.manifest_bytes, sshsig.BUNDLE_NAMESPACE, keys)


def open_payload(raw: RawBundle, private_key: X25519PrivateKey) -> list[Event]:
    """Decrypt, decompress (bounded) and parse the events; check them against the ranges."""
    compressed = _decrypt(raw, private_key)
    lines = decompress_bounded(compressed, raw.manifest.payload.uncompressed_size)
    events = parse_event_lines(lines, raw.manifest.payload.events)
    check_ranges(raw.manifest, events)
    return events


def open_payload_stream(
    raw: RawBundle, private_key: X25519PrivateKey
) -> Iterator[tuple[int, Event, bytes]]:
    """`open_payload` without holding the events: (line number, event, its line).

    Decryption, and the bounded decompression's every check (size, truncation, trailing
    bytes, the line count, the final newline), run before this returns, as
    `open_payload` runs them before parsing a line; the lines are then decompressed a
    second time as they are parsed, so neither the plaintext nor the events are ever
    held whole. Each line gets `parse_event_line`'s checks as it comes; the ranges are
    the caller's to check as the events pass (`merge` does, in one pass)."""
    compressed = _decrypt(raw, private_key)
    declared = raw.manifest.payload.uncompressed_size
    expected = raw.manifest.payload.events
    count, last = _stream_check(compressed, declared)
    if expected == 0:
        if declared:
            raise BundleRefused("payload holds data but the manifest declares no events")
        return iter(())
    if last != b"\n":
        raise BundleRefused("payload's last event line is not terminated")
    if count != expected:
        raise BundleRefused(f"payload holds {count} events; the manifest declares {expected}")
    return _parsed_lines(compressed)


_STREAM_CHUNK: Final = 1 << 20


def _decompressed(compressed: bytes) -> Iterator[bytes]:
    """The zlib stream's output in pieces of at most `_STREAM_CHUNK` bytes."""
    decompressor = zlib.decompressobj()
    pending = compressed
    while True:
        piece = decompressor.decompress(pending, _STREAM_CHUNK)
        if piece:
            yield piece
        pending = decompressor.unconsumed_tail
        if decompressor.eof or (not pending and not piece):
            return


def _stream_check(compressed: bytes, declared: int) -> tuple[int, bytes]:
    """`decompress_bounded`'s checks without keeping the output: (lines, last byte)."""
    decompressor = zlib.decompressobj()
    pending = compressed
    total = 0
    lines = 0
    last = b""
    try:
        while True:
            piece = decompressor.decompress(pending, min(_STREAM_CHUNK, declared + 1 - total))
            total += len(piece)
            if total > declared:
                raise BundleRefused(f"payload expands beyond its declared size of {declared} bytes")
            if piece:
                lines += piece.count(b"\n")
                last = piece[-1:]
            pending = decompressor.unconsumed_tail
            if decompressor.eof or not piece:
                break
    except zlib.error:
        raise BundleRefused("payload does not decompress (corrupt zlib stream)") from None
    if pending and not decompressor.eof:
        raise BundleRefused(f"payload expands beyond its declared size of {declared} bytes")
    if not decompressor.eof:
        raise BundleRefused("payload's compressed stream is truncated")
    if decompressor.unused_data:
        raise BundleRefused("payload has bytes after its compressed stream")
    if total != declared:
        raise BundleRefused(f"payload expands to {total} bytes; the manifest declares {declared}")
    return lines, last


def _parsed_lines(compressed: bytes) -> Iterator[tuple[int, Event, bytes]]:
    seen: set[str] = set()
    number = 0
    rest = b""
    for piece in _decompressed(compressed):
        chunks = (rest + piece).split(b"\n")
        rest = chunks.pop()
        for chunk in chunks:
            number += 1
            event = parse_event_line(number, chunk, seen)
            yield number, event, chunk


def _decrypt(raw: RawBundle, private_key: X25519PrivateKey) -> bytes:
    my_id = seal.key_id(private_key.public_key())
    entry = next((r for r in raw.manifest.recipients if r.key_id == my_id), None)
    if entry is None:
        raise BundleRefused(f"this device is not a recipient (no sealed key for {my_id})")
    try:
        sealed_key = base64.b64decode(entry.sealed_key, validate=True)
    except (binascii.Error, ValueError):
        raise BundleRefused("sealed key is not valid base64") from None
    return seal.open_sealed(raw.payload, sealed_key, private_key, aad=payload_aad(raw.manifest))


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
    seen: set[str] = set()
    return [parse_event_line(number, chunk, seen) for number, chunk in enumerate(chunks, start=1)]


def parse_event_line(number: int, chunk: bytes, seen: set[str]) -> Event:
    """Event `number` from its line: at most `MAX_EVENT_LINE` bytes, a valid event, its id
    the hash of its body, the line its canonical form, numbered within `MAX_SEQ`, its id
    not in `seen` (added).

    Parsed once: the model is validated from the line, dumped once, and that document
    gives both the body's canonical bytes (hashed for the id) and the whole event's
    (compared with the line), so the id is checked from the line's own bytes."""
    if len(chunk) > MAX_EVENT_LINE:
        raise BundleRefused(
            f"event {number} in the payload is {len(chunk)} bytes, more than {MAX_EVENT_LINE}"
        )
    try:
        event = Event.model_validate_json(chunk)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "event"
        raise BundleRefused(f"event {number} in the payload is not valid ({where})") from None
    document = event.document()
    if event.erased is not None:
        # An erased event (issue 18): its id is no longer the hash of what is left; the
        # import takes it only beside the erasure certificate it names (`merge`).
        if canonical_json(document) != chunk:
            raise BundleRefused(
                f"event {number} in the payload is not in canonical form (sorted keys, no "
                "spaces, every value as written)"
            )
        return _numbered(number, event, seen)
    body = {key: value for key, value in document.items() if key not in ("id", "sig")}
    id_ok = hashlib.sha256(canonical_json(body)).hexdigest() == event.id
    canonical_ok = canonical_json(document) == chunk
    if not (id_ok and canonical_ok):
        # The two encoders differ only on fractions (`events.canonical_json`): judge by
        # the standard library's bytes, which were the canonical form before orjson.
        try:
            id_ok = hashlib.sha256(stdlib_canonical_json(body)).hexdigest() == event.id
            canonical_ok = stdlib_canonical_json(document) == chunk
        except ValueError:  # NaN or an infinity: JSON holds neither, no event may
            raise BundleRefused(
                f"event {number} in the payload holds NaN or an infinity, which no event may hold"
            ) from None
    if not id_ok:
        raise BundleRefused(f"event {number} in the payload does not match its id (altered)")
    if not canonical_ok:
        raise BundleRefused(
            f"event {number} in the payload is not in canonical form (sorted keys, no "
            "spaces, every value as written): its id could not be checked from its bytes"
        )
    return _numbered(number, event, seen)


def _numbered(number: int, event: Event, seen: set[str]) -> Event:
    """The event, numbered within `MAX_SEQ` and its id not in `seen` (added)."""
    if event.seq > MAX_SEQ:
        raise BundleRefused(f"event {number} in the payload is numbered beyond {MAX_SEQ}")
    if event.id in seen:
        raise BundleRefused(f"event {event.id[:12]} appears twice in the payload")
    seen.add(event.id)
    return event


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
