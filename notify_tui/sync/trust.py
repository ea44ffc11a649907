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

import fnmatch
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notify_tui.domain.chains import (
    CHAIN_SEPARATOR,
    MAX_OFFICE_DEVICE_ID,
    chain_suffix,
    device_prefix,
    is_device_id_of,
    office_chain_id,
    org_slug,
)
from notify_tui.domain.text import ONE_LINE_PATTERN
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
    org: str = Field(min_length=1, max_length=200, pattern=ONE_LINE_PATTERN)
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


def may_hold(la: Device, device: Device, chain: str) -> bool:
    """Whether an LA device may hold `chain` (signed by `device`): what a bundle to an
    LA carries (its organisation's LA devices' chains, an office's chain for it)."""
    if chain_suffix(chain) is None:
        return device.role == "la" and device.org == la.org
    return device.role == "office" and chain == office_chain_id(device.device_id, la.org)


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
    if not is_device_id_of(document.device_id, document.org):
        raise InvalidInput(
            f"{source}: device_id {document.device_id!r} is not the organisation's short name "
            f"and 6 hex digits ({device_prefix(document.org)}-…), as notify-tui makes them"
        )
    signing = sshsig.parse_openssh_public_key(document.signing_key)
    if document.fingerprint is not None and document.fingerprint != sshsig.fingerprint(signing):
        raise InvalidInput(
            f"{source}: its fingerprint {document.fingerprint} is not the one of its signing "
            "key; the file was altered"
        )
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


def check_addable(vault: Vault, document: KeysDocument) -> Device | None:
    """Refuse (`InvalidInput`) a keys file `add_peer` would refuse; return the device
    when it is already trusted with exactly these keys (adding it again is a no-op)."""
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
    problem = impersonation(document.device_id, document.org, document.role, devices(vault))
    if problem:
        raise InvalidInput(problem)
    return None


def add_peer(vault: Vault, document: KeysDocument, now: datetime) -> Device:
    """Trust a peer's keys (idempotent for the same keys); return it."""
    known = check_addable(vault, document)
    if known is not None:
        return known
    signing = sshsig.parse_openssh_public_key(document.signing_key)
    hpke = X25519PublicKey.from_public_bytes(bytes.fromhex(document.hpke_public_hex))
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


def impersonation(device_id: str, org: str, role: str, known: Mapping[str, Device]) -> str | None:
    """Why a device (id, organisation, role) may not be trusted beside the `known` ones,
    or None.

    - One organisation has one role: an LA device claiming the office's organisation
      (or the other way round) could write what only the other may (the partnership's
      records); the same short name (`org_slug`) counts as the same organisation, since
      the office's chains are named by it.
    - A device id that differs from a known one only by look-alike characters or a
      character or two (`looks_alike`) is refused: it would be taken for that device.
    """
    for other in known.values():
        if other.device_id == device_id:
            continue
        who = "this device" if other.is_self else f"the trusted {other.device_id}"
        same_org = other.org == org or org_slug(other.org) == org_slug(org)
        if same_org and other.role != role:
            return (
                f"{device_id} claims the organisation {org!r} as {ROLE_NAMES[role]}, but "
                f"{who} is {ROLE_NAMES[other.role]} of {other.org!r}: an organisation has one "
                "role (an office's organisation must differ from every LA's)"
            )
        if same_org and other.org != org:
            # Office chains are per LA slug: two organisations sharing one would share one.
            return (
                f"{org!r} and {who} ({other.org!r}) have the same short name "
                f"{org_slug(org)!r}; ask one to rename itself before trusting it"
            )
        if not same_org and looks_alike(org_slug(org), org_slug(other.org)):
            return (
                f"{org!r} looks like the organisation of {who} ({other.org!r}): a name that "
                "can be taken for another's is refused; ask one to rename itself"
            )
        if looks_alike(device_id, other.device_id):
            return (
                f"{device_id} looks like {who} ({other.device_id}): a device id that can be "
                "taken for another is refused; ask the peer to make a new device"
            )
    return None


ROLE_NAMES: Final = {"la": "a local authority", "office": "the business office"}

_CONFUSABLE: Final = str.maketrans({"0": "o", "1": "l", "i": "l", "5": "s", "8": "b", "-": ""})


def _folded(text: str) -> str:
    return text.replace("rn", "m").replace("vv", "w").translate(_CONFUSABLE)


