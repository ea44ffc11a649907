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
USER = "Test Lead (fictional)"
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
    code = KeySlotFile(path).create(
        VAULT_ID, DATA_KEY, PASSPHRASE, user=USER, parameters=ARGON2_FLOOR
    )
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
    assert document["format"] == "notify-tui-keyslots" and document["version"] == 2
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
        USER.encode(),
        USER.casefold().encode(),
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
            VAULT_ID, DATA_KEY, PASSPHRASE, user=USER, parameters=ARGON2_FLOOR
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
        slots.create(VAULT_ID, DATA_KEY, PASSPHRASE, user=USER, parameters=ARGON2_FLOOR)
    assert slots.path.read_bytes() == original.raw


def test_create_refuses_an_empty_passphrase(tmp_path: Path, no_argon2: None) -> None:
    """An empty (or blank) passphrase is refused before anything is written."""
    with pytest.raises(InvalidInput):
        KeySlotFile(tmp_path / "keyslots.json").create(VAULT_ID, DATA_KEY, "  ", user=USER)
    assert list(tmp_path.iterdir()) == []


def test_read_vault_id(original: Original, tmp_path: Path) -> None:
    """The vault id is readable without a secret."""
    assert original.copy_to(tmp_path).read_vault_id() == VAULT_ID


# --- unlocking ------------------------------------------------------------------------------


def test_passphrase_unlocks(original: Original, tmp_path: Path) -> None:
    """The right passphrase gives the data key back."""
    assert original.copy_to(tmp_path).unlock_with_passphrase(PASSPHRASE).data_key == DATA_KEY


@pytest.mark.real_kdf
def test_passphrase_unlocks_with_real_argon2id(tmp_path: Path) -> None:
    """With the real Argon2id a slot made at the floor opens with its passphrase only."""
    slots = KeySlotFile(tmp_path / "keyslots.json")
    slots.create(VAULT_ID, DATA_KEY, PASSPHRASE, user=USER, parameters=ARGON2_FLOOR)
    assert slots.unlock_with_passphrase(PASSPHRASE).data_key == DATA_KEY
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
    assert slots.unlock_with_recovery(code).data_key == DATA_KEY
    assert slots.unlock_with_recovery(sloppy).data_key == DATA_KEY
    assert slots.unlock_with_recovery(code.replace("-", "")).data_key == DATA_KEY


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
            wrapped_private=flip_base64_byte(slot(d, "passphrase")["wrapped_private"])
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
        tmp_path, lambda d: d.update(key_checks=[flip_base64_byte(d["key_checks"][0])])
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
        lambda raw: raw.replace(b'"version": 2', b'"version": true'),
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
    slots = original.edited(tmp_path, lambda d: d.update(version=3))
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
    slots.change_passphrase(
        PASSPHRASE, "a whole new passphrase", user=USER, parameters=ARGON2_FLOOR
    )
    assert [p.name for p in tmp_path.iterdir()] == ["keyslots.json"]
    assert stat.S_IMODE(slots.path.stat().st_mode) == 0o600
    assert slot(json.loads(slots.path.read_bytes()), "recovery") == recovery_before
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_passphrase(PASSPHRASE)
    assert slots.unlock_with_passphrase("a whole new passphrase").data_key == DATA_KEY
    assert slots.unlock_with_recovery(original.recovery_code).data_key == DATA_KEY


def test_change_passphrase_with_wrong_old_passphrase_changes_nothing(
    original: Original, tmp_path: Path
) -> None:
    """A wrong old passphrase refuses the change; the file is byte-identical."""
    slots = original.copy_to(tmp_path)
    with pytest.raises(WrongPassphrase):
        slots.change_passphrase(
            "not it", "a whole new passphrase", user=USER, parameters=ARGON2_FLOOR
        )
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
        slots.set_passphrase(DATA_KEY, "a whole new passphrase", user=USER, parameters=ARGON2_FLOOR)
    assert "\n" not in str(caught.value)
    assert snapshot(tmp_path) == {"keyslots.json": original.raw}


