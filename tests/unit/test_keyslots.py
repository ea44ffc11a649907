"""Key slots: wrapping the data key, unlocking, tampering, passphrase changes, atomic writes.

Like the rest of the suite, these tests derive passphrase keys with the cheap
stand-in (tests/kdf_stub.py) unless marked `real_kdf`: the two that are about Argon2id
itself (a real round trip, and calibration on this machine) use the real one, at about
half a second per derivation. The slot file is made once per module and each test
works on a copy; tests that must be refused before deriving use `no_argon2`.
"""

from __future__ import annotations

import base64
import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kdf_stub import cheap_kdf

from notify_tui.errors import IntegrityError, InvalidInput, VaultError, WrongPassphrase
from notify_tui.store import keyslots
from notify_tui.store.files import atomic_write_bytes
from notify_tui.store.keyslots import (
    ARGON2_FLOOR,
    WRONG_PASSPHRASE_MESSAGE,
    Argon2Parameters,
    KeySlotFile,
    calibrate,
    format_recovery_code,
    parse_recovery_code,
)

PASSPHRASE = "correct horse battery staple"
VAULT_ID = "0f3c6d1e9a2b4c5d8e7f6a5b4c3d2e1f"
DATA_KEY = bytes(range(32))
RECOVERY_CODE_SHAPE = re.compile(r"([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}")


class Original:
    """The module's one freshly created key slot file."""

    def __init__(self, raw: bytes, recovery_code: str) -> None:
        self.raw = raw
        self.recovery_code = recovery_code

    def copy_to(self, directory: Path, raw: bytes | None = None) -> KeySlotFile:
        """A key slot file in `directory` holding the original (or `raw`) bytes."""
        path = directory / "keyslots.json"
        path.write_bytes(self.raw if raw is None else raw)
        path.chmod(0o600)
        return KeySlotFile(path)

    def edited(self, directory: Path, edit: Callable[[dict[str, Any]], None]) -> KeySlotFile:
        """A copy whose parsed JSON went through `edit`."""
        document = json.loads(self.raw)
        edit(document)
        return self.copy_to(directory, json.dumps(document).encode())


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Original:
    """A key slot file for DATA_KEY with PASSPHRASE at the floor parameters."""
    path = tmp_path_factory.mktemp("original") / "keyslots.json"
    code = KeySlotFile(path).create(VAULT_ID, DATA_KEY, PASSPHRASE, parameters=ARGON2_FLOOR)
    return Original(path.read_bytes(), code)


@pytest.fixture
def no_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any passphrase key derivation starts (stand-in or Argon2id)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Argon2id must not run")

    monkeypatch.setattr(keyslots, "passphrase_kdf", refuse)
    monkeypatch.setattr(keyslots, "Argon2id", refuse)


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file in `directory` with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def slot(document: dict[str, Any], kind: str) -> dict[str, Any]:
    """The first slot of `kind` in a parsed file."""
    return next(s for s in document["slots"] if s["kind"] == kind)


def flip_base64_byte(text: str) -> str:
    """The same base64 text with one byte of its content changed."""
    data = bytearray(base64.b64decode(text))
    data[0] ^= 0x01
    return base64.b64encode(bytes(data)).decode()


# --- the file as created ----------------------------------------------------------------------


def test_created_file_holds_no_secret(original: Original) -> None:
    """Valid JSON with two slots, and neither key, passphrase nor code in clear."""
    raw = original.raw
    document = json.loads(raw)
    assert document["format"] == "notify-tui-keyslots" and document["version"] == 1
    assert document["vault_id"] == VAULT_ID
    assert [s["kind"] for s in document["slots"]] == ["passphrase", "recovery"]
    assert slot(document, "passphrase")["kdf"] == {
        "algorithm": "argon2id",
        "memory_cost": 262144,
        "iterations": 3,
        "lanes": 4,
        "salt": slot(document, "passphrase")["kdf"]["salt"],
    }
    for secret in (
        DATA_KEY,
        DATA_KEY.hex().encode(),
        base64.b64encode(DATA_KEY),
        PASSPHRASE.encode(),
    ):
        assert secret not in raw
    assert original.recovery_code.replace("-", "").encode() not in raw


