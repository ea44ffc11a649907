"""Refusals of the vault commands, run as real `notify-tui` processes.

Every refusal exits with status 2 and prints exactly one line on stderr, starting
"error:", and never a traceback. Refusals that could touch the vault are also checked
to leave every byte of it as it was (and to create no file). Each test works on its own
copy of a template vault made once per module; all data is synthetic.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kdf_stub
import pytest
from vault_support import (
    PASSPHRASE,
    assert_refused,
    case_document,
    cli_env,
    copy_vault,
    fingerprint,
    make_vault,
    run_cli,
)

from notify_tui.clock import system_clock
from notify_tui.services.session import Session
from notify_tui.store.connection import open_database
from notify_tui.store.events import Event, canonical_json
from notify_tui.store.keyslots import KEYSLOTS_FILE_NAME
from notify_tui.store.vault import Vault


@dataclass(frozen=True)
class Template:
    """A closed vault to copy: two cases, each created then edited (four events)."""

    home: Path
    data_key: bytes
    case_ids: list[str]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, frozen_today: str) -> Template:
    """Made once per module."""
    home = tmp_path_factory.mktemp("errors") / "template"
    _, ids = make_vault(home, [case_document(1), case_document(2)])
    vault = Vault.open(home, passphrase=PASSPHRASE, write=True, now=system_clock().now())
    data_key = vault.data_key
    with Session(vault) as session:
        for number, case_id in enumerate(ids, start=1):
            session.edit_case(case_id, {"case_outline": f"SYNTHETIC edited case {number}"})
    return Template(home, data_key, ids)


@pytest.fixture
def vault(template: Template, tmp_path: Path) -> Path:
    """This test's own copy of the template vault."""
    return copy_vault(template.home, tmp_path / "vault")


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    """A valid case document, outside the vault folder."""
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case_document(9)))
    return path


# -- wrong passphrase, missing vault, locked vault -------------------------------------


@pytest.mark.parametrize("command", ["case list", "case add", "passwd", "case list, no lock file"])
def test_wrong_passphrase_changes_nothing(vault: Path, case_file: Path, command: str) -> None:
    """A wrong passphrase is refused; no byte of the vault changes and no file appears.

    The last case is a vault restored from a backup, which has no lock file yet.
    """
    if command.endswith("no lock file"):
        (vault / "vault.lock").unlink()
        command = "case list"
    new_passphrase = case_file.with_name("new-passphrase")
    new_passphrase.write_text("a brand new passphrase\n")
    arguments = {
        "case list": ["case", "list"],
        "case add": ["case", "add", str(case_file)],
        "passwd": ["passwd", "--new-passphrase-file", str(new_passphrase)],
    }[command]
    before = fingerprint(vault)
    result = run_cli(*arguments, home=vault, passphrase="not the right passphrase")
    assert_refused(result, "wrong passphrase")
    assert fingerprint(vault) == before


MISSING_VAULT_COMMANDS = {
    "case list": ["case", "list"],
    "case add": ["case", "add", "{case_file}"],
    "case show": ["case", "show", "CD-0000ABCD"],
    "case edit": ["case", "edit", "CD-0000ABCD", "--set", "case_outline=x"],
    "duty sent": ["duty", "sent", "CD-0000ABCD", "cdop-notification", "--date", "2026-11-20"],
    "decide": ["decide", "CD-0000ABCD", "--notify", "--rationale", "SYNTHETIC rationale"],
    "deadlines": ["deadlines"],
    "doctor": ["doctor"],
    "seed": ["seed", "--cases", "1"],
    "backup": ["backup", "--to", "{tmp}/backup.zip"],
    "passwd": ["passwd", "--new-passphrase-file", "{tmp}/new-passphrase"],
    "recover": [
        "recover", "--code-file", "{tmp}/code", "--new-passphrase-file", "{tmp}/new-passphrase",
    ],
}  # fmt: skip


@pytest.mark.parametrize("command", MISSING_VAULT_COMMANDS)
def test_missing_vault_is_refused_and_not_created(
    tmp_path: Path, case_file: Path, command: str
) -> None:
    """Every vault command refuses a folder with no vault and creates nothing there."""
    (tmp_path / "new-passphrase").write_text("a brand new passphrase\n")
    (tmp_path / "code").write_text("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01\n")
    parent = tmp_path / "nowhere"
    home = parent / "vault"
    arguments = [
        part.format(case_file=case_file, tmp=tmp_path) for part in MISSING_VAULT_COMMANDS[command]
    ]
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli(*arguments, home=home)
    assert_refused(result, "no vault in", str(home))
    assert not parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


