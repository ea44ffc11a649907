"""`doctor` sees a deleted newest event: each chain's recorded head, and peers' receipts.

Events are deleted with the store's test-only `notify_tui.store.damage` (as a raw row
delete would: the projection and the recorded heads stay), then `doctor` runs through
the CLI (click's runner, in this process, with the suite's cheap KDF). All data is
synthetic.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from bundle_support import (
    PASSPHRASE,
    TODAY,
    case_document,
    export_to,
    import_ok,
    make_session,
    register,
    trust_each_other,
    vault_of,
)
from click.testing import CliRunner, Result

from notify_tui.cli import cli
from notify_tui.clock import system_clock
from notify_tui.services.session import Session
from notify_tui.store import damage
from notify_tui.store.migrations import MIGRATIONS, migrate, pending
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault
from notify_tui.sync.receipts import latest_receipts

OFFICE = "Testshire CSP Office (test)"
RESTORE = "restore the vault from a backup (docs/vault.md, Backups) and report it"


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())


def run(home: Path, *args: str) -> Result:
    """`notify-tui ARGS` on the vault in `home`."""
    env = {"NOTIFY_TUI_HOME": str(home), "NOTIFY_TUI_PASSPHRASE": PASSPHRASE}
    return CliRunner().invoke(cli, list(args), env=env)


def problems(result: Result) -> list[str]:
    """The PROBLEM lines `doctor` printed, without the prefix."""
    return [
        line.removeprefix("PROBLEM: ")
        for line in result.stdout.splitlines()
        if line.startswith("PROBLEM: ")
    ]


def open_vault(home: Path) -> Vault:
    return Vault.open(home, passphrase=PASSPHRASE, write=True, now=system_clock().now())


def reopen(home: Path) -> Session:
    """A session on the vault in `home` again (its vault known to `vault_of`)."""
    vault = open_vault(home)
    return register(Session(vault, owner=InlineOwner()), vault)


def la_with_cases(home: Path, count: int) -> tuple[str, list[str]]:
    """A closed LA vault holding `count` cases made one at a time: its device and case ids."""
    session = make_session(home, "Northshire Council (test)", author="Lee L")
    with session:
        ids = [session.create_case(case_document(number)) for number in range(1, count + 1)]
        return session.identity.device_id, ids


def test_doctor_names_the_device_and_the_deleted_newest_event(tmp_path: Path) -> None:
    """The issue's case: after the delete `case list` shows the case, `case show` says no
    case, and `doctor` (which passed before this change) exits 2 naming both."""
    home = tmp_path / "la"
    device, (first, second) = la_with_cases(home, 2)
    with open_vault(home) as vault:
        deleted = damage.delete_newest_event(vault, device)
    assert (deleted.seq, deleted.case, deleted.type) == (2, second, "case.created")

    assert second in run(home, "case", "list").stdout
    shown = run(home, "case", "show", second)
    assert shown.exit_code == 2 and f"no case {second}" in shown.stderr

    result = run(home, "doctor")
    assert result.exit_code == 2, result.output
    head_line = (
        f"events: device {device} chain stops at #1 but its head is #2 "
        f"(event {deleted.id}, case {second}); the newest event is missing: {RESTORE}"
    )
    orphan_line = (
        f"case {second}: the projection lists it but none of its events is held "
        f"(deleted?): {RESTORE}"
    )
    assert problems(result) == [head_line, orphan_line]
    assert result.stderr == f"error: 2 problem(s) found; first: {head_line}\n"
    assert first not in result.stdout


def test_doctor_json_lists_the_missing_head(tmp_path: Path) -> None:
    home = tmp_path / "la"
    device, _ = la_with_cases(home, 1)
    with open_vault(home) as vault:
        deleted = damage.delete_newest_event(vault, device)
    result = run(home, "doctor", "--json")
    assert result.exit_code == 2
    assert f"device {device} chain holds no event but" in result.stdout
    assert f"its head is #1 (event {deleted.id}" in result.stdout


def test_deleting_a_later_edit_is_reported_as_a_head_and_a_projection(tmp_path: Path) -> None:
    """The newest event is an edit: the case still has its creation, so the projection
    check sees a row that differs from a fresh fold of what is left."""
    home = tmp_path / "la"
    device, (case_id,) = la_with_cases(home, 1)
    with open_vault(home) as vault, Session(vault) as session:
        session.edit_case(case_id, {"case_outline": "SYNTHETIC outline, edited."})
    with open_vault(home) as vault:
        deleted = damage.delete_newest_event(vault, device)
    assert (deleted.seq, deleted.type) == (2, "case.edited")
    result = run(home, "doctor")
    assert result.exit_code == 2
    assert problems(result) == [
        f"events: device {device} chain stops at #1 but its head is #2 "
        f"(event {deleted.id}, case {case_id}); the newest event is missing: {RESTORE}",
        f"case {case_id}: projection differs from a fresh fold",
    ]


def test_deleting_a_middle_event_is_reported_at_the_gap(tmp_path: Path) -> None:
    home = tmp_path / "la"
    device, ids = la_with_cases(home, 3)
    with open_vault(home) as vault:
        deleted = damage.delete_event(vault, device, 2)
        third = vault.held_head(device)
    assert deleted.case == ids[1] and third[0] == 3
    result = run(home, "doctor")
    assert result.exit_code == 2
    assert problems(result) == [
        f"event {third[1]}: device {device} chain skips from 1 to 3",
        f"case {ids[1]}: the projection lists it but none of its events is held "
        f"(deleted?): {RESTORE}",
    ]


def test_the_next_record_after_a_deleted_head_does_not_take_its_number(tmp_path: Path) -> None:
    """A new event follows the recorded head, so the lost one stays a visible gap."""
    home = tmp_path / "la"
    device, (first, second) = la_with_cases(home, 2)
    with open_vault(home) as vault:
        deleted = damage.delete_newest_event(vault, device)
    with open_vault(home) as vault, Session(vault) as session:
        session.edit_case(first, {"case_outline": "SYNTHETIC outline, edited after."})
        newest = vault.iter_events(device)
        seqs_and_prevs = [(event.seq, event.prev) for event in newest]
        head = vault.recorded_head(device)
    assert seqs_and_prevs[-1] == (3, deleted.id)
    assert [seq for seq, _ in seqs_and_prevs] == [1, 3]
    assert head is not None and (head.seq, head.case_id) == (3, first)
    result = run(home, "doctor")
    assert result.exit_code == 2
    assert f"device {device} chain skips from 1 to 3" in problems(result)[0]
    assert f"case {second}: the projection lists it" in problems(result)[1]


@pytest.fixture
def la_and_office(tmp_path: Path) -> tuple[Session, Session]:
    la = make_session(tmp_path / "la", "Northshire Council (test)", author="Lee L")
    office = make_session(tmp_path / "office", OFFICE, "office", "Ola O")
    trust_each_other([la, office], tmp_path / "keys")
    return la, office


def test_deleting_the_newest_imported_event_of_a_peer_is_reported(
    la_and_office: tuple[Session, Session], tmp_path: Path
) -> None:
    """The office loses the newest event of an LA's chain; a later bundle brings it back."""
    la, office = la_and_office
    la_device = la.identity.device_id
    first = la.create_case(case_document(1, "child_death"))
    second = la.create_case(case_document(2, "child_death"))
    import_ok(office, export_to(la, office, tmp_path / "b1"))
    deleted = damage.delete_newest_event(vault_of(office), la_device)
    assert (deleted.seq, deleted.case) == (2, second)
    la.edit_case(first, {"case_outline": "SYNTHETIC outline, edited by the LA."})
    later = export_to(la, office, tmp_path / "b2")  # the office sent no receipt: 1..3
    office_home = vault_of(office).home
    la.close()
    office.close()

    result = run(office_home, "doctor")
    assert result.exit_code == 2
    assert problems(result)[0] == (
        f"events: device {la_device} chain stops at #1 but its head is #2 "
        f"(event {deleted.id}, case {second}); the newest event is missing: {RESTORE}"
    )
    with reopen(office_home) as again:
        imported = import_ok(again, later)
        assert imported.new_events == 2  # the lost #2, and #3
        assert again.doctor().ok


