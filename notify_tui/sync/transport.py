"""Folder transport: bundles wait in a shared folder and are filed away once imported.

Peers exchange bundles through folders (a shared drive, a USB stick), often one folder
for several devices. A bundle's file name names its sender and its recipient
(`bundle_name`: ``<sender>--<recipient>--<number>-<id>.ntbundle``), so an import takes
the `*.ntbundle` files addressed to this device and leaves the others where they are
(`inbox`). Each file is judged alone; then each imported (or already held) one is
moved to `done/`, each refused one to `rejected/` beside a `.reason.txt` saying why. A
name already taken there gets a number (`x.1.ntbundle`), so nothing is overwritten.

Nothing is followed through a symbolic link: a `done/` or `rejected/` that is a link (or
not a folder) stops the import before anything is read, and a bundle file that is a
link is refused unread. A file caught while it is still being copied in (it has no ZIP
end record yet) is left in place for the next run; `export` never leaves one, as it
writes each bundle under a hidden temporary name and renames it when complete.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
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

NAME_SEPARATOR = "--"
"""Between the sender, the recipient and the number in a bundle's file name (device ids
never hold it)."""


def bundle_name(sender: str, recipient: str, seq: int, bundle_id: str) -> str:
    """The file name of a bundle: its sender, its recipient, its number and id."""
    number = f"{seq:06d}-{bundle_id[:8]}"
    return NAME_SEPARATOR.join((sender, recipient, number)) + BUNDLE_SUFFIX


def addressed_to(name: str) -> str | None:
    """The recipient a bundle's file name names, or None when the name is not one
    `bundle_name` makes (such a file is judged by its content)."""
    if not name.endswith(BUNDLE_SUFFIX):
        return None
    parts = name.removesuffix(BUNDLE_SUFFIX).split(NAME_SEPARATOR)
    if len(parts) != 3 or not all(parts):
        return None
    return parts[1]


def bundle_folder(directory: Path, option: str | None = None) -> Path:
    """The folder, expanded, with its filing folders checked; `InvalidInput` (naming
    `option`, if given) when it is none, or when `done/` or `rejected/` is a symbolic
    link or not a folder."""
    directory = directory.expanduser()
    prefix = "" if option is None else f"{option} "
    if not directory.is_dir():
        raise InvalidInput(f"{prefix}{directory}: no such folder")
    for name in (DONE_DIR, REJECTED_DIR):
        _check_filing_folder(directory / name, prefix)
    return directory


def _check_filing_folder(path: Path, prefix: str = "") -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise InvalidInput(
            f"{prefix}{path}: is a symbolic link; bundles are never filed through a link "
            "(remove it, or make it a folder)"
        )
    if not stat.S_ISDIR(mode):
        raise InvalidInput(f"{prefix}{path}: is not a folder; move it away first")


def bundle_files(directory: Path) -> list[Path]:
    """The bundle files waiting in a folder, by name (hidden files and folders left
    alone; a link with a bundle's name is listed, and refused when read)."""
    directory = bundle_folder(directory)
    listed = []
    for path in directory.iterdir():
        if not path.name.endswith(BUNDLE_SUFFIX) or path.name.startswith("."):
            continue
        if path.is_symlink() or path.is_file():
            listed.append(path)
    return sorted(listed)


@dataclass(frozen=True)
class Inbox:
    """A folder's bundle files: those for this device, and those named for another."""

    mine: list[Path]
    """Addressed to this device, or with a name that names no recipient."""
    others: list[tuple[Path, str]]
    """(file, the device its name is addressed to): left where they are."""


def inbox(directory: Path, me: str) -> Inbox:
    """The bundle files in `directory`, split by the recipient their names give."""
    mine: list[Path] = []
    others: list[tuple[Path, str]] = []
    for path in bundle_files(directory):
        recipient = addressed_to(path.name)
        if recipient is None or recipient == me:
            mine.append(path)
        else:
            others.append((path, recipient))
    return Inbox(mine, others)


def file_away(directory: Path, path: Path, refusal: str | None = None) -> Path:
    """Move a bundle file to `done/`, or to `rejected/` with its reason; return where."""
    target_dir = directory / (DONE_DIR if refusal is None else REJECTED_DIR)
    with contextlib.suppress(FileExistsError):
        target_dir.mkdir(mode=0o700)
    _check_filing_folder(target_dir)
    target = free_name(target_dir / path.name)
    os.replace(path, target)
    if refusal is not None:
        reason = f"{refusal}\n".encode()
        atomic_write_bytes(target.with_name(target.name + ".reason.txt"), reason)
    return target


def free_name(path: Path) -> Path:
    """`path`, or the first `stem.N.suffix` beside it that does not exist yet."""
    if not path.exists() and not path.is_symlink():
        return path
    for number in range(1, MAX_SAME_NAME):
        candidate = path.with_name(f"{path.stem}.{number}{path.suffix}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise InvalidInput(f"{path.parent}: too many files named {path.name}")
