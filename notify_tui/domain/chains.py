"""Naming devices and hash chains: device ids, organisation slugs, per-LA chain ids.

An LA device writes one chain, named by its device id. An office device writes the
partnership's records on its device id and its steps on an LA's cases on a chain per
LA, `{device}--{la slug}` (see `office_chain_id`), so each LA can be sent its own
cases' events and nothing about another LA's.
"""

from __future__ import annotations

import hashlib
import re
import secrets

CHAIN_SEPARATOR = "--"
"""Between an office device's id and an LA's slug in the id of a per-LA chain.

`device_id_for` and `org_slug` collapse runs of non-alphanumerics to one `-`, so `--`
never occurs inside a device id or a slug."""

MAX_CHAIN_ID = 64
"""The longest chain id (the `DEVICE_ID` pattern of events)."""

MAX_OFFICE_DEVICE_ID = 47
"""The longest id `device_id_for` makes (40 + `-` + 6); an office's longer id is refused,
so its per-LA chain ids keep room for a slug."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def device_id_for(org: str) -> str:
    """A new device id: a slug of the organisation and a random suffix."""
    return f"{device_prefix(org)}-{secrets.token_hex(3)}"


def device_prefix(org: str) -> str:
    """What every device id of an organisation starts with (before `-` and 6 hex digits)."""
    return _slug(org)[:40].strip("-") or "device"


def is_device_id_of(device_id: str, org: str) -> bool:
    """Whether `device_id` is shaped as `device_id_for(org)` makes ids."""
    return re.fullmatch(re.escape(device_prefix(org)) + r"-[0-9a-f]{6}", device_id) is not None


def org_slug(org: str) -> str:
    """The slug of an organisation's name (lower case, runs of other characters as `-`)."""
    return _slug(org.strip()) or "org"


def office_chain_id(device_id: str, case_org: str) -> str:
    """The id of an office device's chain for the cases of one LA: `{device}--{slug}`.

    When that would exceed `MAX_CHAIN_ID` characters the slug is cut and ends with the
    first 8 hex digits of its SHA-256, so different long slugs still give different ids.
    """
    slug = org_slug(case_org)
    budget = MAX_CHAIN_ID - len(device_id) - len(CHAIN_SEPARATOR)
    if len(slug) > budget:
        digest = hashlib.sha256(slug.encode("utf-8")).hexdigest()[:8]
        slug = f"{slug[: max(budget - 9, 0)].strip('-')}-{digest}".strip("-")
    return f"{device_id}{CHAIN_SEPARATOR}{slug}"


def signing_device(chain_id: str) -> str:
    """The device whose key signs a chain: the part of its id before `--`."""
    return chain_id.split(CHAIN_SEPARATOR, 1)[0]


def chain_suffix(chain_id: str) -> str | None:
    """The LA slug of an office device's per-LA chain; None for a device's own chain."""
    parts = chain_id.split(CHAIN_SEPARATOR, 1)
    return parts[1] if len(parts) == 2 else None


def may_receive(
    peer_role: str, peer_org: str, chain_id: str, chain_role: str, chain_org: str
) -> bool:
    """Whether a peer (its role and organisation) may be sent a chain.

    `chain_role` and `chain_org` are those of the chain's signing device. An office
    receives every chain (it relays). An LA receives the chains of LA devices of its
    own organisation and an office device's chain for its cases
    (`office_chain_id(office, its org)`), never an office's own chain (the partnership's
    records) nor anything about another LA's cases.
    """
    if peer_role == "office":
        return True
    if chain_suffix(chain_id) is None:
        return chain_role == "la" and chain_org == peer_org
    return chain_role == "office" and chain_id == office_chain_id(
        signing_device(chain_id), peer_org
    )
