"""The users table (migration 11): who may unlock this vault, and with which role.

Each row is one person; their passphrase slot in `keyslots.json` names them only by an
opaque id (`keyslots.user_id_for`). A removed user keeps their row, marked with who
removed them and when, so the audit trail can still name them. Every statement on the
table is here.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from notify_tui.domain.people import display_name, normalised_name


@dataclass(frozen=True)
class User:
    """One user of the vault."""

    name: str
    role: str
    added_at: str
    added_by: str
    removed_at: str | None = None
    removed_by: str | None = None

    @property
    def active(self) -> bool:
        """Whether the user may still unlock the vault."""
        return self.removed_at is None


_COLUMNS = "name, role, added_at, added_by, removed_at, removed_by"


def _user(row: tuple[object, ...]) -> User:
    return User(
        name=str(row[0]),
        role=str(row[1]),
        added_at=str(row[2]),
        added_by=str(row[3]),
        removed_at=None if row[4] is None else str(row[4]),
        removed_by=None if row[5] is None else str(row[5]),
    )


def all_users(db: sqlite_utils.Database) -> list[User]:
    """Every user, removed ones too, by name."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM users ORDER BY key").fetchall()
    return [_user(row) for row in rows]


def find_user(db: sqlite_utils.Database, name: str) -> User | None:
    """The user of this name (compared as `normalised_name` does), or None."""
    row = db.execute(
        f"SELECT {_COLUMNS} FROM users WHERE key = ?", [normalised_name(name)]
    ).fetchone()
    return None if row is None else _user(row)


def put_user(db: sqlite_utils.Database, name: str, role: str, *, now: str, by: str) -> None:
    """Add a user (or bring a removed one back) with `role`."""
    db.execute(
        "INSERT INTO users (key, name, role, added_at, added_by) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET name = excluded.name, role = excluded.role, "
        "added_at = excluded.added_at, added_by = excluded.added_by, "
        "removed_at = NULL, removed_by = NULL",
        [normalised_name(name), display_name(name), role, now, by],
    )


def mark_removed(db: sqlite_utils.Database, name: str, *, now: str, by: str) -> None:
    """Mark a user removed (their row stays for the audit trail)."""
    db.execute(
        "UPDATE users SET removed_at = ?, removed_by = ? WHERE key = ?",
        [now, by, normalised_name(name)],
    )
