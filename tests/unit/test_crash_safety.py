"""Crash safety: writers SIGKILLed at random moments never lose or corrupt committed data.

Each trial starts `vault_writer.py` (it unlocks once, prints READY, then loops over
writes, reporting each one that returned) and SIGKILLs it after a random delay from a
seeded RNG. The vault is then reopened in-process and must:

- pass `doctor` (page authentication, integrity, hash chains, signatures, projection);
- hold every case and edit the writer reported; a change committed but not reported
  (the one call in flight) may be there or not, so at most three unreported cases;
- after a killed passphrase change, open with exactly one of the two passphrases (and
  still with the recovery code), with every case intact.

Add/edit trials reuse one vault folder per five trials, so later trials crash a vault
that already holds the WAL and the cases of earlier crashes; passphrase trials each
start from a copy of a template vault. A per-trial summary is printed at the end.
"""

from __future__ import annotations

import random
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from vault_support import PASSPHRASE, case_document, copy_vault, kill_writer_after, make_vault

from notify_tui.clock import system_clock
from notify_tui.errors import WrongPassphrase
from notify_tui.services.session import Session
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# The kill timings below are tuned to real Argon2id work, so these trials keep it.
pytestmark = [pytest.mark.slow, pytest.mark.real_kdf]

SEED = 20261123
ADD_EDIT_TRIALS = 40
PASSPHRASE_TRIALS = 12
TRIALS_PER_HOME = 5
OTHER_PASSPHRASE = "another passphrase for crash trials"
MAX_UNREPORTED_CASES = 3
"""The writer's largest call adds three cases; only the call in flight can go unreported."""

# One passphrase change is three Argon2id derivations (unwrap, calibrate, wrap), 2-4 s;
# the rewrite of keyslots.json at its end takes well under a millisecond. So half the
# passphrase trials kill at a random moment after READY, and half kill 0-60 ms after the
# writer announces the rewrite (with each fsync slowed by 25 ms), which lands before,
# inside and after the atomic replace.
PASSPHRASE_DELAY = (0.05, 4.5)
REWRITE_DELAY = (0.0, 0.06)
ADD_EDIT_DELAY = (0.05, 1.5)
OUTLINE_NUMBER = re.compile(r"#(\d+)$")


@dataclass
class Template:
    """The vault every trial folder is copied from."""

    home: Path
    recovery_code: str
    cases: frozenset[str]


@dataclass
class SharedHome:
    """A vault folder reused by consecutive add/edit trials, and what it must hold."""

    home: Path
    cases: set[str]
    minimum_outline: dict[str, int] = field(default_factory=dict)
    """Per case, the number of the latest reported add or edit of its outline."""

    runs: int = 0
    """Trials run on this folder so far: each numbers its outlines above the last's, in
    the order they run (pytest-randomly may run trial 3 before trial 1)."""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, frozen_today: str) -> Template:
    """Five cases, made once."""
    home = tmp_path_factory.mktemp("crash") / "template"
    code, ids = make_vault(home, [case_document(n) for n in range(1, 6)])
    return Template(home, code, frozenset(ids))


@pytest.fixture(scope="module")
def shared_homes() -> dict[int, SharedHome]:
    """Vault folders for the add/edit trials, made on first use."""
    return {}


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """One line per trial, printed when the module is done."""
    lines: list[str] = []
    yield lines
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is None or reporter is None or not lines:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(f"crash trials ({len(lines)}):")
        for line in lines:
            reporter.write_line("  " + line)


def parse_reports(lines: list[str]) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """The writer's reports: added cases (id -> number) and edits (id, number) in order."""
    added: dict[str, int] = {}
    edits: list[tuple[str, int]] = []
    for line in lines[1:]:
        done, what, case_id, number = line.split()
        assert done == "DONE", line
        if what == "add":
            added[case_id] = int(number)
        else:
            assert what == "edit", line
            edits.append((case_id, int(number)))
    return added, edits


