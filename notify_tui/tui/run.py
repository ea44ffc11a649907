"""Running the terminal app from a shell: a crash is one line, never a traceback."""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from textual.app import App


def run_app(app: App[Any], **run_options: Any) -> None:
    """Run an app; if it crashes, say so in one line instead of a traceback.

    Textual prints an unhandled exception as a traceback *with local variables*, which
    could show case data on the screen or in a captured log. Unless
    `NOTIFY_TUI_DEBUG=1`, that output goes nowhere and one line is printed instead.
    """
    from rich.console import Console

    debug = os.environ.get("NOTIFY_TUI_DEBUG") == "1"
    if not debug:
        app.error_console = Console(file=io.StringIO(), stderr=False)
    app.run(**run_options)
    if not debug and app.return_code not in (None, 0):
        click.echo(
            "error: the app stopped on an internal error; nothing further was changed. "
            "Run with NOTIFY_TUI_DEBUG=1 to see details.",
            err=True,
        )
        raise SystemExit(70)
