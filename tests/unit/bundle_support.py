"""Shared helpers for the bundle tests: vaults, synthetic cases, trust, exchange, digests.

All data is synthetic. Vault creation costs an Argon2 derivation (~0.7 s), so the test
modules create their vaults in module-scoped fixtures and reuse them.
"""

from __future__ import annotations

import hashlib
import random
import weakref
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from notify_tui.clock import system_clock
from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.services.session import Session
from notify_tui.store.events import canonical_json
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault
from notify_tui.sync import bundle as bundle_format
from notify_tui.sync import merge

PASSPHRASE = "a long test passphrase"
TODAY = date(2026, 11, 23)


VAULTS: weakref.WeakKeyDictionary[Session, Vault] = weakref.WeakKeyDictionary()
"""The store-level vault under each session `make_session` made (`vault_of`)."""


def make_session(home: Path, org: str, role: str = "la", author: str = "Test User") -> Session:
    """A new vault for a synthetic organisation, and a session on it."""
    vault, _ = Vault.create(
        home,
        PASSPHRASE,
        org=org,
        role=role,  # type: ignore[arg-type]
        author=author,
        now=system_clock().now(),
        kdf=ARGON2_FLOOR,
    )
    return register(Session(vault, owner=InlineOwner()), vault)


def register(session: Session, vault: Vault) -> Session:
    """Remember the vault a test built a session on, for `vault_of`."""
    VAULTS[session] = vault
    return session


def vault_of(session: Session) -> Vault:
    """The vault a test built `session` on (white-box reads and raw writes)."""
    return VAULTS[session]


def case_document(seed: int, kind: str | None = None) -> dict[str, Any]:
    """A synthetic case document with dates before TODAY."""
    from notify_tui.demo.synthetic import synthetic_case

    rng = random.Random(seed)
    for _ in range(50):
        document = synthetic_case(rng, seed % 90000 + 1, TODAY, WorkingDayCalendar([]))
        if kind is None or document["kind"] == kind:
            return document
    raise AssertionError("no synthetic case of that kind")


def trust_each_other(sessions: Iterable[Session], folder: Path) -> None:
    """Every session trusts every other (via exported keys files)."""
    sessions = list(sessions)
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for session in sessions:
        path = folder / f"{session.identity.device_id}.keys.json"
        session.sync.keys_export(path)
        files[session.identity.device_id] = path
    for session in sessions:
        for device_id, path in files.items():
            if device_id != session.identity.device_id:
                session.sync.add_peer(path)


def export_to(sender: Session, receiver: Session, folder: Path) -> Path:
    """One bundle from sender to receiver."""
    folder.mkdir(parents=True, exist_ok=True)
    (path,) = sender.sync.export(folder, receiver.identity.device_id)
    return path


def import_ok(receiver: Session, path: Path) -> merge.ImportResult:
    """Import a bundle that must be accepted."""
    raw = bundle_format.read_bundle(path.read_bytes())
    return merge.import_bundle(vault_of(receiver), receiver.projector, raw, system_clock().now())


def exchange(a: Session, b: Session, folder: Path) -> None:
    """a → b, then b → a."""
    import_ok(b, export_to(a, b, folder))
    import_ok(a, export_to(b, a, folder))


def store_digest(session: Session) -> str:
    """SHA-256 over every row of every table (sorted), for "store unchanged" checks."""
    db = vault_of(session).db
    digest = hashlib.sha256()
    tables = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
    ]
    for table in tables:
        rows = db.execute(f'SELECT * FROM "{table}"').fetchall()
        encoded = sorted(canonical_json([_plain(value) for value in row]) for row in rows)
        digest.update(table.encode() + b"\x00")
        for line in encoded:
            digest.update(line + b"\n")
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


def event_ids(session: Session) -> set[str]:
    """Ids of every event held."""
    return {str(row[0]) for row in vault_of(session).db.execute("SELECT id FROM events")}
