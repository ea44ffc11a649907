"""Bulk work without the cyclic garbage collector's pauses.

Writing thousands of events allocates millions of small containers (documents, rows,
models); each allocation burst triggers a collection that walks every tracked object,
the vault's long-lived ones included, though none of them is garbage. During a bulk
write or import the collector is disabled and the objects alive before it are frozen
(left out of later collections); both are undone on the way out, whatever happens.
Reference counting still frees everything as usual; only cycles wait until the end.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bulk_work() -> Iterator[None]:
    """Disable the cyclic collector and freeze what is alive, for the block's length.

    Nested use leaves the collector to the outermost block."""
    if not gc.isenabled():
        yield
        return
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
