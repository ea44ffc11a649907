"""Erasing a case while every chain and signature still verifies (issue 18).

A case is erased by a signed certificate, an event of type `case.erased` on the case
(`ERASE_TYPE`), written by the LA that created it with two people: an admin and a lead
(`ErasureRecord.by` and `confirmed_by`). The certificate says what was erased (each
event of the case, by the digest of what erasure leaves of it), on which ground (its
retention period ran, under the schedule's rule; or it duplicates another case, named),
why, who and when; never any of the content.

Every other event of the case is then kept as erasure leaves it (`Event.erased_by`):
its place in its chain, its time, author, organisation, case and type, its id and its
signature, but not its changes; `erased` names the certificate. So each chain still
links (`prev` is an id), each signature still verifies (it signs the id), and the
audit trail still says who did what kind of step and when. What can no longer be
checked is that an erased event's id is the hash of its body, nor (the id no longer
covering them) its time, author, case or type: the certificate vouches for them, listing
the digest of each (`Event.stub_digest`). An erased event is taken from a peer only when
a certificate of its case lists it, or when the peer sending it is the device that signs
its chain (an office's own steps on the case that the LA never saw, erased by the office
itself: it could write anything on its own chain anyway); `vouched` says which.

A certificate arriving from a peer erases that peer's copy too: each device that takes
it in applies it to every event of the case it holds, and to any event of the case that
reaches it later (a step the office made before it heard of the erasure).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from notify_tui.domain.text import forbidden_character

ERASE_TYPE: Final = "case.erased"
"""The event type of an erasure certificate."""

ERASE_FIELD: Final = "erasure"
"""The one field a certificate sets."""

MIN_ERASE_REASON: Final = 10
"""An erasure's reason is a sentence, not a word."""

MAX_ERASE_REASON: Final = 2_000
"""The longest reason a certificate gives (why, never what the case held)."""

MAX_ERASED: Final = 15_000
"""The most events one certificate erases (its line stays under a bundle's 1 MiB)."""

Ground = Literal["retention", "duplicate"]
"""Why a case may be erased: its retention period has run, or it duplicates another."""

CaseId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class ErasureRecord(BaseModel):
    """The value of a certificate's `erasure` field: what was erased, on which ground,
    why, and by whom (the event's time says when). No content of the case."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    ground: Ground
    rule: Annotated[str, StringConstraints(min_length=1, max_length=400)] | None = None
    """The retention rule in words and its reference (ground `retention`)."""
    due_on: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    """The day the retention period ran out (ground `retention`), ISO."""
    duplicate_of: CaseId | None = None
    """The case kept (ground `duplicate`)."""
    reason: Annotated[
        str, StringConstraints(min_length=MIN_ERASE_REASON, max_length=MAX_ERASE_REASON)
    ]
    by: Name
    """The admin or lead who erased it (the event's author)."""
    confirmed_by: Name
    """The second person, who confirmed with their own passphrase."""
    events: int = Field(ge=0, le=MAX_ERASED)
    """How many events of the case the certificate erased where it was written."""
    entries: list[Digest] = Field(max_length=MAX_ERASED)
    """The `Event.stub_digest` of each, sorted: what erasure leaves of each is vouched
    for by the certificate, and anyone holding the events can check the list."""

    @field_validator("reason", "rule", "by", "confirmed_by")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value != value.strip():
            raise ValueError("has spaces at its start or end")
        bad = forbidden_character(value, multiline=False)
        if bad:
            raise ValueError(f"holds the control character {bad}")
        return value

    @field_validator("due_on")
    @classmethod
    def _real_day(cls, value: str | None) -> str | None:
        if value is not None:
            date.fromisoformat(value)
        return value

    def consistent(self) -> str | None:
        """Why the record contradicts itself (its ground and what it names), or None."""
        if self.ground == "retention" and (self.rule is None or self.due_on is None):
            return "an erasure under the retention schedule names its rule and due date"
        if self.ground == "retention" and self.duplicate_of is not None:
            return "an erasure under the retention schedule names no duplicate"
        if self.ground == "duplicate" and self.duplicate_of is None:
            return "an erasure of a duplicate names the case kept"
        if self.ground == "duplicate" and (self.rule is not None or self.due_on is not None):
            return "an erasure of a duplicate names no retention rule"
        if self.by.casefold() == self.confirmed_by.casefold():
            return "an erasure is confirmed by a second person, not the one who erased"
        if len(self.entries) != self.events or self.entries != sorted(set(self.entries)):
            return "an erasure lists each event it erased once, sorted, as many as it counts"
        return None


@dataclass(frozen=True)
class Certificate:
    """What vouching needs of a certificate held: its id, the device that signed it
    (the LA's), and the digests of the events it lists."""

    id: str
    signer: str
    entries: frozenset[str]


def vouched(
    case_id: str,
    named: str,
    digest: str,
    chain_signer: str,
    certificates: Mapping[str, Sequence[Certificate]],
    *,
    sender: str | None,
) -> str | None:
    """Why an erased event is not vouched for, or None when it is.

    `case_id`, `named` and `digest` are the event's case, the certificate it names and
    its `Event.stub_digest`; `chain_signer` signs its chain; `certificates` are those
    held, by case. It is vouched for when a certificate of its case is held, it names
    one of them, and one of them lists it; or, unlisted, when it comes from the device
    that signs its chain (`sender`, on import) or, held already (`sender` None, as
    `doctor` checks), is not on the chain of a certificate's own signer (which lists
    every event of the case it held)."""
    held = certificates.get(case_id) or ()
    if not held:
        hint = "" if sender is None else "; import the bundle that carries it first"
        return f"it is erased, but no erasure certificate of case {case_id} is held{hint}"
    if named not in {certificate.id for certificate in held}:
        return f"it names erasure certificate {named[:12]}…, which is not one of case {case_id}'s"
    if any(digest in certificate.entries for certificate in held):
        return None
    if sender is not None and sender == chain_signer:
        return None
    if sender is None and all(certificate.signer != chain_signer for certificate in held):
        return None
    return (
        f"it is erased, but case {case_id}'s erasure certificate does not list it as "
        "erased (relayed as erased by a device that does not sign its chain)"
    )
