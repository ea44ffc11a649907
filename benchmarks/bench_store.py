"""Adding cases through the service layer, against plain sqlite-utils on the same rows.

    .venv/bin/python benchmarks/bench_store.py            # 10k and 100k cases
    .venv/bin/python benchmarks/bench_store.py 2000       # a quick run

For each size N: time `Session.create_cases` on N synthetic cases (validation, rule
assessment, a signed hash-chained event, the projection rows and the FTS index, all in
an encrypted vault, in batches of 500 per transaction); then time plain `sqlite-utils`
`insert_all` of the very same stored rows (events, cases, duties) into an unencrypted
file, in the same batches. The ratio is the cost of everything notify-tui adds.
Unlocking (Argon2id, ~0.7 s by design) is excluded from both.
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
from notify_tui.demo.synthetic import synthetic_cases
from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault

BATCH = 500
TODAY = date(2026, 11, 23)


def service_run(home: Path, documents: list[dict[str, object]]) -> tuple[float, Session, Vault]:
    vault, _ = Vault.create(
        home, "benchmark passphrase", org="Benchshire", role="la", author="Bench",
        now=system_clock().now(), kdf=ARGON2_FLOOR)  # fmt: skip
    session = Session(vault, owner=InlineOwner())
    start = time.perf_counter()
    for offset in range(0, len(documents), BATCH):
        session.create_cases(documents[offset : offset + BATCH])
    return time.perf_counter() - start, session, vault


def baseline_run(path: Path, vault: Vault) -> float:
    tables = {}
    for table in ("events", "cases", "duties"):
        tables[table] = list(vault.db.table(table).rows)
    plain = sqlite_utils.Database(path)  # plaintext on purpose: this is the baseline
    start = time.perf_counter()
    for table, rows in tables.items():
        for offset in range(0, len(rows), BATCH):
            with plain.conn:
                plain.table(table).insert_all(rows[offset : offset + BATCH])
    elapsed = time.perf_counter() - start
    plain.close()
    return elapsed


def main(sizes: list[int]) -> None:
    os.environ["NOTIFY_TUI_TODAY"] = TODAY.isoformat()
    calendar = WorkingDayCalendar()
    print(f"{'cases':>8} {'service s':>10} {'plain s':>9} {'ratio':>7} {'cases/s':>9}")
    for size in sizes:
        documents = list(synthetic_cases(size, TODAY, calendar, seed=size))
        with tempfile.TemporaryDirectory() as tmp:
            service_seconds, session, vault = service_run(Path(tmp) / "vault", documents)
            plain_seconds = baseline_run(Path(tmp) / "plain.db", vault)
            session.close()
        print(
            f"{size:>8} {service_seconds:>10.2f} {plain_seconds:>9.2f} "
            f"{service_seconds / plain_seconds:>6.1f}x {size / service_seconds:>9.0f}"
        )
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])
