"""Build an offline installer: notify-tui's wheel and every dependency's, for one platform.

    python tools/offline_bundle.py --platform windows --python 3.11
    python tools/offline_bundle.py --platform macos --python 3.12 --zip
    python tools/offline_bundle.py --platform linux --python 3.11 --out build/offline

Run it on a machine that can reach the package index, with a Python that has pip (the
project's `.venv/bin/python` does). It writes a folder (default
`dist/notify-tui-offline-PLATFORM-pyVERSION`, and with `--zip` a zip of it beside it)
holding notify-tui's wheel, a binary wheel of every dependency for that platform and
Python (`pip download --only-binary=:all:`, so nothing needs a compiler), and
`INSTALL.txt`, two lines that install it on a machine with no network:

    py -3.11 -m venv notify-tui-env
    notify-tui-env\\Scripts\\python -m pip install --no-index --find-links . notify-tui

PLATFORM is `windows` (64-bit, win_amd64), `macos` (Apple silicon, macosx_11_0_arm64;
cryptography no longer ships wheels for Intel Macs), `linux` (x86-64, glibc 2.28 or
newer: manylinux_2_17 to manylinux_2_28), or any pip platform tag. Exit status 2 with
one line when the arguments are wrong or pip fails.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PLATFORMS: dict[str, tuple[str, ...]] = {
    "windows": ("win_amd64",),
    "macos": ("macosx_11_0_arm64",),
    "linux": (
        "manylinux2014_x86_64",
        *(f"manylinux_2_{minor}_x86_64" for minor in range(17, 29)),
    ),
}
"""Named platforms and the pip platform tags a wheel for each may carry."""

INSTALL_NOTE = "INSTALL.txt"

Runner = Callable[[Sequence[str]], int]
"""Runs a command; returns its exit status (tests pass a stand-in)."""


class BundleError(Exception):
    """A one-line reason the bundle was not built."""


def run_command(command: Sequence[str]) -> int:
    """Run `command`, letting its output through; its exit status."""
    return subprocess.run(command, check=False).returncode


def install_note(platform: str, python: str) -> str:
    """The two lines that install the folder's wheels (run inside the folder)."""
    if platform == "windows" or platform.startswith("win"):
        return (
            f"py -{python} -m venv notify-tui-env\n"
            "notify-tui-env\\Scripts\\python -m pip install --no-index --find-links . notify-tui\n"
        )
    return (
        f"python{python} -m venv notify-tui-env\n"
        "notify-tui-env/bin/python -m pip install --no-index --find-links . notify-tui\n"
    )


def build(
    platform: str,
    python: str,
    out: Path,
    *,
    make_zip: bool = False,
    runner: Runner = run_command,
) -> list[Path]:
    """Fill `out` (new or empty) with the wheels and the install note; return the wheels."""
    if not re.fullmatch(r"3\.\d{1,2}", python):
        raise BundleError(f"--python {python}: give a version such as 3.11")
    tags = PLATFORMS.get(platform, (platform,))
    if not all(re.fullmatch(r"[a-z0-9_]+", tag) for tag in tags):
        raise BundleError(
            f"--platform {platform}: give windows, macos, linux or a pip platform tag"
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BundleError(f"--out {out}: already exists and is not an empty folder")
    out.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip"]
    if runner([*pip, "wheel", "--no-deps", "--wheel-dir", str(out), str(ROOT)]) != 0:
        raise BundleError("building notify-tui's wheel failed (pip's output is above)")
    (project,) = sorted(out.glob("notify_tui-*.whl")) or [None]
    if project is None:
        raise BundleError("pip built no notify-tui wheel")
    download = [
        *pip,
        "download",
        "--only-binary=:all:",
        *(f"--platform={tag}" for tag in tags),
        f"--python-version={python}",
        "--implementation=cp",
        "--dest",
        str(out),
        str(project),
    ]
    if runner(download) != 0:
        raise BundleError(
            f"a dependency has no binary wheel for {platform} and Python {python}, "
            "or the index is unreachable (pip's output is above)"
        )
    (out / INSTALL_NOTE).write_text(install_note(platform, python), encoding="utf-8")
    if make_zip:
        shutil.make_archive(str(out), "zip", root_dir=out)
    return sorted(out.glob("*.whl"))


def main(argv: Sequence[str] | None = None, runner: Runner = run_command) -> int:
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="offline_bundle.py",
        description="Build a folder of wheels that installs notify-tui with no network.",
    )
    parser.add_argument(
        "--platform",
        required=True,
        help="windows, macos, linux, or a pip platform tag (e.g. win_arm64)",
    )
    parser.add_argument("--python", required=True, help="the Python version, e.g. 3.11")
    parser.add_argument("--out", type=Path, help="the folder to write (new or empty)")
    parser.add_argument("--zip", action="store_true", help="also write FOLDER.zip")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "dist" / f"notify-tui-offline-{args.platform}-py{args.python}"
    try:
        wheels = build(args.platform, args.python, out, make_zip=args.zip, runner=runner)
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {len(wheels)} wheels and {INSTALL_NOTE} to {out}.")
    print("On the offline machine, in that folder:")
    print(install_note(args.platform, args.python), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
