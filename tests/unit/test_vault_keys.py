"""Passphrase change, recovery and file permissions, through the real CLI.

`notify-tui passwd` and `notify-tui recover` re-wrap the data key; they must keep every
case, retire what they replace (the old passphrase, the old recovery code), leave every
vault file readable by its owner only, and never write a passphrase or code to disk.
Each test changes its own copy of a template vault; all data is synthetic.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from vault_support import (
    PASSPHRASE,
    assert_refused,
    case_document,
    copy_vault,
    files_under,
    find_needles,
    fingerprint,
    make_vault,
    run_cli,
)

from notify_tui.errors import WrongPassphrase
from notify_tui.services.session import Session
from notify_tui.store.keyslots import generate_recovery_code
from notify_tui.store.owner import InlineOwner
from notify_tui.store.vault import Vault

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

NEW_PASSPHRASE = "purple elephant umbrella sunrise"
RECOVERY_CODE = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){5}\b")


@dataclass(frozen=True)
class Template:
    """A closed vault to copy, with its recovery code and cases (id -> names)."""

    home: Path
    recovery_code: str
    cases: dict[str, str]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, frozen_today: str) -> Template:
    """Three cases, made once per module."""
    home = tmp_path_factory.mktemp("keys") / "template"
    code, _ = make_vault(home, [case_document(n) for n in range(1, 4)])
    with Session.unlock(home, passphrase=PASSPHRASE, write=False, owner=InlineOwner()) as session:
        cases = {row.id: row.names for row in session.list_cases()}
    return Template(home, code, cases)


@pytest.fixture
def vault(template: Template, tmp_path: Path) -> Path:
    """This test's own copy of the template vault."""
    return copy_vault(template.home, tmp_path / "vault")


def secret_file(directory: Path, name: str, text: str) -> Path:
    """A one-line file outside the vault folder (a passphrase or a code)."""
    path = directory / name
    path.write_text(text + "\n")
    return path


def cases_and_health(home: Path, **unlock: str) -> dict[str, str]:
    """Unlock (read-only), check `doctor`, and return the cases (id -> names)."""
    with Session.unlock(home, write=False, **unlock, owner=InlineOwner()) as session:
        report = session.doctor()
        assert report.ok, report.problems
        return {row.id: row.names for row in session.list_cases()}


def assert_refuses(home: Path, **unlock: str) -> None:
    """The passphrase or recovery code no longer opens the vault."""
    with pytest.raises(WrongPassphrase):
        Vault.open(home, write=False, now=NOW, **unlock)


def assert_private_and_clean(home: Path, *secrets: str) -> None:
    """Every file is 0600, no temporary file is left, and no secret is written down."""
    paths = files_under(home)
    modes = {path.name: oct(stat.S_IMODE(path.stat().st_mode)) for path in paths}
    assert modes == dict.fromkeys(modes, "0o600")
    assert sorted(modes) == ["keyslots.json", "vault.db", "vault.lock"]
    needles = [*secrets, *(s.replace("-", "") for s in secrets if RECOVERY_CODE.fullmatch(s))]
    assert find_needles(paths, needles) == {}


