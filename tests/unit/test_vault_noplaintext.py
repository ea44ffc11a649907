"""No case data in the clear: not in any vault file, backup, or error message.

Cases are written with unique sentinel strings in their names and outlines (in-process
through `Session`, and through `notify-tui case add/edit`), then every byte of every file
under the vault folder (database, -wal, -shm, journals, key slots, lock, temporary files)
is searched for the sentinels as UTF-8. Each test first proves the sentinel was really
stored (it reads back through the unlocked vault), so a pass is not vacuous. One vault
is shared by the module; all names are synthetic.
"""

from __future__ import annotations

import json
import secrets
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from vault_support import (
    PASSPHRASE,
    assert_refused,
    case_document,
    files_under,
    find_needles,
    kill_writer_after,
    make_vault,
    run_cli,
)

from notify_tui.clock import system_clock
from notify_tui.services.session import Session
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault


def sentinel(label: str) -> str:
    """A string that cannot occur in ciphertext or in the code by chance."""
    return f"Zq{label}Sentinel{secrets.token_hex(8)}"


SENTINELS = {
    label: sentinel(label)
    for label in (
        "Given",
        "Family",
        "Other",
        "Outline",
        "Place",
        "Health",
        "Notifier",
        "EditedOutline",
        "EditedFamily",
        "Rationale",
        "Reference",
        "Withdrawn",
        "CliFile",
        "CliStdin",
        "CliEdit",
        "Refused",
        "Killed",
    )
}
SENTINELS["Unicode"] = f"Žofie-Ñandú-Ōtsuka-{secrets.token_hex(8)}"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, frozen_today: str) -> Path:
    """The module's vault (empty at first)."""
    home = tmp_path_factory.mktemp("noplaintext") / "vault"
    make_vault(home)
    return home


@pytest.fixture(scope="module")
def secrets_on_disk(home: Path) -> list[str | bytes]:
    """Everything that must never be found: every sentinel, the passphrase, the data key."""
    with Vault.open(home, passphrase=PASSPHRASE, write=False, now=system_clock().now()) as vault:
        data_key = vault.data_key
    return [*SENTINELS.values(), PASSPHRASE, data_key, data_key.hex()]


def assert_no_plaintext(directory: Path, needles: list[str | bytes]) -> list[str]:
    """No needle in any file under `directory`; return the names of the files searched."""
    paths = files_under(directory)
    assert paths, f"nothing to search in {directory}"
    assert find_needles(paths, needles) == {}
    return [path.name for path in paths]


def test_the_search_sees_a_sentinel_in_a_plain_file(tmp_path: Path) -> None:
    """Control: the file search finds a sentinel in a file that holds one."""
    (tmp_path / ".hidden.tmp").write_text(f"x {SENTINELS['Unicode']} y", encoding="utf-8")
    assert find_needles(files_under(tmp_path), [SENTINELS["Unicode"]]) == {
        str(tmp_path / ".hidden.tmp"): [SENTINELS["Unicode"]]
    }


def test_session_writes_leave_no_plaintext(home: Path, secrets_on_disk: list[str | bytes]) -> None:
    """Create, edit, decide, send and withdraw through Session: nothing readable on disk."""
    document = case_document(
        1,
        given_names=f"{SENTINELS['Given']} {SENTINELS['Unicode']}",
        family_name=SENTINELS["Family"],
        outline=f"SYNTHETIC outline {SENTINELS['Outline']}",
        other_names=SENTINELS["Other"],
        health_information=SENTINELS["Health"],
    )
    document["notifier"] = {"name": SENTINELS["Notifier"], "la": "Testshire"}
    # Neglect suspected: a Panel notification too, so there is a threshold to decide.
    document["facts"]["abuse_or_neglect"] = "suspected"
    session = Session.unlock(home, passphrase=PASSPHRASE, write=True, owner=InlineOwner())
    try:
        case_id = session.create_case(document)
        other_id = session.create_case(case_document(2, given_names=SENTINELS["Given"]))
        session.edit_case(
            case_id,
            {
                "case_outline": f"SYNTHETIC edited {SENTINELS['EditedOutline']}",
                "subjects.0.family_name": SENTINELS["EditedFamily"],
                "incident.place": SENTINELS["Place"],
            },
        )
        session.decide(
            case_id, notify=True, rationale=f"SYNTHETIC rationale {SENTINELS['Rationale']}"
        )
        session.mark_sent(
            case_id, "cdop-notification", session.today(), SENTINELS["Reference"],
            late_reason="SYNTHETIC reason: logged after the due date.",
        )  # fmt: skip
        session.withdraw(
            other_id, "cdop-notification", f"SYNTHETIC withdrawn {SENTINELS['Withdrawn']}"
        )
        detail = json.dumps(session.case_detail(case_id).as_json(), ensure_ascii=False)
        for label in ("Given", "Unicode", "EditedFamily", "EditedOutline", "Place", "Health"):
            assert SENTINELS[label] in detail, label
        assert [row.id for row in session.list_cases(search=SENTINELS["EditedFamily"])] == [case_id]
        searched_while_open = assert_no_plaintext(home, secrets_on_disk)
        assert "vault.db-wal" in searched_while_open
    finally:
        session.close()
    assert_no_plaintext(home, secrets_on_disk)


