"""Erasing a case, by two people, with a certificate (`session.erasure`; issue 18).

`erase` refuses, in one line and changing nothing, unless: this vault is the LA that
created the case; the case is not erased yet; no legal hold is in force on it; it is
due under the retention schedule, or it duplicates another case of this LA (named);
the reason is a sentence; and a second person confirms there and then with their own
passphrase, the two being an admin and a lead (or two admins). It then writes the
erasure certificate (`domain.erasure`) and, in the same transaction, erases the case's
events and rows (`store.erasure`); after the commit, search's index is merged and the
write-ahead log checkpointed and truncated, so no page keeps what was erased.

`erased` says what a certificate says of a case (for `case show`, at either end), and
which peers' receipts show their copy erased too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

from pydantic import ValidationError

from notify_tui.domain.erasure import (
    ERASE_FIELD,
    ERASE_TYPE,
    MAX_ERASE_REASON,
    MIN_ERASE_REASON,
    ErasureRecord,
)
from notify_tui.domain.people import Permission, display_name
from notify_tui.domain.retention import day_words
from notify_tui.errors import InvalidInput, NotPermitted
from notify_tui.services.context import SessionContext
from notify_tui.services.retention import RetentionService, reason_text
from notify_tui.store import erasure as store
from notify_tui.store import queries
from notify_tui.store.events import Change, Event
from notify_tui.store.owner import Owner, owned
from notify_tui.store.vault import Identity, Vault


@dataclass(frozen=True)
class Confirmation:
    """The peer devices whose receipts show they took the certificate in (and so erased
    their copy: an import that takes a certificate erases in the same transaction)."""

    device: str
    org: str
    role: str
    received_at: str | None


@dataclass(frozen=True)
class ErasureView:
    """What the certificate of an erased case says, and who has confirmed it."""

    case_id: str
    certificate: str
    erased_at: datetime
    org: str
    record: ErasureRecord
    confirmations: tuple[Confirmation, ...]
    erased_here: int
    """Events of the case held here as erasure leaves them."""
    kept_under: str | None = None
    """A legal hold in force here that keeps the case whole, in words (the erasure
    waits for it to be lifted); None once erased here."""
    scrubbed: bool = True
    """False when another program reading the vault kept its write-ahead log from being
    emptied after the erasure (`store.erasure.checkpoint`): run `case erase` again once
    it has closed."""

    def words(self) -> str:
        """One line: "erased on 8 Dec 2026, certificate 1a2b3c4d5e6f"."""
        return f"erased on {day_words(self.erased_at.date())}, certificate {self.certificate[:12]}"

    def ground_words(self) -> str:
        """Why it could be erased."""
        record = self.record
        if record.ground == "duplicate":
            return f"a duplicate of case {record.duplicate_of}"
        if record.due_on is None:
            return f"its retention period ran out: {record.rule}"
        due = day_words(date.fromisoformat(record.due_on))
        return f"its retention period ran out on {due}: {record.rule}"

    def as_json(self) -> dict[str, Any]:
        """A plain document for `--json`."""
        return {
            "id": self.case_id,
            "erased": True,
            "erased_at": self.erased_at.isoformat(),
            "certificate": self.certificate,
            "org": self.org,
            **self.record.model_dump(mode="json"),
            "erased_here": self.erased_here,
            "kept_under_hold": self.kept_under,
            "log_emptied": self.scrubbed,
            "confirmed_by_peers": [
                {
                    "device": c.device,
                    "org": c.org,
                    "role": c.role,
                    "received_at": c.received_at,
                }
                for c in self.confirmations
            ],
        }


class ErasureContext(SessionContext, Protocol):
    """What erasure needs of the `Session` beyond every service's."""

    @property
    def identity(self) -> Identity:
        """This device."""
        ...

    @property
    def user_name(self) -> str:
        """Who erases."""
        ...

    @property
    def user_role(self) -> str | None:
        """Their role."""
        ...

    @property
    def writable(self) -> bool:
        """Whether the vault may be written."""
        ...

    def second_person(self, name: str, passphrase: str, action: str) -> tuple[str, str]:
        """Check a second user there and then; their name and role."""
        ...

    def record_events(self, entries: list[tuple[str, str, list[Change]]]) -> list[Event]:
        """Record events from this device (held to a peer's rules)."""
        ...


