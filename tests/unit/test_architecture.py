"""The layers of DESIGN.md, enforced: import-linter contracts and the one door.

The contracts live in pyproject.toml (`[tool.importlinter]`). These tests run them, prove
that they can fail (a wrong import in a scratch copy of the package breaks them), and check
what import-linter cannot see: that nothing above store/ and sync/ reaches through an object
to the vault or its database connection, and that no SQL text lives above them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "notify_tui"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
LOWER = ("store", "sync")
"""The packages that own the database and the bundle format."""


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the package found in `root`, with `root`'s contracts."""
    environment = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def upper_sources() -> list[Path]:
    """Every module above the lower half (and outside the domain)."""
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in (*LOWER, "domain")
    )


def test_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        ("domain/calendar.py", "import textual", "Only the app package imports Textual"),
        ("store/files.py", "import notify_tui.services.session", "Layers point down"),
        ("views/office.py", "import sqlite_utils", "Only store/ and sync/ touch"),
        ("domain/nhs.py", "import os", "The domain is pure"),
    ],
)
def test_a_wrong_import_breaks_the_contracts(
    tmp_path: Path, module: str, bad_import: str, contract: str
) -> None:
    """A scratch copy with one bad import fails lint-imports, naming the contract."""
    scratch = tmp_path / "checkout"
    shutil.copytree(PACKAGE, scratch / "notify_tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", scratch / "pyproject.toml")
    assert lint_imports(scratch).returncode == 0, "the scratch copy must start clean"
    target = scratch / "notify_tui" / module
    target.write_text(f"{bad_import}  # noqa\n" + target.read_text(encoding="utf-8"))
    result = lint_imports(scratch)
    assert result.returncode != 0
    assert contract in result.stdout


PUBLIC_REACH = re.compile(r"\.(vault|db)\b")
"""`x.vault` or `x.db`: nobody above store/ and sync/ may write it."""

PRIVATE_REACH = re.compile(r"\._(vault|db)\b")
"""`x._vault`: the services' own handle on the Vault; nobody above them may write it."""


def reaches(relative: Path, text: str) -> list[str]:
    """The lines of a module (`relative` to the package) that reach through an object to
    the vault or its connection."""
    services = relative.parts[0] == "services"
    return [
        f"notify_tui/{relative}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), 1)
        if not line.lstrip().startswith(("#", "from ", "import "))
        and (PUBLIC_REACH.search(line) or (not services and PRIVATE_REACH.search(line)))
    ]


def test_nothing_above_the_lower_half_reaches_the_vault_or_its_connection() -> None:
    """`.vault` and `.db` are the store's; the shells, views and services use verbs."""
    offenders = [
        line
        for path in upper_sources()
        for line in reaches(path.relative_to(PACKAGE), path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_reach_check_sees_a_screen_using_the_services_private_vault() -> None:
    """A screen reading `session._vault` is caught; the services' own `self._vault` is not,
    but their `.db` is."""
    screen, service = Path("tui/screens/case_detail.py"), Path("services/session.py")
    assert reaches(screen, "events = self.session._vault.case_events(case_id)\n")
    assert not reaches(service, "events = self._vault.case_events(case_id)\n")
    assert reaches(service, "rows = self._vault.db.execute(sql)\n")
    assert reaches(screen, "home = session.vault.home\n")


SQL = re.compile(
    r"\b(SELECT\s+[\w*(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA\s+\w|"
    r"CREATE\s+(TABLE|INDEX|TRIGGER)|ATTACH\s+DATABASE)",
)


def test_no_sql_text_above_the_lower_half() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in upper_sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SQL.search(line)
    ]
    assert offenders == []


def test_the_sql_detector_finds_sql() -> None:
    """The check above would see a query if one were written."""
    assert SQL.search('rows = db.execute("SELECT id FROM cases")')
    assert SQL.search("cursor.execute('PRAGMA cipher_integrity_check')")
    assert not SQL.search("Select the cases to export, then press e.")
