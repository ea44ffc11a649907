"""Text reaching a terminal is shown, never obeyed (`notify_tui.domain.text`).

New text with an escape sequence, a control or bidi character is refused where it comes
in (a peer's event, a keys file, this device's own input); text stored before that rule
is printed with each such character as U+FFFD by every CLI command, and as a `\\uXXXX`
escape in JSON output (the same value). Synthetic data; today is Mon 23 Nov 2026.
"""

from __future__ import annotations

import json
from pathlib import Path

import factories
import pytest
from bundle_support import PASSPHRASE, make_session, vault_of
from click.testing import CliRunner

from notify_tui.cli import cli
from notify_tui.domain.text import (
    forbidden_character,
    json_escaped,
    terminal_line,
    terminal_text,
)
from notify_tui.errors import InvalidInput
from notify_tui.store.events import Change

NASTY = "Ann\x1b[2J\x1b]0;pwned\x07\rB\u202eC\x9b31m\x00"


def test_the_helpers_worked_by_hand() -> None:
    assert terminal_text("a\nb\tc") == "a\nb\tc"
    assert terminal_line("a\nb\tc") == "a\ufffdb\ufffdc"
    assert terminal_text(NASTY) == "Ann\ufffd[2J\ufffd]0;pwned\ufffd\ufffdB\ufffdC\ufffd31m\ufffd"
    assert forbidden_character("plain text, café") is None
    assert forbidden_character("a\nb") is None
    assert forbidden_character("a\nb", multiline=False) == "U+000A"
    assert forbidden_character("x\u2066y") == "U+2066"
    assert forbidden_character("x\u2028y") == "U+2028"
    assert forbidden_character("\x7f") == "U+007F"
    document = json.dumps({"name": "B\u202eC\x9b", "esc": "\x1b"}, ensure_ascii=False)
    escaped = json_escaped(document)
    assert "\u202e" not in escaped and "\x9b" not in escaped and "\x1b" not in escaped
    assert json.loads(escaped) == {"name": "B\u202eC\x9b", "esc": "\x1b"}


@pytest.fixture
def la_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """An LA vault holding a case whose subject's given names an older version stored
    with NASTY in them (written past the Session, as that version could)."""
    monkeypatch.setenv("NOTIFY_TUI_TODAY", "2026-11-23")
    la = make_session(tmp_path / "la", "Testshire Council", author="Ann A")
    case_id = la.create_case(
        factories.case(
            "child_death",
            subjects=[{"given_names": "Test", "family_name": "Fictional"}],
            facts={"date_of_birth": "2020-01-01", "event_date": "2026-11-16",
                   "aware_date": "2026-11-17", "abuse_or_neglect": "none"},
        )
    )  # fmt: skip
    field = "subjects.0.given_names"
    heads = la._state(case_id).fields[field].head_ids
    vault_of(la).record(
        la.projector,
        [(case_id, "case.edited", [Change(field=field, value=NASTY, replaces=heads)])],
        la.clock.now(),
    )
    la.close()
    return tmp_path / "la", case_id


def cli_run(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli,
        [*args, "--home", str(home)],
        env={"NOTIFY_TUI_PASSPHRASE": PASSPHRASE, "NOTIFY_TUI_TODAY": "2026-11-23"},
    )
    return result.exit_code, result.stdout, result.stderr


def test_stored_escape_sequences_are_shown_not_obeyed(la_home: tuple[Path, str]) -> None:
    home, case_id = la_home
    code, out, _ = cli_run(home, "case", "show", case_id)
    assert code == 0
    assert not any(ch in out for ch in ("\x1b", "\r", "\u202e", "\x9b", "\x00", "\x07"))
    assert "Subject 1: Ann\ufffd[2J" in out
    code, out, _ = cli_run(home, "case", "show", case_id, "--json")
    assert code == 0
    assert not any(ch in out for ch in ("\x1b", "\r", "\u202e", "\x9b", "\x00", "\x07"))
    shown = json.loads(out)["document"]["subjects"][0]["given_names"]
    assert shown == NASTY  # the same value, escaped


@pytest.mark.parametrize("text", ["Outline \x1b[31mred", "Bidi \u202eevil", "NUL \x00"])
def test_this_devices_own_input_with_them_is_refused(la_home: tuple[Path, str], text: str) -> None:
    """What a peer would refuse is never recorded here: one line, nothing changed."""
    from notify_tui.services.session import Session

    home, case_id = la_home
    with Session.unlock(home, passphrase=PASSPHRASE) as session:
        before = session.projection_hash()
        with pytest.raises(InvalidInput) as raised:
            session.edit_case(case_id, {"case_outline": text})
        assert raised.value.message.startswith("case_outline: holds the control character U+")
        assert session.projection_hash() == before


def test_a_vault_is_not_made_for_a_name_no_peer_would_take(tmp_path: Path) -> None:
    from notify_tui.services.session import Session

    with pytest.raises(InvalidInput) as raised:
        Session.init(tmp_path / "v", PASSPHRASE, org="Testshire", role="la",
                     author="Ann\u202eA")  # fmt: skip
    assert raised.value.message == "user name: holds the control character U+202E"
    assert not (tmp_path / "v").exists()
