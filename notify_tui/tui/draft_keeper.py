"""Keep what a form holds as a draft in the vault while it is typed.

Every screen or dialog that records something has a `DraftKeeper`. Each change restarts
a short timer; when typing pauses, a thread worker writes the form's values to the vault
(`session.drafts.save`, queued to the vault's owner thread), so a keystroke never waits
for the disk. `flush` writes at once (the app calls it before it locks, quits or hangs
up), `forget` deletes the draft once the form has recorded what it held, and `dirty`
says whether the form holds anything its empty (or prefilled) self did not.

Each write carries a revision one higher than the last; the store keeps the newest, so a
slow background write never replaces a later one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from notify_tui.errors import NotifyError
from notify_tui.services.drafts import Draft
from notify_tui.services.session import Session

DEBOUNCE_SECONDS = 0.3
"""How long typing must pause before the draft is written."""


@dataclass(frozen=True)
class DraftSpec:
    """What a form's draft is: which form, about which case, and how to reopen it."""

    session: Session
    form: str
    """The form's name (`new_case`, `mark_sent`, ...): how the app knows how to reopen it."""
    title: str
    """What the form records, in words (shown in the drafts list)."""
    case_id: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    """What reopening the form needs besides the values (the duty, the case kind)."""
    resume: Draft | None = None
    """The draft to put back into the form, when it is reopened from one."""


class DraftSaved(Message):
    """A draft of this screen's form was written to the vault (posted from the worker)."""


class DraftKeeper:
    """The draft of one form: saved as it is typed, flushed on demand, forgotten once
    recorded."""

    def __init__(
        self,
        screen: Screen[Any],
        spec: DraftSpec,
        values: Callable[[], dict[str, Any]],
        label: Callable[[Mapping[str, Any]], str] | None = None,
    ) -> None:
        self.screen = screen
        self.spec = spec
        self._values = values
        self._label = label
        resume = spec.resume
        self.draft_id: str | None = resume.id if resume is not None else None
        self.revision = resume.revision if resume is not None else 0
        self.pristine: dict[str, Any] | None = None
        self._timer: Timer | None = None
        self._last_written: dict[str, Any] | None = (
            dict(resume.values) if resume is not None else None
        )

    # -- state ---------------------------------------------------------------------

    def start(self, pristine: dict[str, Any] | None = None) -> None:
        """Take the form's untouched state: `pristine`, or its values now (call before
        restoring a draft into it)."""
        self.pristine = dict(pristine) if pristine is not None else self._values()

    @property
    def dirty(self) -> bool:
        """Whether the form holds anything its untouched state did not."""
        return self.pristine is not None and self._values() != self.pristine

    # -- writing -------------------------------------------------------------------

    def changed(self) -> None:
        """A field changed: write the draft once typing pauses."""
        if self.pristine is None:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.screen.set_timer(DEBOUNCE_SECONDS, self._write_soon, name="draft")

    def _next(self) -> tuple[str, int, dict[str, Any]]:
        if self.draft_id is None:
            self.draft_id = self.spec.session.drafts.new_id()
        self.revision += 1
        return self.draft_id, self.revision, self._values()

    def _write_soon(self) -> None:
        self._timer = None
        if not self.dirty and self.draft_id is None:
            return  # nothing typed yet: no draft
        draft_id, revision, values = self._next()
        if values == self._last_written:
            return
        self._last_written = values
        self.screen.run_worker(
            lambda: self._write(draft_id, revision, values),
            name="draft",
            group="draft",
            thread=True,
            exit_on_error=False,
        )

    def _write(self, draft_id: str, revision: int, values: dict[str, Any]) -> None:
        try:
            self._save(draft_id, revision, values)
        except NotifyError:
            return  # locked meanwhile: the lock flushed the draft first
        self.screen.post_message(DraftSaved())

    def _save(self, draft_id: str, revision: int, values: dict[str, Any]) -> None:
        self.spec.session.drafts.save(
            draft_id,
            form=self.spec.form,
            title=self.spec.title,
            label=self._label(values) if self._label is not None else "",
            case_id=self.spec.case_id,
            context=self.spec.context,
            values=values,
            revision=revision,
        )

    def flush(self) -> str | None:
        """Write the draft now (when the form holds anything); its id, or None."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not self.dirty:
            self.forget()  # back to its untouched state: nothing to keep
            return None
        draft_id, revision, values = self._next()
        self._save(draft_id, revision, values)
        self._last_written = values
        return draft_id

    def forget(self) -> None:
        """Delete the draft (the form recorded what it held, or it was discarded)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.pristine = None  # no later change writes it again
        if self.draft_id is None:
            return
        draft_id, self.draft_id = self.draft_id, None
        # Locked meanwhile: the draft stays listed, which loses nothing.
        with suppress(NotifyError):
            self.spec.session.drafts.forget(draft_id)
