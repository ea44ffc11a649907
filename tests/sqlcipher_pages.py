"""Every page of a SQLCipher 4 database and its write-ahead log, decrypted with the raw
data key, for tests that look for bytes no page may hold (live, free or logged).

sqlcipher3 is built without SQLite's `sqlite_dbpage` table, so the pages are read from
the files and decrypted here, as SQLCipher 4 lays them out with a raw key and no
plaintext header: each page of `page_size` bytes ends with a reserved area of 80 bytes
(a 16-byte IV, then a 64-byte HMAC-SHA512); the bytes before it are AES-256-CBC under
the key with that IV. Page 1 starts with the database's 16-byte salt, which is not
encrypted. The WAL is a 32-byte header, then frames of a 24-byte header and one page.
(The HMACs are not checked: a test only reads what the pages say.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE_SIZE = 4096
RESERVE = 80
SALT = 16
WAL_HEADER = 32
FRAME_HEADER = 24


def decrypt_page(page: bytes, key: bytes, *, first: bool) -> bytes:
    """One page's plaintext (page 1 without its salt)."""
    iv = page[PAGE_SIZE - RESERVE : PAGE_SIZE - RESERVE + 16]
    start = SALT if first else 0
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[start : PAGE_SIZE - RESERVE]) + decryptor.finalize()


def database_pages(path: Path, key: bytes) -> Iterator[tuple[int, bytes]]:
    """(page number, plaintext) of every page of the database file, free ones included."""
    data = path.read_bytes()
    assert len(data) % PAGE_SIZE == 0, f"{path.name} is not whole {PAGE_SIZE}-byte pages"
    for number in range(len(data) // PAGE_SIZE):
        page = data[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
        yield number + 1, decrypt_page(page, key, first=number == 0)


def wal_pages(path: Path, key: bytes) -> Iterator[tuple[int, bytes]]:
    """(page number, plaintext) of every frame in a write-ahead log (none if absent)."""
    if not path.exists():
        return
    data = path.read_bytes()
    offset = WAL_HEADER
    while offset + FRAME_HEADER + PAGE_SIZE <= len(data):
        number = int.from_bytes(data[offset : offset + 4], "big")
        page = data[offset + FRAME_HEADER : offset + FRAME_HEADER + PAGE_SIZE]
        yield number, decrypt_page(page, key, first=number == 1)
        offset += FRAME_HEADER + PAGE_SIZE


def pages_holding(database: Path, key: bytes, needles: list[bytes]) -> list[str]:
    """Where any of `needles` is found: "db page N" or "wal frame of page N"."""
    found = []
    for number, plain in database_pages(database, key):
        if any(needle in plain for needle in needles):
            found.append(f"db page {number}")
    wal = database.with_name(database.name + "-wal")
    for number, plain in wal_pages(wal, key):
        if any(needle in plain for needle in needles):
            found.append(f"wal frame of page {number}")
    return found
