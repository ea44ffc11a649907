"""Erasing a case in the vault: its events' changes, its projection rows, its words in
search, and the pages that held them (issue 18; the rules are `domain.erasure`).

`erase_case` keeps each event of the case as erasure leaves it (`Event.erased_by`: no
changes), deletes the case's projection rows (with them its words in search, which
migration 15 set to forget deleted words at once, and the duty sort rows) and its
drafts, inside the caller's transaction. With `secure_delete` on (every connection,
`store.connection`), SQLite writes zeros over what a deleted or shortened row held in
its page and over every page it frees. `scrub` then merges search's index and, after
the commit, checkpoints the write-ahead log into the database and truncates it, so no
copy of an old page is left in the log either.

What is beyond this: backups made before the erasure hold the case until they are
deleted, and a file system or disk may keep blocks a file no longer uses
(docs/retention.md, "Erasure").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import sqlite_utils

from notify_tui.domain.chains import signing_device
from notify_tui.domain.erasure import ERASE_FIELD, ERASE_TYPE, Certificate, ErasureRecord
from notify_tui.store.connection import translate_errors
from notify_tui.store.events import Event
from notify_tui.store.holds import holds_on_case


class Vault(Protocol):
    """What erasure needs of `store.vault.Vault` (not imported: the vault erases a case
    when it refolds one, so it imports this module)."""

    @property
    def db(self) -> sqlite_utils.Database:
        """The vault's connection."""
        ...


def certificates(vault: Vault, case_id: str | None = None) -> dict[str, list[Event]]:
    """The erasure certificates held, by case, each case's earliest first (the partial
    index of migration 15 finds them without reading other events)."""
    sql = "SELECT body FROM events WHERE type = ?"
    params: list[object] = [ERASE_TYPE]
    if case_id is not None:
        sql += " AND case_id = ?"
        params.append(case_id)
    found: dict[str, list[Event]] = {}
    for (body,) in vault.db.execute(sql, params):
        event = Event.model_validate_json(body)
        if event.erased is None:  # never erased (`Event`); a damaged row is `doctor`'s
            found.setdefault(event.case, []).append(event)
    for events in found.values():
        events.sort(key=lambda event: (event.at, event.device, event.seq))
    return found


def held_certificates(vault: Vault) -> dict[str, list[Certificate]]:
    """What vouching for erased events needs of each certificate held, by case
    (`domain.erasure.vouched`)."""
    return {
        case_id: [
            Certificate(event.id, signing_device(event.device), frozenset(record_of(event).entries))
            for event in events
        ]
        for case_id, events in certificates(vault).items()
    }


def is_erased(vault: Vault, case_id: str) -> bool:
    """Whether an erasure certificate of the case is held."""
    row = vault.db.execute(
        "SELECT 1 FROM events WHERE type = ? AND case_id = ? "
        "AND json_extract(body, '$.erased') IS NULL LIMIT 1",
        [ERASE_TYPE, case_id],
    ).fetchone()
    return row is not None


def record_of(certificate: Event) -> ErasureRecord:
    """What a (checked) certificate says."""
    for change in certificate.changes:
        if change.field == ERASE_FIELD:
            return ErasureRecord.model_validate(change.value)
    raise ValueError(f"event {certificate.id} is not an erasure certificate")


def case_stub_digests(vault: Vault, case_id: str) -> list[str]:
    """The `Event.stub_digest` of each event of a case a certificate erases (every one
    but certificates), sorted."""
    return sorted(
        Event.model_validate_json(body).stub_digest()
        for (body,) in vault.db.execute(
            "SELECT body FROM events WHERE case_id = ? AND type != ?", [case_id, ERASE_TYPE]
        )
    )


def erase_case(vault: Vault, case_id: str, certificate_id: str) -> int:
    """Erase every event of the case not erased yet, and its rows (call inside a
    transaction); return how many events were erased here now."""
    erased = 0
    rows = vault.db.execute(
        "SELECT id, body FROM events WHERE case_id = ? AND type != ?", [case_id, ERASE_TYPE]
    ).fetchall()
    for event_id, body in rows:
        event = Event.model_validate_json(body)
        if event.erased is not None:
            continue
        vault.db.execute(
            "UPDATE events SET body = ? WHERE id = ?",
            [event.erased_by(certificate_id).to_json(), event_id],
        )
        erased += 1
    vault.db.execute("DELETE FROM duties WHERE case_id = ?", [case_id])
    vault.db.execute("DELETE FROM cases WHERE id = ?", [case_id])
    vault.db.execute("DELETE FROM drafts WHERE case_id = ?", [case_id])
    vault.db.execute("DELETE FROM held_log WHERE case_id = ?", [case_id])  # looks at it
    return erased


