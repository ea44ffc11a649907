"""People (issue 15) through the real CLI: named users with their own passphrases, roles
refused in one line, the access log, re-keying on removal, recovery by shares.

Every person is synthetic. Today is frozen on Monday 23 November 2026. The child death:
aware Tue 17 Nov 2026, CDOP notified 1 working day later: due Wed 18 Nov.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import factories
import pytest
from click.testing import CliRunner, Result

from notify_tui.cli import cli
from notify_tui.domain.people import LA_ROLES, OFFICE_ROLES, PERMISSIONS, Permission, may
from notify_tui.errors import WrongPassphrase
from notify_tui.services.session import Session
from notify_tui.store.owner import InlineOwner

ADMIN, ADMIN_PASS = "Ada Admin (fictional)", "admin passphrase, synthetic"
DEPUTY, DEPUTY_PASS = "Dee Deputy (fictional)", "deputy passphrase, synthetic"
VIEWER, VIEWER_PASS = "Vic Viewer (fictional)", "viewer passphrase, synthetic"
LEAD, LEAD_PASS = "Lee Lead (fictional)", "lead passphrase, synthetic"
SENTINEL = "Zebedee-Sentinel-Qx"
"""A family name that must never appear in the access log."""


def run(home: Path, *args: str, user: str, passphrase: str, **env: str) -> Result:
    environment = {"NOTIFY_TUI_PASSPHRASE": passphrase, "NOTIFY_TUI_USER": user, **env}
    return CliRunner().invoke(cli, [*args, "--home", str(home)], env=environment)


def ok(home: Path, *args: str, user: str = ADMIN, passphrase: str = ADMIN_PASS, **env: str) -> str:
    result = run(home, *args, user=user, passphrase=passphrase, **env)
    assert result.exit_code == 0, result.output
    return result.output


def refused(home: Path, *args: str, user: str, passphrase: str, **env: str) -> str:
    """Exit 2 with one line and no traceback."""
    result = run(home, *args, user=user, passphrase=passphrase, **env)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    return result.output


def add_user(home: Path, name: str, role: str, passphrase: str) -> None:
    ok(home, "users", "add", name, "--role", role, NOTIFY_TUI_NEW_PASSPHRASE=passphrase)


def child_death(family_name: str = SENTINEL) -> str:
    return json.dumps(
        factories.case(
            "child_death",
            subjects=[factories.subject(given_names="Ada", family_name=family_name, sex="F")],
            facts={
                "abuse_or_neglect": "none",
                "event_date": "2026-11-16",
                "aware_date": "2026-11-17",
            },
            case_outline="SYNTHETIC TEST CASE",
        )
    )


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", "2026-11-23")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An LA vault whose first user is the admin, with a deputy and a viewer."""
    folder = tmp_path / "vault"
    ok(folder, "init", "--la", "Testshire (test)", "--user", ADMIN)
    add_user(folder, DEPUTY, "deputy", DEPUTY_PASS)
    add_user(folder, VIEWER, "viewer", VIEWER_PASS)
    return folder


def add_case(home: Path, user: str, passphrase: str) -> str:
    result = CliRunner().invoke(
        cli,
        ["case", "add", "-", "--home", str(home)],
        input=child_death(),
        env={"NOTIFY_TUI_PASSPHRASE": passphrase, "NOTIFY_TUI_USER": user},
    )
    assert result.exit_code == 0, result.output
    return result.output.strip()


def state(home: Path) -> tuple[str, str]:
    """The vault as an observer sees it: every event (by id) and the projection hash."""
    session = Session.unlock(
        home, passphrase=ADMIN_PASS, user=ADMIN, write=False, owner=InlineOwner()
    )
    with session:
        events = [entry.event for entry in session.audit()]
        return json.dumps(events), session.projection_hash()


# --- roles, as written in docs/people.md ----------------------------------------------------


