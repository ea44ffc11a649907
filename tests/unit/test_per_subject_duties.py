"""Per-child duties (issue 14, part B): CDOP, looked-after-child and care-leaver death
notifications are owed once per child they apply to; the Panel notification and the
rapid review once per incident.

Ids: the first subject's per-child duty keeps the rule's id (`cdop-notification`), the
Nth subject's (N >= 2, its 1-based place in the case's `subjects`) is
`cdop-notification@N`; a subject the duty does not apply to leaves a gap.

Dates worked by hand (November 2026 has no bank holiday in England; weekends 14-15 and
21-22 November). Two children died on Thu 12 Nov 2026; the LA became aware on Fri 13 Nov:
  CDOP, 1 working day after aware:           Mon 16 Nov 2026 (each child)
  looked-after death, 5 working days:         16, 17, 18, 19, 20 -> Fri 20 Nov 2026
  Panel, 5 working days after aware:          Fri 20 Nov 2026 (once)
Today is Mon 23 Nov 2026. All people are synthetic.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from bundle_support import register, vault_of
from click.testing import CliRunner, Result

from notify_tui.cli import cli
from notify_tui.clock import ManualClock
from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.dashboard import DashboardQuery, duty_label
from notify_tui.domain.models import validate_case
from notify_tui.domain.reports import NOTIFICATION_DUTIES
from notify_tui.domain.rules import assess_case, base_duty_id, duty_subject, subject_duty_id
from notify_tui.domain.wording import duty_name
from notify_tui.errors import InvalidInput
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault

PASSPHRASE = "a long test passphrase"
TODAY = date(2026, 11, 23)
CALENDAR = WorkingDayCalendar()
PANEL, RAPID = "panel-notification", "rapid-review"
CDOP, CDOP_2 = "cdop-notification", "cdop-notification@2"
LAC, LAC_2 = "lac-death-notification", "lac-death-notification@2"


def child(given: str, family: str, born: str, **more: Any) -> dict[str, Any]:
    return {"given_names": given, "family_name": family, "date_of_birth": born, "sex": "U", **more}


def two_children_died(
    first: dict[str, Any] | None = None, second: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A full case document: a serious incident, abuse suspected, in the area, resident;
    subjects Amy Testcase (8) and Ben Sample (6) unless replaced."""
    return {
        "kind": "serious_incident",
        "subjects": [
            first or child("Amy", "Testcase", "2018-03-04"),
            second or child("Ben", "Sample", "2020-05-06"),
        ],
        "incident": {
            "outcome": "died",
            "event_date": "2026-11-12",
            "aware_date": "2026-11-13",
            "location": "in_area",
            "normally_resident_in_area": True,
            "abuse_or_neglect": "suspected",
        },
        "case_outline": "SYNTHETIC TEST CASE",
    }


def assessed(document: dict[str, Any]) -> dict[str, Any]:
    return {d.id: d for d in assess_case(validate_case(document, TODAY), CALENDAR).duties}


# -- ids and the domain -----------------------------------------------------------


def test_id_helpers() -> None:
    assert [subject_duty_id(CDOP, n) for n in (1, 2, 4)] == [CDOP, CDOP_2, "cdop-notification@4"]
    assert [base_duty_id(d) for d in (CDOP, CDOP_2, PANEL)] == [CDOP, CDOP, PANEL]
    assert [duty_subject(d) for d in (CDOP, CDOP_2, LAC_2, PANEL, "cdop-notification@x")] == [
        1,
        2,
        2,
        None,
        None,
    ]


