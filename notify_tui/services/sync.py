"""Sync verbs for the shells: keys, peers, export, import, verify, receipts.

`SyncService(session)` wraps an unlocked `Session`; the CLI (`notify_tui.cli.sync`) and
the terminal app call it and never touch bundles or SQL themselves. `verify_file` needs no
vault and is a static method.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notify_tui.domain.chains import chain_suffix, office_chain_id, signing_device
from notify_tui.errors import BundleRefused, InvalidInput
from notify_tui.store.connection import translate_errors
from notify_tui.store.events import Event
from notify_tui.store.files import atomic_write_bytes
from notify_tui.store.owner import Owner, owned
from notify_tui.store.vault import Vault
from notify_tui.sync import bundle as bundle_format
from notify_tui.sync import merge, receipts, sshsig, trust

if TYPE_CHECKING:
    from notify_tui.services.session import Session

REJECTED_DIR = "rejected"
DONE_DIR = "done"


@dataclass
class ImportOutcome:
    """What happened to one bundle file."""

    path: Path
    status: str
    """"imported", "already imported" or "refused"."""
    reason: str | None = None
    sender: str | None = None
    new_events: int = 0
    cases: list[str] = field(default_factory=list)
    moved_to: Path | None = None

    def as_json(self) -> dict[str, Any]:
        """A plain row for `--json` output."""
        return {
            "file": str(self.path),
            "status": self.status,
            "reason": self.reason,
            "sender": self.sender,
            "new_events": self.new_events,
            "cases": self.cases,
            "moved_to": None if self.moved_to is None else str(self.moved_to),
        }


@dataclass
class VerifyReport:
    """What `verify` found in a bundle file, without a vault."""

    path: Path
    valid: bool
    reason: str | None = None
    sender: dict[str, str] | None = None
    to: str | None = None
    recipients: list[str] = field(default_factory=list)
    bundle_seq: int | None = None
    created_at: str | None = None
    events: int | None = None
    ranges: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    signer: str | None = None
    signer_checked: bool = False

    def as_json(self) -> dict[str, Any]:
        """A plain document for `--json` output."""
        return {
            "file": str(self.path),
            "valid": self.valid,
            "reason": self.reason,
            "sender": self.sender,
            "to": self.to,
            "recipients": self.recipients,
            "bundle_seq": self.bundle_seq,
            "created_at": self.created_at,
            "events": self.events,
            "ranges": self.ranges,
            "receipts": self.receipts,
            "signer": self.signer,
            "signer_checked": self.signer_checked,
        }


class SyncService:
    """Keys, peers and bundles of one unlocked vault."""

    def __init__(self, session: Session, vault: Vault) -> None:
        self.session = session
        self.vault = vault

    @property
    def owner(self) -> Owner:
        """The session's owner thread: every verb here runs on it."""
        return self.session.owner

    # -- trust ---------------------------------------------------------------------

    @owned
    def me(self) -> trust.Device:
        """This device as the devices table holds it."""
        return trust.this_device(self.vault.db)

    @owned
    def keys_export(self, destination: Path | None = None) -> trust.KeysDocument:
        """This device's keys file; written to `destination` when given."""
        document = trust.keys_document(self.me())
        if destination is not None:
            destination = destination.expanduser()
            if not destination.parent.is_dir():
                raise InvalidInput(f"{destination.parent}: no such folder")
            atomic_write_bytes(destination, trust.dumps(document))
        return document

    @owned
    def signers_line(self) -> str:
        """The OpenSSH allowed_signers line for this device (principal = device id)."""
        me = self.me()
        return sshsig.allowed_signers_line(me.device_id, me.signing_public)

    @owned
    def add_peer(self, source: Path) -> trust.Device:
        """Trust the device described by a keys file."""
        try:
            data = source.expanduser().read_bytes()[: trust.MAX_KEYS_FILE + 1]
        except OSError as error:
            raise InvalidInput(f"{source}: cannot read ({error.strerror})") from None
        document = trust.parse_keys_document(data, str(source))
        self.vault.require_writer()
        with translate_errors():
            return trust.add_peer(self.vault.db, document, self.session.clock.now())

    @owned
    def list_peers(self) -> list[dict[str, Any]]:
        """Every known device (this one first), as plain rows."""
        return [trust.peer_json(d) for d in trust.devices(self.vault.db).values()]

    @owned
    def revoke_peer(self, device_id: str) -> trust.Device:
        """Stop trusting a peer: its bundles are refused, nothing is exported to it."""
        self.vault.require_writer()
        with translate_errors():
            return trust.revoke_peer(self.vault.db, device_id, self.session.clock.now())

    # -- export --------------------------------------------------------------------

    def _peers(self, peer: str | None) -> list[trust.Device]:
        known = trust.devices(self.vault.db)
        if peer is not None:
            device = known.get(peer)
            if device is None or device.is_self:
                raise InvalidInput(f"--peer {peer}: no such peer; see `notify-tui peers list`")
            if device.revoked:
                raise InvalidInput(f"--peer {peer}: was revoked on {device.revoked_at}")
            return [device]
        peers = [d for d in known.values() if not d.is_self and not d.revoked]
        if not peers:
            raise InvalidInput("no peers yet: add one with `notify-tui peers add FILE`")
        return peers

    @owned
    def visible_chains(self, peer: trust.Device) -> set[str]:
        """The chains held that a peer may receive.

        An office receives every chain held (it relays). An LA receives the chains of LA
        devices of its own organisation and the office devices' chains for its cases
        (`office_chain_id(office, its org)`), never an office's own chain (the
        partnership's records) nor anything about another LA's cases.
        """
        known = trust.devices(self.vault.db)
        held = self.vault.chains()
        if peer.role == "office":
            return set(held)
        visible: set[str] = set()
        for chain in held:
            device = known.get(signing_device(chain))
            if device is None:
                continue
            if chain_suffix(chain) is None:
                if device.role == "la" and device.org == peer.org:
                    visible.add(chain)
            elif device.role == "office" and chain == office_chain_id(device.device_id, peer.org):
                visible.add(chain)
        return visible

    def _unacknowledged(self, peer: trust.Device) -> list[tuple[str, int]]:
        """(chain, last seq the peer holds) for each chain with events it lacks."""
        acknowledged = receipts.acknowledged(self.vault.db, peer.device_id)
        visible = self.visible_chains(peer)
        ranges: list[tuple[str, int]] = []
        for chain, held in sorted(receipts.held_heads(self.vault.db).items()):
            if chain not in visible:
                continue
            if signing_device(chain) == peer.device_id and chain not in acknowledged:
                continue  # a peer holds its own events until it says otherwise
            start = acknowledged.get(chain, 0)
            if start < held:
                ranges.append((chain, start))
        return ranges

    @owned
    def events_for(self, peer: trust.Device) -> list[Event]:
        """The events a peer has not acknowledged (whole chain suffixes only)."""
        events: list[Event] = []
        for chain, start in self._unacknowledged(peer):
            rows = self.vault.db.execute(
                "SELECT body FROM events WHERE device = ? AND seq > ? ORDER BY seq",
                [chain, start],
            ).fetchall()
            events.extend(Event.model_validate_json(row[0]) for row in rows)
        return events

    @owned
    def pending_counts(self) -> dict[str, int]:
        """Events each unrevoked peer has not acknowledged (counted, not loaded)."""
        counts: dict[str, int] = {}
        for device in trust.devices(self.vault.db).values():
            if device.is_self or device.revoked:
                continue
            counts[device.device_id] = sum(
                self.vault.db.execute(
                    "SELECT count(*) FROM events WHERE device = ? AND seq > ?", [chain, start]
                ).fetchone()[0]
                for chain, start in self._unacknowledged(device)
            )
        return counts

    @owned
    def rollback_problem(self, peer: trust.Device) -> str | None:
        """A line saying the peer holds more of one of this device's chains than this vault."""
        me = self.me().device_id
        for chain, theirs in sorted(receipts.acknowledged(self.vault.db, peer.device_id).items()):
            if signing_device(chain) != me:
                continue
            ours = self.vault.head(chain)[0]
            if theirs > ours:
                which = "" if chain == me else f" (chain {chain})"
                return (
                    f"this vault is older than what {peer.org} ({peer.device_id}) holds: events "
                    f"{ours + 1}–{theirs} of this device{which} are not in this vault (restored "
                    "from an old backup?), and new changes here would fork its chain; pass "
                    "--confirm-rollback to export anyway"
                )
        return None

    @owned
    def export(
        self, directory: Path, peer: str | None = None, *, confirm_rollback: bool = False
    ) -> list[Path]:
        """Write one bundle per unrevoked peer (or the one given) into `directory`."""
        self.vault.require_writer()
        directory = directory.expanduser()
        if not directory.is_dir():
            raise InvalidInput(f"--to {directory}: no such folder")
        peers = self._peers(peer)
        if not confirm_rollback:
            for device in peers:
                problem = self.rollback_problem(device)
                if problem:
                    raise InvalidInput(problem)
        me = self.me()
        identity = self.vault.identity
        sender = bundle_format.Party(me.device_id, me.org, me.role, me.hpke_public)
        written: list[Path] = []
        for device in peers:
            db = self.vault.db
            last = db.execute(
                "SELECT seq, manifest_sha256 FROM sync_sent WHERE peer = ? "
                "ORDER BY seq DESC LIMIT 1",
                [device.device_id],
            ).fetchone()
            seq = 1 if last is None else int(last[0]) + 1
            events = self.events_for(device)
            visible = self.visible_chains(device)
            built = bundle_format.build_bundle(
                sender=sender,
                signing_key=identity.signing_key,
                to=bundle_format.Party(
                    device.device_id, device.org, device.role, device.hpke_public
                ),
                events=events,
                bundle_seq=seq,
                previous_bundle_sha256=None if last is None else str(last[1]),
                receipts=receipts.receipts_to_send(db, visible),
                created_at=self.session.clock.now(),
            )
            name = f"{me.device_id}--{device.device_id}--{seq:06d}-{built.manifest.bundle_id[:8]}"
            path = directory / f"{name}{bundle_format.BUNDLE_SUFFIX}"
            atomic_write_bytes(path, built.data, exclusive=True)
            with translate_errors(), db.atomic():
                db.execute(
                    "INSERT INTO sync_sent (peer, seq, manifest_sha256, created_at, events) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        device.device_id,
                        seq,
                        built.manifest_sha256,
                        built.manifest.created_at.isoformat(),
                        len(events),
                    ],
                )
            written.append(path)
        return written

    # -- import --------------------------------------------------------------------

    @owned
    def import_bundle(self, path: Path) -> ImportOutcome:
        """Import one bundle file; a refusal is returned, not raised."""
        self.vault.require_writer()
        try:
            raw = bundle_format.read_bundle_file(path)
            result = merge.import_bundle(
                self.vault, self.session.projector, raw, self.session.clock.now()
            )
        except BundleRefused as error:
            return ImportOutcome(path, "refused", reason=error.message)
        return ImportOutcome(
            path,
            "already imported" if result.already_imported else "imported",
            sender=result.sender,
            new_events=result.new_events,
            cases=result.cases,
        )

    def iter_import(self, paths: Sequence[Path]) -> Iterator[ImportOutcome]:
        """Import files one at a time, yielding each outcome as it happens.

        Refused files are tried again while another file succeeds (bundles may arrive in
        any order), so a file can be yielded more than once; its last outcome counts.
        """
        todo = list(paths)
        while todo:
            progressed = False
            retry: list[Path] = []
            for path in todo:
                outcome = self.import_bundle(path)
                yield outcome
                if outcome.status == "refused":
                    retry.append(path)
                elif outcome.status == "imported":
                    progressed = True
            if not progressed or len(retry) == len(todo):
                break
            todo = retry

    def _import_all(self, paths: Sequence[Path]) -> list[ImportOutcome]:
        outcomes = {outcome.path: outcome for outcome in self.iter_import(paths)}
        return [outcomes[path] for path in paths]

    def import_files(self, paths: Iterable[Path]) -> list[ImportOutcome]:
        """Import bundle files (in any order); each is all-or-nothing."""
        return self._import_all([Path(p) for p in paths])

    @staticmethod
    def bundle_files(directory: Path) -> list[Path]:
        """The bundle files waiting in a folder, by name."""
        directory = directory.expanduser()
        if not directory.is_dir():
            raise InvalidInput(f"{directory}: no such folder")
        return sorted(
            p
            for p in directory.iterdir()
            if p.is_file()
            and p.name.endswith(bundle_format.BUNDLE_SUFFIX)
            and not p.name.startswith(".")
        )

    @staticmethod
    def file_away(directory: Path, outcomes: Iterable[ImportOutcome]) -> None:
        """Move each imported file to done/ and each refused one to rejected/ (+ reason)."""
        for outcome in outcomes:
            refused = outcome.status == "refused"
            target_dir = directory / (REJECTED_DIR if refused else DONE_DIR)
            target_dir.mkdir(mode=0o700, exist_ok=True)
            target = _free_name(target_dir / outcome.path.name)
            os.replace(outcome.path, target)
            outcome.moved_to = target
            if refused:
                reason = f"{outcome.reason}\n".encode()
                atomic_write_bytes(target.with_name(target.name + ".reason.txt"), reason)

    @owned
    def import_from_dir(self, directory: Path) -> list[ImportOutcome]:
        """Import every bundle in a folder; move each to done/ or rejected/ (+ .reason.txt)."""
        directory = directory.expanduser()
        if not directory.is_dir():
            raise InvalidInput(f"--from {directory}: no such folder")
        outcomes = self._import_all(self.bundle_files(directory))
        self.file_away(directory, outcomes)
        return outcomes

    # -- receipts ------------------------------------------------------------------

    @owned
    def receipt_for(self, case_id: str) -> dict[str, Any]:
        """Which peers have acknowledged a case's events and each duty's `sent` record.

        See `notify_tui.sync.receipts.receipt_for` for the shape; a duty entry reads
        "received by {org} at {received_at}".
        """
        return receipts.receipt_for(self.vault.db, case_id)

    # -- verify (no vault) ---------------------------------------------------------

    @staticmethod
    def verify_file(path: Path, signers: Path | None = None) -> VerifyReport:
        """Check a bundle's structure and signature without a vault."""
        report = VerifyReport(path=path, valid=False)
        try:
            raw = bundle_format.read_bundle_file(path)
        except BundleRefused as error:
            report.reason = error.message
            return report
        manifest = raw.manifest
        report.sender = manifest.sender.model_dump(mode="json")
        report.to = manifest.to
        report.recipients = [r.device for r in manifest.recipients]
        report.bundle_seq = manifest.bundle_seq
        report.created_at = manifest.created_at.isoformat()
        report.events = manifest.payload.events
        report.ranges = [r.model_dump(mode="json") for r in manifest.ranges]
        report.receipts = [r.model_dump(mode="json") for r in manifest.receipts]
        try:
            if signers is not None:
                try:
                    data = signers.expanduser().read_bytes()[: trust.MAX_KEYS_FILE + 1]
                except OSError as error:
                    raise InvalidInput(f"{signers}: cannot read ({error.strerror})") from None
                bundle_format.verify_with_signers(raw, trust.read_signers(data, str(signers)))
                report.signer_checked = True
                key = trust.read_signers(data, str(signers))[manifest.sender.device]
            else:
                key = bundle_format.embedded_signer(raw)
                bundle_format.verify_signature(raw, key)
            report.signer = sshsig.fingerprint(key)
        except BundleRefused as error:
            report.reason = error.message
            return report
        report.valid = True
        return report


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    for number in range(1, 10_000):
        candidate = path.with_name(f"{path.stem}.{number}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise InvalidInput(f"{path.parent}: too many files named {path.name}")
