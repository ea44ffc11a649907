"""The fold: field registers, conflicts kept, and order independence."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from factories import FoldChange, FoldEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from notify_tui.domain.fold import flatten, fold_case, unflatten

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


C = FoldChange
E = FoldEvent


def created() -> E:
    return E("e0", T0, [C("incident.place", "Ward 1"), C("case_outline", "x")], "case.created")


def test_a_later_edit_replaces_the_value() -> None:
    edit = E("e1", T0 + timedelta(hours=1), [C("incident.place", "Ward 2", ["e0"])])
    state = fold_case("SI-1", [created(), edit])
    assert state.value("incident.place") == "Ward 2"
    assert state.conflicts == {}


def test_two_edits_of_the_same_value_are_a_conflict_with_both_kept() -> None:
    a = E("ea", T0 + timedelta(hours=1), [C("incident.place", "Ward 2", ["e0"])], device="dev-a")
    b = E("eb", T0 + timedelta(hours=2), [C("incident.place", "Ward 3", ["e0"])], device="dev-b")
    state = fold_case("SI-1", [created(), a, b])
    conflict = state.conflicts["incident.place"]
    assert sorted(head.value for head in conflict.heads) == ["Ward 2", "Ward 3"]
    # The document shows the most recent (by time) until a person resolves it.
    assert state.value("incident.place") == "Ward 3"
    resolution = E("er", T0 + timedelta(hours=3), [C("incident.place", "Ward 2", ["ea", "eb"])])
    resolved = fold_case("SI-1", [created(), a, b, resolution])
    assert resolved.conflicts == {} and resolved.value("incident.place") == "Ward 2"


def test_an_edit_that_saw_only_one_side_leaves_the_conflict_open() -> None:
    a = E("ea", T0 + timedelta(hours=1), [C("incident.place", "Ward 2", ["e0"])])
    b = E("eb", T0 + timedelta(hours=2), [C("incident.place", "Ward 3", ["e0"])])
    over_a = E("ec", T0 + timedelta(hours=3), [C("incident.place", "Ward 4", ["ea"])])
    state = fold_case("SI-1", [created(), a, b, over_a])
    assert sorted(h.value for h in state.conflicts["incident.place"].heads) == ["Ward 3", "Ward 4"]


def test_other_fields_are_unaffected_by_a_conflict() -> None:
    a = E("ea", T0 + timedelta(hours=1), [C("incident.place", "A", ["e0"])])
    b = E("eb", T0 + timedelta(hours=2), [C("incident.place", "B", ["e0"])])
    state = fold_case("SI-1", [created(), a, b])
    assert state.value("case_outline") == "x"
    assert list(state.conflicts) == ["incident.place"]


def test_flatten_and_unflatten_round_trip_with_subject_lists() -> None:
    document = {
        "kind": "serious_incident",
        "subjects": [
            {"given_names": "Ada", "legal_status": {"looked_after": True}},
            {"given_names": "Bram", "legal_status": {}},
        ],
        "incident": {"abuse_kinds": ["physical", "neglect"], "outcome": "died"},
        "decision": {"notify": True, "rationale": "kept whole"},
    }
    flat = flatten(document)
    assert flat["subjects.1.given_names"] == "Bram"
    assert flat["incident.abuse_kinds"] == ["physical", "neglect"]
    assert flat["decision"] == {"notify": True, "rationale": "kept whole"}
    document["subjects"][1].pop("legal_status")  # an empty object leaves no field
    assert unflatten(flat) == document


edits = st.lists(
    st.tuples(st.sampled_from(["incident.place", "case_outline", "notifier.name"]), st.text()),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(edits=edits, seed=st.integers(0, 2**32), duplicates=st.integers(0, 3))
def test_fold_ignores_order_and_duplicates(
    edits: list[tuple[str, str]], seed: int, duplicates: int
) -> None:
    rng = random.Random(seed)
    events = [created()]
    for number, (path, value) in enumerate(edits, start=1):
        # Each edit replaces a random subset of the events so far: chains and forks.
        seen = [e.id for e in events if any(c.field == path for c in e.changes)]
        replaces = rng.sample(seen, rng.randint(0, len(seen)))
        events.append(E(f"e{number}", T0 + timedelta(minutes=rng.randint(0, 50)), [
            C(path, value, replaces)
        ]))  # fmt: skip
    reference = fold_case("SI-1", events)
    shuffled = events + rng.choices(events, k=duplicates)
    rng.shuffle(shuffled)
    again = fold_case("SI-1", shuffled)
    assert again.fields.keys() == reference.fields.keys()
    for path in reference.fields:
        assert again.fields[path].head_ids == reference.fields[path].head_ids
        assert again.value(path) == reference.value(path)
