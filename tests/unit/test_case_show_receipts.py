"""`case show` prints who received each duty's `sent` record, and `--json` has `receipts`.

An LA workstation and the partnership office exchange bundles both ways, so the LA
holds the office's receipt for a duty it marked sent. All data is synthetic.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bundle_support import (
    PASSPHRASE,
    TODAY,
    case_document,
    exchange,
    make_session,
    trust_each_other,
)
from click.testing import CliRunner

from notify_tui.cli import cli

OFFICE = "Testshire CSP Office (test)"


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())


def test_case_show_lists_receipts(tmp_path: Path) -> None:
    la = make_session(tmp_path / "la", "Testshire Council (test)", author="Lee L")
    office = make_session(tmp_path / "office", OFFICE, "office", "Ola O")
    trust_each_other([la, office], tmp_path / "keys")
    case_id = la.create_case(case_document(3, "child_death"))
    duty = next(d for d in la.case_detail(case_id).duties if d.status == "open").duty
    la.mark_sent(
        case_id, duty, TODAY, reference="REF-9",
        late_reason="Synthetic case logged long after its due date.",
    )  # fmt: skip
    exchange(la, office, tmp_path / "bundles")
    la.close()
    office.close()

    env = {"NOTIFY_TUI_HOME": str(tmp_path / "la"), "NOTIFY_TUI_PASSPHRASE": PASSPHRASE}
    shown = CliRunner().invoke(cli, ["case", "show", case_id], env=env)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    sent_line = next(i for i, line in enumerate(lines) if line.strip().startswith(duty))
    assert f"received by {OFFICE} at {TODAY.isoformat()}" in lines[sent_line + 1]

    as_json = CliRunner().invoke(cli, ["case", "show", case_id, "--json"], env=env)
    assert as_json.exit_code == 0, as_json.output
    receipts = json.loads(as_json.output)["receipts"]
    assert [entry["org"] for entry in receipts["duties"][duty]] == [OFFICE]