def test_the_permissions_table_of_the_docs() -> None:
    """The table of docs/people.md, written out by hand, row by row."""
    table = {
        Permission.READ: {"admin", "lead", "manager", "deputy", "coordinator", "viewer"},
        Permission.REPORT: {"admin", "lead", "manager", "deputy", "coordinator", "viewer"},
        Permission.RECORD: {"admin", "lead", "manager", "deputy", "coordinator"},
        Permission.SYNC: {"admin", "lead", "manager", "deputy", "coordinator"},
        Permission.CONFIRM: {"admin", "lead", "manager"},
        Permission.ADMINISTER: {"admin"},
    }
    for permission, roles in table.items():
        assert {role for role in PERMISSIONS if may(role, permission)} == roles, permission
    assert LA_ROLES == ("admin", "lead", "deputy", "viewer")
    assert OFFICE_ROLES == ("admin", "manager", "coordinator", "viewer")
    assert not may("superuser", Permission.READ)
    docs = (Path(__file__).parents[2] / "docs" / "people.md").read_text()
    assert "| record: cases, edits, sends" in docs and "| yes | yes | yes | no |" in docs


# --- two users in one vault -------------------------------------------------------------------


def test_a_case_added_by_the_second_user_is_theirs_everywhere(home: Path, tmp_path: Path) -> None:
    """Created by the deputy: `case show --json` names the deputy as creator and author;
    both passphrases open the vault, each as its own user."""
    case_id = add_case(home, DEPUTY, DEPUTY_PASS)
    shown = json.loads(ok(home, "case", "show", case_id, "--json"))
    assert shown["created_by"] == DEPUTY
    assert [entry["author"] for entry in shown["audit"]] == [DEPUTY]
    with Session.unlock(home, passphrase=DEPUTY_PASS, user=DEPUTY, owner=InlineOwner()) as s:
        assert s.user is not None and (s.user.name, s.user.role) == (DEPUTY, "deputy")
    with Session.unlock(home, passphrase=ADMIN_PASS, user=ADMIN, owner=InlineOwner()) as s:
        assert s.user is not None and (s.user.name, s.user.role) == (ADMIN, "admin")


def test_the_office_imports_the_second_users_name(home: Path, tmp_path: Path) -> None:
    """The bundle the office imports carries the deputy's name on the case's events."""
    case_id = add_case(home, DEPUTY, DEPUTY_PASS)
    office = tmp_path / "office"
    ok(office, "init", "--role", "office", "--name", "Testshire CSP office (test)", "--user",
       "Oona Office (fictional)")  # fmt: skip
    office_user = {"user": "Oona Office (fictional)", "passphrase": ADMIN_PASS}
    ok(home, "keys", "export", "--to", str(tmp_path / "la.json"))
    ok(office, "keys", "export", "--to", str(tmp_path / "office.json"), **office_user)
    office_print = json.loads((tmp_path / "office.json").read_text())["fingerprint"]
    la_print = json.loads((tmp_path / "la.json").read_text())["fingerprint"]
    ok(home, "peers", "add", str(tmp_path / "office.json"), "--fingerprint", office_print)
    ok(office, "peers", "add", str(tmp_path / "la.json"), "--fingerprint", la_print,
       **office_user)  # fmt: skip
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    ok(home, "export", "--to", str(outbox))
    ok(office, "import", "--from", str(outbox), **office_user)
    shown = json.loads(ok(office, "case", "show", case_id, "--json", **office_user))
    assert shown["created_by"] == DEPUTY
    assert shown["audit"][0]["author"] == DEPUTY


def test_a_wrong_name_or_a_missing_one_is_refused(home: Path) -> None:
    """Several users: the name is required, and must match the passphrase's owner."""
    out = refused(home, "case", "list", user="", passphrase=ADMIN_PASS)
    assert "several users" in out and "--user" in out
    out = refused(home, "case", "list", user=DEPUTY, passphrase=ADMIN_PASS)
    assert "wrong passphrase" in out


def test_a_removed_user_and_an_old_key_slot_file_open_nothing(home: Path, tmp_path: Path) -> None:
    """Remove the deputy: their passphrase is refused; a copy of keyslots.json taken before
    the removal opens nothing either (the database was re-keyed); the others still open."""
    add_case(home, ADMIN, ADMIN_PASS)
    old_slots = (home / "keyslots.json").read_bytes()
    out = ok(home, "users", "remove", DEPUTY)
    assert "re-encrypted under a new key" in out
    refused(home, "case", "list", user=DEPUTY, passphrase=DEPUTY_PASS)
    ok(home, "case", "list", user=VIEWER, passphrase=VIEWER_PASS)
    ok(home, "doctor")
    # The old slot file beside the current database: the deputy's old slot is there, and
    # opens the old data key, which opens nothing now.
    stale = tmp_path / "stale"
    shutil.copytree(home, stale)
    (stale / "keyslots.json").write_bytes(old_slots)
    with pytest.raises(WrongPassphrase, match="does not open vault.db"):
        Session.unlock(stale, passphrase=DEPUTY_PASS, user=DEPUTY, owner=InlineOwner())
    listed = json.loads(ok(home, "users", "list", "--all", "--json"))
    deputy = next(u for u in listed if u["name"] == DEPUTY)
    assert deputy["removed_by"] == ADMIN and deputy["role"] == "deputy"


