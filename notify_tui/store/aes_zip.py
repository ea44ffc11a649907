"""ZIP files whose members are encrypted with AES-256 (WinZip's AE-2), for a data
protection officer to open with an ordinary tool (7-Zip, WinZip, pyzipper).

The format (WinZip, "AES Encryption Information: Encryption Specification AE-1 and
AE-2"): each member's compression method is 99 with an extra field 0x9901 (vendor
version 2, vendor "AE", strength 3 for AES-256, the real method); its data is a 16-byte
salt, a 2-byte password verifier, the deflated bytes encrypted with AES-256 in CTR mode
(a little-endian counter from 1), then the first 10 bytes of an HMAC-SHA1 of the
ciphertext. The keys are PBKDF2-HMAC-SHA1 of the password over the salt, 1,000
iterations (fixed by the format): 32 bytes for AES, 32 for the HMAC, 2 for the verifier.
AE-2 leaves the CRC at zero (the HMAC authenticates the data).

The iteration count is small, so the password must be strong: `new_password` makes one
of 128 bits, which no search of 1,000-iteration guesses reaches. Every name and byte is
written by this module from what it is given; nothing is read back from disk.
"""

from __future__ import annotations

import os
import secrets
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from notify_tui.store.private_files import (
    make_private,
    move_into_place_exclusively,
    open_private,
    sync_directory,
)

_ITERATIONS = 1000
_SALT = 16
_KEY = 32
_AUTH = 10
_DEFLATED = 8
_AES = 99
_FLAG_ENCRYPTED = 0x0001
_FLAG_UTF8 = 0x0800
_VERSION_AES = 51  # 5.1: AES encryption
_VERSION_PLAIN = 20  # 2.0: deflate
_DOS_DATE = (2026 - 1980) << 9 | 1 << 5 | 1  # a fixed date: the time of export is in the README
_WORDS = "abcdefghjkmnpqrstuvwxyz23456789"


def new_password() -> str:
    """A password of 128 bits or more, in groups of five characters a person can read
    out (no 0/o, 1/l/i): 26 characters from 31."""
    characters = "".join(secrets.choice(_WORDS) for _ in range(26))
    return "-".join(characters[i : i + 5] for i in range(0, len(characters), 5))


def _keys(password: str, salt: bytes) -> tuple[bytes, bytes, bytes]:
    derived = PBKDF2HMAC(
        algorithm=hashes.SHA1(),  # noqa: S303 - fixed by the AE-2 format
        length=2 * _KEY + 2,
        salt=salt,
        iterations=_ITERATIONS,
    ).derive(password.encode("utf-8"))
    return derived[:_KEY], derived[_KEY : 2 * _KEY], derived[2 * _KEY :]


def _ctr_le(key: bytes, data: bytes) -> bytes:
    """AES-CTR with WinZip's little-endian counter starting at 1."""
    blocks = (len(data) + 15) // 16
    counters = b"".join(n.to_bytes(16, "little") for n in range(1, blocks + 1))
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    stream = encryptor.update(counters) + encryptor.finalize()
    size = len(data)
    mixed = int.from_bytes(data, "big") ^ int.from_bytes(stream[:size], "big")
    return mixed.to_bytes(size, "big")


def _encrypted(password: str, plain: bytes) -> bytes:
    salt = os.urandom(_SALT)
    aes_key, mac_key, verifier = _keys(password, salt)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(plain) + compressor.flush()
    ciphertext = _ctr_le(aes_key, deflated)
    mac = hmac.HMAC(mac_key, hashes.SHA1())  # noqa: S303 - fixed by the AE-2 format
    mac.update(ciphertext)
    return salt + verifier + ciphertext + mac.finalize()[:_AUTH]


def zip_bytes(members: Sequence[tuple[str, bytes]], password: str | None) -> bytes:
    """A ZIP of `members` (name, bytes), AES-256 encrypted with `password`, or plain
    (deflated) when it is None."""
    local: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, plain in members:
        encoded = name.encode("utf-8")
        if password is None:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = compressor.compress(plain) + compressor.flush()
            method, flags, crc, extra = _DEFLATED, _FLAG_UTF8, zlib.crc32(plain), b""
            version = _VERSION_PLAIN
        else:
            data = _encrypted(password, plain)
            method, flags, crc, version = _AES, _FLAG_UTF8 | _FLAG_ENCRYPTED, 0, _VERSION_AES
            extra = struct.pack("<HHH2sBH", 0x9901, 7, 2, b"AE", 3, _DEFLATED)
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, version, flags, method, 0, _DOS_DATE, crc,
            len(data), len(plain), len(encoded), len(extra),
        )  # fmt: skip
        local.append(header + encoded + extra + data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                version,
                version,
                flags,
                method,
                0,
                _DOS_DATE,
                crc,
                len(data),
                len(plain),
                len(encoded),
                len(extra),
                0,
                0,
                0,
                0o600 << 16,
                offset,
            )  # fmt: skip
            + encoded
            + extra
        )
        offset += len(local[-1])
    directory = b"".join(central)
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0
    )
    return b"".join(local) + directory + end


def write_new_file(path: Path, data: bytes) -> None:
    """Write `data` to a new owner-only file, whole or not at all: written beside it,
    synced, then moved into place (refused, `FileExistsError`, if `path` exists: never
    overwrite)."""
    if path.exists() or path.is_symlink():
        raise FileExistsError(path)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    descriptor = open_private(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        try:
            make_private(descriptor)
            view = memoryview(data)
            while view:
                written = os.write(descriptor, view)
                view = view[written:]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        move_into_place_exclusively(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    sync_directory(path.parent)