def test_passwd_keeps_every_case_and_retires_the_old_passphrase(
    vault: Path, template: Template, tmp_path: Path
) -> None:
    """After `passwd`: same cases, new passphrase opens, old does not, recovery code still does."""
    result = run_cli(
        "passwd",
        "--passphrase-file", str(secret_file(tmp_path, "old", PASSPHRASE)),
        "--new-passphrase-file", str(secret_file(tmp_path, "new", NEW_PASSPHRASE)),
        home=vault,
        passphrase=None,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Passphrase of Test Lead (fictional) changed" in result.stdout and result.stderr == ""
    assert cases_and_health(vault, passphrase=NEW_PASSPHRASE) == template.cases
    assert_refuses(vault, passphrase=PASSPHRASE)
    assert cases_and_health(vault, recovery_code=template.recovery_code) == template.cases
    assert_private_and_clean(vault, PASSPHRASE, NEW_PASSPHRASE, template.recovery_code)


def test_recover_keeps_every_case_and_replaces_the_code(
    vault: Path, template: Template, tmp_path: Path
) -> None:
    """After `recover`: same cases, a new code is printed, the old code and passphrase fail."""
    result = run_cli(
        "recover",
        "--code-file", str(secret_file(tmp_path, "code", template.recovery_code)),
        "--new-passphrase-file", str(secret_file(tmp_path, "new", NEW_PASSPHRASE)),
        home=vault,
        passphrase=None,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    codes = RECOVERY_CODE.findall(result.stdout)
    assert len(codes) == 1, result.stdout
    new_code = codes[0]
    assert new_code != template.recovery_code
    assert cases_and_health(vault, passphrase=NEW_PASSPHRASE) == template.cases
    assert cases_and_health(vault, recovery_code=new_code) == template.cases
    assert_refuses(vault, recovery_code=template.recovery_code)
    assert_refuses(vault, passphrase=PASSPHRASE)
    assert_private_and_clean(vault, PASSPHRASE, NEW_PASSPHRASE, template.recovery_code, new_code)


def test_recovery_code_is_read_as_typed(vault: Path, template: Template, tmp_path: Path) -> None:
    """A code typed in lower case with spaces instead of dashes still recovers the vault."""
    typed = template.recovery_code.lower().replace("-", " ")
    result = run_cli(
        "recover",
        "--code-file", str(secret_file(tmp_path, "code", typed)),
        "--new-passphrase-file", str(secret_file(tmp_path, "new", NEW_PASSPHRASE)),
        home=vault,
        passphrase=None,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert cases_and_health(vault, passphrase=NEW_PASSPHRASE) == template.cases


def test_passwd_with_the_wrong_current_passphrase_changes_nothing(
    vault: Path, tmp_path: Path
) -> None:
    """A wrong current passphrase is refused and the key slot file is untouched."""
    before = fingerprint(vault)
    result = run_cli(
        "passwd",
        "--passphrase-file", str(secret_file(tmp_path, "old", "not the passphrase at all")),
        "--new-passphrase-file", str(secret_file(tmp_path, "new", NEW_PASSPHRASE)),
        home=vault,
        passphrase=None,
    )  # fmt: skip
    assert_refused(result, "wrong passphrase")
    assert fingerprint(vault) == before


@pytest.mark.parametrize("new", ["short", "            "], ids=["too-short", "blank"])
def test_passwd_refuses_a_weak_new_passphrase(vault: Path, tmp_path: Path, new: str) -> None:
    """A new passphrase under 12 characters (or blank) is refused; nothing changes."""
    before = fingerprint(vault)
    result = run_cli(
        "passwd",
        "--passphrase-file", str(secret_file(tmp_path, "old", PASSPHRASE)),
        "--new-passphrase-file", str(secret_file(tmp_path, "new", new)),
        home=vault,
        passphrase=None,
    )  # fmt: skip
    assert_refused(result, "passphrase")
    assert fingerprint(vault) == before


@pytest.mark.parametrize(
    ("code", "fragment"),
    [(generate_recovery_code(), "wrong recovery code"), ("not-a-code", "not a recovery code")],
    ids=["wrong", "malformed"],
)
def test_recover_with_a_bad_code_changes_nothing(
    vault: Path, tmp_path: Path, code: str, fragment: str
) -> None:
    """A wrong or malformed recovery code is refused; nothing changes."""
    before = fingerprint(vault)
    result = run_cli(
        "recover",
        "--code-file", str(secret_file(tmp_path, "code", code)),
        "--new-passphrase-file", str(secret_file(tmp_path, "new", NEW_PASSPHRASE)),
        home=vault,
        passphrase=None,
    )  # fmt: skip
    assert_refused(result, fragment)
    assert fingerprint(vault) == before


def test_init_makes_a_private_folder_and_a_working_recovery_code(tmp_path: Path) -> None:
    """`notify-tui init`: folder 0700, files 0600, the printed code opens the vault."""
    home = tmp_path / "new" / "vault"
    result = run_cli("init", "--la", "Testshire", "--user", "Test Lead (fictional)", home=home)
    assert result.returncode == 0, result.stderr
    codes = RECOVERY_CODE.findall(result.stdout)
    assert len(codes) == 1, result.stdout
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert cases_and_health(home, recovery_code=codes[0]) == {}
    assert_private_and_clean(home, PASSPHRASE, codes[0])


def test_backup_file_is_private(vault: Path, tmp_path: Path) -> None:
    """The backup file itself is 0600."""
    destination = tmp_path / "backup.ntbackup"
    assert run_cli("backup", "--to", str(destination), home=vault).returncode == 0
    assert stat.S_IMODE(destination.stat().st_mode) == 0o600


def test_backup_members_restore_as_private_files(vault: Path, tmp_path: Path) -> None:
    """Each file in the backup ZIP carries mode 0600, so unzipping it keeps it private."""
    destination = tmp_path / "backup.ntbackup"
    assert run_cli("backup", "--to", str(destination), home=vault).returncode == 0
    with zipfile.ZipFile(destination) as bundle:
        modes = {
            info.filename: oct((info.external_attr >> 16) & 0o777) for info in bundle.infolist()
        }
    assert modes == {"backup.json": "0o600", "keyslots.json": "0o600", "vault.db": "0o600"}


def test_a_killed_rewrite_leaves_no_temporary_behind(tmp_path: Path) -> None:
    """A `.keyslots.json.*.tmp` left by a killed passphrase change is removed on next write-open."""
    from notify_tui.services.session import Session
    from notify_tui.store.keyslots import ARGON2_FLOOR

    home = tmp_path / "vault"
    session, _ = Session.init(
        home, "a long test passphrase", org="Testshire", role="la", author="Test Lead",
        kdf=ARGON2_FLOOR, owner=InlineOwner())  # fmt: skip
    session.close()
    leftover = home / ".keyslots.json.0123456789abcdef.tmp"
    leftover.write_bytes(b"{}")
    Session.unlock(
        home, passphrase="a long test passphrase", write=False, owner=InlineOwner()
    ).close()
    assert leftover.exists()  # a reader never deletes
    Session.unlock(
        home, passphrase="a long test passphrase", write=True, owner=InlineOwner()
    ).close()
    assert not leftover.exists()
