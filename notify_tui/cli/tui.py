"""The terminal app's commands: bare `notify-tui` (`run_tui`) and `notify-tui demo`.

Textual is imported only when the app is about to run, so headless commands stay quick.
"""

from __future__ import annotations

import os

import click

from notify_tui.cli.common import echo
from notify_tui.settings import USER_VARIABLE, resolve_home


def run_tui(home: str | None = None) -> None:
    """Open the terminal app on the vault in `home`: unlock, or first-run setup."""
    from notify_tui.tui.app import make_app
    from notify_tui.tui.run import run_app

    folder = resolve_home(home)
    app = make_app(None, home=folder, user=os.environ.get(USER_VARIABLE, ""))
    try:
        run_app(app)
    finally:
        if app.session is not None:
            app.session.close()


@click.command()
@click.option("--cases", "count", default=40, show_default=True, help="Synthetic cases.")
@click.option("--seed", "random_seed", default=7, show_default=True, help="Random seed.")
def demo(count: int, random_seed: int) -> None:
    """Open the terminal app on a throwaway vault of synthetic cases.

    The vault lives in a temporary folder and is deleted when the app closes.
    Every case is fictional.
    """
    echo("Preparing demo vault… (synthetic cases, deleted on exit)", err=True)
    from notify_tui.demo.vault import open_demo_vault
    from notify_tui.tui.app import make_app
    from notify_tui.tui.run import run_app

    with open_demo_vault(count=count, seed=random_seed) as vault:
        app = make_app(
            vault.session,
            vault.session.preferences,
            unlock_hint=f"Demo vault passphrase: {vault.passphrase}",
        )
        try:
            run_app(app)
        finally:
            if app.session is not None:
                vault.session = app.session


COMMANDS = (demo,)
"""The commands this module adds to `notify-tui`."""
