"""Key slots: the vault's data key, wrapped for each way of unlocking it.

The database is encrypted with a random 256-bit data key. That key never reaches disk
in the clear: `keyslots.json`, beside the database, holds it wrapped (AES-256-GCM) under
a key-encryption key (KEK) in one or more slots:

- a **passphrase** slot: KEK = Argon2id(passphrase, random 16-byte salt), with the
  cost parameters recorded in the slot. Parameters below `ARGON2_FLOOR` (256 MiB,
  3 iterations, 4 lanes) or above `ARGON2_CEILING` are refused before any derivation,
  so an edited file can neither weaken the KDF nor make unlocking hang.
- a **recovery** slot: KEK = HKDF-SHA256(recovery code, random salt). The code is 120
  random bits shown once as 24 Crockford base32 characters (`XXXX-XXXX-...`); its
  entropy makes a slow KDF unnecessary.

Each slot's AES-GCM associated data is the canonical JSON of the file format and
version, the vault id, the slot kind and the slot's KDF parameters with its salt, so
any edit to those makes the slot fail to unwrap. A key check value
(HMAC-SHA256 of a fixed label under the data key) lets `set_passphrase` and
`reset_recovery` refuse a data key that does not belong to this vault.

Changing the passphrase rewrites the file atomically (`files.atomic_write_bytes`): after
a crash either the old or the new passphrase works, never neither. Callers hold the
vault's `WriterLock` while changing slots.

File format (version 1)::

    {"format": "notify-tui-keyslots", "version": 1, "vault_id": "...",
     "key_check": "<base64>",
     "slots": [
       {"kind": "passphrase",
        "kdf": {"algorithm": "argon2id", "memory_cost": 262144, "iterations": 3,
                "lanes": 4, "salt": "<base64>"},
        "nonce": "<base64>", "wrapped_key": "<base64>"},
       {"kind": "recovery", "kdf": {"algorithm": "hkdf-sha256", "salt": "<base64>"},
        "nonce": "<base64>", "wrapped_key": "<base64>"}]}

`memory_cost` is in KiB, as in RFC 9106 and `cryptography`'s `Argon2id`.

Every passphrase KEK is derived through one module attribute, `passphrase_kdf`
(`derive_argon2id` in production; nothing in notify-tui reassigns it). The test suite swaps
in a cheap stand-in; the floor and ceiling checks run before the lookup either way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notify_tui.errors import IntegrityError, InvalidInput, VaultError, WrongPassphrase
from notify_tui.store.files import atomic_write_bytes

KEYSLOTS_FILE_NAME: Final = "keyslots.json"
"""Name of the key slot file, kept beside the vault database."""

FORMAT_NAME: Final = "notify-tui-keyslots"
FORMAT_VERSION: Final = 1

DATA_KEY_BYTES: Final = 32
SALT_BYTES: Final = 16
NONCE_BYTES: Final = 12
WRAPPED_KEY_BYTES: Final = DATA_KEY_BYTES + 16  # ciphertext + GCM tag
MAX_FILE_BYTES: Final = 64 * 1024
MAX_SLOTS: Final = 16

RECOVERY_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford base32: no I, L, O or U, so a handwritten code is hard to misread."""
RECOVERY_CODE_BYTES: Final = 15
RECOVERY_CODE_SYMBOLS: Final = 24  # 15 bytes = 120 bits = 24 symbols of 5 bits
RECOVERY_GROUP: Final = 4

_HKDF_INFO: Final = b"notify-tui recovery key slot v1"
_KEY_CHECK_LABEL: Final = b"notify-tui key check v1\x00"
_VAULT_ID_PATTERN: Final = r"^[A-Za-z0-9_-]{1,64}$"
_RECOVERY_LOOKALIKES: Final = str.maketrans({"I": "1", "L": "1", "O": "0"})

WRONG_PASSPHRASE_MESSAGE: Final = (
    "wrong passphrase: nothing was changed; try again or use `notify-tui recover`"
)
WRONG_RECOVERY_CODE_MESSAGE: Final = (
    "wrong recovery code: nothing was changed; check it against the written copy and try again"
)


@dataclass(frozen=True, order=True)
class Argon2Parameters:
    """Argon2id cost parameters of a passphrase slot."""

    memory_cost: int
    """Memory in KiB (262144 = 256 MiB)."""
    iterations: int
    """Passes over memory (Argon2 "t")."""
    lanes: int
    """Degree of parallelism (Argon2 "p")."""


