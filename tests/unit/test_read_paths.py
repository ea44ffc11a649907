"""`case list`, `deadlines` and `report` read narrow index entries and SQL aggregates
(issue 19, part 3): their output must be what the old paths gave, value for value.

`old_read_paths` keeps the old paths (every row loaded and filtered, counted and sorted
in Python; the report read every case document). Here both run on the same vaults: a
varied demo vault (sent, late, acknowledged, not notifying, conflicted, every kind)
under many filters and periods, and a small vault whose report is worked out by hand.
The query plans are checked too: the lists come from covering indexes in the order they
show, with no sort. All data is synthetic; today is frozen at Monday 23 November 2026.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import factories
import old_read_paths as old
import pytest
from click.testing import CliRunner

from notify_tui.cli.common import ShellSession, echo, echo_lines, jsonable
from notify_tui.cli.reports import show_deadlines
from notify_tui.clock import system_clock
from notify_tui.demo.vault import DemoVault
from notify_tui.errors import InvalidInput
from notify_tui.services.session import Session
from notify_tui.store import queries
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.vault import Vault

TODAY = date(2026, 11, 23)
T = TypeVar("T")


@pytest.fixture(scope="module")
def demo_options() -> dict[str, int]:
    """Sixty synthetic cases and the showcase: every status and urgency appears."""
    return {"count": 60, "seed": 19}


def vault_of(session: Session) -> Vault:
    return session._vault  # the store under the session, for the old paths' reads


def on_owner(session: Session, read: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an old path where the session's connection lives (its owner thread)."""
    return session.owner.run(functools.partial(read, session, vault_of(session), *args, **kwargs))


# -- case list -------------------------------------------------------------------------

LIST_OPTIONS = [
    {},
    {"overdue": True},
    {"due_within": 0},
    {"due_within": 2},
    {"due_within": 10},
    {"kind": "serious_incident"},
    {"kind": "child_death", "overdue": True},
    {"kind": "care_leaver_death"},
    {"search": "Ada"},
    {"search": "fictional", "due_within": 3},
]


@pytest.mark.parametrize("options", LIST_OPTIONS, ids=str)
def test_case_list_is_the_old_list(demo: DemoVault, options: dict[str, object]) -> None:
    session = demo.session
    new = session.list_cases(**options)  # type: ignore[arg-type]
    assert new == on_owner(session, old.list_cases, **options)  # type: ignore[arg-type]
    assert new, "each filter selects some cases, so the comparison compares something"


def test_case_list_with_full_names_is_the_old_list(fresh_demo: DemoVault) -> None:
    session = fresh_demo.session
    new = session.list_cases(full_names=True)
    assert new == on_owner(session, old.list_cases, full_names=True)
    assert any(summary.names for summary in new)


def test_the_demo_holds_every_kind_of_row_the_comparisons_need(demo: DemoVault) -> None:
    """Control: the vault compared on is varied (else equal lists would prove little)."""

    def facts(session: Session, vault: Vault) -> tuple[set[str], int, int, int, set[str]]:
        db = vault.db
        return (
            {row[0] for row in db.execute("SELECT DISTINCT status FROM duties")},
            db.execute("SELECT count(*) FROM duties WHERE late != 0").fetchone()[0],
            db.execute("SELECT count(*) FROM cases WHERE conflicts != '[]'").fetchone()[0],
            db.execute("SELECT count(*) FROM cases WHERE next_due IS NULL").fetchone()[0],
            {row[0] for row in db.execute("SELECT DISTINCT kind FROM cases")},
        )

    statuses, late, conflicted, undated, kinds = on_owner(demo.session, facts)
    assert {"open", "sent", "acknowledged", "not_notifying"} <= statuses
    assert late > 0 and conflicted > 0 and undated > 0
    assert kinds == {"serious_incident", "care_leaver_death", "child_death"}


# -- deadlines ---------------------------------------------------------------------------


@pytest.mark.parametrize("within", [0, 1, 2, 5, 30])
def test_deadlines_are_the_old_deadlines(demo: DemoVault, within: int) -> None:
    session = demo.session
    new = session.deadlines(within=within)
    assert new == on_owner(session, old.deadlines, within)
    assert new


