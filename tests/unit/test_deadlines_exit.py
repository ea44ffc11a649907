"""`deadlines --fail-on-overdue`: exit 1 when a duty is overdue, for scheduled jobs.

Vaults are written on a manual clock at Monday 2026-11-23 09:00 UTC, and the CLI runs
in this process (click's runner) with "today" frozen on the same day. All data is
synthetic.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from vault_support import AUTHOR, ORG, PASSPHRASE, TODAY, case_document

from notify_tui.cli import cli
from notify_tui.clock import ManualClock
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY)


def vault_with(home: Path, *aware_dates: str) -> list[str]:
    """A closed vault with one child death case per awareness date; the case ids."""
    session, _ = Session.init(
        home, PASSPHRASE, org=ORG, role="la", author=AUTHOR, kdf=ARGON2_FLOOR,
        owner=InlineOwner(), clock=ManualClock(NOW),
    )  # fmt: skip
    with session:
        documents = []
        for number, aware in enumerate(aware_dates, start=1):
            document = case_document(number)
            document["facts"] |= {"event_date": aware, "aware_date": aware}
            documents.append(document)
        return session.create_cases(documents)


def run(home: Path, *args: str) -> Result:
    env = {"NOTIFY_TUI_HOME": str(home), "NOTIFY_TUI_PASSPHRASE": PASSPHRASE}
    return CliRunner().invoke(cli, ["deadlines", *args], env=env)


def test_an_overdue_duty_exits_1_with_the_same_output(tmp_path: Path) -> None:
    # Aware Tue 17 Nov: CDOP notification due 1 working day after, Wed 18 Nov; today
    # Mon 23 Nov is 3 working days later (19, 20, 23): -3. Aware today: due Tue 24 Nov.
    home = tmp_path / "vault"
    late, soon = vault_with(home, "2026-11-17", "2026-11-23")
    plain = run(home)
    assert plain.exit_code == 0
    lines = plain.stdout.splitlines()
    assert lines[0].split()[:4] == [late, "cdop-notification", "due", "2026-11-18"]
    assert lines[1].split()[:4] == [soon, "cdop-notification", "due", "2026-11-24"]
    failing = run(home, "--fail-on-overdue")
    assert failing.exit_code == 1
    assert failing.stdout == plain.stdout and failing.stderr == ""

    as_json = run(home, "--json", "--fail-on-overdue")
    assert as_json.exit_code == 1
    rows = json.loads(as_json.stdout)
    assert [(r["case_id"], r["working_days_left"]) for r in rows] == [(late, -3), (soon, 1)]
    assert as_json.stdout == run(home, "--json").stdout
    assert run(home, "--format", "md", "--fail-on-overdue").exit_code == 1


def test_nothing_overdue_exits_0_even_with_duties_listed(tmp_path: Path) -> None:
    # Aware Fri 20 Nov: due Mon 23 Nov, today (0 left, due today, not overdue);
    # aware today: due Tue 24 Nov (1 left).
    home = tmp_path / "vault"
    today_due, soon = vault_with(home, "2026-11-20", "2026-11-23")
    result = run(home, "--json", "--fail-on-overdue")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["case_id"], r["due"], r["working_days_left"]) for r in rows] == [
        (today_due, "2026-11-23", 0),
        (soon, "2026-11-24", 1),
    ]
    text = run(home, "--fail-on-overdue")
    assert text.exit_code == 0 and text.stdout == run(home).stdout


def test_an_empty_vault_exits_0(tmp_path: Path) -> None:
    home = tmp_path / "vault"
    vault_with(home)
    result = run(home, "--fail-on-overdue")
    assert (result.exit_code, result.stdout) == (0, "Nothing due or overdue.\n")


def test_the_flag_is_in_the_help() -> None:
    shown = CliRunner().invoke(cli, ["deadlines", "--help"])
    assert "--fail-on-overdue" in shown.stdout and "status 1" in shown.stdout
