"""A trusted peer's bad data: every malformed but validly signed bundle is refused.

Northshire Council's workstation is trusted by the business office; its real signing
key signs each bundle below, so the office's signature check passes and only the new
checks stand between the office and the bad data (issue 16): event schemas per type,
closed field paths per role, the duty record its author had seen, a strict manifest and
ZIP, canonical event lines, role rules on receipts. Each bundle is imported through the
real CLI (`notify-tui import FILE`): exit status 2 with one line saying why, `case list
--json` and the vault's bytes unchanged, never the internal error status 70.

The world (today Mon 23 Nov 2026): Northshire logged a child death (its CDOP duty
statutory) and a serious incident whose Panel notification it sent on Fri 20 Nov; the
office holds both. All people are synthetic.
"""

from __future__ import annotations

import hashlib
import shutil
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import factories
import pytest
from bundle_support import (
    PASSPHRASE,
    export_to,
    import_ok,
    make_session,
    trust_each_other,
    vault_of,
)
from click.testing import CliRunner
from forge_support import change, forged_bundle, forged_events, zipped

from notify_tui.cli import cli
from notify_tui.services.session import Session
from notify_tui.sync.bundle import Receipt

TODAY = date(2026, 11, 23)
SENT = {"date": "2026-11-20", "reference": "SIN-1", "by": "Ann A"}


@dataclass
class World:
    root: Path
    la: Session
    office: Session
    death: str
    incident: str
    office_home: Path
    bundles: dict[str, bytes]
    reasons: dict[str, str]


def death_case() -> dict[str, object]:
    return factories.case(
        "child_death",
        subjects=[{"given_names": "Test", "family_name": "Fictional-Death"}],
        facts={"date_of_birth": "2020-01-01", "event_date": "2026-11-16",
               "aware_date": "2026-11-17", "abuse_or_neglect": "none"},
    )  # fmt: skip


def incident_case() -> dict[str, object]:
    return factories.case(
        "serious_incident",
        subjects=[{"given_names": "Test", "family_name": "Fictional-Harm"}],
        facts={"date_of_birth": "2019-01-01", "outcome": "seriously_harmed",
               "event_date": "2026-11-16", "aware_date": "2026-11-17",
               "abuse_or_neglect": "suspected"},
    )  # fmt: skip


