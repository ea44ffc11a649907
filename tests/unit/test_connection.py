"""The encrypted connection: keying, pragmas, refusals, and sqlite-utils on SQLCipher.

Every test uses a real SQLCipher file under `tmp_path`, never an in-memory plain
database: sqlite-utils behaves differently with `sqlcipher3`'s exception classes.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3
import sqlite_utils
from sqlcipher3 import dbapi2

from notify_tui.errors import IntegrityError, VaultError, VaultLocked, WrongPassphrase
from notify_tui.store import connection
from notify_tui.store.connection import APPLICATION_ID, open_database, translate_errors

SENTINEL = "ZZ-SENTINEL-Amelia-Quartermaine-1987"
PACKAGE = Path(connection.__file__).resolve().parents[1]


@pytest.fixture
def key() -> bytes:
    """A fresh random data key."""
    return os.urandom(32)


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    """Where the test vault lives (not created yet)."""
    return tmp_path / "vault.db"


@pytest.fixture
def db(vault_path: Path, key: bytes) -> Iterator[sqlite_utils.Database]:
    """A new encrypted vault, open."""
    database = open_database(vault_path, key, create=True)
    yield database
    database.close()


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file in `directory` with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def assert_one_line(error: BaseException) -> None:
    """A user-facing message is a single, non-empty line."""
    message = str(error)
    assert message and "\n" not in message


# --- opening, keying, pragmas -------------------------------------------------------------


def test_create_then_reopen_with_the_same_key(vault_path: Path, key: bytes) -> None:
    """Rows written in one session are read back in the next."""
    db = open_database(vault_path, key, create=True)
    db.table("cases").insert({"id": 1, "name": "first"}, pk="id")
    db.close()
    reopened = open_database(vault_path, key)
    assert list(reopened.table("cases").rows) == [{"id": 1, "name": "first"}]
    reopened.close()


def test_pragmas_are_applied(db: sqlite_utils.Database) -> None:
    """The connection runs SQLCipher 4 with the safety pragmas the design requires."""

    def pragma(name: str) -> object:
        return db.execute(f"PRAGMA {name}").fetchone()[0]

    assert str(pragma("cipher_version")).startswith("4.")
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("secure_delete") == 1
    assert pragma("temp_store") == 2  # MEMORY
    assert pragma("application_id") == APPLICATION_ID
    assert db.conn.in_transaction is False


def test_returns_sqlite_utils_database_on_a_sqlcipher_connection(
    db: sqlite_utils.Database,
) -> None:
    """The wrapper is sqlite-utils over a sqlcipher3 connection, never a stdlib one."""
    assert isinstance(db, sqlite_utils.Database)
    assert isinstance(db.conn, sqlcipher3.Connection)
    assert not isinstance(db.conn, sqlite3.Connection)


def test_key_must_be_32_bytes(vault_path: Path) -> None:
    """A key of the wrong length is a programming error and creates nothing."""
    with pytest.raises(ValueError):
        open_database(vault_path, b"short", create=True)
    assert not vault_path.parent.joinpath("vault.db").exists()


# --- no plaintext on disk -------------------------------------------------------------------


def test_sentinel_never_reaches_any_file(vault_path: Path, key: bytes) -> None:
    """A case value is in no file of the directory, while open (WAL) or after close."""
    db = open_database(vault_path, key, create=True)
    db.create_table("cases", {"id": int, "outline": str}, pk="id")
    db.table("cases").insert_all(
        ({"id": i, "outline": f"{SENTINEL} row {i} " + "x" * 200} for i in range(300)),
    )
    db.table("cases").enable_fts(["outline"], create_triggers=True)
    assert len(list(db.table("cases").search("SENTINEL"))) == 300
    # A sort big enough to need a temporary b-tree (kept in memory by temp_store).
    list(db.query("SELECT outline FROM cases ORDER BY outline DESC"))
    directory = vault_path.parent
    files_while_open = snapshot(directory)
    assert set(files_while_open) == {"vault.db", "vault.db-wal", "vault.db-shm"}
    assert len(files_while_open["vault.db-wal"]) > 0, "the WAL must hold data for this test"
    for name, content in files_while_open.items():
        assert SENTINEL.encode() not in content, name
        assert SENTINEL.encode("utf-16-le") not in content, name
        assert key not in content and key.hex().encode() not in content, name
    db.close()
    files_after_close = snapshot(directory)
    assert set(files_after_close) == {"vault.db"}
    for name, content in files_after_close.items():
        assert SENTINEL.encode() not in content, name
        assert not content.startswith(b"SQLite format 3"), name
    reopened = open_database(vault_path, key)
    assert reopened.execute("SELECT count(*) FROM cases").fetchone()[0] == 300
    reopened.close()


def test_vault_files_are_private(
    vault_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database, -wal and -shm files are 0600 even under a permissive umask."""
    old_umask = os.umask(0o022)
    try:
        db = open_database(vault_path, key, create=True)
        db.table("t").insert({"a": 1})
        for suffix in ("", "-wal", "-shm"):
            mode = stat.S_IMODE(os.stat(f"{vault_path}{suffix}").st_mode)
            assert mode == 0o600, suffix
        db.close()
    finally:
        os.umask(old_umask)