def test_one_child_harmed_and_one_died_owe_per_child_duties_for_the_one_who_died() -> None:
    """Amy was seriously harmed; Ben, looked after, died (his own outcome). The Panel is
    told once, of the incident; the CDOP and DfE/Ofsted notifications are Ben's only:
    CDOP due Mon 16 Nov, looked-after death due Fri 20 Nov, Panel due Fri 20 Nov."""
    document = two_children_died(
        second=child(
            "Ben", "Sample", "2020-05-06", outcome="died", legal_status={"looked_after": True}
        )
    )
    document["incident"]["outcome"] = "seriously_harmed"
    duties = assessed(document)
    assert sorted(duties) == sorted([PANEL, CDOP_2, LAC_2, RAPID])
    assert (duties[CDOP_2].due, duties[LAC_2].due) == (date(2026, 11, 16), date(2026, 11, 20))
    assert duties[PANEL].due == date(2026, 11, 20)
    assert "child 2: the child died" in duties[CDOP_2].reasons


def test_a_child_death_case_needs_every_child_to_have_died() -> None:
    document = two_children_died(second=child("Ben", "Sample", "2020-05-06", outcome="other"))
    document["kind"] = "child_death"
    with pytest.raises(InvalidInput, match=r"subjects\.1\.outcome: .*child death"):
        validate_case(document, TODAY)


def test_two_children_who_died_get_a_cdop_notification_each_and_one_panel() -> None:
    duties = assessed(two_children_died())
    assert list(duties) == [PANEL, CDOP, CDOP_2, RAPID]
    assert duties[CDOP].due == duties[CDOP_2].due == date(2026, 11, 16)
    assert duties[PANEL].due == date(2026, 11, 20)
    assert (duties[CDOP].subject, duties[CDOP_2].subject, duties[PANEL].subject) == (1, 2, None)
    assert duties[CDOP_2].subject_label == "child 2"
    assert duties[CDOP_2].title == "Notify the Child Death Overview Panel (child 2)"
    assert duties[CDOP_2].reasons == [
        "child 2: the child died",
        "child 2: aged 6 on the date of the event (under 18)",
        "child 2: not a stillbirth or planned termination",
        "child 2: the child was normally resident in the area",
        "rule as in force on 13 Nov 2026 (version 2, from 29 Sep 2019)",
    ]
    # Reasons name children by place, never by name.
    text = json.dumps([d.model_dump(mode="json") for d in duties.values()])
    assert "Amy" not in text and "Ben" not in text and "Sample" not in text


def test_a_subject_the_duty_does_not_fit_leaves_a_gap() -> None:
    # Subject 1 was 19 on the day (not a child, not a care leaver): only child 2's CDOP.
    duties = assessed(two_children_died(first=child("Cal", "Older", "2007-01-01")))
    assert [d for d in duties if base_duty_id(d) == CDOP] == [CDOP_2]
    assert duties[CDOP_2].subject == 2


def test_the_looked_after_death_notification_is_the_looked_after_childs_only() -> None:
    looked_after = child("Ben", "Sample", "2020-05-06", legal_status={"looked_after": True})
    duties = assessed(two_children_died(second=looked_after))
    assert [d for d in duties if base_duty_id(d) == LAC] == [LAC_2]
    assert duties[LAC_2].due == date(2026, 11, 20)
    assert [d for d in duties if base_duty_id(d) == CDOP] == [CDOP, CDOP_2]


def test_one_child_keeps_the_bare_ids_and_words() -> None:
    document = two_children_died()
    document["subjects"] = document["subjects"][:1]
    duties = assessed(document)
    assert list(duties) == [PANEL, CDOP, RAPID]
    assert duties[CDOP].title == "Notify the Child Death Overview Panel"
    assert duties[CDOP].reasons[0] == "the child died"
    assert duties[CDOP].subject == 1


def test_names_for_a_second_childs_duty() -> None:
    assert duty_label(CDOP_2, "x") == "CDOP notification (child 2)"
    assert duty_label(CDOP, "x") == "CDOP notification"
    assert duty_name(LAC_2) == "looked-after child death notification (child 2)"


