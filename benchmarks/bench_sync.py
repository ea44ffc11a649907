"""Export then import of N events, against plain sqlite-utils inserting the same rows.

    .venv/bin/python benchmarks/bench_sync.py            # 10k and 100k events
    .venv/bin/python benchmarks/bench_sync.py 5000       # a quick run (any sizes)

An LA vault holds N synthetic cases (one `case.created` event each). Timed: the LA's
`export` of one bundle for the office (the stored canonical lines, zlib, AES-GCM, HPKE,
SSHSIG, written atomically), and the office's `import` of it (size limits, signature,
decryption, schema, id of every event from its line, chain continuity and each chain's
head signature, event rules, authorisation, then the events and the projection of
every case in one transaction). The import runs in a child process (a fresh Python that
opens the office vault with its data key, imports, and reports its wall time, CPU time
and peak RSS, VmHWM of /proc/self/status: `ru_maxrss` carries a forking parent's peak
over `exec` on Linux), so its peak memory is the import's: an
Argon2id unlock, 256 MiB at the floor and more when calibrated, would set the peak of a
CLI import by itself (it is freed before the import starts). `start` is the child's
peak after its imports, before opening the vault.

Baselines, in the same run, plain `sqlite-utils` `insert_all` into an unencrypted file,
in one transaction like the import:
for export, the LA's event rows (what an export reads and writes); for import, the same
event rows plus the `cases` and `duties` rows the import projected (every row the
import writes). Seeding the LA vault is not timed. Ratios are wall time over wall time.
"""

from __future__ import annotations

import json
import os
import subprocess
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
BATCH = 1000

CHILD = """
import json, sys, time
from pathlib import Path
from notify_tui.clock import system_clock
from notify_tui.services.session import Session
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault
home, bundle = Path(sys.argv[1]), Path(sys.argv[2])
def high_water_mib():
    # VmHWM is this process's own peak; ru_maxrss would carry the parent's over exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
before = high_water_mib()
# Opened with the data key: an Argon2id unlock (256 MiB at the floor) would set the peak.
vault = Vault.open_with_key(home, bytes.fromhex(sys.argv[3]), now=system_clock().now())
session = Session(vault, owner=InlineOwner())
wall, cpu = time.perf_counter(), time.process_time()
[outcome] = session.sync.import_files([bundle])
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
session.close()
peak = high_water_mib()
print(json.dumps({"status": outcome.status, "reason": outcome.reason, "wall": wall,
                  "cpu": cpu, "peak_mib": peak, "start_mib": before}))
"""


def make(home: Path, org: str, role: str) -> tuple[Session, Vault]:
    """A session on a new vault, and the vault (read directly for the baseline)."""
    vault, _ = Vault.create(
        home, PASSPHRASE, org=org, role=role, author="Bench", now=system_clock().now(),
        kdf=ARGON2_FLOOR)  # type: ignore[arg-type]  # fmt: skip
    return Session(vault, owner=InlineOwner()), vault


def plain_insert(path: Path, tables: dict[str, list[dict[str, object]]]) -> float:
    """Seconds to insert the rows with plain sqlite-utils in one transaction (as the
    import writes them: one transaction), `BATCH` rows per statement."""
    plain = sqlite_utils.Database(path)  # plaintext on purpose: this is the baseline
    start = time.perf_counter()
    with plain.conn:
        for table, rows in tables.items():
            plain.table(table).insert_all(rows, batch_size=BATCH)
    elapsed = time.perf_counter() - start
    plain.close()
    return elapsed


def run(size: int) -> dict[str, float]:
    """One size: export and import timed, both baselines, the child's figures."""
    os.environ["NOTIFY_TUI_TODAY"] = TODAY.isoformat()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        la, la_vault = make(root / "la", "Benchshire Council", "la")
        office, office_vault = make(root / "office", "Bench Partnership", "office")
        office_key = office_vault.data_key
        la.sync.keys_export(root / "la.keys")
        office.sync.keys_export(root / "office.keys")
        la.sync.add_peer(root / "office.keys")
        office.sync.add_peer(root / "la.keys")
        office.close()
        seed_synthetic(la, size, seed=size, batch=1000)
        outbox = root / "outbox"
        outbox.mkdir()

        start, cpu = time.perf_counter(), time.process_time()
        [bundle] = la.sync.export(outbox)
        export_seconds, export_cpu = time.perf_counter() - start, time.process_time() - cpu
        events = list(la_vault.db.table("events").rows)
        la.close()

        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(root / "office"), str(bundle), office_key.hex()],
            check=True, capture_output=True, text=True)  # fmt: skip
        imported = json.loads(child.stdout.strip().splitlines()[-1])
        assert imported["status"] == "imported", imported

        office_vault = Vault.open_with_key(root / "office", office_key, now=system_clock().now())
        projected = {t: list(office_vault.db.table(t).rows) for t in ("cases", "duties")}
        office_vault.close()
        export_plain = plain_insert(root / "plain-export.db", {"events": events})
        import_plain = plain_insert(root / "plain-import.db", {"events": events, **projected})
        size_mib = bundle.stat().st_size / 2**20
    return {
        "events": size,
        "bundle_mib": size_mib,
        "export": export_seconds,
        "export_cpu": export_cpu,
        "export_plain": export_plain,
        "import": imported["wall"],
        "import_cpu": imported["cpu"],
        "import_plain": import_plain,
        "import_peak_mib": imported["peak_mib"],
        "child_start_mib": imported["start_mib"],
        "duties": len(projected["duties"]),
    }


def main(sizes: list[int]) -> None:
    results = [run(size) for size in sizes]
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(
        f"{'events':>8} {'MiB':>6} {'export s':>9} {'plain s':>8} {'ratio':>6} "
        f"{'import s':>9} {'cpu s':>7} {'plain s':>8} {'ratio':>6} {'peak MiB':>9} {'start':>6}"
    )
    for r in results:
        print(
            f"{r['events']:>8} {r['bundle_mib']:>6.1f} {r['export']:>9.2f} "
            f"{r['export_plain']:>8.2f} {r['export'] / r['export_plain']:>5.2f}x "
            f"{r['import']:>9.2f} {r['import_cpu']:>7.2f} {r['import_plain']:>8.2f} "
            f"{r['import'] / r['import_plain']:>5.2f}x {r['import_peak_mib']:>9.0f} "
            f"{r['child_start_mib']:>6.0f}"
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(
            f"import CPU {large['events']} / {small['events']}: "
            f"{large['import_cpu'] / small['import_cpu']:.1f}x "
            f"(for {large['events'] / small['events']:.0f}x the events)"
        )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])