def test_cli_writes_leave_no_plaintext(
    home: Path, tmp_path: Path, secrets_on_disk: list[str | bytes]
) -> None:
    """`case add` from a file and from stdin, then `case edit`: nothing readable on disk."""
    source = tmp_path / "case.json"
    source.write_text(json.dumps(case_document(3, family_name=SENTINELS["CliFile"])))
    from_file = run_cli("case", "add", str(source), home=home)
    assert from_file.returncode == 0, from_file.stderr
    stdin_document = case_document(4, outline=f"SYNTHETIC {SENTINELS['CliStdin']}")
    from_stdin = run_cli("case", "add", "-", home=home, stdin=json.dumps(stdin_document))
    assert from_stdin.returncode == 0, from_stdin.stderr
    case_id = from_file.stdout.strip()
    edited = run_cli(
        "case", "edit", case_id, "--set", f"case_outline=SYNTHETIC {SENTINELS['CliEdit']}",
        home=home,
    )  # fmt: skip
    assert edited.returncode == 0, edited.stderr
    with Session.unlock(home, passphrase=PASSPHRASE, write=False, owner=InlineOwner()) as session:
        document = session.case_detail(case_id).document
        assert document["subjects"][0]["family_name"] == SENTINELS["CliFile"]
        assert SENTINELS["CliEdit"] in document["case_outline"]
        stdin_case = session.case_detail(from_stdin.stdout.strip()).document
        assert SENTINELS["CliStdin"] in stdin_case["case_outline"]
    assert_no_plaintext(home, secrets_on_disk)


@pytest.fixture(scope="module")
def refused_case(home: Path) -> str:
    """A case whose names and outline hold the "Refused" sentinel."""
    document = case_document(
        5,
        given_names=SENTINELS["Refused"],
        family_name=SENTINELS["Refused"],
        outline=f"SYNTHETIC {SENTINELS['Refused']}",
    )
    with Session.unlock(home, passphrase=PASSPHRASE, write=True, owner=InlineOwner()) as session:
        return session.create_case(document)


@pytest.mark.parametrize(
    "arguments",
    [
        ["case", "edit", "{case}", "--set", "incident.event_date=2099-01-01"],
        ["case", "edit", "{case}", "--set", "incident.aware_date=2026-01-01"],
        ["case", "edit", "{case}", "--set", "subjects.0.sex=X"],
        ["case", "edit", "{case}", "--set", "subjects.0.given_names="],
        ["case", "edit", "{case}", "--set", 'subjects.0.nhs_number="1234567890"'],
        ["decide", "{case}", "--notify", "--rationale", "too short"],
        ["duty", "sent", "{case}", "cdop-notification", "--date", "2026-11-02"],
        ["duty", "withdraw", "{case}", "no-such-duty", "--reason", "SYNTHETIC long reason"],
        ["case", "show", "{case}X"],
    ],
    ids=[
        "future-event",
        "aware-before-event",
        "bad-sex",
        "empty-name",
        "bad-nhs-number",
        "short-rationale",
        "sent-before-aware",
        "unknown-duty",
        "unknown-case",
    ],
)
def test_refusals_on_a_case_never_echo_its_data(
    home: Path, refused_case: str, arguments: list[str]
) -> None:
    """A refused command on a case prints one line without the case's names or outline."""
    result = run_cli(*(part.format(case=refused_case) for part in arguments), home=home)
    assert_refused(result)
    assert SENTINELS["Refused"] not in result.stdout + result.stderr


def test_refused_case_document_is_not_echoed(home: Path, tmp_path: Path) -> None:
    """`case add` of an invalid document (future date) does not print its names."""
    document = case_document(6, given_names=SENTINELS["Refused"], family_name="Fictional")
    document["facts"]["aware_date"] = "2099-01-01"
    result = run_cli("case", "add", "-", home=home, stdin=json.dumps(document))
    assert_refused(result, "aware_date")
    assert SENTINELS["Refused"] not in result.stdout + result.stderr


def test_a_rejected_value_is_not_echoed(home: Path, refused_case: str) -> None:
    """A name pasted into the wrong field (ethnicity) is refused without printing it."""
    result = run_cli(
        "case", "edit", refused_case, "--set", f"subjects.0.ethnicity={SENTINELS['Refused']}",
        home=home,
    )  # fmt: skip
    assert_refused(result, "subjects.0.ethnicity")
    assert SENTINELS["Refused"] not in result.stdout + result.stderr