ARGON2_FLOOR: Final = Argon2Parameters(memory_cost=262144, iterations=3, lanes=4)
"""The weakest parameters a slot may use; anything lower is treated as tampering."""

ARGON2_CEILING: Final = Argon2Parameters(memory_cost=4 * 1024 * 1024, iterations=64, lanes=16)
"""The strongest parameters accepted, so an edited file cannot make unlocking hang."""

CALIBRATION_MAX_ITERATIONS: Final = 32


class PassphraseKdf(Protocol):
    """Derives a passphrase slot's 32-byte KEK from the passphrase, salt and cost."""

    def __call__(self, passphrase: bytes, salt: bytes, parameters: Argon2Parameters) -> bytes:
        """The KEK for `passphrase` with `salt` at `parameters`."""
        ...


def derive_argon2id(passphrase: bytes, salt: bytes, parameters: Argon2Parameters) -> bytes:
    """Argon2id (RFC 9106) at `parameters`: the production passphrase KDF (slow on purpose)."""
    return Argon2id(
        salt=salt,
        length=32,
        iterations=parameters.iterations,
        lanes=parameters.lanes,
        memory_cost=parameters.memory_cost,
    ).derive(passphrase)


passphrase_kdf: PassphraseKdf = derive_argon2id
"""The derivation every passphrase KEK goes through; a test seam, never reassigned here."""


def calibrate(
    *,
    target_seconds: float = 0.5,
    measure: Callable[[Argon2Parameters], float] | None = None,
) -> Argon2Parameters:
    """Argon2id parameters for this machine: the floor, with more iterations if it is fast.

    Times one derivation at `ARGON2_FLOOR`; if that is under `target_seconds`, raises
    the iterations (never memory or lanes) so a derivation takes about 10% over the
    target. `measure` replaces the real timing in tests.
    """
    seconds = (measure or _time_derivation)(ARGON2_FLOOR)
    if seconds >= target_seconds:
        return ARGON2_FLOOR
    per_iteration = max(seconds, 1e-6) / ARGON2_FLOOR.iterations
    iterations = math.ceil(target_seconds * 1.1 / per_iteration)
    iterations = max(ARGON2_FLOOR.iterations, min(iterations, CALIBRATION_MAX_ITERATIONS))
    return Argon2Parameters(ARGON2_FLOOR.memory_cost, iterations, ARGON2_FLOOR.lanes)


def _time_derivation(parameters: Argon2Parameters) -> float:
    """Seconds one Argon2id derivation takes with `parameters`."""
    started = time.perf_counter()
    _argon2_kek(b"calibration", secrets.token_bytes(SALT_BYTES), parameters)
    return time.perf_counter() - started


def generate_recovery_code() -> str:
    """A new random recovery code: 120 bits as `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`."""
    return format_recovery_code(secrets.token_bytes(RECOVERY_CODE_BYTES))


def format_recovery_code(secret: bytes) -> str:
    """The written form of a 15-byte recovery secret (Crockford base32, groups of 4)."""
    if len(secret) != RECOVERY_CODE_BYTES:
        raise ValueError(f"a recovery secret is {RECOVERY_CODE_BYTES} bytes")
    number = int.from_bytes(secret, "big")
    symbols = [
        RECOVERY_ALPHABET[(number >> (5 * (RECOVERY_CODE_SYMBOLS - 1 - index))) & 0x1F]
        for index in range(RECOVERY_CODE_SYMBOLS)
    ]
    text = "".join(symbols)
    return "-".join(
        text[start : start + RECOVERY_GROUP] for start in range(0, len(text), RECOVERY_GROUP)
    )


def parse_recovery_code(code: str) -> bytes:
    """The 15-byte secret of a recovery code as a person typed it.

    Case, spaces and dashes are ignored; I and L read as 1, O as 0. Raises
    `WrongPassphrase` if what is left is not 24 Crockford base32 characters.
    """
    cleaned = "".join(code.split()).replace("-", "").upper().translate(_RECOVERY_LOOKALIKES)
    if len(cleaned) != RECOVERY_CODE_SYMBOLS or any(c not in RECOVERY_ALPHABET for c in cleaned):
        raise WrongPassphrase(
            "that is not a recovery code: it has 24 letters and digits in groups of 4, "
            "like ABCD-EFGH-...; nothing was changed"
        )
    number = 0
    for symbol in cleaned:
        number = (number << 5) | RECOVERY_ALPHABET.index(symbol)
    return number.to_bytes(RECOVERY_CODE_BYTES, "big")