def crafted(world: World) -> dict[str, tuple[bytes, str]]:
    """Every bad bundle, with the start of the reason it must be refused for."""
    la, office = world.la, world.office
    me = la.identity.device_id
    death, incident = world.death, world.incident
    sent_event = next(e.event for e in la.case_detail(incident).audit if e.type == "duty.sent")

    def events(case_id: str, kind: str, *changes: object, author: str | None = None) -> bytes:
        return forged_bundle(la, office, forged_events(la, [(case_id, kind, changes)],
                                                         author=author))  # fmt: skip

    def manifest(edit: Callable[[str], str]) -> bytes:
        return forged_bundle(la, office, manifest_text=edit)

    def lines(edit: Callable[[bytes], bytes], case_id: str = death) -> bytes:
        found = forged_events(la, [(case_id, "case.edited", [change("case_outline", "Edited.")])])
        return forged_bundle(la, office, found, lines=edit)

    event = f"event {_next_seq(la)} of device {me}: "
    bad: dict[str, tuple[bytes, str]] = {
        # The crashes of the issue (exit 70 before).
        "duty record a string": (
            events(incident, "duty.sent", change("duties.panel-notification.sent", "2026-11-20")),
            event + "duties.panel-notification.sent: must be an object",
        ),
        "incident a string": (
            events(death, "case.edited", change("incident", "x")),
            event + "incident: is a group of fields",
        ),
        "subjects a number": (
            events(death, "case.edited", change("subjects", 5)),
            event + "subjects: Input should be a valid list",
        ),
        "decision a string": (
            events(incident, "decision.recorded", change("decision", "no")),
            event + "decision: must be an object",
        ),
        "aware_date far out of range": (
            events(death, "case.edited", change("incident.aware_date", "9999-12-31")),
            event + "incident.aware_date: is in the future",
        ),
        "receipt number far out of range": (
            forged_bundle(
                la,
                office,
                receipts=[
                    Receipt.model_construct(device=me, held_up_to=2**63, received_at=la.clock.now())
                ],
            ),  # fmt: skip
            "manifest is not valid (receipts.0.held_up_to",
        ),
        "bundle_seq 2^63": (
            manifest(lambda t: _set(t, '"bundle_seq"', str(2**63))),
            "manifest is not valid (bundle_seq",
        ),
        # Accepted and stored before.
        "sent date not a date": (
            events(
                incident,
                "duty.sent",
                change("duties.rapid-review.sent", {**SENT, "date": "yesterday"}),
            ),
            event + "duties.rapid-review.sent.date: must be a date written YYYY-MM-DD",
        ),  # fmt: skip
        "sent date an integer": (
            events(
                incident,
                "duty.sent",
                change("duties.rapid-review.sent", {**SENT, "date": 20261120}),
            ),
            event + "duties.rapid-review.sent.date: must be a date written YYYY-MM-DD",
        ),  # fmt: skip
        "unknown event type": (
            events(death, "duty.frobbed", change("case_outline", "x")),
            event + "type: 'duty.frobbed' is not an event type this program writes",
        ),
        "arbitrary field path": (
            events(death, "case.edited", change("zz.top", 1)),
            event + "zz.top: not a field of the case",
        ),
        "an unknown field that once closed a duty": (
            events(death, "case.edited", change("duties.cdop-notification.done", True)),
            event + "duties.cdop-notification.done: not a part of a duty's record",
        ),
        "50 MB string": (
            events(death, "case.edited", change("case_outline", "x" * 50_000_000)),
            "event 1 in the payload is 50",
        ),
        "escape sequences": (
            events(death, "case.edited", change("case_outline", "ok\x1b[2J\x1b[31mgone")),
            event + "case_outline: holds the control character U+001B",
        ),
        "NUL": (
            events(death, "case.edited", change("case_outline", "a\x00b")),
            event + "case_outline: holds the control character U+0000",
        ),
        "bidi override": (
            events(death, "case.edited", change("subjects.0.given_names", "Ann\u202eanna")),
            event + "subjects.0.given_names: holds the control character U+202E",
        ),
        "manifest duplicate keys": (
            manifest(lambda t: t.replace('"bundle_seq"', '"bundle_seq": 99,\n  "bundle_seq"', 1)),
            "manifest is not valid (the key 'bundle_seq' appears twice)",
        ),
        "float event count": (
            manifest(lambda t: _set(t, '"events"', "0.0")),
            "manifest is not valid (payload.events: Input should be a valid integer",
        ),
        "string bundle_seq": (
            manifest(lambda t: _set(t, '"bundle_seq"', '"2"')),
            "manifest is not valid (bundle_seq: Input should be a valid integer",
        ),
        "non-canonical event line": (
            lines(lambda b: b.replace(b'":', b'": ')),
            "event 1 in the payload is not in canonical form",
        ),
        # Role rules.
        "LA-signed office step as 'B. Office'": (
            events(
                incident,
                "office.recorded",
                change("office.rapid_review.started", "2026-11-20"),
                author="B. Office",
            ),
            event + "office.rapid_review.started: role rule: only the business office "
            "records office steps",
        ),  # fmt: skip
        "LA-signed withdrawal confirmation": (
            events(
                death,
                "duty.withdrawal_confirmed",
                change(
                    "duties.cdop-notification.withdrawal_confirmed",
                    {"by": "B. Office", "date": "2026-11-20", "request": "0" * 64},
                ),
            ),
            event + "type: role rule: duty.withdrawal_confirmed",
        ),  # fmt: skip
        "LA receipt for the office's own chain": (
            forged_bundle(
                la,
                office,
                receipts=[
                    Receipt(
                        device=office.identity.device_id, held_up_to=999, received_at=la.clock.now()
                    )
                ],
            ),
            f"receipt for chain {office.identity.device_id}: role rule: an LA's receipts",
        ),  # fmt: skip
        # The duty record its author had seen.
        "acknowledged before it was sent": (
            events(
                incident,
                "duty.acknowledged",
                change(
                    "duties.panel-notification.acknowledged", {"date": "2026-11-19", "by": "Ann A"}
                ),
            ),
            event + "duties.panel-notification.acknowledged: acknowledged on 19 Nov 2026, but "
            "the earliest send held is 20 Nov 2026",
        ),  # fmt: skip
        "acknowledged never sent": (
            events(
                death,
                "duty.acknowledged",
                change(
                    "duties.cdop-notification.acknowledged", {"date": "2026-11-20", "by": "Ann A"}
                ),
            ),
            event + "duties.cdop-notification.acknowledged: acknowledged on 20 Nov 2026, but "
            "no send of it is held",
        ),  # fmt: skip
        "sent replaced without a correction": (
            events(
                incident,
                "duty.sent",
                change(
                    "duties.panel-notification.sent", {**SENT, "date": "2026-11-21"}, [sent_event]
                ),
            ),
            event + "duties.panel-notification.sent: replaces the send of 20 Nov 2026 without "
            "a correction",
        ),  # fmt: skip
        "sent again over a send": (
            events(
                incident,
                "duty.sent",
                change("duties.panel-notification.sent", {**SENT, "date": "2026-11-21"}),
            ),
            event + "duties.panel-notification.sent: its author had seen panel-notification "
            "sent on 20 Nov 2026",
        ),  # fmt: skip
        "statutory duty withdrawn by one person": (
            events(
                death,
                "duty.withdrawn",
                change(
                    "duties.cdop-notification.withdrawn",
                    {"reason": "Not ours after all.", "by": "A"},
                ),
            ),
            event + "duties.cdop-notification.withdrawn: cdop-notification is a statutory duty",
        ),  # fmt: skip
        "not notifying after sending": (
            events(
                incident,
                "decision.recorded",
                change(
                    "decision",
                    {
                        "notify": False,
                        "rationale": "Threshold not met after all.",
                        "decided_on": "2026-11-21",
                        "decided_by": "Ann A",
                    },
                ),
            ),
            event + "decision: a decision not to notify, but its author had seen "
            "panel-notification sent on 20 Nov 2026",
        ),  # fmt: skip
    }
    good = forged_bundle(la, office)
    bad.update(_zip_tricks(la, good))
    return bad