def test_create_writes_mode_0600_under_a_permissive_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is private from birth, whatever the umask."""
    monkeypatch.setattr(keyslots, "passphrase_kdf", lambda *args: bytes(32))
    old_umask = os.umask(0o022)
    try:
        KeySlotFile(tmp_path / "keyslots.json").create(
            VAULT_ID, DATA_KEY, PASSPHRASE, parameters=ARGON2_FLOOR
        )
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "keyslots.json").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["keyslots.json"]


def test_create_refuses_an_existing_file(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """An existing key slot file is never overwritten by create."""
    slots = original.copy_to(tmp_path)
    with pytest.raises(VaultError, match="already exists"):
        slots.create(VAULT_ID, DATA_KEY, PASSPHRASE, parameters=ARGON2_FLOOR)
    assert slots.path.read_bytes() == original.raw


def test_create_refuses_an_empty_passphrase(tmp_path: Path, no_argon2: None) -> None:
    """An empty (or blank) passphrase is refused before anything is written."""
    with pytest.raises(InvalidInput):
        KeySlotFile(tmp_path / "keyslots.json").create(VAULT_ID, DATA_KEY, "  ")
    assert list(tmp_path.iterdir()) == []


def test_read_vault_id(original: Original, tmp_path: Path) -> None:
    """The vault id is readable without a secret."""
    assert original.copy_to(tmp_path).read_vault_id() == VAULT_ID


# --- unlocking ------------------------------------------------------------------------------


def test_passphrase_unlocks(original: Original, tmp_path: Path) -> None:
    """The right passphrase gives the data key back."""
    assert original.copy_to(tmp_path).unlock_with_passphrase(PASSPHRASE) == DATA_KEY


@pytest.mark.real_kdf
def test_passphrase_unlocks_with_real_argon2id(tmp_path: Path) -> None:
    """With the real Argon2id a slot made at the floor opens with its passphrase only."""
    slots = KeySlotFile(tmp_path / "keyslots.json")
    slots.create(VAULT_ID, DATA_KEY, PASSPHRASE, parameters=ARGON2_FLOOR)
    assert slots.unlock_with_passphrase(PASSPHRASE) == DATA_KEY
    with pytest.MonkeyPatch.context() as patch:
        # The stand-in must not open a slot Argon2id made: proof the slot used the real one.
        patch.setattr(keyslots, "passphrase_kdf", cheap_kdf)
        with pytest.raises(WrongPassphrase):
            slots.unlock_with_passphrase(PASSPHRASE)


def test_wrong_passphrase_changes_nothing(original: Original, tmp_path: Path) -> None:
    """A wrong passphrase: the exact one-line message, no new file, no changed byte."""
    slots = original.copy_to(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(WrongPassphrase) as caught:
        slots.unlock_with_passphrase("correct horse battery stapler")
    assert str(caught.value) == WRONG_PASSPHRASE_MESSAGE
    assert str(caught.value) == (
        "wrong passphrase: nothing was changed; try again or use `notify-tui recover`"
    )
    assert snapshot(tmp_path) == before


def test_empty_passphrase_is_wrong_without_deriving(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """An empty passphrase is refused at once."""
    with pytest.raises(WrongPassphrase):
        original.copy_to(tmp_path).unlock_with_passphrase("")


def test_recovery_code_unlocks_however_it_is_typed(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """Lower case, spaces instead of dashes, and I/L/O look-alikes all work."""
    slots = original.copy_to(tmp_path)
    code = original.recovery_code
    assert RECOVERY_CODE_SHAPE.fullmatch(code)
    sloppy = " " + code.lower().replace("-", "  ").replace("1", "l").replace("0", "O") + "\n"
    assert slots.unlock_with_recovery(code) == DATA_KEY
    assert slots.unlock_with_recovery(sloppy) == DATA_KEY
    assert slots.unlock_with_recovery(code.replace("-", "")) == DATA_KEY


def test_wrong_recovery_code_changes_nothing(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """A well-formed but wrong code is refused in one line; nothing changes."""
    slots = original.copy_to(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(WrongPassphrase, match="wrong recovery code"):
        slots.unlock_with_recovery(keyslots.generate_recovery_code())
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("typed", ["", "ABCD-EFGH", "UUUU-UUUU-UUUU-UUUU-UUUU-UUUU", "A" * 25])
def test_malformed_recovery_code_is_explained(typed: str) -> None:
    """Wrong length or non-Crockford letters get a 'not a recovery code' message."""
    with pytest.raises(WrongPassphrase, match="not a recovery code"):
        parse_recovery_code(typed)


def test_recovery_codes_round_trip_and_carry_120_bits() -> None:
    """Formatting and parsing are inverse; codes are 24 symbols in 6 groups."""
    for _ in range(200):
        secret = os.urandom(15)
        code = format_recovery_code(secret)
        assert RECOVERY_CODE_SHAPE.fullmatch(code)
        assert parse_recovery_code(code) == secret
    assert format_recovery_code(bytes(15)) == "0000-0000-0000-0000-0000-0000"
    assert format_recovery_code(b"\xff" * 15) == "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"
    assert len({keyslots.generate_recovery_code() for _ in range(50)}) == 50


# --- tampering ------------------------------------------------------------------------------


def test_flipped_wrapped_key_in_passphrase_slot_is_refused(
    original: Original, tmp_path: Path
) -> None:
    """One changed byte of the wrapped key: the right passphrase no longer unwraps."""
    slots = original.edited(
        tmp_path,
        lambda d: slot(d, "passphrase").update(
            wrapped_key=flip_base64_byte(slot(d, "passphrase")["wrapped_key"])
        ),
    )
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_passphrase(PASSPHRASE)


def test_flipped_wrapped_key_in_recovery_slot_is_refused(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """One changed byte in the recovery slot: the right code no longer unwraps."""
    slots = original.edited(
        tmp_path,
        lambda d: slot(d, "recovery").update(nonce=flip_base64_byte(slot(d, "recovery")["nonce"])),
    )
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_recovery(original.recovery_code)


@pytest.mark.parametrize(
    ("field", "value"),
    [("memory_cost", 65536), ("memory_cost", 262143), ("iterations", 2), ("lanes", 1)],
)
def test_lowered_parameters_are_refused_before_deriving(
    original: Original, tmp_path: Path, no_argon2: None, field: str, value: int
) -> None:
    """Weakened Argon2 parameters are refused, even for the recovery path."""
    slots = original.edited(tmp_path, lambda d: slot(d, "passphrase")["kdf"].update({field: value}))
    message = "key slot parameters are below the safe minimum; the file may have been tampered with"
    with pytest.raises(IntegrityError) as caught:
        slots.unlock_with_passphrase(PASSPHRASE)
    assert str(caught.value) == message
    with pytest.raises(IntegrityError):
        slots.unlock_with_recovery(original.recovery_code)


@pytest.mark.parametrize(("field", "value"), [("memory_cost", 262148), ("iterations", 4)])
def test_raised_parameters_fail_to_unwrap(
    original: Original, tmp_path: Path, field: str, value: int
) -> None:
    """Stronger-looking parameters are authenticated too: the slot no longer opens."""
    slots = original.edited(tmp_path, lambda d: slot(d, "passphrase")["kdf"].update({field: value}))
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_passphrase(PASSPHRASE)


def test_absurd_parameters_are_refused_before_deriving(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """Parameters that would make unlocking hang or exhaust memory are refused."""
    slots = original.edited(
        tmp_path, lambda d: slot(d, "passphrase")["kdf"].update(memory_cost=64 * 1024 * 1024)
    )
    with pytest.raises(IntegrityError, match="above the supported maximum"):
        slots.unlock_with_passphrase(PASSPHRASE)


@pytest.mark.parametrize("kind", ["recovery", "passphrase"])
def test_changed_slot_kind_is_refused(
    original: Original, tmp_path: Path, no_argon2: None, kind: str
) -> None:
    """Relabelling a slot's kind makes the file invalid."""
    other = "passphrase" if kind == "recovery" else "recovery"
    slots = original.edited(tmp_path, lambda d: slot(d, other).update(kind=kind))
    with pytest.raises(IntegrityError, match="damaged or was edited") as caught:
        slots.unlock_with_recovery(original.recovery_code)
    assert "\n" not in str(caught.value)


