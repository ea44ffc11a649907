"""Trust on first use made explicit, and a bundle checkable without this program.

- `peers add` shows the fingerprint and asks; `--fingerprint` for scripts; a mismatch is
  refused in one line. A keys file with an LA role claiming the office's organisation,
  an organisation name or device id that imitates a trusted one, is refused; `doctor`
  finds such a peer already trusted (as an older version let in).
- `verify --signers` reads allowed_signers as `ssh-keygen -Y verify` does: an expired
  signer and a `cert-authority` line are refused by both; without `--signers` an
  impersonated bundle is never called valid.
- `keys export-private` writes passphrase-protected PKCS#8 keys that `openssl` reads,
  and a bundle opens with them through pyhpke, an HPKE implementation independent of
  the one this program uses, and no notify_tui code.

Synthetic organisations; today is Monday 23 November 2026.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import stat
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from bundle_support import (
    PASSPHRASE,
    case_document,
    export_to,
    make_session,
    trust_each_other,
    vault_of,
)
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from forge_support import zipped
from pyhpke import AEADId, CipherSuite, KDFId, KEMId

from notify_tui.cli import cli
from notify_tui.errors import InvalidInput
from notify_tui.services.session import Session
from notify_tui.sync import sshsig

TODAY = date(2026, 11, 23)
SSH_KEYGEN = shutil.which("ssh-keygen")
OPENSSL = shutil.which("openssl")


@dataclass
class Pair:
    root: Path
    la: Session
    office: Session


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pair]:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())
    la = make_session(tmp_path / "la", "Northshire Council", author="Nia N")
    office = make_session(tmp_path / "office", "Northshire CSP Office", "office", "Olu O")
    yield Pair(tmp_path, la, office)
    la.close()
    office.close()


def cli_run(*args: str, home: Path | None = None) -> tuple[int, str, str]:
    extra = [] if home is None else ["--home", str(home)]
    result = CliRunner().invoke(
        cli,
        [*args, *extra],
        env={"NOTIFY_TUI_PASSPHRASE": PASSPHRASE, "NOTIFY_TUI_TODAY": TODAY.isoformat()},
    )
    return result.exit_code, result.stdout, result.stderr


def keys_file(session: Session, path: Path, **changes: str) -> Path:
    session.sync.keys_export(path)
    if changes:
        document = json.loads(path.read_text())
        document.update(changes)
        path.write_text(json.dumps(document))
    return path


# -- peers add -------------------------------------------------------------------------


def test_peers_add_shows_the_fingerprint_and_needs_it_confirmed(pair: Pair) -> None:
    path = keys_file(pair.office, pair.root / "office.json")
    fingerprint = pair.office.sync.me().fingerprint
    pair.la.close()
    home = pair.root / "la"
    code, out, err = cli_run("peers", "add", str(path), home=home)
    assert code == 2
    assert out.splitlines() == [
        f"Keys file of {pair.office.identity.device_id}: Northshire CSP Office (office)",
        f"Signing key fingerprint: {fingerprint}",
    ]
    assert err == (
        "error: give --fingerprint SHA256:… as the peer read it out to you, or run in a "
        "terminal to confirm it; nothing was trusted\n"
    )
    wrong = "SHA256:" + "A" * 43
    code, _, err = cli_run("peers", "add", str(path), "--fingerprint", wrong, home=home)
    assert code == 2 and err == (
        f"error: --fingerprint {wrong}: the keys file's signing key is {fingerprint}; they "
        "differ, so it was not trusted (ask the peer again)\n"
    )
    code, out, _ = cli_run("peers", "list", "--json", home=home)
    assert [row["is_self"] for row in json.loads(out)] == [True]
    code, out, err = cli_run("peers", "add", str(path), "--fingerprint", fingerprint, home=home)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        f"Trusted {pair.office.identity.device_id}: Northshire CSP Office (office)"
    )


def test_an_la_claiming_the_offices_organisation_is_refused(pair: Pair) -> None:
    """An LA-role keys file that says it is "Northshire CSP Office" (with a device id made
    for that name, as a tampered program would): with it trusted, its events could
    change the partnership's own records."""
    rogue = make_session(pair.root / "rogue", "Northshire CSP Office", "la", author="Rex")
    try:
        path = keys_file(rogue, pair.root / "rogue.json")
        before = pair.office.sync.list_peers()
        with pytest.raises(InvalidInput) as raised:
            pair.office.sync.add_peer(path, rogue.sync.me().fingerprint)
        assert raised.value.message == (
            f"{rogue.identity.device_id} claims the organisation 'Northshire CSP Office' as a "
            "local authority, but this device is the business office of 'Northshire CSP "
            "Office': an organisation has one role (an office's organisation must differ "
            "from every LA's)"
        )
        assert pair.office.sync.list_peers() == before
        with pytest.raises(InvalidInput, match="claims the organisation"):
            pair.office.sync.peer_preview(path)
        pair.office.close()
        fingerprint = rogue.sync.me().fingerprint
        code, out, err = cli_run("peers", "add", str(path), "--fingerprint", fingerprint,
                                 home=pair.root / "office")  # fmt: skip
        assert (code, out) == (2, "")
        assert err == f"error: {raised.value.message}\n"
    finally:
        rogue.close()


