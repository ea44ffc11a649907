"""Everything `doctor` checks: page authentication, structure, hash chains and
signatures, each chain's last event against its recorded head and peers' receipts,
which chain each event is on, and the projection (every case in it, and every case
with events) against a fresh fold.

Reads only: nothing here writes to the vault.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from notify_tui.domain.chains import office_chain_id, signing_device
from notify_tui.domain.erasure import ERASE_TYPE, Certificate, vouched
from notify_tui.domain.event_rules import check_erased
from notify_tui.domain.people import VAULT_LOG
from notify_tui.store import erasure
from notify_tui.store.connection import DRIVER_ERRORS, translate_errors
from notify_tui.store.events import Event, canonical_json
from notify_tui.store.holds import holds_on_case
from notify_tui.store.projection import PARTNERSHIP_PREFIX, Projector
from notify_tui.store.vault import Vault


@dataclass(frozen=True)
class IntegrityFindings:
    """What was checked (in words) and every problem found, in the order checked."""

    checks: tuple[str, ...]
    problems: tuple[str, ...]


Progress = Callable[[int, int], None]
"""Told (done, total) as `check_vault` works through the events and the cases."""

STREAM_PAGE = 500
"""Rows a streaming pass fetches at a time."""

INSTRUCTIONS_A_UNIT = 1000
PAGES_A_UNIT = 5
"""SQLite's `integrity_check` runs about `INSTRUCTIONS_A_UNIT` virtual machine
instructions for every 1/`PAGES_A_UNIT` of a page (measured: 0.18 progress calls a
page); a unit of progress is about as long as an event's or a case's."""


def _stream(db: Any, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
    """The rows of one read, fetched `STREAM_PAGE` at a time."""
    cursor = db.execute(sql, list(params))
    while page := cursor.fetchmany(STREAM_PAGE):
        yield from page


class _Ticker:
    """Calls the progress callback now and then (every 1/200th of the work)."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self.total = max(total, 1)
        self.done = 0
        self._step = max(1, self.total // 200)
        self._next = 0
        self._tell()

    def _tell(self) -> None:
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)

    def tick(self, count: int = 1) -> None:
        self.done += count
        if self.done >= self._next:
            self._next = self.done + self._step
            self._tell()

    def within(self, budget: int) -> Callable[[], int]:
        """A SQLite progress handler ticking once a call, never past `budget`."""

        def handler() -> int:
            if self.done < budget - 1:
                self.tick()
            return 0  # go on (non-zero would interrupt the statement)

        return handler

    def reach(self, done: int) -> None:
        """Move on to `done` (the end of a phase) if not there yet."""
        if self.done < done:
            self.tick(done - self.done)

    def finish(self) -> None:
        self.done = self.total
        self._tell()


def check_vault(
    vault: Vault, projector: Projector, progress: Progress | None = None
) -> IntegrityFindings:
    """Check SQLCipher integrity, every hash chain and signature, and the projection.

    Each chain is read once, in order, a page at a time (its events' ids, links,
    signatures and placement are checked as they pass); the projection is checked by
    hash: a digest of each case's stored rows against a digest of a fresh fold of its
    events, the events read once more in case order. Nothing is held but digests.
    `progress`, when given, is told how far the two passes have gone.
    """
    checks: list[str] = []
    problems: list[str] = []
    db = vault.db
    with translate_errors():
        total_events = int(db.execute("SELECT count(*) FROM events").fetchone()[0])
        total_cases = int(db.execute("SELECT count(*) FROM cases").fetchone()[0])
        pages = int(db.execute("PRAGMA page_count").fetchone()[0])
        page_units = pages // PAGES_A_UNIT
        ticker = _Ticker(progress, page_units + total_events + total_cases)
        cipher = [r[0] for r in db.execute("PRAGMA cipher_integrity_check")]
        checks.append("SQLCipher page authentication (cipher_integrity_check)")
        problems.extend(f"database page check: {line}" for line in cipher)
        # integrity_check is one statement (about a tenth of the whole at 100,000
        # cases): SQLite's progress handler moves the bar while it runs.
        db.conn.set_progress_handler(ticker.within(page_units), INSTRUCTIONS_A_UNIT)
        try:
            integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
        finally:
            db.conn.set_progress_handler(None, 0)
        ticker.reach(page_units)
        checks.append("SQLite integrity_check")
        if integrity != ["ok"]:
            problems.extend(f"database structure: {line}" for line in integrity[:5])
        # The search index is a table of its own that integrity_check does not compare
        # with the cases it indexes; FTS5's own check does.
        try:
            db.execute("INSERT INTO cases_fts (cases_fts, rank) VALUES ('integrity-check', 1)")
        except DRIVER_ERRORS as error:
            problems.append(f"search index: does not match the cases ({error})")
        checks.append("the search index matches the cases (FTS5 integrity-check)")
        placement = _Placement(vault)
        total, held = _check_chains(vault, problems, placement, ticker)
        checks.append(f"{total} events: ids, hash chains and signatures")
        problems.extend(head_problems(vault, held))
        checks.append("each chain's last event is its recorded head")
        problems.extend(receipt_problems(vault, held))
        checks.append("this device's chains hold what peers' receipts say they hold")
        problems.extend(placement.problems)
        checks.append("each event is on its organisation's and its LA's chain")
        mismatched, stored_hash = _check_projection(vault, projector, problems, ticker)
        checks.append("projection equals a fresh fold of the events")
        if mismatched == 0:
            checks.append(f"projection hash {stored_hash[:16]}")
    ticker.finish()
    return IntegrityFindings(tuple(checks), tuple(problems))


