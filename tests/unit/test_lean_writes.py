"""Issue 19's lean writes give what the longer way gave (hand-worked documents)."""

from __future__ import annotations

import gc
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from notify_tui.demo.synthetic import synthetic_cases
from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.fold import flatten, unflatten
from notify_tui.domain.models import validate_case
from notify_tui.errors import InvalidInput
from notify_tui.services.session import Session
from notify_tui.store.bulk import bulk_work
from notify_tui.store.events import Change, canonical_json, stdlib_canonical_json, trusted_change
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner
from notify_tui.store.projection import flattened_and_settled, settled_document

DOCUMENTS: list[dict[str, Any]] = [
    {"kind": "child_death", "incident": {}, "case_outline": "x"},
    {"subjects": [{}, {"given_names": "Ann"}, {}], "tags": []},
    {"subjects": [{}, {}], "decision": {}, "incident": {"a": {"b": {}}}},
    {"decision": {"notify": True, "rationale": "r", "extra": {}}, "list": [1, {"a": 1}]},
    {"subjects": [{"legal_status": {"looked_after": False}, "names": ["A", "B"]}]},
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_settled_document_is_the_fold_round_trip(document: dict[str, Any]) -> None:
    """Empty objects vanish, empty lists stay, a list of objects keeps its non-empty
    items, and `decision` stays whole: exactly what unflatten(flatten()) rebuilds."""
    assert settled_document(document) == unflatten(flatten(document))


@pytest.mark.parametrize("document", DOCUMENTS)
def test_flattened_and_settled_is_both_walks(document: dict[str, Any]) -> None:
    """One walk gives flatten's paths and values, in its order, and the settled document."""
    flat, settled = flattened_and_settled(document)
    assert list(flat.items()) == list(flatten(document).items())
    assert settled == settled_document(document)


def test_flattened_and_settled_on_seeded_cases() -> None:
    """The same on every shape of seeded case, as create_cases dumps them."""
    today = date(2026, 11, 23)
    for document in synthetic_cases(200, today, WorkingDayCalendar(), seed=19):
        dump = validate_case(document, today).model_dump(mode="json", exclude_none=True)
        flat, settled = flattened_and_settled(dump)
        assert list(flat.items()) == list(flatten(dump).items())
        assert settled == settled_document(dump) == unflatten(flat)


def test_settled_document_by_hand() -> None:
    """The second document worked by hand: the two empty subjects go, [] stays."""
    assert settled_document(DOCUMENTS[1]) == {"subjects": [{"given_names": "Ann"}], "tags": []}


VALUES: list[Any] = [
    {"b": 1, "a": [True, None, 'é\u2028\n\t\x01"\\'], "c": {"z": -(2**63), "y": 2**64 - 1}},
    ["\U0001f600", "<>&'", "\x7f"],
    {"big": 2**70},  # beyond orjson: the standard library writes it
]


@pytest.mark.parametrize("value", VALUES)
def test_canonical_json_matches_the_standard_library(value: Any) -> None:
    """orjson's sorted compact bytes equal json.dumps(sort_keys, compact, no ASCII)."""
    assert canonical_json(value) == stdlib_canonical_json(value)
    assert json.loads(canonical_json(value)) == value


def test_canonical_json_by_hand() -> None:
    """Keys sorted, no spaces, non-ASCII as UTF-8, control characters escaped."""
    assert canonical_json({"b": "é", "a": "\x01\n"}) == b'{"a":"\\u0001\\n","b":"\xc3\xa9"}'


def test_bulk_work_restores_the_collector_even_on_error() -> None:
    """The collector is off inside, on again after, though the block raised."""
    assert gc.isenabled()
    with pytest.raises(RuntimeError), bulk_work():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_an_own_change_with_a_path_no_peer_accepts_is_never_written(tmp_path: Path) -> None:
    """Changes built without validation (a new case's) are still held to the event
    schema's field paths: nothing is written, and the chain stays sendable."""
    session, _ = Session.init(
        tmp_path / "v", "a long test passphrase", org="Testshire (test)", role="la",
        author="Ann Lead (fictional)", kdf=ARGON2_FLOOR, owner=InlineOwner(),
    )  # fmt: skip
    bad = Change.model_construct(field="Not A Valid.Path", value="x", replaces=[])
    with pytest.raises(InvalidInput, match="not a field path an event may set"):
        session._record([("SI-TEST0001", "case.edited", [bad])])
    assert session.audit() == []


def test_a_trusted_change_is_what_model_construct_builds() -> None:
    """Same fields, same fields set, same dump, equal, and frozen like any change."""
    built = Change.model_construct(field="subjects.0.given_names", value=["A"], replaces=[])
    trusted = trusted_change("subjects.0.given_names", ["A"])
    assert trusted == built
    assert trusted.model_fields_set == built.model_fields_set
    assert trusted.model_dump(mode="json") == built.model_dump(mode="json")
    assert trusted.model_dump(exclude_unset=True) == built.model_dump(exclude_unset=True)
    with pytest.raises(ValidationError):
        trusted.field = "case_outline"  # type: ignore[misc]