def test_swapped_kdf_blocks_are_refused(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """Giving the recovery slot another salt (valid shape) fails authentication."""

    def edit(document: dict[str, Any]) -> None:
        recovery = slot(document, "recovery")
        recovery["kdf"]["salt"] = slot(document, "passphrase")["kdf"]["salt"]

    with pytest.raises(WrongPassphrase):
        original.edited(tmp_path, edit).unlock_with_recovery(original.recovery_code)


def test_changed_vault_id_is_refused(original: Original, tmp_path: Path, no_argon2: None) -> None:
    """Slots are bound to their vault id by the associated data."""
    slots = original.edited(tmp_path, lambda d: d.update(vault_id="another-vault"))
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_recovery(original.recovery_code)


def test_edited_key_check_is_refused(original: Original, tmp_path: Path, no_argon2: None) -> None:
    """A key check that does not match the unwrapped key is an integrity failure."""
    slots = original.edited(
        tmp_path, lambda d: d.update(key_check=flip_base64_byte(d["key_check"]))
    )
    with pytest.raises(IntegrityError, match="key check"):
        slots.unlock_with_recovery(original.recovery_code)


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"",
        lambda raw: b"\xff\xfe not json",
        lambda raw: b"[]",
        lambda raw: raw.replace(b'"version": 1', b'"version": true'),
        lambda raw: raw.replace(b'"format"', b'"extra": 1, "format"', 1),
        lambda raw: raw.replace(b'"format"', b'"vault_id": "x", "format"', 1),
        lambda raw: raw.replace(b'"nonce": "', b'"nonce": "!', 1),
        lambda raw: raw + b" " * (64 * 1024),
    ],
    ids=[
        "truncated",
        "empty",
        "not-json",
        "wrong-shape",
        "bool-version",
        "unknown-field",
        "duplicate-key",
        "bad-base64",
        "too-large",
    ],
)
def test_damaged_file_is_refused_in_one_line(
    original: Original, tmp_path: Path, no_argon2: None, damage: Callable[[bytes], bytes]
) -> None:
    """Anything unparseable is an IntegrityError with a one-line message."""
    slots = original.copy_to(tmp_path, damage(original.raw))
    with pytest.raises(IntegrityError) as caught:
        slots.unlock_with_passphrase(PASSPHRASE)
    assert "\n" not in str(caught.value) and "keyslots.json" in str(caught.value)


