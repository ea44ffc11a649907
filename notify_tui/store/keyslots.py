"""Key slots: the vault's data key, opened by each user's passphrase and by recovery.

The database is encrypted with a random 256-bit data key. That key never reaches disk
in the clear. `keyslots.json`, beside the database, holds one **slot** per way of
unlocking it:

- a **passphrase** slot per user: the key-encryption key (KEK) is Argon2id(passphrase,
  random 16-byte salt), with the cost parameters recorded in the slot. Parameters below
  `ARGON2_FLOOR` (256 MiB, 3 iterations, 4 lanes) or above `ARGON2_CEILING` are refused
  before any derivation, so an edited file can neither weaken the KDF nor make unlocking
  hang. The slot names its user by an opaque id (`user_id_for`: a hash of the vault id
  and the name), so the file does not list the staff's names.
- a **recovery** slot: KEK = HKDF-SHA256(recovery code, random salt). The code is 120
  random bits shown once as 24 Crockford base32 characters (`XXXX-XXXX-...`); its
  entropy makes a slow KDF unnecessary.
- a **shares** slot: KEK = HKDF-SHA256(a 128-bit secret, random salt), the secret split
  into SLIP-39 word shares (`shamir-mnemonic`), any `threshold` of which recover it.

Each slot holds an X25519 key pair of its own: the private key wrapped (AES-256-GCM)
under the slot's KEK, the public key in the clear, and the data key **sealed** to that
public key (HPKE, RFC 9180, base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
AES-256-GCM). Whoever holds the data key can therefore seal a *new* data key to every
slot without knowing anyone's passphrase: that is how the database is re-keyed when a
user is removed or a passphrase may have leaked (`begin_rekey`, `finish_rekey`), so an
old copy of this file opens nothing written after the re-key. While a re-key is under
way the file holds two key checks and each slot two sealed keys (the current data key,
then the next one); the vault opens with whichever key the database takes.

Each slot's AES-GCM associated data is the canonical JSON of the file format and
version, the vault id, the slot's kind, user id, KDF parameters with their salt, its
public key and, for shares, the threshold and count, so an edit to any of those makes
the slot fail to open. Each sealed key's HPKE `info` binds the vault id, the slot's
public key and the key check of the key it seals. A key check (HMAC-SHA256 of a fixed
label under the data key) lets every method refuse a key that is not this vault's.

Every change rewrites the file atomically (`files.atomic_write_bytes`): after a crash
either the old or the new file is there, never neither. Callers hold the vault's
`WriterLock` while changing slots.

File format (version 2)::

    {"format": "notify-tui-keyslots", "version": 2, "vault_id": "...",
     "key_checks": ["<base64>"],
     "slots": [
       {"kind": "passphrase", "user": "<32 hex>",
        "kdf": {"algorithm": "argon2id", "memory_cost": 262144, "iterations": 3,
                "lanes": 4, "salt": "<base64>"},
        "nonce": "<base64>", "wrapped_private": "<base64>", "public": "<base64>",
        "sealed": ["<base64>"]},
       {"kind": "recovery", "kdf": {"algorithm": "hkdf-sha256", "salt": "<base64>"}, ...},
       {"kind": "shares", "threshold": 2, "shares": 3,
        "kdf": {"algorithm": "hkdf-sha256", "salt": "<base64>"}, ...}]}

`memory_cost` is in KiB, as in RFC 9106 and `cryptography`'s `Argon2id`.

Version 1 files (one passphrase slot and one recovery slot, each wrapping the data key
itself) are still read. The vault rewrites one as version 2 the first time its owner
unlocks it for writing (`unlock_with_passphrase(..., upgrade_as=NAME)`); a version 1
recovery slot is kept as kind `recovery-v1` until the recovery code is next replaced.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notify_tui.domain.people import normalised_name
from notify_tui.errors import IntegrityError, InvalidInput, VaultError, WrongPassphrase
from notify_tui.store.files import atomic_write_bytes

KEYSLOTS_FILE_NAME: Final = "keyslots.json"
"""Name of the key slot file, kept beside the vault database."""

FORMAT_NAME: Final = "notify-tui-keyslots"
FORMAT_VERSION: Final = 2
"""The version this notify-tui writes; it reads 1 and 2."""

DATA_KEY_BYTES: Final = 32
SALT_BYTES: Final = 16
NONCE_BYTES: Final = 12
WRAPPED_KEY_BYTES: Final = DATA_KEY_BYTES + 16  # ciphertext + GCM tag (a v1 slot's data key)
WRAPPED_PRIVATE_BYTES: Final = 32 + 16  # an X25519 private key + GCM tag
PUBLIC_BYTES: Final = 32
SEALED_BYTES: Final = 32 + DATA_KEY_BYTES + 16  # HPKE enc || ciphertext + tag
MAX_FILE_BYTES: Final = 64 * 1024
MAX_SLOTS: Final = 40
MAX_SHARES: Final = 16
"""SLIP-39 allows at most 16 shares in a group."""

RECOVERY_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford base32: no I, L, O or U, so a handwritten code is hard to misread."""
RECOVERY_CODE_BYTES: Final = 15
RECOVERY_CODE_SYMBOLS: Final = 24  # 15 bytes = 120 bits = 24 symbols of 5 bits
RECOVERY_GROUP: Final = 4
SHARES_SECRET_BYTES: Final = 16
"""The secret split into shares: 128 bits, 20 SLIP-39 words a share."""

