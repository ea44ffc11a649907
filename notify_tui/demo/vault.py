"""A throwaway demo vault: synthetic cases in every state, in a temporary folder.

`notify-tui demo` and the snapshot tests use `open_demo_vault`. Case ids come from a
seeded generator, so the same seed and the same frozen date (`NOTIFY_TUI_TODAY`) give
the same screens. Every name is fictional (see `notify_tui.demo.synthetic`).
"""

from __future__ import annotations

import contextlib
import random
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from notify_tui.demo.synthetic import synthetic_cases
from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.ids import CASE_ID_ALPHABET, CASE_ID_PREFIX
from notify_tui.domain.models import CaseKind
from notify_tui.errors import InvalidInput, VaultError
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR, Argon2Parameters
from notify_tui.store.lock import WriterLock
from notify_tui.store.owner import Owner
from notify_tui.store.private_files import owned_by_current_user

DEMO_ORG = "Demoshire Council (demo)"
DEMO_AUTHOR = "Demo User"
DEMO_CASES = 40
DEMO_SEED = 7

IdFactory = Callable[[CaseKind], str]


def seeded_case_ids(seed: int) -> IdFactory:
    """A case id generator that repeats for a given seed (demo and snapshot vaults)."""
    rng = random.Random(f"case-ids-{seed}")

    def new_id(kind: CaseKind) -> str:
        suffix = "".join(rng.choice(CASE_ID_ALPHABET) for _ in range(8))
        return f"{CASE_ID_PREFIX[kind]}-{suffix}"

    return new_id


def working_days_before(calendar: WorkingDayCalendar, day: date, count: int) -> date:
    """The date `count` working days before `day` (so that `day` is its count-th)."""
    candidate = day
    while calendar.working_days_between(candidate, day) < count:
        candidate -= timedelta(days=1)
    return candidate


def _subject(given: str, family: str, born: date, **status: bool) -> dict[str, Any]:
    return {
        "given_names": given,
        "family_name": family,
        "date_of_birth": born.isoformat(),
        "sex": "U",
        "legal_status": status,
    }


def _case(
    kind: str,
    subject: dict[str, Any],
    event: date,
    aware: date,
    *,
    outcome: str = "died",
    abuse: str = "none",
    outline: str,
) -> dict[str, Any]:
    incident: dict[str, Any] = {
        "outcome": outcome,
        "event_date": event.isoformat(),
        "aware_date": aware.isoformat(),
        "location": "in_area",
        "normally_resident_in_area": True,
        "abuse_or_neglect": abuse,
    }
    if abuse != "none":
        incident["abuse_kinds"] = ["neglect"]
    return {
        "kind": kind,
        "subjects": [subject],
        "incident": incident,
        "notifier": {"name": "Demo User (fictional)", "role": "Safeguarding lead"},
        "case_outline": f"SYNTHETIC DEMO CASE: {outline} Not a real person.",
    }


def showcase_cases(today: date, calendar: WorkingDayCalendar) -> dict[str, dict[str, Any]]:
    """Hand-made cases, one per state the dashboard must show, keyed by their role."""
    overdue_aware = working_days_before(calendar, today, 8)
    due_today_aware = working_days_before(calendar, today, 5)
    recent = working_days_before(calendar, today, 1)
    older = working_days_before(calendar, today, 12)
    years = timedelta(days=365)
    return {
        "overdue": _case(
            "serious_incident",
            _subject("Orla", "Overdue-Fictional", today - 6 * years, child_protection_plan=True),
            overdue_aware,
            overdue_aware,
            outcome="seriously_harmed",
            abuse="suspected",
            outline="fictional child seriously harmed at home; neglect suspected.",
        ),
        "due_today": _case(
            "serious_incident",
            _subject("Tam", "Today-Fictional", today - 3 * years),
            due_today_aware,
            due_today_aware,
            outcome="seriously_harmed",
            abuse="known",
            outline="fictional toddler admitted with injuries; neglect known.",
        ),
        "sent": _case(
            "serious_incident",
            _subject("Sami", "Sent-Fictional", today - 9 * years),
            older,
            older,
            outcome="seriously_harmed",
            abuse="suspected",
            outline="fictional child harmed; Panel notified and acknowledged.",
        ),
        "not_notifying": _case(
            "serious_incident",
            _subject("Nell", "Decided-Fictional", today - 11 * years),
            recent,
            recent,
            outcome="seriously_harmed",
            abuse="suspected",
            outline="fictional accident; partners decided the threshold is not met.",
        ),
        "conflict": _case(
            "care_leaver_death",
            _subject("Cy", "Conflict-Fictional", today - 21 * years, care_leaver=True),
            recent,
            recent,
            outline="fictional care leaver died; two devices recorded different places.",
        ),
        "child_death": _case(
            "child_death",
            _subject("Wren", "Cdop-Fictional", today - 4 * years, looked_after=True),
            today,
            today,
            outline="fictional looked-after child died in hospital after an illness.",
        ),
    }


