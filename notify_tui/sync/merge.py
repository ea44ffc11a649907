"""Import a bundle: every check first, then one transaction.

Order of checks (each refusal is a one-line `BundleRefused`; nothing is written):

1. structure, size limits and the manifest's schema (`bundle.read_bundle`, before
   anything is decompressed);
2. the sender is a trusted, unrevoked peer, as the manifest says (org and role), and
   the manifest signature is its key's; the bundle is addressed to this device (`to`);
3. a bundle already imported (same manifest hash) is a no-op;
4. this device is a recipient; the payload decrypts; it decompresses within its declared
   size (`bundle.open_payload_stream`); every event line is canonical, schema-valid and
   matches its id, worked out from the line; the events are the declared ranges, sorted
   by device and seq, each linked to the one before;
5. every event's chain belongs to a known device (a chain id is a device id, or an
   office device's per-LA chain ``device--la-slug``; an LA device has no per-LA
   chains), its org the device's org; events already held are identical to the held
   ones, and one numbered as a chain's recorded head is that head (else: a fork; a lost
   head may come back this way); new events continue the held chain with no gap
   ("events 5–7 of device X are missing"); every new event's signature is the
   device's (docs/bundle-format.md, "Threat model");
6. every new event keeps the event rules of `notify_tui.domain.event_rules` for its
   device's role (type, fields, values, who may write them), and was not recorded
   after this device's clock;
7. authorisation: an LA device writes only to cases its own organisation created; an
   office device creates no case, except the partnership's own records (ids ``AR-…``),
   which only office devices write; an office's per-LA chain ``device--slug`` touches
   only cases created by the LA whose `org_slug` is ``slug`` (exactly: its id is
   `office_chain_id(device, creating org)`), and its plain chain only the partnership's
   records; a case is created once;
8. the duty record its author had seen does not contradict it
   (`notify_tui.sync.record_rules`);
9. the sender's receipts keep the role rule (an LA's only about chains it may hold);

then the new events, the arrivals, the sender's receipts (also as its latest statement,
`notify_tui.sync.receipts.statement`) and the bundle's hash are written, the touched
cases refolded, and, after a restore, the bundle's `answers` noted
(`notify_tui.store.catch_up.note_answer`), in one transaction.

The payload streams through checks 4 to 6 (`_Walk`) and each new event that passed is
written in that transaction at once, so memory stays bounded; a refusal found on the
way is kept and raised after the last line, in the order above, and the raise rolls
the transaction back: nothing of a refused bundle is kept.

Events of this device's own chains are taken back like any other (checked against its
own key, continuing the chain held): that is how a vault restored from a backup gets
back what it had sent before it was lost.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from notify_tui.domain.chains import chain_suffix, office_chain_id, signing_device
from notify_tui.domain.erasure import ERASE_TYPE, vouched
from notify_tui.domain.event_rules import Relation, check_erased, check_event
from notify_tui.domain.models import Case
from notify_tui.domain.people import NON_STATE_TYPES, PEOPLE_TYPE, VAULT_LOG
from notify_tui.errors import BundleRefused
from notify_tui.store import catch_up, erasure
from notify_tui.store.bulk import bulk_work
from notify_tui.store.events import Event
from notify_tui.store.projection import PARTNERSHIP_PREFIX, Projector
from notify_tui.store.vault import ChainHead, ForeignWriter, Vault
from notify_tui.sync import bundle as bundle_format
from notify_tui.sync import receipts as receipt_log
from notify_tui.sync.record_rules import JUDGED, judge_case
from notify_tui.sync.trust import Device, devices, may_hold


@dataclass
class ImportResult:
    """What one import did."""

    sender: str
    bundle_seq: int
    manifest_sha256: str
    already_imported: bool = False
    new_events: int = 0
    cases: list[str] = field(default_factory=list)
    receipts: int = 0
    caught_up: bool = False
    """This import ended the catch-up after a restore (see `notify_tui.store.catch_up`)."""
    erased: list[str] = field(default_factory=list)
    """Cases erased here by this import (a certificate it brought, or an event of a case
    erased before): the caller checkpoints the log after the commit
    (`store.erasure.checkpoint`)."""
    kept_under_hold: list[str] = field(default_factory=list)
    """Cases whose certificate this import brought but that a legal hold in force here
    keeps whole until it is lifted."""


def import_bundle(
    vault: Vault, projector: Projector, raw: bundle_format.RawBundle, now: datetime
) -> ImportResult:
    """Check a structurally valid bundle against this vault and apply it, or refuse."""
    db = vault.db
    manifest = raw.manifest
    known = devices(vault)
    sender = check_sender(known, manifest)
    bundle_format.verify_signature(raw, sender.signing_public)
    check_addressed(vault, manifest)
    result = ImportResult(sender.device_id, manifest.bundle_seq, raw.manifest_sha256)
    seen = db.execute(
        "SELECT 1 FROM sync_imported WHERE manifest_sha256 = ?", [raw.manifest_sha256]
    ).fetchone()
    if seen is not None:
        raw.payload  # noqa: B018 - its hash is checked: a tampered copy is not "already held"
        result.already_imported = True
        return result
    stream = bundle_format.open_payload_stream(raw, vault.identity.hpke_key)
    receipts: list[bundle_format.Receipt] = []
    with bulk_work(), vault.foreign_writes(projector) as writer:
        walk = _Walk(vault, known, projector, manifest, writer)
        for number, event, line in stream:
            walk.take(number, event, line)
        walk.end(projector)
        receipts = check_receipts(known, sender, manifest)
        result.receipts = receipt_log.record_receipts(db, sender.device_id, receipts)
        receipt_log.record_arrivals(db, walk.advanced, now)
        receipt_log.record_statement(db, sender.device_id, receipts, raw.manifest_sha256)
        db.execute(
            "INSERT INTO sync_imported (manifest_sha256, sender, seq, imported_at, events) "
            "VALUES (?, ?, ?, ?, ?)",
            [raw.manifest_sha256, sender.device_id, manifest.bundle_seq, now.isoformat(),
             walk.new_count],
        )  # fmt: skip
        answers = manifest.answers
        changed = catch_up.note_answer(
            db, sender.device_id, None if answers is None else answers.manifest_sha256, now
        )
        result.caught_up = changed is not None and changed.caught_up
    result.cases = [case_id for case_id in writer.projected if case_id not in walk.erased]
    result.erased = walk.erased
    result.kept_under_hold = walk.waiting
    result.new_events = walk.new_count
    return result


_RANGES, _CHAINS, _CONTENTS, _AUTHORISED = range(4)
"""The stages whose refusals `_Walk` defers to the end, in the order they are judged."""


@dataclass
class _ChainWalk:
    """Where one chain's walk through the payload stands."""

    device_id: str
    declared: bundle_format.DeviceRange
    device: Device | None
    held_seq: int
    held_id: str | None
    recorded: ChainHead | None
    expected_seq: int
    previous_id: str | None = None
    last: Event | None = None
    head: Event | None = None
    """The last new event: its signature, checked once the chain's ids and links are."""