def test_the_last_admin_and_yourself_cannot_be_removed(home: Path) -> None:
    """Refused in one line; nobody is removed."""
    assert "yourself" in refused(home, "users", "remove", ADMIN, user=ADMIN, passphrase=ADMIN_PASS)
    add_user(home, LEAD, "admin", LEAD_PASS)
    ok(home, "users", "remove", ADMIN, user=LEAD, passphrase=LEAD_PASS)
    out = refused(home, "users", "remove", LEAD, user=LEAD, passphrase=LEAD_PASS)
    assert "yourself" in out


# --- roles refused -----------------------------------------------------------------------------


def test_a_viewer_may_read_but_not_write(home: Path, tmp_path: Path) -> None:
    """`case add`, `duty sent` and `users add` by a viewer: exit 2, one line naming the role,
    nothing written. Reading and reports work."""
    case_id = add_case(home, ADMIN, ADMIN_PASS)
    before = state(home)
    viewer = {"user": VIEWER, "passphrase": VIEWER_PASS}
    document = tmp_path / "case.json"
    document.write_text(child_death("Other"))
    out = refused(home, "case", "add", str(document), **viewer)
    assert "Vic Viewer (fictional) is a viewer and may not record cases" in out
    out = refused(home, "duty", "sent", case_id, "cdop-notification", "--date", "2026-11-18",
                  **viewer)  # fmt: skip
    assert "is a viewer and may not record a notification as sent" in out
    out = refused(home, "users", "add", "New Person (fictional)", "--role", "deputy",
                  NOTIFY_TUI_NEW_PASSPHRASE="irrelevant passphrase", **viewer)  # fmt: skip
    assert "may not add users: that needs an admin" in out
    assert state(home) == before
    ok(home, "case", "list", **viewer)
    ok(home, "deadlines", **viewer)


def test_a_deputy_records_but_does_not_administer(home: Path) -> None:
    """A deputy adds cases and sends; adding users and changing closure days are refused."""
    case_id = add_case(home, DEPUTY, DEPUTY_PASS)
    deputy = {"user": DEPUTY, "passphrase": DEPUTY_PASS}
    ok(home, "duty", "sent", case_id, "cdop-notification", "--date", "2026-11-18", **deputy)
    out = refused(home, "users", "remove", VIEWER, **deputy)
    assert "may not remove users" in out


# --- the access log ----------------------------------------------------------------------------


def test_audit_says_who_opened_the_case_and_showed_names_and_never_the_names(
    home: Path,
) -> None:
    """The deputy opens the case, the viewer lists full names: `audit --case ID --json`
    names both, and the sentinel name is in no entry."""
    case_id = add_case(home, ADMIN, ADMIN_PASS)
    ok(home, "case", "show", case_id, user=DEPUTY, passphrase=DEPUTY_PASS)
    listing = ok(home, "case", "list", "--full-names", user=VIEWER, passphrase=VIEWER_PASS)
    assert SENTINEL[:12] in listing  # it was shown (cut to the column)...
    entries = json.loads(ok(home, "audit", "--case", case_id, "--json"))
    said = [(e["author"], e["type"], e["summary"]) for e in entries]
    assert (DEPUTY, "access.recorded", f"{DEPUTY} opened the case") in said
    assert said[-1][1] == "case.created"  # newest first: the creation is last
    names = json.loads(ok(home, "audit", "--user", VIEWER, "--json"))
    assert [e["summary"] for e in names] == [f"{VIEWER} showed full names (case list of 1 case(s))"]
    everything = ok(home, "audit", "--json")
    assert SENTINEL not in everything  # ...but never logged
    assert SENTINEL not in ok(home, "audit")