def seed_demo(
    session: Session,
    *,
    count: int = DEMO_CASES,
    seed: int = DEMO_SEED,
    new_id: IdFactory | None = None,
) -> dict[str, str]:
    """Fill a vault with `count` synthetic cases plus the showcase; return showcase ids.

    Afterwards some duties are overdue, some due today, some were sent (a few late, each
    with its reason), one showcase case was sent and acknowledged, one was decided "not
    to notify", and one field holds a conflict.
    """
    new_id = new_id or seeded_case_ids(seed)
    today = session.today()
    synthetic_ids = session.create_cases(
        synthetic_cases(count, today, session.calendar, seed=seed), new_id
    )
    settle_old_duties(session, set(synthetic_ids))
    showcase = showcase_cases(today, session.calendar)
    ids = dict(zip(showcase, session.create_cases(showcase.values(), new_id), strict=True))
    sent_on = working_days_before(session.calendar, today, 8)
    session.mark_sent(ids["sent"], "panel-notification", sent_on, "DEMO-REF-0001")
    session.acknowledge(ids["sent"], "panel-notification", today)
    session.decide(
        ids["not_notifying"],
        notify=False,
        rationale="Accidental injury with no indication of abuse or neglect (demo rationale).",
    )
    make_conflict(session, ids["conflict"], "incident.place", ["Ward 3 (demo)", "Ward 5 (demo)"])
    return ids


DEMO_LATE_REASONS = (
    "The referral reached the safeguarding team two days after the LA knew (demo reason).",
    "The online form was unavailable; sent once the service was back (demo reason).",
    "The lead was on leave and the cover did not see the referral (demo reason).",
)
"""Why the demo's late sends were late: a late send always carries its reason."""