def test_look_alike_names_and_device_ids_are_refused(pair: Pair) -> None:
    office = pair.office
    office_id = office.identity.device_id
    imitator = make_session(pair.root / "imitator", "Northshire CSP 0ffice", author="Ima")
    second = make_session(pair.root / "second", "Northshire Council", author="Sam")
    try:
        with pytest.raises(InvalidInput) as raised:
            office.sync.add_peer(keys_file(imitator, pair.root / "imitator.json"))
        assert raised.value.message.startswith(
            "'Northshire CSP 0ffice' looks like the organisation of this device "
            "('Northshire CSP Office')"
        )
        trust_each_other([pair.la, office], pair.root / "keys")
        # A second Northshire workstation whose id differs from the first's in one digit.
        first = pair.la.identity.device_id
        suffix = first[-6:]
        close = first[:-1] + ("0" if suffix[-1] != "0" else "1")
        path = keys_file(second, pair.root / "second.json", device_id=close)
        with pytest.raises(InvalidInput) as raised:
            office.sync.add_peer(path)
        assert raised.value.message == (
            f"{close} looks like the trusted {first} ({first}): a device id that can be "
            "taken for another is refused; ask the peer to make a new device"
        )
        # A device id not made the way notify-tui makes them.
        odd = keys_file(second, pair.root / "odd.json", device_id=f"{office_id[:-6]}zzzzzz")
        with pytest.raises(InvalidInput, match="is not the organisation's short name"):
            office.sync.add_peer(odd)
    finally:
        imitator.close()
        second.close()


def test_doctor_finds_a_peer_an_older_version_trusted(pair: Pair) -> None:
    office = pair.office
    assert office.doctor().ok
    rogue = make_session(pair.root / "rogue", "Northshire CSP Office", "la", author="Rex")
    try:
        me = rogue.sync.me()
        public = (
            vault_of(rogue)
            .db.execute("SELECT signing_public, hpke_public FROM devices WHERE is_self = 1")
            .fetchone()
        )
        database = vault_of(office).db
        with database.atomic():
            database.execute(
                "INSERT INTO devices (device_id, org, role, signing_public, hpke_public, "
                "is_self, revoked_at, added_at) VALUES (?, ?, 'la', ?, ?, 0, NULL, ?)",
                [me.device_id, me.org, public[0], public[1], "2026-01-01T00:00:00+00:00"],
            )
        report = office.doctor()
        assert not report.ok
        assert report.problems == (
            f"trusted peer {me.device_id}: {me.device_id} claims the organisation "
            "'Northshire CSP Office' as a local authority, but this device is the business "
            "office of 'Northshire CSP Office': an organisation has one role (an office's "
            "organisation must differ from every LA's)",
        )
    finally:
        rogue.close()


