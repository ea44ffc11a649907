"""Messages that cross screens, and the path a screen's worker failure takes to the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker, WorkerState

from notify_tui.services.drafts import Draft


@dataclass
class SessionLocked(Message):
    """The vault was locked (idle or on request); every screen showing data must go."""


def report_failure(node: DOMNode, event: Worker.StateChanged) -> None:
    """Hand a failed worker of `node` to the app's one failure handler.

    `Worker.StateChanged` does not bubble, so the screen that started the worker
    receives it; the screen puts its form back and passes the failure on with this.
    """
    if event.state is WorkerState.ERROR:
        node.app.post_message(Worker.StateChanged(event.worker, event.state))


@dataclass
class OpenDraft(Message):
    """Open a draft's form again, as it was (the app knows every form)."""

    draft: Draft