def looks_alike(first: str, second: str) -> bool:
    """Whether two different ids or names could be taken for each other: equal once
    look-alike characters are folded (0/o, 1/l/i, 5/s, 8/b, rn/m, vv/w, hyphens
    dropped), or of one length and different in one character only."""
    if first == second:
        return False
    if _folded(first) == _folded(second):
        return True
    if len(first) != len(second):
        return False
    return sum(a != b for a, b in zip(first, second, strict=True)) == 1


def trust_problems(vault: Vault) -> list[str]:
    """Devices already trusted that `add_peer` would refuse today (for `doctor`)."""
    known = devices(vault)
    problems = []
    for device in known.values():
        if device.is_self:
            continue
        others = {key: other for key, other in known.items() if key != device.device_id}
        problem = impersonation(device.device_id, device.org, device.role, others)
        if problem:
            problems.append(f"trusted peer {device.device_id}: {problem}")
    return problems


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


@dataclass(frozen=True)
class SignerLine:
    """One key of an allowed_signers file (or a keys file), with its options."""

    number: int
    principals: str
    """Comma-separated principal patterns (`*`, `?`, and `!` to exclude), as OpenSSH reads
    them; a keys file's one principal is its device id."""
    key: Ed25519PublicKey
    namespaces: tuple[str, ...] | None = None
    cert_authority: bool = False
    valid_after: datetime | None = None
    valid_before: datetime | None = None

    def names(self, principal: str) -> bool:
        """Whether the principal patterns match `principal` (none excluded it)."""
        matched = False
        for pattern in self.principals.split(","):
            negated = pattern.startswith("!")
            if fnmatch.fnmatchcase(principal, pattern.removeprefix("!")):
                if negated:
                    return False
                matched = True
        return matched


@dataclass(frozen=True)
class AllowedSigners:
    """The keys a signers file lets sign bundles, read the way `ssh-keygen -Y verify`
    reads an allowed_signers file: principals as patterns, a `namespaces` option that
    must list `notify-tui-bundle`, `valid-after`/`valid-before` times, and
    `cert-authority` lines that only certificates (never a bundle's plain key) match."""

    source: str
    lines: tuple[SignerLine, ...]

    def keys_for(self, principal: str, now: datetime) -> list[Ed25519PublicKey]:
        """The keys that may sign as `principal` at `now`."""
        return [line.key for line in self.lines if self._why_not(line, principal, now) is None]

    def refusal(self, principal: str, now: datetime) -> str:
        """Why no key may sign as `principal` (when `keys_for` is empty), in one line."""
        reasons = [
            reason
            for line in self.lines
            if (reason := self._why_not(line, principal, now)) is not None and line.names(principal)
        ]
        if reasons:
            return f"{self.source}: the signer for {principal} {reasons[0]}"
        return (
            f"no signer listed for the sender {principal} in {self.source} "
            "(principal in allowed_signers)"
        )

    @staticmethod
    def _why_not(line: SignerLine, principal: str, now: datetime) -> str | None:
        if not line.names(principal):
            return "is not listed"
        if line.cert_authority:
            return (
                f"(line {line.number}) is a cert-authority key: it vouches for certificates, "
                "and a bundle is signed with a plain key"
            )
        if line.namespaces is not None and sshsig.BUNDLE_NAMESPACE not in line.namespaces:
            return f"(line {line.number}) may not sign in namespace {sshsig.BUNDLE_NAMESPACE}"
        if line.valid_before is not None and now >= line.valid_before:
            return f"(line {line.number}) expired on {line.valid_before.isoformat()}"
        if line.valid_after is not None and now < line.valid_after:
            return f"(line {line.number}) is valid only from {line.valid_after.isoformat()}"
        return None


_OPTION = re.compile(r'(?P<name>[A-Za-z-]+)(?:="(?P<value>(?:[^"\\]|\\.)*)")?(?:,|(?=\s)|$)')
_SIGNER_TIME = re.compile(r"^(\d{8})(\d{4}(\d{2})?)?(Z?)$")
_KNOWN_OPTIONS = frozenset({"cert-authority", "namespaces", "valid-after", "valid-before"})


def _signer_time(text: str, where: str) -> datetime:
    """An allowed_signers time: YYYYMMDD[HHMM[SS]], UTC with a final Z, else local time."""
    match = _SIGNER_TIME.match(text)
    if match is None:
        raise InvalidInput(f"{where}: {text!r} is not a time (YYYYMMDD[HHMM[SS]][Z])")
    digits = (match.group(1) + (match.group(2) or "")).ljust(14, "0")
    try:
        moment = datetime.strptime(digits, "%Y%m%d%H%M%S")
    except ValueError:
        raise InvalidInput(f"{where}: {text!r} is not a real time") from None
    return moment.replace(tzinfo=UTC) if match.group(4) else moment.astimezone()


