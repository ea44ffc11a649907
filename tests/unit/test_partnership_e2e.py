"""Issue 6 acceptance: three LAs and their partnership office, bundles through folders only.

Northshire, Southshire and Eastshire Councils each log their own cases; the Test
Safeguarding Partnership's business office receives them, records its workflow steps and
acknowledgements, and sends them back. Each vault is a real encrypted vault; the only
link between them is folders of keys files and bundles (`SyncService.export` and
`import_from_dir`). All data is synthetic; NOTIFY_TUI_TODAY is Monday 23 November 2026.

The office writes its steps on an LA's case on its per-LA chain
(`office_chain_id(office device, the LA)`), so each LA is sent its own cases' events and
nothing about another LA's cases: no case id, no date.

The cases, and the figures the office's report for 1-30 November 2026 must show, worked
out by hand from the calendar (November 2026 has no bank holiday; weekends are 7-8,
14-15, 21-22 and 28-29 November; working days run Mon-Fri):

Northshire Council
N1 serious incident, happened Sun 1 Nov, aware Mon 2 Nov -> Panel notification due 5
   working days later, Mon 9 Nov (3,4,5,6,9). The LA sends it Fri 6 Nov: on time, 4
   working days taken (3,4,5,6). The office acknowledges it on Mon 9 Nov (status
   "acknowledged"; it still counts as sent on 6 Nov). The rapid review starts on the
   Panel notification date, Fri 6 Nov, and is due 15 working days later: 9-13 (5),
   16-20 (10), 23-27 (15) -> Fri 27 Nov. The office records it sent to the Panel on
   Fri 20 Nov: on time, 10 working days taken. The Panel's response (a local review)
   is recorded on Mon 23 Nov.
N2 child death, born Thu 1 Oct 2026, died and known Wed 4 Nov -> CDOP notification due
   the next working day, Thu 5 Nov; sent Thu 5 Nov: on time, 1 working day. 34 days
   old on the day of death: band 28-364 days. The office records the category
   "infection" and acknowledges the notification on Fri 6 Nov.

Southshire Council
S1 serious incident, aware Tue 3 Nov -> Panel notification due Tue 10 Nov (4,5,6,9,10);
   sent Thu 12 Nov: late (the LA gives its reason), 7 working days taken
   (4,5,6,9,10,11,12). The office acknowledges it Fri 13 Nov and records the rapid
   review started Mon 16 Nov. The rapid review starts Thu 12 Nov and is due 15
   working days later: 13 (1), 16-20 (6), 23-27 (11), 30 Nov (12), 1-3 Dec (15) -> Thu
   3 Dec: still open, 8 working days left on Mon 23 Nov (24,25,26,27,30,1,2,3).

Eastshire Council
E1 serious incident, aware Mon 16 Nov; the LA decides not to notify the Panel (its Panel
   and rapid review duties are closed by that decision and not counted).
E2 child death, born 10 May 2012, died Fri 13 Nov (aged 14: band 10-14 years), known
   Mon 16 Nov -> CDOP notification due Tue 17 Nov; not sent: on Mon 23 Nov it is 4
   working days overdue (18,19,20,23). The office records a review meeting held on
   Fri 20 Nov (no category yet).
E3 care leaver death, known Tue 20 Oct (outside the period) -> notification due 5
   working days later, Tue 27 Oct (21,22,23,26,27); not sent: 19 working days overdue
   on Mon 23 Nov (28,29,30 Oct; 2-6, 9-13, 16-20 Nov; 23 Nov).

Figures for 1-30 November, all LAs:
- Panel notifications: 2 raised (N1, S1), 2 sent, 1 within deadline (share 0.5) and 1
  late (S1, 2 working days: 11, 12), median of 4 and 7 = 5.5; 1 not notifying (E1).
  Northshire 1/1/1 (1.0), median 4; Southshire 1/1/0 (0.0), median 7; Eastshire 0
  raised, 1 not notifying.
- CDOP notifications: 2 raised (N2, E2), 1 sent, 1 within deadline (share 1.0), 1 still
  open, median 1. Eastshire 1 raised, 0 sent, 1 still open (share and median blank);
  Northshire 1/1/1 (1.0), median 1.
- Care leaver and looked-after child notifications: none raised in the period (E3's
  clock started 20 Oct).
- Rapid reviews: 2 raised (N1, S1), 1 sent within deadline (share 1.0), 1 still open
  (S1), median 10.
- Local reviews: none raised (no decision to hold one is recorded).
- Decisions not to notify: 1 (E1).
- Child deaths: 2 (N2, E2): infection 1, not yet categorised 1; 28-364 days 1,
  10-14 years 1.
- Sent late: S1's Panel notification, 2 working days late, no reason recorded.
- Open, whatever the period: E3's notification (due 27 Oct, -19), E2's CDOP (due 17 Nov,
  -4), S1's rapid review (due 3 Dec, +8): 3 open, all with a due date, 2 overdue.

With `--la`: Northshire has nothing open; Southshire only S1's rapid review (not
overdue); Eastshire E3's and E2's duties (both overdue), E1 as its decision not to
notify and E2 as its one child death, not yet categorised. Each LA's own report of its
own cases equals the office's report for that LA.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import factories
import pytest
from bundle_support import make_session, store_digest, vault_of
from office_support import record_in_order

from notify_tui.clock import system_clock
from notify_tui.domain.chains import office_chain_id
from notify_tui.errors import InvalidInput
from notify_tui.services.session import Session
from notify_tui.services.types import (
    ChildDeaths,
    DecisionsNotToNotify,
    DutyTimeliness,
    LateSend,
    OpenDuties,
    OpenDutyLine,
    Report,
    ReportPeriod,
    Timeliness,
)
from notify_tui.store.events import Change
from notify_tui.sync import bundle as bundle_format

TODAY = date(2026, 11, 23)
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
NORTH, SOUTH, EAST = "Northshire Council", "Southshire Council", "Eastshire Council"
OFFICE = "Test Safeguarding Partnership"


def case(kind: factories.Kind, born: str, **fact_values: Any) -> dict[str, Any]:
    """A synthetic case document (seriously harmed, abuse suspected unless changed)."""
    return factories.case(
        kind,
        subjects=[
            {"given_names": "Test", "family_name": "Fictional", "date_of_birth": born, "sex": "U"}
        ],
        facts={
            "abuse_or_neglect": "suspected",
            "outcome": "seriously_harmed",
            "date_of_birth": born,
            **fact_values,
        },
        case_outline="SYNTHETIC TEST CASE",
    )


def died(kind: str, born: str, event: str, aware: str) -> dict[str, Any]:
    document = case(
        kind, born, outcome="died", abuse_or_neglect="none", event_date=event, aware_date=aware
    )
    if kind == "care_leaver_death":
        document["facts"]["care_leaver"] = True
    return document


@dataclass
class Partnership:
    """The four vaults, the case ids, the bundles sent and the office's reports."""

    root: Path
    sessions: dict[str, Session]
    ids: dict[str, str]
    bundles: dict[str, list[Path]]
    report: Report
    reports_by_la: dict[str, Report]
    la_reports: dict[str, Report]

    def la_cases(self, org: str) -> set[str]:
        prefix = {NORTH: "N", SOUTH: "S", EAST: "E"}[org]
        return {case_id for name, case_id in self.ids.items() if name.startswith(prefix)}