def test_reports_and_backups_are_logged(home: Path, tmp_path: Path) -> None:
    """A report and a backup each leave one entry about no case (LOG) naming what."""
    ok(home, "report", "--from", "2026-01-01", "--to", "2026-11-23", "--format", "json",
       user=VIEWER, passphrase=VIEWER_PASS)  # fmt: skip
    ok(home, "backup", "--to", str(tmp_path / "copy.ntbackup"))
    entries = json.loads(ok(home, "audit", "--json"))
    logged = [
        (e["author"], e["case"], e["summary"]) for e in entries if e["type"] == "access.recorded"
    ]
    assert (ADMIN, "LOG", f"{ADMIN} wrote a backup (copy.ntbackup)") in logged
    assert (VIEWER, "LOG", f"{VIEWER} made a report (2026-01-01 to 2026-11-23)") in logged


def test_user_changes_are_in_the_audit_trail(home: Path) -> None:
    """Adding and removing users are events by the admin, naming the user and role."""
    ok(home, "users", "remove", VIEWER)
    summaries = [e["summary"] for e in json.loads(ok(home, "audit", "--json"))]
    assert f"{ADMIN} removed user {VIEWER} (viewer)" in summaries
    assert f"{ADMIN} added user {DEPUTY} (deputy)" in summaries


# --- two people there and then -----------------------------------------------------------------


def serious_incident() -> str:
    return json.dumps(
        factories.case(
            "serious_incident",
            facts={
                "outcome": "seriously_harmed",
                "abuse_or_neglect": "known",
                "event_date": "2026-11-01",
                "aware_date": "2026-11-02",
            },
            case_outline="SYNTHETIC TEST CASE",
        )
    )


def test_a_statutory_withdrawal_confirmed_by_a_lead_there_and_then(
    home: Path, tmp_path: Path
) -> None:
    """The deputy withdraws the Panel notification with the lead confirming: withdrawn at
    once, both named. A viewer, the same person, or a wrong passphrase: refused, unchanged."""
    add_user(home, LEAD, "lead", LEAD_PASS)
    result = CliRunner().invoke(
        cli, ["case", "add", "-", "--home", str(home)], input=serious_incident(),
        env={"NOTIFY_TUI_PASSPHRASE": ADMIN_PASS, "NOTIFY_TUI_USER": ADMIN},
    )  # fmt: skip
    case_id = result.output.strip()
    deputy = {"user": DEPUTY, "passphrase": DEPUTY_PASS}
    secrets_folder = tmp_path / "secrets"
    secrets_folder.mkdir()
    for name, text in (("lead", LEAD_PASS), ("viewer", VIEWER_PASS), ("wrong", "not it at all")):
        (secrets_folder / name).write_text(text + "\n")
    withdraw = ["duty", "withdraw", case_id, "panel-notification", "--reason",
                "The injury was accidental; agreed at the strategy meeting."]  # fmt: skip
    before = state(home)
    out = refused(home, *withdraw, "--confirm-user", VIEWER, "--confirm-passphrase-file",
                  str(secrets_folder / "viewer"), **deputy)  # fmt: skip
    assert "is a viewer and may not confirm" in out
    out = refused(home, *withdraw, "--confirm-user", DEPUTY, "--confirm-passphrase-file",
                  str(secrets_folder / "lead"), **deputy)  # fmt: skip
    assert "someone other than you" in out
    out = refused(home, *withdraw, "--confirm-user", LEAD, "--confirm-passphrase-file",
                  str(secrets_folder / "wrong"), **deputy)  # fmt: skip
    assert out == f"error: wrong passphrase for {LEAD}; nothing was changed\n"
    assert state(home) == before
    out = ok(home, *withdraw, "--confirm-user", LEAD, "--confirm-passphrase-file",
             str(secrets_folder / "lead"), **deputy)  # fmt: skip
    assert f"confirmed by {LEAD}" in out
    shown = json.loads(ok(home, "case", "show", case_id, "--json"))
    panel = next(d for d in shown["duties"] if d["duty"] == "panel-notification")
    assert panel["status"] == "withdrawn"
    assert (panel["withdrawal_requested_by"], panel["withdrawal_confirmed_by"]) == (DEPUTY, LEAD)


# --- passphrases and re-keying ----------------------------------------------------------------


