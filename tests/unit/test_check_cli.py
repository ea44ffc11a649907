"""`notify-tui check` run as a real process: output shapes, due dates and one-line refusals.

"Today" is frozen with NOTIFY_TUI_TODAY. Expected dates were worked out by hand from a
printed calendar and the gov.uk bank holidays in England; the reasoning sits beside them.
All data is synthetic.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import factories
import pytest

TODAY = "2026-11-23"

# A looked-after 13-year-old died with abuse suspected; the Panel was notified Tue 9 May 2023.
LAC_DEATH: dict[str, Any] = factories.facts(
    "child_death",
    date_of_birth="2010-01-20",
    outcome="died",
    event_date="2023-05-04",
    aware_date="2023-05-05",
    abuse_or_neglect="suspected",
    abuse_kinds=["neglect"],
    location="in_area",
    looked_after=True,
    panel_notified_date="2023-05-09",
)
# aware Fri 5 May 2023; Mon 8 May coronation bank holiday:
#   panel and LAC: Tue 9, Wed 10, Thu 11, Fri 12, Mon 15 -> Mon 15 May 2023
#   CDOP (1 working day): Tue 9 May 2023
# notified Tue 9 May 2023; rapid review 15 working days: 10, 11, 12 (3), 15-19 (8),
#   22-26 (13), Mon 29 May spring bank holiday skipped, Tue 30, Wed 31 (15) -> Wed 31 May 2023
LAC_DEATH_DUE = {
    "panel-notification": "2023-05-15",
    "lac-death-notification": "2023-05-15",
    "cdop-notification": "2023-05-09",
    "rapid-review": "2023-05-31",
}
LAC_DEATH_READABLE_DUE = {
    "panel-notification": r"Mon 15 May 2023",
    "lac-death-notification": r"Mon 15 May 2023",
    "cdop-notification": r"Tue 0?9 May 2023",
    "rapid-review": r"Wed 31 May 2023",
}


def check(
    tmp_path: Path,
    *args: str,
    stdin: str | None = None,
    today: str = TODAY,
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("NOTIFY_TUI_DEBUG", "NOTIFY_TUI_PASSPHRASE")
    }
    env["NOTIFY_TUI_TODAY"] = today
    env["NOTIFY_TUI_HOME"] = str(tmp_path / "home")
    return subprocess.run(
        [sys.executable, "-m", "notify_tui", "check", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )


def write(tmp_path: Path, document: Any, name: str = "facts.json") -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def test_json_output_shape_and_due_dates(tmp_path: Path) -> None:
    result = check(tmp_path, "--json", write(tmp_path, LAC_DEATH))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    output = json.loads(result.stdout)
    assert {"rulepack", "duties", "advisories"} <= set(output)
    assert output["rulepack"] == "england-2025.2"
    assert output["advisories"] == []
    for duty in output["duties"]:
        assert {"id", "recipients", "due", "reasons"} <= set(duty)
        assert isinstance(duty["recipients"], list) and duty["recipients"]
        assert all(isinstance(reason, str) for reason in duty["reasons"]) and duty["reasons"]
    assert {duty["id"]: duty["due"] for duty in output["duties"]} == LAC_DEATH_DUE


def test_reads_facts_from_stdin(tmp_path: Path) -> None:
    # A 10-year-old seriously harmed, abuse known, in the area; Panel not yet notified.
    facts = factories.facts(
        "serious_incident",
        date_of_birth="2012-02-03",
        outcome="seriously_harmed",
        event_date="2022-12-05",
        aware_date="2022-12-07",
        abuse_or_neglect="known",
        location="in_area",
    )
    result = check(tmp_path, "--json", "-", stdin=json.dumps(facts))
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    # aware Wed 7 Dec 2022 -> Thu 8, Fri 9, Mon 12, Tue 13, Wed 14 -> Wed 14 Dec 2022;
    # the rapid review waits for the notification date.
    assert {duty["id"]: duty["due"] for duty in output["duties"]} == {
        "panel-notification": "2022-12-14",
        "rapid-review": None,
    }
    assert len(output["advisories"]) == 1
    assert "rapid review" in output["advisories"][0]


def test_a_setting_moves_a_due_date_and_a_closure_day_does_not(tmp_path: Path) -> None:
    # A 9-year-old died, no abuse suspected; aware Thu 14 Apr 2022.
    facts = factories.facts(
        "child_death",
        date_of_birth="2012-11-05",
        outcome="died",
        event_date="2022-04-13",
        aware_date="2022-04-14",
        abuse_or_neglect="none",
        location="in_area",
    )
    result = check(
        tmp_path,
        "--json",
        "--setting",
        "cdop_working_days=2",
        "--closure",
        "2022-04-19",
        write(tmp_path, facts),
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    # Fri 15 Good Friday, Mon 18 Easter Monday: Tue 19 (1), Wed 20 (2) -> Wed 20 Apr 2022.
    # The local closure on Tue 19 does not count: the CDOP deadline is statutory, counted
    # in national working days (it would be Thu 21 if the closure moved it).
    assert {duty["id"]: (duty["due"], duty["clock"]) for duty in output["duties"]} == {
        "cdop-notification": ("2022-04-20", "national")
    }


def test_readable_output_names_each_duty_and_due_date(tmp_path: Path) -> None:
    result = check(tmp_path, write(tmp_path, LAC_DEATH))
    assert result.returncode == 0, result.stderr
    assert "england-2025.2" in result.stdout
    blocks = {block.split(":", 1)[0]: block for block in result.stdout.split("\n\n")}
    for duty_id, due in LAC_DEATH_READABLE_DUE.items():
        assert duty_id in blocks, result.stdout
        assert re.search(due, blocks[duty_id]), blocks[duty_id]
    # Today (Mon 23 Nov 2026) is long past every due date: the words say so, not only colour.
    assert "OVERDUE" in blocks["panel-notification"]


def test_readable_output_when_no_duty_arises(tmp_path: Path) -> None:
    facts = {**LAC_DEATH, "outcome": "other", "looked_after": False}
    del facts["panel_notified_date"]
    result = check(tmp_path, write(tmp_path, facts))
    assert result.returncode == 0, result.stderr
    assert "No statutory notification duty" in result.stdout


def _without(key: str) -> dict[str, Any]:
    return {k: v for k, v in LAC_DEATH.items() if k != key}


BAD_DOCUMENTS: list[tuple[str, Any, list[str], str]] = [
    # (test id, file content (str is written as is), extra arguments, text the error names)
    ("missing-key", _without("outcome"), [], "outcome"),
    ("missing-date", _without("aware_date"), [], "aware_date"),
    ("bool-wrong-type", {**LAC_DEATH, "normally_resident_in_area": "perhaps"}, [],
     "normally_resident_in_area"),
    ("list-wrong-type", {**LAC_DEATH, "abuse_kinds": "neglect"}, [], "abuse_kinds"),
    ("date-wrong-type", {**LAC_DEATH, "event_date": True}, [], "event_date"),
    ("impossible-date", {**LAC_DEATH, "event_date": "2023-02-30"}, [], "event_date"),
    ("impossible-date-april", {**LAC_DEATH, "aware_date": "2023-04-31"}, [], "aware_date"),
    ("unknown-enum", {**LAC_DEATH, "location": "scotland"}, [], "location"),
    ("unknown-enum-outcome", {**LAC_DEATH, "outcome": "dead"}, [], "outcome"),
    ("unknown-key", {**LAC_DEATH, "colour": "red"}, [], "colour"),
    # Tue 24 Nov 2026 is the day after the frozen today
    ("future-date", {**LAC_DEATH, "panel_notified_date": "2026-11-24"}, [],
     "panel_notified_date"),
    ("not-json", "{this is not json", [], "not valid JSON"),
    ("empty-file", "", [], "not valid JSON"),
    ("json-list", json.dumps([LAC_DEATH]), [], "document"),
    ("json-string", json.dumps("facts"), [], "document"),
    ("unknown-setting", LAC_DEATH, ["--setting", "no_such_setting=1"], "no_such_setting"),
    ("setting-out-of-range", LAC_DEATH, ["--setting", "cdop_working_days=9"],
     "cdop_working_days"),
    ("bad-closure", LAC_DEATH, ["--closure", "2023-13-01"], "--closure"),
]  # fmt: skip


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], names: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert names in lines[0], lines[0]


@pytest.mark.parametrize(
    ("document", "extra", "names"),
    [pytest.param(doc, extra, names, id=case_id) for case_id, doc, extra, names in BAD_DOCUMENTS],
)
def test_bad_document_is_one_line_on_stderr(
    tmp_path: Path, document: Any, extra: list[str], names: str
) -> None:
    path = write(tmp_path, document)
    result = check(tmp_path, *extra, path)
    assert_one_line_refusal(result, names)
    if "JSON" in names:
        assert "facts.json" in result.stderr


def test_missing_file(tmp_path: Path) -> None:
    result = check(tmp_path, str(tmp_path / "absent.json"))
    assert_one_line_refusal(result, "absent.json")


def test_bad_json_on_stdin(tmp_path: Path) -> None:
    result = check(tmp_path, "-", stdin='{"outcome": ')
    assert_one_line_refusal(result, "not valid JSON")


def test_bad_frozen_today(tmp_path: Path) -> None:
    result = check(tmp_path, write(tmp_path, LAC_DEATH), today="23/11/2026")
    assert_one_line_refusal(result, "NOTIFY_TUI_TODAY")


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    result = check(tmp_path, write(tmp_path, "[" * 100_000))
    assert_one_line_refusal(result, "JSON")


# A care leaver born 10 May 2004 (14 on 10 May 2018, 16 on 10 May 2020), accommodated
# 1 Jun 2018 - 1 Aug 2020, died Sun 1 Nov 2026 aged 22; no care_leaver boolean given.
CARE_PERIODS_DEATH: dict[str, Any] = factories.facts(
    "care_leaver_death",
    date_of_birth="2004-05-10",
    outcome="died",
    event_date="2026-11-01",
    aware_date="2026-11-02",
    abuse_or_neglect="none",
    location="in_area",
    care_leaver=...,
    care_periods=[{"start": "2018-06-01", "end": "2020-08-01", "basis": "accommodated"}],
)


def test_care_periods_work_out_the_status(tmp_path: Path) -> None:
    result = check(tmp_path, "--json", write(tmp_path, CARE_PERIODS_DEATH))
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    # aware Mon 2 Nov 2026: Tue 3, Wed 4, Thu 5, Fri 6, Mon 9 -> Mon 9 Nov 2026
    assert {duty["id"]: duty["due"] for duty in output["duties"]} == {
        "care-leaver-death-notification": "2026-11-09"
    }
    text = check(tmp_path, write(tmp_path, CARE_PERIODS_DEATH))
    assert "because:    looked after 1 Jun 2018 – 1 Aug 2020 (accommodated): 13 weeks" in (
        text.stdout
    )


def test_care_leaver_false_overrides_the_periods_with_a_note(tmp_path: Path) -> None:
    facts = {**CARE_PERIODS_DEATH, "care_leaver": False}
    result = check(tmp_path, write(tmp_path, facts))
    assert result.returncode == 0, result.stderr
    assert "No statutory notification duty arises from these facts." in result.stdout
    assert (
        "Note: The care periods given make the subject a care leaver on the event date, but "
        "care_leaver is false: check the record"
    ) in result.stdout


def test_a_care_period_ending_before_it_starts_is_refused(tmp_path: Path) -> None:
    facts = {
        **CARE_PERIODS_DEATH,
        "care_periods": [{"start": "2020-08-01", "end": "2018-06-01", "basis": "care_order"}],
    }
    result = check(tmp_path, write(tmp_path, facts))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.strip().endswith(
        "care_periods.0.end: a care period cannot end before it starts"
    )
