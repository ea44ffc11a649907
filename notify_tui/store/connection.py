"""The one place that opens the encrypted vault database.

`open_database` is the only caller of `sqlcipher3.connect` in notify-tui. It keys the
connection with the raw 256-bit data key (no SQLCipher KDF: the key slots already did
the slow work), applies the pragmas that keep plaintext off the disk, checks the key,
and hands back a `sqlite_utils.Database` wrapping the connection.

`translate_errors` turns `sqlcipher3` (and stdlib `sqlite3`) exceptions into the
one-line `notify_tui.errors` types. Messages never quote SQL values.

sqlite-utils and sqlcipher3
---------------------------
sqlite-utils 4 catches the *stdlib* `sqlite3` exception classes in a few places to
recover from an expected error. A `sqlcipher3` connection raises its own, unrelated
classes (`sqlcipher3.dbapi2.OperationalError` is not a `sqlite3.OperationalError`), so
those recovery paths never run: the call fails instead. Checked against sqlite-utils
4.2 with an encrypted file (see `tests/unit/test_connection.py`).

Safe (no stdlib exception handling on their path, or the handled error cannot occur
with the SQLite bundled in SQLCipher 4):

- `db.execute`, `db.executescript`, `db.query` for SELECT and PRAGMA;
- `db.atomic()` (BEGIN/COMMIT/ROLLBACK, nested blocks as savepoints);
- `db.create_table` (and `if_not_exists=True` / `replace=True`), `table.create`;
- `table.insert` / `insert_all` / `upsert` / `upsert_all` into existing columns,
  including `pk=`, `replace=True`, `ignore=True`, `batch_size=`; `table.lookup`;
- `table.exists()`, `db.table_names()`, `table.columns_dict`, `table.count_where`,
  `table.rows_where`, `table.get`;
- `table.enable_fts(..., create_triggers=True)`, `table.search`, `table.search_sql`;
- `table.create_index` without `find_unique_name`, `table.add_column`,
  `table.add_foreign_key`, `table.transform` (its foreign-key check raises a stdlib
  `sqlite3.IntegrityError`, which `translate_errors` also maps);
- `db.register_function(deterministic=True)`, `db.supports_strict`,
  `db.supports_on_conflict`, `db.enable_wal()`, `db.vacuum()` (outside a transaction).

Unsafe (raise `sqlcipher3` errors where stdlib `sqlite3` would have been handled):

- `insert` / `insert_all` / `upsert` / `upsert_all` / `update` with `alter=True` *when
  a row has a new column*: the "no such column" error is not caught, so the column is
  never added. Create columns explicitly in a numbered migration instead.
- `db.query()` on a statement with `RETURNING` (or any write): the savepoint release
  fails and the connection is LEFT INSIDE AN OPEN TRANSACTION, so later writes are
  silently lost on close. Run such statements with `db.execute(...).fetchall()` inside
  `db.atomic()`.
- `table.drop(ignore=True)` / `view.drop(ignore=True)` on a missing table or view:
  raises; use `DROP TABLE IF EXISTS` through `db.execute`.
- `table.create_index(..., find_unique_name=True)` when the name is taken: raises.
- `db.cached_counts()` before `enable_counts()`: raises instead of returning `{}`.

Pass a `Database` made here to the store; never build one with `Database(path)`.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import sqlcipher3
import sqlite_utils
from sqlcipher3 import dbapi2

from notify_tui.errors import IntegrityError, VaultError, VaultLocked, WrongPassphrase
from notify_tui.store.private_files import make_private, open_private

CACHE_KIB: Final = 65536
"""The smallest page cache per connection, in KiB (decrypted pages are kept in memory
only, and only those read: a cache is as large as what was read, up to its size)."""

MAX_CACHE_KIB: Final = 524288
"""The largest page cache per connection, in KiB (512 MiB)."""


def cache_kib(file_bytes: int) -> int:
    """The page cache for a vault file of `file_bytes`: half of it, at least `CACHE_KIB`,
    at most `MAX_CACHE_KIB`.

    The reads people repeat (lists, deadlines, reports, the dashboard) touch the
    projection, its indexes and some case documents, not the event bodies (about half
    of the file); a cache that holds them reads each page from disk, and decrypts it,
    once. A decade's vault of 100,000 cases (about 750 MiB) fell out of 64 MiB: every
    list decrypted its pages again."""
    return max(CACHE_KIB, min(MAX_CACHE_KIB, file_bytes // 2048))


DATA_KEY_BYTES: Final = 32
"""Length of the raw SQLCipher data key (256 bits)."""

APPLICATION_ID: Final = 0x4E545549
"""`PRAGMA application_id` of every notify-tui vault ("NTUI"), set when it is created."""

SQLCIPHER_MAJOR_VERSION: Final = 4
"""The SQLCipher major version whose defaults (page size, HMAC, KDF-less raw key) we use."""

_PAGE_SIZE: Final = 4096
_PLAINTEXT_SQLITE_HEADER: Final = b"SQLite format 3\x00"
_SIDECAR_SUFFIXES: Final = ("-wal", "-shm", "-journal")

# SQLite primary result codes (the low byte of an extended code).
_SQLITE_PERM: Final = 3
_SQLITE_BUSY: Final = 5
_SQLITE_LOCKED: Final = 6
_SQLITE_NOMEM: Final = 7
_SQLITE_READONLY: Final = 8
_SQLITE_IOERR: Final = 10
_SQLITE_CORRUPT: Final = 11
_SQLITE_FULL: Final = 13
_SQLITE_CANTOPEN: Final = 14
_SQLITE_CONSTRAINT: Final = 19
_SQLITE_NOTADB: Final = 26

# A constraint message is safe to show only when it names identifiers, never values.
_SAFE_CONSTRAINT_MESSAGE: Final = re.compile(
    r"(UNIQUE|NOT NULL|CHECK|FOREIGN KEY|PRIMARY KEY) constraint failed(: [A-Za-z0-9_., ]+)?"
)

_DRIVER_ERRORS: Final = (dbapi2.Error, sqlite3.Error)
DRIVER_ERRORS: Final = _DRIVER_ERRORS
"""The database driver's exceptions, for a check that reports one instead of stopping."""


