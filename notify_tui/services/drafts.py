"""Drafts for the shells: what a person typed into a form, kept until it is recorded.

`session.drafts` is the `DraftService` of an unlocked `Session`. The terminal app saves
a draft as the user types (from a thread worker: every verb runs on the vault's owner
thread) and discards it once the form records what it holds; the CLI lists and discards
them (`notify-tui drafts`). A draft lives in the encrypted vault and is not a case: it
raises no duty, is never exported in a bundle, and says how old it is.

The service does not read a draft's values: they are the form's, as typed (text that
may not yet be a valid date, say). The shell gives each draft a `title` ("New serious
incident") and a `label` that must not hold case data beyond initials.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from notify_tui.domain.dates import ago_in_words
from notify_tui.domain.ids import new_draft_id
from notify_tui.domain.people import Permission
from notify_tui.errors import InvalidInput
from notify_tui.services.context import SessionContext
from notify_tui.store import drafts as store
from notify_tui.store.owner import Owner, owned
from notify_tui.store.vault import Vault

MAX_DRAFT_BYTES = 512 * 1024
"""A draft larger than this (as JSON) is refused: no form holds that much."""

_FORM_ID = re.compile(r"[a-z][a-z_]{0,39}")
_DRAFT_ID = re.compile(r"DR-[0-9A-Z]{8}")


@dataclass(frozen=True)
class DraftSummary:
    """One draft as a list shows it: what form, about which case, how old."""

    id: str
    form: str
    """The form it was typed into (`new_case`, `edit_case`, `mark_sent`, ...)."""
    title: str
    """What the form records, in words ("New serious incident", "Mark sent: ...")."""
    label: str
    """A short reminder without case data beyond initials ("child A.B.")."""
    case_id: str | None
    """The case a draft of an action or an edit is about; None for a new case."""
    author: str
    created_at: str
    """When the draft was first saved (ISO, UTC)."""
    updated_at: str
    """When it was last saved (ISO, UTC)."""
    age: str
    """How long ago it was last saved, in words ("3 minutes ago")."""

    def as_json(self) -> dict[str, object]:
        """The draft as `drafts list --json` prints it (no values)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Draft:
    """A draft with what was typed: enough for the shell to reopen its form as it was."""

    summary: DraftSummary
    context: Mapping[str, Any]
    """What the form needs to be reopened (the case kind, the duty, ...)."""
    values: Mapping[str, Any]
    """What was typed, field by field, as the form keeps it."""
    revision: int
    """Increases with every save of the same draft."""

    @property
    def id(self) -> str:
        """The draft's id."""
        return self.summary.id


class DraftService:
    """The drafts of one unlocked vault (`session.drafts`)."""

    def __init__(self, session: SessionContext, vault: Vault) -> None:
        self._session = session
        self._vault = vault

    @property
    def owner(self) -> Owner:
        """The session's owner thread: every verb here runs on it."""
        return self._session.owner

    @staticmethod
    def new_id() -> str:
        """An id for a draft about to be saved for the first time."""
        return new_draft_id()

    @owned
    def save(
        self,
        draft_id: str,
        *,
        form: str,
        title: str,
        label: str = "",
        case_id: str | None = None,
        context: Mapping[str, Any] | None = None,
        values: Mapping[str, Any],
        revision: int,
    ) -> bool:
        """Keep what a form holds; False when a newer revision is already kept.

        Drafts are of forms that record something: a viewer keeps none."""
        self._session.require(Permission.RECORD, "keep drafts")
        if not _DRAFT_ID.fullmatch(draft_id):
            raise InvalidInput(f"{draft_id}: not a draft id (DR- and 8 characters)")
        if not _FORM_ID.fullmatch(form):
            raise InvalidInput(f"{form}: not a form name")
        if revision < 1:
            raise InvalidInput("revision: must be 1 or more")
        body = {"context": dict(context or {}), "values": dict(values)}
        try:
            size = len(json.dumps(body, ensure_ascii=False).encode())
        except (TypeError, ValueError):
            raise InvalidInput("a draft holds text, numbers, yes/no and lists only") from None
        if size > MAX_DRAFT_BYTES:
            raise InvalidInput(f"the draft is too large ({size} bytes); nothing was kept")
        return store.save_draft(
            self._vault,
            draft_id=draft_id,
            form=form,
            title=_one_line(title, 200),
            label=_one_line(label, 200),
            case_id=case_id,
            body=body,
            revision=revision,
            now=self._session.clock.now(),
        )

    @owned
    def summaries(self) -> list[DraftSummary]:
        """Every draft, the most recently saved first."""
        return [self._summary(row) for row in store.list_drafts(self._vault)]

    @owned
    def count(self) -> int:
        """How many drafts the vault holds."""
        return store.count_drafts(self._vault)

    @owned
    def get(self, draft_id: str) -> Draft:
        """One draft with its values (refused when there is no such draft)."""
        row = store.get_draft(self._vault, draft_id)
        if row is None:
            raise InvalidInput(f"no draft {draft_id}: see `notify-tui drafts list`")
        context = row.body.get("context")
        values = row.body.get("values")
        return Draft(
            summary=self._summary(row),
            context=context if isinstance(context, dict) else {},
            values=values if isinstance(values, dict) else {},
            revision=row.revision,
        )

    @owned
    def discard(self, draft_id: str) -> None:
        """Delete a draft (refused when there is no such draft)."""
        if not store.delete_draft(self._vault, draft_id):
            raise InvalidInput(f"no draft {draft_id}: see `notify-tui drafts list`")

    @owned
    def forget(self, draft_id: str) -> None:
        """Delete a draft if there is one (a form recorded what it held)."""
        store.delete_draft(self._vault, draft_id)

    def _summary(self, row: store.DraftRow) -> DraftSummary:
        return DraftSummary(
            id=row.id,
            form=row.form,
            title=row.title,
            label=row.label,
            case_id=row.case_id,
            author=row.author,
            created_at=row.created_at.isoformat(),
            updated_at=row.updated_at.isoformat(),
            age=ago_in_words(row.updated_at, self._session.clock.now()),
        )


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
