"""Retention and legal holds through the Session and the CLI (issue 18, parts 2 and 3).

`retention due` lists exactly the cases whose trigger plus period has passed, on a clock
the test sets; a hold is a signed entry that travels to the office, stops nothing being
recorded, and is lifted only by its own organisation, with a reason, never deleted.
Every person is synthetic; dates are worked by hand in each test.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import factories
import pytest
from click.testing import CliRunner
from office_support import deliver, office_for

from notify_tui.cli import cli
from notify_tui.clock import ManualClock
from notify_tui.errors import InvalidInput, NotPermitted
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner

ADMIN, PASS = "Ada Admin (fictional)", "an admin passphrase, synthetic"
DEPUTY, DEPUTY_PASS = "Dee Deputy (fictional)", "a deputy passphrase, synthetic"
VIEWER, VIEWER_PASS = "Vic Viewer (fictional)", "a viewer passphrase, synthetic"
LA = "Testshire (test)"
REASON = "Fictional Inquiry, order 2026/17"


def clock_on(day: date) -> ManualClock:
    return ManualClock(datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "la"


@pytest.fixture
def la(home: Path) -> Session:
    session, _ = Session.init(
        home, PASS, org=LA, role="la", author=ADMIN, kdf=ARGON2_FLOOR,
        owner=InlineOwner(), clock=clock_on(date(2026, 11, 23)),
    )  # fmt: skip
    session.add_user(DEPUTY, "deputy", DEPUTY_PASS)
    session.add_user(VIEWER, "viewer", VIEWER_PASS)
    return session


def child_death(died: str, born: str = "2005-01-01") -> dict[str, object]:
    return factories.case(
        "child_death",
        subjects=[factories.subject(given_names="Ada", family_name="Retention-Fictional")],
        facts={"date_of_birth": born, "event_date": died, "aware_date": died,
               "abuse_or_neglect": "none"},
        case_outline="SYNTHETIC TEST CASE",
    )  # fmt: skip


def events(session: Session) -> list[str]:
    return [entry.event for entry in session.audit()]


def test_retention_due_lists_exactly_the_cases_past_their_date(la: Session) -> None:
    """Today Mon 23 Nov 2026; child deaths are kept 15 years from the date of death:
    died 22 Nov 2011 -> due since 22 Nov 2026; died 23 Nov 2011 -> due today (the
    anniversary); died 24 Nov 2011 -> not until tomorrow. A care leaver (born 1 May
    2003) under a rule of 20 years from birth (set by the admin) -> due since 1 May 2023;
    a serious incident with its duties open has not closed: never due."""
    before, today, after = (
        la.create_cases([child_death(died)])[0]
        for died in ("2011-11-22", "2011-11-23", "2011-11-24")
    )
    la.retention.set_rule(
        "care_leaver_death", trigger="date_of_birth", years=20, reference="Sched 9.9 (test)"
    )
    (leaver,) = la.create_cases([factories.case("care_leaver_death")])
    (incident,) = la.create_cases([factories.case("serious_incident")])

    due = la.retention.due()
    assert [(item.case_id, item.due_on, item.status) for item in due] == [
        (leaver, date(2023, 5, 1), "due"),
        (before, date(2026, 11, 22), "due"),
        (today, date(2026, 11, 23), "due"),
    ]
    every = {item.case_id: item for item in la.retention.due(every_case=True)}
    assert every[after].status == "not_yet" and every[after].due_on == date(2026, 11, 24)
    assert every[incident].status == "no_trigger"
    assert "a duty is still open" in every[incident].why


def test_a_case_closes_when_no_duty_is_open(la: Session) -> None:
    """A serious incident decided as not to notify (23 Nov 2026) has no open duty: it
    closed that day, and is kept 35 years, to 23 Nov 2061."""
    (incident,) = la.create_cases([factories.case("serious_incident")])
    la.decide(incident, notify=False, rationale="Threshold not met (synthetic rationale).")
    [item] = [i for i in la.retention.due(every_case=True) if i.case_id == incident]
    assert (item.trigger_date, item.due_on, item.status) == (
        date(2026, 11, 23),
        date(2061, 11, 23),
        "not_yet",
    )
    la.clock = clock_on(date(2061, 11, 22))
    assert la.retention.due() == []
    la.clock = clock_on(date(2061, 11, 23))
    assert [i.case_id for i in la.retention.due()] == [incident]


def test_a_held_case_is_listed_as_held_until_the_hold_is_lifted(la: Session) -> None:
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    hold = la.retention.place(case_id, REASON)
    assert (hold.case_id, hold.placed_by, hold.org) == (case_id, ADMIN, LA)
    [item] = la.retention.due()
    assert item.status == "held" and REASON in item.why
    la.retention.lift(case_id, "The inquiry released its order (fictional)")
    [item] = la.retention.due()
    assert item.status == "due" and item.holds == ()
    # Both entries stay in the audit trail, in words, with who did it.
    sentences = [entry.summary for entry in la.audit(case_id=case_id)]
    assert f"{ADMIN} lifted a legal hold: The inquiry released its order (fictional)" in (sentences)
    assert f"{ADMIN} placed a legal hold: {REASON}" in sentences


def test_a_hold_on_everything_holds_every_case(la: Session) -> None:
    first, second = la.create_cases([child_death("2011-11-22"), child_death("2011-11-21")])
    la.retention.place(None, REASON)
    assert {(item.case_id, item.status) for item in la.retention.due()} == {
        (first, "held"),
        (second, "held"),
    }
    assert [h.case_id for h in la.retention.holds_on(first)] == [None]


def test_hold_refusals_change_nothing(la: Session, home: Path) -> None:
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    la.retention.place(case_id, REASON)
    held = events(la)
    with pytest.raises(InvalidInput, match="is already held: .*nothing was recorded"):
        la.retention.place(case_id, "Another fictional order, 2026/18")
    with pytest.raises(InvalidInput, match="say why in at least 10 characters"):
        la.retention.place(None, "because")
    with pytest.raises(InvalidInput, match="no case CD-NOSUCH00"):
        la.retention.place("CD-NOSUCH00", REASON)
    with pytest.raises(InvalidInput, match="everything has no hold placed by Testshire"):
        la.retention.lift(None, "Nothing to lift here (fictional)")
    assert events(la) == held


def test_who_may_place_and_lift_a_hold(la: Session, home: Path) -> None:
    """A deputy places a hold but does not lift one; a viewer does neither."""
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    la.close()
    viewer = Session.unlock(home, passphrase=VIEWER_PASS, user=VIEWER, owner=InlineOwner())
    with viewer, pytest.raises(NotPermitted, match="place a legal hold"):
        viewer.retention.place(case_id, REASON)
    with Session.unlock(home, passphrase=DEPUTY_PASS, user=DEPUTY, owner=InlineOwner()) as deputy:
        deputy.retention.place(case_id, REASON)
        with pytest.raises(NotPermitted, match="lift a legal hold"):
            deputy.retention.lift(case_id, "The inquiry released its order (fictional)")
        with pytest.raises(NotPermitted, match="change the retention schedule"):
            deputy.retention.set_rule(
                "child_death", trigger="date_of_death", years=1, reference="Sched (test)"
            )
        assert [h.placed_by for h in deputy.retention.in_force()] == [DEPUTY]


def test_holds_travel_and_each_organisation_lifts_only_its_own(la: Session, tmp_path: Path) -> None:
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    la.retention.place(case_id, REASON)
    office = office_for(la, tmp_path / "office")
    deliver(la, office, tmp_path / "to-office")
    assert [(h.case_id, h.org) for h in office.retention.in_force()] == [(case_id, LA)]
    with pytest.raises(InvalidInput, match="the hold in force is Testshire \\(test\\)'s"):
        office.retention.lift(case_id, "The office thinks it is over (fictional)")
    office.retention.place(case_id, "The office's own fictional order 2026/20")
    deliver(office, la, tmp_path / "to-la")
    la.retention.lift(case_id, "The inquiry released its order (fictional)")
    # The LA's hold is lifted; the office's stands, and still holds the case.
    assert [h.org for h in la.retention.holds_on(case_id)] == [office.identity.org]
    [item] = la.retention.due()
    assert item.status == "held"


# -- the CLI ---------------------------------------------------------------------------


def run(home: Path, *args: str, user: str = ADMIN, passphrase: str = PASS) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        [*args, "--home", str(home)],
        env={
            "NOTIFY_TUI_PASSPHRASE": passphrase,
            "NOTIFY_TUI_USER": user,
            "NOTIFY_TUI_TODAY": "2026-11-23",
        },
    )
    return result.exit_code, result.output


def test_the_cli_holds_and_lists(la: Session, home: Path) -> None:
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    la.close()
    code, out = run(home, "hold", "add", case_id, "--reason", REASON)
    assert code == 0 and out.startswith(f"Placed: {case_id} is held by {ADMIN}")
    code, out = run(home, "hold", "list", "--json")
    [listed] = json.loads(out)
    assert (listed["case"], listed["scope"], listed["reason"]) == (case_id, "case", REASON)
    code, out = run(home, "retention", "due", "--json")
    [due] = json.loads(out)
    assert (due["case"], due["status"], due["due_on"]) == (case_id, "held", "2026-11-22")
    assert "Retention-Fictional" not in out  # no personal data in the list
    # `case show` names the hold, in words and in its JSON.
    code, out = run(home, "case", "show", case_id)
    assert f"  Legal hold: {case_id} is held by {ADMIN} (Testshire (test)) since 23 Nov 2026" in out
    code, out = run(home, "case", "show", case_id, "--json")
    assert [hold["reason"] for hold in json.loads(out)["holds"]] == [REASON]


@pytest.mark.parametrize(
    ("args", "user", "passphrase", "expected"),
    [
        (("hold", "add", "--all", "--reason", REASON), VIEWER, VIEWER_PASS,
         "may not place a legal hold"),
        (("hold", "remove", "--all", "--reason", REASON), ADMIN, PASS,
         "everything has no hold placed by Testshire (test); see `notify-tui hold list`"),
        (("hold", "add", "--all", "--reason", "short"), ADMIN, PASS,
         "--reason: say why in at least 10 characters"),
        (("retention", "set", "child_death", "--trigger", "date_of_death", "--years", "1",
          "--reference", "x"), DEPUTY, DEPUTY_PASS, "may not change the retention schedule"),
        (("retention", "set", "child_death", "--trigger", "date_of_death", "--years", "5",
          "--reference", "   "), ADMIN, PASS, "--reference: String should have at least 1"),
        (("retention", "set", "child_death", "--trigger", "date_of_death", "--years", "5",
          "--reference", "Sched \x1b[31m4.3"), ADMIN, PASS,
         "--reference: holds the control character U+001B"),
        (("retention", "set", "child_death", "--trigger", "date_of_death", "--years", "5",
          "--reference", "x" * 201), ADMIN, PASS, "--reference: String should have at most 200"),
    ],
)  # fmt: skip
def test_cli_refusals_are_one_line_and_change_nothing(
    la: Session, home: Path, args: tuple[str, ...], user: str, passphrase: str, expected: str
) -> None:
    la.create_cases([child_death("2011-11-22")])
    before = events(la)
    la.close()
    code, out = run(home, *args, user=user, passphrase=passphrase)
    assert code == 2 and out.count("\n") == 1 and expected in out, out
    with Session.unlock(home, passphrase=PASS, user=ADMIN, write=False, owner=InlineOwner()) as s:
        assert events(s) == before
        assert s.retention.schedule()["child_death"].years == 15  # the default, unchanged