def open_database(path: Path, key: bytes, *, create: bool = False) -> sqlite_utils.Database:
    """Open (or with `create=True`, create if missing) the encrypted vault at `path`.

    `key` is the raw 32-byte data key from the key slots. Raises:

    - `VaultError` if the file is missing and `create` is false (no file is created),
      or the SQLCipher library is not version 4;
    - `WrongPassphrase` if the key does not open the file;
    - `IntegrityError` if the file is not a notify-tui vault or is corrupted.

    A failed open creates no file (no database, `-wal` or `-shm`) and changes no byte.
    """
    if len(key) != DATA_KEY_BYTES:
        raise ValueError(f"the data key must be {DATA_KEY_BYTES} bytes")
    created = False
    if not os.path.lexists(path):
        if not create:
            raise VaultError(
                f"no vault at {path}: check the data directory, or create a vault first"
            )
        # Create the file ourselves so it is owner-only from the start; SQLite gives the
        # -wal and -shm files the same mode as the database file (on Windows, all three
        # inherit the folder's access list).
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        except OSError as error:
            raise VaultError(f"could not create {path}: {error.strerror}") from error
        try:
            make_private(descriptor)
        finally:
            os.close(descriptor)
        created = True
    elif not (create and _is_empty_file(path)):
        # An empty file is a vault whose creation was interrupted before its first
        # page was written; only `create=True` may take it over.
        _check_looks_like_vault(path)

    try:
        # mode=rw: SQLite must never create the file itself (we did, or it exists).
        connection = sqlcipher3.connect(_uri(path, "rw"), uri=True)
    except _DRIVER_ERRORS as error:
        if created:
            _remove_vault_files(path)
        raise VaultError(f"could not open {path.name}: {_error_name(error)}") from None
    try:
        _configure(connection, path, key, fresh=created or (create and _is_empty_file(path)))
        with translate_errors():
            # No sqlite-utils plugins: nothing else may see a keyed connection.
            return sqlite_utils.Database(connection, execute_plugins=False)
    except BaseException:
        connection.close()
        if created:
            _remove_vault_files(path)
        raise