class KeySlotFile:
    """The key slot file (`keyslots.json`) of one vault.

    Every method reads the file afresh; the object holds only its path. Methods that
    change the file replace it atomically and leave it untouched when they refuse.
    """

    def __init__(self, path: Path) -> None:
        """Refer to the key slot file at `path` (which need not exist yet)."""
        self.path = path

    def exists(self) -> bool:
        """Whether the key slot file exists."""
        return os.path.lexists(self.path)

    def create(
        self,
        vault_id: str,
        data_key: bytes,
        passphrase: str,
        *,
        parameters: Argon2Parameters | None = None,
    ) -> str:
        """Write a new file with a passphrase slot and a recovery slot for `data_key`.

        Returns the recovery code, to be shown to the person once. `parameters`
        defaults to `calibrate()`. Refuses (`VaultError`) if the file already exists.
        """
        _check_data_key(data_key)
        if not re.fullmatch(_VAULT_ID_PATTERN, vault_id):
            raise ValueError("a vault id is 1 to 64 letters, digits, '-' or '_'")
        passphrase_bytes = _new_passphrase_bytes(passphrase)
        if self.exists():
            raise VaultError(f"{self.path.name} already exists; nothing was changed")
        recovery_code = generate_recovery_code()
        document = _Document(
            vault_id=vault_id,
            key_check=_key_check(vault_id, data_key),
            slots=(
                _wrap_passphrase(vault_id, data_key, passphrase_bytes, parameters or calibrate()),
                _wrap_recovery(vault_id, data_key, parse_recovery_code(recovery_code)),
            ),
        )
        atomic_write_bytes(self.path, document.to_bytes(), exclusive=True)
        return recovery_code

    def read_vault_id(self) -> str:
        """The id of the vault this file belongs to."""
        return self._read().vault_id

    def unlock_with_passphrase(self, passphrase: str) -> bytes:
        """The data key, unwrapped with `passphrase`; `WrongPassphrase` if it opens no slot."""
        document = self._read()
        return document.unwrap_with_passphrase(passphrase)

    def unlock_with_recovery(self, code: str) -> bytes:
        """The data key, unwrapped with the recovery code; `WrongPassphrase` if wrong."""
        secret = parse_recovery_code(code)
        document = self._read()
        if not document.slots_of_kind("recovery"):
            raise WrongPassphrase(
                "this vault has no recovery slot: unlock it with the passphrase instead"
            )
        for slot in document.slots_of_kind("recovery"):
            data_key = slot.unwrap(document.vault_id, _hkdf_kek(secret, slot.salt))
            if data_key is not None:
                return document.checked(data_key)
        raise WrongPassphrase(WRONG_RECOVERY_CODE_MESSAGE)

    def change_passphrase(
        self,
        old_passphrase: str,
        new_passphrase: str,
        *,
        parameters: Argon2Parameters | None = None,
    ) -> None:
        """Replace the passphrase slot, proving the old passphrase first.

        On a wrong old passphrase raises `WrongPassphrase` and changes nothing. The
        recovery slot is kept. `parameters` defaults to `calibrate()`.
        """
        new_bytes = _new_passphrase_bytes(new_passphrase)
        document = self._read()
        data_key = document.unwrap_with_passphrase(old_passphrase)
        self._write_passphrase_slot(document, data_key, new_bytes, parameters)

    def set_passphrase(
        self,
        data_key: bytes,
        new_passphrase: str,
        *,
        parameters: Argon2Parameters | None = None,
    ) -> None:
        """Replace the passphrase slot using the data key (e.g. after a recovery unlock).

        Refuses (`VaultError`, nothing changed) a data key that does not belong to this
        vault. The recovery slot is kept. `parameters` defaults to `calibrate()`.
        """
        _check_data_key(data_key)
        new_bytes = _new_passphrase_bytes(new_passphrase)
        document = self._read()
        document.require_key(data_key)
        self._write_passphrase_slot(document, data_key, new_bytes, parameters)

    def reset_recovery(self, data_key: bytes) -> str:
        """Replace the recovery slot with a new code and return it; the old code stops working.

        Refuses (`VaultError`, nothing changed) a data key that does not belong to this
        vault.
        """
        _check_data_key(data_key)
        document = self._read()
        document.require_key(data_key)
        recovery_code = generate_recovery_code()
        slot = _wrap_recovery(document.vault_id, data_key, parse_recovery_code(recovery_code))
        kept = tuple(s for s in document.slots if s.kind != "recovery")
        atomic_write_bytes(self.path, document.with_slots((*kept, slot)).to_bytes())
        return recovery_code

    def _write_passphrase_slot(
        self,
        document: _Document,
        data_key: bytes,
        passphrase_bytes: bytes,
        parameters: Argon2Parameters | None,
    ) -> None:
        """Write `document` with its passphrase slot(s) replaced by one new slot."""
        slot = _wrap_passphrase(
            document.vault_id, data_key, passphrase_bytes, parameters or calibrate()
        )
        kept = tuple(s for s in document.slots if s.kind != "passphrase")
        atomic_write_bytes(self.path, document.with_slots((slot, *kept)).to_bytes())

    def _read(self) -> _Document:
        """Read, parse and check the file; `IntegrityError` if it is damaged."""
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            raise VaultError(
                f"no key slot file at {self.path}: restore {self.path.name} from a backup"
            ) from None
        except OSError as error:
            raise VaultError(f"could not read {self.path.name}: {error.strerror}") from None
        return _Document.parse(raw, self.path.name)


