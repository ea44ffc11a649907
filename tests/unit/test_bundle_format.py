"""The bundle file format, checked with tools other than this program.

- OpenSSH's real `ssh-keygen -Y verify` accepts a produced manifest signature with the
  `keys signers` line, and refuses a wrong namespace, principal or message;
- the payload opens with the steps of docs/bundle-format.md using only `cryptography`'s
  HPKE and AES-GCM, `zlib` and `json` (no notify-tui code);
- `notify-tui keys/peers/export/import/verify` work end to end through the CLI.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from bundle_support import PASSPHRASE, TODAY, case_document, make_session, trust_each_other
from click.testing import CliRunner
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from notify_tui.cli import cli
from notify_tui.services.session import Session
from notify_tui.sync import bundle as bundle_format

SSH_KEYGEN = shutil.which("ssh-keygen")
needs_ssh_keygen = pytest.mark.skipif(SSH_KEYGEN is None, reason="ssh-keygen not installed")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, Session, Path]]:
    root = tmp_path_factory.mktemp("pair")
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())
    la = make_session(root / "la", "Northshire Council", author="Ann A")
    office = make_session(root / "office", "Northshire CSP Office", "office", "Olu O")
    trust_each_other([la, office], root / "keys")
    la.create_case(case_document(21))
    la.create_case(case_document(22))
    (root / "out").mkdir()
    (path,) = la.sync.export(root / "out", office.identity.device_id)
    yield la, office, path
    la.close()
    office.close()
    mp.undo()


def unpack(path: Path, folder: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert [i.filename for i in archive.infolist()] == list(bundle_format.MEMBER_NAMES)
        archive.extractall(folder)
        return {name: archive.read(name) for name in bundle_format.MEMBER_NAMES}


def ssh_verify(folder: Path, signers: str, principal: str, namespace: str, message: bytes) -> int:
    (folder / "allowed_signers").write_text(signers + "\n")
    result = subprocess.run(
        [
            SSH_KEYGEN or "ssh-keygen",
            "-Y",
            "verify",
            "-f",
            str(folder / "allowed_signers"),
            "-I",
            principal,
            "-n",
            namespace,
            "-s",
            str(folder / "manifest.json.sig"),
        ],
        input=message,
        capture_output=True,
        check=False,
    )
    return result.returncode


@needs_ssh_keygen
def test_ssh_keygen_verifies_the_manifest(
    pair: tuple[Session, Session, Path], tmp_path: Path
) -> None:
    la, _, path = pair
    members = unpack(path, tmp_path)
    line = la.sync.signers_line()
    device = la.identity.device_id
    manifest = members["manifest.json"]
    assert ssh_verify(tmp_path, line, device, "notify-tui-bundle", manifest) == 0
    assert ssh_verify(tmp_path, line, device, "file", manifest) != 0
    assert ssh_verify(tmp_path, line, "someone-else", "notify-tui-bundle", manifest) != 0
    assert ssh_verify(tmp_path, line, device, "notify-tui-bundle", manifest + b" ") != 0
    altered = manifest.replace(b'"bundle_seq": 1', b'"bundle_seq": 2')
    assert altered != manifest
    assert ssh_verify(tmp_path, line, device, "notify-tui-bundle", altered) != 0


def test_payload_opens_with_rfc9180_and_the_documented_steps(
    pair: tuple[Session, Session, Path], tmp_path: Path
) -> None:
    la, office, path = pair
    members = unpack(path, tmp_path)
    manifest = json.loads(members["manifest.json"])
    payload = members["payload.hpke"]
    assert hashlib.sha256(payload).hexdigest() == manifest["payload"]["sha256"]
    mine = next(r for r in manifest["recipients"] if r["device"] == office.identity.device_id)
    aad = f"notify-tui-bundle/1/{manifest['sender']['device']}/{manifest['bundle_id']}".encode()
    info = b"notify-tui bundle v1\x00" + hashlib.sha256(aad).digest()
    suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
    content_key = suite.decrypt(
        base64.b64decode(mine["sealed_key"]), office.identity.hpke_key, info=info
    )
    compressed = AESGCM(content_key).decrypt(payload[:12], payload[12:], aad)
    lines = zlib.decompress(compressed)
    assert len(lines) == manifest["payload"]["uncompressed_size"]
    events = [json.loads(line) for line in lines.splitlines()]
    assert len(events) == manifest["payload"]["events"] == 2
    assert [e["seq"] for e in events] == [1, 2]
    # The sender can open its own bundle too.
    own = next(r for r in manifest["recipients"] if r["device"] == la.identity.device_id)
    assert suite.decrypt(base64.b64decode(own["sealed_key"]), la.identity.hpke_key, info=info)


def test_bundle_members_are_stored_and_manifest_declares_sizes(
    pair: tuple[Session, Session, Path],
) -> None:
    _, _, path = pair
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
        manifest = json.loads(archive.read("manifest.json"))
        payload_size = archive.getinfo("payload.hpke").file_size
    assert manifest["format"] == "notify-tui-bundle"
    assert manifest["schema_version"] == 1
    assert manifest["payload"]["size"] == payload_size
    assert manifest["payload"]["compression"] == "zlib"
    assert manifest["ranges"][0]["first_seq"] == 1 and manifest["ranges"][0]["last_seq"] == 2


def test_cli_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NOTIFY_TUI_TODAY", TODAY.isoformat())
    la_home, office_home = tmp_path / "la", tmp_path / "office"
    la = make_session(la_home, "Southshire Council")
    case_id = la.create_case(case_document(23))
    la.close()
    make_session(office_home, "Southshire Office", "office").close()
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    run("keys", "export", "--home", str(la_home), "--to", str(tmp_path / "la.json"))
    run("keys", "export", "--home", str(office_home), "--to", str(tmp_path / "office.json"))
    signers = run("keys", "signers", "--home", str(la_home))
    assert signers.startswith("southshire-council-") and 'namespaces="notify-tui-bundle"' in signers
    (tmp_path / "allowed_signers").write_text(signers)
    office_key = json.loads((tmp_path / "office.json").read_text())["fingerprint"]
    la_key = json.loads((tmp_path / "la.json").read_text())["fingerprint"]
    added = run("peers", "add", "--home", str(la_home), str(tmp_path / "office.json"),
                "--fingerprint", office_key)  # fmt: skip
    assert f"Signing key fingerprint: {office_key}" in added and "Trusted" in added
    run("peers", "add", "--home", str(office_home), str(tmp_path / "la.json"),
        "--fingerprint", la_key)  # fmt: skip
    rows = json.loads(run("peers", "list", "--home", str(la_home), "--json"))
    assert [r["is_self"] for r in rows] == [True, False]
    assert rows[1]["pending_events"] == 1
    out = tmp_path / "out"
    out.mkdir()
    (bundle_path,) = run("export", "--home", str(la_home), "--to", str(out)).split()
    verified = run("verify", bundle_path, "--signers", str(tmp_path / "allowed_signers"))
    assert verified.rstrip().endswith("valid") and "Events:     1" in verified
    assert (
        run("verify", bundle_path, "--signers", str(tmp_path / "la.json"))
        .rstrip()
        .endswith("valid")
    )
    wrong = run("verify", bundle_path, "--signers", str(tmp_path / "office.json"), code=2)
    assert "invalid: no signer listed for the sender" in wrong
    as_json = runner.invoke(cli, ["verify", bundle_path, "--json"], catch_exceptions=False)
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert not report["valid"] and not report["signer_checked"] and report["signer"]
    unchecked = run("verify", bundle_path, code=1)
    assert "valid" not in unchecked.splitlines()[-1].split(":")[0]
    assert unchecked.splitlines()[-1].startswith("not verified: the signature matches")
    imported = run("import", "--home", str(office_home), bundle_path)
    assert "imported 1 new event(s)" in imported
    assert "already imported" in run("import", "--home", str(office_home), bundle_path)
    shown = run("case", "list", "--home", str(office_home))
    assert case_id in shown
    junk = tmp_path / "junk.ntbundle"
    junk.write_bytes(b"nonsense")
    refused = run("import", "--home", str(office_home), str(junk), code=2)
    assert "refused: not a bundle" in refused
    run("peers", "revoke", "--home", str(office_home), rows[0]["device_id"])
    assert "revoked" in run("import", "--home", str(office_home), bundle_path, code=2)


def test_sync_commands_have_help_and_are_documented() -> None:
    """Every sync command has help text and is named in docs/bundle-format.md."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "bundle-format.md").read_text()
    commands = {
        "keys export": cli.commands["keys"].commands["export"],  # type: ignore[attr-defined]
        "keys signers": cli.commands["keys"].commands["signers"],  # type: ignore[attr-defined]
        "keys export-private": cli.commands["keys"].commands["export-private"],  # type: ignore[attr-defined]
        "peers add": cli.commands["peers"].commands["add"],  # type: ignore[attr-defined]
        "peers list": cli.commands["peers"].commands["list"],  # type: ignore[attr-defined]
        "peers revoke": cli.commands["peers"].commands["revoke"],  # type: ignore[attr-defined]
        "export": cli.commands["export"],
        "import": cli.commands["import"],
        "verify": cli.commands["verify"],
    }
    for name, command in commands.items():
        assert command.help, name
        assert f"notify-tui {name}" in docs, name