def test_a_malformed_assignment_is_not_echoed(home: Path, refused_case: str) -> None:
    """`--set` without '=' is refused without printing the text that followed it."""
    result = run_cli(
        "case", "edit", refused_case, "--set", f"case_outline {SENTINELS['Refused']}",
        home=home,
    )  # fmt: skip
    assert_refused(result, "FIELD=VALUE")
    assert SENTINELS["Refused"] not in result.stdout + result.stderr


def test_killed_writer_leaves_no_plaintext(
    home: Path, tmp_path: Path, secrets_on_disk: list[str | bytes]
) -> None:
    """A writer adding sentinel cases, SIGKILLed mid-way: no plaintext, before or after."""
    searched_while_busy: list[list[str]] = []
    lines = kill_writer_after(
        home,
        ["cases", "7", "7000000", SENTINELS["Killed"]],
        1.5,
        scratch=tmp_path,
        before_kill=lambda: searched_while_busy.append(assert_no_plaintext(home, secrets_on_disk)),
    )
    reported = {line.split()[2] for line in lines if line.startswith("DONE add ")}
    assert len(reported) >= 3, lines
    assert "vault.db-wal" in searched_while_busy[0]
    left_behind = assert_no_plaintext(home, secrets_on_disk)
    assert "vault.db-wal" in left_behind, "the killed writer's WAL should still be there"
    with Session.unlock(home, passphrase=PASSPHRASE, write=False, owner=InlineOwner()) as session:
        present = {row.id for row in session.list_cases(search=SENTINELS["Killed"])}
        assert reported <= present
    assert_no_plaintext(home, secrets_on_disk)


@dataclass(frozen=True)
class Backup:
    """A backup of the module's vault and the cases (id: full names) it held then."""

    path: Path
    cases: dict[str, str]


@pytest.fixture(scope="module")
def backup(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Backup:
    """`notify-tui backup --to F` of the module's vault, holding a sentinel case at least.

    Tests run in any order, so the write tests may come before or after this; the
    backup's own case makes sure it always holds case data to search.
    """
    document = case_document(
        90,
        given_names=SENTINELS["Given"],
        family_name=SENTINELS["Family"],
        outline=f"SYNTHETIC outline {SENTINELS['Outline']}",
    )
    with Session.unlock(home, passphrase=PASSPHRASE, write=True, owner=InlineOwner()) as session:
        session.create_case(document)
        cases = {row.id: row.names for row in session.list_cases(full_names=True)}
    destination = tmp_path_factory.mktemp("backup") / "vault-backup.ntbackup"
    result = run_cli("backup", "--to", str(destination), home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(destination)
    return Backup(destination, cases)


@pytest.fixture(scope="module")
def backup_file(backup: Backup) -> Path:
    """The backup ZIP."""
    return backup.path


def test_backup_holds_no_plaintext(backup_file: Path, secrets_on_disk: list[str | bytes]) -> None:
    """The backup file, and each file in it, holds no sentinel, passphrase or key."""
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in backup_file.parent.iterdir()) == [backup_file.name]
    assert find_needles([backup_file], secrets_on_disk) == {}
    with zipfile.ZipFile(backup_file) as bundle:
        assert bundle.namelist() == ["backup.json", "vault.db", "keyslots.json"]
        for name in bundle.namelist():
            content = bundle.read(name)
            assert not content.startswith(b"SQLite format 3"), name
            for needle in secrets_on_disk:
                raw = needle if isinstance(needle, bytes) else needle.encode("utf-8")
                assert raw not in content, name


def test_backup_restores_with_the_same_passphrase(
    backup: Backup, backup_file: Path, tmp_path: Path, secrets_on_disk: list[str | bytes]
) -> None:
    """`restore --from F` into a new folder opens with the passphrase: same cases, and no
    plaintext in any file of the folder (staging, journal and all)."""
    expected = backup.cases
    assert f"{SENTINELS['Given']} {SENTINELS['Family']}" in expected.values()
    restored = tmp_path / "restored"
    result = run_cli("restore", "--from", str(backup_file), "--home", str(restored), home=None)
    assert result.returncode == 0, result.stderr
    result = run_cli("case", "list", "--json", "--full-names", home=restored)
    assert result.returncode == 0, result.stderr
    assert {row["id"]: row["names"] for row in json.loads(result.stdout)} == expected
    with Session.unlock(
        restored, passphrase=PASSPHRASE, write=False, owner=InlineOwner()
    ) as session:
        report = session.doctor()
    assert report.ok, report.problems
    assert find_needles(files_under(restored), secrets_on_disk) == {}
