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
    suffix = "".join(secrets.choice(CASE_ID_ALPHABET) for _ in range(8))
    return f"{CASE_ID_PREFIX[kind]}-{suffix}"


DRAFT_ID_PREFIX = "DR"
"""Drafts (forms being typed, never cases) have ids of their own kind."""


def new_draft_id() -> str:
    """A draft id: `DR-` and 8 random Crockford base32 characters."""
    suffix = "".join(secrets.choice(CASE_ID_ALPHABET) for _ in range(8))
    return f"{DRAFT_ID_PREFIX}-{suffix}"