# -- check -------------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_check_json_on_a_case_of_two_children(cli_env: None) -> None:
    result = run("check", "--json", "-", stdin=json.dumps(two_children_died()))
    assert result.exit_code == 0, result.output
    duties = json.loads(result.output)["duties"]
    assert [(d["id"], d["due"], d["subject"]) for d in duties] == [
        (PANEL, "2026-11-20", None),
        (CDOP, "2026-11-16", 1),
        (CDOP_2, "2026-11-16", 2),
        (RAPID, None, None),
    ]


def test_check_takes_the_minimal_case_document_and_says_whose_each_duty_is(
    cli_env: None,
) -> None:
    minimal = {
        "kind": "serious_incident",
        "subjects": [
            child("Amy", "Testcase", "2018-03-04"),
            child("Ben", "Sample", "2020-05-06"),
        ],
        "facts": {**two_children_died()["incident"]},
    }
    result = run("check", "-", stdin=json.dumps(minimal))
    assert result.exit_code == 0, result.output
    assert "cdop-notification@2: Notify the Child Death Overview Panel (child 2)" in result.output
    assert "  for:        child 2 — BS" in result.output
    assert "  for:        child 1 — AT" in result.output
    assert result.output.count("  for:        the incident (every child)") == 2  # Panel, rapid


def test_check_refuses_a_bad_case_document_in_one_line(cli_env: None) -> None:
    document = two_children_died()
    document["subjects"][1]["date_of_birth"] = "2027-01-01"
    result = run("check", "-", stdin=json.dumps(document))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "subjects.1.date_of_birth" in result.output


# -- the vault ---------------------------------------------------------------------


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


def open_session(home: Path, clock: ManualClock) -> Session:
    vault, _ = Vault.create(
        home, PASSPHRASE, org="Testshire", role="la", author="A. Lead", now=clock.now(),
        kdf=ARGON2_FLOOR,
    )  # fmt: skip
    return register(Session(vault, clock=clock, owner=InlineOwner()), vault)


@pytest.fixture
def la(tmp_path: Path, clock: ManualClock) -> Iterator[Session]:
    with open_session(tmp_path / "la", clock) as session:
        yield session


def test_each_childs_duty_is_recorded_on_its_own(la: Session) -> None:
    case_id = la.create_case(two_children_died())
    la.mark_sent(case_id, CDOP_2, date(2026, 11, 16), "ECDOP-2")
    duties = {d.duty: d for d in la.case_detail(case_id).duties}
    assert (duties[CDOP].status, duties[CDOP_2].status) == ("open", "sent")
    assert (duties[CDOP].whose, duties[CDOP_2].whose) == ("child 1 — AT", "child 2 — BS")
    assert duties[PANEL].whose is None
    # The audit trail names the second child's duty by place.
    summaries = [entry.summary for entry in la.case_detail(case_id).audit]
    assert any("CDOP notification (child 2)" in text for text in summaries), summaries
    assert not any("Ben" in text or "Sample" in text for text in summaries)


def test_the_dashboard_shows_each_childs_initials(la: Session) -> None:
    case_id = la.create_case(two_children_died())
    rows = {r.duty_id: r for r in la.duty_pages(DashboardQuery(status="all", today=TODAY))}
    assert rows[CDOP].initials == "AT"
    assert rows[CDOP_2].initials == "BS"
    assert rows[CDOP_2].duty == "CDOP notification (child 2)"
    assert rows[PANEL].initials == "AT, BS"
    assert {r.case_id for r in rows.values()} == {case_id}


def test_reports_count_each_childs_duty_under_its_rule(la: Session) -> None:
    la.create_case(two_children_died())
    report = la.report(date(2026, 11, 1), date(2026, 11, 30))
    assert list(report.notifications) == list(NOTIFICATION_DUTIES)
    assert report.notifications[CDOP].all.raised == 2
    assert report.notifications[PANEL].all.raised == 1
    assert report.notifications[CDOP].all.still_open == 2


