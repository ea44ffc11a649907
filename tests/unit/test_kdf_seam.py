"""The test-only KDF seam: real unlocks cost the floor, and only the test suite swaps it.

The suite derives passphrase keys with a cheap stand-in (tests/kdf_stub.py) through
`keyslots.passphrase_kdf`. These tests (`real_kdf`) check what that must never hide:
a real unlock derives with Argon2id at or above the floor (256 MiB, 3 passes, 4 lanes),
lowered parameters are refused before any derivation, and no production code path can
reach the stand-in. All people here are synthetic.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import kdf_stub
import pytest

import notify_tui
from notify_tui.errors import IntegrityError, WrongPassphrase
from notify_tui.services.session import Session
from notify_tui.store import keyslots
from notify_tui.store.keyslots import ARGON2_FLOOR, KEYSLOTS_FILE_NAME, Argon2Parameters
from notify_tui.store.owner import InlineOwner

pytestmark = pytest.mark.real_kdf

PASSPHRASE = "a long synthetic test passphrase"
FLOOR_MEMORY_BYTES = 256 * 1024 * 1024
PACKAGE = Path(notify_tui.__file__).parent


def at_least_the_floor(parameters: Argon2Parameters) -> bool:
    """Whether every cost is at or above 256 MiB, 3 passes, 4 lanes (written out by hand)."""
    return parameters.memory_cost >= 262144 and parameters.iterations >= 3 and parameters.lanes >= 4


@dataclass
class Spy:
    """The real Argon2id, noting the parameters of each derivation it does."""

    calls: list[Argon2Parameters]

    def __call__(self, passphrase: bytes, salt: bytes, parameters: Argon2Parameters) -> bytes:
        self.calls.append(parameters)
        return keyslots.derive_argon2id(passphrase, salt, parameters)


@pytest.fixture(scope="module")
def real_home(tmp_path_factory: pytest.TempPathFactory, frozen_today: str) -> Path:
    """A closed vault made with the real Argon2id at the floor."""
    assert keyslots.passphrase_kdf is keyslots.derive_argon2id
    home = tmp_path_factory.mktemp("real") / "vault"
    session, _recovery = Session.init(
        home, PASSPHRASE, org="Testshire (test)", role="la", author="Test Lead",
        kdf=ARGON2_FLOOR, owner=InlineOwner())  # fmt: skip
    session.close()
    return home


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    """Argon2id behind a recording spy, for one test."""
    recorder = Spy(calls=[])
    monkeypatch.setattr(keyslots, "passphrase_kdf", recorder)
    yield recorder


def test_a_real_unlock_derives_with_argon2id_at_least_at_the_floor(
    real_home: Path, spy: Spy
) -> None:
    """Unlocking derives once per passphrase slot tried, every time at >= the floor."""
    Session.unlock(real_home, passphrase=PASSPHRASE, write=False, owner=InlineOwner()).close()
    assert spy.calls == [Argon2Parameters(262144, 3, 4)]
    assert all(at_least_the_floor(call) for call in spy.calls)


def test_the_stand_in_cannot_open_a_real_vault(
    real_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The vault's slot was wrapped under Argon2id, not under the stand-in."""
    monkeypatch.setattr(keyslots, "passphrase_kdf", kdf_stub.cheap_kdf)
    with pytest.raises(WrongPassphrase):
        Session.unlock(real_home, passphrase=PASSPHRASE, write=False, owner=InlineOwner())