@pytest.mark.parametrize("trial", range(ADD_EDIT_TRIALS))
def test_killed_add_and_edit_loses_nothing_reported(
    trial: int,
    template: Template,
    shared_homes: dict[int, SharedHome],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    outcomes: list[str],
) -> None:
    """SIGKILL a writer adding and editing cases; every reported change survives."""
    group = trial // TRIALS_PER_HOME
    if group not in shared_homes:
        home = copy_vault(template.home, tmp_path_factory.mktemp(f"shared{group}") / "vault")
        shared_homes[group] = SharedHome(home, set(template.cases))
    shared = shared_homes[group]
    shared.runs += 1
    delay = random.Random(SEED + trial).uniform(*ADD_EDIT_DELAY)
    lines = kill_writer_after(
        shared.home,
        ["cases", str(SEED + trial), str((group * TRIALS_PER_HOME + shared.runs) * 1_000_000)],
        delay,
        scratch=tmp_path,
    )
    added, edits = parse_reports(lines)
    for case_id, number in [*added.items(), *edits]:
        shared.minimum_outline[case_id] = max(shared.minimum_outline.get(case_id, 0), number)

    vault = Vault.open(shared.home, passphrase=PASSPHRASE, write=False, now=system_clock().now())
    with Session(vault) as session:
        report = session.doctor()
        rows = dict(vault.db.execute("SELECT id, outline FROM cases").fetchall())
        events = vault.db.execute("SELECT count(*) FROM events").fetchone()[0]
    summary = (
        f"add/edit {trial:2d}: killed {delay:4.2f}s after READY; reported {len(added):3d} "
        f"adds, {len(edits):3d} edits; {events:5d} events"
    )
    assert report.ok, f"{summary}: {report.problems[:3]}"

    missing = (shared.cases | set(added)) - set(rows)
    assert not missing, f"{summary}: reported or earlier cases missing: {sorted(missing)}"
    unreported = set(rows) - shared.cases - set(added)
    assert len(unreported) <= MAX_UNREPORTED_CASES, f"{summary}: {sorted(unreported)}"
    stale = {}
    for case_id, number in shared.minimum_outline.items():
        found = OUTLINE_NUMBER.search(rows[case_id])
        if found is None or int(found.group(1)) < number:
            stale[case_id] = (rows[case_id], number)
    assert not stale, f"{summary}: reported edits lost: {stale}"
    shared.cases = set(rows)
    outcomes.append(f"{summary}; unreported but committed {len(unreported)}; doctor ok")


@pytest.mark.parametrize("trial", range(PASSPHRASE_TRIALS))
def test_killed_passphrase_change_leaves_one_passphrase_working(
    trial: int, template: Template, tmp_path: Path, outcomes: list[str]
) -> None:
    """SIGKILL a writer changing the passphrase back and forth; one of the two opens it."""
    home = copy_vault(template.home, tmp_path / "vault")
    passphrases = (PASSPHRASE, OTHER_PASSPHRASE)
    rng = random.Random(SEED + 1000 + trial)
    targeted = trial % 2 == 0
    if targeted:
        delay = rng.uniform(*REWRITE_DELAY)
        arguments, trigger = ["passwd", *passphrases, "slow-writes"], "WRITING"
    else:
        delay = rng.uniform(*PASSPHRASE_DELAY)
        arguments, trigger = ["passwd", *passphrases], "READY"
    lines = kill_writer_after(home, arguments, delay, trigger=trigger, scratch=tmp_path)
    changes = [line.split() for line in lines[1:] if line != "WRITING"]
    assert all(words[:2] == ["DONE", "passwd"] for words in changes), lines
    reported = int(changes[-1][3]) if changes else 0

    summary = (
        f"passphrase {trial:2d}: killed {delay:5.3f}s after {trigger:7}; "
        f"{len(changes)} change(s) reported"
    )
    opened_with = None
    for index in (reported, 1 - reported):
        try:
            session = Session.unlock(
                home, passphrase=passphrases[index], write=False, owner=InlineOwner()
            )
        except WrongPassphrase:
            continue
        with session:
            report = session.doctor()
            cases = {row.id for row in session.list_cases()}
        opened_with = index
        break
    assert opened_with is not None, f"{summary}: neither passphrase opens the vault"
    assert report.ok, f"{summary}: {report.problems[:3]}"
    assert cases == template.cases, summary
    Vault.open(home, recovery_code=template.recovery_code, write=False, now=NOW).close()
    slots = home / "keyslots.json"
    assert stat.S_IMODE(slots.stat().st_mode) == 0o600
    leftovers = sorted(p.name for p in home.iterdir() if p.name.endswith(".tmp"))
    outcomes.append(
        f"{summary}; opens with the {'reported' if opened_with == reported else 'unreported'} "
        f"passphrase; recovery code opens; {len(leftovers)} temporary file(s) left; doctor ok"
    )