def test_a_peers_statement_shows_events_a_restored_vault_lost(
    la_and_office: tuple[Session, Session], tmp_path: Path
) -> None:
    """Unzipped by hand from a backup older than what the office holds: the recorded head is
    as old as the events, and the office's latest statement (the receipts of its last
    bundle) is what shows the loss; the next exchange brings the events back. (Event #2 is
    the access log's entry for the backup itself, made once it was written; case 2 is #3.)"""
    la, office = la_and_office
    la_device = la.identity.device_id
    la.create_case(case_document(1, "child_death"))
    backup = la.backup(tmp_path / "before.ntbackup")
    la.create_case(case_document(2, "child_death"))
    import_ok(office, export_to(la, office, tmp_path / "b1"))
    restored = tmp_path / "restored"
    with zipfile.ZipFile(backup) as archive:
        archive.extract("vault.db", restored)
        archive.extract("keyslots.json", restored)
    restored.chmod(0o700)
    office_id = office.identity.device_id
    with reopen(restored) as again:
        assert again.doctor().ok  # nothing yet says anything is missing
        import_ok(again, export_to(office, again, tmp_path / "b2"))
        (receipt,) = [r for r in latest_receipts(vault_of(again)) if r.chain == la_device]
        assert (receipt.peer, receipt.held_up_to) == (office_id, 3)
    result = run(restored, "doctor")
    assert result.exit_code == 2
    assert problems(result) == [
        f"events: device {la_device} chain stops at #1 but {OFFICE} ({office_id}) "
        "says it holds it to #3; events #2–#3 are missing here (restored from an old backup?): "
        "export to that peer and import its reply to get them back "
        "(docs/vault.md, Restoring a backup)"
    ]
    with reopen(restored) as again:
        import_ok(office, export_to(again, office, tmp_path / "b3"))
        back = import_ok(again, export_to(office, again, tmp_path / "b4"))
        assert back.new_events == 2
    la.close()
    office.close()
    assert run(restored, "doctor").exit_code == 0