def _configure(connection: sqlcipher3.Connection, path: Path, key: bytes, *, fresh: bool) -> None:
    """Key the connection, apply the safety pragmas, and prove the key opens the file."""
    # The key must be the very first statement on the connection.
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    # SQLCipher logs decryption failures to stderr by default, which would scribble
    # over the TUI; failures are reported through exceptions instead.
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute("PRAGMA cipher_plaintext_header_size = 0")
    version_row = connection.execute("PRAGMA cipher_version").fetchone()
    version = str(version_row[0]) if version_row else ""
    if not version.split(".", 1)[0] == str(SQLCIPHER_MAJOR_VERSION):
        raise VaultError(
            f"the installed SQLCipher is {version or 'missing'}, notify-tui needs version "
            f"{SQLCIPHER_MAJOR_VERSION}; reinstall notify-tui"
        )
    connection.execute("PRAGMA temp_store = MEMORY")
    connection.execute("PRAGMA secure_delete = ON")
    # The first read decrypts page 1; do it before WAL mode so a wrong key leaves no
    # -wal or -shm file behind.
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except _DRIVER_ERRORS as error:
        if _primary_code(error) in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
            raise WrongPassphrase(
                f"the key does not open {path.name}: the key slot file belongs to another "
                "vault or the database is corrupted; restore both files from the same backup"
            ) from None
        raise _translate(error) from None
    with translate_errors():
        mode_row = connection.execute("PRAGMA journal_mode = WAL").fetchone()
        if not mode_row or str(mode_row[0]).lower() != "wal":
            raise VaultError(f"could not switch {path.name} to WAL mode; check the folder")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        # Random case and event ids scatter writes across the B-trees; every page read
        # from disk must be decrypted, so the cache grows with the vault (`cache_kib`).
        connection.execute(f"PRAGMA cache_size = -{cache_kib(_file_size(path))}")
        if fresh:
            # Writing page 1 now binds the new file to this key at once.
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        else:
            id_row = connection.execute("PRAGMA application_id").fetchone()
            if not id_row or id_row[0] != APPLICATION_ID:
                raise IntegrityError(
                    f"{path.name} is an encrypted database but not a notify-tui vault; "
                    "check the data directory"
                )


def encrypted_copy(db: sqlite_utils.Database, destination: Path, key: bytes) -> None:
    """Write a whole copy of the open vault `db` to `destination`, encrypted under `key`.

    `destination` must not exist. The copy is a SQLCipher database with the vault's
    application id, made by `sqlcipher_export` through an attached database: the key is
    a bound parameter (`x'<hex>'`, which SQLCipher reads as a raw key as it does the
    literal), so it never becomes part of the SQL text. Used for backups and re-keying.
    """
    if len(key) != DATA_KEY_BYTES:
        raise ValueError(f"the data key must be {DATA_KEY_BYTES} bytes")
    with translate_errors():
        db.execute("ATTACH DATABASE ? AS copy KEY ?", [str(destination), f"x'{key.hex()}'"])
        try:
            db.execute("PRAGMA copy.cipher_plaintext_header_size = 0")
            db.execute("SELECT sqlcipher_export('copy')")
            # sqlcipher_export copies schema and rows, not the header pragmas.
            application_id = int(db.execute("PRAGMA application_id").fetchone()[0])
            db.execute(f"PRAGMA copy.application_id = {application_id}")
            user_version = int(db.execute("PRAGMA user_version").fetchone()[0])
            db.execute(f"PRAGMA copy.user_version = {user_version}")
        finally:
            db.execute("DETACH DATABASE copy")