class ErasureService:
    """Erasure of the cases of one unlocked vault."""

    def __init__(self, session: ErasureContext, vault: Vault, retention: RetentionService) -> None:
        self._session = session
        self._vault = vault
        self._retention = retention

    @property
    def owner(self) -> Owner:
        """The session's owner thread: every verb here runs on it."""
        return self._session.owner

    @owned
    def erased(self, case_id: str) -> ErasureView | None:
        """What the certificate of `case_id` says, or None when it is not erased."""
        held = store.certificates(self._vault, case_id).get(case_id)
        if not held:
            return None
        certificate = held[0]
        holds = (
            self._retention.holds_on(case_id) if store.left_to_erase(self._vault, case_id) else []
        )
        return ErasureView(
            case_id=case_id,
            certificate=certificate.id,
            erased_at=certificate.at,
            org=certificate.org,
            record=store.record_of(certificate),
            confirmations=tuple(self._confirmations(certificate)),
            erased_here=store.erased_count(self._vault, case_id),
            kept_under=holds[0].words() if holds else None,
        )

    @owned
    def trail(self, case_id: str) -> list[tuple[datetime, str, str, bool]]:
        """What the audit trail of an erased case still says: (when, who, type of step,
        whether its content was erased), oldest first."""
        return [
            (event.at, event.author, event.type, event.erased is not None)
            for event in self._vault.case_events(case_id)
        ]

    def _confirmations(self, certificate: Event) -> list[Confirmation]:
        return [
            Confirmation(device, org, role, received_at)
            for device, org, role, received_at in store.peers_holding(
                self._vault, certificate.device, certificate.seq
            )
            if device != self._session.identity.device_id
        ]

    @owned
    def erase(
        self,
        case_id: str,
        *,
        reason: str,
        confirm_user: str,
        confirm_passphrase: str,
        duplicate_of: str | None = None,
    ) -> ErasureView:
        """Erase `case_id` (see the module docstring); return what the certificate says."""
        self._session.require(Permission.CONFIRM, "erase a case")
        identity = self._session.identity
        if identity.role != "la":
            raise InvalidInput(
                "the business office does not erase an LA's case: its copy is erased when the "
                "LA's erasure certificate arrives in a bundle"
            )
        already = self.erased(case_id)
        if already is not None:
            return self._finish(already)
        row = queries.case_row(self._vault, case_id)
        if row is None:
            raise InvalidInput(f"no case {case_id}: check the id with `notify-tui case list`")
        if case_id.startswith("AR-"):
            raise InvalidInput(
                f"{case_id} is the partnership's yearly report record: it holds no person's "
                "data and is never erased"
            )
        if row["org"] != identity.org:
            raise InvalidInput(f"case {case_id} is {row['org']}'s: only {row['org']} erases it")
        reason = _reason(reason)
        holds = self._retention.holds_on(case_id)
        if holds:
            raise InvalidInput(
                f"case {case_id} cannot be erased: {holds[0].words()}; nothing was erased "
                "(lift the hold with `notify-tui hold remove` once the order allows)"
            )
        ground = self._ground(case_id, row, duplicate_of)
        second, second_role = self._session.second_person(
            confirm_user, confirm_passphrase, "confirm an erasure"
        )
        roles = {self._session.user_role, second_role}
        if "admin" not in roles:
            raise NotPermitted(
                f"erasing a case takes an admin and a lead: {self._session.user_name} and "
                f"{display_name(second)} are not an admin; ask an admin to confirm"
            )
        if not self._session.writable:
            raise InvalidInput(
                "this vault is open read-only (another notify-tui holds it); close it and "
                "try again: nothing was erased"
            )
        entries = store.case_stub_digests(self._vault, case_id)
        try:
            record = ErasureRecord.model_validate(
                {
                    **ground,
                    "reason": reason,
                    "by": self._session.user_name,
                    "confirmed_by": second,
                    "events": len(entries),
                    "entries": entries,
                }
            )
        except ValidationError as error:
            raise InvalidInput(f"erasure: {error.errors()[0]['msg']}") from None
        problem = record.consistent()
        if problem is not None:
            raise InvalidInput(problem)
        change = Change(field=ERASE_FIELD, value=record.model_dump(mode="json", exclude_none=True))
        self._session.record_events([(case_id, ERASE_TYPE, [change])])
        scrubbed = store.scrub(self._vault)
        view = self.erased(case_id)
        assert view is not None
        return replace(view, scrubbed=scrubbed)

    def _ground(
        self, case_id: str, row: dict[str, Any], duplicate_of: str | None
    ) -> dict[str, Any]:
        """The certificate's ground: a duplicate (checked), or the retention period run."""
        if duplicate_of is not None:
            duplicate_of = duplicate_of.strip()
            if duplicate_of == case_id:
                raise InvalidInput("--duplicate-of: name the case kept, not the one erased")
            kept = queries.case_row(self._vault, duplicate_of)
            if kept is None:
                raise InvalidInput(
                    f"--duplicate-of: no case {duplicate_of} (erased, or never held); name the "
                    "case kept"
                )
            if kept["org"] != row["org"] or kept["kind"] != row["kind"]:
                raise InvalidInput(
                    f"--duplicate-of: case {duplicate_of} is not a case of the same kind and "
                    f"organisation as {case_id}, so {case_id} cannot be its duplicate"
                )
            return {"ground": "duplicate", "duplicate_of": duplicate_of}
        for item in self._retention.due(every_case=True):
            if item.case_id != case_id:
                continue
            if item.status != "due" or item.due_on is None:
                raise InvalidInput(
                    f"case {case_id} is not due for erasure ({item.why}); a duplicate is "
                    "erased with --duplicate-of CASE"
                )
            reference = f"{item.rule.words()} ({item.rule.reference})"
            return {
                "ground": "retention",
                "rule": reference[:400],
                "due_on": item.due_on.isoformat(),
            }
        raise InvalidInput(
            f"case {case_id} is under no retention rule (no kind set); a duplicate is erased "
            "with --duplicate-of CASE"
        )

    def _finish(self, view: ErasureView) -> ErasureView:
        """Erase what an interrupted erasure left (its certificate is held), or refuse."""
        if view.kept_under is not None:
            raise InvalidInput(
                f"case {view.case_id} was {view.words()}, but here it is kept whole while "
                f"{view.kept_under}; it is erased here when that hold is lifted"
            )
        if not store.left_to_erase(self._vault, view.case_id):
            emptied = self._session.writable and store.scrub(self._vault)
            raise InvalidInput(
                f"case {view.case_id} is already {view.words()}; nothing is left to erase"
                + (" (and the vault's log is emptied)" if emptied else "")
            )
        if not self._session.writable:
            raise InvalidInput(
                "this vault is open read-only (another notify-tui holds it); close it and "
                "try again: nothing was erased"
            )
        store.finish(self._vault, [view.case_id])
        scrubbed = store.scrub(self._vault)
        finished = self.erased(view.case_id)
        assert finished is not None
        return replace(finished, scrubbed=scrubbed)

    @owned
    def after_lift(self) -> list[str]:
        """Erase here what a certificate held asked for and a hold kept whole, now that
        no hold covers it (`RetentionService.lift` calls this); the cases erased."""
        waiting = store.waiting(self._vault)
        if not waiting:
            return []
        applied = store.finish(self._vault, waiting)
        if applied.erased:
            store.scrub(self._vault)
        return applied.erased


def _reason(reason: str) -> str:
    return reason_text(
        reason, MIN_ERASE_REASON, MAX_ERASE_REASON, "in at least {n} characters (the "
        "schedule's line, the duplicate's story), never what the case held"
    )  # fmt: skip
