"""Mutated bundles are refused with one line (or are no-ops) and never change the store.

A Northshire workstation's bundle to the office is mutated in many ways: bit flips in
each member and in the ZIP structure, truncation, garbage, members added, removed and
renamed (``../x`` too), the manifest edited without re-signing, re-signed by a stranger,
and bundles *validly signed by the real sender* whose contents lie (declared sizes,
ranges, events, a case of another LA, missing events). Also: a revoked signer, a bundle
for someone else, a replayed old bundle. For each, `read_bundle` + `import_bundle` must
raise `BundleRefused` with a one-line message, or be a no-op; no other exception type;
and a hash over every row of every table of the office's vault must not change.

A mutation that only touches ZIP metadata (e.g. a member's timestamp) leaves the three
signed members intact: that is the same bundle, and is counted, not imported.
All data is synthetic.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import shutil
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bundle_support import (
    PASSPHRASE,
    TODAY,
    case_document,
    export_to,
    import_ok,
    make_session,
    store_digest,
    trust_each_other,
    vault_of,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from notify_tui.clock import system_clock
from notify_tui.errors import BundleRefused
from notify_tui.services.session import Session
from notify_tui.store.events import Change, Event, canonical_json
from notify_tui.store.vault import Vault
from notify_tui.sync import bundle as bundle_format
from notify_tui.sync import merge, seal, sshsig, trust

NAMES = bundle_format.MEMBER_NAMES


@dataclass
class Scene:
    la: Session
    office: Session
    office_home: Path
    original: bytes
    members: dict[str, bytes]
    specials: dict[str, bytes]


def zip_members(members: list[tuple[str, bytes]], compress: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with (
        warnings.catch_warnings(),  # duplicate member names are one of the mutations
        zipfile.ZipFile(buffer, "w", compression=compress) as archive,
    ):
        warnings.simplefilter("ignore", UserWarning)
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compress
            archive.writestr(info, data)
    return buffer.getvalue()


def forge(
    la: Session,
    members: dict[str, bytes],
    *,
    manifest_edit: Callable[[dict], None] | None = None,
    lines: bytes | None = None,
    key: Ed25519PrivateKey | None = None,
) -> bytes:
    """Rebuild a bundle from `members`, optionally with new event lines (re-sealed) and an
    edited manifest, signed by the LA's real key unless another is given."""
    manifest = json.loads(members["manifest.json"])
    payload = members["payload.hpke"]
    if lines is not None:
        payload = _reseal(la, manifest, zlib.compress(lines))
        manifest["payload"]["uncompressed_size"] = len(lines)
    if manifest_edit is not None:
        manifest_edit(manifest)
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    signature = sshsig.sign(
        manifest_bytes, key or la.identity.signing_key, sshsig.BUNDLE_NAMESPACE
    ).encode()
    return zip_members(
        [
            ("manifest.json", manifest_bytes),
            ("manifest.json.sig", signature),
            ("payload.hpke", payload),
        ]
    )


