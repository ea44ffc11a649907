"""Folder transport: bundles wait in a shared folder and are filed away once imported.

Peers exchange bundles through folders (a shared drive, a USB stick). An import reads
the `*.ntbundle` files in a folder, then moves each imported (or already held) file to
`done/` and each refused one to `rejected/`, beside a `.reason.txt` saying why. A name
already taken there gets a number (`x.1.ntbundle`), so nothing is overwritten.
"""

from __future__ import annotations

import os
from pathlib import Path

from notify_tui.errors import InvalidInput
from notify_tui.store.files import atomic_write_bytes
from notify_tui.sync.bundle import BUNDLE_SUFFIX

DONE_DIR = "done"
"""Where imported and already-held bundle files go."""

REJECTED_DIR = "rejected"
"""Where refused bundle files go, each with a `.reason.txt`."""

MAX_SAME_NAME = 10_000
"""How many files of one name a filing folder may hold before filing is refused."""


def bundle_folder(directory: Path, option: str | None = None) -> Path:
    """The folder, expanded; `InvalidInput` (naming `option`, if given) when it is none."""
    directory = directory.expanduser()
    if not directory.is_dir():
        prefix = "" if option is None else f"{option} "
        raise InvalidInput(f"{prefix}{directory}: no such folder")
    return directory


def bundle_files(directory: Path) -> list[Path]:
    """The bundle files waiting in a folder, by name (hidden files left alone)."""
    directory = bundle_folder(directory)
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_file() and path.name.endswith(BUNDLE_SUFFIX) and not path.name.startswith(".")
    )


def file_away(directory: Path, path: Path, refusal: str | None = None) -> Path:
    """Move a bundle file to `done/`, or to `rejected/` with its reason; return where."""
    target_dir = directory / (DONE_DIR if refusal is None else REJECTED_DIR)
    target_dir.mkdir(mode=0o700, exist_ok=True)
    target = free_name(target_dir / path.name)
    os.replace(path, target)
    if refusal is not None:
        reason = f"{refusal}\n".encode()
        atomic_write_bytes(target.with_name(target.name + ".reason.txt"), reason)
    return target


def free_name(path: Path) -> Path:
    """`path`, or the first `stem.N.suffix` beside it that does not exist yet."""
    if not path.exists():
        return path
    for number in range(1, MAX_SAME_NAME):
        candidate = path.with_name(f"{path.stem}.{number}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise InvalidInput(f"{path.parent}: too many files named {path.name}")
