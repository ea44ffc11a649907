"""Messages that cross screens."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class SessionLocked(Message):
    """The vault was locked (idle or on request); every screen showing data must go."""