def test_set_passphrase_after_recovery(
    original: Original, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the data key (from the recovery code) a new passphrase slot can be written."""
    monkeypatch.setattr(keyslots, "passphrase_kdf", cheap_kdf)
    slots = original.copy_to(tmp_path)
    data_key = slots.unlock_with_recovery(original.recovery_code).data_key
    slots.set_passphrase(data_key, "after recovery", user=USER, parameters=ARGON2_FLOOR)
    assert slots.unlock_with_passphrase("after recovery").data_key == DATA_KEY
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_passphrase(PASSPHRASE)
    assert slots.unlock_with_recovery(original.recovery_code).data_key == DATA_KEY


def test_set_passphrase_refuses_a_foreign_key(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """A data key that is not this vault's is refused before anything is written."""
    slots = original.copy_to(tmp_path)
    with pytest.raises(VaultError, match="does not belong to this vault"):
        slots.set_passphrase(os.urandom(32), "whatever", user=USER, parameters=ARGON2_FLOOR)
    assert snapshot(tmp_path) == {"keyslots.json": original.raw}


def test_reset_recovery(original: Original, tmp_path: Path, no_argon2: None) -> None:
    """A new code works, the old one stops working, the passphrase slot is untouched."""
    slots = original.copy_to(tmp_path)
    new_code = slots.reset_recovery(DATA_KEY)
    assert RECOVERY_CODE_SHAPE.fullmatch(new_code) and new_code != original.recovery_code
    assert slots.unlock_with_recovery(new_code).data_key == DATA_KEY
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


# --- version 2: users, sealed keys, re-keying, shares -------------------------------------

SECOND = "Second Deputy (fictional)"
SECOND_PASSPHRASE = "a different synthetic passphrase"


def two_users(original: Original, directory: Path) -> KeySlotFile:
    """A copy of the original with a second user's slot added."""
    slots = original.copy_to(directory)
    slots.set_passphrase(DATA_KEY, SECOND_PASSPHRASE, user=SECOND, parameters=ARGON2_FLOOR)
    return slots


def test_each_user_opens_with_their_own_passphrase(original: Original, tmp_path: Path) -> None:
    """Two users, two slots: each passphrase opens the data key, and says whose it is."""
    slots = two_users(original, tmp_path)
    first = slots.unlock_with_passphrase(PASSPHRASE, user=USER)
    second = slots.unlock_with_passphrase(SECOND_PASSPHRASE, user=SECOND)
    assert first.data_key == second.data_key == DATA_KEY
    assert first.user_id == keyslots.user_id_for(VAULT_ID, USER)
    assert second.user_id == keyslots.user_id_for(VAULT_ID, SECOND)
    assert first.user_id != second.user_id
    # Named, only that user's slot is tried: the other's passphrase does not open it.
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_passphrase(SECOND_PASSPHRASE, user=USER)
    # Not named, every slot is tried.
    assert slots.unlock_with_passphrase(SECOND_PASSPHRASE).user_id == second.user_id


def test_user_ids_ignore_case_and_spacing_but_not_the_vault() -> None:
    """The same person typed differently is one id; another vault gives another id."""
    assert keyslots.user_id_for(VAULT_ID, "A. Lead") == keyslots.user_id_for(VAULT_ID, " a.  LEAD ")
    assert keyslots.user_id_for(VAULT_ID, "A. Lead") != keyslots.user_id_for("other", "A. Lead")
    assert re.fullmatch(r"[0-9a-f]{32}", keyslots.user_id_for(VAULT_ID, "A. Lead"))


def test_the_file_names_no_user(original: Original, tmp_path: Path) -> None:
    """A second user's name appears nowhere in the file, only an opaque id."""
    slots = two_users(original, tmp_path)
    raw = slots.path.read_bytes()
    assert SECOND.encode() not in raw and SECOND.casefold().encode() not in raw
    users = [s["user"] for s in json.loads(raw)["slots"] if s["kind"] == "passphrase"]
    assert sorted(users) == sorted(keyslots.user_id_for(VAULT_ID, n) for n in (USER, SECOND))


def test_a_slot_moved_to_another_user_does_not_open(original: Original, tmp_path: Path) -> None:
    """The user id is authenticated: relabelling a slot breaks it."""
    other = keyslots.user_id_for(VAULT_ID, "Someone Else (fictional)")
    slots = original.edited(tmp_path, lambda d: slot(d, "passphrase").update(user=other))
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_passphrase(PASSPHRASE, user="Someone Else (fictional)")


def test_a_sealed_key_moved_between_slots_is_refused(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """A sealed key is bound to its slot's public key: swapping them breaks both."""

    def swap(document: dict[str, Any]) -> None:
        passphrase, recovery = slot(document, "passphrase"), slot(document, "recovery")
        passphrase["sealed"], recovery["sealed"] = recovery["sealed"], passphrase["sealed"]

    with pytest.raises(IntegrityError):
        original.edited(tmp_path, swap).unlock_with_recovery(original.recovery_code)


def test_removing_a_user_keeps_the_others(original: Original, tmp_path: Path) -> None:
    """The removed user's passphrase opens nothing; the first user's still does."""
    slots = two_users(original, tmp_path)
    assert slots.remove_user(DATA_KEY, SECOND) is True
    with pytest.raises(WrongPassphrase):
        slots.unlock_with_passphrase(SECOND_PASSPHRASE)
    assert slots.unlock_with_passphrase(PASSPHRASE).data_key == DATA_KEY
    assert slots.remove_user(DATA_KEY, SECOND) is False
    with pytest.raises(VaultError, match="last passphrase"):
        slots.remove_user(DATA_KEY, USER)


def test_rekey_seals_the_new_key_to_every_slot_without_their_passphrases(
    original: Original, tmp_path: Path
) -> None:
    """Begin: both keys open from every slot, current first. Finish: only the new key;
    a copy of the file from before the re-key opens only the old key."""
    slots = two_users(original, tmp_path)
    before = slots.path.read_bytes()
    new_key = bytes(range(100, 132))
    assert slots.begin_rekey(DATA_KEY, new_key) is False
    assert slots.rekey_pending()
    for unlocked in (
        slots.unlock_with_passphrase(PASSPHRASE, user=USER),
        slots.unlock_with_passphrase(SECOND_PASSPHRASE, user=SECOND),
        slots.unlock_with_recovery(original.recovery_code),
    ):
        assert unlocked.data_keys == (DATA_KEY, new_key)
    slots.finish_rekey(new_key)
    assert not slots.rekey_pending()
    assert slots.unlock_with_passphrase(SECOND_PASSPHRASE, user=SECOND).data_key == new_key
    assert slots.unlock_with_recovery(original.recovery_code).data_key == new_key
    (tmp_path / "old").mkdir()
    old_copy = original.copy_to(tmp_path / "old", before)
    assert old_copy.unlock_with_passphrase(SECOND_PASSPHRASE, user=SECOND).data_key == DATA_KEY


def test_changes_wait_for_an_unfinished_rekey(original: Original, tmp_path: Path) -> None:
    """While two keys are held, no slot may be added, replaced or removed."""
    slots = original.copy_to(tmp_path)
    slots.begin_rekey(DATA_KEY, bytes(range(100, 132)))
    with pytest.raises(VaultError, match="unfinished"):
        slots.set_passphrase(DATA_KEY, SECOND_PASSPHRASE, user=SECOND, parameters=ARGON2_FLOOR)
    with pytest.raises(VaultError, match="unfinished"):
        slots.reset_recovery(DATA_KEY)
    with pytest.raises(VaultError, match="does not belong"):
        slots.finish_rekey(os.urandom(32))


def test_shares_recover_with_any_threshold_of_them(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """2 of 3 SLIP-39 shares open the key, whichever two; one share is refused in one line."""
    slots = original.copy_to(tmp_path)
    shares = slots.split_recovery(DATA_KEY, shares=3, threshold=2)
    assert len(shares) == 3 and len(set(shares)) == 3
    assert all(len(share.split()) == 20 for share in shares)  # 128-bit secret: 20 words
    for pair in ((0, 1), (0, 2), (1, 2)):
        unlocked = slots.unlock_with_shares([shares[i] for i in pair])
        assert unlocked.data_key == DATA_KEY and unlocked.kind == "shares"
    with pytest.raises(WrongPassphrase) as caught:
        slots.unlock_with_shares([shares[0]])
    assert str(caught.value) == "2 shares are needed and 1 was given; nothing was changed"
    with pytest.raises(WrongPassphrase, match="2 shares are needed"):
        slots.unlock_with_shares([shares[0], " ".join(shares[0].upper().split())])
    raw = slots.path.read_bytes()
    # No share is kept: no run of four of its words (single short words may turn up by
    # chance inside base64 or a JSON key, which proves nothing either way).
    for share in shares:
        words = share.split()
        assert all(" ".join(words[i : i + 4]).encode() not in raw for i in range(len(words) - 3))
    summary = [s for s in slots.summary() if s.kind == "shares"]
    assert [(s.threshold, s.shares) for s in summary] == [(2, 3)]


def test_a_mistyped_share_is_refused_in_one_line(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """A word changed: the checksum catches it, one line, nothing opened."""
    slots = original.copy_to(tmp_path)
    shares = slots.split_recovery(DATA_KEY, shares=3, threshold=2)
    words = shares[1].split()
    words[5] = "academic" if words[5] != "academic" else "acid"
    with pytest.raises(WrongPassphrase, match="do not combine") as caught:
        slots.unlock_with_shares([shares[0], " ".join(words)])
    assert "\n" not in str(caught.value)


def test_a_new_split_retires_the_old_shares(
    original: Original, tmp_path: Path, no_argon2: None
) -> None:
    """Shares of an earlier split open nothing once split again."""
    slots = original.copy_to(tmp_path)
    old = slots.split_recovery(DATA_KEY, shares=2, threshold=2)
    slots.split_recovery(DATA_KEY, shares=3, threshold=2)
    with pytest.raises(WrongPassphrase, match="not this vault's"):
        slots.unlock_with_shares(old)


@pytest.mark.parametrize(("count", "threshold"), [(3, 4), (3, 0), (17, 2), (3, 1)])
def test_impossible_splits_are_refused(
    original: Original, tmp_path: Path, count: int, threshold: int
) -> None:
    """More needed than made, none needed, over 16, or one share being a whole key."""
    slots = original.copy_to(tmp_path)
    with pytest.raises(InvalidInput):
        slots.split_recovery(DATA_KEY, shares=count, threshold=threshold)
    assert slots.path.read_bytes() == original.raw


# --- version 1 files ----------------------------------------------------------------------


def version_1_file(path: Path) -> str:
    """A version 1 key slot file written by hand as notify-tui 0.1 wrote it (one passphrase
    slot and one recovery slot, each wrapping the data key itself); returns its code."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    def canonical(value: object) -> bytes:
        return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()

    def wrap(kind: str, kdf: dict[str, Any], kek: bytes) -> dict[str, Any]:
        nonce = os.urandom(12)
        aad = canonical(
            {"format": "notify-tui-keyslots", "version": 1, "vault_id": VAULT_ID,
             "kind": kind, "kdf": kdf}
        )  # fmt: skip
        wrapped = AESGCM(kek).encrypt(nonce, DATA_KEY, aad)
        return {"kind": kind, "kdf": kdf, "nonce": base64.b64encode(nonce).decode(),
                "wrapped_key": base64.b64encode(wrapped).decode()}  # fmt: skip

    salt, recovery_salt = os.urandom(16), os.urandom(16)
    kdf = {"algorithm": "argon2id", "memory_cost": 262144, "iterations": 3, "lanes": 4,
           "salt": base64.b64encode(salt).decode()}  # fmt: skip
    code = keyslots.generate_recovery_code()
    recovery_kek = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=recovery_salt,
        info=b"notify-tui recovery key slot v1",
    ).derive(parse_recovery_code(code))  # fmt: skip
    import hmac as hmac_module

    check = hmac_module.digest(
        DATA_KEY, b"notify-tui key check v1\x00" + VAULT_ID.encode(), "sha256"
    )
    document = {
        "format": "notify-tui-keyslots",
        "version": 1,
        "vault_id": VAULT_ID,
        "key_check": base64.b64encode(check).decode(),
        "slots": [
            wrap("passphrase", kdf, cheap_kdf(PASSPHRASE.encode(), salt, ARGON2_FLOOR)),
            wrap("recovery", {"algorithm": "hkdf-sha256",
                              "salt": base64.b64encode(recovery_salt).decode()}, recovery_kek),
        ],
    }  # fmt: skip
    path.write_text(json.dumps(document))
    return code


def test_a_version_1_file_still_opens(tmp_path: Path) -> None:
    """Passphrase and recovery code of a file written by the first notify-tui both open it."""
    slots = KeySlotFile(tmp_path / "keyslots.json")
    code = version_1_file(slots.path)
    unlocked = slots.unlock_with_passphrase(PASSPHRASE, user="anyone at all")
    assert unlocked.data_key == DATA_KEY and unlocked.user_id is None
    assert slots.unlock_with_recovery(code).data_key == DATA_KEY


def test_a_version_1_file_is_upgraded_for_its_first_user(tmp_path: Path) -> None:
    """Upgraded: version 2, the passphrase slot is now the named first user's, and the old
    recovery slot is kept (its code still works) as `recovery-v1`."""
    slots = KeySlotFile(tmp_path / "keyslots.json")
    code = version_1_file(slots.path)
    slots.unlock_with_passphrase(PASSPHRASE, upgrade_as=USER)
    document = json.loads(slots.path.read_bytes())
    assert document["version"] == 2
    assert [s["kind"] for s in document["slots"]] == ["passphrase", "recovery-v1"]
    unlocked = slots.unlock_with_passphrase(PASSPHRASE, user=USER)
    assert unlocked.data_key == DATA_KEY
    assert unlocked.user_id == keyslots.user_id_for(VAULT_ID, USER)
    assert slots.unlock_with_recovery(code).data_key == DATA_KEY
    # A re-key cannot carry the old recovery slot along: it is dropped, and said so.
    assert slots.begin_rekey(DATA_KEY, bytes(range(100, 132))) is True
    with pytest.raises(WrongPassphrase, match="no recovery code"):
        slots.unlock_with_recovery(code)
