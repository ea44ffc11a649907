"""Drafts: forms being typed, kept in the encrypted vault, never cases, never exported.

A draft holds whatever the form holds (text that is not yet a date, say); it raises no
duty, never travels in a bundle, and its text is on disk only inside the SQLCipher file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bundle_support import export_to, make_session, trust_each_other, vault_of
from click.testing import CliRunner

from notify_tui.cli import cli
from notify_tui.clock import ManualClock
from notify_tui.errors import InvalidInput, VaultError
from notify_tui.services.session import Session
from notify_tui.store.migrations import MIGRATIONS
from notify_tui.sync import bundle as bundle_format

SENTINEL = "Zebedee-Sentinel-Fictional"
"""A name typed into a draft: it must never be found outside the encrypted database."""


@pytest.fixture
def la(tmp_path: Path) -> Session:
    session = make_session(tmp_path / "la", "Northshire Council (test)")
    session.clock = ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    return session


def save(session: Session, draft_id: str, revision: int, name: str = SENTINEL) -> bool:
    return session.drafts.save(
        draft_id,
        form="new_case",
        title="New serious incident",
        label="child Z.S.",
        context={"kind": "serious_incident"},
        values={"c1.given_names": name, "event_date": "30/02/20", "c1.unborn": False},
        revision=revision,
    )


def test_migration_8_makes_the_drafts_table() -> None:
    assert (8, "drafts: forms being typed, kept in the vault") in [
        (number, name) for number, name, _ in MIGRATIONS
    ]


def test_a_draft_keeps_what_was_typed_and_says_how_old_it_is(la: Session) -> None:
    draft_id = la.drafts.new_id()
    assert save(la, draft_id, 1)
    assert isinstance(la.clock, ManualClock)
    la.clock.advance(3 * 60 + 5)
    [summary] = la.drafts.summaries()
    assert (summary.id, summary.form, summary.title, summary.label, summary.case_id) == (
        draft_id, "new_case", "New serious incident", "child Z.S.", None
    )  # fmt: skip
    assert (summary.author, summary.age) == ("Test User", "3 minutes ago")
    draft = la.drafts.get(draft_id)
    assert draft.values["c1.given_names"] == SENTINEL
    assert draft.values["event_date"] == "30/02/20"  # as typed: a draft is not checked
    assert draft.context == {"kind": "serious_incident"} and draft.revision == 1
    assert la.drafts.count() == 1


def test_an_older_revision_never_replaces_a_newer_one(la: Session) -> None:
    """A slow background save arriving after a later one changes nothing."""
    draft_id = la.drafts.new_id()
    assert save(la, draft_id, 2, "Newer-Fictional")
    assert not save(la, draft_id, 1, "Older-Fictional")
    assert la.drafts.get(draft_id).values["c1.given_names"] == "Newer-Fictional"
    assert save(la, draft_id, 3, "Newest-Fictional")
    assert la.drafts.get(draft_id).values["c1.given_names"] == "Newest-Fictional"


def test_a_draft_is_not_a_case_and_raises_no_duty(la: Session) -> None:
    save(la, la.drafts.new_id(), 1)
    assert la.list_cases() == []
    assert la.open_duties() == []
    assert la.total_duties() == 0


def test_discarding(la: Session) -> None:
    draft_id = la.drafts.new_id()
    save(la, draft_id, 1)
    la.drafts.discard(draft_id)
    assert la.drafts.summaries() == []
    with pytest.raises(InvalidInput, match=f"no draft {draft_id}"):
        la.drafts.discard(draft_id)
    la.drafts.forget(draft_id)  # forgetting one already gone is no error


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"draft_id": "CASE-1"}, "not a draft id"),
        ({"form": "New Case!"}, "not a form name"),
        ({"revision": 0}, "revision"),
        ({"values": {"x": object()}}, "text, numbers, yes/no and lists only"),
        ({"values": {"x": "y" * 600_000}}, "too large"),
    ],
)
def test_bad_drafts_are_refused(la: Session, changes: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "draft_id": la.drafts.new_id(),
        "form": "new_case",
        "title": "t",
        "values": {"a": "b"},
        "revision": 1,
    }
    arguments.update(changes)
    draft_id = arguments.pop("draft_id")
    with pytest.raises(InvalidInput, match=message):
        la.drafts.save(draft_id, **arguments)  # type: ignore[arg-type]
    assert la.drafts.summaries() == []


def test_a_draft_never_travels_in_a_bundle(tmp_path: Path, la: Session) -> None:
    """The LA's bundle to the office holds its case's events and nothing of the draft."""
    import factories

    office = make_session(tmp_path / "office", "Partnership Office (test)", role="office")
    trust_each_other([la, office], tmp_path / "keys")
    la.create_case(factories.case(case_outline="SYNTHETIC TEST CASE"))
    save(la, la.drafts.new_id(), 1)
    path = export_to(la, office, tmp_path / "outbox")
    assert SENTINEL.encode() not in path.read_bytes()
    raw = bundle_format.read_bundle(path.read_bytes())
    events = bundle_format.open_payload(raw, vault_of(office).identity.hpke_key)
    assert events and all(SENTINEL not in event.to_json() for event in events)
    assert all(event.type == "case.created" for event in events)


def test_the_sentinel_is_nowhere_on_disk_in_plain_text(tmp_path: Path, la: Session) -> None:
    """What a draft holds is inside the encrypted database only: no file in the vault
    folder (database, WAL, key slots, lock) holds its bytes."""
    save(la, la.drafts.new_id(), 1)
    home = la.home
    for path in home.rglob("*"):
        if path.is_file():
            assert SENTINEL.encode() not in path.read_bytes(), path.name
            assert SENTINEL.encode("utf-16-le") not in path.read_bytes(), path.name


def test_a_read_only_session_lists_but_does_not_write(tmp_path: Path, la: Session) -> None:
    draft_id = la.drafts.new_id()
    save(la, draft_id, 1)
    home = la.home
    la.close()
    reader = Session.unlock(home, passphrase="a long test passphrase", write=False)
    try:
        assert [d.id for d in reader.drafts.summaries()] == [draft_id]
        with pytest.raises(VaultError, match="read-only"):
            reader.drafts.discard(draft_id)
    finally:
        reader.close()


# -- the CLI --------------------------------------------------------------------------------


def run(home: Path, *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        [*arguments, "--home", str(home)],
        env={"NOTIFY_TUI_PASSPHRASE": "a long test passphrase", "NOTIFY_TUI_TODAY": "2026-11-23"},
    )
    return result.exit_code, result.output


def test_drafts_list_and_discard_from_the_cli(la: Session) -> None:
    draft_id = la.drafts.new_id()
    save(la, draft_id, 1)
    home = la.home
    la.close()
    code, output = run(home, "drafts", "list", "--json")
    assert code == 0, output
    [listed] = json.loads(output)
    assert listed["id"] == draft_id and listed["title"] == "New serious incident"
    assert listed["label"] == "child Z.S." and "age" in listed
    assert SENTINEL not in output  # the typed values are not printed, only initials
    code, output = run(home, "drafts", "list")
    assert code == 0 and output.startswith(f"{draft_id}  New serious incident · child Z.S. · saved")
    code, output = run(home, "drafts", "discard", draft_id)
    assert (code, output) == (0, f"Discarded draft {draft_id}.\n")
    assert run(home, "drafts", "list") == (0, "No drafts.\n")
    code, output = run(home, "drafts", "discard", draft_id)
    assert code == 2 and output == (f"error: no draft {draft_id}: see `notify-tui drafts list`\n")


def test_cli_date_options_read_dates_as_people_write_them(tmp_path: Path) -> None:
    """`duty sent --date` takes 30/11/26, yesterday...; a date that does not exist says
    so, in one line, and nothing is recorded."""
    import factories

    session = make_session(tmp_path / "la", "Northshire Council (test)")
    case_id = session.create_case(
        factories.case(facts={"event_date": "2026-11-19", "aware_date": "2026-11-20"})
    )
    home = session.home
    session.close()
    code, output = run(home, "duty", "sent", case_id, "panel-notification", "--date", "30/02/2026")
    assert (code, output) == (
        2, "error: --date 30/02/2026: there is no 30 February 2026\n"
    )  # fmt: skip
    code, output = run(home, "duty", "sent", case_id, "panel-notification", "--date", "yesterday")
    assert (code, output) == (0, "Recorded panel-notification sent on 2026-11-22.\n")
    code, output = run(home, "duty", "ack", case_id, "panel-notification", "--date", "23/11/26")
    assert code == 0, output
