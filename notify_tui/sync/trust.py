"""Trust: which devices may send us bundles, and with which keys.

A device hands its public keys to a peer as a small JSON *keys file* (`keys_document`):
its id, organisation, role, Ed25519 signing key as an OpenSSH public key line, and HPKE
(X25519) public key in hex. The peer adds it with `add_peer`; peers live in the vault's
`devices` table beside this device (``is_self = 1``). A revoked peer stays in the table
(its old events still verify) but may no longer send or receive bundles, and its new
events are refused.

`read_signers` reads either a keys file or an OpenSSH ``allowed_signers`` file, for
`notify-tui verify`, which runs without a vault.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notify_tui.domain.chains import CHAIN_SEPARATOR, MAX_OFFICE_DEVICE_ID, org_slug
from notify_tui.errors import InvalidInput
from notify_tui.store.events import DEVICE_ID
from notify_tui.store.vault import Vault
from notify_tui.sync import sshsig
from notify_tui.sync.seal import key_id

KEYS_FORMAT = "notify-tui-keys"
MAX_KEYS_FILE = 64 * 1024
"""Bytes: a keys or allowed_signers file larger than this is refused unread."""


class KeysDocument(BaseModel):
    """A device's public keys, as `notify-tui keys export` writes them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["notify-tui-keys"]
    version: Literal[1]
    device_id: str = Field(pattern=DEVICE_ID)
    org: str = Field(min_length=1, max_length=200)
    role: Literal["la", "office"]
    signing_key: str = Field(max_length=400, description="OpenSSH ssh-ed25519 public key line")
    hpke_public_hex: str = Field(pattern=r"^[0-9a-f]{64}$")
    fingerprint: str | None = Field(default=None, max_length=100)


@dataclass(frozen=True)
class Device:
    """A device this vault knows: itself or a peer."""

    device_id: str
    org: str
    role: Literal["la", "office"]
    signing_public: Ed25519PublicKey
    hpke_public: X25519PublicKey
    is_self: bool
    revoked_at: str | None
    added_at: str

    @property
    def fingerprint(self) -> str:
        """The signing key's SHA-256 fingerprint, as ``ssh-keygen -l`` prints it."""
        return sshsig.fingerprint(self.signing_public)

    @property
    def hpke_key_id(self) -> str:
        """The HPKE key id that labels this device's sealed key in a bundle."""
        return key_id(self.hpke_public)

    @property
    def revoked(self) -> bool:
        """Whether this peer was revoked."""
        return self.revoked_at is not None


