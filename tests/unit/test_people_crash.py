"""Crash safety of removing users: 50 SIGKILLs at random moments of `users remove`.

Each trial copies a template vault (an admin, a lead who stays, and cases), starts
`vault_writer.py HOME users` (it adds a temporary deputy and removes them, again and
again: every removal marks the user removed, drops their key slot and re-keys the whole
database) and SIGKILLs it. Half the kills fall at a random moment after READY; half fall
0-80 ms after the writer announces a re-encryption (each fsync slowed by 25 ms), which
lands in the copy, the rename over the database and the key slot rewrites.

After each kill the vault must:

- open with a remaining user's passphrase (the lead's, read-only, as the next person to
  come along would), then for writing as the admin (which finishes a re-key or removal
  the kill interrupted);
- pass `doctor`, and hold every case it held before;
- refuse every temporary deputy the writer reported removed; and, once opened for
  writing, every temporary deputy marked removed, and leave no re-key pending.

All people are synthetic. The trials use the suite's cheap stand-in for Argon2id: what is
under test is the re-key, not the key derivation.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from vault_support import AUTHOR, PASSPHRASE, case_document, kill_writer_after, make_vault
from vault_writer import TEMP_PASSPHRASE, temp_user

from notify_tui.errors import NotifyError
from notify_tui.services.session import Session
from notify_tui.store.keyslots import KEYSLOTS_FILE_NAME, KeySlotFile
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import REKEY_FILE

pytestmark = pytest.mark.slow

SEED = 20261207
TRIALS = 50
LEAD = "Lee Lead (fictional)"
LEAD_PASSPHRASE = "the lead's synthetic passphrase"
RANDOM_DELAY = (0.0, 1.5)
REKEY_DELAY = (0.0, 0.08)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, frozen_today: str) -> tuple[Path, set[str]]:
    """A vault with its admin (AUTHOR), a lead who stays, and three cases."""
    home = tmp_path_factory.mktemp("template") / "vault"
    _, ids = make_vault(home, [case_document(n) for n in range(3)])
    with Session.unlock(home, passphrase=PASSPHRASE, user=AUTHOR, owner=InlineOwner()) as session:
        session.add_user(LEAD, "lead", LEAD_PASSPHRASE)
    return home, set(ids)


def reported_removed(lines: list[str]) -> set[int]:
    return {int(line.split()[2]) for line in lines if line.startswith("DONE removed ")}


def opens(home: Path, name: str, passphrase: str) -> bool:
    try:
        Session.unlock(
            home, passphrase=passphrase, user=name, write=False, owner=InlineOwner()
        ).close()
    except NotifyError:
        return False
    return True


def test_killed_user_removals_leave_a_vault_the_others_open(
    template: tuple[Path, set[str]], tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    source, cases = template
    summary: list[str] = []
    for trial in range(TRIALS):
        home = tmp_path / f"trial-{trial}"
        shutil.copytree(source, home)
        timed_from_rekey = trial % 2 == 1
        delay = rng.uniform(*(REKEY_DELAY if timed_from_rekey else RANDOM_DELAY))
        lines = kill_writer_after(
            home,
            ["users", AUTHOR, *(["slow-rekey"] if timed_from_rekey else [])],
            delay,
            scratch=tmp_path,
            trigger="REKEY" if timed_from_rekey else "READY",
        )
        pending = KeySlotFile(home / KEYSLOTS_FILE_NAME).rekey_pending()
        staged = (home / REKEY_FILE).exists()
        # The next person along: the lead, read-only (nothing finished for them).
        assert opens(home, LEAD, LEAD_PASSPHRASE), f"trial {trial}: the lead is locked out"
        removed = reported_removed(lines)
        for number in removed:
            assert not opens(home, temp_user(number), TEMP_PASSPHRASE), (trial, number)
        with Session.unlock(home, passphrase=PASSPHRASE, user=AUTHOR, owner=InlineOwner()) as s:
            report = s.doctor()
            assert report.ok, (trial, report.problems)
            assert cases <= {c.id for c in s.list_cases()}
            gone = [u.name for u in s.users() if not u.active]
        assert not KeySlotFile(home / KEYSLOTS_FILE_NAME).rekey_pending(), trial
        assert not (home / REKEY_FILE).exists(), trial
        for name in gone:
            assert not opens(home, name, TEMP_PASSPHRASE), (trial, name)
        assert opens(home, LEAD, LEAD_PASSPHRASE), trial
        timing = "rekey" if timed_from_rekey else "random"
        summary.append(
            f"trial {trial:2}: {timing} +{delay * 1000:4.0f} ms, "
            f"{len(removed)} removal(s) reported, re-key pending at kill: {pending}, "
            f"staged copy: {staged}"
        )
    print("\n".join(summary))
    interrupted = sum("pending at kill: True" in line for line in summary)
    assert interrupted >= 5, "too few kills landed inside a re-key to test it"
