"""The environment variables notify-tui reads, and where the vault lives.

Kept apart from `notify_tui.settings` (whose pydantic models take a while to build) so
that `notify-tui --help` and `notify-tui check` can name the variables without them.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_PREFIX = "NOTIFY_TUI_"
HOME_VARIABLE = f"{ENV_PREFIX}HOME"
PASSPHRASE_VARIABLE = f"{ENV_PREFIX}PASSPHRASE"
USER_VARIABLE = f"{ENV_PREFIX}USER"
"""Who is unlocking the vault (a user's name), for scripts and the CLI."""
NEW_PASSPHRASE_VARIABLE = f"{ENV_PREFIX}NEW_PASSPHRASE"
"""A new user's passphrase for `users add` in scripts."""


def resolve_home(home: Path | str | None = None) -> Path:
    """The vault folder: `--home`, else `NOTIFY_TUI_HOME`, else the user data folder."""
    if home:
        return Path(home).expanduser()
    from_env = os.environ.get(HOME_VARIABLE)
    if from_env:
        return Path(from_env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("notify-tui", appauthor=False))


CACHE_VARIABLE = f"{ENV_PREFIX}CACHE"
"""A folder for notify-tui's caches (else the platform's user cache folder); tests use it."""


def resolve_cache() -> Path:
    """The cache folder: `NOTIFY_TUI_CACHE`, else the user cache folder (never the vault's)."""
    from_env = os.environ.get(CACHE_VARIABLE)
    if from_env:
        return Path(from_env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("notify-tui", appauthor=False))