def _raw_hex(key: Ed25519PublicKey | X25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def keys_document(device: Device) -> KeysDocument:
    """The keys file of a device."""
    return KeysDocument(
        format=KEYS_FORMAT,
        version=1,
        device_id=device.device_id,
        org=device.org,
        role=device.role,
        signing_key=sshsig.openssh_public_key(device.signing_public, device.device_id),
        hpke_public_hex=_raw_hex(device.hpke_public),
        fingerprint=device.fingerprint,
    )


def parse_keys_document(data: bytes, source: str) -> KeysDocument:
    """Validate a keys file's bytes; one-line `InvalidInput` naming the field otherwise."""
    if len(data) > MAX_KEYS_FILE:
        raise InvalidInput(f"{source}: larger than {MAX_KEYS_FILE} bytes; not a keys file")
    try:
        document = KeysDocument.model_validate_json(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        raise InvalidInput(
            f"{source}: not a notify-tui keys file ({where}: {first['msg']})"
        ) from None
    if CHAIN_SEPARATOR in document.device_id:
        raise InvalidInput(
            f"{source}: device_id {document.device_id!r} holds {CHAIN_SEPARATOR!r}, which "
            "only chain ids do; not a device's keys file"
        )
    if document.role == "office" and len(document.device_id) > MAX_OFFICE_DEVICE_ID:
        raise InvalidInput(
            f"{source}: an office device_id is at most {MAX_OFFICE_DEVICE_ID} characters "
            "(its per-LA chain ids must fit in 64)"
        )
    sshsig.parse_openssh_public_key(document.signing_key)
    try:
        X25519PublicKey.from_public_bytes(bytes.fromhex(document.hpke_public_hex))
    except ValueError:
        raise InvalidInput(f"{source}: hpke_public_hex is not an X25519 public key") from None
    return document


def _device(row: tuple[object, ...]) -> Device:
    role: Literal["la", "office"] = "office" if row[2] == "office" else "la"
    return Device(
        device_id=str(row[0]),
        org=str(row[1]),
        role=role,
        signing_public=Ed25519PublicKey.from_public_bytes(bytes.fromhex(str(row[3]))),
        hpke_public=X25519PublicKey.from_public_bytes(bytes.fromhex(str(row[4]))),
        is_self=bool(row[5]),
        revoked_at=None if row[6] is None else str(row[6]),
        added_at=str(row[7]),
    )


_COLUMNS = "device_id, org, role, signing_public, hpke_public, is_self, revoked_at, added_at"


def devices(vault: Vault) -> dict[str, Device]:
    """Every device the vault knows (this one and peers), by id."""
    rows = vault.db.execute(f"SELECT {_COLUMNS} FROM devices ORDER BY is_self DESC, device_id")
    return {str(row[0]): _device(row) for row in rows.fetchall()}


def this_device(vault: Vault) -> Device:
    """This device's row."""
    row = vault.db.execute(f"SELECT {_COLUMNS} FROM devices WHERE is_self = 1").fetchone()
    if row is None:
        raise InvalidInput("this vault has no device row; run `notify-tui doctor`")
    return _device(row)


def add_peer(vault: Vault, document: KeysDocument, now: datetime) -> Device:
    """Trust a peer's keys (idempotent for the same keys); return it."""
    signing = sshsig.parse_openssh_public_key(document.signing_key)
    hpke = X25519PublicKey.from_public_bytes(bytes.fromhex(document.hpke_public_hex))
    known = devices(vault).get(document.device_id)
    if known is not None:
        if known.is_self:
            raise InvalidInput(f"{document.device_id} is this device; give a peer's keys file")
        if known.revoked:
            raise InvalidInput(
                f"{document.device_id} was revoked on {known.revoked_at}; a revoked device "
                "cannot be trusted again (give the new device its own id)"
            )
        same = (
            _raw_hex(known.signing_public) == _raw_hex(signing)
            and _raw_hex(known.hpke_public) == _raw_hex(hpke)
            and (known.org, known.role) == (document.org, document.role)
        )
        if not same:
            raise InvalidInput(
                f"{document.device_id} is already trusted with different keys or "
                "organisation; revoke it first if it was replaced"
            )
        return known
    for other in devices(vault).values():
        if _raw_hex(other.signing_public) == _raw_hex(signing):
            raise InvalidInput(f"that signing key is already trusted as {other.device_id}")
        if other.org != document.org and org_slug(other.org) == org_slug(document.org):
            # Office chains are per LA slug: two organisations sharing one would share one.
            raise InvalidInput(
                f"{document.org!r} and the trusted {other.org!r} have the same short name "
                f"{org_slug(document.org)!r}; ask one to rename itself before trusting it"
            )
    db = vault.db
    with db.atomic():
        db.execute(
            "INSERT INTO devices (device_id, org, role, signing_public, hpke_public, is_self, "
            "revoked_at, added_at) VALUES (?, ?, ?, ?, ?, 0, NULL, ?)",
            [
                document.device_id,
                document.org,
                document.role,
                _raw_hex(signing),
                _raw_hex(hpke),
                now.isoformat(),
            ],
        )
    return devices(vault)[document.device_id]


def revoke_peer(vault: Vault, device_id: str, now: datetime) -> Device:
    """Revoke a peer: its bundles are refused from now on."""
    known = devices(vault).get(device_id)
    if known is None or known.is_self:
        raise InvalidInput(f"no peer {device_id}: see `notify-tui peers list`")
    if known.revoked:
        return known
    db = vault.db
    with db.atomic():
        db.execute(
            "UPDATE devices SET revoked_at = ? WHERE device_id = ? AND is_self = 0",
            [now.isoformat(), device_id],
        )
    return devices(vault)[device_id]


# -- signers files, for verifying without a vault -------------------------------------

_SIGNERS_LINE = re.compile(
    r"^(?P<principals>\S+)\s+(?:(?P<options>\S+)\s+)?(?P<key>ssh-ed25519\s+\S+)"
)


def read_signers(data: bytes, source: str) -> dict[str, Ed25519PublicKey]:
    """Principals and keys from a keys file (JSON) or an OpenSSH allowed_signers file.

    For allowed_signers, only lines whose namespaces option (if any) admits
    ``notify-tui-bundle`` count; principals are comma-separated device ids.
    """
    if len(data) > MAX_KEYS_FILE:
        raise InvalidInput(f"{source}: larger than {MAX_KEYS_FILE} bytes")
    if data.lstrip().startswith(b"{"):
        document = parse_keys_document(data, source)
        return {document.device_id: sshsig.parse_openssh_public_key(document.signing_key)}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{source}: not UTF-8 text") from None
    signers: dict[str, Ed25519PublicKey] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _SIGNERS_LINE.match(line)
        if match is None:
            raise InvalidInput(f"{source} line {number}: not an ssh-ed25519 allowed_signers line")
        options = match.group("options") or ""
        namespaces = re.search(r'namespaces="([^"]*)"', options)
        if namespaces and sshsig.BUNDLE_NAMESPACE not in namespaces.group(1).split(","):
            continue
        key = sshsig.parse_openssh_public_key(match.group("key"))
        for principal in match.group("principals").split(","):
            signers[principal] = key
    if not signers:
        raise InvalidInput(f"{source}: no signer for namespace {sshsig.BUNDLE_NAMESPACE}")
    return signers


def dumps(document: KeysDocument) -> bytes:
    """A keys file's bytes (indented JSON and a final newline)."""
    return (json.dumps(document.model_dump(mode="json"), indent=2) + "\n").encode("utf-8")