@dataclass
class _CaseSeen:
    """What was held of a case before this import, looked up when first met."""

    creator: tuple[str, str] | None
    """(id, org) of its held `case.created` event."""
    new: bool
    """No event of it was held: a `case.created` met first is projected in hand."""
    created_here: tuple[str, str] | None = None
    """(id, org) of the `case.created` this bundle brings."""
    fresh: list[str] = field(default_factory=list)
    """Ids of its new events, in payload order."""
    judged: bool = False
    """A new event of it is one `record_rules` judges."""
    erasing: bool = False
    """An erasure certificate of it is held or new, or an erased event of it came."""


class _Walk:
    """Import checks 5 to 8 over the payload, one event at a time, as it streams.

    Every event is checked as it passes: its line (`bundle.parse_event_line`, before
    this), its place in the declared ranges and in its chain (id and `prev` links), the
    chain held here, its signature, its org, and the event rules; a new event that
    passed is handed to the writer. What needs the whole bundle is judged at the `end`:
    each chain's end (its range whole, its head the declared one and its signature checked
    once more), then authorisation and the record. A refusal
    found while streaming is kept (the first of each stage) and raised at the end in the
    order the checks are documented, so the same bundle is refused for the same reason
    whatever else is wrong further on; once one is kept nothing more is written, and the
    raise rolls back what was."""

    def __init__(
        self,
        vault: Vault,
        known: dict[str, Device],
        projector: Projector,
        manifest: bundle_format.Manifest,
        writer: ForeignWriter,
    ) -> None:
        self.vault = vault
        self.known = known
        self.writer = writer
        self.duty_ids = duty_rule_ids(projector)
        self.declared = {entry.device: entry for entry in manifest.ranges}
        self.me = vault.identity.device_id
        self.problems: dict[int, tuple[int, str]] = {}
        self.done: set[str] = set()
        self.chain: _ChainWalk | None = None
        self.cases: dict[str, _CaseSeen] = {}
        self.meta: list[Meta] = []
        """The new events' ids and places, for the checks of the whole bundle."""
        self.advanced: dict[str, int] = {}
        self.new_count = 0
        self.position = 0
        self.sender = manifest.sender.device
        self.stubs: list[tuple[Event, str]] = []
        """Each erased event taken, and where it is in the payload (`end` checks that a
        certificate held vouches for it)."""
        self.held_erased = set(erasure.certificates(vault))
        """Cases with a certificate held before this import."""
        self.erased: list[str] = []
        """Cases erased here by this import (`end`)."""
        self.waiting: list[str] = []
        """Cases with a certificate that a legal hold here keeps whole (`end`)."""

    def refuse(self, stage: int, message: str) -> None:
        """Keep the first refusal of a stage (raised at the end)."""
        if stage not in self.problems:
            self.problems[stage] = (self.position, message)

    def _blocked(self, stage: int) -> bool:
        return any(kept <= stage for kept in self.problems)

    def take(self, number: int, event: Event, line: bytes) -> None:
        """Check one event of the payload and, when new and nothing is refused, write it."""
        self.position = number
        chain = self.chain
        if chain is None or chain.device_id != event.device:
            if chain is not None:
                self._end_chain(chain)
            chain = self.chain = self._start_chain(event.device)
            if chain is None:
                return
        if event.seq != chain.expected_seq:
            self.refuse(_RANGES, self._not_declared(chain))
        elif chain.previous_id is not None and event.prev != chain.previous_id:
            self.refuse(
                _RANGES,
                f"event {event.seq} of device {event.device} does not follow event {event.seq - 1}",
            )
        chain.expected_seq = event.seq + 1
        chain.previous_id = event.id
        chain.last = event
        if self._blocked(_CHAINS) or chain.device is None:
            return
        if self._held_or_fork(chain, event):
            return
        if chain.head is None and not self._starts_new(chain, event):
            return
        chain.head = event
        # Every new event's own signature too, not only the head's: the head's covers
        # the content and order of the events below it (their ids are in its hash), but
        # not their signature text, which is not part of any id. A relay could swap it
        # for garbage; kept, `doctor` would report it for good and a peer would refuse
        # to take it on (docs/bundle-format.md, "Threat model").
        if not event.signature_valid(chain.device.signing_public):
            self.refuse(
                _CHAINS, f"event {event.seq} of device {event.device} is not signed by its key"
            )
            return
        if event.org != chain.device.org:
            self.refuse(
                _CHAINS,
                f"event {event.seq} of device {event.device} claims org {event.org!r}, "
                f"but the device belongs to {chain.device.org}",
            )
            return
        self.new_count += 1
        if signing_device(event.device) != self.me:  # this device's own: held since made
            self.advanced[event.device] = max(self.advanced.get(event.device, 0), event.seq)
        validated: list[tuple[Case, dict[str, Any]]] = []
        if event.erased is not None:
            # No content to check; what is left must keep the rules of a header, and a
            # certificate held or brought here must vouch for it (`end`).
            problem = check_erased(event)
            if problem is not None:
                self.refuse(
                    _CONTENTS,
                    f"event {event.seq} of device {event.device}: {problem} (an erased event)",
                )
            self.stubs.append((event, f"event {event.seq} of device {event.device}"))
        elif not self._blocked(_CONTENTS):
            problem = check_event(
                event,
                relation_of(chain.device, event),
                partnership=event.case.startswith(PARTNERSHIP_PREFIX),
                duty_ids=self.duty_ids,
                keep_case=lambda case, document: validated.append((case, document)),
            )
            if problem is not None:
                self.refuse(
                    _CONTENTS,
                    f"event {event.seq} of device {event.device}: {problem} (type {event.type})",
                )
        if self._blocked(_AUTHORISED):
            return
        self._authorise_alone(chain.device_id, event)
        if self.problems:
            return
        self._write(event, line, validated[0] if validated else None)

    def _start_chain(self, device_id: str) -> _ChainWalk | None:
        if device_id in self.done:
            self.refuse(_RANGES, "payload's events are not sorted by device then seq")
            return None
        self.done.add(device_id)
        declared = self.declared.get(device_id)
        if declared is None:
            self.refuse(_RANGES, "payload's devices differ from the manifest's ranges")
            return None
        device = self.known.get(signing_device(device_id))
        if device is None:
            self.refuse(
                _CHAINS,
                f"bundle holds events of unknown device {signing_device(device_id)}; "
                "add its keys first",
            )
        elif chain_suffix(device_id) is not None and device.role != "office":
            self.refuse(
                _CHAINS,
                f"bundle holds chain {device_id}, but only an office device keeps per-LA chains",
            )
            device = None
        held_seq, held_id = self.vault.held_head(device_id)
        # The recorded head names an event this vault held (and may have lost since): a
        # bundle may bring that one back, never another in its place.
        recorded = self.vault.recorded_head(device_id)
        return _ChainWalk(
            device_id, declared, device, held_seq, held_id, recorded, declared.first_seq
        )

    def _not_declared(self, chain: _ChainWalk) -> str:
        entry = chain.declared
        return (
            f"payload's events of device {chain.device_id} are not seq {entry.first_seq}–"
            f"{entry.last_seq} as declared"
        )

    def _end_chain(self, chain: _ChainWalk) -> None:
        """The chain's last line has passed: its range is whole, its head is the
        declared one, and its head's signature is its device's."""
        if chain.expected_seq != chain.declared.last_seq + 1:
            self.refuse(_RANGES, self._not_declared(chain))
            return
        if chain.last is None or chain.last.id != chain.declared.head:
            self.refuse(
                _RANGES,
                f"payload's chain head of device {chain.device_id} differs from the manifest",
            )
            return
        head = chain.head
        if head is None or chain.device is None or self._blocked(_CHAINS):
            return
        # Every id was recomputed from its line and every `prev` link to the held chain
        # checked: the head's signature covers each new event of the chain.
        if not head.signature_valid(chain.device.signing_public):
            self.refuse(
                _CHAINS, f"event {head.seq} of device {chain.device_id} is not signed by its key"
            )

    def _held_or_fork(self, chain: _ChainWalk, event: Event) -> bool:
        """True for an event already held (after checking it is the held one)."""
        recorded = chain.recorded
        replaces_head = (
            recorded is not None and event.seq == recorded.seq and event.id != recorded.event_id
        )
        if not (replaces_head or event.seq <= chain.held_seq):
            return False
        row = self.vault.db.execute(
            "SELECT id FROM events WHERE device = ? AND seq = ?", [chain.device_id, event.seq]
        ).fetchone()
        if replaces_head or row is None or row[0] != event.id:
            self.refuse(
                _CHAINS,
                f"event {event.seq} of device {chain.device_id} differs from the one held "
                "(a forked chain, e.g. a vault restored from an old backup)",
            )
        return True

    def _starts_new(self, chain: _ChainWalk, event: Event) -> bool:
        """The chain's first new event continues the held chain (else refused)."""
        assert chain.device is not None
        device_id = chain.device_id
        if chain.device.revoked:
            self.refuse(_CHAINS, f"bundle holds new events of revoked device {device_id}")
            return False
        if event.seq != chain.held_seq + 1:
            state = catch_up.load(self.vault.db)
            advice = (
                "this vault was restored from a backup: export to the sender first, so that "
                "its next bundle carries them"
                if state is not None and not state.caught_up
                else "import the earlier bundle first"
            )
            missing = event.seq - 1 == chain.held_seq + 1
            self.refuse(
                _CHAINS,
                f"{_span(chain.held_seq + 1, event.seq - 1)} of device {device_id} "
                f"{'is' if missing else 'are'} missing; {advice}",
            )
            return False
        if event.prev != chain.held_id:
            self.refuse(
                _CHAINS,
                f"event {event.seq} of device {device_id} does not follow the held chain "
                "(a forked chain)",
            )
            return False
        return True

    def _case(self, case_id: str) -> _CaseSeen:
        seen = self.cases.get(case_id)
        if seen is None:
            # Looked up before any event of the case from this bundle is written.
            row = self.vault.db.execute(
                "SELECT id, type, body FROM events WHERE case_id = ? "
                "ORDER BY type = 'case.created' DESC LIMIT 1",
                [case_id],
            ).fetchone()
            creator = None
            if row is not None and row[1] == "case.created":
                creator = (str(row[0]), Event.model_validate_json(row[2]).org)
            seen = self.cases[case_id] = _CaseSeen(creator, new=row is None)
        return seen

    def _authorise_alone(self, device_id: str, event: Event) -> None:
        """The authorisation checks one event allows by itself; creations are kept for
        the end, where every creation in the bundle is known."""
        seen = self._case(event.case)
        seen.fresh.append(event.id)
        seen.judged = seen.judged or (event.type in JUDGED and event.erased is None)
        self.meta.append(
            Meta(device_id, event.seq, event.case, sys.intern(event.type), event.id,
                 event.org)
        )  # fmt: skip

    def _write(self, event: Event, line: bytes, case: tuple[Case, dict[str, Any]] | None) -> None:
        seen = self.cases[event.case]
        self.writer.add(event, line)
        if event.type == "case.created" and seen.created_here is None:
            seen.created_here = (event.id, event.org)
        if event.erased is not None or event.type == ERASE_TYPE or event.case in self.held_erased:
            seen.erasing = True  # nothing of it is projected; `end` erases what is left
        elif seen.new and len(seen.fresh) == 1 and event.type == "case.created":
            self.writer.new_case(event, case)
        else:
            known = seen.creator is not None or seen.created_here is not None
            self.writer.touch(event.case, known)

    def end(self, projector: Projector) -> None:
        """The last chain's end, then every refusal kept, in order; then authorisation
        and the record, which need the whole bundle."""
        if self.chain is not None:
            self._end_chain(self.chain)
        if set(self.done) != set(self.declared) and _RANGES not in self.problems:
            self.refuse(_RANGES, "payload's devices differ from the manifest's ranges")
        for stage in sorted(self.problems):
            raise BundleRefused(self.problems[stage][1])
        self._authorise()
        self.writer.flush()
        self._erase()
        judged = sorted(
            case_id
            for case_id, seen in self.cases.items()
            if seen.judged and case_id not in self.erased
        )
        for case_id in judged:
            fresh = set(self.cases[case_id].fresh)
            everything = {event.id: event for event in self.vault.case_events(case_id)}
            new_events = sorted(
                (event for event in everything.values() if event.id in fresh),
                key=lambda event: (event.device, event.seq),
            )
            judge_case(projector, case_id, everything, new_events)

    def _erase(self) -> None:
        """Every erased event taken is vouched for by its case's certificate, held or
        brought; then each case of the bundle with a certificate is erased here (what
        the bundle brought of it, and what was held)."""
        held = erasure.held_certificates(self.vault)
        for event, where in self.stubs:
            assert event.erased is not None
            problem = vouched(
                event.case, event.erased, event.stub_digest(), signing_device(event.device),
                held, sender=self.sender,
            )  # fmt: skip
            if problem is not None:
                raise BundleRefused(f"{where}: {problem}")
        # The bundle's cases with a certificate, and any a hold kept whole here (a hold
        # a peer lifted may be among this bundle's events).
        touched = [case_id for case_id in self.cases if case_id in held]
        touched += erasure.waiting(self.vault)
        applied = erasure.erase_held(self.vault, touched)
        self.erased = applied.erased
        self.waiting = [case_id for case_id in applied.waiting if case_id in self.cases]
        for case_id in self.waiting:  # kept whole: its new events are folded as any
            self.writer.touch(case_id, True)
        if self.erased:
            erasure.forget_words(self.vault)

    def _authorise(self) -> None:
        """`authorise` the bundle's new events, from what was kept of them."""
        creators = {case_id: seen.creator for case_id, seen in self.cases.items() if seen.creator}
        authorise(self.known, self.meta, creators)


