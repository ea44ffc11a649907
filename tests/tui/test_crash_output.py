"""A crash in the app prints one line, never a traceback with case data in its locals."""

from __future__ import annotations

import pytest
from textual.app import App

from notify_tui.tui.run import run_app

SECRET = "Sentinel-Fictional-Name"


class CrashingApp(App[None]):
    def on_mount(self) -> None:
        subject_name = SECRET  # a local Textual's traceback would show
        raise RuntimeError(f"boom near {subject_name}"[:4])


def test_a_crash_prints_one_line_without_locals(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOTIFY_TUI_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        run_app(CrashingApp(), headless=True)
    assert exit_info.value.code == 70
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err
    assert captured.err.strip().startswith("error: the app stopped on an internal error")
    assert captured.err.count("\n") == 1


def test_debug_mode_keeps_textual_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above is meaningful: without the guard, Textual does print the locals."""
    monkeypatch.setenv("NOTIFY_TUI_DEBUG", "1")
    run_app(CrashingApp(), headless=True)
    captured = capsys.readouterr()
    assert SECRET in captured.out + captured.err