def _check_chains(
    vault: Vault, problems: list[str], placement: _Placement, ticker: _Ticker
) -> tuple[int, dict[str, tuple[int, str]]]:
    """One streaming pass per chain: (events checked, each chain's last (seq, id))."""
    keys = vault.device_keys()
    certificates = erasure.held_certificates(vault)
    total = 0
    held: dict[str, tuple[int, str]] = {}
    for device in vault.chains():
        expected_prev: str | None = None
        expected_seq = 1
        for seq, event_id, case_id, body in _stream(
            vault.db,
            "SELECT seq, id, case_id, body FROM events WHERE device = ? ORDER BY seq",
            [device],
        ):
            total += 1
            event, problem = _checked_event(
                device, seq, event_id, case_id, body, expected_seq, expected_prev, keys,
                certificates,
            )  # fmt: skip
            if problem:
                problems.append(problem)
            placement.check(event_id, device, case_id, event.org if event else _org_of(body))
            expected_prev, expected_seq = event_id, seq + 1
            held[device] = (int(seq), str(event_id))
            ticker.tick()
    return total, held


_UNREADABLE = object()
"""The org of a stored body that is not even JSON (reported with the ids)."""


def _org_of(body: str) -> object:
    """The `org` of a stored body that is not a valid event (as `json_extract` reads it)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return _UNREADABLE
    return parsed.get("org") if isinstance(parsed, dict) else None


def _digest(rows: Iterable[Iterable[Any]]) -> bytes:
    """The digest of some projection rows, as `projection_hash` hashes them."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(_row_bytes(row))
    return digest.digest()


def _row_bytes(row: Iterable[Any]) -> bytes:
    """A projection row's bytes, as `projection_hash` hashes them; a row no fold writes
    (a value made a BLOB, or a number made infinite or NaN by tampering) gets bytes of
    its own, marked, that no folded row has, so it is reported as differing rather than
    stopping the check (or, infinite, passing as null)."""
    values = list(row)
    if any(
        isinstance(value, bytes | bytearray | memoryview)
        or (isinstance(value, float) and not math.isfinite(value))
        for value in values
    ):
        return b"\x00" + repr([(type(value).__name__, value) for value in values]).encode()
    return canonical_json(values)