_HKDF_INFO: Final = b"notify-tui recovery key slot v1"
_SHARES_HKDF_INFO: Final = b"notify-tui shares key slot v1"
_SEAL_INFO_LABEL: Final = b"notify-tui keyslot v2\x00"
_USER_ID_LABEL: Final = b"notify-tui user id v1\x00"
_KEY_CHECK_LABEL: Final = b"notify-tui key check v1\x00"
_VAULT_ID_PATTERN: Final = r"^[A-Za-z0-9_-]{1,64}$"
_USER_ID_PATTERN: Final = r"^[0-9a-f]{32}$"
_RECOVERY_LOOKALIKES: Final = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SUITE: Final = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)

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


def user_id_for(vault_id: str, name: str) -> str:
    """The opaque id a passphrase slot names its user by (32 hex digits).

    SHA-256 of a label, the vault id and the normalised name: the same person has the same
    id in one vault, whatever the case or spacing they type, and the file lists no names.
    """
    digest = hashlib.sha256(
        _USER_ID_LABEL + vault_id.encode("ascii") + b"\x00" + normalised_name(name).encode()
    )
    return digest.hexdigest()[:32]


SlotKind = Literal["passphrase", "recovery", "shares"]
StoredKind = Literal["passphrase", "recovery", "shares", "passphrase-v1", "recovery-v1"]


@dataclass(frozen=True)
class Unlocked:
    """What a slot opened: the data key(s) and which slot it was."""

    data_keys: tuple[bytes, ...]
    """The data key; during an unfinished re-key, the current key then the next one."""
    kind: SlotKind
    user_id: str | None
    """The passphrase slot's user id; None for recovery, shares and a version 1 slot."""

    @property
    def data_key(self) -> bytes:
        """The one data key (a re-key is not under way)."""
        if len(self.data_keys) != 1:
            raise VaultError("a re-key of this vault is unfinished; unlock it to finish it")
        return self.data_keys[0]