@dataclass
class Applied:
    """What `erase_held` did."""

    erased: list[str] = field(default_factory=list)
    """Cases that had something erased here now (an event, or their rows)."""
    waiting: list[str] = field(default_factory=list)
    """Cases with a certificate held that a legal hold in force keeps here whole: they
    are erased when the hold is lifted (`Session.retention.lift`)."""


def erase_held(vault: Vault, case_ids: Iterable[str]) -> Applied:
    """Apply each held certificate of `case_ids` (the earliest) to whatever of its case
    is not erased yet, unless a legal hold in force here covers the case (an order this
    organisation, or another that this vault has heard of, placed: nothing is erased
    while it stands; the certificate waits)."""
    applied = Applied()
    for case_id in sorted(set(case_ids)):
        held = certificates(vault, case_id).get(case_id)
        if not held:
            continue
        if holds_on_case(vault, case_id):
            if left_to_erase(vault, case_id):
                applied.waiting.append(case_id)
            continue
        had_row = vault.db.execute("SELECT 1 FROM cases WHERE id = ?", [case_id]).fetchone()
        if erase_case(vault, case_id, held[0].id) or had_row is not None:
            applied.erased.append(case_id)
    return applied


def forget_words(vault: Vault) -> None:
    """Merge search's index into one segment, leaving no page with a deleted row's words
    (inside the erasing transaction)."""
    vault.db.execute("INSERT INTO cases_fts (cases_fts) VALUES ('optimize')")


def checkpoint(vault: Vault) -> bool:
    """After the commit: copy the write-ahead log into the database and truncate it, so
    no older copy of a page is left there. False when a reader kept it from finishing
    (it is then done on the next erasure or when the vault is closed)."""
    row = vault.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return row is None or int(row[0]) == 0


def erased_count(vault: Vault, case_id: str) -> int:
    """How many events of the case are held as erasure leaves them."""
    row = vault.db.execute(
        "SELECT count(*) FROM events WHERE case_id = ? AND type != ? "
        "AND json_extract(body, '$.erased') IS NOT NULL",
        [case_id, ERASE_TYPE],
    ).fetchone()
    return int(row[0])


def left_to_erase(vault: Vault, case_id: str) -> bool:
    """Whether an erased case still has an event with its changes, or projection rows
    (an erasure interrupted, or reversed by hand)."""
    row = vault.db.execute(
        "SELECT 1 FROM events WHERE case_id = ? AND type != ? "
        "AND json_extract(body, '$.erased') IS NULL "
        "UNION ALL SELECT 1 FROM cases WHERE id = ? LIMIT 1",
        [case_id, ERASE_TYPE, case_id],
    ).fetchone()
    return row is not None


def peers_holding(vault: Vault, chain: str, seq: int) -> list[tuple[str, str, str, str | None]]:
    """(device, org, role, when first said) of each peer whose signed receipts say it
    holds `chain` up to `seq` or beyond: for a certificate, a peer that has erased its
    copy (an import that takes a certificate erases in its own transaction)."""
    return [
        (str(peer), str(org), str(role), None if received is None else str(received))
        for peer, org, role, received in vault.db.execute(
            "SELECT r.peer, d.org, d.role, min(r.received_at) FROM sync_receipts AS r "
            "JOIN devices AS d ON d.device_id = r.peer "
            "WHERE r.device = ? AND r.held_up_to >= ? GROUP BY r.peer ORDER BY r.peer",
            [chain, seq],
        )
    ]


def finish(vault: Vault, case_ids: Iterable[str]) -> Applied:
    """Erase, in a transaction of its own, what is left of cases whose certificate is
    held (an erasure interrupted, or one a hold kept waiting)."""
    with translate_errors(), vault.db.atomic():
        return erase_held(vault, case_ids)


def waiting(vault: Vault) -> list[str]:
    """Cases whose certificate is held but whose content is still here (a legal hold
    kept it, or an erasure was interrupted)."""
    return [case_id for case_id in certificates(vault) if left_to_erase(vault, case_id)]


def scrub(vault: Vault) -> bool:
    """After an erasure's commit: merge search's index (its own transaction), then
    checkpoint and truncate the write-ahead log; False when another reader kept the log
    from being emptied (`checkpoint`)."""
    with translate_errors(), vault.db.atomic():
        forget_words(vault)
    return checkpoint(vault)
