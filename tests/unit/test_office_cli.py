"""The office commands and the report formats, through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import factories
import kdf_stub
import pytest
from office_support import deliver as deliver_bundle
from office_support import office_for
from vault_support import copy_vault

from notify_tui.services.session import Session
from notify_tui.store.owner import InlineOwner

PASSPHRASE = "a long test passphrase"


def run(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NOTIFY_TUI_HOME": str(home),
        "NOTIFY_TUI_PASSPHRASE": PASSPHRASE,
        "NOTIFY_TUI_TODAY": "2026-11-23",
    }
    # The CLI with the suite's cheap KDF (test_kdf_seam.py runs it with the real one).
    return subprocess.run(
        [sys.executable, str(kdf_stub.SCRIPT), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A vault with one overdue serious incident, made once per module."""
    home = tmp_path_factory.mktemp("la") / "vault"
    assert run(home, "init", "--la", "Testshire", "--user", "Test Lead").returncode == 0
    document = factories.case(
        "serious_incident",
        subjects=[
            {
                "given_names": "Quin",
                "family_name": "Nameless-Sentinel",
                "date_of_birth": "2021-02-03",
            }
        ],
        facts={
            "date_of_birth": "2021-02-03",
            "outcome": "seriously_harmed",
            "event_date": "2026-11-02",
            "aware_date": "2026-11-02",
            "abuse_or_neglect": "known",
        },
        case_outline="SYNTHETIC TEST CASE",
    )
    added = run(home, "case", "add", "-", stdin=json.dumps(document))
    assert added.returncode == 0, added.stderr
    (home / "case-id").write_text(added.stdout.strip())
    # Its business office, which records the office steps; the case reaches it in the
    # LA's first bundle (set up in process: the CLI's sync commands have their own tests).
    office = home.parent / "office"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NOTIFY_TUI_TODAY", "2026-11-23")
        la = Session.unlock(home, passphrase=PASSPHRASE, owner=InlineOwner())
        with la, office_for(la, office, author="Test Officer") as desk:
            deliver_bundle(la, desk, home.parent / "bundles")
    (office / "case-id").write_text(added.stdout.strip())
    return home


def deliver(sender: Path, receiver: Path) -> None:
    """A bundle from `sender` imported by `receiver`, through the CLI."""
    folder = sender.parent / "bundles"
    folder.mkdir(exist_ok=True)
    exported = run(sender, "export", "--to", str(folder))
    assert exported.returncode == 0, exported.stderr
    imported = run(receiver, "import", *exported.stdout.split())
    assert imported.returncode == 0, imported.stderr


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    """A copy of the template for one test, so no test sees another's writes."""
    return copy_vault(template, tmp_path / "vault")


@pytest.fixture
def office(template: Path, home: Path, tmp_path: Path) -> Path:
    """A copy of the template's office (it trusts `home`'s copy, the same keys)."""
    return copy_vault(template.parent / "office", tmp_path / "office")


def test_deadline_digest_has_ids_and_duties_but_no_names(home: Path) -> None:
    # Aware Mon 2 Nov -> Panel due Mon 9 Nov; today Mon 23 Nov: 10 working days overdue.
    result = run(home, "deadlines", "--format", "md")
    assert result.returncode == 0, result.stderr
    case_id = (home / "case-id").read_text()
    assert f"| {case_id} | panel-notification | 2026-11-09 | -10 | OVERDUE |" in result.stdout
    assert "Nameless" not in result.stdout and "Quin" not in result.stdout


def test_an_la_records_no_office_step(home: Path) -> None:
    case_id = (home / "case-id").read_text()
    refused = run(home, "office", "step", case_id, "rapid_review.started", "2026-11-20")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "office steps are recorded by the business office" in refused.stderr