HOLDER = kdf_stub.PRELUDE + textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from notify_tui.services.session import Session

    session = Session.unlock(Path(sys.argv[1]), passphrase=os.environ["NOTIFY_TUI_PASSPHRASE"])
    print("READY", os.getpid(), flush=True)
    time.sleep(120)
    """
)


@pytest.fixture
def held_vault(vault: Path) -> Iterator[tuple[Path, int]]:
    """The vault copy, held open for writing by another process (its pid given)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(vault)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(vault),
    )
    try:
        assert holder.stdout is not None
        ready = holder.stdout.readline().split()
        assert ready[:1] == ["READY"], ready
        yield vault, int(ready[1])
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


@pytest.mark.parametrize(
    "arguments",
    [
        ["case", "add", "{case_file}"],
        ["seed", "--cases", "1"],
        ["passwd", "--new-passphrase-file", "{case_file}"],
    ],
    ids=["case add", "seed", "passwd"],
)
def test_locked_vault_refuses_a_second_writer(
    held_vault: tuple[Path, int], case_file: Path, arguments: list[str]
) -> None:
    """While another process writes, a writing command is refused, naming that process."""
    home, holder_pid = held_vault
    before = fingerprint(home)
    result = run_cli(*(part.format(case_file=case_file) for part in arguments), home=home)
    assert_refused(result, "another notify-tui process", f"pid {holder_pid}")
    assert fingerprint(home) == before


def test_locked_vault_still_reads(held_vault: tuple[Path, int], template: Template) -> None:
    """A reading command is not blocked by the writer's lock."""
    home, _ = held_vault
    result = run_cli("case", "list", "--json", home=home)
    assert result.returncode == 0, result.stderr
    assert sorted(row["id"] for row in json.loads(result.stdout)) == sorted(template.case_ids)


# -- damaged key slot file ---------------------------------------------------------------


def edited(change: Callable[[dict[str, Any]], None]) -> Callable[[bytes], bytes]:
    """Damage: a well-formed file with one value edited by `change`."""

    def damage(raw: bytes) -> bytes:
        document = json.loads(raw)
        change(document)
        return json.dumps(document, indent=2).encode()

    return damage


def passphrase_slot(document: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in document["slots"] if s["kind"] == "passphrase")


