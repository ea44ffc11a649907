"""A writer process for the crash-safety and no-plaintext tests: start it, SIGKILL it.

    python vault_writer.py HOME cases SEED START [SENTINEL]
    python vault_writer.py HOME passwd FIRST SECOND [slow-writes]
    python vault_writer.py HOME users USER [slow-rekey]

It unlocks the vault in HOME once (passphrase from NOTIFY_TUI_PASSPHRASE, or FIRST),
prints READY, then loops until killed, printing and flushing one line after each call
that returned (so every reported change was committed):

- `cases`: adds a case, adds a batch of three, or edits the outline of a case it has
  seen, chosen by a RNG seeded with SEED; numbers start at START and only grow.
  `DONE add <case_id> <n>` / `DONE edit <case_id> <n>`. With SENTINEL, every name and
  outline holds it.
- `passwd`: changes the passphrase FIRST -> SECOND -> FIRST -> ...;
  `DONE passwd <k> <index of the passphrase now in force: 0 or 1>`. With `slow-writes`
  it prints WRITING as it starts rewriting keyslots.json and each `os.fsync` takes
  25 ms longer, so a kill timed from WRITING lands inside the atomic replace (temporary
  file written, renamed, directory synced) rather than in the long Argon2id work.

- `users`: as USER (an admin; passphrase from NOTIFY_TUI_PASSPHRASE) adds a deputy
  `Temp Deputy <k> (fictional)` and removes them again (each removal re-keys the
  vault); `DONE added <k>` / `DONE removed <k>`. With `slow-rekey` it prints REKEY as
  each re-encryption starts and each `os.fsync` takes 25 ms longer, so a kill timed
  from REKEY lands inside the copy, rename and slot rewrites.

With TESTS_CHEAP_KDF=1 in its environment it derives passphrase keys with the test
stand-in (tests/kdf_stub.py), as the test process that made the vault did.

Not a test module; all data is synthetic.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from notify_tui.services.session import Session
from notify_tui.store import keyslots
from notify_tui.store.owner import InlineOwner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import factories  # noqa: E402 - tests/ is put on the path just above
import kdf_stub  # noqa: E402

kdf_stub.install_if_asked()

GIVEN_NAMES = ("Ada", "Bram", "Cleo", "Dara", "Eli", "Fern")


def document(number: int, rng: random.Random, sentinel: str) -> dict[str, Any]:
    """A valid minimal case document (a fictional 6-year-old)."""
    return factories.case(
        "child_death",
        subjects=[
            {
                "given_names": f"{rng.choice(GIVEN_NAMES)}{sentinel}",
                "family_name": f"Crashtest{sentinel}-{number}",
                "sex": rng.choice("MF"),
            }
        ],
        facts={
            "date_of_birth": "2020-03-14",
            "event_date": "2026-11-16",
            "aware_date": "2026-11-17",
            "abuse_or_neglect": "none",
        },
        case_outline=outline(number, sentinel),
    )


def outline(number: int, sentinel: str) -> str:
    """The outline written by add or edit number `number` (the tests parse the number)."""
    return f"SYNTHETIC crash trial {sentinel} #{number}"


def say(line: str) -> None:
    """Report one line at once (the parent reads it after the kill)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def write_cases(home: Path, seed: int, start: int, sentinel: str) -> None:
    """Add and edit cases until killed."""
    rng = random.Random(seed)
    session = Session.unlock(
        home, passphrase=os.environ["NOTIFY_TUI_PASSPHRASE"], write=True, owner=InlineOwner()
    )
    known = sorted(summary.id for summary in session.list_cases())
    number = start
    say("READY")
    while True:
        choice = rng.random()
        if choice < 0.4 or not known:
            number += 1
            case_id = session.create_case(document(number, rng, sentinel))
            known.append(case_id)
            say(f"DONE add {case_id} {number}")
        elif choice < 0.6:
            numbers = [number + 1, number + 2, number + 3]
            number += 3
            ids = session.create_cases([document(n, rng, sentinel) for n in numbers])
            known.extend(ids)
            for case_id, n in zip(ids, numbers, strict=True):
                say(f"DONE add {case_id} {n}")
        else:
            number += 1
            case_id = rng.choice(known)
            session.edit_case(case_id, {"case_outline": outline(number, sentinel)})
            say(f"DONE edit {case_id} {number}")


def slow_down_key_slot_writes() -> None:
    """Announce each key slot file write and widen its fsync windows (fault injection)."""
    real_write = keyslots.atomic_write_bytes
    real_fsync = os.fsync

    def announced_write(*args: Any, **kwargs: Any) -> None:
        say("WRITING")
        real_write(*args, **kwargs)

    def slow_fsync(descriptor: int) -> None:
        time.sleep(0.025)
        real_fsync(descriptor)

    keyslots.atomic_write_bytes = announced_write  # type: ignore[assignment]
    os.fsync = slow_fsync


def change_passphrases(home: Path, first: str, second: str) -> None:
    """Change the passphrase back and forth until killed."""
    passphrases = (first, second)
    session = Session.unlock(home, passphrase=first, write=True, owner=InlineOwner())
    current = 0
    changes = 0
    say("READY")
    while True:
        session.change_passphrase(passphrases[current], passphrases[1 - current])
        current = 1 - current
        changes += 1
        say(f"DONE passwd {changes} {current}")


TEMP_PASSPHRASE = "temporary deputy passphrase"


def temp_user(number: int) -> str:
    """The name of the `number`th temporary user of the `users` mode."""
    return f"Temp Deputy {number} (fictional)"


def slow_down_rekeys() -> None:
    """Announce each re-encryption and widen its fsync windows (fault injection)."""
    from notify_tui.store.vault import Vault

    real_reencrypt = Vault._reencrypt
    real_fsync = os.fsync

    def announced(self: Vault, new_key: bytes) -> None:
        say("REKEY")
        real_reencrypt(self, new_key)

    def slow_fsync(descriptor: int) -> None:
        time.sleep(0.025)
        real_fsync(descriptor)

    Vault._reencrypt = announced  # type: ignore[method-assign]
    os.fsync = slow_fsync


def add_and_remove_users(home: Path, user: str) -> None:
    """Add a temporary user and remove them (a re-key), until killed."""
    session = Session.unlock(
        home,
        passphrase=os.environ["NOTIFY_TUI_PASSPHRASE"],
        user=user,
        write=True,
        owner=InlineOwner(),
    )
    number = 0
    say("READY")
    while True:
        number += 1
        session.add_user(temp_user(number), "deputy", TEMP_PASSPHRASE)
        say(f"DONE added {number}")
        session.remove_user(temp_user(number))
        say(f"DONE removed {number}")


def main(argv: list[str]) -> None:
    """Dispatch on the mode argument."""
    home, mode = Path(argv[1]), argv[2]
    if mode == "cases":
        sentinel = argv[5] if len(argv) > 5 else ""
        write_cases(home, int(argv[3]), int(argv[4]), sentinel)
    elif mode == "passwd":
        if argv[5:] == ["slow-writes"]:
            slow_down_key_slot_writes()
        change_passphrases(home, argv[3], argv[4])
    elif mode == "users":
        if argv[4:] == ["slow-rekey"]:
            slow_down_rekeys()
        add_and_remove_users(home, argv[3])
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv)