# --- the file's shape -----------------------------------------------------------------


class _Strict(BaseModel):
    """Base of the file models: exact types, no unknown fields."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Argon2idKdf(_Strict):
    algorithm: Literal["argon2id"]
    memory_cost: int
    iterations: int
    lanes: int
    salt: str


class _HkdfKdf(_Strict):
    algorithm: Literal["hkdf-sha256"]
    salt: str


class _PassphraseSlotModel(_Strict):
    kind: Literal["passphrase"]
    kdf: _Argon2idKdf
    nonce: str
    wrapped_key: str


class _RecoverySlotModel(_Strict):
    kind: Literal["recovery"]
    kdf: _HkdfKdf
    nonce: str
    wrapped_key: str


class _DocumentModel(_Strict):
    format: Literal["notify-tui-keyslots"]
    version: int
    vault_id: Annotated[str, Field(pattern=_VAULT_ID_PATTERN)]
    key_check: str
    slots: Annotated[
        list[Annotated[_PassphraseSlotModel | _RecoverySlotModel, Field(discriminator="kind")]],
        Field(min_length=1, max_length=MAX_SLOTS),
    ]


SlotKind = Literal["passphrase", "recovery"]


@dataclass(frozen=True)
class _Slot:
    """One decoded slot: its kind, KDF record (as stored) and wrapped key."""

    kind: SlotKind
    kdf: dict[str, Any]
    salt: bytes
    nonce: bytes
    wrapped_key: bytes

    @property
    def argon2(self) -> Argon2Parameters:
        """The Argon2id parameters of a passphrase slot."""
        return Argon2Parameters(
            memory_cost=self.kdf["memory_cost"],
            iterations=self.kdf["iterations"],
            lanes=self.kdf["lanes"],
        )

    def unwrap(self, vault_id: str, kek: bytes) -> bytes | None:
        """The data key, or None if `kek` (or the authenticated data) is wrong."""
        aad = _associated_data(vault_id, self.kind, self.kdf)
        try:
            return AESGCM(kek).decrypt(self.nonce, self.wrapped_key, aad)
        except InvalidTag:
            return None

    def to_json(self) -> dict[str, Any]:
        """The slot as stored in the file."""
        return {
            "kind": self.kind,
            "kdf": self.kdf,
            "nonce": _b64(self.nonce),
            "wrapped_key": _b64(self.wrapped_key),
        }


@dataclass(frozen=True)
class _Document:
    """A parsed and checked key slot file."""

    vault_id: str
    key_check: bytes
    slots: tuple[_Slot, ...]

    @classmethod
    def parse(cls, raw: bytes, name: str) -> _Document:
        """Parse the file's bytes; `IntegrityError` (one line) if anything is off."""
        damaged = f"{name} is damaged or was edited; restore it from a backup"
        if len(raw) > MAX_FILE_BYTES:
            raise IntegrityError(f"{name} is too large to be a key slot file; {damaged}")
        try:
            data = json.loads(raw.decode("utf-8"), object_pairs_hook=_refuse_duplicate_keys)
            model = _DocumentModel.model_validate(data)
        except (UnicodeDecodeError, ValueError) as error:
            where = ""
            if isinstance(error, ValidationError) and error.errors():
                where = " (at " + ".".join(str(part) for part in error.errors()[0]["loc"]) + ")"
            raise IntegrityError(f"{damaged}{where}") from None
        if model.version != FORMAT_VERSION:
            raise VaultError(
                f"{name} has format version {model.version}, this notify-tui reads version "
                f"{FORMAT_VERSION}; upgrade notify-tui"
            )
        slots: list[_Slot] = []
        for entry in model.slots:
            slot = _Slot(
                kind=entry.kind,
                kdf=entry.kdf.model_dump(),
                salt=_unb64(entry.kdf.salt, SALT_BYTES, damaged),
                nonce=_unb64(entry.nonce, NONCE_BYTES, damaged),
                wrapped_key=_unb64(entry.wrapped_key, WRAPPED_KEY_BYTES, damaged),
            )
            if slot.kind == "passphrase":
                _check_argon2_parameters(slot.argon2)
            slots.append(slot)
        if not any(slot.kind == "passphrase" for slot in slots):
            raise IntegrityError(f"{name} has no passphrase slot; {damaged}")
        key_check = _unb64(model.key_check, hashlib.sha256().digest_size, damaged)
        return cls(vault_id=model.vault_id, key_check=key_check, slots=tuple(slots))

    def to_bytes(self) -> bytes:
        """The file's bytes."""
        data = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "vault_id": self.vault_id,
            "key_check": _b64(self.key_check),
            "slots": [slot.to_json() for slot in self.slots],
        }
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")

    def with_slots(self, slots: tuple[_Slot, ...]) -> _Document:
        """A copy holding `slots` instead."""
        return _Document(vault_id=self.vault_id, key_check=self.key_check, slots=slots)

    def slots_of_kind(self, kind: SlotKind) -> tuple[_Slot, ...]:
        """The slots of one kind, in file order."""
        return tuple(slot for slot in self.slots if slot.kind == kind)

    def unwrap_with_passphrase(self, passphrase: str) -> bytes:
        """The data key from the first passphrase slot `passphrase` opens."""
        passphrase_bytes = _passphrase_bytes(passphrase)
        if passphrase_bytes:
            for slot in self.slots_of_kind("passphrase"):
                kek = _argon2_kek(passphrase_bytes, slot.salt, slot.argon2)
                data_key = slot.unwrap(self.vault_id, kek)
                if data_key is not None:
                    return self.checked(data_key)
        raise WrongPassphrase(WRONG_PASSPHRASE_MESSAGE)

    def checked(self, data_key: bytes) -> bytes:
        """`data_key` if it matches the key check; `IntegrityError` otherwise."""
        if len(data_key) != DATA_KEY_BYTES or not self.matches(data_key):
            raise IntegrityError(
                f"a key slot does not match the vault's key check; {KEYSLOTS_FILE_NAME} "
                "was edited; restore it from a backup"
            )
        return data_key

    def require_key(self, data_key: bytes) -> None:
        """Refuse (`VaultError`) a data key that is not this vault's."""
        if not self.matches(data_key):
            raise VaultError("that key does not belong to this vault; nothing was changed")

    def matches(self, data_key: bytes) -> bool:
        """Whether `data_key` is this vault's data key."""
        return hmac.compare_digest(_key_check(self.vault_id, data_key), self.key_check)