@dataclass(frozen=True)
class SlotSummary:
    """A slot as anyone can see it without a secret."""

    kind: StoredKind
    user_id: str | None
    threshold: int | None = None
    shares: int | None = None


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
        user: str,
        parameters: Argon2Parameters | None = None,
    ) -> str:
        """Write a new file with `user`'s passphrase slot and a recovery slot for `data_key`.

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
        keys = (data_key,)
        checks = (_key_check(vault_id, data_key),)
        document = _Document(version=FORMAT_VERSION, vault_id=vault_id, key_checks=checks, slots=())
        slots = (
            document.new_passphrase_slot(
                keys, user_id_for(vault_id, user), passphrase_bytes, parameters or calibrate()
            ),
            document.new_recovery_slot(keys, parse_recovery_code(recovery_code)),
        )
        atomic_write_bytes(self.path, document.with_slots(slots).to_bytes(), exclusive=True)
        return recovery_code

    def read_vault_id(self) -> str:
        """The id of the vault this file belongs to."""
        return self._read().vault_id

    def summary(self) -> list[SlotSummary]:
        """Every slot's kind and user id (no secret needed)."""
        return [
            SlotSummary(slot.kind, slot.user, slot.threshold, slot.shares)
            for slot in self._read().slots
        ]

    def rekey_pending(self) -> bool:
        """Whether a re-key was begun and not finished (the file holds two keys)."""
        return len(self._read().key_checks) > 1

    def unlock_with_passphrase(
        self, passphrase: str, *, user: str | None = None, upgrade_as: str | None = None
    ) -> Unlocked:
        """The data key, opened with `passphrase`; `WrongPassphrase` if it opens no slot.

        With `user`, only that user's slot (and a version 1 file's one passphrase slot) is
        tried; without, every passphrase slot in turn. With `upgrade_as`, a version 1
        file opened this way is rewritten as version 2, its passphrase slot becoming the
        slot of the user named `upgrade_as` (the vault's first user), with no second
        derivation.
        """
        document = self._read()
        wanted = None if user is None else user_id_for(document.vault_id, user)
        passphrase_bytes = _passphrase_bytes(passphrase)
        if passphrase_bytes:
            for slot in document.slots:
                if slot.kind not in ("passphrase", "passphrase-v1"):
                    continue
                if wanted is not None and slot.user not in (wanted, None):
                    continue
                kek = _argon2_kek(passphrase_bytes, slot.salt, slot.argon2)
                keys = document.open_slot(slot, kek)
                if keys is None:
                    continue
                if slot.kind == "passphrase-v1" and upgrade_as is not None:
                    self._upgrade(document, slot, kek, keys, upgrade_as)
                return Unlocked(keys, "passphrase", slot.user)
        raise WrongPassphrase(WRONG_PASSPHRASE_MESSAGE)

    def unlock_with_recovery(self, code: str) -> Unlocked:
        """The data key, opened with the recovery code; `WrongPassphrase` if wrong."""
        secret = parse_recovery_code(code)
        document = self._read()
        slots = [s for s in document.slots if s.kind in ("recovery", "recovery-v1")]
        if not slots:
            raise WrongPassphrase(
                "this vault has no recovery code: unlock it with a passphrase or the shares"
            )
        for slot in slots:
            keys = document.open_slot(slot, _hkdf_kek(secret, slot.salt, _HKDF_INFO))
            if keys is not None:
                return Unlocked(keys, "recovery", None)
        raise WrongPassphrase(WRONG_RECOVERY_CODE_MESSAGE)

    def unlock_with_shares(self, mnemonics: Sequence[str]) -> Unlocked:
        """The data key, opened with SLIP-39 shares; `WrongPassphrase` (one line) if not.

        Fewer distinct shares than the threshold are refused before anything is tried.
        """
        import shamir_mnemonic  # deferred: only recovery needs it

        document = self._read()
        slot = next((s for s in document.slots if s.kind == "shares"), None)
        if slot is None or slot.threshold is None:
            raise WrongPassphrase(
                "this vault has no recovery shares: use the recovery code or a passphrase"
            )
        given = list(dict.fromkeys(" ".join(m.split()).lower() for m in mnemonics if m.strip()))
        if len(given) < slot.threshold:
            raise WrongPassphrase(
                f"{slot.threshold} shares are needed and {len(given)} "
                f"{'was' if len(given) == 1 else 'were'} given; nothing was changed"
            )
        try:
            secret = shamir_mnemonic.combine_mnemonics(given)
        except (shamir_mnemonic.MnemonicError, ValueError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise WrongPassphrase(
                f"those shares do not combine ({reason}); check each against its written copy"
            ) from None
        keys = document.open_slot(slot, _hkdf_kek(secret, slot.salt, _SHARES_HKDF_INFO))
        if keys is None:
            raise WrongPassphrase(
                "those shares are not this vault's (or were replaced by a newer split); "
                "nothing was changed"
            )
        return Unlocked(keys, "shares", None)

    def change_passphrase(
        self,
        old_passphrase: str,
        new_passphrase: str,
        *,
        user: str,
        parameters: Argon2Parameters | None = None,
    ) -> None:
        """Replace `user`'s passphrase slot, proving their old passphrase first.

        The new slot has a new key pair. On a wrong old passphrase raises
        `WrongPassphrase` and changes nothing. `parameters` defaults to `calibrate()`.
        """
        new_bytes = _new_passphrase_bytes(new_passphrase)
        unlocked = self.unlock_with_passphrase(old_passphrase, user=user)
        self._put_passphrase_slot(
            unlocked.data_key, user, new_bytes, parameters, first_user=unlocked.user_id is None
        )

    def set_passphrase(
        self,
        data_key: bytes,
        new_passphrase: str,
        *,
        user: str,
        first_user: bool = False,
        parameters: Argon2Parameters | None = None,
    ) -> None:
        """Give `user` a passphrase slot (new, or replacing theirs), using the data key.

        For adding a user, or after a recovery unlock. `first_user` says `user` is the
        vault's first user, whose version 1 slot (if any) this replaces. Refuses
        (`VaultError`, nothing changed) a data key that does not belong to this vault.
        `parameters` defaults to `calibrate()`.
        """
        _check_data_key(data_key)
        new_bytes = _new_passphrase_bytes(new_passphrase)
        self._put_passphrase_slot(data_key, user, new_bytes, parameters, first_user=first_user)

    def remove_user(self, data_key: bytes, user: str) -> bool:
        """Remove `user`'s passphrase slot(s); return whether there was one.

        Refuses (`VaultError`) to remove the last passphrase slot or with a foreign key.
        """
        document = self._stable(data_key)
        gone = user_id_for(document.vault_id, user)
        kept = tuple(s for s in document.slots if not (s.kind == "passphrase" and s.user == gone))
        if len(kept) == len(document.slots):
            return False
        if not any(s.kind in ("passphrase", "passphrase-v1") for s in kept):
            raise VaultError("that is the last passphrase of this vault; nothing was changed")
        atomic_write_bytes(self.path, document.with_slots(kept).to_bytes())
        return True

    def reset_recovery(self, data_key: bytes) -> str:
        """Replace the recovery slot with a new code and return it; the old code stops working.

        Refuses (`VaultError`, nothing changed) a data key that does not belong to this
        vault.
        """
        _check_data_key(data_key)
        document = self._stable(data_key)
        recovery_code = generate_recovery_code()
        slot = document.new_recovery_slot((data_key,), parse_recovery_code(recovery_code))
        kept = tuple(s for s in document.slots if s.kind not in ("recovery", "recovery-v1"))
        atomic_write_bytes(self.path, document.with_slots((*kept, slot)).to_bytes())
        return recovery_code

    def split_recovery(self, data_key: bytes, *, shares: int, threshold: int) -> list[str]:
        """Replace the shares slot with a new secret split into `shares` SLIP-39 shares.

        Returns the shares (each a line of words), to be handed out once; any `threshold`
        of them recover the data key. Earlier shares stop working.
        """
        import shamir_mnemonic  # deferred: only recovery needs it

        _check_data_key(data_key)
        if not 1 <= threshold <= shares <= MAX_SHARES:
            raise InvalidInput(
                f"shares: give 1 to {MAX_SHARES} shares and a threshold from 1 to that number "
                f"(got {shares} shares, threshold {threshold})"
            )
        if threshold == 1 and shares > 1:
            raise InvalidInput(
                "a threshold of 1 makes every share a whole key: use the recovery code instead, "
                "or a threshold of at least 2"
            )
        document = self._stable(data_key)
        secret = secrets.token_bytes(SHARES_SECRET_BYTES)
        groups = shamir_mnemonic.generate_mnemonics(
            group_threshold=1, groups=[(threshold, shares)], master_secret=secret
        )
        slot = document.new_shares_slot((data_key,), secret, threshold, shares)
        kept = tuple(s for s in document.slots if s.kind != "shares")
        atomic_write_bytes(self.path, document.with_slots((*kept, slot)).to_bytes())
        return list(groups[0])

    def begin_rekey(self, current_key: bytes, next_key: bytes) -> bool:
        """Seal `next_key` beside `current_key` in every slot (step 1 of a re-key).

        A version 1 recovery slot cannot be sealed again and is dropped: returns True when
        that happened (the caller then issues a new recovery code). A version 1 passphrase
        slot cannot be either, so its presence is refused in one line.
        """
        _check_data_key(next_key)
        document = self._stable(current_key)
        if any(s.kind == "passphrase-v1" for s in document.slots):
            raise VaultError(
                "the first user's key slot is from an older notify-tui: they must unlock the "
                "vault once before it can be re-keyed; nothing was changed"
            )
        next_check = _key_check(document.vault_id, next_key)
        checks = (document.key_checks[0], next_check)
        slots = tuple(
            replace(slot, sealed=(slot.sealed[0], document.seal(slot, next_key, next_check)))
            for slot in document.slots
            if slot.kind != "recovery-v1"
        )
        dropped = len(slots) != len(document.slots)
        rekeyed = _Document(document.version, document.vault_id, checks, slots)
        atomic_write_bytes(self.path, rekeyed.to_bytes())
        return dropped

    def finish_rekey(self, key: bytes) -> None:
        """Keep only `key` (the one the database now takes) in every slot (last step)."""
        document = self._read()
        index = document.index_of(key)
        if index is None:
            raise VaultError("that key does not belong to this vault; nothing was changed")
        if len(document.key_checks) == 1:
            return
        slots = tuple(replace(slot, sealed=(slot.sealed[index],)) for slot in document.slots)
        finished = _Document(
            document.version, document.vault_id, (document.key_checks[index],), slots
        )
        atomic_write_bytes(self.path, finished.to_bytes())

    def _put_passphrase_slot(
        self,
        data_key: bytes,
        user: str,
        passphrase_bytes: bytes,
        parameters: Argon2Parameters | None,
        *,
        first_user: bool = False,
    ) -> None:
        """Write the file with `user`'s passphrase slot(s) replaced by one new slot.

        With `first_user`, a version 1 passphrase slot (the vault's first user's) goes too.
        """
        document = self._stable(data_key)
        user_id = user_id_for(document.vault_id, user)
        slot = document.new_passphrase_slot(
            (data_key,), user_id, passphrase_bytes, parameters or calibrate()
        )
        kept = tuple(
            s
            for s in document.slots
            if not (s.kind == "passphrase" and s.user == user_id)
            and not (first_user and s.kind == "passphrase-v1")
        )
        atomic_write_bytes(self.path, document.with_slots((slot, *kept)).to_bytes())

    def _upgrade(
        self, document: _Document, old: _Slot, kek: bytes, keys: tuple[bytes, ...], user: str
    ) -> None:
        """Rewrite a version 1 file as version 2, `old` becoming `user`'s slot (same KEK)."""
        upgraded = _Document(FORMAT_VERSION, document.vault_id, document.key_checks, ())
        slot = upgraded.wrap_slot(
            "passphrase", keys, old.kdf, old.salt, kek, user=user_id_for(document.vault_id, user)
        )
        kept = tuple(s for s in document.slots if s is not old)
        atomic_write_bytes(self.path, upgraded.with_slots((slot, *kept)).to_bytes())

    def _stable(self, data_key: bytes) -> _Document:
        """The file, refusing a foreign key or an unfinished re-key (`VaultError`)."""
        document = self._read()
        document.require_key(data_key)
        if len(document.key_checks) != 1:
            raise VaultError("a re-key of this vault is unfinished; unlock it to finish it first")
        return document

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


class _V1PassphraseSlot(_Strict):
    kind: Literal["passphrase"]
    kdf: _Argon2idKdf
    nonce: str
    wrapped_key: str


class _V1RecoverySlot(_Strict):
    kind: Literal["recovery"]
    kdf: _HkdfKdf
    nonce: str
    wrapped_key: str


class _V1Document(_Strict):
    format: Literal["notify-tui-keyslots"]
    version: int
    vault_id: Annotated[str, Field(pattern=_VAULT_ID_PATTERN)]
    key_check: str
    slots: Annotated[
        list[Annotated[_V1PassphraseSlot | _V1RecoverySlot, Field(discriminator="kind")]],
        Field(min_length=1, max_length=MAX_SLOTS),
    ]


class _SealedSlot(_Strict):
    nonce: str
    wrapped_private: str
    public: str
    sealed: Annotated[list[str], Field(min_length=1, max_length=2)]


class _PassphraseSlot(_SealedSlot):
    kind: Literal["passphrase"]
    user: Annotated[str, Field(pattern=_USER_ID_PATTERN)]
    kdf: _Argon2idKdf


class _RecoverySlot(_SealedSlot):
    kind: Literal["recovery"]
    kdf: _HkdfKdf


class _SharesSlot(_SealedSlot):
    kind: Literal["shares"]
    threshold: Annotated[int, Field(ge=1, le=MAX_SHARES)]
    shares: Annotated[int, Field(ge=1, le=MAX_SHARES)]
    kdf: _HkdfKdf


class _LegacyPassphraseSlot(_V1PassphraseSlot):
    kind: Literal["passphrase-v1"]  # type: ignore[assignment]


class _LegacyRecoverySlot(_V1RecoverySlot):
    kind: Literal["recovery-v1"]  # type: ignore[assignment]


class _V2Document(_Strict):
    format: Literal["notify-tui-keyslots"]
    version: int
    vault_id: Annotated[str, Field(pattern=_VAULT_ID_PATTERN)]
    key_checks: Annotated[list[str], Field(min_length=1, max_length=2)]
    slots: Annotated[
        list[
            Annotated[
                _PassphraseSlot
                | _RecoverySlot
                | _SharesSlot
                | _LegacyPassphraseSlot
                | _LegacyRecoverySlot,
                Field(discriminator="kind"),
            ]
        ],
        Field(min_length=1, max_length=MAX_SLOTS),
    ]


class _Version(BaseModel):
    """Just enough of the file to know which version to parse it as."""

    model_config = ConfigDict(strict=True)
    version: int


@dataclass(frozen=True)
class _Slot:
    """One decoded slot.

    A version 2 slot (`passphrase`, `recovery`, `shares`) wraps its own X25519 private key
    (`wrapped`) and holds the data key sealed to its public key (`sealed`, one per key
    check); a version 1 slot (`passphrase-v1`, `recovery-v1`) wraps the data key itself.
    """

    kind: StoredKind
    kdf: dict[str, Any]
    salt: bytes
    nonce: bytes
    wrapped: bytes
    user: str | None = None
    public: bytes | None = None
    sealed: tuple[bytes, ...] = ()
    threshold: int | None = None
    shares: int | None = None

    @property
    def argon2(self) -> Argon2Parameters:
        """The Argon2id parameters of a passphrase slot."""
        return Argon2Parameters(
            memory_cost=self.kdf["memory_cost"],
            iterations=self.kdf["iterations"],
            lanes=self.kdf["lanes"],
        )

    @property
    def legacy(self) -> bool:
        """A version 1 slot (it wraps the data key itself)."""
        return self.kind in ("passphrase-v1", "recovery-v1")

    def to_json(self) -> dict[str, Any]:
        """The slot as stored in a version 2 file."""
        if self.legacy:
            return {
                "kind": self.kind,
                "kdf": self.kdf,
                "nonce": _b64(self.nonce),
                "wrapped_key": _b64(self.wrapped),
            }
        assert self.public is not None
        stored: dict[str, Any] = {
            "kind": self.kind,
            "kdf": self.kdf,
            "nonce": _b64(self.nonce),
            "wrapped_private": _b64(self.wrapped),
            "public": _b64(self.public),
            "sealed": [_b64(item) for item in self.sealed],
        }
        if self.user is not None:
            stored["user"] = self.user
        if self.threshold is not None:
            stored["threshold"] = self.threshold
            stored["shares"] = self.shares
        return stored


@dataclass(frozen=True)
class _Document:
    """A parsed and checked key slot file."""

    version: int
    vault_id: str
    key_checks: tuple[bytes, ...]
    slots: tuple[_Slot, ...]

    @classmethod
    def parse(cls, raw: bytes, name: str) -> _Document:
        """Parse the file's bytes; `IntegrityError` (one line) if anything is off."""
        damaged = f"{name} is damaged or was edited; restore it from a backup"
        if len(raw) > MAX_FILE_BYTES:
            raise IntegrityError(f"{name} is too large to be a key slot file; {damaged}")
        try:
            data = json.loads(raw.decode("utf-8"), object_pairs_hook=_refuse_duplicate_keys)
            version = _Version.model_validate(data if isinstance(data, dict) else {}).version
            if version not in (1, FORMAT_VERSION):
                if version > FORMAT_VERSION and isinstance(data.get("format"), str):
                    raise VaultError(
                        f"{name} has format version {version}, this notify-tui reads versions "
                        f"1 and {FORMAT_VERSION}; upgrade notify-tui"
                    )
                raise ValueError("unknown version")
            if version == 1:
                return cls._from_v1(_V1Document.model_validate(data), damaged)
            return cls._from_v2(_V2Document.model_validate(data), damaged)
        except (UnicodeDecodeError, ValueError) as error:
            where = ""
            if isinstance(error, ValidationError) and error.errors():
                where = " (at " + ".".join(str(part) for part in error.errors()[0]["loc"]) + ")"
            raise IntegrityError(f"{damaged}{where}") from None

    @classmethod
    def _from_v1(cls, model: _V1Document, damaged: str) -> _Document:
        slots = tuple(
            _Slot(
                kind="passphrase-v1" if entry.kind == "passphrase" else "recovery-v1",
                kdf=entry.kdf.model_dump(),
                salt=_unb64(entry.kdf.salt, SALT_BYTES, damaged),
                nonce=_unb64(entry.nonce, NONCE_BYTES, damaged),
                wrapped=_unb64(entry.wrapped_key, WRAPPED_KEY_BYTES, damaged),
            )
            for entry in model.slots
        )
        check = _unb64(model.key_check, hashlib.sha256().digest_size, damaged)
        return cls._checked(cls(1, model.vault_id, (check,), slots), damaged)

    @classmethod
    def _from_v2(cls, model: _V2Document, damaged: str) -> _Document:
        checks = tuple(
            _unb64(check, hashlib.sha256().digest_size, damaged) for check in model.key_checks
        )
        slots: list[_Slot] = []
        for entry in model.slots:
            salt = _unb64(entry.kdf.salt, SALT_BYTES, damaged)
            nonce = _unb64(entry.nonce, NONCE_BYTES, damaged)
            if isinstance(entry, _LegacyPassphraseSlot | _LegacyRecoverySlot):
                wrapped = _unb64(entry.wrapped_key, WRAPPED_KEY_BYTES, damaged)
                slots.append(_Slot(entry.kind, entry.kdf.model_dump(), salt, nonce, wrapped))
                continue
            if len(entry.sealed) != len(checks):
                raise IntegrityError(damaged)
            slots.append(
                _Slot(
                    kind=entry.kind,
                    kdf=entry.kdf.model_dump(),
                    salt=salt,
                    nonce=nonce,
                    wrapped=_unb64(entry.wrapped_private, WRAPPED_PRIVATE_BYTES, damaged),
                    user=entry.user if isinstance(entry, _PassphraseSlot) else None,
                    public=_unb64(entry.public, PUBLIC_BYTES, damaged),
                    sealed=tuple(_unb64(s, SEALED_BYTES, damaged) for s in entry.sealed),
                    threshold=entry.threshold if isinstance(entry, _SharesSlot) else None,
                    shares=entry.shares if isinstance(entry, _SharesSlot) else None,
                )
            )
        if any(s.legacy for s in slots) and len(checks) != 1:
            raise IntegrityError(damaged)
        return cls._checked(cls(FORMAT_VERSION, model.vault_id, checks, tuple(slots)), damaged)

    @staticmethod
    def _checked(document: _Document, damaged: str) -> _Document:
        name = damaged.split(" ", 1)[0]
        for slot in document.slots:
            if slot.kind in ("passphrase", "passphrase-v1"):
                _check_argon2_parameters(slot.argon2)
            if slot.kind == "shares" and (slot.threshold or 0) > (slot.shares or 0):
                raise IntegrityError(damaged)
        if not any(slot.kind in ("passphrase", "passphrase-v1") for slot in document.slots):
            raise IntegrityError(f"{name} has no passphrase slot; {damaged}")
        users = [slot.user for slot in document.slots if slot.user is not None]
        if len(users) != len(set(users)) or sum(s.kind == "shares" for s in document.slots) > 1:
            raise IntegrityError(damaged)
        return document

    def to_bytes(self) -> bytes:
        """The file's bytes (always the current version)."""
        data = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "vault_id": self.vault_id,
            "key_checks": [_b64(check) for check in self.key_checks],
            "slots": [slot.to_json() for slot in self.slots],
        }
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")

    def with_slots(self, slots: tuple[_Slot, ...]) -> _Document:
        """A copy (of the current version) holding `slots` instead."""
        return _Document(FORMAT_VERSION, self.vault_id, self.key_checks, slots)

    # -- opening -------------------------------------------------------------------

    def open_slot(self, slot: _Slot, kek: bytes) -> tuple[bytes, ...] | None:
        """The data key(s) `slot` holds, or None if `kek` is not its KEK.

        A slot that opens but holds a key that fails its key check is an
        `IntegrityError`: the file was edited.
        """
        aad = _associated_data(self.vault_id, slot)
        try:
            opened = AESGCM(kek).decrypt(slot.nonce, slot.wrapped, aad)
        except InvalidTag:
            return None
        if slot.legacy:
            return (self._checked_key(opened, 0),)
        private = X25519PrivateKey.from_private_bytes(opened)
        if _raw_public(private.public_key()) != slot.public:
            raise IntegrityError(_EDITED)
        keys = []
        for index, sealed in enumerate(slot.sealed):
            try:
                key = _SUITE.decrypt(
                    sealed, private, info=_seal_info(self.vault_id, slot, self.key_checks[index])
                )
            except InvalidTag:
                raise IntegrityError(_EDITED) from None
            keys.append(self._checked_key(key, index))
        return tuple(keys)

    def _checked_key(self, data_key: bytes, index: int) -> bytes:
        """`data_key` if it matches key check `index`; `IntegrityError` otherwise."""
        if len(data_key) != DATA_KEY_BYTES or not hmac.compare_digest(
            _key_check(self.vault_id, data_key), self.key_checks[index]
        ):
            raise IntegrityError(_EDITED)
        return data_key

    def index_of(self, data_key: bytes) -> int | None:
        """Which key check `data_key` matches (None: not this vault's)."""
        check = _key_check(self.vault_id, data_key)
        for index, known in enumerate(self.key_checks):
            if hmac.compare_digest(check, known):
                return index
        return None

    def require_key(self, data_key: bytes) -> None:
        """Refuse (`VaultError`) a data key that is not this vault's."""
        if self.index_of(data_key) is None:
            raise VaultError("that key does not belong to this vault; nothing was changed")

    # -- making slots --------------------------------------------------------------

    def seal(self, slot: _Slot, data_key: bytes, key_check: bytes) -> bytes:
        """`data_key` sealed to `slot`'s public key (HPKE base mode)."""
        assert slot.public is not None
        public = X25519PublicKey.from_public_bytes(slot.public)
        return _SUITE.encrypt(data_key, public, info=_seal_info(self.vault_id, slot, key_check))

    def wrap_slot(
        self,
        kind: SlotKind,
        keys: tuple[bytes, ...],
        kdf: dict[str, Any],
        salt: bytes,
        kek: bytes,
        *,
        user: str | None = None,
        threshold: int | None = None,
        shares: int | None = None,
    ) -> _Slot:
        """A new slot with a fresh key pair, its private key under `kek`, `keys` sealed."""
        private = X25519PrivateKey.generate()
        slot = _Slot(
            kind=kind,
            kdf=kdf,
            salt=salt,
            nonce=secrets.token_bytes(NONCE_BYTES),
            wrapped=b"",
            user=user,
            public=_raw_public(private.public_key()),
            threshold=threshold,
            shares=shares,
        )
        raw_private = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        wrapped = AESGCM(kek).encrypt(
            slot.nonce, raw_private, _associated_data(self.vault_id, slot)
        )
        sealed = tuple(
            self.seal(slot, key, check) for key, check in zip(keys, self.key_checks, strict=True)
        )
        return replace(slot, wrapped=wrapped, sealed=sealed)

    def new_passphrase_slot(
        self,
        keys: tuple[bytes, ...],
        user_id: str,
        passphrase: bytes,
        parameters: Argon2Parameters,
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
        return self.wrap_slot("passphrase", keys, kdf, salt, kek, user=user_id)

    def new_recovery_slot(self, keys: tuple[bytes, ...], secret: bytes) -> _Slot:
        """A new recovery slot for the 15-byte recovery secret."""
        salt = secrets.token_bytes(SALT_BYTES)
        kdf = {"algorithm": "hkdf-sha256", "salt": _b64(salt)}
        kek = _hkdf_kek(secret, salt, _HKDF_INFO)
        return self.wrap_slot("recovery", keys, kdf, salt, kek)

    def new_shares_slot(
        self, keys: tuple[bytes, ...], secret: bytes, threshold: int, shares: int
    ) -> _Slot:
        """A new shares slot for the secret the shares recover."""
        salt = secrets.token_bytes(SALT_BYTES)
        kdf = {"algorithm": "hkdf-sha256", "salt": _b64(salt)}
        kek = _hkdf_kek(secret, salt, _SHARES_HKDF_INFO)
        return self.wrap_slot("shares", keys, kdf, salt, kek, threshold=threshold, shares=shares)


_EDITED: Final = (
    f"a key slot does not match the vault's key check; {KEYSLOTS_FILE_NAME} was edited; "
    "restore it from a backup"
)


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


def _hkdf_kek(secret: bytes, salt: bytes, info: bytes) -> bytes:
    """The KEK of a recovery or shares slot (high-entropy secrets; no stretching)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def _associated_data(vault_id: str, slot: _Slot) -> bytes:
    """What a slot's AES-GCM tag authenticates besides the key it wraps."""
    if slot.legacy:
        return _canonical_json(
            {
                "format": FORMAT_NAME,
                "version": 1,
                "vault_id": vault_id,
                "kind": slot.kind.removesuffix("-v1"),
                "kdf": slot.kdf,
            }
        )
    return _canonical_json(
        {
            "format": FORMAT_NAME,
            "version": 2,
            "vault_id": vault_id,
            "kind": slot.kind,
            "user": slot.user,
            "kdf": slot.kdf,
            "public": _b64(slot.public or b""),
            "threshold": slot.threshold,
            "shares": slot.shares,
        }
    )


def _seal_info(vault_id: str, slot: _Slot, key_check: bytes) -> bytes:
    """The HPKE `info` of a sealed key: label || SHA-256(vault id, public key, key check)."""
    bound = _canonical_json(
        {"vault_id": vault_id, "public": _b64(slot.public or b""), "key_check": _b64(key_check)}
    )
    return _SEAL_INFO_LABEL + hashlib.sha256(bound).digest()


def _key_check(vault_id: str, data_key: bytes) -> bytes:
    """HMAC-SHA256 of a fixed label and the vault id under the data key."""
    return hmac.digest(data_key, _KEY_CHECK_LABEL + vault_id.encode("ascii"), "sha256")


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


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
