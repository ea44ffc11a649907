"""The duty record through the real CLI: refusals in one line with exit 2 and an
unchanged `case show --json`, a late send's reason, corrections, and the two-person
withdrawal between an LA vault and its business office's vault.

Today is frozen on Monday 23 November 2026. The serious incident: aware Mon 2 Nov 2026
-> Panel notification due 5 working days later, Mon 9 Nov (3, 4, 5, 6, 9); sent Thu
12 Nov is 3 working days late (10, 11, 12). November 2026 has no bank holiday.
"""

from __future__ import annotations

import json
from pathlib import Path

import factories
import pytest
from click.testing import CliRunner, Result

from notify_tui.cli import cli

PASSPHRASE = "a long test passphrase"
PANEL = "panel-notification"
CDOP = "cdop-notification"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NOTIFY_TUI_TODAY", "2026-11-23")


def run(home: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, [*args, "--home", str(home)], input=stdin)


def ok(home: Path, *args: str, stdin: str | None = None) -> str:
    result = run(home, *args, stdin=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def refused(home: Path, case_id: str, *args: str) -> str:
    """A command that must exit 2 with one line, leaving `case show --json` unchanged."""
    before = ok(home, "case", "show", case_id, "--json")
    result = run(home, *args)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert ok(home, "case", "show", case_id, "--json") == before
    return result.output


def new_vault(home: Path, *init: str) -> Path:
    ok(home, "init", *init)
    return home


def add_case(home: Path, document: dict[str, object]) -> str:
    return ok(home, "case", "add", "-", stdin=json.dumps(document)).strip()


def incident() -> dict[str, object]:
    return factories.case(
        "serious_incident",
        facts={
            "outcome": "seriously_harmed",
            "abuse_or_neglect": "known",
            "event_date": "2026-11-01",
            "aware_date": "2026-11-02",
        },
        case_outline="SYNTHETIC TEST CASE",
    )


def child_death() -> dict[str, object]:
    """No abuse or neglect: a CDOP notification (due Wed 18 Nov), no Panel duty."""
    return factories.case(
        "child_death",
        facts={"abuse_or_neglect": "none", "event_date": "2026-11-16", "aware_date": "2026-11-17"},
        case_outline="SYNTHETIC TEST CASE",
    )


@pytest.fixture
def la(tmp_path: Path) -> Path:
    return new_vault(tmp_path / "la", "--la", "Testshire Council", "--user", "A. Lead")


def duty(home: Path, case_id: str, duty_id: str) -> dict[str, object]:
    shown = json.loads(ok(home, "case", "show", case_id, "--json"))
    return next(d for d in shown["duties"] if d["duty"] == duty_id)


def test_acknowledging_before_sending_is_refused(la: Path) -> None:
    case_id = add_case(la, incident())
    output = refused(la, case_id, "duty", "ack", case_id, PANEL, "--date", "2026-11-20")
    assert "is not marked sent" in output


def test_an_acknowledgement_before_the_sent_date_is_refused(la: Path) -> None:
    case_id = add_case(la, incident())
    ok(la, "duty", "sent", case_id, PANEL, "--date", "2026-11-06")
    output = refused(la, case_id, "duty", "ack", case_id, PANEL, "--date", "2026-11-05")
    assert "is before panel-notification was sent (6 Nov 2026)" in output


def test_do_not_notify_after_the_panel_was_sent_is_refused(la: Path) -> None:
    case_id = add_case(la, incident())
    ok(la, "duty", "sent", case_id, PANEL, "--date", "2026-11-06", "--reference", "P-1")
    output = refused(
        la, case_id, "decide", case_id, "--no-notify", "--rationale", "Threshold not met after all."
    )
    assert "was sent on 6 Nov 2026" in output
    assert f"notify-tui duty correct {case_id} panel-notification --undo sent" in output


def test_marking_sent_twice_is_refused(la: Path) -> None:
    case_id = add_case(la, incident())
    ok(la, "duty", "sent", case_id, PANEL, "--date", "2026-11-06")
    output = refused(la, case_id, "duty", "sent", case_id, PANEL, "--date", "2026-11-09")
    assert "already marked sent on 6 Nov 2026" in output


def test_deciding_on_a_child_death_without_a_panel_duty_is_refused(la: Path) -> None:
    case_id = add_case(la, child_death())
    output = refused(
        la, case_id, "decide", case_id, "--no-notify", "--rationale", "No abuse or neglect at all."
    )
    assert "the facts raise no Panel notification" in output
    shown = ok(la, "case", "show", case_id)
    assert "NOT notify" not in shown
    assert "Threshold decision: none needed" in shown


def test_a_send_three_working_days_late_asks_for_and_shows_its_reason(la: Path) -> None:
    case_id = add_case(la, incident())
    output = refused(la, case_id, "duty", "sent", case_id, PANEL, "--date", "2026-11-12")
    assert output == (
        "error: panel-notification was due 9 Nov 2026; sent 12 Nov 2026 is 3 working days "
        "late: add --late-reason TEXT saying why it was sent late\n"
    )
    reason = "The lead was on leave and the cover did not see the referral."
    ok(la, "duty", "sent", case_id, PANEL, "--date", "2026-11-12", "--late-reason", reason)
    shown = ok(la, "case", "show", case_id)
    line = next(text for text in shown.splitlines() if text.strip().startswith(PANEL))
    assert f"sent 2026-11-12 · 3 working days late: {reason}" in line
    # Written down on Mon 23 Nov: 13, 16-20, 23 are 7 working days after the 12th.
    assert "recorded late: stated 12 Nov 2026, recorded 23 Nov 2026" in line
    panel = duty(la, case_id, PANEL)
    assert (panel["late"], panel["late_reason"], panel["working_days_late"]) == (True, reason, 3)
    assert (panel["sent_recorded_on"], panel["recorded_late"]) == ("2026-11-23", True)


def test_a_correction_keeps_the_old_record_visible(la: Path) -> None:
    case_id = add_case(la, incident())
    ok(la, "duty", "sent", case_id, PANEL, "--date", "2026-11-06", "--reference", "P-1")
    output = ok(
        la, "duty", "correct", case_id, PANEL, "--undo", "sent",
        "--reason", "Recorded on the wrong case by mistake.",
    )  # fmt: skip
    assert output == "Corrected panel-notification: the sent record is undone.\n"
    shown = ok(la, "case", "show", case_id)
    assert (
        "corrected: sent 6 Nov 2026 recorded in error — Recorded on the wrong case by "
        "mistake. (A. Lead, 23 Nov 2026)"
    ) in shown
    assert duty(la, case_id, PANEL)["status"] == "open"
    refused(
        la, case_id, "duty", "correct", case_id, PANEL, "--undo", "sent",
        "--reason", "Nothing is left to undo now.",
    )  # fmt: skip
    refused(
        la, case_id, "duty", "correct", case_id, PANEL, "--undo", "received", "--reason", "x" * 12
    )


def test_a_late_reason_added_afterwards(la: Path) -> None:
    case_id = add_case(la, incident())
    ok(la, "duty", "sent", case_id, PANEL, "--date", "2026-11-06")
    output = refused(
        la, case_id, "duty", "late-reason", case_id, PANEL, "--reason", "It was sent in time."
    )
    assert "it was not late" in output


def test_two_person_withdrawal_between_the_la_and_the_office(la: Path, tmp_path: Path) -> None:
    office = new_vault(
        tmp_path / "office", "--name", "Test Partnership", "--role", "office", "--user", "B. Office"
    )
    ok(la, "keys", "export", "--to", str(tmp_path / "la.json"))
    ok(office, "keys", "export", "--to", str(tmp_path / "office.json"))
    for home, keys in ((la, "office.json"), (office, "la.json")):
        fingerprint = json.loads((tmp_path / keys).read_text())["fingerprint"]
        ok(home, "peers", "add", str(tmp_path / keys), "--fingerprint", fingerprint)
    case_id = add_case(la, child_death())

    asked = ok(
        la, "duty", "withdraw", case_id, CDOP, "--reason", "The child lived in another area."
    )
    assert "stays open (still owed) until the business office confirms" in asked
    cdop = duty(la, case_id, CDOP)
    assert (cdop["status"], cdop["withdrawal_pending"]) == (
        "open",
        "The child lived in another area.",
    )
    assert "withdrawal awaiting office confirmation (asked by A. Lead" in ok(
        la, "case", "show", case_id
    )
    output = refused(la, case_id, "duty", "confirm-withdrawal", case_id, CDOP)
    assert "confirmed by the business office" in output

    (tmp_path / "to-office").mkdir()
    ok(la, "export", "--to", str(tmp_path / "to-office"))
    ok(office, "import", "--from", str(tmp_path / "to-office"))
    assert ok(office, "duty", "confirm-withdrawal", case_id, CDOP) == (
        "Confirmed the withdrawal of cdop-notification.\n"
    )
    assert duty(office, case_id, CDOP)["status"] == "withdrawn"
    refused(office, case_id, "duty", "confirm-withdrawal", case_id, CDOP)

    (tmp_path / "to-la").mkdir()
    ok(office, "export", "--to", str(tmp_path / "to-la"))
    ok(la, "import", "--from", str(tmp_path / "to-la"))
    cdop = duty(la, case_id, CDOP)
    assert (cdop["status"], cdop["withdrawal_confirmed_by"]) == ("withdrawn", "B. Office")
    assert (
        "withdrawn (asked by A. Lead, confirmed by B. Office): The child lived in another area."
    ) in ok(la, "case", "show", case_id)
