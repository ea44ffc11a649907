"""Closure days move only local clocks; statutory deadlines count national working days.

Hand-worked, with today Monday 23 November 2026 and a local closure on Tuesday 24 November:
a looked-after child (aged 5) died on Sunday 22 November and the LA became aware on
Monday 23 November.

- CDOP notification: `cdop_working_days` defaults to 1 in the shipped pack, and the
  statutory clock ignores the closure: the 1st working day after Mon 23 is Tue 24 Nov
  (1 working day left).
- DfE/Ofsted looked-after child death notification: 5 national working days, 24, 25, 26,
  27 and 30 November: Mon 30 Nov (5 left).
- A local rule of 1 working day (the test pack's `lado-referral`, `"clock": "local"`):
  Tue 24 is closed, so Wed 25 Nov, 1 local working day left.

Real encrypted vaults; all people are synthetic.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import factories
import pytest
from click.testing import CliRunner

from notify_tui.cli import cli
from notify_tui.clock import system_clock
from notify_tui.domain.dashboard import DashboardQuery
from notify_tui.domain.rules import RulePack, parse_rule_pack
from notify_tui.services import session as session_module
from notify_tui.services.session import Session
from notify_tui.settings import Preferences
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.vault import Vault

PASSPHRASE = "a long test passphrase"
CLOSED = "2026-11-24"
LOCAL_RULE = {
    "id": "lado-referral",
    "kind": "duty",
    "title": "Refer to the local authority designated officer (a local rule)",
    "version": 1,
    "effective_from": "2020-01-01",
    "recipients": ["Local authority designated officer"],
    "when": [{"fact": "outcome", "eq": "died", "reason": "the child died"}],
    "deadline": {"working_days": 1, "start": "aware_date"},
    "clock": "local",
    "source": "Testshire local procedures (synthetic, for tests)",
}
STATUTORY = {
    "cdop-notification": ("2026-11-24", 1),
    "lac-death-notification": ("2026-11-30", 5),
}


def local_pack() -> RulePack:
    """The shipped pack plus one local rule."""
    text = files("notify_tui.domain").joinpath("data/rulepack-england.json").read_text()
    document: dict[str, Any] = json.loads(text)
    document["rules"].append(copy.deepcopy(LOCAL_RULE))
    return parse_rule_pack(document)


def looked_after_death() -> dict[str, Any]:
    return factories.case(
        "child_death",
        subjects=[{"given_names": "Kit", "family_name": "Clock-Fictional"}],
        facts={
            "date_of_birth": "2021-06-01",
            "event_date": "2026-11-22",
            "aware_date": "2026-11-23",
            "abuse_or_neglect": "none",
            "looked_after": True,
        },
    )


def with_closure(session: Session) -> None:
    session.set_preferences(Preferences.model_validate({"calendar": {"closure_days": [CLOSED]}}))


@pytest.fixture
def vault(tmp_path: Path, frozen_today: str) -> Iterator[Vault]:
    opened, _ = Vault.create(
        tmp_path / "vault", PASSPHRASE, org="Testshire (test)", role="la",
        author="Cal Clock", now=system_clock().now(), kdf=ARGON2_FLOOR,
    )  # fmt: skip
    yield opened
    opened.close()


def due_and_left(session: Session, case_id: str) -> dict[str, tuple[str | None, int | None]]:
    return {d.duty: (d.due, d.working_days_left) for d in session.case_detail(case_id).duties}


def test_a_closure_day_leaves_statutory_deadlines_where_they_are(vault: Vault) -> None:
    session = Session(vault)
    before = session.create_case(looked_after_death())
    assert due_and_left(session, before) == STATUTORY
    with_closure(session)  # refolds every case
    after = session.create_case(looked_after_death())
    for case_id in (before, after):
        assert due_and_left(session, case_id) == STATUTORY
    assert session.calendar.closures == frozenset()
    assert [str(day) for day in session.local_calendar.closures] == [CLOSED]
    # `deadlines` and the dashboard count national days too.
    assert {d.duty for d in session.deadlines(within=1)} == {"cdop-notification"}
    rows = session.duty_pages(DashboardQuery(today=session.today()))
    assert {(row.duty_id, row.working_days_left) for row in rows} == {
        ("cdop-notification", 1),
        ("lac-death-notification", 5),
    }
    assert session.assess_facts(looked_after_death()["facts"]).duty("cdop-notification")


def test_a_local_rule_counts_the_closure_day(vault: Vault) -> None:
    session = Session(vault, local_pack())
    with_closure(session)
    case_id = session.create_case(looked_after_death())
    assert due_and_left(session, case_id) == {**STATUTORY, "lado-referral": ("2026-11-25", 1)}
    rows = session.duty_pages(DashboardQuery(today=session.today()))
    assert ("lado-referral", 1) in {(row.duty_id, row.working_days_left) for row in rows}
    assessed = session.assess_facts(looked_after_death()["facts"]).duty("lado-referral")
    assert assessed is not None and str(assessed.due) == "2026-11-25"


@pytest.mark.parametrize("pack", [None, "local"])
def test_case_show_json_agrees(
    vault: Vault, monkeypatch: pytest.MonkeyPatch, pack: str | None
) -> None:
    chosen = local_pack() if pack else None
    session = Session(vault, chosen)
    with_closure(session)
    case_id = session.create_case(looked_after_death())
    home = vault.home
    session.close()
    if chosen is not None:
        monkeypatch.setattr(session_module, "default_rule_pack", lambda: chosen)
    env = {"NOTIFY_TUI_HOME": str(home), "NOTIFY_TUI_PASSPHRASE": PASSPHRASE}
    shown = CliRunner().invoke(cli, ["case", "show", case_id, "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    duties = {
        d["duty"]: (d["due"], d["working_days_left"]) for d in json.loads(shown.output)["duties"]
    }
    expected = {**STATUTORY, "lado-referral": ("2026-11-25", 1)} if pack else STATUTORY
    assert duties == expected
