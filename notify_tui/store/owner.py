"""The one thread that owns a vault's database connection.

A SQLCipher connection belongs to the thread that opened it (`check_same_thread`), and
the terminal app must never run Argon2id, an import or a refold on its UI thread. So a
vault is opened on an `OwnerThread`, and every verb of the Session is submitted to it
(`owned`) and waited for. The caller may be the UI thread (a quick read of the rows on
screen) or a Textual thread worker (unlock, export, import): either way only the owner
touches the connection, one verb at a time, in the order they were submitted.

An `InlineOwner` runs verbs on the calling thread: for a vault opened by a test or a
script that has no UI to keep responsive.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from notify_tui.errors import VaultError

P = ParamSpec("P")
R = TypeVar("R")


class Owner(Protocol):
    """Runs a function where the vault's connection lives."""

    def run(self, function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run `function` on the owner and return (or raise) what it does."""
        ...

    def close(self) -> None:
        """Stop accepting work (after the vault is closed)."""
        ...


class InlineOwner:
    """Runs everything on the calling thread (no UI to keep responsive)."""

    def run(self, function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Call `function` here."""
        return function(*args, **kwargs)

    def close(self) -> None:
        """Nothing to stop."""


class OwnerThread:
    """A single worker thread that holds the connection; work is queued to it in order."""

    def __init__(self, name: str = "notify-vault") -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._ident = self._executor.submit(threading.get_ident).result()
        self._closed = False

    @property
    def is_current(self) -> bool:
        """Whether the caller is running on the owner thread."""
        return threading.get_ident() == self._ident

    def run(self, function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run `function` on the owner thread and wait for it.

        A verb that calls another verb is already on the owner, so it runs inline
        (queueing it would wait for itself)."""
        if self.is_current:
            return function(*args, **kwargs)
        if self._closed:
            raise VaultError("the vault is locked: unlock it again")
        try:
            future = self._executor.submit(function, *args, **kwargs)
        except RuntimeError:  # closed between the check and the submit (an idle lock)
            raise VaultError("the vault is locked: unlock it again") from None
        return future.result()

    def close(self) -> None:
        """Finish queued work and stop the thread."""
        self._closed = True
        if not self.is_current:
            self._executor.shutdown(wait=True)
        else:
            self._executor.shutdown(wait=False)


class HasOwner(Protocol):
    """An object whose verbs run on an owner (a Session, its sync service)."""

    @property
    def owner(self) -> Owner:
        """Where the verbs run."""
        ...


S = TypeVar("S", bound=HasOwner)


def owned(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Make a method of a `HasOwner` run on its owner."""

    @functools.wraps(method)
    def on_owner(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.owner.run(method, self, *args, **kwargs)

    return on_owner
