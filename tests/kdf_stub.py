"""A cheap, deterministic stand-in for Argon2id, for tests where its cost is not under test.

The suite installs it through `keyslots.passphrase_kdf` (see tests/conftest.py); the
floor and ceiling checks in `keyslots` still run on the recorded parameters first.
Run as a script, it is `notify-tui` with the stand-in installed, for test subprocesses
that open vaults the suite made in-process:

    python tests/kdf_stub.py ARGS...      # like `python -m notify_tui ARGS...`

Nothing in notify_tui/ imports this module or reads any switch for it.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from notify_tui.store import keyslots
from notify_tui.store.keyslots import Argon2Parameters

SCRIPT = Path(__file__)
"""This file, to start as `sys.executable SCRIPT ARGS...`."""

ENV_SWITCH = "TESTS_CHEAP_KDF"
"""Set to "1" in a test subprocess's environment to ask a test script for the stand-in."""


PRELUDE = (
    f"import sys; sys.path.insert(0, {str(SCRIPT.parent)!r}); "
    "import kdf_stub; kdf_stub.install_if_asked()\n"
)
"""Python source to put first in a `python -c` test script that opens the suite's vaults."""


def cheap_kdf(passphrase: bytes, salt: bytes, parameters: Argon2Parameters) -> bytes:
    """SHA-256 of a label, the cost parameters, the salt and the passphrase (microseconds)."""
    cost = f"{parameters.memory_cost}|{parameters.iterations}|{parameters.lanes}|".encode()
    return hashlib.sha256(b"notify-tui test kdf|" + cost + salt + passphrase).digest()


class RecordingKdf:
    """`cheap_kdf`, noting the parameters of every derivation it is asked for."""

    def __init__(self) -> None:
        """Start with no derivations seen."""
        self.calls: list[Argon2Parameters] = []

    def __call__(self, passphrase: bytes, salt: bytes, parameters: Argon2Parameters) -> bytes:
        """Record `parameters`, then derive cheaply."""
        self.calls.append(parameters)
        return cheap_kdf(passphrase, salt, parameters)


def is_cheap() -> bool:
    """Whether this process currently derives passphrase keys with a stand-in."""
    return keyslots.passphrase_kdf is not keyslots.derive_argon2id


def install_if_asked() -> None:
    """Install `cheap_kdf` when this (test) process was started with ENV_SWITCH=1."""
    if os.environ.get(ENV_SWITCH) == "1":
        keyslots.passphrase_kdf = cheap_kdf


if __name__ == "__main__":
    keyslots.passphrase_kdf = cheap_kdf
    sys.argv[0] = "notify-tui"
    from notify_tui.cli import main

    main()