def check_addressed(vault: Vault, manifest: bundle_format.Manifest) -> None:
    """The bundle was made for this device."""
    me = vault.identity.device_id
    if manifest.to != me:
        raise BundleRefused(f"this bundle is for {manifest.to}, not this device ({me})")


def check_receipts(
    known: dict[str, Device], sender: Device, manifest: bundle_format.Manifest
) -> list[bundle_format.Receipt]:
    """The sender's receipts this vault keeps: those about known devices' chains.

    Role rule: an LA's receipts are about chains an LA of its organisation may hold (its
    organisation's LA devices' chains and an office's chain for its organisation); a
    receipt about another chain (the office's own, another LA's) is refused, as is one
    dated after the bundle was made."""
    kept: list[bundle_format.Receipt] = []
    for receipt in manifest.receipts:
        device = known.get(signing_device(receipt.device))
        if device is None:
            continue
        if sender.role == "la" and not may_hold(sender, device, receipt.device):
            raise BundleRefused(
                f"receipt for chain {receipt.device}: role rule: an LA's receipts are about "
                f"its own organisation's chains and the office's chains for it, not "
                f"{device.org}'s"
                + ("" if chain_suffix(receipt.device) is None else " for another LA")
            )
        kept.append(receipt)
    return kept


def relation_of(device: Device, event: Event) -> Relation:
    """Who `device` is to the record `event` is about (see `event_rules.Relation`)."""
    if event.case == VAULT_LOG or event.case.startswith(PARTNERSHIP_PREFIX):
        return "owner"  # its own log entries about no case; the partnership's records
    return "office" if device.role == "office" else "owner"