# --- refusals ---------------------------------------------------------------------------------


def test_wrong_key_is_refused_without_touching_anything(vault_path: Path, key: bytes) -> None:
    """A wrong key gives one line, creates no -wal/-shm and changes no byte."""
    db = open_database(vault_path, key, create=True)
    db.table("cases").insert({"id": 1, "outline": SENTINEL}, pk="id")
    db.close()
    before = snapshot(vault_path.parent)
    other_key = os.urandom(32)
    with pytest.raises(WrongPassphrase) as caught:
        open_database(vault_path, other_key)
    assert_one_line(caught.value)
    assert "does not open vault.db" in str(caught.value)
    for secret in (key.hex(), other_key.hex(), SENTINEL):
        assert secret not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert snapshot(vault_path.parent) == before


def test_missing_vault_is_refused_and_not_created(tmp_path: Path, key: bytes) -> None:
    """Opening a vault that does not exist creates no file at all."""
    missing = tmp_path / "nested" / "vault.db"
    with pytest.raises(VaultError) as caught:
        open_database(missing, key)
    assert_one_line(caught.value)
    assert "no vault at" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_vault_deleted_while_opening_is_not_recreated(
    vault_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite is opened with mode=rw, so it never creates the file itself."""
    db = open_database(vault_path, key, create=True)
    db.close()

    def delete_it(path: Path) -> None:
        path.unlink()

    monkeypatch.setattr(connection, "_check_looks_like_vault", delete_it)
    with pytest.raises(VaultError, match="could not open vault.db"):
        open_database(vault_path, key)
    assert list(vault_path.parent.iterdir()) == []


def test_plaintext_sqlite_file_is_refused(vault_path: Path, key: bytes) -> None:
    """An unencrypted SQLite file is named as such and left alone."""
    plain = sqlite3.connect(vault_path)
    plain.execute("CREATE TABLE t (x)")
    plain.commit()
    plain.close()
    before = snapshot(vault_path.parent)
    with pytest.raises(IntegrityError, match="unencrypted SQLite file") as caught:
        open_database(vault_path, key)
    assert_one_line(caught.value)
    assert snapshot(vault_path.parent) == before


@pytest.mark.parametrize("size", [0, 100, 5000])
def test_file_that_cannot_be_a_vault_is_refused(vault_path: Path, key: bytes, size: int) -> None:
    """Empty or oddly sized files are 'not a notify-tui vault or corrupted'."""
    vault_path.write_bytes(os.urandom(size))
    before = snapshot(vault_path.parent)
    with pytest.raises(IntegrityError, match="not a notify-tui vault or is corrupted"):
        open_database(vault_path, key)
    assert snapshot(vault_path.parent) == before


def test_random_pages_are_refused_like_a_wrong_key(vault_path: Path, key: bytes) -> None:
    """Page-sized random bytes cannot be told from a wrong key: refused, untouched."""
    vault_path.write_bytes(os.urandom(8192))
    before = snapshot(vault_path.parent)
    with pytest.raises(WrongPassphrase):
        open_database(vault_path, key)
    assert snapshot(vault_path.parent) == before


def test_other_sqlcipher_database_is_not_a_vault(vault_path: Path, key: bytes) -> None:
    """An encrypted database without notify-tui's application id is refused."""
    other = sqlcipher3.connect(str(vault_path))
    other.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    with pytest.raises(IntegrityError, match="not a notify-tui vault"):
        open_database(vault_path, key)


def test_create_takes_over_an_empty_file(vault_path: Path, key: bytes) -> None:
    """A zero-byte file left by an interrupted create is initialised by create=True."""
    vault_path.touch()
    db = open_database(vault_path, key, create=True)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    db.close()
    assert vault_path.stat().st_size > 0


def test_failed_create_leaves_no_file(
    vault_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a new vault cannot be set up, the half-made file is removed."""
    monkeypatch.setattr(connection, "SQLCIPHER_MAJOR_VERSION", 99)
    with pytest.raises(VaultError, match="needs version 99") as caught:
        open_database(vault_path, key, create=True)
    assert_one_line(caught.value)
    assert list(vault_path.parent.iterdir()) == []


# --- translate_errors -------------------------------------------------------------------------


def test_constraint_violation_names_columns_not_values(db: sqlite_utils.Database) -> None:
    """A UNIQUE violation becomes one line with the column name and no value."""
    db.create_table("cases", {"id": int, "outline": str}, pk="id")
    db.table("cases").insert({"id": 1, "outline": SENTINEL})
    with pytest.raises(VaultError) as caught, translate_errors():
        db.table("cases").insert({"id": 1, "outline": SENTINEL})
    assert_one_line(caught.value)
    assert "UNIQUE constraint failed: cases.id" in str(caught.value)
    assert SENTINEL not in str(caught.value)
    assert not db.conn.in_transaction


def test_check_constraint_expression_is_not_quoted(db: sqlite_utils.Database) -> None:
    """A CHECK message (which may hold literals) is reduced to its kind."""
    db.execute("CREATE TABLE t (status TEXT CHECK (status IN ('open', 'closed')))")
    with pytest.raises(VaultError) as caught, translate_errors():
        db.execute("INSERT INTO t VALUES (?)", [SENTINEL])
    assert "constraint failed" in str(caught.value)
    assert "open" not in str(caught.value) and SENTINEL not in str(caught.value)


def test_sql_error_is_reported_as_a_bug_without_the_sql(db: sqlite_utils.Database) -> None:
    """A bad statement becomes a one-line VaultError naming only the SQLite error."""
    with pytest.raises(VaultError) as caught, translate_errors():
        db.execute(f"SELECT * FROM no_such_table_{SENTINEL.replace('-', '_')}")
    assert_one_line(caught.value)
    assert "SQLITE_ERROR" in str(caught.value) and "bug" in str(caught.value)
    assert "SENTINEL" not in str(caught.value)


def test_stdlib_sqlite3_errors_are_translated_too() -> None:
    """sqlite-utils raises stdlib sqlite3 errors itself (e.g. transform's FK check)."""
    with pytest.raises(VaultError, match="FOREIGN KEY constraint failed"), translate_errors():
        raise sqlite3.IntegrityError("FOREIGN KEY constraint failed")


def test_translate_errors_works_as_a_decorator(db: sqlite_utils.Database) -> None:
    """`@translate_errors()` wraps a function."""

    @translate_errors()
    def broken() -> None:
        db.execute("SELEC 1")

    with pytest.raises(VaultError):
        broken()


def test_busy_database_becomes_vault_locked(vault_path: Path, key: bytes) -> None:
    """A write blocked by another connection's transaction becomes VaultLocked."""
    first = open_database(vault_path, key, create=True)
    first.table("t").insert({"a": 1})
    second = open_database(vault_path, key)
    second.execute("PRAGMA busy_timeout = 0")
    first.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(VaultLocked) as caught, translate_errors():
            second.table("t").insert({"a": 2})
        assert_one_line(caught.value)
    finally:
        first.execute("ROLLBACK")
        first.close()
        second.close()


def test_corruption_becomes_integrity_error() -> None:
    """SQLITE_NOTADB / SQLITE_CORRUPT raised mid-session map to IntegrityError."""
    error = dbapi2.DatabaseError("file is not a database")
    error.sqlite_errorcode = 26
    error.sqlite_errorname = "SQLITE_NOTADB"
    with pytest.raises(IntegrityError, match="restore it from a backup"), translate_errors():
        raise error


# --- sqlite-utils calls the store relies on (safe with sqlcipher3) ----------------------------


def test_create_table_and_exists(db: sqlite_utils.Database) -> None:
    """`create_table` (with if_not_exists) and `table.exists()` work."""
    assert not db.table("cases").exists()
    db.create_table("cases", {"id": str, "opened": str, "n": int}, pk="id")
    db.create_table("cases", {"id": str}, pk="id", if_not_exists=True)
    assert db.table("cases").exists()
    assert db.table_names() == ["cases"]
    assert db.table("cases").columns_dict == {"id": str, "opened": str, "n": int}
    db.table("cases").insert({"id": "a", "n": 1})
    db.create_table("cases", {"id": str, "n": int}, pk="id", replace=True)
    assert db.table("cases").count == 0 and list(db.table("cases").columns_dict) == ["id", "n"]
    db.executescript("CREATE TABLE s (a); INSERT INTO s VALUES (1); INSERT INTO s VALUES (2);")
    assert [row["a"] for row in db.table("s").rows_where("a > ?", [1])] == [2]
    assert not db.conn.in_transaction


def test_insert_all_and_upsert_all(db: sqlite_utils.Database) -> None:
    """Batch inserts and upserts into existing columns, with replace and ignore."""
    db.create_table("cases", {"id": str, "outline": str, "n": int}, pk="id")
    table = db.table("cases")
    table.insert_all([{"id": f"c{i}", "outline": "a", "n": i} for i in range(250)], batch_size=50)
    table.upsert_all([{"id": "c1", "outline": "b"}, {"id": "c4", "outline": "b"}], pk="id")
    table.upsert_all([{"id": "new", "outline": "c", "n": 0}], pk="id")
    table.insert_all([{"id": "c2", "outline": "ignored", "n": 9}], ignore=True)
    table.insert_all([{"id": "c3", "outline": "replaced", "n": 9}], replace=True)
    assert table.count == 251
    assert table.get("c1") == {"id": "c1", "outline": "b", "n": 1}
    assert table.get("c2")["outline"] == "a"
    assert table.get("c3")["outline"] == "replaced"
    assert db.table("tags").lookup({"name": "urgent"}) == 1
    assert db.table("tags").lookup({"name": "urgent"}) == 1


def test_execute_and_query(db: sqlite_utils.Database) -> None:
    """`execute` commits plain writes; `query` reads rows as dicts."""
    db.execute("CREATE TABLE t (a INTEGER, b TEXT)")
    db.execute("INSERT INTO t VALUES (?, ?)", [1, "one"])
    db.execute("INSERT INTO t VALUES (:a, :b)", {"a": 2, "b": "two"})
    assert not db.conn.in_transaction
    assert list(db.query("SELECT * FROM t ORDER BY a")) == [
        {"a": 1, "b": "one"},
        {"a": 2, "b": "two"},
    ]
    assert list(db.query("PRAGMA user_version")) == [{"user_version": 0}]


def test_atomic_commits_rolls_back_and_nests(vault_path: Path, db: sqlite_utils.Database) -> None:
    """sqlite-utils 4 has `db.atomic()`; it works (nested = savepoint) on SQLCipher."""
    db.create_table("t", {"a": int})
    with db.atomic():
        db.table("t").insert({"a": 1})
        with db.atomic():
            db.table("t").insert({"a": 2})
    with pytest.raises(RuntimeError), db.atomic():
        db.table("t").insert({"a": 3})
        raise RuntimeError("undo")
    with db.atomic():
        db.table("t").insert({"a": 4})
        with pytest.raises(RuntimeError), db.atomic():
            db.table("t").insert({"a": 5})
            raise RuntimeError("undo inner only")
    assert not db.conn.in_transaction
    assert [row["a"] for row in db.table("t").rows] == [1, 2, 4]


def test_returning_via_execute_inside_atomic(vault_path: Path, key: bytes) -> None:
    """The safe way to run INSERT ... RETURNING: `db.execute` inside `db.atomic()`."""
    db = open_database(vault_path, key, create=True)
    db.create_table("t", {"id": int, "a": str}, pk="id")
    with db.atomic():
        ids = db.execute("INSERT INTO t (a) VALUES ('x'), ('y') RETURNING id").fetchall()
    assert [row[0] for row in ids] == [1, 2]
    assert not db.conn.in_transaction
    db.close()
    reopened = open_database(vault_path, key)
    assert reopened.table("t").count == 2
    reopened.close()


def test_enable_fts_and_search(db: sqlite_utils.Database) -> None:
    """Full-text search with triggers keeps the index current."""
    db.create_table("cases", {"id": int, "outline": str}, pk="id")
    db.table("cases").insert_all(
        [{"id": 1, "outline": "fell from height"}, {"id": 2, "outline": "x"}]
    )
    db.table("cases").enable_fts(["outline"], create_triggers=True)
    db.table("cases").insert({"id": 3, "outline": "height again"})
    assert sorted(row["id"] for row in db.table("cases").search("height")) == [1, 3]
    assert db.table("cases").detect_fts() == "cases_fts"


def test_schema_changes(db: sqlite_utils.Database) -> None:
    """add_column, create_index, add_foreign_key and transform work."""
    db.create_table("cases", {"id": int, "n": str}, pk="id")
    db.create_table("duties", {"id": int, "case_id": int}, pk="id")
    db.table("cases").add_column("opened", str)
    db.table("cases").create_index(["opened"])
    db.table("duties").add_foreign_key("case_id", "cases", "id")
    db.table("cases").insert({"id": 1, "n": "5"})
    db.table("cases").transform(types={"n": int})
    assert db.table("cases").columns_dict["n"] is int
    assert db.table("duties").foreign_keys[0].other_table == "cases"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert not db.conn.in_transaction


def test_foreign_keys_are_enforced(db: sqlite_utils.Database) -> None:
    """`PRAGMA foreign_keys = ON` is in force on the returned connection."""
    db.create_table("cases", {"id": int}, pk="id")
    db.create_table(
        "duties", {"id": int, "case_id": int}, pk="id", foreign_keys=[("case_id", "cases", "id")]
    )
    with pytest.raises(VaultError, match="FOREIGN KEY"), translate_errors():
        db.table("duties").insert({"id": 1, "case_id": 99})


def test_feature_probes_and_maintenance(db: sqlite_utils.Database) -> None:
    """Probes whose stdlib except-clauses never fire on SQLCipher's SQLite, and VACUUM."""
    assert db.supports_strict is True
    assert db.supports_on_conflict is True
    db.register_function(lambda value: value, name="identity", deterministic=True)
    assert db.execute("SELECT identity(7)").fetchone()[0] == 7
    db.table("t").insert({"a": 1})
    db.vacuum()
    db.enable_wal()
    assert db.journal_mode == "wal"


# --- sqlite-utils calls that are NOT safe with sqlcipher3 (keep the docstring honest) --------


def test_alter_with_a_new_column_fails(db: sqlite_utils.Database) -> None:
    """`alter=True` cannot add columns: its stdlib except-clause misses sqlcipher3's error."""
    db.create_table("cases", {"id": int}, pk="id")
    with pytest.raises(dbapi2.OperationalError, match="no column named extra"):
        db.table("cases").insert_all([{"id": 1, "extra": 1}], alter=True)
    with pytest.raises(dbapi2.OperationalError, match="no column named extra"):
        db.table("cases").upsert_all([{"id": 1, "extra": 1}], pk="id", alter=True)
    db.table("cases").insert({"id": 1})
    with pytest.raises(dbapi2.OperationalError, match="no such column"):
        db.table("cases").update(1, {"extra": 1}, alter=True)
    assert "extra" not in db.table("cases").columns_dict
    assert not db.conn.in_transaction


def test_query_with_returning_leaves_a_transaction_open(db: sqlite_utils.Database) -> None:
    """`db.query` on a write leaves the connection inside a transaction: never use it."""
    db.create_table("t", {"id": int}, pk="id")
    with pytest.raises(dbapi2.OperationalError, match="cannot release savepoint"):
        db.query("INSERT INTO t (id) VALUES (1) RETURNING id")
    assert db.conn.in_transaction
    db.rollback()


def test_ignore_and_unique_name_helpers_fail(db: sqlite_utils.Database) -> None:
    """drop(ignore=True), create_index(find_unique_name=True) and cached_counts() raise."""
    with pytest.raises(dbapi2.OperationalError):
        db.table("missing").drop(ignore=True)
    with pytest.raises(dbapi2.OperationalError):
        db.cached_counts()
    db.create_table("t", {"a": int})
    db.table("t").create_index(["a"])
    with pytest.raises(dbapi2.OperationalError, match="already exists"):
        db.table("t").create_index(["a"], find_unique_name=True)
    db.execute("DROP TABLE IF EXISTS missing")  # the safe spelling


# --- boundaries -----------------------------------------------------------------------------


def test_only_connection_module_calls_sqlcipher_connect() -> None:
    """No other module in the package opens a SQLCipher connection."""
    pattern = re.compile(r"sqlcipher3\s*\.\s*(dbapi2\s*\.\s*)?connect|import\s+connect")
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "connection.py" or path.parent.name != "store"
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_store_modules_do_not_import_textual() -> None:
    """The store's low-level modules load without Textual."""
    code = (
        "import sys\n"
        "import notify_tui.store.connection, notify_tui.store.keyslots\n"
        "import notify_tui.store.lock, notify_tui.store.files\n"
        "assert not any(m == 'textual' or m.startswith('textual.') for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE.parent)
