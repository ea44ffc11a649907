"""What the sync verbs (`notify_tui.services.sync.SyncService`) return: frozen dataclasses.

Field names are the keys of the JSON the CLI prints, and each `as_json()` returns that
document exactly (key order too), so `--json` output does not depend on how a shell
reads the values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

Role = Literal["la", "office"]
ImportStatus = Literal[
    "imported", "already imported", "refused", "incomplete", "for another device", "named twice"
]
"""What happened to a bundle file: the last three leave it where it is (`incomplete`: still
being written; `for another device`: its name is addressed to another; `named twice`:
given twice on one command line, read once)."""


def flat_json(value: object) -> dict[str, object]:
    """A dataclass of plain values as a JSON row: its fields, in declaration order."""
    return {field.name: getattr(value, field.name) for field in fields(value)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class PeerView:
    """A device the vault knows: this one (`is_self`) or a peer."""

    device_id: str
    org: str
    role: Role
    fingerprint: str
    """The signing key's SHA-256 fingerprint, as ``ssh-keygen -l`` prints it."""
    hpke_key_id: str
    """The id that labels this device's sealed key in a bundle."""
    is_self: bool
    revoked_at: str | None
    added_at: str

    @property
    def revoked(self) -> bool:
        """Whether this peer was revoked."""
        return self.revoked_at is not None

    def as_json(self) -> dict[str, object]:
        """A plain row for `peers list --json`."""
        return {
            "device_id": self.device_id,
            "org": self.org,
            "role": self.role,
            "fingerprint": self.fingerprint,
            "hpke_key_id": self.hpke_key_id,
            "is_self": self.is_self,
            "revoked_at": self.revoked_at,
            "added_at": self.added_at,
        }


@dataclass(frozen=True)
class KeysFile:
    """This device's keys file (what `keys export` writes for a peer)."""

    device_id: str
    org: str
    role: Role
    signing_key: str
    """An OpenSSH ``ssh-ed25519`` public key line."""
    hpke_public_hex: str
    fingerprint: str | None


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one bundle file."""

    path: Path
    status: ImportStatus
    reason: str | None = None
    """Why it was refused (one line)."""
    sender: str | None = None
    new_events: int = 0
    cases: tuple[str, ...] = ()
    """The cases the import changed."""
    moved_to: Path | None = None
    """Where the file was filed (`done/` or `rejected/`), for a folder import."""
    caught_up: bool = False
    """This import ended the catch-up after a restore (`SyncService.catch_up` says more)."""
    erased: tuple[str, ...] = ()
    """The cases this import erased here (an erasure certificate it brought)."""
    kept_under_hold: tuple[str, ...] = ()
    """Cases whose erasure certificate came but that a legal hold here keeps whole."""

    def as_json(self) -> dict[str, object]:
        """A plain row for `--json` output."""
        return {
            "file": str(self.path),
            "status": self.status,
            "reason": self.reason,
            "sender": self.sender,
            "new_events": self.new_events,
            "cases": list(self.cases),
            "moved_to": None if self.moved_to is None else str(self.moved_to),
            "caught_up": self.caught_up,
            "erased": list(self.erased),
            "kept_under_hold": list(self.kept_under_hold),
        }


@dataclass(frozen=True)
class BundleSender:
    """Who a bundle's manifest says made it."""

    device: str
    org: str
    role: Role

    def as_json(self) -> dict[str, object]:
        """As the manifest holds it."""
        return flat_json(self)


@dataclass(frozen=True)
class BundleRange:
    """A bundle holds events `first_seq`..`last_seq` of one chain; `head` is the last's id."""

    device: str
    first_seq: int
    last_seq: int
    head: str

    def as_json(self) -> dict[str, object]:
        """As the manifest holds it."""
        return flat_json(self)


@dataclass(frozen=True)
class BundleReceipt:
    """A bundle's sender holds events 1..`held_up_to` of a chain, since `received_at`."""

    device: str
    held_up_to: int
    received_at: str

    def as_json(self) -> dict[str, object]:
        """As the manifest holds it."""
        return flat_json(self)


@dataclass(frozen=True)
class VerifyReport:
    """What `verify` found in a bundle file, without a vault."""

    path: Path
    valid: bool
    reason: str | None = None
    sender: BundleSender | None = None
    to: str | None = None
    recipients: tuple[str, ...] = ()
    bundle_seq: int | None = None
    created_at: str | None = None
    events: int | None = None
    ranges: tuple[BundleRange, ...] = ()
    receipts: tuple[BundleReceipt, ...] = ()
    signer: str | None = None
    """The signing key's fingerprint, once the signature checked out."""
    signer_checked: bool = False
    """Whether the signer was checked against a signers file (else only integrity)."""

    def as_json(self) -> dict[str, object]:
        """A plain document for `--json` output."""
        return {
            "file": str(self.path),
            "valid": self.valid,
            "reason": self.reason,
            "sender": None if self.sender is None else self.sender.as_json(),
            "to": self.to,
            "recipients": list(self.recipients),
            "bundle_seq": self.bundle_seq,
            "created_at": self.created_at,
            "events": self.events,
            "ranges": [entry.as_json() for entry in self.ranges],
            "receipts": [entry.as_json() for entry in self.receipts],
            "signer": self.signer,
            "signer_checked": self.signer_checked,
        }


@dataclass(frozen=True)
class CaseReceipt:
    """A peer acknowledged holding a case's events; the last of them since `received_at`."""

    org: str
    device: str
    role: Role
    received_at: str
    complete: bool
    """False while some event of the case held here is not yet acknowledged."""

    def as_json(self) -> dict[str, object]:
        """A plain row for `case show --json`."""
        return flat_json(self)


@dataclass(frozen=True)
class DutyReceipt:
    """A peer acknowledged holding the event that recorded a duty as sent."""

    org: str
    device: str
    role: Role
    received_at: str
    event: str
    """The id of that `duty.sent` event."""

    def as_json(self) -> dict[str, object]:
        """A plain row for `case show --json`."""
        return flat_json(self)


@dataclass(frozen=True)
class ReceiptView:
    """Which peers acknowledged a case's events, and each duty's latest `sent` record."""

    case: tuple[CaseReceipt, ...]
    duties: Mapping[str, tuple[DutyReceipt, ...]]
    """By duty id (sorted); a duty never marked sent is absent."""

    def as_json(self) -> dict[str, object]:
        """The `receipts` member of `case show --json`."""
        return {
            "case": [entry.as_json() for entry in self.case],
            "duties": {
                duty_id: [entry.as_json() for entry in entries]
                for duty_id, entries in self.duties.items()
            },
        }


@dataclass(frozen=True)
class ChainReceipt:
    """A peer's latest receipt for one chain: it holds events 1..`held_up_to`."""

    peer: str
    chain: str
    chain_device: str
    """The device that signs the chain's events (the chain's owner)."""
    held_up_to: int
    received_at: str
