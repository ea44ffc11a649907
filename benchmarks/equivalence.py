"""The same seeded input gives the same stored events and projection, before and after.

    .venv/bin/python benchmarks/equivalence.py [CASES]     # prints one digest per line

An LA vault (fixed signing key, fixed device id, frozen clock, seeded case ids) records
CASES synthetic cases with `create_cases`, then a threshold decision, an edit and a sent
duty on a few of them; it exports one bundle to an office vault, which imports it. Printed:
SHA-256 of the LA's stored event bytes (every `events` row in chain order), the LA's
projection hash, the same two for the office after import, and one digest of all four.
Ed25519 signatures are deterministic for a key and message, so signatures are included.
Run it on two commits and compare the last line (the write and import paths must not
change a byte). Only public calls that existed at main 02adea9 are used.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import notify_tui.store.vault as vault_module
from notify_tui.clock import ManualClock
from notify_tui.demo.synthetic import synthetic_cases
from notify_tui.demo.vault import seeded_case_ids
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


class _FixedKeys:
    """Stands in for Ed25519PrivateKey in the vault module: keys from a seed, in order."""

    def __init__(self) -> None:
        self.count = 0

    def generate(self) -> Ed25519PrivateKey:
        self.count += 1
        seed = hashlib.sha256(f"equivalence-key-{self.count}".encode()).digest()
        return Ed25519PrivateKey.from_private_bytes(seed)

    from_private_bytes = staticmethod(Ed25519PrivateKey.from_private_bytes)


def _make(home: Path, org: str, role: str, device: str) -> Session:
    vault_module.device_id_for = lambda _org: device  # type: ignore[assignment]
    vault, _ = Vault.create(
        home, "equivalence passphrase", org=org, role=role,  # type: ignore[arg-type]
        author="Equal Author", now=NOW, kdf=ARGON2_FLOOR)  # fmt: skip
    return Session(vault, owner=InlineOwner(), clock=ManualClock(NOW))


def _events_digest(session: Session) -> str:
    digest = hashlib.sha256()
    for (body,) in session._vault.db.execute("SELECT body FROM events ORDER BY device, seq"):
        digest.update(body.encode("utf-8") + b"\n")
    return digest.hexdigest()


def run(count: int) -> list[str]:
    os.environ["NOTIFY_TUI_TODAY"] = TODAY.isoformat()
    saved = vault_module.Ed25519PrivateKey, vault_module.device_id_for
    vault_module.Ed25519PrivateKey = _FixedKeys()  # type: ignore[assignment,misc]
    try:
        return _run(count)
    finally:
        vault_module.Ed25519PrivateKey, vault_module.device_id_for = saved  # type: ignore[misc]


def _run(count: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        la = _make(root / "la", "Equalshire Council", "la", "equalshire-council-aaaaaa")
        office = _make(root / "office", "Equal Partnership", "office", "equal-partnership-bbbbbb")
        la.sync.keys_export(root / "la.keys")
        office.sync.keys_export(root / "office.keys")
        la.sync.add_peer(root / "office.keys")
        office.sync.add_peer(root / "la.keys")
        documents = list(synthetic_cases(count, TODAY, la.calendar, seed=count))
        ids = la.create_cases(documents, new_id=seeded_case_ids(count))
        for case_id in ids[:5]:
            la.edit_case(case_id, {"case_outline": f"SYNTHETIC edited outline of {case_id}"})
        for case_id in ids[5:10]:
            detail = la.case_detail(case_id)
            for duty in detail.duties:
                if duty.status == "open":
                    la.mark_sent(
                        case_id,
                        duty.duty,
                        TODAY,
                        reference=f"REF-{case_id}",
                        late_reason="SYNTHETIC late"
                        if duty.due and duty.due < str(TODAY)
                        else None,
                    )
                    break
        outbox = root / "outbox"
        outbox.mkdir()
        bundles = la.sync.export(outbox)
        outcomes = office.sync.import_files(bundles)
        assert all(o.status == "imported" for o in outcomes), outcomes
        lines = [
            _events_digest(la),
            la._vault.projection_hash(),
            _events_digest(office),
            office._vault.projection_hash(),
        ]
        la.close()
        office.close()
    lines.append(hashlib.sha256("\n".join(lines).encode()).hexdigest())
    return lines


if __name__ == "__main__":
    for line in run(int(sys.argv[1]) if len(sys.argv) > 1 else 300):
        print(line)