def cli_output(session: Session, *words: str) -> str:
    """What `notify-tui WORDS` prints on the open session (as the line mode runs it)."""
    from notify_tui.cli import cli

    runner = CliRunner()
    with runner.isolation() as (out, _err, _):
        with cli.make_context("notify-tui", list(words), obj=ShellSession(session)) as context:
            cli.invoke(context)
        return out.getvalue().decode()


@pytest.mark.parametrize("output", ["text", "md"])
@pytest.mark.parametrize("within", [0, 2, 30])
def test_deadlines_lines_are_the_old_lines(demo: DemoVault, output: str, within: int) -> None:
    """The text and Markdown lines come from the index alone now; they print what the
    old full rows printed."""
    session = demo.session
    new = cli_output(session, "deadlines", "--format", output, "--within", str(within))
    runner = CliRunner()
    with runner.isolation() as (out, _err, _):
        show_deadlines(on_owner(session, old.deadlines, within), output, TODAY)
        expected = out.getvalue().decode()
    assert new == expected
    assert new.count("\n") > 3


def test_deadlines_json_is_the_old_json(demo: DemoVault) -> None:
    session = demo.session
    new = json.loads(cli_output(session, "deadlines", "--json", "--within", "5"))
    assert new == jsonable(on_owner(session, old.deadlines, 5)) and new


# -- report ------------------------------------------------------------------------------

PERIODS = [
    (date(2025, 11, 24), TODAY),  # the last 12 months
    (date(2026, 11, 1), TODAY),
    (date(2026, 11, 5), date(2026, 11, 12)),
    (date(2026, 11, 23), date(2026, 11, 23)),
    (date(2019, 1, 1), date(2019, 12, 31)),  # nothing in it
]


@pytest.mark.parametrize(("start", "end"), PERIODS, ids=str)
def test_report_is_the_old_report(fresh_demo: DemoVault, start: date, end: date) -> None:
    session = fresh_demo.session
    vault = vault_of(session)
    expected = on_owner(session, old.report, start, end)
    assert session.report(start, end) == expected
    org = vault.identity.org
    assert session.report(start, end, org) == on_owner(session, old.report, start, end, org)


def test_the_report_compared_counts_something(demo: DemoVault) -> None:
    """Control: over the last 12 months the demo's report has sent, late, not-notifying
    and open figures, so the comparisons above compare figures, not zeros."""
    figures = demo.session.report(*PERIODS[0])
    panel = figures.notifications["panel-notification"].all
    assert panel.sent_late > 0 and panel.sent_within_deadline > 0
    assert figures.decisions_not_to_notify.count == 1
    assert figures.child_deaths.count > 0 and figures.late_sends and figures.open.count > 0


def test_an_unknown_la_is_refused_naming_those_held(demo: DemoVault) -> None:
    org = vault_of(demo.session).identity.org
    with pytest.raises(InvalidInput) as refused:
        demo.session.report(*PERIODS[0], la="Nowhere Council")
    assert str(refused.value) == (f"--la Nowhere Council: no cases from that LA (LAs held: {org})")