# -- verify ----------------------------------------------------------------------------


@pytest.fixture
def bundle(pair: Pair) -> Path:
    trust_each_other([pair.la, pair.office], pair.root / "keys")
    pair.la.create_case(case_document(40))
    return export_to(pair.la, pair.office, pair.root / "out")


def signers_line(session: Session, options: str) -> str:
    key = sshsig.openssh_public_key(session.identity.signing_public)
    return f"{session.identity.device_id} {options} {key}\n"


def ssh_keygen_accepts(bundle: Path, signers: Path, principal: str, tmp: Path) -> bool:
    assert SSH_KEYGEN is not None
    with zipfile.ZipFile(bundle) as archive:
        (tmp / "m.sig").write_bytes(archive.read("manifest.json.sig"))
        manifest = archive.read("manifest.json")
    result = subprocess.run(
        [SSH_KEYGEN, "-Y", "verify", "-f", str(signers), "-I", principal,
         "-n", "notify-tui-bundle", "-s", str(tmp / "m.sig")],
        input=manifest, capture_output=True, check=False,
    )  # fmt: skip
    return result.returncode == 0


@pytest.mark.skipif(SSH_KEYGEN is None, reason="needs OpenSSH's ssh-keygen")
@pytest.mark.parametrize(
    ("options", "accepted", "reason"),
    [
        ('namespaces="notify-tui-bundle"', True, ""),
        ('namespaces="notify-tui-bundle",valid-before="20260101"', False, "expired on"),
        ('valid-after="20991231Z"', False, "is valid only from"),
        ("cert-authority", False, "is a cert-authority key"),
        ('namespaces="file"', False, "may not sign in namespace notify-tui-bundle"),
    ],
)
def test_verify_reads_allowed_signers_as_ssh_keygen_does(
    pair: Pair, bundle: Path, tmp_path: Path, options: str, accepted: bool, reason: str
) -> None:
    signers = tmp_path / "allowed_signers"
    signers.write_text(signers_line(pair.la, options))
    principal = pair.la.identity.device_id
    assert ssh_keygen_accepts(bundle, signers, principal, tmp_path) is accepted
    code, out, _ = cli_run("verify", str(bundle), "--signers", str(signers))
    assert code == (0 if accepted else 2)
    last = out.splitlines()[-1]
    if accepted:
        assert last == "valid"
    else:
        assert last.startswith(f"invalid: {signers}: the signer for {principal} (line 1) ")
        assert reason in last


def test_verify_without_signers_never_calls_an_impersonation_valid(
    pair: Pair, bundle: Path, tmp_path: Path
) -> None:
    """A manifest naming Northshire's workstation as its sender, re-signed with a key
    of the forger's own: intact, so only the signature's own key can be checked."""
    with zipfile.ZipFile(bundle) as archive:
        manifest = archive.read("manifest.json")
        payload = archive.read("payload.hpke")
    forger = Ed25519PrivateKey.generate()
    signature = sshsig.sign(manifest, forger, sshsig.BUNDLE_NAMESPACE).encode()
    forged = tmp_path / "forged.ntbundle"
    forged.write_bytes(zipped(manifest, signature, payload))
    code, out, _ = cli_run("verify", str(forged))
    assert code == 1
    assert "valid" not in out.splitlines()[-1].split(":")[0]
    assert sshsig.fingerprint(forger.public_key()) in out  # whose key it is, unchecked
    assert "NOT checked against a signer" in out
    assert out.splitlines()[-1].startswith("not verified: the signature matches the key it")
    signers = tmp_path / "allowed_signers"
    signers.write_text(signers_line(pair.la, 'namespaces="notify-tui-bundle"'))
    code, out, _ = cli_run("verify", str(forged), "--signers", str(signers))
    assert code == 2 and out.splitlines()[-1].startswith("invalid: signed by an unknown key")