def _next_seq(la: Session) -> int:
    return vault_of(la).head(la.identity.device_id)[0] + 1


def _set(text: str, key: str, value: str) -> str:
    """The manifest text with the first `key`'s value replaced (a number)."""
    start = text.index(key) + len(key) + 2
    end = min(i for i in (text.index(",", start), text.index("\n", start)) if i > 0)
    return text[:start] + value + text[end:]


def _zip_tricks(la: Session, good: bytes) -> dict[str, tuple[bytes, str]]:
    """The documented ZIP layout, broken one way at a time; the members stay signed."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    manifest, signature, payload = (
        members["manifest.json"],
        members["manifest.json.sig"],
        members["payload.hpke"],
    )

    def built(order: list[str], **infos: dict[str, object]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for name in order:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o600 << 16
                for attribute, value in infos.get(name.replace(".", "_"), {}).items():
                    setattr(info, attribute, value)
                archive.writestr(info, members[name])
            if "comment" in infos:
                archive.comment = bytes(infos["comment"]["text"])  # type: ignore[arg-type]
        return buffer.getvalue()

    names = ["manifest.json", "manifest.json.sig", "payload.hpke"]
    extra = struct.pack("<HH", 0xCAFE, 4) + b"hide"
    return {
        "members out of order": (
            built(["payload.hpke", "manifest.json", "manifest.json.sig"]),
            "a bundle holds exactly manifest.json, manifest.json.sig, payload.hpke, in that order",
        ),
        "a hidden ZIP extra field": (
            built(names, payload_hpke={"extra": extra}),
            "member payload.hpke has ZIP extra fields or a comment",
        ),
        "an archive comment": (
            built(names, comment={"text": b"hidden words"}),
            "bundle ZIP has bytes after its end record, or a comment",
        ),
        "a symlink-typed member": (
            built(names, payload_hpke={"external_attr": (0o120777 << 16)}),
            "member payload.hpke is not a regular file",
        ),
        "the same members, rebuilt as written": (zipped(manifest, signature, payload), ""),
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("bad-data")
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())
    la = make_session(root / "la", "Northshire Council", author="Ann A")
    office = make_session(root / "office", "Northshire CSP Office", "office", "Olu O")
    trust_each_other([la, office], root / "keys")
    death = la.create_case(death_case())
    incident = la.create_case(incident_case())
    la.mark_sent(incident, "panel-notification", date(2026, 11, 20), "SIN-1")
    import_ok(office, export_to(la, office, root / "out"))
    world = World(root, la, office, death, incident, root / "office", {}, {})
    bundles = crafted(world)
    la.close()
    office.close()
    world.bundles = {label: data for label, (data, _) in bundles.items()}
    world.reasons = {label: reason for label, (_, reason) in bundles.items()}
    yield world
    mp.undo()


def run(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli,
        [*args, "--home", str(home)],
        env={"NOTIFY_TUI_PASSPHRASE": PASSPHRASE, "NOTIFY_TUI_TODAY": TODAY.isoformat()},
    )
    return result.exit_code, result.stdout, result.stderr


def vault_bytes(home: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(home.iterdir()):
        if path.is_file() and path.name.startswith("vault.db"):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


LABELS = [
    "duty record a string", "incident a string", "subjects a number", "decision a string",
    "aware_date far out of range", "receipt number far out of range", "bundle_seq 2^63",
    "sent date not a date", "sent date an integer", "unknown event type",
    "arbitrary field path", "an unknown field that once closed a duty", "50 MB string",
    "escape sequences", "NUL", "bidi override", "manifest duplicate keys",
    "float event count", "string bundle_seq", "non-canonical event line",
    "LA-signed office step as 'B. Office'", "LA-signed withdrawal confirmation",
    "LA receipt for the office's own chain", "acknowledged before it was sent",
    "acknowledged never sent", "sent replaced without a correction", "sent again over a send",
    "statutory duty withdrawn by one person", "not notifying after sending",
    "members out of order", "a hidden ZIP extra field", "an archive comment",
    "a symlink-typed member",
]  # fmt: skip


@pytest.fixture(scope="module")
def office_copy(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the office's vault for the CLI runs (each must leave it unchanged)."""
    return Path(shutil.copytree(world.office_home, tmp_path_factory.mktemp("copy") / "office"))


