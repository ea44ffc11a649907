"""tools/offline_bundle.py: the commands it runs, the note it writes, its one-line refusals.

pip is replaced by a stand-in that records each command and drops the wheels a real
run would; `.ci/run` builds a real Linux bundle and installs from it with no index,
and downloads the Windows and macOS ones.
"""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "offline_bundle", ROOT / "tools" / "offline_bundle.py"
)
assert _spec is not None and _spec.loader is not None
offline_bundle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(offline_bundle)


class FakePip:
    """Records commands; `wheel` drops notify-tui's wheel, `download` two dependencies."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.commands: list[list[str]] = []
        self.fail_on = fail_on

    def __call__(self, command: Sequence[str]) -> int:
        command = list(command)
        self.commands.append(command)
        verb = command[3]
        if verb == self.fail_on:
            return 1
        out = Path(command[command.index("--wheel-dir" if verb == "wheel" else "--dest") + 1])
        if verb == "wheel":
            (out / "notify_tui-0.1.0-py3-none-any.whl").write_bytes(b"wheel")
        else:
            (out / "click-8.1.0-py3-none-any.whl").write_bytes(b"wheel")
            (out / "sqlcipher3-0.6.4-cp311-cp311-win_amd64.whl").write_bytes(b"wheel")
        return 0


def test_a_windows_bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pip = FakePip()
    out = tmp_path / "offline"
    status = offline_bundle.main(
        ["--platform", "windows", "--python", "3.11", "--out", str(out), "--zip"], pip
    )
    assert status == 0
    wheel, download = pip.commands
    assert wheel == [
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(ROOT)
    ]  # fmt: skip
    assert download == [
        sys.executable, "-m", "pip", "download", "--only-binary=:all:",
        "--platform=win_amd64", "--python-version=3.11", "--implementation=cp",
        "--dest", str(out), str(out / "notify_tui-0.1.0-py3-none-any.whl"),
    ]  # fmt: skip
    note = (out / "INSTALL.txt").read_text(encoding="utf-8")
    assert note == (
        "py -3.11 -m venv notify-tui-env\n"
        "notify-tui-env\\Scripts\\python -m pip install --no-index --find-links . notify-tui\n"
    )
    with zipfile.ZipFile(tmp_path / "offline.zip") as archive:
        assert sorted(archive.namelist()) == [
            "INSTALL.txt",
            "click-8.1.0-py3-none-any.whl",
            "notify_tui-0.1.0-py3-none-any.whl",
            "sqlcipher3-0.6.4-cp311-cp311-win_amd64.whl",
        ]
    printed = capsys.readouterr().out
    assert printed.startswith(f"Wrote 3 wheels and INSTALL.txt to {out}.\n")
    assert printed.endswith(note)


def test_linux_asks_for_every_manylinux_tag_from_2_17_to_2_28(tmp_path: Path) -> None:
    """pip matches a platform tag exactly; sqlcipher3 ships 2_28, cryptography 2_17."""
    pip = FakePip()
    offline_bundle.build("linux", "3.12", tmp_path / "out", runner=pip)
    platforms = [arg for arg in pip.commands[1] if arg.startswith("--platform=")]
    assert platforms[0] == "--platform=manylinux2014_x86_64"
    assert platforms[1:] == [f"--platform=manylinux_2_{n}_x86_64" for n in range(17, 29)]
    assert (tmp_path / "out" / "INSTALL.txt").read_text(encoding="utf-8") == (
        "python3.12 -m venv notify-tui-env\n"
        "notify-tui-env/bin/python -m pip install --no-index --find-links . notify-tui\n"
    )


def test_a_raw_platform_tag_passes_through(tmp_path: Path) -> None:
    pip = FakePip()
    offline_bundle.build("macosx_11_0_arm64", "3.13", tmp_path / "out", runner=pip)
    assert "--platform=macosx_11_0_arm64" in pip.commands[1]
    assert "--python-version=3.13" in pip.commands[1]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--python", "3"], "error: --python 3: give a version such as 3.11\n"),
        (
            ["--platform", "Windows 11"],
            "error: --platform Windows 11: give windows, macos, linux or a pip platform tag\n",
        ),
    ],
)
def test_bad_arguments_are_one_line_and_run_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    pip = FakePip()
    options = {"--platform": "windows", "--python": "3.11", "--out": str(tmp_path / "o")}
    options.update(zip(arguments[::2], arguments[1::2], strict=True))
    status = offline_bundle.main([part for pair in options.items() for part in pair], pip)
    assert (status, capsys.readouterr().err) == (2, message)
    assert pip.commands == [] and not (tmp_path / "o").exists()


def test_a_folder_with_something_in_it_is_not_written_into(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("not a wheel")
    pip = FakePip()
    status = offline_bundle.main(
        ["--platform", "linux", "--python", "3.11", "--out", str(tmp_path)], pip
    )
    assert status == 2 and pip.commands == []
    assert capsys.readouterr().err == (
        f"error: --out {tmp_path}: already exists and is not an empty folder\n"
    )


def test_a_missing_binary_wheel_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = offline_bundle.main(
        ["--platform", "windows", "--python", "3.11", "--out", str(tmp_path / "o")],
        FakePip(fail_on="download"),
    )
    assert status == 2
    assert capsys.readouterr().err == (
        "error: a dependency has no binary wheel for windows and Python 3.11, or the index "
        "is unreachable (pip's output is above)\n"
    )
    assert not (tmp_path / "o" / "INSTALL.txt").exists()