def settle_old_duties(session: Session, case_ids: set[str]) -> None:
    """Mark sent the duties of `case_ids` due before the last two working days.

    A real office is not 40 notifications behind; this leaves a believable handful
    overdue. Most are sent on their due date; every fourth two working days late, with
    the reason for the delay. Every other one sent is also acknowledged, on the day it
    was sent.
    """
    cutoff = working_days_before(session.calendar, session.today(), 2)
    settled = 0
    for duty in session.open_duties():
        due = duty.due
        if duty.case_id not in case_ids or duty.status != "open" or not due:
            continue
        if date.fromisoformat(due) >= cutoff:
            continue
        settled += 1
        day = date.fromisoformat(due)
        late_reason = None
        if settled % 4 == 0:
            day = session.calendar.add_working_days(day, 2)
            late_reason = DEMO_LATE_REASONS[(settled // 4) % len(DEMO_LATE_REASONS)]
        session.mark_sent(duty.case_id, duty.duty, day, f"DEMO-REF-{settled + 1:04d}", late_reason)
        if settled % 2:
            session.acknowledge(duty.case_id, duty.duty, day)


def make_conflict(session: Session, case_id: str, field: str, values: Sequence[str]) -> None:
    """Record edits that each replace the same old value: a conflict, as two devices make."""
    session.record_unseen_edits(case_id, field, values)


def seed_synthetic(
    session: Session, count: int, *, batch: int = 500, seed: int | None = None
) -> list[str]:
    """Add `count` synthetic, obviously fake cases (see `notify_tui.demo.synthetic`).

    They are recorded `batch` at a time, each batch in one transaction."""
    if count < 1:
        raise InvalidInput("--cases: give a number of cases, 1 or more")
    ids: list[str] = []
    documents = synthetic_cases(count, session.today(), session.calendar, seed=seed)
    chunk: list[dict[str, Any]] = []
    for document in documents:
        chunk.append(document)
        if len(chunk) >= batch:
            ids.extend(session.create_cases(chunk))
            chunk = []
    if chunk:
        ids.extend(session.create_cases(chunk))
    return ids


@dataclass
class DemoVault:
    """An open demo vault: its session, showcase case ids, folder and passphrase."""

    session: Session
    ids: dict[str, str]
    home: Path
    passphrase: str


DEMO_PREFIX = "notify-tui-demo-"
"""The demo's temporary folders are named with this prefix."""

STALE_AFTER_SECONDS = 120.0
"""A demo folder younger than this may be one another demo is still creating."""


def remove_stale_demo_vaults(folder: Path | None = None) -> list[Path]:
    """Delete the demo folders that killed demos left behind; return them.

    A demo removes its folder when it closes, but not when it is killed (closing the
    terminal, `tmux kill-server`). A folder is stale when it is this user's, old enough
    not to be one being created, and no process holds its folder lock: `open_demo_vault`
    holds that lock as long as the demo runs, locked or not (the vault's own writer lock
    is let go at every idle lock), and the system drops it when the process dies.

    The folder's contents go while its lock is held; the lock file and the folder itself
    after it is let go (Windows cannot delete a file that is open).
    """
    removed: list[Path] = []
    parent = folder or Path(tempfile.gettempdir())
    # Folder ages compare with the file system's own (wall-clock) times, not the
    # program's Clock, which a demo freezes on another date.
    now = time.time()
    for candidate in sorted(parent.glob(DEMO_PREFIX + "*")):
        try:
            info = candidate.lstat()
        except OSError:
            continue
        if (
            not candidate.is_dir()
            or candidate.is_symlink()
            or not owned_by_current_user(info)
            or now - info.st_mtime < STALE_AFTER_SECONDS
        ):
            continue
        lock = WriterLock(candidate)
        try:
            lock.acquire()
        except VaultError:  # a running demo holds it
            continue
        try:
            for entry in candidate.iterdir():
                if entry != lock.path:
                    _remove_entry(entry)
        finally:
            lock.release()
        shutil.rmtree(candidate, ignore_errors=True)
        removed.append(candidate)
    return removed


def _remove_entry(entry: Path) -> None:
    """Delete a file or a folder tree; what cannot be deleted is left for the next sweep."""
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            entry.unlink()


@contextmanager
def open_demo_vault(
    *,
    count: int = DEMO_CASES,
    seed: int = DEMO_SEED,
    kdf: Argon2Parameters | None = None,
    owner: Owner | None = None,
) -> Iterator[DemoVault]:
    """A seeded demo vault in a temporary folder, removed (with its key) on exit.

    The passphrase is random; it is handed back so the demo can show it after an idle
    lock (it protects nothing but fictional cases that vanish on exit).
    """
    remove_stale_demo_vaults()
    with tempfile.TemporaryDirectory(prefix=DEMO_PREFIX) as folder, WriterLock(Path(folder)):
        home = Path(folder) / "vault"
        passphrase = "demo " + secrets.token_hex(6)
        session, _recovery = Session.init(
            home,
            passphrase,
            org=DEMO_ORG,
            role="la",
            author=DEMO_AUTHOR,
            # The floor skips calibration: a throwaway vault need not cost more.
            kdf=kdf or ARGON2_FLOOR,
            owner=owner,
        )
        demo = DemoVault(session, {}, home, passphrase)
        try:
            demo.ids = seed_demo(session, count=count, seed=seed)
            yield demo
        finally:
            # After an idle lock and unlock, the app holds a newer session.
            demo.session.close()