def _check_looks_like_vault(path: Path) -> None:
    """Refuse, before SQLCipher touches it, a file that cannot be an encrypted vault."""
    not_a_vault = IntegrityError(
        f"{path.name} is not a notify-tui vault or is corrupted; "
        "check the data directory or restore it from a backup"
    )
    if not path.is_file():
        raise not_a_vault
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(len(_PLAINTEXT_SQLITE_HEADER))
    except OSError as error:
        raise VaultError(f"could not read {path.name}: {error.strerror}") from error
    if size == 0 or size % _PAGE_SIZE != 0:
        raise not_a_vault
    if header == _PLAINTEXT_SQLITE_HEADER:
        raise IntegrityError(
            f"{path.name} is an unencrypted SQLite file, not a notify-tui vault; "
            "check the data directory"
        )


def _uri(path: Path, mode: str) -> str:
    """A `file:` URI for `path` (any `?` or `#` in the name escaped) with an open mode.

    `Path.as_uri` writes the form SQLite reads on every platform (`file:///C:/...` on
    Windows, whose drive letter and backslashes a bare `file:` path would garble)."""
    return f"{path.absolute().as_uri()}?mode={mode}"


def _file_size(path: Path) -> int:
    """The size of the database file in bytes (0 when it cannot be read)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _is_empty_file(path: Path) -> bool:
    """Whether `path` is a regular file of zero bytes."""
    return path.is_file() and path.stat().st_size == 0


def _remove_vault_files(path: Path) -> None:
    """Delete a database this call created (and its sidecars) after a failed open."""
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in _SIDECAR_SUFFIXES)):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn database driver exceptions into one-line `notify_tui.errors` types.

    Works as a context manager (`with translate_errors(): ...`) and as a decorator
    (`@translate_errors()`). Catches `sqlcipher3.dbapi2.Error` and stdlib
    `sqlite3.Error` (sqlite-utils raises the latter itself in `transform`):

    - corruption / not a database → `IntegrityError`;
    - "database is locked" → `VaultLocked`;
    - constraint violations, full disk, I/O and permission errors → `VaultError`;
    - anything else (SQL errors, misuse) → `VaultError` saying it is a bug.

    The driver's own message is dropped (it may quote SQL); only the SQLite error name
    and, for constraints, the table and column names are kept. The original exception
    stays reachable as `__context__` for debugging but is not printed in tracebacks.
    """
    try:
        yield
    except _DRIVER_ERRORS as error:
        raise _translate(error) from None


def _translate(error: BaseException) -> VaultError:
    """The `notify_tui.errors` exception for one driver exception."""
    code = _primary_code(error)
    name = _error_name(error)
    text = str(error.args[0]) if error.args else ""
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return IntegrityError(
            f"the vault database is corrupted or is not a notify-tui vault ({name}); "
            "restore it from a backup"
        )
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) and "locked" in text:
        return VaultLocked(
            "the vault database is busy in another process; "
            "close other notify-tui windows and try again"
        )
    if code == _SQLITE_CONSTRAINT or isinstance(
        error, (dbapi2.IntegrityError, sqlite3.IntegrityError)
    ):
        detail = text if _SAFE_CONSTRAINT_MESSAGE.fullmatch(text) else "a constraint failed"
        return VaultError(f"the vault refused the change ({detail}); it was not saved")
    if code == _SQLITE_FULL:
        return VaultError("the disk is full: the change was not saved; free some space and retry")
    if code in (_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_IOERR):
        return VaultError(
            f"could not read or write the vault files ({name}); "
            "check the disk and the folder's permissions"
        )
    if code == _SQLITE_NOMEM:
        return VaultError("out of memory while using the vault; close other programs and retry")
    return VaultError(
        f"the vault database refused an operation ({name}); this is a bug, please report it"
    )


def _primary_code(error: BaseException) -> int | None:
    """The primary SQLite result code of a driver exception, if it carries one."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _error_name(error: BaseException) -> str:
    """The SQLite error name (e.g. `SQLITE_FULL`), or the exception class name."""
    name = getattr(error, "sqlite_errorname", None)
    return name if isinstance(name, str) and name else type(error).__name__
