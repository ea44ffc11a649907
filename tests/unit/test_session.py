"""The Session verbs on a real encrypted vault, with hand-worked working-day dates.

Today is frozen at Monday 23 November 2026 (no bank holidays in late 2026 before
Christmas: 25 Dec is a Friday, 28 Dec the Boxing Day substitute).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import factories
import pytest

from notify_tui.clock import system_clock
from notify_tui.demo.vault import seed_synthetic
from notify_tui.errors import InvalidInput, VaultError
from notify_tui.services.session import Session
from notify_tui.services.types import DutyView, ReportPeriod
from notify_tui.store.events import Change
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory, frozen_today: str) -> Iterator[Vault]:
    """The store-level vault the session runs on (for white-box reads and raw writes)."""
    home = tmp_path_factory.mktemp("vault")
    opened, _ = Vault.create(
        home, "a long test passphrase", org="Testshire", role="la", author="Test Lead",
        now=system_clock().now(), kdf=ARGON2_FLOOR)  # fmt: skip
    yield opened
    opened.close()


def serious_incident(
    aware: str = "2026-11-17", family: str = "Fictional", event: str = "2026-11-16"
) -> dict[str, object]:
    return factories.case(
        "serious_incident",
        subjects=[factories.subject(given_names="Ada", family_name=family, sex="F")],
        facts={
            "date_of_birth": "2020-01-05",
            "outcome": "seriously_harmed",
            "event_date": event,
            "aware_date": aware,
            "abuse_or_neglect": "suspected",
        },
        case_outline="SYNTHETIC TEST CASE",
    )


@pytest.fixture(scope="module")
def session(vault: Vault) -> Iterator[Session]:
    with Session(vault) as opened:
        yield opened


def duties(session: Session, case_id: str) -> dict[str, DutyView]:
    return {d.duty: d for d in session.case_detail(case_id).duties}


def event_count(vault: Vault) -> int:
    return int(vault.db.execute("SELECT count(*) FROM events").fetchone()[0])


def test_panel_duty_due_five_working_days_after_awareness(session: Session) -> None:
    # Aware Tue 17 Nov 2026: 18, 19, 20, 23, 24 -> due Tue 24 Nov; today Mon 23 -> 1 left.
    case_id = session.create_case(serious_incident())
    panel = duties(session, case_id)["panel-notification"]
    assert panel.due == "2026-11-24"
    assert panel.working_days_left == 1
    assert panel.urgency == "due soon"
    assert duties(session, case_id)["rapid-review"].due is None


def test_sending_the_notification_starts_the_rapid_review_clock(session: Session) -> None:
    # Sent Fri 20 Nov 2026; 15 working days: 23-27 Nov (5), 30 Nov-4 Dec (10),
    # 7-11 Dec (15) -> due Fri 11 Dec 2026.
    case_id = session.create_case(serious_incident())
    session.mark_sent(case_id, "panel-notification", date(2026, 11, 20), "PANEL-TEST-1")
    rows = duties(session, case_id)
    assert rows["panel-notification"].status == "sent"
    assert rows["panel-notification"].reference == "PANEL-TEST-1"
    assert rows["rapid-review"].due == "2026-12-11"
    audit = session.case_detail(case_id).audit
    assert [entry.type for entry in audit] == ["case.created", "duty.sent"]
    assert audit[1].author == "Test Lead"


def test_an_overdue_duty_counts_negative_working_days(session: Session) -> None:
    # Aware Mon 9 Nov 2026 -> due Mon 16 Nov; today Mon 23: 17,18,19,20,23 -> 5 overdue.
    case_id = session.create_case(serious_incident(aware="2026-11-09", event="2026-11-06"))
    panel = duties(session, case_id)["panel-notification"]
    assert (panel.due, panel.working_days_left, panel.urgency) == (
        "2026-11-16",
        -5,
        "overdue",
    )
    assert case_id in {row.id for row in session.list_cases(overdue=True)}


def test_deciding_not_to_notify_closes_the_panel_duties(session: Session) -> None:
    case_id = session.create_case(serious_incident())
    session.decide(case_id, notify=False, rationale="Injury explained; no abuse suspected.")
    rows = duties(session, case_id)
    assert rows["panel-notification"].status == "not_notifying"
    assert rows["rapid-review"].status == "not_notifying"
    detail = session.case_detail(case_id)
    assert detail.document["decision"]["notify"] is False
    assert case_id not in {row.id for row in session.list_cases(overdue=True)}


def test_editing_the_awareness_date_moves_the_deadline(session: Session) -> None:
    case_id = session.create_case(serious_incident())
    # Aware Wed 18 Nov: 19, 20, 23, 24, 25 -> due Wed 25 Nov.
    session.edit_case(case_id, {"incident.aware_date": "2026-11-18"})
    assert duties(session, case_id)["panel-notification"].due == "2026-11-25"


@pytest.mark.parametrize(
    ("assignments", "words"),
    [
        ({"incident.aware_date": "2026-11-15"}, "aware_date"),  # before the event
        ({"incident.aware_date": "2026-12-01"}, "future"),
        ({"incident.outcome": "fine"}, "outcome"),
        ({"incident.colour": "blue"}, "not a known field"),
        ({"duties.panel-notification.sent": {"date": "2026-11-20"}}, "notify-tui duty"),
        ({"office.lcspr.published": "2026-11-20"}, "office step"),
    ],
)
def test_a_bad_edit_is_refused_and_records_nothing(
    session: Session, vault: Vault, assignments: dict[str, object], words: str
) -> None:
    case_id = session.create_case(serious_incident())
    before = event_count(vault)
    with pytest.raises(InvalidInput, match=words):
        session.edit_case(case_id, assignments)
    assert event_count(vault) == before


@pytest.mark.parametrize(
    ("sent_on", "words"), [(date(2026, 11, 24), "future"), (date(2026, 11, 16), "before")]
)
def test_a_bad_sent_date_is_refused(session: Session, sent_on: date, words: str) -> None:
    case_id = session.create_case(serious_incident())
    with pytest.raises(InvalidInput, match=words):
        session.mark_sent(case_id, "panel-notification", sent_on)


def test_an_unknown_duty_lists_the_case_duties(session: Session) -> None:
    case_id = session.create_case(serious_incident())
    with pytest.raises(InvalidInput, match="panel-notification, rapid-review"):
        session.mark_sent(case_id, "cdop-notification", date(2026, 11, 20))


def test_concurrent_edits_are_kept_as_a_conflict_until_resolved(
    session: Session, vault: Vault
) -> None:
    case_id = session.create_case(serious_incident())
    state = session._state(case_id)
    heads = state.fields["incident.event_date"].head_ids
    # Two edits that both replace the original value, as two devices offline would.
    for value in ("2026-11-14", "2026-11-15"):
        change = Change(field="incident.event_date", value=value, replaces=heads)
        vault.record(session.projector, [(case_id, "case.edited", [change])], session_now())
    [conflict] = [c for c in session.conflicts() if c.case_id == case_id]
    assert conflict.field == "incident.event_date"
    assert sorted(v.value for v in conflict.values) == ["2026-11-14", "2026-11-15"]
    session.resolve(case_id, "incident.event_date", "2026-11-14")
    assert [c for c in session.conflicts() if c.case_id == case_id] == []
    assert session.case_detail(case_id).document["incident"]["event_date"] == "2026-11-14"


def session_now():  # type: ignore[no-untyped-def]
    from notify_tui.clock import system_clock

    return system_clock().now()


def test_search_finds_a_case_by_family_name_prefix(session: Session) -> None:
    case_id = session.create_case(serious_incident(family="Zeppelinfake"))
    found = {row.id for row in session.list_cases(search="zeppel")}
    assert found == {case_id}
    with pytest.raises(InvalidInput):
        session.list_cases(search='"*')


def test_doctor_passes_on_a_healthy_vault(session: Session) -> None:
    report = session.doctor()
    assert report.ok, report.problems
    assert any("hash chains" in check for check in report.checks)


def test_seeded_cases_are_obviously_fake(session: Session) -> None:
    ids = seed_synthetic(session, 20, seed=3)
    assert len(ids) == 20
    for case_id in ids[:5]:
        detail = session.case_detail(case_id)
        assert detail.document["case_outline"].startswith("SYNTHETIC DEMO CASE")


def test_home_is_a_real_encrypted_file(session: Session) -> None:
    header = (Path(session.home) / "vault.db").read_bytes()[:16]
    assert header != b"SQLite format 3\x00"


def test_a_conflict_on_a_duty_record_resolves_to_one_of_its_values(
    session: Session, vault: Vault
) -> None:
    case_id = session.create_case(serious_incident())

    def sent(day: str) -> dict[str, object]:
        return {"date": day, "reference": None, "by": "Test Lead"}

    for day in ("2026-11-19", "2026-11-20"):
        change = Change(field="duties.panel-notification.sent", value=sent(day), replaces=[])
        vault.record(session.projector, [(case_id, "duty.sent", [change])], session_now())
    with pytest.raises(InvalidInput, match="choose one of the values"):
        session.resolve(case_id, "duties.panel-notification.sent", sent("2026-11-18"))
    session.resolve(case_id, "duties.panel-notification.sent", sent("2026-11-19"))
    assert duties(session, case_id)["panel-notification"].sent_on == "2026-11-19"
    assert [c for c in session.conflicts() if c.case_id == case_id] == []


def test_the_office_does_not_log_cases(tmp_path: Path) -> None:
    office, _ = Session.init(
        tmp_path / "office", "a long test passphrase", org="Test Partnership",
        role="office", author="Test Manager", kdf=ARGON2_FLOOR, owner=InlineOwner())  # fmt: skip
    with office, pytest.raises(InvalidInput, match="does not log cases"):
        office.create_case(serious_incident())


def test_a_stored_preferences_record_that_does_not_validate_is_refused(tmp_path: Path) -> None:
    """Never a silent reset to defaults: closure days would vanish and deadlines move."""
    home = tmp_path / "vault"
    vault, _ = Vault.create(
        home, "a long test passphrase", org="Testshire", role="la", author="Test Lead",
        now=system_clock().now(), kdf=ARGON2_FLOOR)  # fmt: skip
    broken = {"calendar": {"closure_days": ["2026-12-24", "not a day"]}}
    with vault:
        vault.set_meta("preferences", broken)
    with pytest.raises(VaultError) as refused:
        Session.unlock(home, passphrase="a long test passphrase", owner=InlineOwner())
    message = refused.value.message
    assert "\n" not in message
    assert "settings stored in this vault are not valid" in message
    assert "calendar.closure_days" in message
    assert "restore a backup" in message
    # The vault was closed again (its writer lock released) and the record left as it was.
    with Vault.open(home, passphrase="a long test passphrase", now=system_clock().now()) as again:
        assert again.get_meta("preferences") == broken


def test_unseen_edits_make_a_conflict_a_person_resolves(session: Session) -> None:
    case_id = session.create_case(serious_incident())
    session.record_unseen_edits(case_id, "incident.place", ["Ward 3 (test)", "Ward 5 (test)"])
    [conflict] = [c for c in session.conflicts() if c.case_id == case_id]
    assert conflict.field == "incident.place"
    assert sorted(str(v.value) for v in conflict.values) == ["Ward 3 (test)", "Ward 5 (test)"]
    with pytest.raises(InvalidInput, match="in the future"):
        session.record_unseen_edits(case_id, "incident.event_date", ["2026-11-15", "2027-01-01"])
    with pytest.raises(InvalidInput, match="two different values"):
        session.record_unseen_edits(case_id, "incident.place", ["Ward 3 (test)"] * 2)
    with pytest.raises(InvalidInput, match="only a fact"):
        session.record_unseen_edits(case_id, "decision", [{"notify": True}, {"notify": False}])
    session.resolve(case_id, "incident.place", "Ward 5 (test)")
    assert [c for c in session.conflicts() if c.case_id == case_id] == []


def test_returns_are_typed_and_print_as_the_old_rows(session: Session) -> None:
    """Attributes, and `as_json()` with the old keys in the old order for `--json`; no
    dict-style reads (a renamed field must break a type check, not a screen)."""
    case_id = session.create_case(serious_incident(family="Typedfake"))
    [summary] = session.list_cases(search="Typedfake")
    assert list(summary.as_json()) == [
        "id", "kind", "org", "initials", "names", "next_due", "working_days_left", "urgency",
        "open_duties", "decision", "conflicts", "created_at", "event_date", "aware_date",
        "outcome",
    ]  # fmt: skip
    assert summary.id == case_id
    with pytest.raises(TypeError):
        summary["id"]  # type: ignore[index]
    assert not hasattr(summary, "get") and not hasattr(summary, "keys")
    assert summary.as_json()["conflicts"] == []
    detail = session.case_detail(case_id)
    assert list(detail.as_json()) == [
        "id", "kind", "org", "created_at", "created_by", "updated_at", "document", "duties",
        "advisories", "conflicts", "problem", "rulepack", "audit",
    ]  # fmt: skip
    panel = next(d for d in detail.duties if d.duty == "panel-notification")
    assert list(panel.as_json())[:4] == ["case_id", "duty", "title", "required"]
    assert panel.due == "2026-11-24" and panel.as_json()["due"] == "2026-11-24"
    assert isinstance(detail.as_json()["duties"], list)
    assert (
        detail.audit[0].as_json()["summary"]
        == "Test Lead created the case (serious incident, 1 child)"
    )
    open_duty = next(d for d in session.open_duties() if d.case_id == case_id)
    assert list(open_duty.as_json())[-4:] == ["kind", "initials", "names", "org"]
    report = session.report(date(2026, 11, 1), date(2026, 11, 23))
    assert list(report.as_json()) == [
        "period", "la", "las", "notifications", "rapid_reviews", "local_reviews",
        "decisions_not_to_notify", "child_deaths", "late_sends", "open",
    ]  # fmt: skip
    assert report.period == ReportPeriod(start="2026-11-01", end="2026-11-23")
    assert report.as_json()["period"] == {"from": "2026-11-01", "to": "2026-11-23"}
    doctor = session.doctor()
    assert doctor.as_json() == {
        "ok": True,
        "checks": list(doctor.checks),
        "problems": [],
    }
