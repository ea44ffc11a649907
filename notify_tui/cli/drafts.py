"""Forms being typed in the terminal app, kept in the vault: `drafts list|discard`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from notify_tui.cli.common import NotifyGroup, emit_json, with_session

if TYPE_CHECKING:
    from notify_tui.services.session import Session


@click.group(cls=NotifyGroup)
def drafts() -> None:
    """Drafts: forms started in the terminal app and not yet recorded.

    The app keeps what is typed into a form that records something (a new case, an
    edit, marking a duty sent, a decision...) in the encrypted vault as it is typed, so
    a lock, a quit or a killed app loses nothing. A draft is not a case: it raises no
    duty and is never exported. Open one in the app (`d` on the dashboard).
    """


@drafts.command("list")
@with_session(write=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (no typed values).")
def drafts_list(session: Session, as_json: bool) -> None:
    """List the drafts, the most recently saved first, with how old each is."""
    found = session.drafts.summaries()
    if as_json:
        emit_json(found)
        return
    if not found:
        click.echo("No drafts.")
        return
    for draft in found:
        about = f" · case {draft.case_id}" if draft.case_id else ""
        label = f" · {draft.label}" if draft.label else ""
        click.echo(f"{draft.id}  {draft.title}{about}{label} · saved {draft.age} by {draft.author}")


@drafts.command("discard")
@with_session()
@click.argument("draft_id", metavar="ID")
def drafts_discard(session: Session, draft_id: str) -> None:
    """Delete a draft (what was typed into it is gone; nothing else changes)."""
    session.drafts.discard(draft_id)
    click.echo(f"Discarded draft {draft_id}.")


COMMANDS = (drafts,)
"""The commands this module adds to `notify-tui`."""
