"""Case ids: a kind prefix and 8 random Crockford base32 characters."""

from __future__ import annotations

import secrets

from notify_tui.domain.models import CaseKind

CASE_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford base32: no I, L, O or U, so an id read aloud is not misheard."""

CASE_ID_PREFIX = {
    CaseKind.serious_incident: "SI",
    CaseKind.care_leaver_death: "CL",
    CaseKind.child_death: "CD",
}
"""The first two letters of a case id say its kind."""


def new_case_id(kind: CaseKind) -> str:
    """A case id: a kind prefix and 8 random Crockford base32 characters."""
    return f"{CASE_ID_PREFIX[kind]}-{_random_suffix()}"


DRAFT_ID_PREFIX = "DR"
"""Drafts (forms being typed, never cases) have ids of their own kind."""


def new_draft_id() -> str:
    """A draft id: `DR-` and 8 random Crockford base32 characters."""
    return f"{DRAFT_ID_PREFIX}-{_random_suffix()}"


def _random_suffix() -> str:
    """8 random Crockford base32 characters: 40 random bits, 5 a character (one read
    of the system's randomness, where a `secrets.choice` a character took eight)."""
    bits = int.from_bytes(secrets.token_bytes(5), "big")
    return "".join(CASE_ID_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