def flip_base64(holder: dict[str, Any], key: str) -> None:
    """Flip one bit of a base64 value's bytes (still valid base64 of the same length)."""
    data = bytearray(base64.b64decode(holder[key]))
    data[len(data) // 2] ^= 0x01
    holder[key] = base64.b64encode(bytes(data)).decode()


def flip_base64_in(holder: list[str], index: int) -> None:
    """Flip one bit of a base64 list item's bytes."""
    data = bytearray(base64.b64decode(holder[index]))
    data[len(data) // 2] ^= 0x01
    holder[index] = base64.b64encode(bytes(data)).decode()


def flip_first(needle: bytes) -> Callable[[bytes], bytes]:
    """Damage: flip the low bit of the first byte of `needle` in the raw file."""

    def damage(raw: bytes) -> bytes:
        index = raw.index(needle)
        return raw[:index] + bytes([raw[index] ^ 0x01]) + raw[index + 1 :]

    return damage


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "byte-flipped-in-brace": flip_first(b"{"),
    "byte-flipped-in-format": flip_first(b"notify-tui-keyslots"),
    "byte-flipped-in-kind": flip_first(b"passphrase"),
    "truncated-half": lambda raw: raw[: len(raw) // 2],
    "truncated-empty": lambda raw: b"",
    "invalid-json": lambda raw: b"{not json at all",
    "not-utf8": lambda raw: b"\xff\xfe\x00" + raw,
    "json-array": lambda raw: b"[]",
    "too-large": lambda raw: raw.rstrip()[:-1] + b', "padding": "' + b"x" * 70_000 + b'"}',
    "duplicate-key": lambda raw: raw.replace(b'"version": 2', b'"version": 2, "version": 2'),
    "unknown-version": edited(lambda d: d.update(version=3)),
    "vault-id-changed": edited(lambda d: d.update(vault_id="0" * 32)),
    "key-check-changed": edited(lambda d: flip_base64_in(d["key_checks"], 0)),
    "salt-changed": edited(lambda d: flip_base64(passphrase_slot(d)["kdf"], "salt")),
    "wrapped-key-changed": edited(lambda d: flip_base64(passphrase_slot(d), "wrapped_private")),
    "sealed-key-changed": edited(lambda d: flip_base64_in(passphrase_slot(d)["sealed"], 0)),
    "public-key-changed": edited(lambda d: flip_base64(passphrase_slot(d), "public")),
    "user-changed": edited(lambda d: passphrase_slot(d).update(user="0" * 32)),
    "iterations-raised": edited(lambda d: passphrase_slot(d)["kdf"].update(iterations=4)),
    "kdf-weakened": edited(lambda d: passphrase_slot(d)["kdf"].update(memory_cost=1024)),
    "kdf-absurd": edited(lambda d: passphrase_slot(d)["kdf"].update(memory_cost=2**40)),
    "passphrase-slot-removed": edited(
        lambda d: d.update(slots=[s for s in d["slots"] if s["kind"] != "passphrase"])
    ),
    "no-slots": edited(lambda d: d.update(slots=[])),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_key_slot_file_is_refused(vault: Path, damage: str) -> None:
    """A damaged key slot file is refused in one line; nothing is rewritten or created."""
    slots = vault / KEYSLOTS_FILE_NAME
    slots.write_bytes(DAMAGES[damage](slots.read_bytes()))
    before = fingerprint(vault)
    result = run_cli("case", "list", home=vault)
    assert_refused(result)
    assert fingerprint(vault) == before


def test_missing_key_slot_file_is_refused(vault: Path) -> None:
    """A vault without its key slot file is refused, and the file is not recreated."""
    (vault / KEYSLOTS_FILE_NAME).unlink()
    before = fingerprint(vault)
    assert_refused(run_cli("case", "list", home=vault), "keyslots.json is missing")
    assert fingerprint(vault) == before


# -- tampered events ---------------------------------------------------------------------


def event_rows(db: Any) -> list[tuple[int, str, str]]:
    """(seq, id, body) of every event, in chain order."""
    return [tuple(row) for row in db.execute("SELECT seq, id, body FROM events ORDER BY seq")]


def change_outline(body: str) -> dict[str, Any]:
    """The event's JSON with the value of its case_outline change edited."""
    event = json.loads(body)
    change = next(c for c in event["changes"] if c["field"] == "case_outline")
    change["value"] = "SYNTHETIC tampered outline"
    return event


def tamper_body(db: Any, seq: int, event_id: str, body: str) -> str:
    """Edit a value in the stored body; the id no longer matches."""
    db.execute(
        "UPDATE events SET body = ? WHERE id = ?",
        [canonical_json(change_outline(body)).decode(), event_id],
    )
    return event_id


def tamper_seq(db: Any, seq: int, event_id: str, body: str) -> str:
    """Renumber the row; its column disagrees with its body."""
    db.execute("UPDATE events SET seq = 99 WHERE id = ?", [event_id])
    return event_id


def tamper_and_readdress(db: Any, seq: int, event_id: str, body: str) -> str:
    """Edit the body and give it the id that matches (the old signature cannot follow)."""
    event = change_outline(body)
    body_only = Event.model_validate({**event, "id": "0" * 64}).body()
    event["id"] = hashlib.sha256(body_only.canonical()).hexdigest()
    db.execute(
        "UPDATE events SET id = ?, body = ? WHERE id = ?",
        [event["id"], canonical_json(event).decode(), event_id],
    )
    return str(event["id"])


def delete_event(db: Any, seq: int, event_id: str, body: str) -> str:
    """Remove the event; the chain then skips at the next one, which doctor names."""
    db.execute("DELETE FROM events WHERE id = ?", [event_id])
    return str(db.execute("SELECT id FROM events WHERE seq = ?", [seq + 1]).fetchone()[0])


TAMPERS = {
    "body-value": tamper_body,
    "seq": tamper_seq,
    "body-readdressed": tamper_and_readdress,
    "deleted": delete_event,
}


@pytest.mark.parametrize("tamper", TAMPERS)
def test_doctor_names_a_tampered_event(vault: Path, template: Template, tamper: str) -> None:
    """An event row edited with the data key is found by `doctor`, which names it.

    The one-line error names the first problem in chain order; the listing on stdout
    names every problem, the tampered event among them.
    """
    db = open_database(vault / "vault.db", template.data_key)
    try:
        rows = event_rows(db)
        assert [row[0] for row in rows] == [1, 2, 3, 4]
        seq, event_id, body = rows[1]
        with db.conn:
            named = TAMPERS[tamper](db, seq, event_id, body)
    finally:
        db.conn.close()
    result = run_cli("doctor", home=vault)
    assert_refused(result, "problem(s) found; first: event ")
    problems = [line for line in result.stdout.splitlines() if line.startswith("PROBLEM: ")]
    named_lines = [line for line in problems if line.startswith(f"PROBLEM: event {named}: ")]
    assert named_lines, problems
    assert "tampered" in named_lines[0] or "chain skips" in named_lines[0], named_lines
    if tamper != "seq":  # a renumbered row is met last, after the gap it leaves
        assert f"first: event {named}: " in result.stderr


def test_doctor_passes_an_untouched_vault(vault: Path) -> None:
    """Control for the tampering tests: the same vault, untouched, passes."""
    result = run_cli("doctor", home=vault)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 events: ids, hash chains and signatures" in result.stdout
    assert "PROBLEM" not in result.stdout and result.stderr == ""


# -- bad input ---------------------------------------------------------------------------


def without(document: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != key}


def with_facts(**facts: Any) -> dict[str, Any]:
    document = case_document(7)
    document["facts"].update(facts)
    return document


VALID = case_document(7)
BAD_DOCUMENTS: dict[str, tuple[str, str]] = {
    "not-json": ('{"kind": "child_death",', "not valid JSON"),
    "empty": ("", "not valid JSON"),
    "array": ("[]", "document"),
    "unknown-field": (json.dumps({**VALID, "colour": "red"}), "colour"),
    "no-kind": (json.dumps(without(VALID, "kind")), "kind"),
    "unknown-kind": (json.dumps({**VALID, "kind": "near_miss"}), "kind"),
    "no-subjects": (json.dumps({**VALID, "subjects": []}), "subjects"),
    "facts-not-object": (json.dumps({**VALID, "facts": "died"}), "facts"),
    "future-event": (json.dumps(with_facts(event_date="2026-11-24")), "event_date"),
    "aware-before-event": (json.dumps(with_facts(aware_date="2026-11-15")), "aware_date"),
    "bad-date": (json.dumps(with_facts(event_date="16/11/2026")), "event_date"),
    "adult-child-death": (json.dumps(with_facts(date_of_birth="2000-01-01")), "date_of_birth"),
}


@pytest.mark.parametrize("document", BAD_DOCUMENTS)
def test_bad_case_document_is_refused(vault: Path, tmp_path: Path, document: str) -> None:
    """`case add` refuses a bad document in one line naming the problem; nothing is added."""
    text, fragment = BAD_DOCUMENTS[document]
    source = tmp_path / "case.json"
    source.write_text(text)
    before = fingerprint(vault)
    assert_refused(run_cli("case", "add", str(source), home=vault), fragment)
    assert fingerprint(vault) == before


def test_case_document_file_that_does_not_exist(vault: Path, tmp_path: Path) -> None:
    """A missing document file is named."""
    missing = tmp_path / "no-such-case.json"
    assert_refused(run_cli("case", "add", str(missing), home=vault), str(missing), "no such file")


@pytest.mark.parametrize(
    ("date", "fragment"),
    [("2026-11-24", "in the future"), ("2026-13-01", "there is no month 13")],
    ids=["tomorrow", "not-a-date"],
)
def test_duty_sent_refuses_a_bad_date(
    vault: Path, template: Template, date: str, fragment: str
) -> None:
    """`duty sent` refuses a date after today, or not a date, and records nothing."""
    before = fingerprint(vault)
    result = run_cli(
        "duty", "sent", template.case_ids[0], "cdop-notification", "--date", date, home=vault
    )
    assert_refused(result, "--date", fragment)
    assert fingerprint(vault) == before


def test_case_show_of_an_unknown_id(vault: Path) -> None:
    """An unknown case id is named, with where to look up the right one."""
    assert_refused(run_cli("case", "show", "CD-ZZZZZZZZ", home=vault), "CD-ZZZZZZZZ", "case list")


def test_decide_needs_notify_or_no_notify(vault: Path, template: Template) -> None:
    """`decide` without --notify or --no-notify says which to give."""
    result = run_cli(
        "decide", template.case_ids[0], "--rationale", "SYNTHETIC reason given here", home=vault
    )
    assert_refused(result, "--notify", "--no-notify")