# --- cryptography ----------------------------------------------------------------------


def _check_argon2_parameters(parameters: Argon2Parameters) -> None:
    """Refuse parameters outside [floor, ceiling] before any derivation."""
    floor, ceiling = ARGON2_FLOOR, ARGON2_CEILING
    if (
        parameters.memory_cost < floor.memory_cost
        or parameters.iterations < floor.iterations
        or parameters.lanes < floor.lanes
    ):
        raise IntegrityError(
            "key slot parameters are below the safe minimum; the file may have been tampered with"
        )
    if (
        parameters.memory_cost > ceiling.memory_cost
        or parameters.iterations > ceiling.iterations
        or parameters.lanes > ceiling.lanes
    ):
        raise IntegrityError(
            "key slot parameters are above the supported maximum; "
            "the file may have been tampered with"
        )


def _argon2_kek(passphrase: bytes, salt: bytes, parameters: Argon2Parameters) -> bytes:
    """The KEK of a passphrase slot, refusing parameters outside the bounds first."""
    _check_argon2_parameters(parameters)
    # Looked up at call time so the test suite's stand-in takes effect.
    return passphrase_kdf(passphrase, salt, parameters)


def _hkdf_kek(secret: bytes, salt: bytes) -> bytes:
    """The KEK of a recovery slot (the code has 120 bits of entropy; no stretching)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_HKDF_INFO).derive(secret)


def _associated_data(vault_id: str, kind: SlotKind, kdf: dict[str, Any]) -> bytes:
    """What a slot's AES-GCM tag authenticates besides the key itself."""
    return _canonical_json(
        {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "vault_id": vault_id,
            "kind": kind,
            "kdf": kdf,
        }
    )