def event_lines(events: list[Event]) -> bytes:
    return b"".join(e.to_json().encode() + b"\n" for e in events)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    root = tmp_path_factory.mktemp("mutations")
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())
    la = make_session(root / "la", "Northshire Council", author="Ann A")
    office = make_session(root / "office", "Northshire CSP Office", "office", "Olu O")
    south = make_session(root / "south", "Southshire Council", author="Sam S")
    old = make_session(root / "old", "Northshire Council", author="Old Workstation")
    stranger = make_session(root / "stranger", "Northshire Council", author="Stranger")
    trust_each_other([la, office, south, old], root / "keys")
    out = root / "out"
    specials: dict[str, bytes] = {}

    # The office already holds la's first case (bundle b0) and one of Southshire's.
    la.create_case(case_document(31))
    b0 = export_to(la, office, out)
    import_ok(office, b0)
    specials["replayed old bundle"] = b0.read_bytes()
    south_case = south.create_case(case_document(32))
    import_ok(office, export_to(south, office, out))

    # The bundle under test: two more cases and an edit (not imported).
    first = la.create_case(case_document(33))
    la.create_case(case_document(34))
    la.edit_case(first, {"case_outline": "Edited synthetic outline."})
    path = export_to(la, office, out)
    original = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in NAMES}

    old.create_case(case_document(35))
    specials["revoked signer"] = export_to(old, office, out).read_bytes()
    office.sync.revoke_peer(old.identity.device_id)
    specials["not a recipient"] = export_to(la, south, out).read_bytes()
    stranger.create_case(case_document(36))
    (out / "s").mkdir()
    trust_each_other([stranger, la], root / "keys2")
    specials["unknown sender"] = export_to(stranger, la, out / "s").read_bytes()
    specials["wrong signer"] = forge(la, members, key=Ed25519PrivateKey.generate())

    events = list(vault_of(la).iter_events(la.identity.device_id))
    specials["missing events"] = forge(
        la,
        members,
        lines=event_lines(events[2:]),
        manifest_edit=lambda m: (
            m["ranges"][0].update(first_seq=3),
            m["payload"].update(events=len(events) - 2),
        ),
    )
    specials["declared size beyond the limit"] = forge(
        la, members, manifest_edit=lambda m: m["payload"].update(uncompressed_size=2**40)
    )
    specials["declared size larger than real"] = forge(
        la,
        members,
        manifest_edit=lambda m: m["payload"].update(
            uncompressed_size=m["payload"]["uncompressed_size"] + 10_000_000
        ),
    )
    specials["declared size smaller than real"] = forge(
        la,
        members,
        manifest_edit=lambda m: m["payload"].update(
            uncompressed_size=m["payload"]["uncompressed_size"] - 1
        ),
    )
    specials["ranges lie"] = forge(
        la, members, manifest_edit=lambda m: m["ranges"][0].update(last_seq=99)
    )
    specials["sender org lies"] = forge(
        la, members, manifest_edit=lambda m: m["sender"].update(org="Northshire CSP Office")
    )
    tampered = [e.document() for e in events]
    tampered[-1]["changes"][0]["value"] = "Tampered outline."
    specials["event altered, re-sealed, re-signed"] = forge(
        la, members, lines=b"".join(canonical_json(e) + b"\n" for e in tampered)
    )
    specials["zlib bomb"] = _bomb(la, members, zlib.compress(b"\n" * (50 * 1024 * 1024)))
    # An LA event on Southshire's case, validly signed by la and chained on its head.
    vault_of(la).record(
        la.projector,
        [(south_case, "case.edited", [Change(field="case_outline", value="not yours")])],
        system_clock().now(),
    )
    specials["LA touching another LA's case"] = export_to(la, office, out).read_bytes()
    specials["path trick ../x"] = zip_members(
        [
            ("../x", b"x"),
            ("manifest.json.sig", members["manifest.json.sig"]),
            ("payload.hpke", members["payload.hpke"]),
        ]
    )
    specials["huge declared member size"] = _patch_central_size(original, 2**31)
    yield Scene(la, office, root / "office", original, members, specials)
    for session in (la, office, south, old, stranger):
        session.close()
    mp.undo()


def _reseal(la: Session, manifest: dict, compressed: bytes) -> bytes:
    """Seal new compressed lines to the manifest's recipients; update the manifest."""
    aad = f"notify-tui-bundle/1/{manifest['sender']['device']}/{manifest['bundle_id']}".encode()
    wanted = {r["key_id"] for r in manifest["recipients"]}
    publics = {
        seal.key_id(d.hpke_public): d.hpke_public for d in trust.devices(vault_of(la)).values()
    }
    payload, sealed = seal.seal(
        compressed, {k: v for k, v in publics.items() if k in wanted}, aad=aad
    )
    for recipient in manifest["recipients"]:
        recipient["sealed_key"] = base64.b64encode(sealed[recipient["key_id"]]).decode()
    manifest["payload"].update(sha256=hashlib.sha256(payload).hexdigest(), size=len(payload))
    return payload


