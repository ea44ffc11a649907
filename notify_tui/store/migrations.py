"""Numbered schema migrations, applied in order inside one transaction and recorded."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import sqlite_utils

from notify_tui.domain.people import display_name, normalised_name
from notify_tui.errors import VaultError


def _statements(script: str) -> list[str]:
    """Split a script into complete statements (trigger bodies stay whole)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _m001_initial(db: sqlite_utils.Database) -> None:
    # Statements one by one: executescript() would COMMIT the migration's transaction.
    script = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE identity (
            device_id TEXT PRIMARY KEY,
            org TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('la', 'office')),
            author TEXT NOT NULL,
            signing_key BLOB NOT NULL,
            hpke_key BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE devices (
            device_id TEXT PRIMARY KEY,
            org TEXT NOT NULL,
            role TEXT NOT NULL,
            signing_public TEXT NOT NULL,
            hpke_public TEXT NOT NULL,
            is_self INTEGER NOT NULL DEFAULT 0,
            revoked_at TEXT,
            added_at TEXT NOT NULL
        );
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            device TEXT NOT NULL,
            seq INTEGER NOT NULL,
            prev TEXT,
            at TEXT NOT NULL,
            case_id TEXT NOT NULL,
            type TEXT NOT NULL,
            body TEXT NOT NULL,
            UNIQUE (device, seq)
        );
        CREATE INDEX events_case ON events (case_id);
        CREATE TABLE cases (
            id TEXT PRIMARY KEY,
            kind TEXT,
            org TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            names TEXT NOT NULL,
            initials TEXT NOT NULL,
            outline TEXT NOT NULL,
            outcome TEXT,
            event_date TEXT,
            aware_date TEXT,
            decision TEXT,
            next_due TEXT,
            open_duties INTEGER NOT NULL,
            conflicts TEXT NOT NULL,
            problem TEXT,
            rulepack TEXT NOT NULL,
            advisories TEXT NOT NULL,
            document TEXT NOT NULL
        );
        CREATE INDEX cases_next_due ON cases (next_due);
        CREATE INDEX cases_org ON cases (org);
        CREATE TABLE duties (
            case_id TEXT NOT NULL REFERENCES cases (id),
            duty_id TEXT NOT NULL,
            required INTEGER NOT NULL,
            title TEXT NOT NULL,
            recipients TEXT NOT NULL,
            start TEXT,
            due TEXT,
            deadline TEXT NOT NULL,
            reasons TEXT NOT NULL,
            source TEXT NOT NULL,
            rule_version INTEGER,
            status TEXT NOT NULL,
            sent_on TEXT,
            reference TEXT,
            sent_by TEXT,
            withdrawn_reason TEXT,
            acknowledged_on TEXT,
            PRIMARY KEY (case_id, duty_id)
        );
        CREATE INDEX duties_status_due ON duties (status, due);
        CREATE VIRTUAL TABLE cases_fts USING fts5 (
            names, outline, content='cases', content_rowid='rowid'
        );
        CREATE TRIGGER cases_ai AFTER INSERT ON cases BEGIN
            INSERT INTO cases_fts (rowid, names, outline)
            VALUES (new.rowid, new.names, new.outline);
        END;
        CREATE TRIGGER cases_ad AFTER DELETE ON cases BEGIN
            INSERT INTO cases_fts (cases_fts, rowid, names, outline)
            VALUES ('delete', old.rowid, old.names, old.outline);
        END;
        CREATE TRIGGER cases_au AFTER UPDATE ON cases BEGIN
            INSERT INTO cases_fts (cases_fts, rowid, names, outline)
            VALUES ('delete', old.rowid, old.names, old.outline);
            INSERT INTO cases_fts (rowid, names, outline)
            VALUES (new.rowid, new.names, new.outline);
        END
        """
    for statement in _statements(script):
        db.execute(statement)


def _m002_sync(db: sqlite_utils.Database) -> None:
    # Bundles sent (per peer, numbered), bundles imported (by manifest hash), when this
    # vault first held each device's events up to a point, and peers' receipts.
    script = """
        CREATE TABLE sync_sent (
            peer TEXT NOT NULL,
            seq INTEGER NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL,
            events INTEGER NOT NULL,
            PRIMARY KEY (peer, seq)
        );
        CREATE TABLE sync_imported (
            manifest_sha256 TEXT PRIMARY KEY,
            sender TEXT NOT NULL,
            seq INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            events INTEGER NOT NULL
        );
        CREATE TABLE sync_arrivals (
            device TEXT NOT NULL,
            held_up_to INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (device, held_up_to)
        );
        CREATE TABLE sync_receipts (
            peer TEXT NOT NULL,
            device TEXT NOT NULL,
            held_up_to INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (peer, device, held_up_to)
        )
        """
    for statement in _statements(script):
        db.execute(statement)


def _m003_duty_order(db: sqlite_utils.Database) -> None:
    # The dashboard's default order (undated last, then due, case, duty) straight from an
    # index, so its first page of 100k cases needs no sort: one index per status filter,
    # one for "all" (see notify_tui.views.dashboard).
    script = """
        CREATE INDEX duties_by_status_due ON duties (status, due IS NULL, due, case_id, duty_id);
        CREATE INDEX duties_by_due ON duties (due IS NULL, due, case_id, duty_id, status)
        """
    for statement in _statements(script):
        db.execute(statement)


def _m004_sort_any_column(db: sqlite_utils.Database) -> None:
    # Sorting the dashboard by a column other than the due date sorted every duty joined
    # to its (wide) case row: 1-4 s at 100k cases. `duty_case_sort` keeps, per duty, the
    # case columns the dashboard sorts and filters by, narrow enough to sort 171k rows in
    # tens of milliseconds; triggers keep it in step with `duties` and `cases` (the
    # projection deletes and re-inserts a case's duties on every change). The new duties
    # index covers the duty-side sort keys (title, recipients); duties_by_status_due,
    # its prefix, stays: counting a status filter's rows reads its narrower entries
    # (dropping it made the "due this week" count 21 ms instead of about 6).
    script = """
        CREATE INDEX duties_by_status_sort
            ON duties (status, due IS NULL, due, case_id, duty_id, title, recipients);
        CREATE TABLE duty_case_sort (
            case_id TEXT NOT NULL,
            duty_id TEXT NOT NULL,
            status TEXT NOT NULL,
            due TEXT,
            kind TEXT,
            initials TEXT NOT NULL,
            names TEXT NOT NULL,
            org TEXT NOT NULL,
            PRIMARY KEY (case_id, duty_id)
        ) WITHOUT ROWID;
        INSERT INTO duty_case_sort
            SELECT duties.case_id, duties.duty_id, duties.status, duties.due,
                   cases.kind, cases.initials, cases.names, cases.org
            FROM duties JOIN cases ON cases.id = duties.case_id;
        CREATE TRIGGER duty_case_sort_ai AFTER INSERT ON duties BEGIN
            INSERT OR REPLACE INTO duty_case_sort
                SELECT new.case_id, new.duty_id, new.status, new.due, kind, initials, names, org
                FROM cases WHERE id = new.case_id;
        END;
        CREATE TRIGGER duty_case_sort_ad AFTER DELETE ON duties BEGIN
            DELETE FROM duty_case_sort WHERE case_id = old.case_id AND duty_id = old.duty_id;
        END;
        CREATE TRIGGER duty_case_sort_au AFTER UPDATE ON duties BEGIN
            DELETE FROM duty_case_sort WHERE case_id = old.case_id AND duty_id = old.duty_id;
            INSERT OR REPLACE INTO duty_case_sort
                SELECT new.case_id, new.duty_id, new.status, new.due, kind, initials, names, org
                FROM cases WHERE id = new.case_id;
        END;
        CREATE TRIGGER duty_case_sort_cu AFTER UPDATE OF kind, initials, names, org ON cases BEGIN
            UPDATE duty_case_sort
                SET kind = new.kind, initials = new.initials, names = new.names, org = new.org
                WHERE case_id = new.id;
        END
        """
    for statement in _statements(script):
        db.execute(statement)


REPROJECT_META_KEY = "reproject"
"""Set (to the migration's name) by a migration whose projection columns only a refold of
every case can fill; the Session refolds on its next writing open and clears it."""


def _m005_duty_record(db: sqlite_utils.Database) -> None:
    # The duty record an inspector asks about (issue 13): when each entry was written
    # down (to mark backdated ones), a late send and its reason, a withdrawal awaiting
    # its second person, and corrections. New columns are NULL until the cases are
    # refolded, which needs the rule pack and the settings: the flag asks the Session.
    script = """
        ALTER TABLE duties ADD COLUMN sent_recorded_on TEXT;
        ALTER TABLE duties ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE duties ADD COLUMN late_reason TEXT;
        ALTER TABLE duties ADD COLUMN recorded_late INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE duties ADD COLUMN acknowledged_recorded_on TEXT;
        ALTER TABLE duties ADD COLUMN acknowledged_recorded_late INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE duties ADD COLUMN withdrawal_pending TEXT;
        ALTER TABLE duties ADD COLUMN withdrawal_requested_by TEXT;
        ALTER TABLE duties ADD COLUMN withdrawal_confirmed_by TEXT;
        ALTER TABLE duties ADD COLUMN corrections TEXT NOT NULL DEFAULT '[]'
        """
    for statement in _statements(script):
        db.execute(statement)
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [REPROJECT_META_KEY, json.dumps("migration 5: duty record")],
    )


def _m006_chain_heads(db: sqlite_utils.Database) -> None:
    # Each chain's head (its last sequence number, which is also its length, since a
    # chain is numbered 1, 2, 3… without gaps; the id and case of that event), kept
    # outside `events` so that a deleted newest event still shows: `doctor` compares the
    # last event held of each chain with its head. Advanced in the transaction of every
    # event insert (`Vault.record`, `Vault.insert_foreign`), one upsert per chain; a
    # head only moves forward. Filled here from the events already held.
    script = """
        CREATE TABLE chain_heads (
            device TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            id TEXT NOT NULL,
            case_id TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO chain_heads (device, seq, id, case_id)
            SELECT device, seq, id, case_id FROM events AS e
            WHERE seq = (SELECT max(seq) FROM events WHERE device = e.device)
        """
    for statement in _statements(script):
        db.execute(statement)


def _m007_per_subject_duties(db: sqlite_utils.Database) -> None:
    # Per-child duties (CDOP, looked-after and care-leaver death notifications) are owed
    # once per subject (issue 14): `cdop-notification@2` is the second subject's, and the
    # bare id stays the first's, so no event is rewritten. `subject` says whose a duty is
    # (its 1-based place in the case's subjects; NULL for a duty owed once per incident).
    # A case of several subjects gains rows only a refold can make: the flag asks the
    # Session to refold every case.
    db.execute("ALTER TABLE duties ADD COLUMN subject INTEGER")
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [REPROJECT_META_KEY, json.dumps("migration 7: per-subject duties")],
    )


def _m008_drafts(db: sqlite_utils.Database) -> None:
    # Forms being typed (issue 12): a draft keeps what a person typed into a form that
    # records something, inside the encrypted vault, so a lock, a quit or a killed
    # process loses nothing. A draft is not an event: it is never signed, chained,
    # folded, exported or counted; `revision` lets a slower write never replace a newer.
    db.execute(
        """
        CREATE TABLE drafts (
            id TEXT PRIMARY KEY,
            form TEXT NOT NULL,
            title TEXT NOT NULL,
            label TEXT NOT NULL,
            case_id TEXT,
            body TEXT NOT NULL,
            revision INTEGER NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )


def _m009_peer_statements(db: sqlite_utils.Database) -> None:
    # Receipts tied to bundles (issue 16): what each peer holds is what the receipts of the
    # last bundle imported from it say (its latest statement), not the highest receipt it
    # ever sent, so a peer restored from an old backup is sent again what it lost. One row
    # per (peer, chain), replaced as a whole on every import from that peer. Filled here
    # from the highest receipts, which is what the export used until now.
    script = """
        CREATE TABLE sync_statements (
            peer TEXT NOT NULL,
            chain TEXT NOT NULL,
            held_up_to INTEGER NOT NULL,
            manifest_sha256 TEXT,
            PRIMARY KEY (peer, chain)
        ) WITHOUT ROWID;
        INSERT INTO sync_statements (peer, chain, held_up_to, manifest_sha256)
            SELECT peer, device, max(held_up_to), NULL FROM sync_receipts GROUP BY peer, device
        """
    for statement in _statements(script):
        db.execute(statement)


def _m011_users(db: sqlite_utils.Database) -> None:
    # Named users (issue 15): each has a passphrase slot in keyslots.json (named there only
    # by an opaque id) and a row here, inside the encrypted database, with their role.
    # `key` is the name as compared (`people.normalised_name`), so "A. Lead" and
    # "a.  lead" are one user. A removed user's row stays, with who removed them and
    # when: the audit trail names them. The vault's first user (the author recorded at
    # `init`) becomes its admin.
    script = """
        CREATE TABLE users (
            key TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            added_at TEXT NOT NULL,
            added_by TEXT NOT NULL,
            removed_at TEXT,
            removed_by TEXT
        ) WITHOUT ROWID
        """
    for statement in _statements(script):
        db.execute(statement)
    # Who made each bundle sent (the export is logged here, not as an event: an event per
    # export would itself need exporting, and syncing would never come to rest).
    db.execute("ALTER TABLE sync_sent ADD COLUMN made_by TEXT")
    # Access log and people entries made while this device's chain may not grow (the
    # catch-up after a restore): held here, in order, and written to the chain, with
    # their own time and author, as soon as it may.
    db.execute(
        "CREATE TABLE held_log (id INTEGER PRIMARY KEY, chain TEXT NOT NULL, "
        "case_id TEXT NOT NULL, type TEXT NOT NULL, author TEXT NOT NULL, at TEXT NOT NULL, "
        "changes TEXT NOT NULL)"
    )
    row = db.execute("SELECT author, created_at FROM identity").fetchone()
    if row is not None:
        name = display_name(str(row[0]))
        db.execute(
            "INSERT INTO users (key, name, role, added_at, added_by) VALUES (?, ?, 'admin', ?, ?)",
            [normalised_name(name), name, row[1], name],
        )


def _m012_covering_indexes(db: sqlite_utils.Database) -> None:
    # Reads that stay flat at a decade's scale (issue 19): each list reads narrow index
    # entries in the order it shows instead of wide rows (a case row carries its whole
    # document, a duty row its reasons and sources) scattered over a vault far larger
    # than the page cache. `cases_list` holds every column `case list` shows, in its
    # order (soonest next deadline first, undated last, then by id); `cases_org_by_id`
    # gives a duty its case's LA without reading the case row; `duties_report` holds
    # what the report counts, with open duties in the report's order (undated last,
    # then due, case, duty); `cases_by_outcome` finds the deaths of a period without
    # reading any other case.
    script = """
        CREATE INDEX cases_list ON cases (
            next_due IS NULL, next_due, id, kind, org, initials, names, open_duties,
            decision, conflicts, created_at, event_date, aware_date, outcome
        );
        CREATE INDEX cases_org_by_id ON cases (id, org);
        CREATE INDEX duties_report ON duties (
            status, due IS NULL, due, case_id, duty_id, required, start, sent_on, late
        );
        CREATE INDEX cases_by_outcome ON cases (outcome, event_date, org)
        """
    for statement in _statements(script):
        db.execute(statement)


def _m014_holds(db: sqlite_utils.Database) -> None:
    # Legal holds (issue 18) are events; a partial index finds them without reading
    # every event, and costs other events' inserts only the test of their type.
    db.execute("CREATE INDEX events_holds ON events (case_id) WHERE type = 'hold.recorded'")


def _m015_erasure(db: sqlite_utils.Database) -> None:
    # Erasure (issue 18): certificates (`case.erased`) found without reading every event,
    # and search's index told to take a deleted row's words out of its pages at once
    # (FTS5 `secure-delete`), not merely mark them deleted until the next merge.
    db.execute("CREATE INDEX events_erasures ON events (case_id) WHERE type = 'case.erased'")
    db.execute("INSERT INTO cases_fts (cases_fts, rank) VALUES ('secure-delete', 1)")


MIGRATIONS: list[tuple[int, str, Callable[[sqlite_utils.Database], None]]] = [
    (1, "initial schema", _m001_initial),
    (2, "sync: bundles sent and imported, arrivals, receipts", _m002_sync),
    (3, "dashboard: indexes for the duty order", _m003_duty_order),
    (4, "dashboard: sort by any column without sorting wide rows", _m004_sort_any_column),
    (5, "duties: recorded-on dates, lateness, pending withdrawals, corrections", _m005_duty_record),
    (6, "doctor: each chain's head, outside the events", _m006_chain_heads),
    (7, "duties: per-child duties once per subject, and whose each is", _m007_per_subject_duties),
    (8, "drafts: forms being typed, kept in the vault", _m008_drafts),
    (9, "sync: each peer's latest statement of what it holds", _m009_peer_statements),
    (11, "people: named users with roles", _m011_users),
    (12, "reads: covering indexes for lists, deadlines and reports", _m012_covering_indexes),
    (14, "retention: legal holds found without reading every event", _m014_holds),
    (15, "erasure: certificates found at once; search forgets deleted words", _m015_erasure),
]
"""Every migration, in ascending number (gaps allowed). Append; never edit a released one."""


def pending(db: sqlite_utils.Database) -> list[int]:
    """Numbers of migrations not yet applied."""
    if not db["migrations"].exists():
        return [number for number, _, _ in MIGRATIONS]
    applied = {row[0] for row in db.execute("SELECT number FROM migrations")}
    return [number for number, _, _ in MIGRATIONS if number not in applied]


def migrate(db: sqlite_utils.Database, now: str) -> list[int]:
    """Apply pending migrations in one transaction; return their numbers."""
    todo = pending(db)
    if not todo:
        return []
    latest = MIGRATIONS[-1][0]
    if db["migrations"].exists():
        newest = db.execute("SELECT max(number) FROM migrations").fetchone()[0] or 0
        if newest > latest:
            raise VaultError(
                f"this vault was written by a newer notify-tui (schema {newest}); upgrade first"
            )
    with db.atomic():
        db.execute(
            "CREATE TABLE IF NOT EXISTS migrations "
            "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        for number, name, step in MIGRATIONS:
            if number in todo:
                step(db)
                db.execute(
                    "INSERT INTO migrations (number, name, applied_at) VALUES (?, ?, ?)",
                    [number, name, now],
                )
    return todo
