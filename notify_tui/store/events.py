"""Events: the immutable, signed, hash-chained unit of change (and of sync).

An event's id is the SHA-256 of its canonical body (every field but `id` and `sig`):
JSON with sorted keys, no insignificant whitespace, UTF-8. Each chain numbers its
events 1, 2, 3… and names the id of its previous one in `prev`, so a removed or
reordered event breaks the chain. `device` names the chain: a device id, or an office
device's chain for one LA's cases, `{device}--{la slug}` (see `store.vault.chain_for`).
The chain's device (the part before `--`) signs `EVENT_SIGNING_PREFIX + id` with its
Ed25519 key.

A change names the field it sets (a dotted path such as `incident.aware_date`) and the
ids of the events whose values for that field it replaces. Two changes that replace
the same value without seeing each other are a conflict; see `notify_tui.domain.fold`.

An erased event (issue 18, `notify_tui.domain.erasure`) keeps everything but its
changes: its place in the chain (`device`, `seq`, `prev`), when, who, which organisation,
which case, what type of step, its `id` and its `sig`; `erased` names the signed erasure
certificate (`case.erased`) that took its changes away. Its id can no longer be worked out
from its body: the certificate, held beside it, vouches for it, and the device's signature
over the id, and the next event's `prev`, still verify.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

EVENT_SIGNING_PREFIX = b"notify-tui event v1\x00"
HEX64 = r"^[0-9a-f]{64}$"
STUB_FIELDS = frozenset({"device", "seq", "prev", "at", "author", "org", "case", "type", "id"})
"""What an erasure certificate vouches for of each event it erased (`Event.stub_digest`):
all that erasure keeps but the signature (which signs the id) and the certificate's id."""
DEVICE_ID = r"^[a-z0-9][a-z0-9-]{2,63}$"
FIELD_PATH = r"^[a-z_][a-z0-9_]*(\.[a-z0-9_-]+(@[1-9][0-9]*)?)*$"
"""A dotted field path; a part may end `@N`, as a per-child duty's id does
(`duties.cdop-notification@2.sent`: the second subject's CDOP notification)."""
EVENT_TYPES = (
    "case.created",
    "case.edited",
    "decision.recorded",
    "duty.sent",
    "duty.withdrawn",
    "duty.acknowledged",
    "duty.submitted",
    "duty.late_reason",
    "duty.withdrawal_requested",
    "duty.withdrawal_confirmed",
    "duty.corrected",
    "conflict.resolved",
    "office.recorded",
    "office.corrected",
    "access.recorded",
    "people.recorded",
    "hold.recorded",
    "case.erased",
)


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a JSON value: sorted keys, compact, UTF-8.

    orjson with sorted keys writes the same bytes as the standard library's
    `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` for every
    value without a fractional number (the same escapes, UTF-8 and integers), several
    times faster; what orjson refuses (an integer beyond 64 bits, a key that is not
    text) goes to the standard library. Fractions are the exception: orjson writes
    exponents its own way (`1e16`, not `1e+16`) and NaN as null. No event, document or
    projection row holds one (`event_rules` refuses them in every field), and
    `json_fraction_free` tells the few callers that take outside input whether the
    standard library's bytes must be used instead (`stdlib_canonical_json`)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return stdlib_canonical_json(value)


def stdlib_canonical_json(value: Any) -> bytes:
    """The canonical bytes as the standard library writes them (before issue 19)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def json_fraction_free(value: Any) -> bool:
    """Whether a parsed JSON value holds no fractional number (where `canonical_json`'s
    two encoders could differ)."""
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(json_fraction_free(item) for item in value.values())
    if isinstance(value, list):
        return all(json_fraction_free(item) for item in value)
    return True


class Change(BaseModel):
    """One field set by an event."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(pattern=FIELD_PATH, max_length=200)
    value: Any
    replaces: list[str] = Field(default_factory=list, max_length=64)


def trusted_change(field: str, value: Any) -> Change:
    """A change made from values already validated, unchecked: what
    `Change.model_construct(field=field, value=value, replaces=[])` builds, without its
    walk over the model's fields (a new case has some 25 changes)."""
    change = Change.__new__(Change)
    object.__setattr__(change, "__dict__", {"field": field, "value": value, "replaces": []})
    object.__setattr__(change, "__pydantic_fields_set__", {"field", "value", "replaces"})
    object.__setattr__(change, "__pydantic_extra__", None)
    object.__setattr__(change, "__pydantic_private__", None)
    return change