def _wrap(
    vault_id: str, kind: SlotKind, kdf: dict[str, Any], salt: bytes, kek: bytes, key: bytes
) -> _Slot:
    """A new slot holding `key` wrapped under `kek` (derived with `kdf`, whose salt is `salt`)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    wrapped = AESGCM(kek).encrypt(nonce, key, _associated_data(vault_id, kind, kdf))
    return _Slot(kind=kind, kdf=kdf, salt=salt, nonce=nonce, wrapped_key=wrapped)


def _wrap_passphrase(
    vault_id: str, data_key: bytes, passphrase: bytes, parameters: Argon2Parameters
) -> _Slot:
    """A new passphrase slot (one Argon2id derivation)."""
    _check_argon2_parameters(parameters)
    salt = secrets.token_bytes(SALT_BYTES)
    kdf = {
        "algorithm": "argon2id",
        "memory_cost": parameters.memory_cost,
        "iterations": parameters.iterations,
        "lanes": parameters.lanes,
        "salt": _b64(salt),
    }
    kek = _argon2_kek(passphrase, salt, parameters)
    return _wrap(vault_id, "passphrase", kdf, salt, kek, data_key)


def _wrap_recovery(vault_id: str, data_key: bytes, secret: bytes) -> _Slot:
    """A new recovery slot for the 15-byte recovery secret."""
    salt = secrets.token_bytes(SALT_BYTES)
    kdf = {"algorithm": "hkdf-sha256", "salt": _b64(salt)}
    return _wrap(vault_id, "recovery", kdf, salt, _hkdf_kek(secret, salt), data_key)


def _key_check(vault_id: str, data_key: bytes) -> bytes:
    """HMAC-SHA256 of a fixed label and the vault id under the data key."""
    return hmac.digest(data_key, _KEY_CHECK_LABEL + vault_id.encode("ascii"), "sha256")


# --- small helpers ---------------------------------------------------------------------


def _passphrase_bytes(passphrase: str) -> bytes:
    """A passphrase as bytes, NFC-normalised so the same text always gives the same key."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _new_passphrase_bytes(passphrase: str) -> bytes:
    """Like `_passphrase_bytes`, refusing an empty passphrase."""
    if not passphrase.strip():
        raise InvalidInput("the new passphrase is empty; choose a passphrase and try again")
    return _passphrase_bytes(passphrase)


def _check_data_key(data_key: bytes) -> None:
    """Refuse a data key of the wrong length (a programming error)."""
    if len(data_key) != DATA_KEY_BYTES:
        raise ValueError(f"the data key must be {DATA_KEY_BYTES} bytes")


def _canonical_json(value: object) -> bytes:
    """Sorted keys, no whitespace, ASCII: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _b64(data: bytes) -> str:
    """Standard base64 text."""
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, length: int, damaged: str) -> bytes:
    """Decode strict base64 of an exact length; `IntegrityError(damaged)` otherwise."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise IntegrityError(damaged) from None
    if len(data) != length or _b64(data) != text:
        raise IntegrityError(damaged)
    return data


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON object hook: a key given twice is an edit, not a choice."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result