def _check_projection(
    vault: Vault, projector: Projector, problems: list[str], ticker: _Ticker
) -> tuple[int, str]:
    """Compare each case's stored rows with a fresh fold of its events, by digest.

    First the stored projection is read once in key order (cases by id, duties by case
    and duty): it gives `projection_hash` and each case's digests. Then the events are
    read once in case order and each case is folded afresh. Returns (cases that differ,
    the stored projection's hash)."""
    db = vault.db
    whole = hashlib.sha256()
    stored_cases: dict[str, bytes] = {}
    for row in _stream(db, "SELECT * FROM cases ORDER BY id"):
        encoded = _row_bytes(row)
        whole.update(encoded)
        stored_cases[str(row[0])] = hashlib.sha256(encoded).digest()
    stored_duties: dict[str, bytes] = {}
    for case_id, rows in itertools.groupby(
        _stream(db, "SELECT * FROM duties ORDER BY case_id, duty_id"), key=lambda row: row[0]
    ):
        digest = hashlib.sha256()
        for row in rows:
            encoded = _row_bytes(row)
            whole.update(encoded)
            digest.update(encoded)
        stored_duties[str(case_id)] = digest.digest()
    no_duties = hashlib.sha256().digest()

    events = itertools.groupby(
        _stream(db, "SELECT case_id, body FROM events ORDER BY case_id, at, id"),
        key=lambda row: str(row[0]),
    )
    next_events = next(events, None)
    mismatched = 0
    certificates = erasure.certificates(vault)
    for case_id in projected_or_logged_cases(vault):
        bodies: list[str] = []
        while next_events is not None and next_events[0] < case_id:
            next_events = next(events, None)  # cannot happen: every event's case is listed
        if next_events is not None and next_events[0] == case_id:
            bodies = [str(body) for _, body in next_events[1]]
            next_events = next(events, None)
        if case_id in stored_cases:
            ticker.tick()
        if case_id in certificates and not holds_on_case(vault, case_id):
            mismatched += _erased_case_problems(
                case_id, bodies, case_id in stored_cases or case_id in stored_duties, problems
            )
            continue
        if not bodies:
            mismatched += 1
            problems.append(
                f"case {case_id}: the projection lists it but none of its events is held "
                f"(deleted?): {RESTORE}"
            )
            continue
        try:
            fresh_row, fresh_duty_rows = projector.case_rows(
                case_id, [Event.model_validate_json(body) for body in bodies]
            )
        except (ValidationError, ValueError):
            problems.append(f"case {case_id}: its events no longer fold")
            continue
        fresh_case = _digest([fresh_row.values()])
        fresh_duties = _digest(
            d.values() for d in sorted(fresh_duty_rows, key=lambda d: d["duty_id"])
        )
        if (
            stored_cases.get(case_id) != fresh_case
            or stored_duties.get(case_id, no_duties) != fresh_duties
        ):
            mismatched += 1
            problems.append(f"case {case_id}: projection differs from a fresh fold")
    return mismatched, whole.hexdigest()


RESTORE = "restore the vault from a backup (docs/vault.md, Backups) and report it"
"""What to do about a lost event: the words every such problem ends with."""

CATCH_UP = (
    "export to that peer and import its reply to get them back (docs/vault.md, Restoring a backup)"
)
"""What to do about events a peer holds and this vault does not."""


def _erased_case_problems(
    case_id: str, bodies: Sequence[str], has_rows: bool, problems: list[str]
) -> int:
    """An erased case has no projection rows, and no event of it but its certificates
    keeps its changes; 1 when either is not so (reported), else 0."""
    left = []
    for body in bodies:
        try:
            event = Event.model_validate_json(body)
        except ValidationError:
            continue  # reported with the chains
        if event.type != ERASE_TYPE and event.erased is None:
            left.append(event.id)
    if has_rows:
        problems.append(
            f"case {case_id}: it is erased, but its projection rows are still held; finish "
            f"the erasure with `notify-tui case erase {case_id}`"
        )
    if left:
        problems.append(
            f"case {case_id}: it is erased, but {len(left)} of its events still hold their "
            f"changes (the first {left[0][:12]}); finish the erasure with "
            f"`notify-tui case erase {case_id}`"
        )
    return int(has_rows or bool(left))


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


