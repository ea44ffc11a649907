"""Subject access requests: everything held about one person, for the data protection
officer (`session.subject_access`).

`export` finds the cases that hold the person (by NHS number or by name,
`domain.subject_access`), and writes one ZIP: each case's record (document, duties,
conflicts) and audit trail (who changed and who looked at it), the request, and the
third parties those cases name, for redaction before anything is disclosed. The ZIP is
encrypted with AES-256 under a password made for it and shown once (`store.aes_zip`);
a plain ZIP only when asked for by name. Each case exported gets an entry in the access
log (`subject_export`). Admins only: it takes a child's whole record out of the vault.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from notify_tui.domain.nhs import is_valid_nhs_number, normalise_nhs_number
from notify_tui.domain.people import Permission
from notify_tui.domain.subject_access import ThirdParty, matching_subjects, third_parties
from notify_tui.errors import InvalidInput, VaultError
from notify_tui.services.context import SessionContext
from notify_tui.services.types import AuditEntry, CaseDetail
from notify_tui.store import retention as store
from notify_tui.store.aes_zip import new_password, write_new_file, zip_bytes
from notify_tui.store.owner import Owner, owned
from notify_tui.store.vault import Identity, Vault


@dataclass(frozen=True)
class SubjectExport:
    """What `export` wrote."""

    path: Path
    cases: tuple[str, ...]
    third_parties: int
    password: str | None
    """The ZIP's password (shown once), or None for a plain ZIP."""


class SubjectAccessContext(SessionContext, Protocol):
    """What the export needs of the `Session` beyond every service's."""

    @property
    def identity(self) -> Identity:
        """This device and its organisation."""
        ...

    @property
    def user_name(self) -> str:
        """Who made the export."""
        ...

    @property
    def writable(self) -> bool:
        """Whether the access log can be written."""
        ...

    def case_detail(self, case_id: str) -> CaseDetail:
        """A case's record, without an access log entry."""
        ...

    def audit(
        self, *, user: str | None = None, case_id: str | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        """A case's audit trail, newest first."""
        ...

    def record_access(self, action: str, case_id: str | None = None, detail: str = "") -> None:
        """An access log entry."""
        ...


class SubjectAccessService:
    """Subject access exports of one unlocked vault."""

    def __init__(self, session: SubjectAccessContext, vault: Vault) -> None:
        self._session = session
        self._vault = vault

    @property
    def owner(self) -> Owner:
        """The session's owner thread: every verb here runs on it."""
        return self._session.owner

    @owned
    def export(
        self, *, nhs: str | None = None, name: str | None = None, to: Path, plain: bool = False
    ) -> SubjectExport:
        """Write everything held about the person with NHS number `nhs`, or named
        `name`, to the new file `to` (refused, nothing written, when no case holds them)."""
        self._session.require(Permission.ADMINISTER, "export everything held about a person")
        if (nhs is None) == (name is None):
            raise InvalidInput("give --nhs NUMBER or --name NAME (one of them)")
        if nhs is not None and not is_valid_nhs_number(nhs):
            raise InvalidInput(
                f"--nhs {nhs}: not an NHS number (10 digits whose check digit matches)"
            )
        if name is not None and not name.split():
            raise InvalidInput("--name: give the person's full name, as the case records it")
        if to.exists() or to.is_symlink():
            raise InvalidInput(f"{to} exists: name a new file (an export never overwrites)")
        if not to.parent.is_dir():
            raise InvalidInput(f"{to.parent}: no such folder")
        if not self._session.writable:
            raise VaultError(
                "an export is recorded in the access log, and this command opened the vault "
                "read-only; run it again while no other notify-tui has the vault open"
            )
        asked = (
            f"the person with NHS number {normalise_nhs_number(nhs)}"
            if nhs is not None
            else f"the person named {' '.join((name or '').split())!r}"
        )
        found: list[tuple[str, list[int]]] = []
        for case_id, document in store.case_documents(self._vault):
            subjects = matching_subjects(document, nhs=nhs, name=name)
            if subjects:
                found.append((case_id, subjects))
        if not found:
            raise InvalidInput(f"no case holds {asked}; nothing was written")
        members: list[tuple[str, bytes]] = []
        listed: list[ThirdParty] = []
        for case_id, subjects in found:
            detail = self._session.case_detail(case_id)
            trail = self._session.audit(case_id=case_id)
            members.append((f"cases/{case_id}/record.json", _json(detail.as_json())))
            members.append(
                (f"cases/{case_id}/audit.json", _json([entry.as_json() for entry in trail]))
            )
            listed += third_parties(case_id, detail.document, subjects)
            listed += _staff(case_id, trail)
        now = self._session.clock.now()
        request = {
            "asked_for": asked,
            "made_at": now.isoformat(),
            "made_by": self._session.user_name,
            "organisation": self._session.identity.org,
            "cases": [case_id for case_id, _ in found],
            "subjects": {case_id: subjects for case_id, subjects in found},
        }
        members = [
            ("README.txt", _readme(request, len(listed)).encode("utf-8")),
            ("request.json", _json(request)),
            ("third-parties.json", _json([party.as_json() for party in listed])),
            ("third-parties.txt", _third_parties_text(listed).encode("utf-8")),
            *members,
        ]
        password = None if plain else new_password()
        try:
            write_new_file(to, zip_bytes(members, password))
        except FileExistsError:
            raise InvalidInput(
                f"{to} exists: name a new file (an export never overwrites)"
            ) from None
        except OSError as error:
            raise InvalidInput(f"could not write {to}: {error.strerror or error}") from None
        try:
            for case_id, _ in found:
                self._session.record_access("subject_export", case_id)
        except BaseException:
            to.unlink(missing_ok=True)  # an export the access log does not show is not kept
            raise
        return SubjectExport(to, tuple(case_id for case_id, _ in found), len(listed), password)


def _staff(case_id: str, trail: Iterable[AuditEntry]) -> list[ThirdParty]:
    """The staff the audit trail names (who recorded or looked), once each."""
    names = sorted({entry.author for entry in trail})
    return [ThirdParty(case_id, "audit", "staff who recorded or looked", name) for name in names]


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def _readme(request: dict[str, Any], third: int) -> str:
    cases = request["cases"]
    return "\n".join(
        [
            "Subject access export (notify-tui)",
            "",
            f"Asked for: {request['asked_for']}",
            f"Made: {request['made_at']} by {request['made_by']} ({request['organisation']})",
            f"Cases: {len(cases)} ({', '.join(cases)})",
            "",
            "cases/<id>/record.json  the case record: facts, decision, duties, office steps",
            "cases/<id>/audit.json   who changed and who looked at the case, and when",
            "request.json            this request, and which subject of each case is the",
            "                        person (subjects: their index in the record)",
            f"third-parties.txt/json  {third} entries to review before disclosure: the other",
            "                        people each case names, its staff, and its free text",
            "",
            "The records hold other people's data. Redact what the law requires before",
            "anything is disclosed. This export is recorded in each case's access log.",
            "",
        ]
    )


def _third_parties_text(listed: Iterable[ThirdParty]) -> str:
    lines = ["Third parties to review before disclosure", ""]
    for party in listed:
        text = " ".join(party.name.split())
        lines.append(f"{party.case_id}  {party.where}  {party.role}: {text}")
    return "\n".join(lines) + "\n"
