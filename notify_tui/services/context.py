"""What every service of the one door needs of the `Session` that builds it.

`session.sync`, `session.drafts`, `session.retention` and `session.subject_access` each
run on the session's owner thread, read its clock and ask it whether the signed-in user
may act; each declares what more it needs by extending `SessionContext`.
"""

from __future__ import annotations

from typing import Protocol

from notify_tui.clock import Clock
from notify_tui.domain.people import Permission
from notify_tui.store.owner import Owner


class SessionContext(Protocol):
    """The owner thread, the clock, and the role check of a `Session`."""

    def require(self, permission: Permission, action: str) -> None:
        """Refuse unless the signed-in user may `action`."""
        ...

    @property
    def owner(self) -> Owner:
        """Where the vault's connection lives; every verb runs there."""
        ...

    @property
    def clock(self) -> Clock:
        """Today and now."""
        ...