def test_a_vault_from_before_per_child_duties_is_carried_over(
    tmp_path: Path, clock: ManualClock
) -> None:
    """A vault at schema 6: one CDOP duty for the case (the first child's, sent), no
    `subject` column, migration 7 not recorded. Reopened, it is refolded: the sent record
    stays the first child's, the second child's duty appears, and `doctor` agrees."""
    home = tmp_path / "old"
    session = open_session(home, clock)
    case_id = session.create_case(two_children_died())
    session.mark_sent(case_id, CDOP, date(2026, 11, 16), "ECDOP-1")
    db = vault_of(session).db
    db.execute("DELETE FROM duties WHERE duty_id LIKE '%@%'")
    db.execute("ALTER TABLE duties DROP COLUMN subject")
    db.execute("DELETE FROM migrations WHERE number = 7")
    db.execute("DELETE FROM meta WHERE key = 'reproject'")
    db.conn.commit()
    assert [r[0] for r in db.execute("SELECT duty_id FROM duties ORDER BY duty_id")] == [
        CDOP,
        PANEL,
        RAPID,
    ]
    session.close()
    with Session.unlock(home, passphrase=PASSPHRASE, clock=clock, owner=InlineOwner()) as again:
        register(again, again._vault)
        duties = {d.duty: d for d in again.case_detail(case_id).duties}
        assert sorted(duties) == [CDOP, CDOP_2, PANEL, RAPID]
        assert (duties[CDOP].status, duties[CDOP].reference, duties[CDOP].subject) == (
            "sent",
            "ECDOP-1",
            1,
        )
        assert (duties[CDOP_2].status, duties[CDOP_2].due, duties[CDOP_2].subject) == (
            "open",
            "2026-11-16",
            2,
        )
        assert again.doctor().problems == ()
        migrated = again.projection_hash()
        vault_of(again).reproject_all(again.projector)
        assert again.projection_hash() == migrated


def test_duty_sent_for_a_second_child_through_the_cli(tmp_path: Path, cli_env: None) -> None:
    home = tmp_path / "home"

    def ok(*args: str, stdin: str | None = None) -> str:
        result = run(*args, "--home", str(home), stdin=stdin)
        assert result.exit_code == 0, result.output
        return result.output

    ok("init", "--la", "Testshire", "--user", "Test Lead (fictional)")
    case_id = ok("case", "add", "-", stdin=json.dumps(two_children_died())).strip()
    assert "Recorded cdop-notification@2 sent on 2026-11-16." in ok(
        "duty", "sent", case_id, CDOP_2, "--date", "2026-11-16"
    )
    shown = ok("case", "show", case_id)
    line = next(x for x in shown.splitlines() if x.strip().startswith(CDOP_2))
    assert "sent 2026-11-16" in line and "for child 2 — BS" in line
    duties = {d["duty"]: d for d in json.loads(ok("case", "show", case_id, "--json"))["duties"]}
    assert (duties[CDOP_2]["subject"], duties[CDOP_2]["subject_initials"]) == (2, "BS")
    assert duties[PANEL]["subject"] is None


def test_a_note_about_one_child_of_several_says_which() -> None:
    """Two non-resident children died elsewhere in England (no CDOP duty here): each
    note names its own home area, so each says which child it is about; a note that
    holds for both children alike is given once, unlabelled."""
    document = two_children_died(
        first=child("Amy", "Testcase", "2018-03-04", home_la="Alphashire (test)"),
        second=child("Ben", "Sample", "2020-05-06", home_la="Betaton (test)"),
    )
    document["incident"].update(location="elsewhere_in_england", normally_resident_in_area=False)
    advisories = assess_case(validate_case(document, TODAY), CALENDAR).advisories
    home_notes = [note for note in advisories if "home area" in note]
    assert [note.split(":")[0] for note in home_notes] == ["subject 1", "subject 2"]
    assert "Alphashire (test)" in home_notes[0] and "Betaton (test)" in home_notes[1]
    elsewhere = [note for note in advisories if "where it happened" in note]
    assert len(elsewhere) == 1 and not elsewhere[0].startswith("subject")
