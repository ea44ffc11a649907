"""Settings: where the vault lives, and the preferences kept inside it.

Environment variables (prefix `NOTIFY_TUI_`):

| variable | meaning |
|---|---|
| `NOTIFY_TUI_HOME` | the vault folder (else the platform's user data folder) |
| `NOTIFY_TUI_PASSPHRASE` | the passphrase for scheduled jobs (else `--passphrase-file`, a prompt) |
| `NOTIFY_TUI_TODAY` | freeze today's date (demos, snapshots, tests) |
| `NOTIFY_TUI_CACHE` | the cache folder: England's bank holidays (else the user cache folder) |
| `NOTIFY_TUI_DEBUG` | `1` shows tracebacks of internal errors (they may contain case data) |

Preferences live in the encrypted vault (`Preferences`), so a closure day or a rule
choice is the same for every command and never sits in a plaintext file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from notify_tui.domain.retention import DEFAULT_SCHEDULE, RETENTION_KINDS, RetentionRule
from notify_tui.environment import (  # re-exported: the names settings always had
    ENV_PREFIX as ENV_PREFIX,
)
from notify_tui.environment import (
    HOME_VARIABLE as HOME_VARIABLE,
)
from notify_tui.environment import (
    NEW_PASSPHRASE_VARIABLE as NEW_PASSPHRASE_VARIABLE,
)
from notify_tui.environment import (
    PASSPHRASE_VARIABLE as PASSPHRASE_VARIABLE,
)
from notify_tui.environment import (
    USER_VARIABLE as USER_VARIABLE,
)
from notify_tui.environment import (
    resolve_home as resolve_home,
)

BINDING_IDS: tuple[str, ...] = (
    "app.help", "app.lock", "app.quit",
    "dialog.cancel", "dialog.next", "dialog.previous",
    "keep_draft.keep", "keep_draft.discard",
    "table.cursor_up", "table.cursor_down", "table.page_up", "table.page_down",
    "table.first", "table.last", "table.select",
    "setup.create",
    "dashboard.new_serious_incident", "dashboard.new_care_leaver_death",
    "dashboard.new_child_death", "dashboard.status_filter", "dashboard.kind_filter",
    "dashboard.sort", "dashboard.search", "dashboard.la_filter", "dashboard.reports",
    "dashboard.names", "dashboard.refresh", "dashboard.sync", "dashboard.leave_search",
    "dashboard.drafts",
    "case.mark_sent", "case.acknowledge", "case.withdraw", "case.decide", "case.edit",
    "case.confirm_withdrawal", "case.correct",
    "case.tab_duties", "case.tab_facts", "case.tab_conflicts", "case.tab_audit",
    "case.tab_office", "case.submission", "case.office_step", "case.access_log", "case.back",
    "new_case.save", "new_case.cancel", "new_case.add_child", "new_case.next",
    "new_case.previous",
    "drafts.open", "drafts.discard", "drafts.back",
    "submission.copy", "submission.copy_section", "submission.copy_form", "submission.record",
    "submission.switch_form", "submission.back",
    "reports.last_month", "reports.this_month", "reports.last_year", "reports.back",
    "settings.save", "settings.cancel", "settings.remove_closure",
    "sync.export", "sync.import", "sync.add_peer", "sync.revoke", "sync.export_keys",
    "sync.tab_peers", "sync.tab_import", "sync.tab_receipts", "sync.back",
    "mark_sent.save", "decide.save", "record_submission.save", "office_step.save",
    "annual_report.save",
    "users.add", "users.remove", "users.back",
    "audit.back",
    "retention.all", "retention.erase", "retention.back",
)  # fmt: skip
"""Every key binding id of the terminal app, the ids a `keymap` may name (a test checks
this list against the bindings the app defines)."""

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
"""What may come before a key, joined with "+" ("ctrl+s", "ctrl+shift+up")."""

NAMED_KEYS = frozenset(
    {
        "escape", "enter", "tab", "space", "backspace", "delete", "insert",
        "home", "end", "pageup", "pagedown", "up", "down", "left", "right",
        "slash", "backslash", "minus", "plus", "at", "underscore",
        *(f"f{number}" for number in range(1, 25)),
    }
)  # fmt: skip
"""Keys written as a name; any single character, and a character's Unicode name in
lower case with underscores ("question_mark", "full_stop"), are keys too."""


def key_problem(key: str) -> str | None:
    """Why one key ("ctrl+s", "f5", "x") is not a key the app can bind, or None."""
    *modifiers, name = key.split("+") if key != "+" else ["+"]
    unknown = [modifier for modifier in modifiers if modifier not in MODIFIERS]
    if unknown:
        return f"{unknown[0] or 'an empty part'} is not a modifier (use {', '.join(MODIFIERS)})"
    if len(set(modifiers)) != len(modifiers):
        return "a modifier is repeated"
    if len(name) == 1:
        return None if name.isprintable() and not name.isspace() else "not a printable key"
    if name in NAMED_KEYS:
        return None
    if name and name == name.lower() and " " not in name:
        try:
            if len(unicodedata.lookup(name.replace("_", " "))) == 1:
                return None
        except KeyError:
            pass
    if not name:
        return "a key is missing after the last +"
    return f"{name} is not a key name (write keys like ctrl+s, f5 or x)"


def keymap_problem(keymap: Mapping[str, str]) -> str | None:
    """The first problem with a keymap (binding id -> keys, comma-separated), or None."""
    known = set(BINDING_IDS)
    unknown = sorted(binding_id for binding_id in keymap if binding_id not in known)
    if unknown:
        return f"unknown binding id {', '.join(unknown)} (the ids are listed in docs/tui.md)"
    for binding_id, keys in keymap.items():
        parts = [part.strip() for part in keys.split(",")] if keys.strip() else [""]
        for part in parts:
            if not part:
                return f"{binding_id}: give at least one key"
            problem = key_problem(part)
            if problem:
                return f"{binding_id}: {keys!r}: {problem}"
    return None


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
    """Local closure days that are not working days (besides England bank holidays).

    They move local deadlines only (local rules); statutory deadlines count national
    working days."""


class RulePreferences(_Section):
    """Choices where the statutory sources disagree (see the rule pack's settings)."""

    rapid_review_start: Literal["panel_notified_date", "aware_date"] = "panel_notified_date"
    """What the 15 working days of a rapid review count from."""

    cdop_working_days: int = Field(1, ge=0, le=2)
    """Working days after becoming aware by which the CDOP is notified."""

    cdop_deadline: Literal["working_days", "24_hours"] = "working_days"
    """How the CDOP deadline is counted: in working days (cdop_working_days), or within
    24 hours of becoming aware (older local procedures; weekends count)."""


class DisplayPreferences(_Section):
    """How the terminal app looks."""

    theme: Literal["textual-dark", "textual-light", "high-contrast"] = "textual-dark"
    """Colour theme; high-contrast for low vision or bright rooms."""

    show_full_names: bool = False
    """Show subjects' full names in lists (initials otherwise)."""


class RetentionPreferences(_Section):
    """How long each kind of case is kept before it may be destroyed (docs/retention.md)."""

    schedule: dict[str, RetentionRule] = Field(default_factory=lambda: dict(DEFAULT_SCHEDULE))
    """For each kind of case: the trigger, the period in years and the council's
    schedule reference. A kind left out keeps the default rule."""

    @field_validator("schedule")
    @classmethod
    def _every_kind(cls, schedule: dict[str, RetentionRule]) -> dict[str, RetentionRule]:
        known = {kind.value for kind in RETENTION_KINDS}
        unknown = sorted(set(schedule) - known)
        if unknown:
            raise PydanticCustomError(
                "retention",
                "{kinds} is not a kind of case (use {known})",
                {"kinds": ", ".join(unknown), "known": ", ".join(sorted(known))},
            )
        return {kind: schedule.get(kind, DEFAULT_SCHEDULE[kind]) for kind in sorted(known)}


class Preferences(_Section):
    """Everything a user or office can set, stored encrypted in the vault."""

    security: SecurityPreferences = Field(default_factory=SecurityPreferences)
    calendar: CalendarPreferences = Field(default_factory=CalendarPreferences)
    rules: RulePreferences = Field(default_factory=RulePreferences)
    display: DisplayPreferences = Field(default_factory=DisplayPreferences)
    retention: RetentionPreferences = Field(default_factory=RetentionPreferences)
    keymap: dict[str, str] = Field(default_factory=dict)
    """Keys chosen instead of the defaults: binding id -> keys ("dashboard.sort": "s",
    or several, comma-separated: "ctrl+s,f2"). Ids not named keep their default keys."""

    @field_validator("keymap")
    @classmethod
    def _known_ids_and_real_keys(cls, keymap: dict[str, str]) -> dict[str, str]:
        problem = keymap_problem(keymap)
        if problem:
            raise PydanticCustomError("keymap", "{problem}", {"problem": problem})
        return {binding_id: keys.replace(" ", "") for binding_id, keys in keymap.items()}

    def rule_settings(self) -> dict[str, int | str]:
        """The rule pack setting overrides these preferences make."""
        return {
            "rapid_review_start": self.rules.rapid_review_start,
            "cdop_working_days": self.rules.cdop_working_days,
            "cdop_deadline": self.rules.cdop_deadline,
        }
