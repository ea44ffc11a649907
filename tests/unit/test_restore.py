"""Backups that are named for what they are, and a restore that syncs again (issue 16, item 3).

The acceptance: back up an LA, sync more changes to the office, restore the backup, sync:
the LA has every event again, export works (there is no --confirm-rollback any more), and
`doctor` passes on both. Only the event made after the backup and never sent is lost,
and `import` and `catch-up` list it by case.

Commands run through the CLI (click's runner, in this process, with the suite's cheap
KDF); set-up and white-box reads go through sessions. All data is synthetic: fictional
children of Testshire, today frozen at Monday 23 November 2026.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bundle_support import PASSPHRASE, TODAY, make_session, trust_each_other
from click.testing import CliRunner, Result
from vault_support import case_document, fingerprint

from notify_tui.cli import cli
from notify_tui.clock import system_clock
from notify_tui.errors import InvalidInput, VaultError, WrongPassphrase
from notify_tui.services.restore import restore_vault
from notify_tui.services.session import Session
from notify_tui.store import restore_journal
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault, vault_exists

LA_ORG = "Testshire Council (test)"
OFFICE_ORG = "Testshire CSP Office (test)"


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())


def run(home: Path, *args: str, passphrase: str = PASSPHRASE) -> Result:
    """`notify-tui ARGS` on the vault in `home`."""
    env = {"NOTIFY_TUI_HOME": str(home), "NOTIFY_TUI_PASSPHRASE": passphrase}
    return CliRunner().invoke(cli, list(args), env=env)


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def refused(result: Result, *fragments: str) -> str:
    """Exit 2 with one line on stderr, no traceback; return the line."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result
    assert result.exit_code == 2, (result.stdout, result.stderr)
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: "), line
    for fragment in fragments:
        assert fragment in line, line
    return line


def open_session(home: Path) -> Session:
    vault = Vault.open(home, passphrase=PASSPHRASE, now=system_clock().now())
    return Session(vault, owner=InlineOwner())


def event_ids_in(home: Path) -> set[str]:
    """Ids of every event the (closed) vault in `home` holds."""
    with Vault.open(home, passphrase=PASSPHRASE, write=False, now=system_clock().now()) as vault:
        return {str(row[0]) for row in vault.db.execute("SELECT id FROM events")}


def write_case(folder: Path, number: int) -> Path:
    path = folder / f"case-{number}.json"
    path.write_text(json.dumps(case_document(number)))
    return path


def add_case(home: Path, folder: Path, number: int) -> str:
    """`case add` a fictional child death; return its id."""
    return ok(run(home, "case", "add", str(write_case(folder, number)))).split()[-1]


def sync(sender: Path, receiver: Path, folder: Path) -> str:
    """sender `export --to folder`, receiver `import --from folder`; the import's output."""
    folder.mkdir(parents=True, exist_ok=True)
    ok(run(sender, "export", "--to", str(folder)))
    return ok(run(receiver, "import", "--from", str(folder)))


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """An LA and its office that trust each other (closed vaults: use the CLI)."""
    la = make_session(tmp_path / "la", LA_ORG, author="Lee Lead")
    office = make_session(tmp_path / "office", OFFICE_ORG, "office", author="Olu Office")
    trust_each_other([la, office], tmp_path / "keys")
    homes = la.home, office.home
    la.close()
    office.close()
    yield homes


def cdop_status(home: Path, case_id: str) -> str:
    shown = json.loads(ok(run(home, "case", "show", case_id, "--json")))
    (duty,) = [d for d in shown["duties"] if d["duty"] == "cdop-notification"]
    return str(duty["status"])


# -- backup names what it writes -------------------------------------------------------------


