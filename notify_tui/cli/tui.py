"""The terminal app's commands: bare `notify-tui` and `notify-tui demo`.

Textual is imported only when the app is about to run, so headless commands stay quick.
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Any

import click

from notify_tui.settings import resolve_home

if TYPE_CHECKING:
    from textual.app import App

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


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


def run_tui(home: str | None = None) -> None:
    """Open the terminal app on the vault in `home`: unlock, or first-run setup."""
    from notify_tui.tui.app import make_app

    folder = resolve_home(home)
    app = make_app(None, home=folder)
    try:
        run_app(app)
    finally:
        if app.session is not None:
            app.session.close()


def register(cli: click.Group) -> None:
    """Add the terminal app's commands to the `notify-tui` group."""

    @cli.command(context_settings=CONTEXT_SETTINGS)
    @click.option("--cases", "count", default=40, show_default=True, help="Synthetic cases.")
    @click.option("--seed", "random_seed", default=7, show_default=True, help="Random seed.")
    def demo(count: int, random_seed: int) -> None:
        """Open the terminal app on a throwaway vault of synthetic cases.

        The vault lives in a temporary folder and is deleted when the app closes.
        Every case is fictional.
        """
        click.echo("Preparing demo vault… (synthetic cases, deleted on exit)", err=True)
        from notify_tui.demo.vault import open_demo_vault
        from notify_tui.tui.app import make_app

        with open_demo_vault(count=count, seed=random_seed) as demo:
            app = make_app(
                demo.session,
                demo.session.preferences,
                unlock_hint=f"Demo vault passphrase: {demo.passphrase}",
            )
            try:
                run_app(app)
            finally:
                if app.session is not None:
                    demo.session = app.session
