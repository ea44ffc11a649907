"""The business office: LA column and filter, the office workflow tab, yearly report.

Real encrypted vaults: two LAs and an office exchange keys, the LAs send their cases in
bundles (`SyncService`), and the office app works on them. All data is synthetic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import factories
import pytest
from report_checks import assert_matches
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from notify_tui.domain import codes
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.tui.app import make_app
from notify_tui.tui.modals.annual_report import AnnualReportScreen
from notify_tui.tui.modals.office_step import OfficeStepScreen
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.reports import ReportsScreen
from notify_tui.tui.widgets.virtual_table import VirtualTable

SIZE = (120, 40)
TODAY = "2026-11-23"
PASSPHRASE = "a long test passphrase"
NORTH = "Northshire Council (test)"
SOUTH = "Southshire Council (test)"
OFFICE = "Shires Partnership Office (test)"
CDOP = "cdop-notification"


@dataclass
class Partnership:
    """Two LAs and their office, each with a vault; the office holds both LAs' cases."""

    north: Session
    south: Session
    office: Session
    incident: str
    """Northshire's serious incident, Panel notification sent 9 Nov."""
    death: str
    """Southshire's child death."""
    folder: Path


def new_vault(home: Path, org: str, role: str) -> Session:
    session, _ = Session.init(
        home,
        PASSPHRASE,
        org=org,
        role=role,  # type: ignore[arg-type]
        author=f"{org.split()[0]} User",
        kdf=ARGON2_FLOOR,
    )
    return session


def introduce(a: Session, b: Session, folder: Path) -> None:
    """a and b trust each other's keys."""
    for sender, receiver in ((a, b), (b, a)):
        keys = folder / f"{sender.identity.device_id}.keys.json"
        sender.sync.keys_export(keys)
        receiver.sync.add_peer(keys)


def send(sender: Session, receiver: Session, folder: Path) -> None:
    """One bundle from sender to receiver, imported."""
    outbox = folder / "outbox"
    outbox.mkdir(exist_ok=True)
    (bundle,) = sender.sync.export(outbox, receiver.identity.device_id)
    assert receiver.sync.import_bundle(bundle).status == "imported"


@pytest.fixture
def partnership(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Partnership]:
    """Two LAs and their office, per test: the tests write (steps, a yearly report)."""
    folder = tmp_path_factory.mktemp("partnership")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NOTIFY_TUI_TODAY", TODAY)
        north = new_vault(folder / "north", NORTH, "la")
        south = new_vault(folder / "south", SOUTH, "la")
        office = new_vault(folder / "office", OFFICE, "office")
        introduce(north, office, folder)
        introduce(south, office, folder)
        incident = north.create_case(
            factories.case(
                "serious_incident",
                subjects=[{"given_names": "Pip", "family_name": "North-Fictional"}],
                facts={
                    "abuse_or_neglect": "suspected",
                    "date_of_birth": "2019-05-01",
                    "outcome": "seriously_harmed",
                    "event_date": "2026-11-02",
                    "aware_date": "2026-11-03",
                },
            )
        )
        north.mark_sent(incident, "panel-notification", date(2026, 11, 9), "SIN-0001")
        death = south.create_case(
            factories.case(
                "child_death",
                subjects=[{"given_names": "Sol", "family_name": "South-Fictional"}],
                facts={
                    "abuse_or_neglect": "none",
                    "date_of_birth": "2023-02-01",
                    "event_date": "2026-11-16",
                    "aware_date": "2026-11-16",
                },
            )
        )
        send(north, office, folder)
        send(south, office, folder)
        yield Partnership(north, south, office, incident, death, folder)
        for session in (north, south, office):
            session.close()


def dashboard_rows(screen: DashboardScreen) -> list[list[str]]:
    table = screen.query_one("#duties", VirtualTable)
    return [[str(c).strip() for c in table.get_row_at(i)] for i in range(table.row_count)]


def duty_status(screen: CaseDetailScreen, duty_id: str) -> str:
    table = screen.query_one("#case-duties", DataTable)
    return str(table.get_row(duty_id)[4]).strip()


def office_steps(screen: CaseDetailScreen) -> dict[str, str]:
    table = screen.query_one("#office-steps", DataTable)
    return {str(k.value): str(table.get_row(k)[2]) for k in table.rows}