def duty_rule_ids(projector: Projector) -> frozenset[str]:
    """The duty rule ids of the rule pack (a duty field names one of them); frozen, so
    `event_rules` remembers how it classified each field path (`_classify_known`)."""
    return frozenset(rule.id for rule in projector.pack.rules if rule.kind == "duty")


def check_sender(known: dict[str, Device], manifest: bundle_format.Manifest) -> Device:
    """The manifest's sender is a trusted, unrevoked peer with the org and role it claims."""
    device_id = manifest.sender.device
    sender = known.get(device_id)
    if sender is None:
        raise BundleRefused(
            f"bundle from unknown device {device_id}; add its keys with `notify-tui peers add`"
        )
    if sender.is_self:
        raise BundleRefused("this bundle was made by this device; give it to the peer")
    if sender.revoked:
        raise BundleRefused(f"bundle from revoked device {device_id} (revoked {sender.revoked_at})")
    if (manifest.sender.org, manifest.sender.role) != (sender.org, sender.role):
        raise BundleRefused(
            f"manifest names the sender as {manifest.sender.org} ({manifest.sender.role}) "
            f"but {device_id} is trusted as {sender.org} ({sender.role})"
        )
    return sender


def _span(first: int, last: int) -> str:
    return f"event {first}" if first == last else f"events {first}–{last}"


