"""Folders in real life: shared by several devices, holding a bad file, half-copied files,
planted links, the same file named twice (issue 16, items 3 and 4).

Through the real CLI (`notify-tui import --from DIR`, in process): each file is judged
alone; the good ones are applied and moved to done/, a bad one to rejected/ with its
reason (exit 2, never 70); files named for another device stay where they are (exit 0
when nothing of this device's was refused). Synthetic organisations; today is Monday
23 November 2026.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tracemalloc
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from bundle_support import (
    PASSPHRASE,
    case_document,
    export_to,
    import_ok,
    make_session,
    store_digest,
    trust_each_other,
)
from click.testing import CliRunner
from forge_support import change, forged_bundle, forged_events, zipped

from notify_tui.cli import cli
from notify_tui.services.session import Session
from notify_tui.sync import bundle as bundle_format
from notify_tui.sync import merge
from notify_tui.sync.transport import addressed_to, bundle_name

TODAY = date(2026, 11, 23)


@dataclass
class Partnership:
    root: Path
    north: Session
    south: Session
    east: Session
    office: Session


@pytest.fixture
def partnership(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Partnership]:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())
    north = make_session(tmp_path / "north", "Northshire Council", author="Nia N")
    south = make_session(tmp_path / "south", "Southshire Council", author="Sol S")
    east = make_session(tmp_path / "east", "Eastshire Council", author="Eve E")
    office = make_session(tmp_path / "office", "Tri-shire Safeguarding Office", "office", "Olu O")
    for la in (north, south, east):
        trust_each_other([la, office], tmp_path / f"keys-{la.identity.device_id}")
    world = Partnership(tmp_path, north, south, east, office)
    yield world
    for session in (north, south, east, office):
        session.close()


def cli_import(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli,
        ["import", *args, "--home", str(home)],
        env={"NOTIFY_TUI_PASSPHRASE": PASSPHRASE, "NOTIFY_TUI_TODAY": TODAY.isoformat()},
    )
    return result.exit_code, result.stdout, result.stderr


def test_bundle_names_name_their_recipient(partnership: Partnership) -> None:
    north, office = partnership.north, partnership.office
    north.create_case(case_document(1))
    path = export_to(north, office, partnership.root / "out")
    assert path.name.startswith(f"{north.identity.device_id}--{office.identity.device_id}--")
    assert addressed_to(path.name) == office.identity.device_id
    assert addressed_to("renamed-by-hand.ntbundle") is None
    assert bundle_name("a-000001", "b-000002", 7, "0123456789abcdef") == (
        "a-000001--b-000002--000007-01234567.ntbundle"
    )


def test_good_files_are_applied_and_the_former_crasher_rejected(
    partnership: Partnership,
) -> None:
    """Northshire's and Eastshire's bundles and Southshire's bundle with a duty record that
    is a string (it used to end every run with exit 70); the bad one is named to sort
    first, as its sender chooses its name."""
    north, south, east, office = (
        partnership.north, partnership.south, partnership.east, partnership.office,
    )  # fmt: skip
    inbox = partnership.root / "inbox"
    north_case = north.create_case(case_document(2))
    east_case = east.create_case(case_document(3))
    south_case = south.create_case(case_document(4))
    import_ok(office, export_to(south, office, partnership.root / "first"))
    good = [export_to(north, office, inbox), export_to(east, office, inbox)]
    crasher = forged_bundle(
        south,
        office,
        forged_events(
            south,
            [(south_case, "duty.sent", [change("duties.panel-notification.sent", "today")])],
        ),
    )
    bad = inbox / f"0000--{office.identity.device_id}--000001-00000000.ntbundle"
    bad.write_bytes(crasher)
    office.close()
    code, out, err = cli_import(partnership.root / "office", "--from", str(inbox))
    assert code == 2, (out, err)
    assert err == "error: 1 bundle(s) refused; the vault holds only the others\n"
    lines = out.splitlines()
    assert lines[0] == (
        f"{bad.name}: refused: event 2 of device {south.identity.device_id}: "
        "duties.panel-notification.sent: must be an object (type duty.sent)"
    )
    assert sorted(lines[1:]) == sorted(
        f"{path.name}: imported 1 new event(s) from {sender}; 1 case(s) updated"
        for path, sender in zip(
            good, (north.identity.device_id, east.identity.device_id), strict=True
        )
    )
    assert sorted(p.name for p in (inbox / "done").iterdir()) == sorted(p.name for p in good)
    assert (inbox / "rejected" / bad.name).read_bytes() == crasher
    reason = (inbox / "rejected" / f"{bad.name}.reason.txt").read_text()
    assert reason == lines[0].split(": refused: ", 1)[1] + "\n"
    assert not list(inbox.glob("*.ntbundle"))
    reopened = Session.unlock(partnership.root / "office", passphrase=PASSPHRASE)
    with reopened:
        held = {summary.id for summary in reopened.list_cases()}
    assert {north_case, east_case, south_case} <= held


def test_two_las_bundles_in_one_folder_each_takes_its_own(partnership: Partnership) -> None:
    north, south, office = partnership.north, partnership.south, partnership.office
    for la in (north, south):
        la.create_case(case_document(10 + len(la.identity.org)))
        import_ok(office, export_to(la, office, partnership.root / "up"))
    shared = partnership.root / "shared"
    shared.mkdir()
    (for_north,) = office.sync.export(shared, north.identity.device_id)
    (for_south,) = office.sync.export(shared, south.identity.device_id)
    north.close()
    code, out, err = cli_import(partnership.root / "north", "--from", str(shared))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{for_north.name}: imported 0 new event(s) from {office.identity.device_id}; "
        "0 case(s) updated",
        f"{for_south.name}: for another device ({south.identity.device_id}): left in place",
    ]
    assert for_south.exists() and (shared / "done" / for_north.name).exists()
    assert not (shared / "rejected").exists()
    south.close()
    code, out, err = cli_import(partnership.root / "south", "--from", str(shared))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{for_south.name}: imported 0 new event(s) from {office.identity.device_id}; "
        "0 case(s) updated"
    ]
    assert sorted(p.name for p in (shared / "done").iterdir()) == sorted(
        [for_north.name, for_south.name]
    )


@pytest.mark.parametrize("planted", ["done", "rejected"])
def test_a_planted_filing_link_stops_the_import_before_anything(
    partnership: Partnership, planted: str
) -> None:
    north, office = partnership.north, partnership.office
    north.create_case(case_document(20))
    inbox = partnership.root / "inbox"
    path = export_to(north, office, inbox)
    elsewhere = partnership.root / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, inbox / planted)
    before = store_digest(office)
    office.close()
    code, out, err = cli_import(partnership.root / "office", "--from", str(inbox))
    assert code == 2 and out == ""
    assert err == (
        f"error: --from {inbox / planted}: is a symbolic link; bundles are never filed "
        "through a link (remove it, or make it a folder)\n"
    )
    assert path.exists() and not list(elsewhere.iterdir())
    with Session.unlock(partnership.root / "office", passphrase=PASSPHRASE) as reopened:
        assert reopened.projection_hash() and before  # the vault opens; nothing imported
        assert not reopened.list_cases()


def test_a_bundle_that_is_a_link_is_refused_unread(partnership: Partnership) -> None:
    north, office = partnership.north, partnership.office
    north.create_case(case_document(21))
    real = export_to(north, office, partnership.root / "real")
    inbox = partnership.root / "inbox"
    inbox.mkdir()
    link = inbox / real.name
    os.symlink(real, link)
    (outcome,) = office.sync.import_from_dir(inbox)
    assert (outcome.status, outcome.reason) == ("refused", f"{link.name}: not a regular file")
    assert real.exists() and (inbox / "rejected" / link.name).is_symlink()


def test_a_file_still_being_written_is_left_for_the_next_run(partnership: Partnership) -> None:
    north, office = partnership.north, partnership.office
    north.create_case(case_document(22))
    complete = export_to(north, office, partnership.root / "complete")
    inbox = partnership.root / "inbox"
    inbox.mkdir()
    partial = inbox / complete.name
    partial.write_bytes(complete.read_bytes()[: len(complete.read_bytes()) // 2])
    (outcome,) = office.sync.import_from_dir(inbox)
    assert outcome.status == "incomplete"
    assert outcome.reason is not None and outcome.reason.endswith("left in place")
    assert partial.exists() and not (inbox / "rejected").exists()
    shutil.copyfile(complete, partial)  # the copy completes
    (outcome,) = office.sync.import_from_dir(inbox)
    assert (outcome.status, outcome.new_events) == ("imported", 1)


def test_a_file_named_twice_is_read_once(partnership: Partnership) -> None:
    north, office = partnership.north, partnership.office
    north.create_case(case_document(23))
    path = export_to(north, office, partnership.root / "out")
    office.close()
    code, out, err = cli_import(partnership.root / "office", str(path), str(path))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{path.name}: imported 1 new event(s) from {north.identity.device_id}; 1 case(s) updated",
        f"{path.name}: named twice: read once",
    ]


def test_a_large_compressible_file_is_refused_from_its_structure_in_bounded_memory(
    tmp_path: Path,
) -> None:
    """20 MB of zeros behind a ZIP signature: only its end is read, not the whole."""
    path = tmp_path / "zeros.ntbundle"
    with path.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(20 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(bundle_format.BundleIncomplete):
            bundle_format.read_bundle_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024, f"peak {peak} bytes"


@pytest.mark.slow
def test_a_235_megabyte_bundle_signed_by_a_stranger_costs_its_manifest_only(
    partnership: Partnership,
) -> None:
    """A well-formed bundle whose manifest declares its 235 MB, highly compressible
    payload exactly, signed by a key the office does not trust: refused at the sender,
    its payload never read (traced memory stays small)."""
    office = partnership.office
    stranger = make_session(partnership.root / "stranger", "Westshire Council", author="X")
    try:
        keys = partnership.root / "office.keys.json"
        office.sync.keys_export(keys)
        stranger.sync.add_peer(keys)  # the stranger knows the office, not the other way
        size = 235 * 1024 * 1024
        huge = bytes(size)
        digest = hashlib.sha256(huge).hexdigest()

        def declare(text: str) -> str:
            manifest = json.loads(text)
            manifest["payload"].update(size=size, sha256=digest)
            return json.dumps(manifest, indent=2, sort_keys=True) + "\n"

        path = partnership.root / "huge.ntbundle"
        path.write_bytes(_with_payload(forged_bundle(stranger, office, manifest_text=declare),
                                       huge))  # fmt: skip
        del huge
        tracemalloc.start()
        try:
            (outcome,) = office.sync.import_files([path])
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert path.stat().st_size > 235 * 1024 * 1024
        assert outcome.status == "refused"
        assert outcome.reason is not None
        assert outcome.reason.startswith(
            f"bundle from unknown device {stranger.identity.device_id}"
        )
        assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"
    finally:
        stranger.close()


def _with_payload(bundle: bytes, payload: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        return zipped(archive.read("manifest.json"), archive.read("manifest.json.sig"), payload)


def test_a_check_that_fails_unexpectedly_refuses_only_its_file(
    partnership: Partnership, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a check ever fail in a way it should not (a bug), that file is refused with
    the error's type and the run goes on: no bundle ends an import with status 70."""
    north, east, office = partnership.north, partnership.east, partnership.office
    north.create_case(case_document(30))
    east.create_case(case_document(31))
    inbox = partnership.root / "inbox"
    bad = export_to(north, office, inbox)
    good = export_to(east, office, inbox)
    real = merge.authorise

    # Authorisation runs once the bundle's events are written in the import's
    # transaction: a bug there must still leave nothing of the file behind.
    def broken(known: object, events: list[merge.Meta], creators: object) -> None:
        if any(event.device == north.identity.device_id for event in events):
            raise ZeroDivisionError("a bug")
        real(known, events, creators)  # type: ignore[arg-type]

    monkeypatch.setattr(merge, "authorise", broken)
    outcomes = {outcome.path.name: outcome for outcome in office.sync.import_from_dir(inbox)}
    assert outcomes[good.name].status == "imported"
    assert (outcomes[bad.name].status, outcomes[bad.name].reason) == (
        "refused",
        "could not be checked (internal error ZeroDivisionError); nothing of it was written",
    )
    assert [summary.org for summary in office.list_cases()] == ["Eastshire Council"]


def test_a_partial_file_named_on_purpose_is_refused(partnership: Partnership) -> None:
    """`import FILE` says which file: one cut short is refused, not waited for."""
    north, office = partnership.north, partnership.office
    north.create_case(case_document(24))
    complete = export_to(north, office, partnership.root / "complete")
    partial = partnership.root / "partial.ntbundle"
    partial.write_bytes(complete.read_bytes()[:-10])
    (outcome,) = office.sync.import_files([partial])
    assert outcome.status == "refused"
    assert outcome.reason is not None and outcome.reason.startswith(
        "bundle file has no ZIP end record at its end"
    )