def _bomb(la: Session, members: dict[str, bytes], compressed: bytes) -> bytes:
    """A payload whose zlib stream expands far beyond what the manifest declares."""
    manifest = json.loads(members["manifest.json"])
    payload = _reseal(la, manifest, compressed)
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    signature = sshsig.sign(manifest_bytes, la.identity.signing_key, sshsig.BUNDLE_NAMESPACE)
    return zip_members(
        [
            ("manifest.json", manifest_bytes),
            ("manifest.json.sig", signature.encode()),
            ("payload.hpke", payload),
        ]
    )


def _patch_central_size(data: bytes, size: int) -> bytes:
    """Set the uncompressed size of the first central-directory entry."""
    at = data.find(b"PK\x01\x02")
    patched = bytearray(data)
    patched[at + 24 : at + 28] = struct.pack("<I", size % 2**32)
    return bytes(patched)


def _member_span(data: bytes, name: str) -> tuple[int, int]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    header = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[header + 26 : header + 30])
    start = header + 30 + name_len + extra_len
    return start, start + info.compress_size


def mutate(scene: Scene, index: int) -> tuple[str, bytes]:
    """The index-th mutation (deterministic)."""
    rng = random.Random(index)
    data = scene.original
    members = scene.members
    kind = rng.randrange(9)
    if kind == 0:
        position = rng.randrange(len(data))
        flipped = bytearray(data)
        flipped[position] ^= 1 << rng.randrange(8)
        return f"bit flip at byte {position}", bytes(flipped)
    if kind == 1:
        name = rng.choice(NAMES)
        start, end = _member_span(data, name)
        position = rng.randrange(start, end)
        flipped = bytearray(data)
        flipped[position] ^= 1 << rng.randrange(8)
        return f"bit flip in {name}", bytes(flipped)
    if kind == 2:
        cut = rng.randrange(len(data))
        return f"truncated to {cut}", data[:cut]
    if kind == 3:
        return "garbage appended", data + rng.randbytes(rng.randrange(1, 200))
    if kind == 4:
        drop = rng.choice(NAMES)
        return f"{drop} removed", zip_members([(n, members[n]) for n in NAMES if n != drop])
    if kind == 5:
        extra = rng.choice(["../x", "notes.txt", "manifest.json", "/abs", "payload.hpke/", "a\\b"])
        items = [(n, members[n]) for n in NAMES] + [(extra, b"extra")]
        return f"member {extra!r} added", zip_members(items)
    if kind == 6:
        old = rng.choice(NAMES)
        new = rng.choice(["../" + old, old.upper(), old + " ", "x/" + old, old + ".bak"])
        items = [((new if n == old else n), members[n]) for n in NAMES]
        return f"{old} renamed {new!r}", zip_members(items)
    if kind == 7:
        text = bytearray(members["manifest.json"])
        position = rng.randrange(len(text))
        text[position] = rng.choice(b'0123456789abcdef"{}[],: \n')
        items = [("manifest.json", bytes(text))] + [(n, members[n]) for n in NAMES[1:]]
        return f"manifest byte {position} changed", zip_members(items)
    return "members deflated", zip_members(
        [(n, members[n]) for n in NAMES], compress=zipfile.ZIP_DEFLATED
    )


def attempt(scene: Scene, label: str, data: bytes) -> str:
    """Import mutated bytes at the office; return the outcome. Fails on anything else."""
    office = scene.office
    before = store_digest(office)
    try:
        raw = bundle_format.read_bundle(data)
        if (raw.manifest_bytes, raw.signature, raw.payload) == (
            scene.members["manifest.json"],
            scene.members["manifest.json.sig"],
            scene.members["payload.hpke"],
        ):
            return "same bundle"
        result = merge.import_bundle(vault_of(office), office.projector, raw, system_clock().now())
    except BundleRefused as error:
        assert "\n" not in error.message and error.message, label
        outcome = "refused: " + error.message
    else:
        assert result.already_imported or result.new_events == 0, (label, result)
        outcome = "no-op"
    assert store_digest(office) == before, label
    return outcome