async def test_office_filters_by_la_and_records_the_rapid_review(
    partnership: Partnership,
) -> None:
    """The LA column and `g` keep each LA's cases apart; `o` records "sent to the Panel":
    refused out of order (the dialog stays open with its date), recorded as a correction."""
    office = partnership.office
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        table = dashboard.query_one("#duties", VirtualTable)
        assert [c.label for c in table.columns][:3] == ["Case", "LA", "Status"]
        assert {row[1] for row in dashboard_rows(dashboard)} == {NORTH, SOUTH}
        await pilot.press("g")
        await pilot.pause()
        assert {row[1] for row in dashboard_rows(dashboard)} == {NORTH}
        assert f"LA {NORTH}" in str(dashboard.query_one("#filters", Static).render())
        await pilot.press("g")
        await pilot.pause()
        assert {row[1] for row in dashboard_rows(dashboard)} == {SOUTH}
        await pilot.press("g")
        await pilot.pause()
        assert {row[1] for row in dashboard_rows(dashboard)} == {NORTH, SOUTH}

        dashboard.open_case(partnership.incident)
        await pilot.pause()
        case = app.screen
        assert isinstance(case, CaseDetailScreen)
        assert duty_status(case, "rapid-review") == "later"
        await pilot.press("e")  # the LA's facts are the LA's to change: no editor here
        await pilot.pause()
        assert app.screen is case
        await pilot.press("5")
        await pilot.pause()
        assert office_steps(case)["rapid_review.sent_to_panel"] == "not yet"
        assert "cdop.category" not in office_steps(case)  # not a child death
        await pilot.press("o")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, OfficeStepScreen)
        modal.query_one("#step", Select).value = "rapid_review.sent_to_panel"
        modal.query_one("#day", Input).value = "2026-11-20"
        assert not modal.query_one("#reason-part").display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is modal  # refused: still open, with what was typed
        error = str(modal.query_one("#step-error", Static).render())
        assert (
            "record 'Rapid review started'" in error and "'Rapid review completed' first" in error
        )
        assert "tick Correction and give the reason" in error and "--correction" not in error
        assert modal.query_one("#day", Input).value == "2026-11-20"
        assert modal.step_key == "rapid_review.sent_to_panel"
        modal.query_one("#correction", Checkbox).value = True
        await pilot.pause()
        assert modal.query_one("#reason-part").display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is modal
        assert "Reason: a correction needs its reason" in str(
            modal.query_one("#step-error", Static).render()
        )
        reason = "Sent by secure email; the earlier steps were kept on paper."
        modal.query_one("#reason", Input).value = reason
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is case
        assert office_steps(case)["rapid_review.sent_to_panel"] == (
            f"Fri 20 Nov 2026 (correction: {reason})"
        )
        assert duty_status(case, "rapid-review") == "sent"

        await pilot.press("o")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, OfficeStepScreen)
        assert modal.step_key == "rapid_review.started"  # the first step not yet recorded
        modal.query_one("#step", Select).value = "panel_response.response"
        await pilot.pause()
        assert modal.query_one("#outcome-part").display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "the Panel's answer" in str(modal.query_one("#step-error", Static).render())
        modal.query_one("#outcome", Select).value = "local_review"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert office_steps(case)["panel_response.response"] == "Mon 23 Nov 2026: local review"
    rapid = next(
        d for d in office.case_detail(partnership.incident).duties if d.duty == "rapid-review"
    )
    assert (rapid.status, rapid.sent_on) == ("sent", "2026-11-20")