def _signer_line(line: str, number: int, source: str) -> SignerLine | None:
    where = f"{source} line {number}"
    principals, _, rest = line.partition(" ")
    rest = rest.lstrip()
    options: dict[str, str | None] = {}
    if rest and not rest.startswith(("ssh-", "ecdsa-", "sk-")):
        position = 0
        while position < len(rest) and not rest[position].isspace():
            match = _OPTION.match(rest, position)
            if match is None or match.end() == position:
                raise InvalidInput(f"{where}: cannot read its options")
            name = match.group("name").lower()
            if name not in _KNOWN_OPTIONS:
                raise InvalidInput(f"{where}: unknown option {name!r} (ssh-keygen refuses it)")
            options[name] = match.group("value")
            position = match.end()
        rest = rest[position:].lstrip()
    fields = rest.split()
    if len(fields) < 2:
        raise InvalidInput(f"{where}: not an allowed_signers line (principals [options] key)")
    if fields[0] != "ssh-ed25519":
        return None  # another key type cannot have made a bundle's signature
    try:
        key = sshsig.parse_openssh_public_key(f"{fields[0]} {fields[1]}")
    except InvalidInput as error:
        raise InvalidInput(f"{where}: {error.message}") from None
    namespaces = options.get("namespaces")
    after, before = options.get("valid-after"), options.get("valid-before")
    return SignerLine(
        number=number,
        principals=principals,
        key=key,
        namespaces=None if namespaces is None else tuple(namespaces.split(",")),
        cert_authority="cert-authority" in options,
        valid_after=None if after is None else _signer_time(after, where),
        valid_before=None if before is None else _signer_time(before, where),
    )


def read_signers(data: bytes, source: str) -> AllowedSigners:
    """The signers of a keys file (JSON) or an OpenSSH allowed_signers file."""
    if len(data) > MAX_KEYS_FILE:
        raise InvalidInput(f"{source}: larger than {MAX_KEYS_FILE} bytes")
    if data.lstrip().startswith(b"{"):
        document = parse_keys_document(data, source)
        key = sshsig.parse_openssh_public_key(document.signing_key)
        return AllowedSigners(source, (SignerLine(1, document.device_id, key),))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{source}: not UTF-8 text") from None
    lines: list[SignerLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        found = _signer_line(line.replace("\t", " "), number, source)
        if found is not None:
            lines.append(found)
    if not lines:
        raise InvalidInput(f"{source}: no ssh-ed25519 signer in it")
    return AllowedSigners(source, tuple(lines))


PRIVATE_KEYS_HEADER: Final = "notify-tui private keys"
MIN_EXPORT_PASSPHRASE: Final = 12


def private_keys_pem(
    device_id: str,
    org: str,
    signing_key: Ed25519PrivateKey,
    hpke_key: X25519PrivateKey,
    passphrase: str,
) -> bytes:
    """This device's two private keys, each as a passphrase-protected PKCS#8 PEM block
    ("ENCRYPTED PRIVATE KEY": PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC, RFC 5958/8018),
    the X25519 (HPKE) key first, each after a `#` line naming it. `openssl pkey` and
    any PKCS#8 reader open them (docs/bundle-format.md, "Opening a bundle yourself")."""
    if len(passphrase) < MIN_EXPORT_PASSPHRASE:
        raise InvalidInput(
            f"the export passphrase: use at least {MIN_EXPORT_PASSPHRASE} characters"
        )
    encryption = serialization.BestAvailableEncryption(passphrase.encode("utf-8"))

    def block(key: Ed25519PrivateKey | X25519PrivateKey) -> str:
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        ).decode("ascii")

    lines = [
        f"# {PRIVATE_KEYS_HEADER} of {device_id} ({org}): keep this file secret.",
        "# 1. X25519 (HPKE, RFC 9180): opens the bundles sealed to this device.",
        block(hpke_key).rstrip("\n"),
        "# 2. Ed25519: signs this device's bundles (SSHSIG) and events.",
        block(signing_key).rstrip("\n"),
    ]
    return ("\n".join(lines) + "\n").encode("ascii")


def dumps(document: KeysDocument) -> bytes:
    """A keys file's bytes (indented JSON and a final newline)."""
    return (json.dumps(document.model_dump(mode="json"), indent=2) + "\n").encode("utf-8")
