"""People: named users, their roles, what each role may do, and the access log's words.

A vault has named users, each with a passphrase of their own and one role. The roles of
an LA vault are admin, lead, deputy and viewer; those of a business office, admin,
manager, coordinator and viewer. What each may do is a set of permissions
(`PERMISSIONS`); the Session checks one before every verb and refuses in one line
(`refusal`). Written up in docs/people.md.

The access log records reads as well as changes: each entry is an `access.recorded`
event naming what was done (`ACCESS_ACTIONS`), never the data seen. Changes to the users
are `people.recorded` events. Neither changes a case: the fold leaves them out
(`NON_STATE_TYPES`). Entries that concern no one case go on the reserved case id
`VAULT_LOG` ("LOG").
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Final, Literal

RoleName = Literal["admin", "lead", "deputy", "viewer", "manager", "coordinator"]

LA_ROLES: Final[tuple[RoleName, ...]] = ("admin", "lead", "deputy", "viewer")
"""The roles of an LA vault."""

OFFICE_ROLES: Final[tuple[RoleName, ...]] = ("admin", "manager", "coordinator", "viewer")
"""The roles of a business office vault."""

ROLE_WORDS: Final[dict[RoleName, str]] = {
    "admin": "administrator: users, settings, keys and recovery, and all a lead does",
    "lead": "safeguarding lead: records, sends, decides, confirms a second person's act",
    "manager": "office manager: records, sends, decides, confirms a second person's act",
    "deputy": "deputy: records and sends",
    "coordinator": "coordinator: records and sends",
    "viewer": "viewer: reads and reports only",
}
"""Each role in a few words, for `users list` and the users screen."""


class Permission(StrEnum):
    """Something a role may do."""

    READ = "read"
    """See cases, duties, deadlines, the audit trail."""
    REPORT = "report"
    """Make reports."""
    RECORD = "record"
    """Record and change cases, sends, acknowledgements, decisions, office steps; back up."""
    SYNC = "sync"
    """Export and import bundles."""
    CONFIRM = "confirm"
    """Be the second person who confirms another user's withdrawal of a statutory duty."""
    ADMINISTER = "administer"
    """Add and remove users, change the vault's settings, trust peers, split recovery."""


_READER = frozenset({Permission.READ, Permission.REPORT})
_RECORDER = _READER | {Permission.RECORD, Permission.SYNC}
_LEAD = _RECORDER | {Permission.CONFIRM}

PERMISSIONS: Final[dict[RoleName, frozenset[Permission]]] = {
    "admin": _LEAD | {Permission.ADMINISTER},
    "lead": _LEAD,
    "manager": _LEAD,
    "deputy": _RECORDER,
    "coordinator": _RECORDER,
    "viewer": _READER,
}
"""What each role may do."""

NEEDS: Final[dict[Permission, str]] = {
    Permission.READ: "any user",
    Permission.REPORT: "any user",
    Permission.RECORD: "an admin, a lead or a deputy (office: a manager or a coordinator)",
    Permission.SYNC: "an admin, a lead or a deputy (office: a manager or a coordinator)",
    Permission.CONFIRM: "an admin or a lead (office: a manager)",
    Permission.ADMINISTER: "an admin",
}
"""Who may, in words, for refusals."""


def roles_for(vault_role: str) -> tuple[RoleName, ...]:
    """The roles a vault of this role (``la`` or ``office``) gives its users."""
    return OFFICE_ROLES if vault_role == "office" else LA_ROLES


def may(role: str, permission: Permission) -> bool:
    """Whether a user of `role` may do what `permission` covers."""
    allowed = PERMISSIONS.get(role)  # type: ignore[call-overload]
    return allowed is not None and permission in allowed


def refusal(name: str, role: str, permission: Permission, action: str) -> str | None:
    """A one-line refusal when `name` (a `role`) may not do `action`; None when they may."""
    if may(role, permission):
        return None
    return (
        f"{name} is a {role} and may not {action}: that needs {NEEDS[permission]}; "
        "nothing was changed"
    )


MAX_NAME_LENGTH: Final = 80


def normalised_name(name: str) -> str:
    """A user's name as compared: NFC, spaces collapsed and trimmed, case-folded."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def display_name(name: str) -> str:
    """A user's name as shown and recorded: NFC, spaces collapsed and trimmed."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a user's name (one line), or None when it can."""
    shown = display_name(name)
    if not shown:
        return "a user's name is empty; give the person's name, e.g. 'A. Lead'"
    if len(shown) > MAX_NAME_LENGTH:
        return f"a user's name has at most {MAX_NAME_LENGTH} characters"
    if any(unicodedata.category(c).startswith("C") for c in shown):
        return "a user's name may not hold control or invisible characters"
    return None


# -- the access log ----------------------------------------------------------------------

ACCESS_TYPE: Final = "access.recorded"
"""The event type of an access log entry."""

PEOPLE_TYPE: Final = "people.recorded"
"""The event type of a change to the users (added, removed, passphrase, recovery)."""

HOLD_TYPE: Final = "hold.recorded"
"""The event type of a legal hold placed or lifted (`domain.retention`): on a case, or on
everything (`VAULT_LOG`)."""

LOG_ENTRY_TYPES: Final = frozenset({ACCESS_TYPE, PEOPLE_TYPE})
"""The access log and people entries: kept aside (`held_log`) while a restored vault
catches up, and written later with their own time. A hold is not among them: it is in
force when the user is told so, or refused."""

NON_STATE_TYPES: Final = LOG_ENTRY_TYPES | {HOLD_TYPE}
"""Event types that change no case: the fold leaves them out."""

VAULT_LOG: Final = "LOG"
"""The case id of log entries about no one case (reports, exports, backups, users).
Never a real case id (those are two letters, a dash and eight characters)."""

ACCESS_FIELD: Final = "access"
"""The one field an access event sets (its value: action and detail)."""

PEOPLE_FIELD: Final = "people"
"""The one field a people event sets (its value: action, user and role)."""

HOLD_FIELD: Final = "hold"
"""The one field a hold event sets (its value: placed or lifted, the reason, by whom)."""

AccessAction = Literal[
    "opened",
    "names_shown",
    "submission_viewed",
    "field_copied",
    "report",
    "backup",
    "subject_export",
]

ACCESS_ACTIONS: Final[dict[str, str]] = {
    "opened": "opened the case",
    "names_shown": "showed full names",
    "submission_viewed": "viewed the submission form",
    "field_copied": "copied from the submission form",
    "report": "made a report",
    "backup": "wrote a backup",
    "subject_export": "exported the case for a subject access request",
}
"""Each access action in words (the audit trail's sentence)."""

PeopleAction = Literal[
    "added", "removed", "passphrase", "rotated", "recovered", "recovery_split", "recovery_code"
]

PEOPLE_ACTIONS: Final[dict[str, str]] = {
    "added": "added user",
    "removed": "removed user",
    "passphrase": "changed the passphrase of",
    "rotated": "changed the passphrase and re-keyed the vault for",
    "recovered": "set a new passphrase with recovery for",
    "recovery_split": "split recovery into shares",
    "recovery_code": "replaced the recovery code",
}
"""Each people action in words."""

MAX_DETAIL_LENGTH: Final = 200
"""An access entry's detail (a field label, a period, a peer) is short: never record data."""
