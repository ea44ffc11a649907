"""Migration 4's `duty_case_sort`: the case columns the dashboard sorts by, kept per duty.

It must always equal the join it stands in for, through every kind of change, and an
upgraded vault must have it filled.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import factories
import pytest

from notify_tui.clock import system_clock
from notify_tui.demo.vault import DEMO_AUTHOR, DEMO_ORG, seed_demo
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.migrations import migrate
from notify_tui.store.vault import Vault

SIDE = (
    "SELECT case_id, duty_id, status, due, kind, initials, names, org FROM duty_case_sort "
    "ORDER BY case_id, duty_id"
)
JOIN = (
    "SELECT duties.case_id, duties.duty_id, duties.status, duties.due, cases.kind, "
    "cases.initials, cases.names, cases.org FROM duties JOIN cases ON cases.id = duties.case_id "
    "ORDER BY duties.case_id, duties.duty_id"
)


def rows(db: Any, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.execute(sql).fetchall()]


@contextmanager
def demo_vault(home: Path) -> Iterator[tuple[Session, Vault, dict[str, str]]]:
    """A demo-seeded session, with the vault it runs on (read white-box here)."""
    vault, _ = Vault.create(
        home,
        "demo passphrase (fictional)",
        org=DEMO_ORG,
        role="la",
        author=DEMO_AUTHOR,
        now=system_clock().now(),
        kdf=ARGON2_FLOOR,
    )
    with Session(vault) as session:
        yield session, vault, seed_demo(session, count=6, seed=5)


def test_the_side_table_follows_every_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", "2026-11-23")
    with demo_vault(tmp_path / "vault") as (session, vault, ids):
        db = vault.db
        assert rows(db, SIDE) and rows(db, SIDE) == rows(db, JOIN)
        overdue = ids["overdue"]
        # A rename changes the initials; a later aware date moves the due date.
        session.edit_case(
            overdue,
            {"subjects.0.given_names": "Renamed", "incident.aware_date": "2026-11-20"},
        )
        session.mark_sent(ids["due_today"], "panel-notification", date(2026, 11, 23), "R-1")
        session.mark_sent(ids["child_death"], "cdop-notification", date(2026, 11, 23))
        session.acknowledge(ids["child_death"], "cdop-notification", date(2026, 11, 23))
        new = session.create_case(
            factories.case(
                "child_death",
                subjects=[{"given_names": "Side", "family_name": "Table-Fictional"}],
                facts={
                    "date_of_birth": "2019-02-02",
                    "event_date": "2026-11-19",
                    "aware_date": "2026-11-19",
                    "abuse_or_neglect": "none",
                },
            )
        )
        assert rows(db, SIDE) == rows(db, JOIN)
        side = {(r[0], r[1]): r for r in rows(db, SIDE)}
        assert side[(overdue, "panel-notification")][5] == "RO"  # Renamed Overdue-Fictional
        assert side[(overdue, "panel-notification")][3] == "2026-11-27"
        assert side[(ids["due_today"], "panel-notification")][2] == "sent"
        assert side[(ids["child_death"], "cdop-notification")][2] == "acknowledged"
        assert side[(new, "cdop-notification")][5:7] == ("ST", "Side Table-Fictional")


def test_upgrading_a_vault_fills_the_side_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A vault at schema 3 (no side table) gets it, filled, on its next open."""
    monkeypatch.setenv("NOTIFY_TUI_TODAY", "2026-11-23")
    with demo_vault(tmp_path / "vault") as (_session, vault, _ids):
        db = vault.db
        expected = rows(db, JOIN)
        for trigger in ("ai", "ad", "au", "cu"):
            db.execute(f"DROP TRIGGER duty_case_sort_{trigger}")
        db.execute("DROP TABLE duty_case_sort")
        db.execute("DROP INDEX duties_by_status_sort")
        db.execute("DELETE FROM migrations WHERE number = 4")
        assert migrate(db, "2026-11-23T09:00:00Z") == [4]
        assert rows(db, SIDE) == expected
        assert migrate(db, "2026-11-23T09:00:01Z") == []
