"""`doctor` at scale (issue 19, part 3): each chain in one streaming pass, the
projection checked by hash, and a progress bar on stderr.

The chain pass reads events a page at a time (`integrity.STREAM_PAGE`); a tampered
event in the middle of a long chain, pages away from either end, is still named. The
projection pass compares a digest of each case's stored rows with one of a fresh fold:
a stored row altered behind notify-tui's back is named by its case. Vaults are real
encrypted ones; rows are altered with the data key, as an attacker holding it could.
All data is synthetic; today is frozen at Monday 23 November 2026.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from notify_tui.cli import cli
from notify_tui.demo.vault import seed_synthetic
from notify_tui.services.session import Session
from notify_tui.store import integrity
from notify_tui.store.events import canonical_json
from notify_tui.store.owner import InlineOwner

PASSPHRASE = "a long test passphrase"
CASES = 1200
"""More events than two pages of the chain pass (`STREAM_PAGE` is 500)."""


@pytest.fixture
def home(tmp_path: Path, frozen_today: str) -> Iterator[Path]:
    """A closed LA vault of `CASES` synthetic cases (one event each)."""
    folder = tmp_path / "la"
    session, _ = Session.init(
        folder, PASSPHRASE, org="Testshire", role="la", author="Test Lead", owner=InlineOwner()
    )
    with session:
        seed_synthetic(session, CASES, seed=3)
    yield folder


def opened(home: Path) -> Session:
    return Session.unlock(home, passphrase=PASSPHRASE, owner=InlineOwner())


def run(home: Path, *args: str) -> Result:
    env = {"NOTIFY_TUI_HOME": str(home), "NOTIFY_TUI_PASSPHRASE": PASSPHRASE}
    return CliRunner().invoke(cli, list(args), env=env)


def problems(result: Result) -> list[str]:
    return [
        line.removeprefix("PROBLEM: ")
        for line in result.stdout.splitlines()
        if line.startswith("PROBLEM: ")
    ]


def test_the_pages_are_smaller_than_the_chain() -> None:
    """Control: the vault below needs several pages of the chain pass."""
    assert integrity.STREAM_PAGE * 2 < CASES


def test_a_tampered_middle_event_is_named(home: Path) -> None:
    """Event #700 of 1,200 gets another outline in its stored body: its id no longer
    matches, and its case no longer folds to what the projection holds."""
    with opened(home) as session:
        db = session._vault.db
        event_id, case_id, body = db.execute(
            "SELECT id, case_id, body FROM events WHERE seq = 700"
        ).fetchone()
        event = json.loads(body)
        change = next(c for c in event["changes"] if c["field"] == "case_outline")
        change["value"] = "SYNTHETIC tampered outline"
        with db.conn:
            db.execute(
                "UPDATE events SET body = ? WHERE id = ?",
                [canonical_json(event).decode(), event_id],
            )
    result = run(home, "doctor")
    assert result.exit_code == 2, result.output
    assert problems(result) == [
        f"event {event_id}: content does not match its id (tampered)",
        f"case {case_id}: projection differs from a fresh fold",
    ]
    assert f"{CASES} events: ids, hash chains and signatures" in result.stdout


def test_an_event_moved_in_the_middle_breaks_the_links(home: Path) -> None:
    """Events #600 and #601 swap places in the chain (their numbers swapped): the pass,
    reading in order, meets each where it does not follow its predecessor."""
    with opened(home) as session:
        db = session._vault.db
        rows = dict(db.execute("SELECT seq, id FROM events WHERE seq IN (600, 601)").fetchall())
        with db.conn:
            db.execute("UPDATE events SET seq = -1 WHERE seq = 600")
            db.execute("UPDATE events SET seq = 600 WHERE seq = 601")
            db.execute("UPDATE events SET seq = 601 WHERE seq = -1")
    result = run(home, "doctor")
    assert result.exit_code == 2
    assert problems(result)[:2] == [
        f"event {rows[601]}: stored columns disagree with its body (tampered)",
        f"event {rows[600]}: stored columns disagree with its body (tampered)",
    ]


@pytest.mark.parametrize(
    ("table", "change"),
    [
        ("cases", "UPDATE cases SET outline = 'SYNTHETIC altered' WHERE id = ?"),
        ("cases", "UPDATE cases SET next_due = '2030-01-01' WHERE id = ?"),
        ("duties", "UPDATE duties SET due = '2030-01-01' WHERE case_id = ?"),
        ("duties", "UPDATE duties SET status = 'sent' WHERE case_id = ?"),
        ("duties", "DELETE FROM duties WHERE case_id = ?"),
    ],
)
def test_an_altered_projection_row_is_found_by_its_hash(
    home: Path, table: str, change: str
) -> None:
    with opened(home) as session:
        db = session._vault.db
        [case_id] = db.execute("SELECT id FROM cases ORDER BY id LIMIT 1 OFFSET 777").fetchone()
        with db.conn:
            assert db.execute(change, [case_id]).rowcount >= 1
    result = run(home, "doctor")
    assert result.exit_code == 2
    assert problems(result) == [f"case {case_id}: projection differs from a fresh fold"]
    assert "checked: projection hash" not in result.stdout


def test_an_untouched_vault_passes_and_prints_the_projection_hash(home: Path) -> None:
    """Control for the tampering tests; the hash printed is the projection's own."""
    result = run(home, "doctor")
    assert result.exit_code == 0, result.output
    with opened(home) as session:
        expected = session.projection_hash()
    assert f"checked: projection hash {expected[:16]}\n" in result.stdout
    assert result.stderr == ""  # not a terminal, not asked: no progress bar


