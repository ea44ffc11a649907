"""`doctor` reports a projection or search index altered behind notify-tui's back, in
one line, whatever was written there: a value made a BLOB or an infinite number is a
difference found (never an internal error, never taken for null), and a case dropped
from the search index is found by FTS5's own check (integrity_check does not look).

Rows are altered with the data key, as someone holding it could. All data is synthetic.
"""

from __future__ import annotations

from pathlib import Path

import factories
import pytest

from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner


@pytest.fixture
def session(tmp_path: Path) -> Session:
    made, _ = Session.init(
        tmp_path / "v", "a long test passphrase", org="Testshire (test)", role="la",
        author="Ann Lead (fictional)", kdf=ARGON2_FLOOR, owner=InlineOwner(),
    )  # fmt: skip
    made.create_cases([factories.case("child_death"), factories.case("serious_incident")])
    return made


def tamper(session: Session, sql: str) -> None:
    db = session._vault.db  # the data key's holder, behind the program's back
    with db.conn:
        db.execute(sql)


def test_an_untouched_vault_passes(session: Session) -> None:
    report = session.doctor()
    assert report.problems == ()
    assert "the search index matches the cases (FTS5 integrity-check)" in report.checks


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE duties SET reference = X'00'",  # a BLOB where text or null was
        "UPDATE duties SET rule_version = 9e999",  # infinite: orjson would write null
        "UPDATE duties SET rule_version = NULL",  # the null the infinity must not pass as
    ],
)
def test_a_projection_value_of_any_type_is_a_difference_found(session: Session, sql: str) -> None:
    tamper(session, sql)
    problems = session.doctor().problems
    assert problems, sql
    assert all("projection" in problem for problem in problems), problems


def test_a_case_dropped_from_the_search_index_is_found(session: Session) -> None:
    tamper(
        session,
        "INSERT INTO cases_fts (cases_fts, rowid, names, outline) "
        "SELECT 'delete', rowid, names, outline FROM cases LIMIT 1",
    )
    problems = session.doctor().problems
    assert [p for p in problems if p.startswith("search index: does not match the cases")]
