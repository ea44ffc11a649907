"""Everything `doctor` checks: page authentication, structure, hash chains and
signatures, each chain's last event against its recorded head and peers' receipts,
which chain each event is on, and the projection (every case in it, and every case
with events) against a fresh fold.

Reads only: nothing here writes to the vault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from notify_tui.domain.chains import office_chain_id, signing_device
from notify_tui.domain.people import VAULT_LOG
from notify_tui.store.connection import translate_errors
from notify_tui.store.events import Event
from notify_tui.store.projection import PARTNERSHIP_PREFIX, Projector, projection_hash
from notify_tui.store.vault import Vault


@dataclass(frozen=True)
class IntegrityFindings:
    """What was checked (in words) and every problem found, in the order checked."""

    checks: tuple[str, ...]
    problems: tuple[str, ...]


def check_vault(vault: Vault, projector: Projector) -> IntegrityFindings:
    """Check SQLCipher integrity, every hash chain and signature, and the projection."""
    checks: list[str] = []
    problems: list[str] = []
    db = vault.db
    with translate_errors():
        cipher = [r[0] for r in db.execute("PRAGMA cipher_integrity_check")]
        checks.append("SQLCipher page authentication (cipher_integrity_check)")
        problems.extend(f"database page check: {line}" for line in cipher)
        integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
        checks.append("SQLite integrity_check")
        if integrity != ["ok"]:
            problems.extend(f"database structure: {line}" for line in integrity[:5])
    keys = vault.device_keys()
    total = 0
    held: dict[str, tuple[int, str]] = {}
    for device in vault.chains():
        expected_prev: str | None = None
        expected_seq = 1
        for seq, event_id, case_id, body in db.execute(
            "SELECT seq, id, case_id, body FROM events WHERE device = ? ORDER BY seq",
            [device],
        ).fetchall():
            total += 1
            problem = check_event_row(
                device, seq, event_id, case_id, body, expected_seq, expected_prev, keys
            )
            if problem:
                problems.append(problem)
            expected_prev, expected_seq = event_id, seq + 1
            held[device] = (int(seq), str(event_id))
    checks.append(f"{total} events: ids, hash chains and signatures")
    problems.extend(head_problems(vault, held))
    checks.append("each chain's last event is its recorded head")
    problems.extend(receipt_problems(vault, held))
    checks.append("this device's chains hold what peers' receipts say they hold")
    problems.extend(chain_placement_problems(vault))
    checks.append("each event is on its organisation's and its LA's chain")
    mismatched = 0
    for case_id in projected_or_logged_cases(vault):
        if not db.execute("SELECT 1 FROM events WHERE case_id = ? LIMIT 1", [case_id]).fetchone():
            mismatched += 1
            problems.append(
                f"case {case_id}: the projection lists it but none of its events is held "
                f"(deleted?): {RESTORE}"
            )
            continue
        try:
            row, duties = projector.case_rows(case_id, vault.case_events(case_id))
        except (ValidationError, ValueError):
            problems.append(f"case {case_id}: its events no longer fold")
            continue
        stored = db.execute("SELECT * FROM cases WHERE id = ?", [case_id]).fetchone()
        cursor = db.execute("SELECT * FROM duties WHERE case_id = ? ORDER BY duty_id", [case_id])
        stored_duties = [list(r) for r in cursor.fetchall()]
        fresh_duties = [list(d.values()) for d in sorted(duties, key=lambda d: d["duty_id"])]
        if stored is None or list(stored) != list(row.values()) or stored_duties != fresh_duties:
            mismatched += 1
            problems.append(f"case {case_id}: projection differs from a fresh fold")
    checks.append("projection equals a fresh fold of the events")
    if mismatched == 0:
        checks.append(f"projection hash {projection_hash(db)[:16]}")
    return IntegrityFindings(tuple(checks), tuple(problems))


RESTORE = "restore the vault from a backup (docs/vault.md, Backups) and report it"
"""What to do about a lost event: the words every such problem ends with."""

CATCH_UP = (
    "export to that peer and import its reply to get them back (docs/vault.md, Restoring a backup)"
)
"""What to do about events a peer holds and this vault does not."""


def _missing(first: int, last: int) -> str:
    return f"event #{first} is" if first == last else f"events #{first}–#{last} are"


def head_problems(vault: Vault, held: Mapping[str, tuple[int, str]]) -> list[str]:
    """Chains whose last event held is not their recorded head (`chain_heads`).

    `held` is each chain's last (seq, id) in the event log. A head further on than the
    log means the newest events were deleted; a log further on than the head, events
    written past notify-tui; the same number with another id, a replaced event.
    """
    problems: list[str] = []
    recorded = {head.chain: head for head in vault.recorded_heads()}
    for chain in sorted(set(held) | set(recorded)):
        last_seq, last_id = held.get(chain, (0, ""))
        head = recorded.get(chain)
        if head is None:
            problems.append(
                f"events: device {chain} chain runs to #{last_seq} but has no recorded head; "
                "its events were written past notify-tui: report it"
            )
        elif head.seq > last_seq:
            stops = f"stops at #{last_seq}" if last_seq else "holds no event"
            newest = (
                "the newest event is missing"
                if head.seq == last_seq + 1
                else f"its newest {_missing(last_seq + 1, head.seq)} missing"
            )
            problems.append(
                f"events: device {chain} chain {stops} but its head is #{head.seq} "
                f"(event {head.event_id}, case {head.case_id}); {newest}: {RESTORE}"
            )
        elif head.seq < last_seq:
            problems.append(
                f"events: device {chain} chain runs to #{last_seq} but its head is "
                f"#{head.seq} (event {head.event_id}); "
                f"{_missing(head.seq + 1, last_seq)} written past notify-tui: report it"
            )
        elif head.event_id != last_id:
            problems.append(
                f"events: device {chain} event #{last_seq} is {last_id} but its head was "
                f"event {head.event_id} (case {head.case_id}); the newest event was "
                f"replaced: {RESTORE}"
            )
    return problems


def receipt_problems(vault: Vault, held: Mapping[str, tuple[int, str]]) -> list[str]:
    """This device's chains that a peer's latest statement says it holds more of.

    A peer's latest statement (`sync_statements`, migration 9: the receipts of the last
    bundle imported from it) says it holds events 1..N of a chain; when this vault holds
    fewer of its own chain, and its recorded head does not already account for them,
    events are missing here (e.g. a vault restored from an old backup, whose recorded
    heads are as old as its events). The peer sends them back on the next exchange.
    """
    me = vault.identity.device_id
    heads = {head.chain: head.seq for head in vault.recorded_heads()}
    problems: list[str] = []
    rows = vault.db.execute(
        "SELECT s.peer, coalesce(d.org, s.peer), s.chain, s.held_up_to "
        "FROM sync_statements AS s LEFT JOIN devices AS d ON d.device_id = s.peer "
        "ORDER BY s.chain, s.peer"
    ).fetchall()
    for peer, org, chain, theirs in rows:
        if signing_device(str(chain)) != me:
            continue
        ours = held.get(str(chain), (0, ""))[0]
        accounted = max(ours, heads.get(str(chain), 0))
        if int(theirs) > accounted:
            problems.append(
                f"events: device {chain} chain stops at #{ours} but {org} ({peer}) "
                f"says it holds it to #{theirs}; {_missing(accounted + 1, int(theirs))} "
                f"missing here (restored from an old backup?): {CATCH_UP}"
            )
    return problems


def projected_or_logged_cases(vault: Vault) -> list[str]:
    """Every case id in the event log or the projection tables, sorted (not the access
    log's `VAULT_LOG`, which is about no case and never projected)."""
    rows = vault.db.execute(
        "SELECT case_id FROM events WHERE case_id != ? UNION SELECT id FROM cases "
        "UNION SELECT case_id FROM duties ORDER BY 1",
        [VAULT_LOG],
    ).fetchall()
    return [str(row[0]) for row in rows]


def chain_placement_problems(vault: Vault) -> list[str]:
    """Events on a chain they may not be on (see `notify_tui.store.vault.Vault.chain_for`).

    Each event's org is its chain's device's; an LA device has no per-LA chains; an
    office device's own chain holds only the partnership's records (and its own access
    log entries about no case) and its chain for an LA only that LA's cases (so what is
    sent to an LA is about that LA only).
    """
    db = vault.db
    known = {
        str(r[0]): (str(r[1]), str(r[2]))
        for r in db.execute("SELECT device_id, org, role FROM devices")
    }
    problems: list[str] = []
    rows = db.execute(
        "SELECT events.id, events.device, events.case_id, json_extract(events.body, '$.org'), "
        "cases.org FROM events LEFT JOIN cases ON cases.id = events.case_id "
        "ORDER BY events.device, events.seq"
    ).fetchall()
    for event_id, chain, case_id, org, case_org in rows:
        device = signing_device(chain)
        if device not in known:
            continue  # reported with the signatures
        device_org, role = known[device]
        where = f"event {event_id} (chain {chain}, case {case_id})"
        if org != device_org:
            problems.append(f"{where}: claims org {org!r}, but {device} is {device_org}")
        elif role != "office":
            if chain != device:
                problems.append(f"{where}: an LA device has no per-LA chains")
        elif (str(case_id).startswith(PARTNERSHIP_PREFIX) or case_id == VAULT_LOG) != (
            chain == device
        ):
            problems.append(
                f"{where}: an office's own chain is for the partnership's records only, "
                "its chains per LA for that LA's cases"
            )
        elif (
            chain != device
            and case_org is not None
            and chain != office_chain_id(device, str(case_org))
        ):
            problems.append(f"{where}: the case belongs to {case_org}, not this chain's LA")
    return problems


def check_event_row(
    device: str,
    seq: int,
    event_id: str,
    case_id: str,
    body: str,
    expected_seq: int,
    expected_prev: str | None,
    keys: Mapping[str, Ed25519PublicKey],
) -> str | None:
    """The first problem with one stored event, or None.

    `device` is the chain id (a device id, or an office device's per-LA chain
    `device--la-slug`); `keys` maps device ids to signing keys."""
    try:
        event = Event.model_validate_json(body)
    except ValidationError:
        return f"event {event_id}: stored body is not a valid event (tampered)"
    if event.id != event_id or event.device != device or event.seq != seq or event.case != case_id:
        return f"event {event_id}: stored columns disagree with its body (tampered)"
    if not event.id_matches():
        return f"event {event_id}: content does not match its id (tampered)"
    if seq != expected_seq:
        return f"event {event_id}: device {device} chain skips from {expected_seq - 1} to {seq}"
    if event.prev != expected_prev:
        return f"event {event_id}: does not follow the previous event of device {device}"
    key = keys.get(signing_device(device))
    if key is None:
        return f"event {event_id}: from unknown device {signing_device(device)}"
    if not event.signature_valid(key):
        return f"event {event_id}: signature is not valid (tampered)"
    return None