def test_progress_is_told_through_to_the_end(home: Path) -> None:
    told: list[tuple[int, int]] = []
    with opened(home) as session:
        report = session.doctor(progress=lambda done, total: told.append((done, total)))
        events = session._vault.db.execute("SELECT count(*) FROM events").fetchone()[0]
        pages = session._vault.db.execute("PRAGMA page_count").fetchone()[0]
    assert report.ok
    [total] = {total for _, total in told}
    # The database's pages (a unit for every five), then every event, then every case.
    assert total == pages // integrity.PAGES_A_UNIT + events + CASES
    done = [d for d, _ in told]
    assert done == sorted(done) and done[0] == 0 and done[-1] == total
    assert len(told) > 100  # told often enough to draw a bar that moves
    during_pages = [d for d in done if 0 < d < pages // integrity.PAGES_A_UNIT]
    assert during_pages  # the bar moves while SQLite checks the pages too


def test_progress_bar_goes_to_stderr_only_when_asked(home: Path) -> None:
    plain = run(home, "doctor")
    asked = run(home, "doctor", "--progress")
    assert asked.exit_code == plain.exit_code == 0
    assert asked.stdout == plain.stdout
    lines = asked.stderr.splitlines()
    # Not a terminal: a line every tenth of the way, the last at 100%.
    assert lines[0].startswith("doctor: events and cases [") and " 0% " in lines[0]
    assert "] 100% (" in lines[-1]
    done, total = lines[-1].split("(")[1].rstrip(")").split(" of ")
    assert done == total and int(total.replace(",", "")) > CASES * 2  # pages, events, cases
    assert len(lines) == 11


def test_json_output_never_holds_the_bar(home: Path) -> None:
    quiet = run(home, "doctor", "--json")
    assert quiet.stderr == ""
    asked = run(home, "doctor", "--json", "--progress")
    assert json.loads(asked.stdout) == json.loads(quiet.stdout)
    assert json.loads(asked.stdout)["ok"] is True
    assert "doctor: events and cases" in asked.stderr


def test_the_bar_on_a_terminal_redraws_in_place() -> None:
    class Terminal:
        def __init__(self) -> None:
            self.text = ""

        def isatty(self) -> bool:
            return True

        def write(self, text: str) -> None:
            self.text += text

        def flush(self) -> None:
            pass

    from notify_tui.cli.common import ProgressBar

    screen = Terminal()
    bar = ProgressBar("doctor", screen)  # type: ignore[arg-type]
    bar(0, 200)
    bar(1, 200)  # within a tenth of a second: not redrawn
    bar(200, 200)  # the end is always drawn
    bar.close()
    assert screen.text == (
        "\rdoctor [------------------------------]   0% (0 of 200)"
        "\rdoctor [##############################] 100% (200 of 200)\n"
    )