def test_backup_to_a_db_name_is_refused_and_writes_nothing(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    la, _ = pair
    out = tmp_path / "out"
    out.mkdir()
    refused(run(la, "backup", "--to", str(out / "x.db")), ".ntbackup", "x.ntbackup")
    assert list(out.iterdir()) == []


def test_backup_to_a_folder_names_the_file(pair: tuple[Path, Path], tmp_path: Path) -> None:
    la, _ = pair
    out = tmp_path / "out"
    out.mkdir()
    written = Path(ok(run(la, "backup", "--to", str(out))).strip())
    assert written.parent == out
    assert written.name.startswith("testshire-council-test-")
    assert written.name.endswith(".ntbackup")
    with zipfile.ZipFile(written) as archive:
        assert archive.namelist() == ["backup.json", "vault.db", "keyslots.json"]
        info = json.loads(archive.read("backup.json"))
    assert sorted(info) == ["created_at", "device_id", "format", "vault_id", "version"]
    assert info["format"] == "notify-tui-backup"
    assert written.name.startswith(info["device_id"])
    named = out / "named.ntbackup"
    assert ok(run(la, "backup", "--to", str(named))).strip() == str(named)
    refused(run(la, "backup", "--to", str(named)), "already exists")


# -- restore refuses, changing nothing -------------------------------------------------------


@pytest.fixture
def la_backup(pair: tuple[Path, Path], tmp_path: Path) -> Path:
    la, _ = pair
    add_case(la, tmp_path, 1)
    return Path(ok(run(la, "backup", "--to", str(tmp_path / "la.ntbackup"))).strip())


def test_restore_refuses_a_live_vault_without_replace(
    pair: tuple[Path, Path], la_backup: Path
) -> None:
    la, _ = pair
    before = fingerprint(la)
    refused(run(la, "restore", "--from", str(la_backup)), "holds a vault", "--replace")
    assert fingerprint(la) == before


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("backup.zip", None, "ends in .ntbackup"),
        ("junk.ntbackup", b"not a zip at all", "not a ZIP archive"),
        ("two.ntbackup", "members", "it holds"),
        ("deflated.ntbackup", "deflated", "compressed or encrypted"),
        ("missing.ntbackup", "absent", "no such file"),
    ],
)
def test_restore_refuses_what_is_not_a_backup(
    pair: tuple[Path, Path],
    la_backup: Path,
    tmp_path: Path,
    name: str,
    content: object,
    fragment: str,
) -> None:
    la, _ = pair
    path = tmp_path / name
    if content is None:
        path.write_bytes(la_backup.read_bytes())
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content in ("members", "deflated"):
        with zipfile.ZipFile(la_backup) as source, zipfile.ZipFile(path, "w") as target:
            for member in source.infolist():
                data = source.read(member)
                if content == "members":
                    target.writestr(member, data)
                    if member.filename == "vault.db":
                        target.writestr("extra.txt", b"x")
                else:
                    target.writestr(member.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    before = fingerprint(la)
    refused(run(la, "restore", "--from", str(path), "--replace"), fragment)
    assert fingerprint(la) == before


def test_restore_with_the_wrong_passphrase_changes_nothing(
    pair: tuple[Path, Path], la_backup: Path
) -> None:
    la, _ = pair
    before = fingerprint(la)
    refused(
        run(la, "restore", "--from", str(la_backup), "--replace", passphrase="not the one at all"),
        "passphrase",
    )
    assert fingerprint(la) == before


def test_a_damaged_database_in_the_backup_is_refused(
    pair: tuple[Path, Path], la_backup: Path, tmp_path: Path
) -> None:
    """One flipped byte deep in the encrypted copy: its pages do not authenticate."""
    la, _ = pair
    damaged = tmp_path / "damaged.ntbackup"
    with zipfile.ZipFile(la_backup) as source, zipfile.ZipFile(damaged, "w") as target:
        for member in source.infolist():
            data = bytearray(source.read(member))
            if member.filename == "vault.db":
                data[len(data) // 2] ^= 0xFF
            target.writestr(member, bytes(data))
    before = fingerprint(la)
    line = refused(run(la, "restore", "--from", str(damaged), "--replace"))
    assert "damaged" in line or "corrupted" in line
    assert fingerprint(la) == before


def test_restore_over_another_vault_is_refused(pair: tuple[Path, Path], la_backup: Path) -> None:
    _, office = pair
    before = fingerprint(office)
    refused(run(office, "restore", "--from", str(la_backup), "--replace"), "another vault")
    assert fingerprint(office) == before


def test_restore_into_a_new_folder_with_the_recovery_code(la_backup: Path, tmp_path: Path) -> None:
    """The recovery code in the backup's key slots opens it; the vault is the backup's."""
    home = tmp_path / "fresh"
    session, code = Session.init(
        tmp_path / "other", PASSPHRASE, org="Other (test)", role="la", author="x",
        owner=InlineOwner(),
    )  # fmt: skip
    session.close()
    with pytest.raises(WrongPassphrase):
        restore_vault(home, la_backup, recovery_code=code)
    assert not vault_exists(home)
    report = restore_vault(home, la_backup, passphrase=PASSPHRASE)
    assert (report.replaced, report.events) == (None, 1)
    assert ok(run(home, "doctor"))


# -- the acceptance: a restore that syncs again ------------------------------------------------


def test_restored_la_catches_up_with_the_office(pair: tuple[Path, Path], tmp_path: Path) -> None:
    la, office = pair
    first = add_case(la, tmp_path, 1)
    sync(la, office, tmp_path / "to-office-1")
    sync(office, la, tmp_path / "to-la-1")
    backup = Path(ok(run(la, "backup", "--to", str(tmp_path))).strip())
    # The backup's own access log entry comes after it (event #2 of the LA's chain): it is
    # not in the backup, and the office gets it with the rest.

    # After the backup: a duty sent and a second case, synced to the office ...
    ok(run(la, "duty", "sent", first, "cdop-notification", "--date", "2026-11-18"))
    second = add_case(la, tmp_path, 2)
    sync(la, office, tmp_path / "to-office-2")
    # ... and a third case never sent: the one thing the restore will lose.
    lost = add_case(la, tmp_path, 3)
    office_events = event_ids_in(office)
    assert cdop_status(la, first) == "sent"  # a look: its access log entry is never sent

    restored = ok(run(la, "restore", "--from", str(backup), "--replace"))
    # #2 the backup's log entry, #3 the send, #4 case 2, #5 case 3, #6 the look above.
    assert "5 event(s) of this device it held are not in the backup" in restored
    # OVERDUE again, until the catch-up; looking is still allowed, its log entry held back.
    assert cdop_status(la, first) == "open"
    refused(run(la, "case", "add", str(write_case(tmp_path, 4))), "restored from a backup")
    waiting = ok(run(la, "catch-up"))
    assert f"{OFFICE_ORG} (" in waiting and "has not answered yet" in waiting

    # The exchange: the LA says how far it holds its chain; the office sends back the rest.
    sync(la, office, tmp_path / "to-office-3")
    answer = sync(office, la, tmp_path / "to-la-3")
    assert "imported 3 new event(s)" in answer
    assert "Caught up on" in answer and "3 event(s) of this device came back" in answer
    # Lost: case 3, and the access log entry of the look at the first case.
    assert "Lost (made after the backup, never sent): 2 event(s) in 2 case(s)" in answer
    assert f"  {lost}:" in answer and f"  {first}:" in answer
    assert office_events <= event_ids_in(la)
    assert cdop_status(la, first) == "sent"
    assert ok(run(la, "case", "show", second))

    report = json.loads(ok(run(la, "catch-up", "--json")))
    assert report["returned"] == 3
    lost_by_case = {case["case"]: case["events"] for case in report["lost"]}
    assert sorted(lost_by_case) == sorted([first, lost])
    assert [event["type"] for event in lost_by_case[lost]] == ["case.created"]
    assert [event["type"] for event in lost_by_case[first]] == ["access.recorded"]

    # Life goes on: new changes, export without any flag, the office takes them.
    fourth = add_case(la, tmp_path, 4)
    output = sync(la, office, tmp_path / "to-office-4")
    # The new case, and three looks: the one held during the catch-up, written first, and
    # the two `case show`s since.
    assert "imported 4 new event(s)" in output
    with open_session(la) as session:
        opened = [e for e in session.audit(case_id=first) if e.type == "access.recorded"]
        assert len(opened) == 2 and opened[-1].at < opened[0].at
    with open_session(office) as session:
        assert fourth in {row.id for row in session.list_cases()}
        assert lost not in {row.id for row in session.list_cases()}
    ok(run(la, "doctor"))
    ok(run(office, "doctor"))
    (kept,) = la.glob("replaced-*")
    assert sorted(p.name for p in kept.iterdir()) == ["keyslots.json", "vault.db"]


def test_a_stale_office_bundle_does_not_end_the_catch_up(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    """An office bundle made before the restore (it answers an older LA bundle) says the
    office holds more than the restored vault: changes stay refused until it answers."""
    la, office = pair
    add_case(la, tmp_path, 1)
    backup = Path(ok(run(la, "backup", "--to", str(tmp_path))).strip())
    add_case(la, tmp_path, 2)
    sync(la, office, tmp_path / "to-office-1")
    stale = tmp_path / "stale"
    stale.mkdir()
    ok(run(office, "export", "--to", str(stale)))
    ok(run(la, "restore", "--from", str(backup), "--replace"))
    output = ok(run(la, "import", "--from", str(stale)))
    assert "Caught up" not in output
    refused(run(la, "case", "add", str(write_case(tmp_path, 3))), "restored from a backup")
    doctor = run(la, "doctor")
    # #2 is the backup's own access log entry, made after it; #3 the second case.
    assert doctor.exit_code == 2 and "says it holds it to #3" in doctor.stdout
    sync(la, office, tmp_path / "to-office-2")
    assert "Caught up" in sync(office, la, tmp_path / "to-la-2")
    add_case(la, tmp_path, 3)
    ok(run(la, "doctor"))


def test_a_restored_office_gets_its_per_la_chain_back(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    """The office goes back to a backup: the LA holds the office's acknowledgement on its
    chain for the LA and sends it back; the office's next step continues that chain."""
    la, office = pair
    case_id = add_case(la, tmp_path, 1)
    ok(run(la, "duty", "sent", case_id, "cdop-notification", "--date", "2026-11-18"))
    sync(la, office, tmp_path / "1")
    backup = Path(ok(run(office, "backup", "--to", str(tmp_path))).strip())
    ok(run(office, "duty", "ack", case_id, "cdop-notification", "--date", "2026-11-20"))
    sync(office, la, tmp_path / "2")
    ok(run(office, "restore", "--from", str(backup), "--replace"))
    step = ("office", "step", case_id, "cdop.review_meeting_held", "2026-11-20")
    refused(run(office, *step), "restored from a backup")
    sync(office, la, tmp_path / "3")
    answer = sync(la, office, tmp_path / "4")
    assert "imported 1 new event(s)" in answer and "Caught up" in answer
    shown = json.loads(ok(run(office, "case", "show", case_id, "--json")))
    (duty,) = [d for d in shown["duties"] if d["duty"] == "cdop-notification"]
    assert duty["status"] == "acknowledged"
    ok(run(office, *step))
    sync(office, la, tmp_path / "5")
    ok(run(office, "doctor"))
    ok(run(la, "doctor"))


def test_catch_up_can_be_ended_by_hand(la_backup: Path, tmp_path: Path) -> None:
    """A device whose events never reached a peer: `catch-up --end`, then changes again."""
    home = tmp_path / "alone"
    restore_vault(home, la_backup, passphrase=PASSPHRASE)
    refused(run(home, "case", "add", str(write_case(tmp_path, 5))), "restored from a backup")
    ended = ok(run(home, "catch-up", "--end"))
    assert "Catch-up ended by hand" in ended
    add_case(home, tmp_path, 5)
    refused(run(home, "catch-up", "--end"), "not catching up")
    ok(run(home, "doctor"))


def test_a_vault_restored_by_hand_is_held_back_by_the_offices_statement(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    """Unzipped by hand (no catch-up started): once the office's latest statement says it
    holds more of this device's chain, new events are refused; export is not."""
    la, office = pair
    add_case(la, tmp_path, 1)
    backup = Path(ok(run(la, "backup", "--to", str(tmp_path))).strip())
    add_case(la, tmp_path, 2)
    sync(la, office, tmp_path / "1")
    copy = tmp_path / "by-hand"
    with zipfile.ZipFile(backup) as archive:
        archive.extract("vault.db", copy)
        archive.extract("keyslots.json", copy)
    copy.chmod(0o700)
    sync(office, copy, tmp_path / "2")
    # 1: the first case; 2: the backup's own access log entry (made after it); 3: case 2.
    refused(run(copy, "case", "add", str(write_case(tmp_path, 3))), "holds events 1–3")
    sync(copy, office, tmp_path / "3")
    assert "imported 2 new event(s)" in sync(office, copy, tmp_path / "4")
    add_case(copy, tmp_path, 3)
    ok(run(copy, "doctor"))


# -- all or nothing ------------------------------------------------------------------------------


def test_a_restore_killed_after_its_journal_is_finished_by_the_next_open(
    pair: tuple[Path, Path], la_backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The renames stop after the first (the live database moved aside, nothing in its
    place): `vault_exists` still sees a vault, and the next open finishes the restore."""
    la, _ = pair
    add_case(la, tmp_path, 2)
    real_move = restore_journal.run_move
    calls: list[str] = []

    def one_move_then_die(home: Path, source: str, target: str) -> None:
        if calls:
            raise KeyboardInterrupt  # stands for the kill
        calls.append(source)
        real_move(home, source, target)

    monkeypatch.setattr(restore_journal, "run_move", one_move_then_die)
    with pytest.raises(KeyboardInterrupt):
        restore_vault(la, la_backup, passphrase=PASSPHRASE, replace=True)
    monkeypatch.setattr(restore_journal, "run_move", real_move)
    assert calls == ["vault.db"]
    assert not (la / "vault.db").exists()
    assert vault_exists(la)
    with open_session(la) as session:
        assert len(session.list_cases()) == 1  # the backup's, not the two of the live vault
        assert session.doctor().ok
    assert not restore_journal.pending(la)
    assert not list(la.glob(".restore-*"))


def test_a_restore_that_fails_before_its_journal_changes_nothing(
    pair: tuple[Path, Path], la_backup: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    la, _ = pair
    before = fingerprint(la)

    def fail(*args: object, **kwargs: object) -> None:
        raise VaultError("disk full (simulated)")

    monkeypatch.setattr(restore_journal, "write", fail)
    with pytest.raises(VaultError, match="simulated"):
        restore_vault(la, la_backup, passphrase=PASSPHRASE, replace=True)
    assert fingerprint(la) == before


def test_restore_needs_the_folder_free_of_other_writers(
    pair: tuple[Path, Path], la_backup: Path
) -> None:
    la, _ = pair
    with open_session(la), pytest.raises(VaultError, match="another notify-tui process"):
        restore_vault(la, la_backup, passphrase=PASSPHRASE, replace=True)
    with pytest.raises(InvalidInput, match="--replace"):
        restore_vault(la, la_backup, passphrase=PASSPHRASE)


def test_a_gap_after_a_restore_says_to_export_first(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    """The office's bundle made before the restore starts its chain where the LA said it
    held it before it was lost: refused as a gap, with what to do, and nothing changed."""
    la, office = pair
    case_id = add_case(la, tmp_path, 1)
    ok(run(la, "duty", "sent", case_id, "cdop-notification", "--date", "2026-11-18"))
    sync(la, office, tmp_path / "1")
    backup = Path(ok(run(la, "backup", "--to", str(tmp_path))).strip())
    ok(run(office, "duty", "ack", case_id, "cdop-notification", "--date", "2026-11-20"))
    sync(office, la, tmp_path / "2")
    sync(la, office, tmp_path / "3")  # the LA says it holds the office's event 1
    ok(run(office, "office", "step", case_id, "cdop.review_meeting_held", "2026-11-20"))
    stale = tmp_path / "stale"
    stale.mkdir()
    ok(run(office, "export", "--to", str(stale)))
    ok(run(la, "restore", "--from", str(backup), "--replace"))
    before = fingerprint(la)
    result = run(la, "import", *[str(p) for p in stale.glob("*.ntbundle")])
    assert result.exit_code == 2
    assert "event 1 of device" in result.stdout
    assert "restored from a backup: export to the sender first" in result.stdout
    assert fingerprint(la) == before
    sync(la, office, tmp_path / "4")
    assert "Caught up" in sync(office, la, tmp_path / "5")
    assert cdop_status(la, case_id) == "acknowledged"
