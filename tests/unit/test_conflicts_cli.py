"""`conflicts` asks in words and numbers the values; `resolve --choose N` keeps one.

The issue's example, made the way it happens: an LA marks its CDOP notification sent,
the office and the LA each record the acknowledgement (18 and 19 Nov 2026) without
seeing the other's, and the bundles cross. All data is synthetic.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from bundle_support import (
    PASSPHRASE,
    TODAY,
    case_document,
    exchange,
    make_session,
    trust_each_other,
)
from click.testing import CliRunner, Result

from notify_tui.cli import cli

ACK = "duties.cdop-notification.acknowledged"


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())


@pytest.fixture
def crossed(tmp_path: Path) -> Iterator[tuple[dict[str, str], str]]:
    """An LA vault holding a conflict on its CDOP notification's acknowledgement, and
    a second conflict on a fact (the place) made as two unseen edits."""
    la = make_session(tmp_path / "la", "Testshire Council (test)", author="A. Lead")
    office = make_session(tmp_path / "office", "Testshire CSP Office (test)", "office", "B. Office")
    trust_each_other([la, office], tmp_path / "keys")
    case_id = la.create_case(case_document(3, "child_death"))
    la.mark_sent(
        case_id,
        "cdop-notification",
        date(2026, 11, 18),
        "NOTIF-123",
        late_reason="The death was reported to the LA by post.",
    )
    exchange(la, office, tmp_path / "first")
    office.acknowledge(case_id, "cdop-notification", date(2026, 11, 18))
    la.acknowledge(case_id, "cdop-notification", date(2026, 11, 19))
    exchange(la, office, tmp_path / "second")
    la.close()
    office.close()
    yield {"NOTIFY_TUI_HOME": str(tmp_path / "la"), "NOTIFY_TUI_PASSPHRASE": PASSPHRASE}, case_id


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def shown_json(env: dict[str, str], case_id: str) -> dict[str, object]:
    result = run(env, "case", "show", case_id, "--json")
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.output)
    return document


def test_conflicts_are_questions_with_numbered_values(crossed) -> None:
    env, case_id = crossed
    result = run(env, "conflicts")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{case_id}  CDOP notification acknowledgement ({ACK})",
        "  Acknowledged on 18 Nov 2026 (B. Office) or 19 Nov 2026 (A. Lead)?",
        "  1. 18 Nov 2026 (B. Office)  2. 19 Nov 2026 (A. Lead)",
        f"  resolve: notify-tui resolve {case_id} {ACK} --choose N",
    ]


def test_conflicts_json_keeps_the_values_and_adds_the_words(crossed) -> None:
    env, case_id = crossed
    result = run(env, "conflicts", "--json")
    assert result.exit_code == 0, result.output
    [conflict] = json.loads(result.output)
    assert conflict["case_id"] == case_id and conflict["field"] == ACK
    assert conflict["label"] == "CDOP notification acknowledgement"
    assert conflict["question"] == (
        "Acknowledged on 18 Nov 2026 (B. Office) or 19 Nov 2026 (A. Lead)?"
    )
    assert [(v["number"], v["value"], v["by"], v["words"]) for v in conflict["values"]] == [
        (1, {"date": "2026-11-18", "by": "B. Office"}, "B. Office", "18 Nov 2026 (B. Office)"),
        (2, {"date": "2026-11-19", "by": "A. Lead"}, "A. Lead", "19 Nov 2026 (A. Lead)"),
    ]


def test_case_list_marks_the_case_and_case_show_asks_the_question(crossed) -> None:
    env, case_id = crossed
    listed = run(env, "case", "list")
    assert listed.exit_code == 0, listed.output
    [row] = [line for line in listed.output.splitlines() if line.startswith(case_id)]
    assert row.endswith("  ⚠ conflict")
    shown = run(env, "case", "show", case_id)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    at = lines.index(f"Conflicts (resolve with `notify-tui resolve {case_id} FIELD --choose N`)")
    assert lines[at + 1 : at + 4] == [
        f"  CDOP notification acknowledgement ({ACK})",
        "    Acknowledged on 18 Nov 2026 (B. Office) or 19 Nov 2026 (A. Lead)?",
        "    1. 18 Nov 2026 (B. Office)  2. 19 Nov 2026 (A. Lead)",
    ]
    trail = lines[lines.index("Audit trail") + 1 :]
    assert [line.split("  ", 2)[2].rsplit(" (device ", 1)[0] for line in trail] == [
        "A. Lead created the case (child death, 1 child)",
        "A. Lead marked the CDOP notification sent on 18 Nov 2026, reference NOTIF-123",
        "B. Office recorded the CDOP notification acknowledged on 18 Nov 2026",
        "A. Lead recorded the CDOP notification acknowledged on 19 Nov 2026",
    ]


def test_resolve_choose_2_keeps_the_second_value(crossed) -> None:
    env, case_id = crossed
    result = run(env, "resolve", case_id, ACK, "--choose", "2")
    assert result.exit_code == 0, result.output
    assert result.output == f"Resolved {ACK}.\n"
    document = shown_json(env, case_id)
    assert document["conflicts"] == []
    [duty] = [d for d in document["duties"] if d["duty"] == "cdop-notification"]
    assert duty["acknowledged_on"] == "2026-11-19"
    assert document["audit"][-1]["summary"] == (
        "A. Lead resolved a conflict on the CDOP notification acknowledgement: "
        "acknowledged on 19 Nov 2026"
    )
    assert run(env, "conflicts").output == "No conflicts.\n"
    listed = run(env, "case", "list").output
    assert "conflict" not in listed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--choose", "3"],
            f"error: --choose 3: {ACK} holds 2 values; choose 1 or 2 (see `notify-tui conflicts`)",
        ),
        (
            ["--choose", "0"],
            "error: --choose 0: give the number of a value, 1 or more (see `notify-tui conflicts`)",
        ),
        (
            ["--choose", "two"],
            "error: --choose two: give the number of a value, 1 or more "
            "(see `notify-tui conflicts`)",
        ),
        ([], "error: give VALUE or --choose N: exactly one of them"),
        (
            ['{"date": "2026-11-19", "by": "A. Lead"}', "--choose", "2"],
            "error: give VALUE or --choose N: exactly one of them",
        ),
    ],
)
def test_a_bad_choice_is_refused_in_one_line_and_changes_nothing(
    crossed, args: list[str], message: str
) -> None:
    env, case_id = crossed
    before = shown_json(env, case_id)
    result = run(env, "resolve", case_id, ACK, *args)
    assert result.exit_code == 2
    assert result.output == message + "\n"
    assert shown_json(env, case_id) == before


def test_choose_on_a_field_without_a_conflict_is_refused(crossed) -> None:
    env, case_id = crossed
    before = shown_json(env, case_id)
    result = run(env, "resolve", case_id, "incident.place", "--choose", "1")
    assert result.exit_code == 2
    assert result.output == f"error: incident.place: no conflict on this field of case {case_id}\n"
    assert shown_json(env, case_id) == before


def test_a_value_still_resolves_a_fact_to_any_valid_value(tmp_path: Path) -> None:
    """VALUE works as before for facts; --choose works for them too."""
    la = make_session(tmp_path / "la", "Testshire Council (test)", author="A. Lead")
    first = la.create_case(case_document(3, "child_death"))
    second = la.create_case(case_document(5, "child_death"))
    for case_id in (first, second):
        la.record_unseen_edits(case_id, "incident.place", ["Ward 3 (test)", "Ward 5 (test)"])
    la.close()
    env = {"NOTIFY_TUI_HOME": str(tmp_path / "la"), "NOTIFY_TUI_PASSPHRASE": PASSPHRASE}
    listing = json.loads(run(env, "conflicts", "--json").output)
    [values] = [c["values"] for c in listing if c["case_id"] == second]
    assert {v["words"] for v in values} == {
        "'Ward 3 (test)' (A. Lead)",
        "'Ward 5 (test)' (A. Lead)",
    }
    assert run(env, "resolve", first, "incident.place", "Ward 4 (test)").exit_code == 0
    assert shown_json(env, first)["document"]["incident"]["place"] == "Ward 4 (test)"
    assert run(env, "resolve", second, "incident.place", "--choose", "1").exit_code == 0
    after = shown_json(env, second)
    assert after["conflicts"] == []
    assert after["document"]["incident"]["place"] == values[0]["value"]
    assert after["audit"][-1]["summary"] == "A. Lead resolved a conflict on Place"