async def test_office_records_a_cdop_category_and_reports_by_la(
    partnership: Partnership,
) -> None:
    """A category is chosen from the CDOP list; the reports screen counts it, per LA."""
    office = partnership.office
    category, label = next(iter(codes.cdop_categories().items()))
    # The CDOP categorises a death it has reviewed: those steps come first.
    office.record_office_step(partnership.death, "cdop", "review_meeting_held", "2026-11-19")
    office.record_office_step(partnership.death, "cdop", "reviewed_at_panel", "2026-11-20")
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.open_case(partnership.death)  # type: ignore[attr-defined]
        await pilot.pause()
        case = app.screen
        assert isinstance(case, CaseDetailScreen)
        await pilot.press("5", "o")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, OfficeStepScreen)
        modal.query_one("#step", Select).value = "cdop.category"
        await pilot.pause()
        assert not modal.query_one("#date-part").display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "choose a category" in str(modal.query_one("#step-error", Static).render())
        modal.query_one("#category", Select).value = category
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is case
        assert office_steps(case)["cdop.category"] == label
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("r")
        await pilot.pause()
        reports = app.screen
        assert isinstance(reports, ReportsScreen)
        start, end = date(2025, 11, 24), date(2026, 11, 23)
        assert_matches(reports, office.report(start, end))
        la = reports.query_one("#la", Select)
        assert not la.disabled
        la.value = SOUTH
        await pilot.pause()
        figures = office.report(start, end, SOUTH)
        assert figures.child_deaths.by_category == {category: 1}
        assert_matches(reports, figures)


async def test_the_la_sees_the_office_steps_read_only(partnership: Partnership) -> None:
    """Back at the LA, the office's steps show on the same tab; `o` records nothing."""
    office, north = partnership.office, partnership.north
    office.record_office_step(partnership.incident, "rapid_review", "started", date(2026, 11, 10))
    send(office, north, partnership.folder)
    app = make_app(north)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        assert "LA" not in [c.label for c in dashboard.query_one("#duties", VirtualTable).columns]
        dashboard.open_case(partnership.incident)
        await pilot.pause()
        case = app.screen
        assert isinstance(case, CaseDetailScreen)
        await pilot.press("5")
        await pilot.pause()
        assert office_steps(case)["rapid_review.started"] == "Tue 10 Nov 2026"
        assert "Recorded by the office" in str(case.query_one("#office-note", Static).render())
        await pilot.press("o")
        await pilot.pause()
        assert app.screen is case


async def test_office_records_the_yearly_report(partnership: Partnership) -> None:
    """The palette's "office: record yearly report" raises the 7-day sending duty."""
    office = partnership.office
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "office: record yearly report" in titles
        app.record_annual_report()
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, AnnualReportScreen)
        modal.query_one("#year", Input).value = "2025"
        modal.query_one("#published", Input).value = "2026-11-20"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    duty = next(d for d in office.open_duties() if d.duty == "annual-report-sent")
    assert duty.due == "2026-11-27"
    # The record is the office's own, but has no facts form: `e` does nothing there.
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        dashboard.open_case(duty.case_id)
        await pilot.pause()
        record = app.screen
        assert isinstance(record, CaseDetailScreen)
        assert "Yearly report" in str(record.sub_title)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is record
        await pilot.press("v")  # the submission view: nothing to submit, but no crash
        await pilot.pause()
        assert app.return_code is None  # still running, not crashed


async def test_office_confirms_a_withdrawal_the_la_asked_for(partnership: Partnership) -> None:
    """`c` on the office's case screen confirms the LA's request (the second person);
    until then the duty is still owed and shows the pending withdrawal."""
    south, office = partnership.south, partnership.office
    reason = "The child was normally resident in another area."
    south.withdraw(partnership.death, "cdop-notification", reason)
    send(south, office, partnership.folder)
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.open_case(partnership.death)  # type: ignore[attr-defined]
        await pilot.pause()
        case = app.screen
        assert isinstance(case, CaseDetailScreen)
        assert duty_status(case, "cdop-notification").endswith("· withdrawal pending")
        assert case.check_action("confirm_withdrawal", ()) is True
        await pilot.press("c")
        await pilot.pause()
        assert duty_status(case, "cdop-notification") == "withdrawn"
        detail = str(case.query_one("#duty-detail", Static).render())
        assert "confirmed by Shires User" in detail
    cdop = next(d for d in office.case_detail(partnership.death).duties if d.duty == CDOP)
    assert (cdop.status, cdop.withdrawn_reason) == ("withdrawn", reason)
    # The LA's own screen offers no confirmation: it is the office's to give.
    app = make_app(south)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.open_case(partnership.death)  # type: ignore[attr-defined]
        await pilot.pause()
        assert app.screen.check_action("confirm_withdrawal", ()) is False