def test_named_attacks_are_refused(scene: Scene) -> None:
    expected = {
        "replayed old bundle": "no-op",
        "revoked signer": "refused: bundle from revoked device",
        "not a recipient": "refused: this bundle is for southshire-council",
        "unknown sender": "refused: bundle from unknown device",
        "wrong signer": "refused: signed by an unknown key",
        "missing events": "refused: event 2 of device",
        "declared size beyond the limit": (
            "refused: manifest is not valid (payload.uncompressed_size"
        ),
        "declared size larger than real": "refused: payload expands to",
        "declared size smaller than real": "refused: payload expands beyond its declared size",
        "ranges lie": "refused: manifest ranges hold",
        "sender org lies": "refused: manifest names the sender as",
        "event altered, re-sealed, re-signed": "refused: event 4 in the payload does not match",
        "zlib bomb": "refused: payload expands beyond its declared size",
        "LA touching another LA's case": "refused: event 5 of device",
        "path trick ../x": "refused: a bundle holds exactly",
        "huge declared member size": "refused:",
    }
    outcomes = {label: attempt(scene, label, data) for label, data in scene.specials.items()}
    for label, start in expected.items():
        assert outcomes[label].startswith(start), (label, outcomes[label])
    assert "may not change case" in outcomes["LA touching another LA's case"]


def run_mutations(scene: Scene, count: int) -> dict[str, int]:
    tally: dict[str, int] = {}
    for index in range(count):
        label, data = mutate(scene, index)
        outcome = attempt(scene, label, data)
        key = outcome.split(":")[0] if outcome != "same bundle" else outcome
        tally[key] = tally.get(key, 0) + 1
    return tally


def test_random_mutations_are_refused(scene: Scene) -> None:
    tally = run_mutations(scene, 300)
    assert set(tally) <= {"refused", "same bundle"}, tally
    assert tally.get("refused", 0) >= 270, tally


@pytest.mark.slow
def test_ten_thousand_mutations(scene: Scene) -> None:
    tally = run_mutations(scene, 10_000)
    assert set(tally) <= {"refused", "same bundle"}, tally
    assert tally.get("refused", 0) >= 9_000, tally


def test_the_unmutated_bundle_still_imports(scene: Scene, tmp_path: Path) -> None:
    """The original is accepted, so the refusals above were about the mutations.

    It is imported into a copy of the office: the shared office must stay without it
    whatever order the tests run in (a "missing events" attack needs it missing).
    """
    copy = Vault.open(
        Path(shutil.copytree(scene.office_home, tmp_path / "office")),
        passphrase=PASSPHRASE,
        now=system_clock().now(),
    )
    with copy:
        raw = bundle_format.read_bundle(scene.original)
        result = merge.import_bundle(copy, scene.office.projector, raw, system_clock().now())
    assert result.new_events == 3


@pytest.mark.slow
def test_a_two_gigabyte_bomb_is_refused_with_bounded_memory(scene: Scene) -> None:
    """A signed, sealed payload that inflates to 2 GiB stops at its declared size.

    The zlib stream (about 2 MiB) is built in chunks; the import is measured with
    tracemalloc, which sees every buffer the decompressor hands back.
    """
    import tracemalloc

    squeezer = zlib.compressobj(9)
    chunk = b"\n" * (1024 * 1024)
    compressed = b"".join(squeezer.compress(chunk) for _ in range(2048)) + squeezer.flush()
    assert len(compressed) < 8 * 1024 * 1024  # 2 GiB of newlines squeezed small
    data = _bomb(scene.la, scene.members, compressed)
    tracemalloc.start()
    try:
        outcome = attempt(scene, "2 GiB bomb", data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.startswith("refused: payload expands beyond its declared size")
    assert peak < 64 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB while refusing a bomb"
    print(f"2 GiB bomb refused; peak traced memory {peak / 2**20:.1f} MiB")