# -- a report worked out by hand ---------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, frozen_today: str) -> Iterator[Session]:
    """Four serious incidents of Testshire (incidents raise a Panel notification; once it
    is sent, a rapid review):

    - A: aware Tue 3 Nov 2026 -> Panel due Tue 10 Nov (4, 5, 6, 9, 10); sent Thu 12 Nov,
      2 working days late (11, 12), 7 taken (4, 5, 6, 9, 10, 11, 12);
    - B: aware Mon 16 Nov -> due Mon 23 Nov; sent Fri 20 Nov, on time, 4 taken;
    - C: aware Tue 17 Nov, decided not to notify the Panel;
    - D: aware Fri 2 Oct (before November) -> due Fri 9 Oct, still open: overdue.
    """
    home: Path = tmp_path_factory.mktemp("small")
    vault, _ = Vault.create(
        home, "a long test passphrase", org="Testshire", role="la", author="Test Lead",
        now=system_clock().now(), kdf=ARGON2_FLOOR)  # fmt: skip
    session = Session(vault)

    def incident(aware: str, event: str) -> str:
        facts = {"outcome": "seriously_harmed", "event_date": event, "aware_date": aware}
        return session.create_case(factories.case("serious_incident", facts=facts))

    ids = {
        "A": incident("2026-11-03", "2026-11-02"),
        "B": incident("2026-11-16", "2026-11-15"),
        "C": incident("2026-11-17", "2026-11-16"),
        "D": incident("2026-10-02", "2026-10-01"),
    }
    session.mark_sent(ids["A"], "panel-notification", date(2026, 11, 12), "REF-A", "Late: test")
    session.mark_sent(ids["B"], "panel-notification", date(2026, 11, 20), "REF-B")
    session.decide(ids["C"], notify=False, rationale="No abuse or neglect (test rationale).")
    session.ids = ids  # type: ignore[attr-defined]
    yield session
    session.close()


def test_a_month_worked_out_by_hand(small: Session) -> None:
    ids = small.ids  # type: ignore[attr-defined]
    figures = small.report(date(2026, 11, 1), date(2026, 11, 30))
    panel = figures.notifications["panel-notification"]
    assert panel.all.as_json() == {
        "raised": 2,  # A and B; C is not notifying, D started in October
        "sent": 2,
        "sent_within_deadline": 1,
        "sent_late": 1,
        "sent_without_date": 0,
        "still_open": 0,
        "withdrawn": 0,
        "not_notifying": 1,
        "share_within_deadline": 0.5,
        "median_working_days_taken": 5.5,  # of 7 and 4
    }
    assert list(panel.by_la) == ["Testshire"]
    assert panel.by_la["Testshire"] == panel.all
    # The rapid reviews of A and B start when their notifications were sent (12 and
    # 20 November): both raised, neither done.
    assert (figures.rapid_reviews.raised, figures.rapid_reviews.still_open) == (2, 2)
    assert figures.rapid_reviews.median_working_days_taken is None
    assert figures.decisions_not_to_notify.cases == (ids["C"],)
    [late] = figures.late_sends
    assert (late.case_id, late.due, late.sent_on, late.working_days_late, late.reason) == (
        ids["A"],
        "2026-11-10",
        "2026-11-12",
        2,
        "Late: test",
    )
    assert figures.child_deaths.count == 0
    # Open now, whatever the period: D's Panel notification (overdue since 9 October),
    # the rapid reviews of A (due Thu 3 Dec: 15 working days from 13 Nov) and B (Fri 11
    # Dec), and last D's rapid review, which has no date until its notification is sent.
    assert (figures.open.count, figures.open.overdue, figures.open.without_due_date) == (4, 1, 1)
    assert [(line.case_id, line.duty, line.due) for line in figures.open.duties] == [
        (ids["D"], "panel-notification", "2026-10-09"),
        (ids["A"], "rapid-review", "2026-12-03"),
        (ids["B"], "rapid-review", "2026-12-11"),
        (ids["D"], "rapid-review", None),
    ]
    assert figures.open.duties[0].due == "2026-10-09"
    assert figures.open.duties[0].working_days_left == -31


def test_october_by_hand(small: Session) -> None:
    """Only D started in October: raised and still open, overdue."""
    panel = small.report(date(2026, 10, 1), date(2026, 10, 31)).notifications
    figures = panel["panel-notification"].all
    assert (figures.raised, figures.sent, figures.still_open) == (1, 0, 1)
    assert figures.share_within_deadline is None


def test_the_small_vault_report_is_the_old_report(small: Session) -> None:
    for start, end in [(date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 1, 1), TODAY)]:
        assert small.report(start, end) == on_owner(small, old.report, start, end)


# -- the plans: narrow rows, in order, no sort -------------------------------------------