@pytest.mark.parametrize("label", LABELS)
def test_a_signed_bad_bundle_is_refused_in_one_line_and_changes_nothing(
    world: World, office_copy: Path, tmp_path: Path, label: str
) -> None:
    path = tmp_path / f"{label[:20].replace(' ', '-').replace('/', '-')}.ntbundle"
    path.write_bytes(world.bundles[label])
    code, before, _ = run(office_copy, "case", "list", "--json")
    assert code == 0
    held = vault_bytes(office_copy)
    code, out, err = run(office_copy, "import", str(path))
    assert code == 2, (label, out, err)
    expected = world.reasons[label]
    assert out == f"{path.name}: refused: {out.split(': refused: ', 1)[1]}", out
    reason = out.split(": refused: ", 1)[1].rstrip("\n")
    assert "\n" not in reason and reason.startswith(expected), (label, reason)
    assert err == "error: 1 bundle(s) refused; the vault holds only the others\n"
    assert run(office_copy, "case", "list", "--json")[1] == before
    assert vault_bytes(office_copy) == held


def test_every_crafted_bundle_is_tried(world: World) -> None:
    """The list above names every bad bundle `crafted` makes (none forgotten)."""
    assert set(world.bundles) - set(LABELS) == {"the same members, rebuilt as written"}


def test_the_same_members_rebuilt_as_the_program_writes_them_still_import(
    world: World, tmp_path: Path
) -> None:
    """The ZIP tricks are refused for the trick, not the members: rebuilt plainly, they
    import (into a copy, so the other tests keep their office)."""
    copy = Path(shutil.copytree(world.office_home, tmp_path / "office"))
    path = tmp_path / "plain.ntbundle"
    path.write_bytes(world.bundles["the same members, rebuilt as written"])
    code, out, err = run(copy, "import", str(path))
    assert code == 0, (out, err)
    assert "imported 0 new event(s)" in out


def test_the_bad_text_never_reached_the_office(world: World) -> None:
    """No crafted payload's text is in the office's vault files (sealed, never stored)."""
    data = b"".join(p.read_bytes() for p in world.office_home.rglob("*") if p.is_file())
    assert b"gone" not in data and b"zz.top" not in data


def test_the_refusals_quote_no_case_data(world: World) -> None:
    """A refusal names fields and ids, never a value a case holds."""
    assert all("Fictional" not in reason for reason in world.reasons.values())
