"""Fold a case's events into its current state, whatever order they arrived in.

Each field of a case is a multi-value register. An event's change to a field names
the ids of the values it replaces; the field's *heads* are the changes no other change
replaces. One head is the field's value. Two or more heads are a **conflict**: every
value is kept and shown, the case document uses the most recent one (by time, then
id, so every replica picks the same), and a person resolves it with a change that
replaces all the heads. The result depends only on the set of events, never on their
order or on duplicates, so replicas holding the same events agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from notify_tui.domain.erasure import ERASE_TYPE
from notify_tui.domain.people import NON_STATE_TYPES

LEAF_OBJECTS = frozenset({"decision"})
"""Fields stored whole: their parts only make sense together."""


class FoldChange(Protocol):
    """What the fold needs of a change."""

    @property
    def field(self) -> str: ...
    @property
    def value(self) -> Any: ...
    @property
    def replaces(self) -> list[str]: ...


class FoldEvent(Protocol):
    """What the fold needs of an event."""

    @property
    def id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def author(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def org(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def changes(self) -> Sequence[FoldChange]: ...


@dataclass(frozen=True)
class FieldValue:
    """One value a field holds, with the event that set it."""

    value: Any
    event_id: str
    at: datetime
    author: str
    device: str


@dataclass
class FieldState:
    """A field's heads: one value, or several in conflict."""

    heads: list[FieldValue]

    @property
    def value(self) -> Any:
        """The value the case document uses (the most recent head)."""
        return self.heads[-1].value

    @property
    def in_conflict(self) -> bool:
        """Two or more values replaced the same value without seeing each other."""
        return len(self.heads) > 1

    @property
    def head_ids(self) -> list[str]:
        """Event ids an edit of this field must name as replaced."""
        return [head.event_id for head in self.heads]


@dataclass
class CaseState:
    """The folded state of one case."""

    case_id: str
    org: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    fields: dict[str, FieldState] = field(default_factory=dict)

    def value(self, path: str, default: Any = None) -> Any:
        """A field's value, or `default` when unset."""
        state = self.fields.get(path)
        return default if state is None else state.value

    @property
    def conflicts(self) -> dict[str, FieldState]:
        """Fields holding more than one value."""
        return {path: state for path, state in self.fields.items() if state.in_conflict}

    def document(self, prefix: str = "") -> dict[str, Any]:
        """The nested document of the fields under `prefix` (all fields by default)."""
        values = {
            path[len(prefix) :]: state.value
            for path, state in self.fields.items()
            if path.startswith(prefix) and state.value is not None
        }
        return unflatten(values)


def fold_case(case_id: str, events: Iterable[FoldEvent]) -> CaseState:
    """Fold one case's events (any order, duplicates allowed) into its state.

    The access log and changes to the users (`people.NON_STATE_TYPES`) change no case
    and are left out, as is an erasure certificate (`domain.erasure`: a case kept whole
    under a legal hold, its certificate waiting, folds as it was)."""
    unique = {
        event.id: event
        for event in events
        if event.type not in NON_STATE_TYPES and event.type != ERASE_TYPE
    }
    if not unique:
        raise ValueError("a case needs at least one event")
    ordered = sorted(unique.values(), key=lambda event: (event.at, event.id))
    created = next((e for e in ordered if e.type == "case.created"), ordered[0])
    replaced: dict[str, set[str]] = {}
    setters: dict[str, list[tuple[FoldEvent, FoldChange]]] = {}
    for event in ordered:
        for change in event.changes:
            setters.setdefault(change.field, []).append((event, change))
            replaced.setdefault(change.field, set()).update(change.replaces)
    fields: dict[str, FieldState] = {}
    for path in sorted(setters):
        gone = replaced[path]
        heads = [
            FieldValue(change.value, event.id, event.at, event.author, event.device)
            for event, change in setters[path]
            if event.id not in gone
        ]
        if heads:
            fields[path] = FieldState(heads)
    return CaseState(
        case_id=case_id,
        org=created.org,
        created_at=created.at,
        created_by=created.author,
        updated_at=ordered[-1].at,
        fields=fields,
    )


def flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted field paths of a case document; lists of objects are indexed."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and path not in LEAF_OBJECTS:
            flat.update(flatten(value, f"{path}."))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for index, item in enumerate(value):
                flat.update(flatten(item, f"{path}.{index}."))
        else:
            flat[path] = value
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `flatten`: numeric path parts become list positions."""
    root: dict[str, Any] = {}
    for path, value in flat.items():
        parts = path.split(".")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    result: dict[str, Any] = _lists(root)
    return result


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


def is_fact_field(path: str) -> bool:
    """A field of the case document (not a decision, duty record or office step)."""
    return path != "decision" and not path.startswith(("duties.", "office."))
