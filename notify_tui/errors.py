"""Errors a person can act on.

Every error raised for bad input or a refused operation derives from `NotifyError`.
Its message is one line that says what is wrong and what to do; the CLI prints it and
exits with status 2, the TUI shows it as a notification. Messages never contain case
data (names, outlines), only field names, ids and file names.
"""

from __future__ import annotations


class NotifyError(Exception):
    """A refusal or bad input, explained in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        """The one-line message."""
        return str(self)


class InvalidInput(NotifyError):
    """A document, option or field value failed validation."""


class VaultError(NotifyError):
    """The vault cannot be opened, unlocked or written."""


class WrongPassphrase(VaultError):
    """The passphrase or recovery code does not open any key slot."""


class VaultLocked(VaultError):
    """Another process holds the vault's writer lock."""


class IntegrityError(VaultError):
    """Stored data failed an integrity check (tampering or corruption)."""


class BundleRefused(NotifyError):
    """A bundle failed a check on import or verification; the store is unchanged."""


class NotPermitted(NotifyError):
    """The signed-in user's role does not allow what was asked; nothing was changed."""