@pytest.mark.parametrize(
    ("field", "value"), [("memory_cost", 65536), ("iterations", 2), ("lanes", 1)]
)
def test_lowered_parameters_are_refused_before_any_derivation(
    real_home: Path,
    tmp_path: Path,
    spy: Spy,
    monkeypatch: pytest.MonkeyPatch,
    field: str,
    value: int,
) -> None:
    """A slot edited below the floor: one-line refusal, and neither KDF ever ran."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Argon2id must not run")

    monkeypatch.setattr(keyslots, "Argon2id", refuse)
    home = Path(shutil.copytree(real_home, tmp_path / "edited"))
    slot_file = home / KEYSLOTS_FILE_NAME
    document = json.loads(slot_file.read_text())
    passphrase_slot = next(s for s in document["slots"] if s["kind"] == "passphrase")
    passphrase_slot["kdf"][field] = value
    slot_file.write_text(json.dumps(document))
    with pytest.raises(IntegrityError) as caught:
        Session.unlock(home, passphrase=PASSPHRASE, write=False, owner=InlineOwner())
    assert str(caught.value) == (
        "key slot parameters are below the safe minimum; the file may have been tampered with"
    )
    assert spy.calls == []


# --- unreachable from production ------------------------------------------------------------


def test_nothing_in_the_package_reassigns_the_seam() -> None:
    """The only binding of `passphrase_kdf` in notify_tui/ is its definition in keyslots.py."""
    bindings = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "kdf_stub" not in source and kdf_stub.ENV_SWITCH not in source, path
        for node in ast.walk(ast.parse(source)):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign | ast.AugAssign):
                targets = [node.target]
            for target in targets:
                name = target.attr if isinstance(target, ast.Attribute) else None
                name = target.id if isinstance(target, ast.Name) else name
                if name == "passphrase_kdf":
                    bindings.append((path.relative_to(PACKAGE).as_posix(), node.lineno))
            if isinstance(node, ast.Call) and any(
                isinstance(arg, ast.Constant) and arg.value == "passphrase_kdf" for arg in node.args
            ):
                bindings.append((path.relative_to(PACKAGE).as_posix(), node.lineno))
            if isinstance(node, ast.Global) and "passphrase_kdf" in node.names:
                bindings.append((path.relative_to(PACKAGE).as_posix(), node.lineno))
    assert [where for where, _line in bindings] == ["store/keyslots.py"]


def run_measured(home: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run the real `python -m notify_tui ARGS`; return its result and peak memory in bytes."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NOTIFY_TUI_")}
    env.pop(kdf_stub.ENV_SWITCH, None)
    env.update(
        NOTIFY_TUI_HOME=str(home), NOTIFY_TUI_PASSPHRASE=PASSPHRASE, NOTIFY_TUI_TODAY="2026-11-23"
    )
    # The session's cache folder (conftest), never the real user cache folder.
    if "NOTIFY_TUI_CACHE" in os.environ:
        env["NOTIFY_TUI_CACHE"] = os.environ["NOTIFY_TUI_CACHE"]
    out, err = home.parent / f"{args[0]}.out", home.parent / f"{args[0]}.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "notify_tui", *args], env=env, stdout=stdout, stderr=stderr
        )
        # wait4 gives this child's own resource use, not that of every child so far.
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    result = subprocess.CompletedProcess(
        process.args, process.returncode, out.read_text(), err.read_text()
    )
    return result, usage.ru_maxrss * 1024  # KiB on Linux


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux only")
def test_the_cli_without_the_suite_really_costs_the_floor(tmp_path: Path) -> None:
    """A `notify-tui` process creates and unlocks with >= 256 MiB Argon2id, as recorded."""
    home = tmp_path / "cli-vault"
    created, created_peak = run_measured(home, "init", "--la", "Testshire", "--user", "Test Lead")
    assert created.returncode == 0, created.stderr
    listed, listed_peak = run_measured(home, "case", "list")
    assert listed.returncode == 0, listed.stderr
    assert created_peak >= FLOOR_MEMORY_BYTES
    assert listed_peak >= FLOOR_MEMORY_BYTES
    document = json.loads((home / KEYSLOTS_FILE_NAME).read_text())
    kdf = next(s for s in document["slots"] if s["kind"] == "passphrase")["kdf"]
    assert kdf["algorithm"] == "argon2id"
    assert at_least_the_floor(Argon2Parameters(kdf["memory_cost"], kdf["iterations"], kdf["lanes"]))
