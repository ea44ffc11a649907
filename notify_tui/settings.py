"""Settings: where the vault lives, and the preferences kept inside it.

Environment variables (prefix `NOTIFY_TUI_`):

| variable | meaning |
|---|---|
| `NOTIFY_TUI_HOME` | the vault folder (else the platform's user data folder) |
| `NOTIFY_TUI_PASSPHRASE` | the passphrase for scheduled jobs (else `--passphrase-file`, a prompt) |
| `NOTIFY_TUI_TODAY` | freeze today's date (demos, snapshots, tests) |
| `NOTIFY_TUI_DEBUG` | `1` shows tracebacks of internal errors (they may contain case data) |

Preferences live in the encrypted vault (`Preferences`), so a closure day or a rule
choice is the same for every command and never sits in a plaintext file.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ENV_PREFIX = "NOTIFY_TUI_"
HOME_VARIABLE = f"{ENV_PREFIX}HOME"
PASSPHRASE_VARIABLE = f"{ENV_PREFIX}PASSPHRASE"


def resolve_home(home: Path | str | None = None) -> Path:
    """The vault folder: `--home`, else `NOTIFY_TUI_HOME`, else the user data folder."""
    if home:
        return Path(home).expanduser()
    from_env = os.environ.get(HOME_VARIABLE)
    if from_env:
        return Path(from_env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("notify-tui", appauthor=False))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class SecurityPreferences(_Section):
    """How the app protects an unattended screen."""

    idle_lock_minutes: int = Field(10, ge=1, le=240)
    """Minutes without a key press before the app locks and drops the key."""

    clipboard_clear_seconds: int = Field(30, ge=5, le=300)
    """Seconds after which a copied field is wiped from the clipboard."""


class CalendarPreferences(_Section):
    """Working-day calendar additions."""

    closure_days: list[date] = Field(default_factory=list)
    """Local closure days that are not working days (besides England bank holidays)."""


class RulePreferences(_Section):
    """Choices where the statutory sources disagree (see the rule pack's settings)."""

    rapid_review_start: Literal["panel_notified_date", "aware_date"] = "panel_notified_date"
    """What the 15 working days of a rapid review count from."""

    cdop_working_days: int = Field(1, ge=0, le=2)
    """Working days after becoming aware by which the CDOP is notified."""


class DisplayPreferences(_Section):
    """How the terminal app looks."""

    theme: Literal["textual-dark", "textual-light", "high-contrast"] = "textual-dark"
    """Colour theme; high-contrast for low vision or bright rooms."""

    show_full_names: bool = False
    """Show subjects' full names in lists (initials otherwise)."""


class Preferences(_Section):
    """Everything a user or office can set, stored encrypted in the vault."""

    security: SecurityPreferences = Field(default_factory=SecurityPreferences)
    calendar: CalendarPreferences = Field(default_factory=CalendarPreferences)
    rules: RulePreferences = Field(default_factory=RulePreferences)
    display: DisplayPreferences = Field(default_factory=DisplayPreferences)

    def rule_settings(self) -> dict[str, int | str]:
        """The rule pack setting overrides these preferences make."""
        return {
            "rapid_review_start": self.rules.rapid_review_start,
            "cdop_working_days": self.rules.cdop_working_days,
        }
