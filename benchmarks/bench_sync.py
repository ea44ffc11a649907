"""Export then import of N events, against plain sqlite-utils inserting the same rows.

    .venv/bin/python benchmarks/bench_sync.py            # 100k events
    .venv/bin/python benchmarks/bench_sync.py 5000       # a quick run

An LA vault holds N synthetic cases (one `case.created` event each). Timed: the LA's
`export` of one bundle for the office (canonical JSON lines, zlib, AES-GCM, HPKE, SSHSIG,
written atomically), and the office's `import` of it (size limits, signature, decryption,
schema, id and signature of every event, chain continuity, authorisation, then one
transaction inserting the events and folding every case into the projection). Baseline,
in the same run: plain `sqlite-utils` `insert_all` of the same event rows into an
unencrypted file. Seeding the LA vault is not timed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlite_utils

from notify_tui.clock import system_clock
from notify_tui.demo.vault import seed_synthetic
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault

TODAY = date(2026, 11, 23)
PASSPHRASE = "benchmark passphrase"


def make(home: Path, org: str, role: str) -> tuple[Session, Vault]:
    """A session on a new vault, and the vault (read directly for the baseline)."""
    vault, _ = Vault.create(
        home, PASSPHRASE, org=org, role=role, author="Bench", now=system_clock().now(),
        kdf=ARGON2_FLOOR)  # type: ignore[arg-type]  # fmt: skip
    return Session(vault, owner=InlineOwner()), vault


def main(size: int) -> None:
    os.environ["NOTIFY_TUI_TODAY"] = TODAY.isoformat()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        la, la_vault = make(root / "la", "Benchshire Council", "la")
        office, _ = make(root / "office", "Bench Partnership", "office")
        la_sync, office_sync = la.sync, office.sync
        la_sync.keys_export(root / "la.keys")
        office_sync.keys_export(root / "office.keys")
        la_sync.add_peer(root / "office.keys")
        office_sync.add_peer(root / "la.keys")
        seed_synthetic(la, size, seed=size, batch=1000)
        outbox = root / "outbox"
        outbox.mkdir()

        start = time.perf_counter()
        [bundle] = la_sync.export(outbox)
        export_seconds = time.perf_counter() - start
        start = time.perf_counter()
        [outcome] = office_sync.import_files([bundle])
        import_seconds = time.perf_counter() - start
        assert outcome.status == "imported", outcome

        rows = list(la_vault.db.table("events").rows)
        plain = sqlite_utils.Database(root / "plain.db")  # plaintext on purpose: the baseline
        start = time.perf_counter()
        with plain.conn:
            plain.table("events").insert_all(rows, batch_size=1000)
        plain_seconds = time.perf_counter() - start
        size_mib = bundle.stat().st_size / 2**20
        la.close()
        office.close()

    total = export_seconds + import_seconds
    print(f"events: {size}   bundle: {size_mib:.1f} MiB")
    print(f"export {export_seconds:.2f} s   import {import_seconds:.2f} s")
    print(f"plain sqlite-utils insert of the same rows {plain_seconds:.2f} s")
    print(
        f"export+import / plain insert: {total / plain_seconds:.1f}x "
        f"(export {export_seconds / plain_seconds:.1f}x, "
        f"import {import_seconds / plain_seconds:.1f}x)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