class EventBody(BaseModel):
    """Everything an event says, before it is addressed and signed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    device: str = Field(pattern=DEVICE_ID)
    seq: int = Field(ge=1)
    prev: str | None = Field(pattern=HEX64)
    at: datetime
    author: str = Field(min_length=1, max_length=200)
    org: str = Field(min_length=1, max_length=200)
    case: str = Field(pattern=r"^[A-Za-z0-9-]{1,64}$")
    type: str = Field(max_length=64)
    changes: list[Change] = Field(min_length=1, max_length=2_000)

    def canonical(self) -> bytes:
        """The canonical bytes the id is the hash of."""
        return canonical_json(self.model_dump(mode="json"))


class Event(EventBody):
    """A signed, content-addressed event (or an erased one: `erased`, no changes)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["changes"],
                    "properties": {"changes": {"minItems": 1}},
                    "not": {"required": ["erased"]},
                },
                {"required": ["erased"], "not": {"required": ["changes"]}},
            ]
        }
    )

    changes: list[Change] = Field(default_factory=list, min_length=1, max_length=2_000)
    """At least one, as written; none (absent) for an erased event."""
    erased: str | None = Field(default=None, pattern=HEX64)
    """The erasure certificate's id, for an erased event (its changes are gone)."""
    id: str = Field(pattern=HEX64)
    sig: str = Field(max_length=200)

    @field_validator("sig")
    @classmethod
    def _changes_or_erased(cls, sig: str, info: ValidationInfo) -> str:
        # Checked with the last field (given, never a default), so once per event: an
        # empty list is refused by `min_length`, an absent one is erased or refused here.
        changes, erased = info.data.get("changes"), info.data.get("erased")
        if erased is not None and changes:
            raise ValueError("an erased event keeps no changes")
        if erased is not None and info.data.get("type") == "case.erased":
            raise ValueError("an erasure certificate is never erased")
        if erased is None and not changes and "changes" in info.data:
            raise ValueError("an event sets at least one field")
        return sig

    @classmethod
    def create(cls, body: EventBody, key: Ed25519PrivateKey) -> Event:
        """Address and sign a body."""
        return cls.create_with_bytes(body, key)[0]

    @classmethod
    def create_with_bytes(cls, body: EventBody, key: Ed25519PrivateKey) -> tuple[Event, bytes]:
        """Address and sign a body; return the event and its canonical bytes (stored).

        The body is dumped once: its canonical bytes are hashed for the id, and the same
        document with the id and signature added gives the bytes stored and sent. The
        body was validated when it was built, so the event is assembled from its fields
        without validating them again (the id and signature are made here)."""
        document = body.model_dump(mode="json")
        event_id = hashlib.sha256(canonical_json(document)).hexdigest()
        signature = base64.b64encode(
            key.sign(EVENT_SIGNING_PREFIX + event_id.encode("ascii"))
        ).decode("ascii")
        event = cls.model_construct(**dict(body), id=event_id, sig=signature, erased=None)
        document["id"] = event_id
        document["sig"] = signature
        return event, canonical_json(document)

    def body(self) -> EventBody:
        """The unsigned body (of an event not erased)."""
        return EventBody(**self.model_dump(exclude={"id", "sig", "erased"}))

    def id_matches(self) -> bool:
        """The id is the hash of the body (never, for an erased event: its certificate
        vouches for it)."""
        if self.erased is not None:
            return False
        return hashlib.sha256(self.body().canonical()).hexdigest() == self.id

    def erased_by(self, certificate_id: str) -> Event:
        """This event as erasure leaves it: every field but the changes, and the id of
        the certificate that erased it."""
        return Event.model_construct(
            **{name: getattr(self, name) for name in type(self).model_fields if name != "changes"}
            | {"changes": [], "erased": certificate_id}
        )

    def stub_digest(self) -> str:
        """SHA-256 of what erasure leaves of this event but the certificate's id (its
        place, time, author, organisation, case, type and id; canonical JSON), the same
        for the event and for its erased form. An erasure certificate lists these
        (`domain.erasure`), so an erased event's header is as certain as its id."""
        header = self.model_dump(mode="json", include=set(STUB_FIELDS))
        return hashlib.sha256(canonical_json(header)).hexdigest()

    def document(self) -> dict[str, Any]:
        """The JSON document stored and sent: an erased event without `changes`, any
        other without `erased`."""
        drop = {"changes"} if self.erased is not None else {"erased"}
        return self.model_dump(mode="json", exclude=drop)

    def signature_valid(self, key: Ed25519PublicKey) -> bool:
        """The device key signed this id."""
        try:
            key.verify(
                base64.b64decode(self.sig, validate=True), EVENT_SIGNING_PREFIX + self.id.encode()
            )
        except (InvalidSignature, ValueError):
            return False
        return True

    def to_json(self) -> str:
        """Canonical JSON of the whole event (for storage and bundles)."""
        return canonical_json(self.document()).decode("utf-8")