class Meta(NamedTuple):
    """What authorisation needs of a new event (`authorise`)."""

    device: str
    seq: int
    case: str
    type: str
    id: str
    org: str


def authorise(
    known: dict[str, Device], new_events: Sequence[Meta], creators: dict[str, tuple[str, str]]
) -> None:
    """Each new event's device may write what it writes (see the module docstring),
    given the new events' `Meta` (by device and seq) and the (id, org) of each case's
    held `case.created` (`creators`, completed here with the bundle's creations)."""
    for event in sorted(new_events, key=lambda e: (e.type != "case.created", e.device, e.seq)):
        if event.type != "case.created":
            continue
        device = known[signing_device(event.device)]
        partnership = event.case.startswith(PARTNERSHIP_PREFIX)
        if (device.role == "la") == partnership or chain_suffix(event.device) is not None:
            what = "partnership record" if partnership else "case"
            raise BundleRefused(
                f"event {event.seq} of device {event.device}: an {device.role} device cannot "
                f"create {what} {event.case}"
                + (" on a per-LA chain" if chain_suffix(event.device) is not None else "")
            )
        existing = creators.get(event.case)
        if existing is not None and existing[0] != event.id:
            raise BundleRefused(f"case {event.case} is created twice (by different events)")
        creators[event.case] = (event.id, event.org)
    for event in new_events:
        device = known[signing_device(event.device)]
        where = f"event {event.seq} of device {event.device}"
        if _log_entry_checked(event, where):
            continue
        partnership = event.case.startswith(PARTNERSHIP_PREFIX)
        if device.role == "office":
            if chain_suffix(event.device) is None and not partnership:
                raise BundleRefused(
                    f"{where}: an office device's own chain carries only the partnership's "
                    f"records, not case {event.case}"
                )
            if chain_suffix(event.device) is not None and partnership:
                raise BundleRefused(
                    f"{where}: a per-LA chain may not carry the partnership record {event.case}"
                )
            if partnership:
                continue
        creator = creators.get(event.case)
        if creator is None:
            raise BundleRefused(
                f"{where}: changes case {event.case}, whose creation is not held here"
            )
        if device.role == "office":
            if event.device != office_chain_id(device.device_id, creator[1]):
                raise BundleRefused(
                    f"{where}: the chain {event.device} may not touch case {event.case} "
                    f"of {creator[1]}"
                )
            continue
        if creator[1] != device.org:
            raise BundleRefused(
                f"{where}: {device.org} may not change case {event.case} of {creator[1]}"
            )


def _log_entry_checked(event: Event | Meta, where: str) -> bool:
    """Where an access log, people or hold entry (`domain.people`) may be; True when
    `event` is one about no case (`VAULT_LOG`: nothing more to check), False for any other
    event.

    What such an entry may set is `event_rules`' (checked before); here: a people entry
    is about no case (a hold on `VAULT_LOG` is a hold on everything), `VAULT_LOG` holds
    nothing else, and it is on its device's own chain
    (never an office's chain for an LA)."""
    if event.type == PEOPLE_TYPE:
        if event.case != VAULT_LOG:
            raise BundleRefused(f"{where}: a {event.type} entry is about no case")
    elif event.case == VAULT_LOG and event.type not in NON_STATE_TYPES:
        raise BundleRefused(f"{where}: {VAULT_LOG} holds only access, people and hold entries")
    if event.case != VAULT_LOG:
        return False
    if chain_suffix(event.device) is not None:
        raise BundleRefused(f"{where}: a per-LA chain carries no {VAULT_LOG} entries")
    return True
