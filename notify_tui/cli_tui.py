"""The terminal app's commands: bare `notify-tui` and `notify-tui demo`.

Textual is imported only when the app is about to run, so headless commands stay quick.
"""

from __future__ import annotations

import click

from notify_tui.settings import resolve_home

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def run_tui(home: str | None = None) -> None:
    """Open the terminal app on the vault in `home`: unlock, or first-run setup."""
    from notify_tui.app import make_app

    folder = resolve_home(home)
    app = make_app(None, home=folder)
    try:
        app.run()
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
        from notify_tui.app import make_app
        from notify_tui.demo_vault import open_demo_vault

        with open_demo_vault(count=count, seed=random_seed) as demo:
            app = make_app(
                demo.session,
                demo.session.preferences,
                unlock_hint=f"Demo vault passphrase: {demo.passphrase}",
            )
            try:
                app.run()
            finally:
                if app.session is not None:
                    demo.session = app.session