def test_newer_format_version_asks_for_an_upgrade(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """A future format version is not called tampering."""
    slots = original.edited(tmp_path, lambda d: d.update(version=2))
    with pytest.raises(VaultError, match="upgrade notify-tui"):
        slots.unlock_with_recovery(original.recovery_code)


def test_missing_file(tmp_path: Path) -> None:
    """A missing key slot file says so."""
    with pytest.raises(VaultError, match="no key slot file"):
        KeySlotFile(tmp_path / "keyslots.json").unlock_with_passphrase(PASSPHRASE)
    assert list(tmp_path.iterdir()) == []


# --- changing the passphrase and the recovery code --------------------------------------------


def test_change_passphrase(original: Original, tmp_path: Path) -> None:
    """After a change the old passphrase fails, the new one and the recovery code work."""
    slots = original.copy_to(tmp_path)
    recovery_before = slot(json.loads(original.raw), "recovery")
    slots.change_passphrase(PASSPHRASE, "a whole new passphrase", parameters=ARGON2_FLOOR)
    assert [p.name for p in tmp_path.iterdir()] == ["keyslots.json"]
    assert stat.S_IMODE(slots.path.stat().st_mode) == 0o600
    assert slot(json.loads(slots.path.read_bytes()), "recovery") == recovery_before
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_passphrase(PASSPHRASE)
    assert slots.unlock_with_passphrase("a whole new passphrase") == DATA_KEY
    assert slots.unlock_with_recovery(original.recovery_code) == DATA_KEY


def test_change_passphrase_with_wrong_old_passphrase_changes_nothing(
    original: Original, tmp_path: Path
) -> None:
    """A wrong old passphrase refuses the change; the file is byte-identical."""
    slots = original.copy_to(tmp_path)
    with pytest.raises(WrongPassphrase):
        slots.change_passphrase("not it", "a whole new passphrase", parameters=ARGON2_FLOOR)
    assert snapshot(tmp_path) == {"keyslots.json": original.raw}


def test_crash_during_change_keeps_the_old_file(
    original: Original, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the final rename fails the old file is intact and no temporary file is left."""
    monkeypatch.setattr(keyslots, "passphrase_kdf", cheap_kdf)
    slots = original.copy_to(tmp_path)

    def failing_replace(source: object, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(VaultError, match="No space left on device") as caught:
        slots.set_passphrase(DATA_KEY, "a whole new passphrase", parameters=ARGON2_FLOOR)
    assert "\n" not in str(caught.value)
    assert snapshot(tmp_path) == {"keyslots.json": original.raw}


def test_set_passphrase_after_recovery(
    original: Original, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the data key (from the recovery code) a new passphrase slot can be written."""
    monkeypatch.setattr(keyslots, "passphrase_kdf", cheap_kdf)
    slots = original.copy_to(tmp_path)
    data_key = slots.unlock_with_recovery(original.recovery_code)
    slots.set_passphrase(data_key, "after recovery", parameters=ARGON2_FLOOR)
    assert slots.unlock_with_passphrase("after recovery") == DATA_KEY
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_passphrase(PASSPHRASE)
    assert slots.unlock_with_recovery(original.recovery_code) == DATA_KEY


def test_set_passphrase_refuses_a_foreign_key(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """A data key that is not this vault's is refused before anything is written."""
    slots = original.copy_to(tmp_path)
    with pytest.raises(VaultError, match="does not belong to this vault"):
        slots.set_passphrase(os.urandom(32), "whatever", parameters=ARGON2_FLOOR)
    assert snapshot(tmp_path) == {"keyslots.json": original.raw}


def test_reset_recovery(original: Original, tmp_path: Path, no_argon2: None) -> None:
    """A new code works, the old one stops working, the passphrase slot is untouched."""
    slots = original.copy_to(tmp_path)
    new_code = slots.reset_recovery(DATA_KEY)
    assert RECOVERY_CODE_SHAPE.fullmatch(new_code) and new_code != original.recovery_code
    assert slots.unlock_with_recovery(new_code) == DATA_KEY
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_recovery(original.recovery_code)
    before, after = json.loads(original.raw), json.loads(slots.path.read_bytes())
    assert slot(after, "passphrase") == slot(before, "passphrase")
    with pytest.raises(VaultError, match="does not belong"):
        slots.reset_recovery(os.urandom(32))


# --- calibration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "iterations"),
    [(0.9, 3), (0.5, 3), (0.45, 4), (0.2, 9), (0.05, 32), (0.0, 32)],
)
def test_calibrate_raises_only_iterations(seconds: float, iterations: int) -> None:
    """Slow machines keep the floor; fast ones get more passes, capped; memory never drops."""
    parameters = calibrate(measure=lambda _: seconds)
    assert parameters == Argon2Parameters(262144, iterations, 4)


@pytest.mark.real_kdf
def test_calibrate_on_this_machine() -> None:
    """The real calibration never goes below the floor."""
    parameters = calibrate()
    assert parameters.memory_cost == ARGON2_FLOOR.memory_cost
    assert parameters.lanes == ARGON2_FLOOR.lanes
    assert ARGON2_FLOOR.iterations <= parameters.iterations <= 32


# --- atomic_write_bytes -----------------------------------------------------------------------


def test_atomic_write_creates_private_files_and_replaces(tmp_path: Path) -> None:
    """New and replaced files are 0600; no temporary file is left."""
    target = tmp_path / "bundle.bin"
    old_umask = os.umask(0)
    try:
        atomic_write_bytes(target, b"first")
        atomic_write_bytes(target, b"second")
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["bundle.bin"]


def test_atomic_write_exclusive_refuses_an_existing_file(tmp_path: Path) -> None:
    """exclusive=True never overwrites, and cleans up its temporary file."""
    target = tmp_path / "keyslots.json"
    target.write_bytes(b"keep")
    with pytest.raises(VaultError, match="already exists"):
        atomic_write_bytes(target, b"new", exclusive=True)
    assert target.read_bytes() == b"keep"
    assert [p.name for p in tmp_path.iterdir()] == ["keyslots.json"]


def test_atomic_write_into_missing_directory(tmp_path: Path) -> None:
    """A missing folder is one line, naming the file."""
    with pytest.raises(VaultError, match="could not write x.bin") as caught:
        atomic_write_bytes(tmp_path / "missing" / "x.bin", b"data")
    assert "\n" not in str(caught.value)
