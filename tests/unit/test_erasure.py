"""Erasure (issue 18, parts 1 and 4): two people erase a case; a signed certificate
says so; every chain and signature still verifies; no page keeps what was erased.

The case names a sentinel that appears nowhere else. Before the erasure the decrypted
pages hold it (so the search can fail); after it, neither the LA's vault nor the
office's, once the certificate has travelled, holds it in any table, search shadow
table, free page or write-ahead log. All people are synthetic.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import factories
import pytest
from bundle_support import register, vault_of
from click.testing import CliRunner
from forge_support import forged_bundle, forged_events
from office_support import deliver, office_for
from sqlcipher_pages import pages_holding

from notify_tui.cli import cli
from notify_tui.clock import ManualClock
from notify_tui.domain.chains import office_chain_id
from notify_tui.domain.erasure import ERASE_FIELD, ERASE_TYPE
from notify_tui.errors import InvalidInput, NotPermitted, WrongPassphrase
from notify_tui.services.session import Session
from notify_tui.store.events import Event
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import DATABASE_FILE

ADMIN, PASS = "Ada Admin (fictional)", "an admin passphrase, synthetic"
LEAD, LEAD_PASS = "Lee Lead (fictional)", "a lead passphrase, synthetic"
LEAD2, LEAD2_PASS = "Lou Lead (fictional)", "another lead passphrase, synthetic"
DEPUTY, DEPUTY_PASS = "Dee Deputy (fictional)", "a deputy passphrase, synthetic"
LA = "Testshire (test)"
SENTINEL = "Qwxsentinelzz"
OUTLINE_SENTINEL = "Outlinesentinelvq"
NEEDLES = [
    s.encode() for s in (SENTINEL, SENTINEL.lower(), OUTLINE_SENTINEL, OUTLINE_SENTINEL.lower())
]
REASON = "Retention schedule line 4.3: 15 years from the death (fictional)"


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
    session.add_user(LEAD, "lead", LEAD_PASS)
    session.add_user(LEAD2, "lead", LEAD2_PASS)
    session.add_user(DEPUTY, "deputy", DEPUTY_PASS)
    return registered(session)


def registered(session: Session) -> Session:
    """`session`, its vault known to `vault_of` (white-box reads of the pages)."""
    return register(session, session._vault)  # noqa: SLF001


def child_death(
    died: str, family: str = "Retention-Fictional", born: str = "2005-01-01"
) -> dict[str, object]:
    """A child death: 15 years from the death (the default schedule) runs out on the
    anniversary, so one on 22 Nov 2011 is due on 22 Nov 2026."""
    return factories.case(
        "child_death",
        subjects=[factories.subject(given_names="Ada", family_name=family)],
        facts={"date_of_birth": born, "event_date": died, "aware_date": died,
               "abuse_or_neglect": "none"},
        case_outline="SYNTHETIC TEST CASE",
    )  # fmt: skip


def sentinel_case() -> dict[str, object]:
    document = child_death("2011-11-22", family=SENTINEL)
    document["case_outline"] = f"SYNTHETIC TEST CASE {OUTLINE_SENTINEL}"
    return document


def erase(session: Session, case_id: str, **options: object) -> object:
    return session.erasure.erase(
        case_id,
        reason=str(options.pop("reason", REASON)),
        confirm_user=str(options.pop("confirm_user", LEAD)),
        confirm_passphrase=str(options.pop("confirm_passphrase", LEAD_PASS)),
        **options,  # type: ignore[arg-type]
    )


def found_anywhere(session: Session) -> list[str]:
    """Where the sentinel is, through the store's own connection (every table, the
    search shadow tables among them) and in the decrypted pages (free pages and the
    write-ahead log among them)."""
    vault = vault_of(session)
    db = vault.db
    places = []
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in db.execute(f"SELECT * FROM [{table}]"):
            for value in row:
                data = value if isinstance(value, bytes) else str(value).encode()
                if any(needle in data for needle in NEEDLES):
                    places.append(f"table {table}")
                    break
    return places + pages_holding(vault.home / DATABASE_FILE, vault.data_key, NEEDLES)


def event_count(session: Session) -> int:
    return int(vault_of(session).db.execute("SELECT count(*) FROM events").fetchone()[0])


# -- the whole story ------------------------------------------------------------------


def test_an_erased_case_is_gone_from_every_page_at_both_ends(
    la: Session, home: Path, tmp_path: Path
) -> None:
    (case_id,) = la.create_cases([sentinel_case()])
    (other,) = la.create_cases([child_death("2012-01-05")])  # not due: kept
    la.open_case(case_id)  # an access log entry on the case
    office = registered(office_for(la, tmp_path / "office"))
    deliver(la, office, tmp_path / "to-office-1")
    for session in (la, office):  # the search can fail: tables and pages hold it
        places = found_anywhere(session)
        assert {"table events", "table cases", "table cases_fts_data"} <= set(places), places
        assert any(place.startswith(("db page", "wal frame")) for place in places), places

    view = erase(la, case_id)
    assert view.record.by == ADMIN and view.record.confirmed_by == LEAD
    assert view.record.ground == "retention" and view.record.due_on == "2026-11-22"
    # The certificate lists every event of the case before it by the SHA-256 of what
    # erasure leaves of it (worked out here from the stored JSON, not by the program).
    headers = [
        json.loads(row[0])
        for row in vault_of(la).db.execute(
            "SELECT body FROM events WHERE case_id = ? AND type != ?", [case_id, ERASE_TYPE]
        )
    ]
    expected = sorted(
        hashlib.sha256(
            json.dumps(
                {key: header[key] for key in
                 ("device", "seq", "prev", "at", "author", "org", "case", "type", "id")},
                sort_keys=True, separators=(",", ":"), ensure_ascii=False,
            ).encode()
        ).hexdigest()
        for header in headers
    )  # fmt: skip
    assert all("changes" not in header for header in headers)
    assert view.record.events == len(expected) == view.erased_here >= 2
    assert view.record.entries == expected
    assert found_anywhere(la) == []

    deliver(la, office, tmp_path / "to-office-2")
    assert found_anywhere(office) == []
    deliver(office, la, tmp_path / "to-la")  # the office's receipts come back

    for session in (la, office):
        report = session.doctor()
        assert report.problems == (), report.problems
        assert session.erasure.erased(other) is None
        assert session.case_detail(other).id == other  # the other case is untouched
        shown = session.erasure.erased(case_id)
        assert shown is not None and shown.certificate == view.certificate
        with pytest.raises(InvalidInput, match=f"case {case_id} was erased on 23 Nov 2026"):
            session.open_case(case_id)
    # The audit trail keeps who did what kind of step, and the certificate, in words.
    sentences = [entry.summary for entry in la.audit() if entry.case == case_id]
    assert f"{ADMIN} made a case.created entry; what it said was erased" in sentences
    assert (
        f"{ADMIN} erased the case at the end of its retention period, confirmed by {LEAD}: {REASON}"
    ) in sentences
    # The LA sees the office's receipt of the certificate: its copy is erased too.
    confirmed = la.erasure.erased(case_id)
    assert confirmed is not None
    assert [peer.device for peer in confirmed.confirmations] == [office.identity.device_id]

    la.close()
    office.close()
    code, out = run(
        tmp_path / "office", "case", "show", case_id, user="Ola Order",
        passphrase="a long test passphrase",
    )  # fmt: skip
    assert code == 0, out
    assert out.startswith(f"Case {case_id} — {LA}: erased on 23 Nov 2026, certificate ")
    assert SENTINEL not in out
    code, out = run(home, "case", "show", case_id)
    assert code == 0, out
    assert out.startswith(f"Case {case_id} — {LA}: erased on 23 Nov 2026, certificate ")
    assert f"  Erased by {ADMIN}, confirmed by {LEAD}" in out
    assert "  Erased at Testshire Safeguarding Office (test) (office, " in out
    assert f"{ADMIN}: case.created (erased)" in out
    assert SENTINEL not in out


def test_a_late_step_of_the_office_on_an_erased_case_is_erased_on_arrival(
    la: Session, tmp_path: Path
) -> None:
    (case_id,) = la.create_cases([sentinel_case()])
    office = registered(office_for(la, tmp_path / "office"))
    deliver(la, office, tmp_path / "a")
    # The office looks at the case before the certificate reaches it (an access entry
    # on its chain for the LA, about the case); the LA erases meanwhile.
    office.open_case(case_id)
    erase(la, case_id)
    deliver(office, la, tmp_path / "b")  # the office's step arrives after the erasure
    deliver(la, office, tmp_path / "c")  # the certificate arrives at the office
    for session in (la, office):
        assert session.doctor().problems == ()
        assert found_anywhere(session) == []
        trail = session.erasure.trail(case_id)
        assert all(erased for _, _, kind, erased in trail if kind != ERASE_TYPE)
        assert ("access.recorded", office.identity.author) in {
            (kind, author) for _, author, kind, _ in trail
        }


def test_a_device_that_never_held_the_case_takes_it_erased_from_the_office(
    la: Session, tmp_path: Path
) -> None:
    """A second LA workstation syncs only after the erasure: the office relays the first
    one's chain to it as erasure left it, the certificate vouching for each erased event
    in the same bundle; it holds the case erased and nothing of what it said."""
    (case_id,) = la.create_cases([sentinel_case()])
    office = registered(office_for(la, tmp_path / "office"))
    deliver(la, office, tmp_path / "a")
    erase(la, case_id)
    deliver(la, office, tmp_path / "b")
    second = second_device(la, office, tmp_path)
    deliver(office, second, tmp_path / "c")
    assert second.erasure.erased(case_id) is not None
    assert second.erasure.trail(case_id)  # the erased events came, with who and when
    assert second.doctor().problems == ()
    assert found_anywhere(second) == []


def test_doctor_sees_an_erasure_forged_or_left_unfinished(la: Session) -> None:
    """An event made to look erased with no certificate of its case is reported as
    tampered; an erased case whose event got its content back (an erasure interrupted,
    or undone by hand) is reported, and `erase` again finishes it."""
    (kept,) = la.create_cases([child_death("2012-01-05")])
    (gone,) = la.create_cases([sentinel_case()])
    db = vault_of(la).db
    (gone_id, gone_body) = db.execute(
        "SELECT id, body FROM events WHERE case_id = ? AND type = 'case.created'", [gone]
    ).fetchone()
    certificate = erase(la, gone).certificate  # type: ignore[attr-defined]
    (kept_body,) = db.execute(
        "SELECT body FROM events WHERE case_id = ? AND type = 'case.created'", [kept]
    ).fetchone()
    kept_event = Event.model_validate_json(kept_body)
    with db.atomic():
        db.execute(
            "UPDATE events SET body = ? WHERE id = ?",
            [kept_event.erased_by(certificate).to_json(), kept_event.id],
        )
    problems = la.doctor().problems
    assert (
        f"event {kept_event.id}: it is erased, but no erasure certificate of case {kept} is "
        "held (tampered)"
    ) in problems
    with db.atomic():  # put it back; give the erased case's creation its content again
        db.execute("UPDATE events SET body = ? WHERE id = ?", [kept_body, kept_event.id])
        db.execute("UPDATE events SET body = ? WHERE id = ?", [gone_body, gone_id])
    problems = la.doctor().problems
    assert any(
        line.startswith(f"case {gone}: it is erased, but 1 of its events still hold")
        and f"`notify-tui case erase {gone}`" in line
        for line in problems
    ), problems
    finished = erase(la, gone)
    assert finished.certificate == certificate  # type: ignore[attr-defined]
    assert la.doctor().problems == ()
    with pytest.raises(InvalidInput, match="nothing is left to erase"):
        erase(la, gone)


# -- holds, grounds and people ----------------------------------------------------------


def test_a_held_case_cannot_be_erased_until_the_hold_is_lifted(la: Session) -> None:
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    la.retention.place(case_id, "Fictional Inquiry, order 2026/17")
    before = event_count(la)
    with pytest.raises(
        InvalidInput,
        match=re.escape(
            f"case {case_id} cannot be erased: {case_id} is held by {ADMIN} "
            "(Testshire (test)) since 23 Nov 2026: Fictional Inquiry, order 2026/17"
        ),
    ):
        erase(la, case_id)
    assert event_count(la) == before and la.erasure.erased(case_id) is None
    la.retention.lift(case_id, "The inquiry released its order (fictional)")
    assert erase(la, case_id).case_id == case_id  # type: ignore[attr-defined]


def test_a_hold_on_everything_stops_every_erasure(la: Session) -> None:
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    la.retention.place(None, "Fictional national moratorium 2026")
    with pytest.raises(InvalidInput, match="everything is held by"):
        erase(la, case_id)


def test_a_case_not_yet_due_is_refused_with_its_date(la: Session) -> None:
    # Died 23 Nov 2011: 15 years run out on 23 Nov 2026 — today is the 23rd, so due;
    # one who died on the 24th is due tomorrow and refused.
    (due,) = la.create_cases([child_death("2011-11-23")])
    (tomorrow,) = la.create_cases([child_death("2011-11-24")])
    before = event_count(la)
    with pytest.raises(InvalidInput, match="may be destroyed from 24 Nov 2026"):
        erase(la, tomorrow)
    assert event_count(la) == before
    assert erase(la, due).record.due_on == "2026-11-23"  # type: ignore[attr-defined]


def test_a_duplicate_is_erased_whatever_its_date_and_names_the_case_kept(la: Session) -> None:
    (kept,) = la.create_cases([child_death("2026-11-01", born="2015-01-01")])
    (twice,) = la.create_cases([child_death("2026-11-01", born="2015-01-01")])
    view = erase(la, twice, duplicate_of=kept, reason="Logged twice by mistake (fictional)")
    assert (view.record.ground, view.record.duplicate_of) == ("duplicate", kept)  # type: ignore[attr-defined]
    assert la.case_detail(kept).id == kept
    with pytest.raises(InvalidInput, match="--duplicate-of: name the case kept"):
        erase(la, kept, duplicate_of=kept)
    with pytest.raises(InvalidInput, match=f"--duplicate-of: no case {twice}"):
        erase(la, kept, duplicate_of=twice)


@pytest.mark.parametrize(
    ("user", "passphrase", "confirm_user", "confirm_pass", "error", "message"),
    [
        (DEPUTY, DEPUTY_PASS, ADMIN, PASS, NotPermitted, "may not erase a case"),
        (LEAD, LEAD_PASS, LEAD2, LEAD2_PASS, NotPermitted, "takes an admin and a lead"),
        (ADMIN, PASS, DEPUTY, DEPUTY_PASS, NotPermitted, "may not confirm an erasure"),
        (ADMIN, PASS, ADMIN, PASS, InvalidInput, "someone other than you"),
        (ADMIN, PASS, LEAD, "not the lead's passphrase", WrongPassphrase,
         "wrong passphrase for Lee Lead"),
        (ADMIN, PASS, "Nobody (fictional)", "x" * 12, InvalidInput, "not a user of this vault"),
    ],
)  # fmt: skip
def test_two_people_an_admin_and_a_lead(
    la: Session, home: Path, user: str, passphrase: str, confirm_user: str,
    confirm_pass: str, error: type[Exception], message: str,
) -> None:  # fmt: skip
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    la.close()
    session = registered(Session.unlock(
        home, passphrase=passphrase, user=user, owner=InlineOwner(),
        clock=clock_on(date(2026, 11, 23)),
    ))  # fmt: skip
    before = event_count(session)
    with pytest.raises(error, match=message):
        erase(session, case_id, confirm_user=confirm_user, confirm_passphrase=confirm_pass)
    assert event_count(session) == before and session.erasure.erased(case_id) is None
    # A lead with an admin confirming may.
    if user == LEAD:
        assert erase(session, case_id, confirm_user=ADMIN, confirm_passphrase=PASS)


def test_refusals_name_what_is_wrong(la: Session, tmp_path: Path) -> None:
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    with pytest.raises(InvalidInput, match="--reason: say why in at least 10"):
        erase(la, case_id, reason="old")
    with pytest.raises(InvalidInput, match="--reason holds the control character U\\+001B"):
        erase(la, case_id, reason="Schedule \x1b[31m line 4")
    with pytest.raises(InvalidInput, match="no case CD-NOPE"):
        erase(la, "CD-NOPE")
    erase(la, case_id)
    with pytest.raises(InvalidInput, match="already erased on 23 Nov 2026, certificate"):
        erase(la, case_id)
    before = event_count(la)
    erased_words = f"case {case_id} was erased on 23 Nov 2026, certificate "
    for verb, message in (
        (lambda: la.edit_case(case_id, {"case_outline": "After the erasure."}), erased_words),
        (lambda: la.withdraw(case_id, "cdop-notification", "No longer applies (fictional)"),
         erased_words),
        (lambda: la.retention.place(case_id, "Fictional Inquiry, order 2026/17"),
         f"no case {case_id}"),
    ):  # fmt: skip
        with pytest.raises(InvalidInput, match=re.escape(message)):
            verb()
    assert event_count(la) == before  # nothing is recorded on an erased case
    office = registered(office_for(la, tmp_path / "office"))
    (second,) = la.create_cases([child_death("2011-11-22")])
    deliver(la, office, tmp_path / "a")
    with pytest.raises(InvalidInput, match="the business office does not erase an LA's case"):
        office.erasure.erase(second, reason=REASON, confirm_user=ADMIN, confirm_passphrase=PASS)


# -- what a peer may send ---------------------------------------------------------------


def test_an_erased_event_without_its_certificate_is_refused(la: Session, tmp_path: Path) -> None:
    office = registered(office_for(la, tmp_path / "office"))
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    # An event of the LA's chain, erased by a certificate no one wrote: signed by the
    # LA's real key, its id and signature verify, but nothing vouches for the erasure.
    vault = vault_of(la)
    chain = [
        event.erased_by("ab" * 32) if event.case == case_id else event
        for event in vault.iter_events(la.identity.device_id)
    ]
    data = forged_bundle(la, office, chain)
    path = tmp_path / "forged.ntbundle"
    path.write_bytes(data)
    (outcome,) = office.sync.import_files([path])
    assert outcome.status == "refused"
    (seq,) = [event.seq for event in chain if event.erased is not None]
    assert outcome.reason == (
        f"event {seq} of device {la.identity.device_id}: it is erased, but no erasure "
        f"certificate of case {case_id} is held; import the bundle that carries it first"
    )
    assert office.erasure.erased(case_id) is None and event_count(office) == 0


def test_a_certificate_keeps_the_event_rules(la: Session) -> None:
    from notify_tui.domain.event_rules import check_event

    (case_id,) = la.create_cases([child_death("2011-11-22")])
    good = {
        "ground": "retention", "rule": "15 years from the date of death (x)",
        "due_on": "2026-11-22", "reason": REASON, "by": ADMIN, "confirmed_by": LEAD,
        "events": 1, "entries": ["0" * 64],
    }  # fmt: skip
    cases = [
        (good, "owner", None),
        ({**good, "by": DEPUTY}, "owner", "erasure.by: is not the event's author"),
        ({**good, "confirmed_by": ADMIN}, "owner", "confirmed by a second person"),
        ({**good, "ground": "duplicate"}, "owner", "names the case kept"),
        ({**good, "due_on": None}, "owner", "names its rule and due date"),
        ({**good, "name": SENTINEL}, "owner", "erasure.name: is not a known field"),
        (good, "office", "role rule: case.erased"),
    ]
    for value, relation, expected in cases:
        (event,) = forged_events(la, [(case_id, ERASE_TYPE, [_change(ERASE_FIELD, value)])])
        problem = check_event(event, relation, partnership=False, duty_ids=())  # type: ignore[arg-type]
        if expected is None:
            assert problem is None, problem
        else:
            assert problem is not None and expected in str(problem), (value, problem)


def _change(field: str, value: object) -> object:
    from forge_support import change

    return change(field, value)


# -- the CLI ----------------------------------------------------------------------------


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


def test_the_cli_erases_with_a_second_person_and_shows_it(
    la: Session, home: Path, tmp_path: Path
) -> None:
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    la.close()
    secret = tmp_path / "lead.pass"
    secret.write_text(LEAD_PASS + "\n")
    code, out = run(
        home, "case", "erase", case_id, "--reason", REASON, "--confirm-user", LEAD,
        "--confirm-passphrase-file", str(secret), "--json",
    )  # fmt: skip
    assert code == 0, out
    shown = json.loads(out)
    assert (shown["id"], shown["erased"], shown["by"], shown["confirmed_by"]) == (
        case_id, True, ADMIN, LEAD,
    )  # fmt: skip
    code, out = run(home, "case", "show", case_id, "--json")
    assert code == 0 and json.loads(out)["certificate"] == shown["certificate"]
    code, out = run(home, "case", "list", "--json")
    assert case_id not in out
    code, out = run(home, "doctor")
    assert code == 0, out


def test_cli_refusals_are_one_line(la: Session, home: Path, tmp_path: Path) -> None:
    (case_id,) = la.create_cases([child_death("2011-11-22")])
    la.retention.place(case_id, "Fictional Inquiry, order 2026/17")
    la.close()
    secret = tmp_path / "lead.pass"
    secret.write_text(LEAD_PASS + "\n")
    code, out = run(
        home, "case", "erase", case_id, "--reason", REASON, "--confirm-user", LEAD,
        "--confirm-passphrase-file", str(secret),
    )  # fmt: skip
    assert code == 2 and len(out.strip().splitlines()) == 1, out
    assert f"cannot be erased: {case_id} is held by {ADMIN}" in out
    code, out = run(home, "case", "erase", case_id, "--reason", REASON)
    assert code == 2 and "--confirm-user" in out


# -- what a trusted peer may not do with erasure (from an independent review) -------------


def second_device(la: Session, office: Session, tmp_path: Path) -> Session:
    """Another workstation of the LA, trusting the office and the first one."""
    second, _ = Session.init(
        tmp_path / "la2", PASS, org=LA, role="la", author=ADMIN, kdf=ARGON2_FLOOR,
        owner=InlineOwner(), clock=la.clock,
    )  # fmt: skip
    second = registered(second)
    keys = tmp_path / "keys2"
    keys.mkdir()
    for one, other in ((second, office), (office, second)):
        path = keys / f"{one.identity.device_id}.json"
        one.sync.keys_export(path)
        other.sync.add_peer(path, one.sync.me().fingerprint)
    second.sync.add_peer(
        tmp_path / "office-keys" / f"{la.identity.device_id}.json", la.sync.me().fingerprint
    )
    return second


def import_forged(sender: Session, receiver: Session, events: list[Event], path: Path) -> object:
    path.write_bytes(forged_bundle(sender, receiver, events))
    (outcome,) = receiver.sync.import_files([path])
    return outcome


def test_a_certificate_never_comes_erased(la: Session, tmp_path: Path) -> None:
    """A `case.erased` event with no record, naming itself as its certificate, would
    vouch for itself: from the office (whose full certificate the role rule refuses) it
    would erase the LA's own case in the LA's vault. It is refused as it is parsed."""
    (case_id,) = la.create_cases([sentinel_case()])
    office = registered(office_for(la, tmp_path / "office"))
    deliver(la, office, tmp_path / "a")
    chain = office_chain_id(office.identity.device_id, LA)
    (forged,) = forged_events(
        office, [(case_id, ERASE_TYPE, [_change("access", {"action": "opened"})])], chain=chain
    )
    outcome = import_forged(office, la, [forged.erased_by(forged.id)], tmp_path / "x.ntbundle")
    assert outcome.status == "refused"  # type: ignore[attr-defined]
    assert outcome.reason == "event 1 in the payload is not valid (sig)"  # type: ignore[attr-defined]
    assert la.erasure.erased(case_id) is None and la.case_detail(case_id).id == case_id


def test_a_relay_cannot_pass_a_live_event_off_as_erased(la: Session, tmp_path: Path) -> None:
    """The office relays the LA's chain to a second workstation with a live case's
    creation rewritten as an erased event of the case that really was erased (same id
    and signature: they do not cover what erasure leaves). The certificate does not list
    it, and the office does not sign that chain: refused, nothing written."""
    (gone,) = la.create_cases([sentinel_case()])
    (kept,) = la.create_cases([child_death("2012-01-05")])
    office = registered(office_for(la, tmp_path / "office"))
    deliver(la, office, tmp_path / "a")
    certificate = erase(la, gone).certificate  # type: ignore[attr-defined]
    deliver(la, office, tmp_path / "b")
    second = second_device(la, office, tmp_path)
    chain = [
        Event.model_construct(
            **{name: getattr(event, name) for name in Event.model_fields if name != "changes"}
            | {"changes": [], "case": gone, "erased": certificate, "type": "access.recorded"}
        )
        if event.case == kept
        else event
        for event in vault_of(office).iter_events(la.identity.device_id)
    ]
    (seq,) = [event.seq for event in vault_of(la).case_events(kept)]
    outcome = import_forged(office, second, chain, tmp_path / "relay.ntbundle")
    assert outcome.status == "refused"  # type: ignore[attr-defined]
    assert outcome.reason == (  # type: ignore[attr-defined]
        f"event {seq} of device {la.identity.device_id}: it is erased, but case {gone}'s "
        "erasure certificate does not list it as erased (relayed as erased by a device "
        "that does not sign its chain)"
    )
    assert event_count(second) == 0
    deliver(office, second, tmp_path / "c")  # the honest relay is taken
    assert second.case_detail(kept).id == kept and second.erasure.erased(gone) is not None


def test_what_erasure_leaves_keeps_the_rules_of_a_header(la: Session, tmp_path: Path) -> None:
    """An erased event with an author holding terminal escapes is refused as any event
    would be."""
    (gone,) = la.create_cases([sentinel_case()])
    office = registered(office_for(la, tmp_path / "office"))
    erase(la, gone)
    chain = [
        Event.model_construct(
            **{name: getattr(event, name) for name in Event.model_fields}
            | {"author": "\x1b[2JSomeone"}
        )
        if event.erased is not None
        else event
        for event in vault_of(la).iter_events(la.identity.device_id)
    ]
    outcome = import_forged(la, office, chain, tmp_path / "x.ntbundle")
    assert outcome.status == "refused"  # type: ignore[attr-defined]
    assert "author: holds the control character U+001B (an erased event)" in (
        outcome.reason  # type: ignore[attr-defined]
    )


def test_a_hold_at_the_office_keeps_its_copy_until_it_is_lifted(
    la: Session, tmp_path: Path
) -> None:
    """The office has put the case on hold; the LA, not told yet, erases it. The office
    keeps the certificate and its copy whole while its hold stands, says so, records
    nothing more on it, and erases its copy when it lifts the hold."""
    (case_id,) = la.create_cases([sentinel_case()])
    office = registered(office_for(la, tmp_path / "office"))
    deliver(la, office, tmp_path / "a")
    office.retention.place(case_id, "Coroner's inquest, order 2026/99 (fictional)")
    erase(la, case_id)
    folder = tmp_path / "b"
    folder.mkdir()
    (path,) = la.sync.export(folder, office.identity.device_id)
    (outcome,) = office.sync.import_files([path])
    assert (outcome.status, outcome.erased, outcome.kept_under_hold) == (
        "imported", (), (case_id,),
    )  # fmt: skip
    assert office.case_detail(case_id).id == case_id  # still readable under the hold
    assert SENTINEL in json.dumps(office.case_detail(case_id).document)
    view = office.erasure.erased(case_id)
    assert view is not None and view.kept_under is not None
    assert "Coroner's inquest, order 2026/99" in view.kept_under
    with pytest.raises(InvalidInput, match="kept whole here while"):
        office.edit_case(case_id, {"case_outline": "x"})
    assert office.doctor().problems == ()
    lifted = office.retention.lift(case_id, "The inquest has closed (fictional)")
    assert lifted.erased == (case_id,)
    assert found_anywhere(office) == []
    assert office.doctor().problems == ()