def test_passwd_says_what_an_old_copy_still_opens_and_rotate_key_closes_it(
    home: Path, tmp_path: Path
) -> None:
    """Plain passwd: an old key slot file still opens with the old passphrase (and the
    message says so). With --rotate-key it opens nothing."""
    copy = (home / "keyslots.json").read_bytes()
    new_pass = tmp_path / "new"
    new_pass.write_text("a brand new synthetic passphrase\n")
    out = ok(home, "passwd", "--new-passphrase-file", str(new_pass),
             user=DEPUTY, passphrase=DEPUTY_PASS)  # fmt: skip
    assert "still opens with it" in out and "--rotate-key" in out
    stale = tmp_path / "stale"
    shutil.copytree(home, stale)
    (stale / "keyslots.json").write_bytes(copy)
    Session.unlock(stale, passphrase=DEPUTY_PASS, user=DEPUTY, owner=InlineOwner()).close()
    again = tmp_path / "again"
    again.write_text("yet another synthetic passphrase\n")
    out = ok(home, "users", "passwd", "--rotate-key", "--new-passphrase-file", str(again),
             user=DEPUTY, passphrase="a brand new synthetic passphrase")  # fmt: skip
    assert "re-keyed" in out
    shutil.rmtree(stale)
    shutil.copytree(home, stale)
    (stale / "keyslots.json").write_bytes(copy)
    with pytest.raises(WrongPassphrase):
        Session.unlock(stale, passphrase=DEPUTY_PASS, user=DEPUTY, owner=InlineOwner())
    ok(home, "case", "list", user=DEPUTY, passphrase="yet another synthetic passphrase")
    ok(home, "doctor")


# --- recovery held by the organisation --------------------------------------------------------


def test_two_of_three_shares_recover_and_one_is_refused(home: Path, tmp_path: Path) -> None:
    """`recovery split --shares 3 --threshold 2`: the shares are printed once and stored
    nowhere; two of them set a new passphrase for a named user, one is refused."""
    out = ok(home, "recovery", "split", "--shares", "3", "--threshold", "2",
             "--holder", "Head of Service (fictional)", "--holder", "IG Officer (fictional)",
             "--holder", "Business Manager (fictional)")  # fmt: skip
    shares = [line.strip() for line in out.splitlines() if len(line.split()) == 20]
    assert len(shares) == 3
    for path in home.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert all(share.encode() not in raw for share in shares)
            assert " ".join(shares[0].split()[3:6]).encode() not in raw
    status = ok(home, "recovery", "status", user=VIEWER, passphrase=VIEWER_PASS)
    assert "Any 2 of 3 shares" in status and "IG Officer (fictional)" in status
    files = []
    for number, share in enumerate(shares):
        file = tmp_path / f"share{number}"
        file.write_text(share + "\n")
        files.append(str(file))
    new_pass = tmp_path / "new"
    new_pass.write_text("recovered synthetic passphrase\n")
    out = refused(home, "recover", "--share-file", files[0], "--new-passphrase-file",
                  str(new_pass), user=DEPUTY, passphrase="")  # fmt: skip
    assert "2 shares are needed and 1 was given" in out
    ok(home, "recover", "--share-file", files[0], "--share-file", files[2],
       "--new-passphrase-file", str(new_pass), user=DEPUTY, passphrase="")  # fmt: skip
    ok(home, "case", "list", user=DEPUTY, passphrase="recovered synthetic passphrase")
    refused(home, "case", "list", user=DEPUTY, passphrase=DEPUTY_PASS)
    summaries = [e["summary"] for e in json.loads(ok(home, "audit", "--json"))]
    assert (
        f"{DEPUTY} set a new passphrase with recovery for {DEPUTY}: with the recovery shares"
        in (summaries)
    )


def test_only_recovery_sets_another_users_passphrase(home: Path) -> None:
    """A deputy's own session cannot give the admin a passphrase it chose (which would make
    the deputy the admin); nothing changes."""
    from notify_tui.errors import NotPermitted

    session = Session.unlock(home, passphrase=DEPUTY_PASS, user=DEPUTY, owner=InlineOwner())
    with session, pytest.raises(NotPermitted, match="recovery code or shares"):
        session.set_passphrase_after_recovery("the deputy's choice for admin", ADMIN)
    ok(home, "case", "list")  # the admin's passphrase still opens it