class _Placement:
    """Checks, event by event, that each is on a chain it may be on (see
    `notify_tui.store.vault.Vault.chain_for`); collects the problems in the order met.

    Each event's org is its chain's device's; an LA device has no per-LA chains; an
    office device's own chain holds only the partnership's records (and its own access
    log entries about no case) and its chain for an LA only that LA's cases (so what is
    sent to an LA is about that LA only).
    """

    def __init__(self, vault: Vault) -> None:
        db = vault.db
        self._known = {
            str(r[0]): (str(r[1]), str(r[2]))
            for r in db.execute("SELECT device_id, org, role FROM devices")
        }
        self._case_org = {
            str(case_id): str(org) for case_id, org in _stream(db, "SELECT id, org FROM cases")
        }
        for case_id, held in erasure.certificates(vault).items():
            self._case_org.setdefault(case_id, held[0].org)  # the LA that erased it
        self.problems: list[str] = []

    def check(self, event_id: str, chain: str, case_id: str, org: object) -> None:
        """Check one event (`org` is its body's `org`)."""
        device = signing_device(chain)
        if device not in self._known or org is _UNREADABLE:
            return  # reported with the signatures, or with the ids
        device_org, role = self._known[device]
        case_org = self._case_org.get(case_id)
        where = f"event {event_id} (chain {chain}, case {case_id})"
        if org != device_org:
            self.problems.append(f"{where}: claims org {org!r}, but {device} is {device_org}")
        elif role != "office":
            if chain != device:
                self.problems.append(f"{where}: an LA device has no per-LA chains")
        elif (str(case_id).startswith(PARTNERSHIP_PREFIX) or case_id == VAULT_LOG) != (
            chain == device
        ):
            self.problems.append(
                f"{where}: an office's own chain is for the partnership's records only, "
                "its chains per LA for that LA's cases"
            )
        elif (
            chain != device and case_org is not None and chain != office_chain_id(device, case_org)
        ):
            self.problems.append(f"{where}: the case belongs to {case_org}, not this chain's LA")


def chain_placement_problems(vault: Vault) -> list[str]:
    """Events on a chain they may not be on (see `_Placement`), in chain order."""
    placement = _Placement(vault)
    for event_id, chain, case_id, org in _stream(
        vault.db,
        "SELECT id, device, case_id, json_extract(body, '$.org') FROM events ORDER BY device, seq",
    ):
        placement.check(str(event_id), str(chain), str(case_id), org)
    return placement.problems


def check_event_row(
    device: str,
    seq: int,
    event_id: str,
    case_id: str,
    body: str,
    expected_seq: int,
    expected_prev: str | None,
    keys: Mapping[str, Ed25519PublicKey],
    certificates: Mapping[str, Sequence[Certificate]],
) -> str | None:
    """The first problem with one stored event, or None.

    `device` is the chain id (a device id, or an office device's per-LA chain
    `device--la-slug`); `keys` maps device ids to signing keys; `certificates` the ids
    of the erasure certificates held, by case (`store.erasure.held_certificates`)."""
    return _checked_event(
        device, seq, event_id, case_id, body, expected_seq, expected_prev, keys, certificates
    )[1]


def _checked_event(
    device: str,
    seq: int,
    event_id: str,
    case_id: str,
    body: str,
    expected_seq: int,
    expected_prev: str | None,
    keys: Mapping[str, Ed25519PublicKey],
    certificates: Mapping[str, Sequence[Certificate]],
) -> tuple[Event | None, str | None]:
    """(the event parsed, or None; the first problem with it, or None).

    An erased event's id is not the hash of what is left of it: it passes when an
    erasure certificate of its case, the one it names, is held (`domain.erasure`)."""
    try:
        event = Event.model_validate_json(body)
    except ValidationError:
        return None, f"event {event_id}: stored body is not a valid event (tampered)"
    if event.id != event_id or event.device != device or event.seq != seq or event.case != case_id:
        return event, f"event {event_id}: stored columns disagree with its body (tampered)"
    if event.erased is not None:
        unvouched = vouched(
            case_id, event.erased, event.stub_digest(), signing_device(device), certificates,
            sender=None,
        ) or check_erased(event)  # fmt: skip
        if unvouched is not None:
            return event, f"event {event_id}: {unvouched} (tampered)"
    elif not _id_matches(event):
        return event, f"event {event_id}: content does not match its id (tampered)"
    if seq != expected_seq:
        return (
            event,
            f"event {event_id}: device {device} chain skips from {expected_seq - 1} to {seq}",
        )
    if event.prev != expected_prev:
        return event, f"event {event_id}: does not follow the previous event of device {device}"
    key = keys.get(signing_device(device))
    if key is None:
        return event, f"event {event_id}: from unknown device {signing_device(device)}"
    if not event.signature_valid(key):
        return event, f"event {event_id}: signature is not valid (tampered)"
    return event, None


def _id_matches(event: Event) -> bool:
    """`Event.id_matches` without building the body anew: the canonical bytes of every
    field but `id` and `sig`, hashed (the event was validated as it was parsed)."""
    body = event.model_dump(mode="json", exclude={"id", "sig", "erased"})
    return hashlib.sha256(canonical_json(body)).hexdigest() == event.id