def plan(vault: Vault, sql: str, params: list[object]) -> str:
    rows = vault.db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_lists_read_covering_indexes_in_their_order(demo: DemoVault) -> None:
    def plans(session: Session, vault: Vault) -> list[str]:
        seen: list[str] = []
        original = vault.db.execute

        def explained(sql: str, params: Any = ()) -> Any:
            if sql.startswith("SELECT"):
                seen.append(plan(vault, sql, list(params)))
            return original(sql, params)

        vault.db.execute = explained  # type: ignore[method-assign]
        try:
            list(queries.case_list(vault))
            list(queries.case_list(vault, due_before=TODAY))
            list(queries.deadline_rows(vault, TODAY))
            inputs = queries.report_inputs(vault, date(2025, 11, 24), TODAY, None)
            list(inputs.open)
        finally:
            del vault.db.execute
        return seen

    seen = on_owner(demo.session, plans)
    full_list, overdue_list, deadlines, *report, open_duties = seen
    assert "COVERING INDEX cases_list" in full_list and "TEMP B-TREE" not in full_list
    assert "COVERING INDEX cases_list" in overdue_list and "TEMP B-TREE" not in overdue_list
    assert "INDEX duties_by_status_due" in deadlines and "TEMP B-TREE" not in deadlines
    assert "COVERING INDEX duties_report" in open_duties and "TEMP B-TREE" not in open_duties
    counts = report[1]
    assert "COVERING INDEX duties_report" in counts and "cases_org_by_id" in counts
    assert all("SCAN cases\n" not in f"{text}\n" for text in seen), seen


# -- printing many lines at once -----------------------------------------------------------


def test_echo_lines_prints_what_echo_printed_line_by_line() -> None:
    lines = [f"line {n} \x1b[31m red" for n in range(2500)]
    runner = CliRunner()
    with runner.isolation() as (out, _err, _):
        for line in lines:
            echo(line)
        one_by_one = out.getvalue()
    with runner.isolation() as (out, _err, _):
        echo_lines(lines)
        at_once = out.getvalue()
    assert at_once == one_by_one
    assert "\x1b" not in at_once.decode() and at_once.count(b"\n") == 2500
    assert isinstance(io.BytesIO(at_once).read(), bytes)


# -- migration 12 and the page cache ---------------------------------------------------------

INDEXES_12 = ("cases_list", "cases_org_by_id", "duties_report", "cases_by_outcome")


def test_an_existing_vault_gets_the_covering_indexes(fresh_demo: DemoVault) -> None:
    """A vault made before migration 12 gets its indexes on the next writing open; the
    list reads the same."""
    from notify_tui.store.migrations import migrate

    session = fresh_demo.session

    def downgrade_and_migrate(session: Session, vault: Vault) -> list[int]:
        for index in INDEXES_12:
            vault.db.execute(f"DROP INDEX {index}")
        vault.db.execute("DELETE FROM migrations WHERE number = 12")
        return migrate(vault.db, "2026-11-23T09:00:00+00:00")

    before = session.list_cases()
    assert on_owner(session, downgrade_and_migrate) == [12]

    def indexes(session: Session, vault: Vault) -> set[str]:
        rows = vault.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {str(row[0]) for row in rows}

    assert set(INDEXES_12) <= on_owner(session, indexes)
    assert session.list_cases() == before


@pytest.mark.parametrize(
    ("file_bytes", "kib"),
    [
        (0, 65536),  # a new vault: the floor, 64 MiB
        (100 * 2**20, 65536),  # 100 MiB: half is 50 MiB, under the floor
        (786 * 2**20, 786 * 512),  # a decade's 786 MiB: 393 MiB
        (4 * 2**30, 524288),  # 4 GiB: the ceiling, 512 MiB
    ],
)
def test_the_page_cache_is_half_the_vault_within_bounds(file_bytes: int, kib: int) -> None:
    from notify_tui.store.connection import cache_kib

    assert cache_kib(file_bytes) == kib


def test_an_opened_vault_uses_that_cache(demo: DemoVault) -> None:
    def cache_size(session: Session, vault: Vault) -> int:
        return int(vault.db.execute("PRAGMA cache_size").fetchone()[0])

    assert on_owner(demo.session, cache_size) == -65536  # a small vault: the floor