# -- keys export-private ---------------------------------------------------------------


def test_private_keys_open_a_bundle_with_stock_tools(
    pair: Pair, bundle: Path, tmp_path: Path
) -> None:
    """The office exports its keys; the bundle Northshire made for it is opened with
    `cryptography` to read the PEM, pyhpke for HPKE, AES-GCM and zlib: the steps of
    docs/bundle-format.md, and nothing of notify_tui."""
    secret = "a long export passphrase"
    (tmp_path / "pass").write_text(secret + "\n")
    keys = tmp_path / "office-private.pem"
    office_id = pair.office.identity.device_id
    pair.office.close()
    code, out, err = cli_run(
        "keys", "export-private", "--to", str(keys), "--key-passphrase-file",
        str(tmp_path / "pass"), home=pair.root / "office",
    )  # fmt: skip
    assert (code, err) == (0, ""), out
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    code, _, err = cli_run("keys", "export-private", "--to", str(keys), "--key-passphrase-file",
                           str(tmp_path / "pass"), home=pair.root / "office")  # fmt: skip
    assert code == 2 and "already exists" in err

    text = keys.read_text()
    blocks = [
        "-----BEGIN"
        + part.split("-----END ENCRYPTED PRIVATE KEY-----")[0]
        + "-----END ENCRYPTED PRIVATE KEY-----\n"
        for part in text.split("-----BEGIN")[1:]
    ]
    x25519 = serialization.load_pem_private_key(blocks[0].encode(), secret.encode())
    ed25519 = serialization.load_pem_private_key(blocks[1].encode(), secret.encode())
    raw = x25519.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    assert len(raw) == 32 and isinstance(ed25519, Ed25519PrivateKey)

    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        payload = archive.read("payload.hpke")
    aad = f"notify-tui-bundle/1/{manifest['sender']['device']}/{manifest['bundle_id']}".encode()
    info = b"notify-tui bundle v1\x00" + hashlib.sha256(aad).digest()
    mine = next(r for r in manifest["recipients"] if r["device"] == office_id)
    sealed = base64.b64decode(mine["sealed_key"])
    suite = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.AES256_GCM)
    context = suite.create_recipient_context(
        sealed[:32], suite.kem.deserialize_private_key(raw), info=info
    )
    content_key = context.open(sealed[32:], aad=b"")
    lines = zlib.decompress(AESGCM(content_key).decrypt(payload[:12], payload[12:], aad))
    events = [json.loads(line) for line in lines.splitlines()]
    assert len(lines) == manifest["payload"]["uncompressed_size"]
    assert [event["seq"] for event in events] == [1]
    assert events[0]["type"] == "case.created"
    # The id a reader works out from the line, as the docs say, is the event's id.
    body = {k: v for k, v in events[0].items() if k not in ("id", "sig")}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == events[0]["id"]


@pytest.mark.skipif(OPENSSL is None, reason="needs openssl")
def test_openssl_reads_both_private_keys(pair: Pair, tmp_path: Path) -> None:
    assert OPENSSL is not None
    secret = "a long export passphrase"
    keys = pair.office.sync.keys_export_private(tmp_path / "keys.pem", secret)
    first = subprocess.run(
        [OPENSSL, "pkey", "-in", str(keys), "-passin", f"pass:{secret}", "-noout", "-text"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert first.returncode == 0 and first.stdout.startswith("X25519 Private-Key:")
    second_block = keys.read_text().split("# 2.", 1)[1]
    second = subprocess.run(
        [OPENSSL, "pkey", "-passin", f"pass:{secret}", "-noout", "-text"],
        input=second_block, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert second.returncode == 0 and second.stdout.startswith("ED25519 Private-Key:")
    wrong = subprocess.run(
        [OPENSSL, "pkey", "-in", str(keys), "-passin", "pass:not the passphrase", "-noout"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert wrong.returncode != 0
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        pair.office.sync.keys_export_private(tmp_path / "short.pem", "short")