def exchange_keys(sessions: dict[str, Session], folder: Path) -> None:
    """Each LA trusts the office and the office trusts each LA (keys files in a folder)."""
    folder.mkdir()
    for name, session in sessions.items():
        session.sync.keys_export(folder / f"{name}.keys.json")
    for name in (NORTH, SOUTH, EAST):
        sessions[name].sync.add_peer(folder / f"{OFFICE}.keys.json")
        sessions[OFFICE].sync.add_peer(folder / f"{name}.keys.json")


def send(sender: Session, receiver: Session, folder: Path) -> Path:
    """One bundle from sender to receiver through a folder, imported from the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (path,) = sender.sync.export(folder, receiver.identity.device_id)
    outcomes = receiver.sync.import_from_dir(folder)
    assert [o.status for o in outcomes] == ["imported"], [o.reason for o in outcomes]
    assert outcomes[0].moved_to is not None
    return outcomes[0].moved_to


@pytest.fixture(scope="module")
def partnership(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Partnership]:
    root = tmp_path_factory.mktemp("partnership")
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())
    sessions: dict[str, Session] = {}
    try:
        for org, role, author in (
            (NORTH, "la", "Nia North"),
            (SOUTH, "la", "Sol South"),
            (EAST, "la", "Eve East"),
            (OFFICE, "office", "Ola Office"),
        ):
            sessions[org] = make_session(root / org.split()[0].lower(), org, role, author)
        north, south, east, office = (sessions[k] for k in (NORTH, SOUTH, EAST, OFFICE))
        exchange_keys(sessions, root / "keys")

        ids = {
            "N1": north.create_case(
                case(
                    "serious_incident",
                    "2020-01-01",
                    event_date="2026-11-01",
                    aware_date="2026-11-02",
                )
            ),  # fmt: skip
            "N2": north.create_case(died("child_death", "2026-10-01", "2026-11-04", "2026-11-04")),
            "S1": south.create_case(
                case(
                    "serious_incident",
                    "2020-01-01",
                    event_date="2026-11-03",
                    aware_date="2026-11-03",
                )
            ),  # fmt: skip
            "E1": east.create_case(
                case(
                    "serious_incident",
                    "2019-01-01",
                    event_date="2026-11-16",
                    aware_date="2026-11-16",
                )
            ),  # fmt: skip
            "E2": east.create_case(died("child_death", "2012-05-10", "2026-11-13", "2026-11-16")),
            "E3": east.create_case(
                died("care_leaver_death", "2004-03-01", "2026-10-19", "2026-10-20")
            ),
        }
        north.mark_sent(ids["N1"], "panel-notification", date(2026, 11, 6), reference="P-N1")
        north.mark_sent(ids["N2"], "cdop-notification", date(2026, 11, 5))
        south.mark_sent(
            ids["S1"], "panel-notification", date(2026, 11, 12), reference="P-S1",
            late_reason="The strategy discussion was not held until Wed 11 Nov.",
        )  # fmt: skip
        east.decide(ids["E1"], notify=False, rationale="Injuries explained; no abuse suspected.")

        bundles: dict[str, list[Path]] = {}
        # Round 1: each LA to the office.
        for org in (NORTH, SOUTH, EAST):
            send(sessions[org], office, root / "round1" / "to-office" / org.split()[0])

        # The office's workflow.
        office.acknowledge(ids["N1"], "panel-notification", date(2026, 11, 9))
        record_in_order(office, ids["N1"], "rapid_review.sent_to_panel", "2026-11-20")
        office.record_office_step(
            ids["N1"], "panel_response", "response", "2026-11-23", outcome="local_review"
        )
        record_in_order(office, ids["N2"], "cdop.category", "infection", on="2026-11-20")
        office.acknowledge(ids["N2"], "cdop-notification", date(2026, 11, 6))
        office.acknowledge(ids["S1"], "panel-notification", date(2026, 11, 13))
        office.record_office_step(ids["S1"], "rapid_review", "started", "2026-11-16")
        office.record_office_step(ids["E2"], "cdop", "review_meeting_held", "2026-11-20")

        # Round 1 back, and a round 2 both ways (receipts; nothing new to send).
        for round_name in ("round1", "round2"):
            for org in (NORTH, SOUTH, EAST):
                folder = root / round_name / f"to-{org.split()[0]}"
                bundles.setdefault(org, []).append(send(office, sessions[org], folder))
            if round_name == "round1":
                for org in (NORTH, SOUTH, EAST):
                    send(sessions[org], office, root / "round2" / "to-office" / org.split()[0])

        report = office.report(*NOVEMBER)
        reports_by_la = {org: office.report(*NOVEMBER, la=org) for org in (NORTH, SOUTH, EAST)}
        la_reports = {org: sessions[org].report(*NOVEMBER) for org in (NORTH, SOUTH, EAST)}
        yield Partnership(root, sessions, ids, bundles, report, reports_by_la, la_reports)
    finally:
        for session in sessions.values():
            session.close()
        mp.undo()


def count(session: Session, sql: str, params: list[Any]) -> int:
    return int(vault_of(session).db.execute(sql, params).fetchone()[0])


def test_office_steps_are_on_per_la_chains(partnership: Partnership) -> None:
    office = partnership.sessions[OFFICE]
    me = office.identity.device_id
    for name, case_id in partnership.ids.items():
        org = {"N": NORTH, "S": SOUTH, "E": EAST}[name[0]]
        for event in vault_of(office).case_events(case_id):
            if event.org == OFFICE:
                assert event.device == office_chain_id(me, org)
    per_la = sorted(office_chain_id(me, org) for org in (NORTH, SOUTH, EAST))
    assert [c for c in vault_of(office).own_chains() if c != me] == per_la
    # Its plain chain holds only its own access log (its reports) and the partnership's
    # records, never an LA's case.
    plain = list(vault_of(office).iter_events(me))
    assert all(e.case == "LOG" or e.case.startswith("AR-") for e in plain)
    assert office_chain_id(me, NORTH) == f"{me}--northshire-council"


@pytest.mark.parametrize("org", [NORTH, SOUTH, EAST])
def test_each_la_holds_only_its_own_cases(partnership: Partnership, org: str) -> None:
    session = partnership.sessions[org]
    mine = partnership.la_cases(org)
    others = sorted(set(partnership.ids.values()) - mine)
    marks = ", ".join("?" * len(others))
    assert count(session, f"SELECT count(*) FROM events WHERE case_id IN ({marks})", others) == 0
    assert count(session, f"SELECT count(*) FROM duties WHERE case_id IN ({marks})", others) == 0
    assert {row[0] for row in vault_of(session).db.execute("SELECT id FROM cases")} == mine
    assert {row[0] for row in vault_of(session).db.execute("SELECT org FROM cases")} == {org}
    # No other LA's name or chain anywhere in its events or sync logs.
    office_id = partnership.sessions[OFFICE].identity.device_id
    assert set(vault_of(session).chains()) == {
        session.identity.device_id,
        office_chain_id(office_id, org),
    }
    for other in {NORTH, SOUTH, EAST} - {org}:
        word = other.split()[0]
        for table in ("events", "sync_arrivals", "sync_receipts", "cases", "duties"):
            rows = vault_of(session).db.execute(f'SELECT * FROM "{table}"').fetchall()
            assert not any(word.lower() in str(row).lower() for row in rows), (table, other)


@pytest.mark.parametrize("org", [NORTH, SOUTH, EAST])
def test_office_bundles_to_an_la_carry_only_its_chains(partnership: Partnership, org: str) -> None:
    office_id = partnership.sessions[OFFICE].identity.device_id
    la_id = partnership.sessions[org].identity.device_id
    allowed = {la_id, office_chain_id(office_id, org)}
    first, second = partnership.bundles[org]
    raw = bundle_format.read_bundle(first.read_bytes())
    assert {r.device for r in raw.manifest.ranges} == {office_chain_id(office_id, org)}
    assert {r.device for r in raw.manifest.receipts} <= allowed
    raw = bundle_format.read_bundle(second.read_bytes())
    assert raw.manifest.payload.events == 0
    assert {r.device for r in raw.manifest.receipts} == allowed


def test_office_steps_reach_the_las(partnership: Partnership) -> None:
    ids = partnership.ids
    north = partnership.sessions[NORTH]
    n1 = {d.duty: d for d in north.case_detail(ids["N1"]).duties}
    assert n1["panel-notification"].status == "acknowledged"
    assert n1["panel-notification"].acknowledged_on == "2026-11-09"
    assert n1["rapid-review"].status == "sent"
    assert n1["rapid-review"].sent_on == "2026-11-20"
    document = north.case_detail(ids["N1"]).document
    assert document["office"]["panel_response"]["response"] == {
        "date": "2026-11-23",
        "outcome": "local_review",
    }
    assert north.case_detail(ids["N2"]).document["office"]["cdop"]["category"] == "infection"
    south = partnership.sessions[SOUTH]
    s1 = {d.duty: d for d in south.case_detail(ids["S1"]).duties}
    assert s1["panel-notification"].acknowledged_on == "2026-11-13"
    assert s1["rapid-review"].status == "open"
    assert s1["rapid-review"].due == "2026-12-03"
    east = partnership.sessions[EAST]
    e2 = east.case_detail(ids["E2"]).document["office"]["cdop"]
    assert e2 == {"review_meeting_held": "2026-11-20"}
    # Every replica of a case holds the same projection of it as the office.
    office = partnership.sessions[OFFICE]
    for name, case_id in ids.items():
        la = partnership.sessions[{"N": NORTH, "S": SOUTH, "E": EAST}[name[0]]]
        assert la.case_detail(case_id).document == office.case_detail(case_id).document
        assert la.case_detail(case_id).duties == office.case_detail(case_id).duties


def test_doctor_passes_on_all_four(partnership: Partnership) -> None:
    for org, session in partnership.sessions.items():
        report = session.doctor()
        assert report.ok, (org, report.problems)


def timeliness(
    raised: int = 0,
    sent: int = 0,
    on_time: int = 0,
    late: int = 0,
    still_open: int = 0,
    not_notifying: int = 0,
    share: float | None = None,
    median: float | None = None,
) -> Timeliness:
    """A timeliness block; nothing in this partnership is withdrawn or sent undated."""
    return Timeliness(
        raised=raised,
        sent=sent,
        sent_within_deadline=on_time,
        sent_late=late,
        sent_without_date=0,
        still_open=still_open,
        withdrawn=0,
        not_notifying=not_notifying,
        share_within_deadline=share,
        median_working_days_taken=median,
    )


def test_report_all_las_reproduces_the_hand_working(partnership: Partnership) -> None:
    ids, figures = partnership.ids, partnership.report
    notifications = figures.notifications
    # E1's Panel notification started in the period and was closed by the decision: it
    # is Eastshire's one "not notifying", not raised.
    assert notifications["panel-notification"] == DutyTimeliness(
        all=timeliness(2, 2, 1, 1, not_notifying=1, share=0.5, median=5.5),
        by_la={
            EAST: timeliness(not_notifying=1),
            NORTH: timeliness(1, 1, 1, share=1.0, median=4),
            SOUTH: timeliness(1, 1, 0, 1, share=0.0, median=7),
        },
    )
    assert notifications["cdop-notification"] == DutyTimeliness(
        all=timeliness(2, 1, 1, still_open=1, share=1.0, median=1),
        by_la={
            EAST: timeliness(1, still_open=1),
            NORTH: timeliness(1, 1, 1, share=1.0, median=1),
        },
    )
    for duty in ("care-leaver-death-notification", "lac-death-notification"):
        assert notifications[duty] == DutyTimeliness(all=timeliness(), by_la={})
    assert figures.rapid_reviews == timeliness(2, 1, 1, still_open=1, share=1.0, median=10)
    assert figures.local_reviews == timeliness()
    assert figures.decisions_not_to_notify == DecisionsNotToNotify(count=1, cases=(ids["E1"],))
    assert figures.child_deaths == ChildDeaths(
        count=2,
        by_kind={"child_death": 2},
        by_category={"infection": 1, "not yet categorised": 1},
        by_age_band={
            "0-27 days": 0,
            "28-364 days": 1,
            "1-4 years": 0,
            "5-9 years": 0,
            "10-14 years": 1,
            "15-17 years": 0,
        },
    )
    # S1's Panel notification: due Tue 10 Nov, sent Thu 12 Nov: 2 working days late.
    assert figures.late_sends == (
        LateSend(
            case_id=ids["S1"],
            la=SOUTH,
            duty="panel-notification",
            due="2026-11-10",
            sent_on="2026-11-12",
            working_days_late=2,
            reason="The strategy discussion was not held until Wed 11 Nov.",
        ),
    )
    assert figures.open == OpenDuties(
        count=3,
        overdue=2,
        with_due_date=3,
        without_due_date=0,
        duties=(
            OpenDutyLine(
                case_id=ids["E3"],
                la=EAST,
                duty="care-leaver-death-notification",
                required=True,
                due="2026-10-27",
                working_days_left=-19,
            ),
            OpenDutyLine(
                case_id=ids["E2"],
                la=EAST,
                duty="cdop-notification",
                required=True,
                due="2026-11-17",
                working_days_left=-4,
            ),
            OpenDutyLine(
                case_id=ids["S1"],
                la=SOUTH,
                duty="rapid-review",
                required=True,
                due="2026-12-03",
                working_days_left=8,
            ),
        ),
    )
    assert figures.period == ReportPeriod(start="2026-11-01", end="2026-11-30")
    assert figures.la is None
    assert figures.las == (EAST, NORTH, SOUTH)


def test_report_per_la_reproduces_the_hand_working(partnership: Partnership) -> None:
    ids, by_la = partnership.ids, partnership.reports_by_la
    north, south, east = by_la[NORTH], by_la[SOUTH], by_la[EAST]
    assert (north.la, north.las) == (NORTH, (NORTH,))
    assert north.notifications["panel-notification"].all.median_working_days_taken == 4
    assert north.notifications["cdop-notification"].all.sent_within_deadline == 1
    assert north.rapid_reviews.sent_within_deadline == 1
    assert north.child_deaths.by_category == {"infection": 1}
    assert north.decisions_not_to_notify == DecisionsNotToNotify(count=0, cases=())
    assert north.late_sends == ()
    assert north.open == OpenDuties(
        count=0, overdue=0, with_due_date=0, without_due_date=0, duties=()
    )

    assert south.notifications["panel-notification"].all == timeliness(
        1, 1, 0, 1, share=0.0, median=7
    )
    assert south.notifications["cdop-notification"].all.raised == 0
    assert south.rapid_reviews == timeliness(1, still_open=1)
    assert south.child_deaths.count == 0
    assert [line.case_id for line in south.late_sends] == [ids["S1"]]
    assert [(d.case_id, d.working_days_left) for d in south.open.duties] == [(ids["S1"], 8)]
    assert south.open.overdue == 0

    assert east.notifications["panel-notification"].all == timeliness(not_notifying=1)
    assert east.rapid_reviews.raised == 0
    assert east.decisions_not_to_notify == DecisionsNotToNotify(count=1, cases=(ids["E1"],))
    assert east.child_deaths.by_category == {"not yet categorised": 1}
    assert east.child_deaths.by_age_band["10-14 years"] == 1
    assert [(d.case_id, d.working_days_left) for d in east.open.duties] == [
        (ids["E3"], -19),
        (ids["E2"], -4),
    ]
    assert east.open.overdue == 2

    with pytest.raises(InvalidInput, match="no cases from that LA"):
        partnership.sessions[OFFICE].report(*NOVEMBER, la="Westshire Council")


@pytest.mark.parametrize("org", [NORTH, SOUTH, EAST])
def test_each_las_own_report_equals_the_offices_for_it(partnership: Partnership, org: str) -> None:
    own = dict(partnership.la_reports[org].as_json(), la=org)
    assert own == partnership.reports_by_la[org].as_json()


def test_office_does_not_log_cases(partnership: Partnership) -> None:
    office = partnership.sessions[OFFICE]
    with pytest.raises(InvalidInput, match="the business office does not log cases"):
        office.create_case(case("serious_incident", "2020-01-01", aware_date="2026-11-20"))


def test_la_bundle_touching_another_las_case_is_refused(
    partnership: Partnership, tmp_path: Path
) -> None:
    """A second (compromised) Northshire workstation edits a Southshire case."""
    office = partnership.sessions[OFFICE]
    south_case = partnership.ids["S1"]
    rogue = make_session(tmp_path / "rogue", NORTH, "la", "Rex Rogue")
    try:
        keys = tmp_path / "keys"
        keys.mkdir()
        rogue.sync.keys_export(keys / "rogue.keys.json")
        office.sync.add_peer(keys / "rogue.keys.json")
        office.sync.keys_export(keys / "office.keys.json")
        rogue.sync.add_peer(keys / "office.keys.json")
        # Bypass the Session's owner check, as a tampered program would.
        vault_of(rogue).record(
            rogue.projector,
            [(south_case, "case.edited", [Change(field="case_outline", value="changed")])],
            system_clock().now(),
        )
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        rogue.sync.export(inbox, office.identity.device_id)
        before = store_digest(office)
        (outcome,) = office.sync.import_from_dir(inbox)
        assert outcome.status == "refused"
        assert outcome.reason == (
            f"event 1 of device {rogue.identity.device_id}: {NORTH} may not change case "
            f"{south_case} of {SOUTH}"
        )
        assert store_digest(office) == before
        assert outcome.moved_to is not None and outcome.moved_to.parent.name == "rejected"
    finally:
        rogue.close()


def test_vault_files_hold_no_case_id_in_clear(partnership: Partnership) -> None:
    """The folders exchanged never show a case id (bundles are sealed, vaults encrypted)."""
    needles = [case_id.encode() for case_id in partnership.ids.values()]
    for path in partnership.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(needle in data for needle in needles), path