def test_office_step_completes_the_rapid_review(home: Path, office: Path) -> None:
    case_id = (home / "case-id").read_text()
    assert (
        run(home, "duty", "sent", case_id, "panel-notification", "--date", "2026-11-04").returncode
        == 0
    )
    deliver(home, office)
    for earlier in ("started", "summaries_requested", "summaries_received", "meeting_held",
                    "completed"):  # fmt: skip
        step = run(office, "office", "step", case_id, f"rapid_review.{earlier}", "2026-11-20")
        assert step.returncode == 0, step.stderr
    step = run(office, "office", "step", case_id, "rapid_review.sent_to_panel", "2026-11-20")
    assert step.returncode == 0, step.stderr
    shown = json.loads(run(office, "case", "show", case_id, "--json").stdout)
    rapid = next(d for d in shown["duties"] if d["duty"] == "rapid-review")
    # Sent Wed 4 Nov: 15 working days -> 5,6,9..13 (7),16..20 (12),23,24,25 -> Wed 25 Nov.
    assert (rapid["due"], rapid["status"], rapid["sent_on"]) == ("2026-11-25", "sent", "2026-11-20")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("rapid_review.sent_to_panel", "2026-12-01"), "future"),
        (("cdop.category", "infection"), "CDOP steps apply to child deaths only"),
        (("panel_response.response", "2026-11-20"), "outcome must be one of"),
    ],
)
def test_bad_office_steps_are_refused_in_one_line(
    office: Path, args: tuple[str, str], words: str
) -> None:
    case_id = (office / "case-id").read_text()
    result = run(office, "office", "step", case_id, *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and words in result.stderr
    assert "Traceback" not in result.stderr


def test_an_office_step_out_of_order_is_refused_and_changes_nothing(office: Path) -> None:
    case_id = (office / "case-id").read_text()
    before = run(office, "case", "show", case_id, "--json")
    assert before.returncode == 0, before.stderr
    result = run(office, "office", "step", case_id, "rapid_review.sent_to_panel", "2026-11-20")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert (
        "'Rapid review completed' first, or mark this as a correction with --correction "
        "--reason TEXT" in result.stderr
    )
    assert run(office, "case", "show", case_id, "--json").stdout == before.stdout


def test_a_correction_records_out_of_order_and_shows_its_reason(office: Path) -> None:
    case_id = (office / "case-id").read_text()
    reason = "Sent by secure email; the earlier steps were kept on paper."
    step = ("office", "step", case_id, "rapid_review.sent_to_panel", "2026-11-20")
    alone = run(office, *step, "--correction")
    assert alone.returncode == 2 and "--reason" in alone.stderr
    corrected = run(office, *step, "--correction", "--reason", reason)
    assert corrected.returncode == 0, corrected.stderr
    assert "Recorded a correction of rapid review sent to the panel" in corrected.stdout
    shown = json.loads(run(office, "case", "show", case_id, "--json").stdout)
    rapid = next(d for d in shown["duties"] if d["duty"] == "rapid-review")
    assert (rapid["status"], rapid["sent_on"]) == ("sent", "2026-11-20")
    note = shown["document"]["office"]["corrections"]["rapid_review"]["sent_to_panel"]
    assert (note["reason"], note["was"]) == (reason, None)
    assert shown["audit"][-1]["type"] == "office.corrected"
    text = run(office, "case", "show", case_id).stdout
    office_line = next(line for line in text.splitlines() if "sent to the Panel" in line)
    assert office_line.endswith(f"Fri 20 Nov 2026 (correction: {reason})")
    assert reason in text.split("Audit trail", 1)[1]
    again = run(office, *step[:-1], "2026-11-19")
    assert again.returncode == 2
    assert "already recorded (2026-11-20); to change it, mark this as a correction" in again.stderr


def test_report_formats_agree(home: Path) -> None:
    case_id = (home / "case-id").read_text()
    sent = run(home, "duty", "sent", case_id, "panel-notification", "--date", "2026-11-04")
    assert sent.returncode == 0, sent.stderr
    period = ("--from", "2026-11-01", "--to", "2026-11-30")
    as_json = json.loads(run(home, "report", *period, "--format", "json").stdout)
    panel = as_json["notifications"]["panel-notification"]["all"]
    # Aware Mon 2 Nov, due Mon 9 Nov, sent Wed 4 Nov: on time, 2 working days taken.
    assert (panel["raised"], panel["sent"], panel["sent_within_deadline"]) == (1, 1, 1)
    assert panel["median_working_days_taken"] == 2
    rows = list(csv.DictReader(io.StringIO(run(home, "report", *period, "--format", "csv").stdout)))
    found = {(r["section"], r["la"], r["measure"]): r["value"] for r in rows}
    assert found[("panel-notification", "Testshire", "sent_within_deadline")] == "1"
    markdown = run(home, "report", *period).stdout
    # raised, sent, on time, late, still open, share, median days.
    assert "| panel-notification | Testshire | 1 | 1 | 1 | 0 | 0 | 100% | 2 |" in markdown
    assert "all LAs" not in markdown  # an LA's own vault: its rows carry its name
    # The rapid review now has a clock (due Wed 25 Nov) and is the one open duty.
    assert "Open duties now: 1 (as on the dashboard), of which overdue: 0" in markdown
    assert "- Open duties now: every duty still open today" in markdown
    refused = run(home, "report", "--from", "2026-11-30", "--to", "2026-11-01")
    assert refused.returncode == 2 and "--to" in refused.stderr


def test_report_period_presets(home: Path) -> None:
    """`--period last-month` on Mon 23 Nov 2026 is 1-31 October; it excludes --from/--to."""
    october = json.loads(run(home, "report", "--period", "last-month", "--format", "json").stdout)
    assert october["period"] == {"from": "2026-10-01", "to": "2026-10-31"}
    to_date = json.loads(
        run(home, "report", "--period", "month-to-date", "--format", "json").stdout
    )
    assert to_date["period"] == {"from": "2026-11-01", "to": "2026-11-23"}
    # The case (aware 2 Nov) is November's, not October's.
    assert october["notifications"]["panel-notification"]["all"]["raised"] == 0
    assert to_date["notifications"]["panel-notification"]["all"]["raised"] == 1
    for args, words in (
        (("--period", "last-month", "--from", "2026-11-01"), "not both"),
        (
            (
                "--from",
                "2026-11-01",
            ),
            "give both dates, or --period",
        ),
        ((), "give both dates, or --period"),
    ):
        refused = run(home, "report", *args)
        assert refused.returncode == 2, args
        assert refused.stderr.count("\n") == 1 and words in refused.stderr, refused.stderr


def test_report_lists_a_late_send(home: Path) -> None:
    """Due Mon 9 Nov, sent Thu 12 Nov: 3 working days late (10, 11, 12), in every format."""
    case_id = (home / "case-id").read_text()
    reason = "The strategy meeting was not held until Wed 11 Nov."
    sent = run(
        home, "duty", "sent", case_id, "panel-notification", "--date", "2026-11-12",
        "--late-reason", reason,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    period = ("--from", "2026-11-01", "--to", "2026-11-30")
    as_json = json.loads(run(home, "report", *period, "--format", "json").stdout)
    (line,) = as_json["late_sends"]
    assert (line["case_id"], line["duty"], line["due"], line["sent_on"]) == (
        case_id,
        "panel-notification",
        "2026-11-09",
        "2026-11-12",
    )
    assert line["working_days_late"] == 3
    assert line["reason"] == reason
    panel = as_json["notifications"]["panel-notification"]["all"]
    assert (panel["sent"], panel["sent_within_deadline"], panel["sent_late"]) == (1, 0, 1)
    markdown = run(home, "report", *period).stdout
    assert "Sent late: 1." in markdown
    assert (
        f"| {case_id} | Testshire | panel-notification | 2026-11-09 | 2026-11-12 | 3 | {reason} |"
        in markdown
    )
    rows = list(csv.DictReader(io.StringIO(run(home, "report", *period, "--format", "csv").stdout)))
    found = {(r["section"], r["measure"]): r["value"] for r in rows}
    assert found[("late_sends", "count")] == "1"
    assert found[("panel-notification", "sent_late")] == "1"