def test_an_intact_exchange_passes_on_both_sides(
    la_and_office: tuple[Session, Session], tmp_path: Path
) -> None:
    la, office = la_and_office
    case_id = la.create_case(case_document(3, "child_death"))
    import_ok(office, export_to(la, office, tmp_path / "b1"))
    office.record_office_step(case_id, "cdop", "review_meeting_held", office.today().isoformat())
    import_ok(la, export_to(office, la, tmp_path / "b2"))
    homes = [vault_of(la).home, vault_of(office).home]
    heads = {head.chain: head.seq for head in vault_of(la).recorded_heads()}
    assert heads == {
        la.identity.device_id: 1,
        f"{office.identity.device_id}--northshire-council-test": 1,
    }
    la.close()
    office.close()
    for home in homes:
        result = run(home, "doctor")
        assert result.exit_code == 0, result.output
        assert "checked: each chain's last event is its recorded head" in result.stdout
        assert "PROBLEM" not in result.stdout


def test_the_migration_fills_the_heads_from_the_events(tmp_path: Path) -> None:
    """A vault at schema 4 (before heads were recorded) gets them on its next upgrade,
    and the list of migrations may have a gap (number 5 comes from another branch)."""
    home = tmp_path / "la"
    device, _ = la_with_cases(home, 3)
    with open_vault(home) as vault:
        expected = vault.recorded_heads()
        assert [(h.chain, h.seq) for h in expected] == [(device, 3)]
        with vault.db.atomic():
            vault.db.execute("DROP TABLE chain_heads")
            vault.db.execute("DELETE FROM migrations WHERE number = 6")
        assert pending(vault.db) == [6]
        assert migrate(vault.db, "2026-11-23T09:00:00Z") == [6]
        assert vault.recorded_heads() == expected
        assert pending(vault.db) == []
    numbers = [number for number, _, _ in MIGRATIONS]
    assert numbers == sorted(numbers) and numbers[-1] >= 6


def test_nothing_in_the_program_imports_the_damage_helpers() -> None:
    package = Path(__file__).resolve().parents[2] / "notify_tui"
    users = [
        str(path)
        for path in package.rglob("*.py")
        if path.name != "damage.py" and "store.damage" in path.read_text(encoding="utf-8")
    ]
    assert users == []
