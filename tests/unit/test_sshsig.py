"""SSHSIG signatures: byte-compatible with OpenSSH, and strict about everything else.

The interoperability tests run the real ``ssh-keygen`` both ways: it must accept what
`sshsig.sign` writes, `sshsig.verify` must accept what it writes, and on a table of good
and bad cases the two verifiers must give the same answer.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import struct
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notify_tui.errors import BundleRefused, InvalidInput
from notify_tui.sync import sshsig

NAMESPACE = "notify-tui-bundle"
MESSAGE = b'{"bundle": "manifest", "events": 3}\n'
SSH_KEYGEN = shutil.which("ssh-keygen")

needs_ssh_keygen = pytest.mark.skipif(
    SSH_KEYGEN is None, reason="OpenSSH ssh-keygen is not installed on this machine"
)

# Fixed seeds keep failures reproducible; the keys are for tests only.
ALICE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
BOB = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))


def ssh_string(data: bytes) -> bytes:
    """An SSH wire ``string``: uint32 length, then the bytes."""
    return struct.pack(">I", len(data)) + data


def raw_public_key(pub: Ed25519PublicKey) -> bytes:
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return raw_public_key(key.public_key())


def armor(blob: bytes) -> str:
    body = base64.b64encode(blob).decode("ascii")
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return "\n".join(["-----BEGIN SSH SIGNATURE-----", *lines, "-----END SSH SIGNATURE-----"])


def dearmor(armored: str) -> bytes:
    return base64.b64decode("".join(armored.strip().splitlines()[1:-1]))


def build_blob(
    *,
    key: Ed25519PrivateKey = ALICE,
    message: bytes = MESSAGE,
    magic: bytes = b"SSHSIG",
    version: int = 1,
    key_type: bytes = b"ssh-ed25519",
    key_bytes: bytes | None = None,
    namespace: bytes = NAMESPACE.encode(),
    reserved: bytes = b"",
    hash_name: bytes = b"sha512",
    sig_type: bytes = b"ssh-ed25519",
    signature: bytes | None = None,
    trailing: bytes = b"",
) -> bytes:
    """An SSHSIG blob written independently of the module, correctly signed by default."""
    hash_function = hashlib.sha256 if hash_name == b"sha256" else hashlib.sha512
    signed = (
        b"SSHSIG"
        + ssh_string(namespace)
        + ssh_string(reserved)
        + ssh_string(hash_name)
        + ssh_string(hash_function(message).digest())
    )
    if signature is None:
        signature = key.sign(signed)
    public = raw_public(key) if key_bytes is None else key_bytes
    return (
        magic
        + struct.pack(">I", version)
        + ssh_string(ssh_string(key_type) + ssh_string(public))
        + ssh_string(namespace)
        + ssh_string(reserved)
        + ssh_string(hash_name)
        + ssh_string(ssh_string(sig_type) + ssh_string(signature))
        + trailing
    )


# --- OpenSSH on the command line -------------------------------------------------------


@dataclass
class OpenSSH:
    """A scratch directory with key files and an allowed_signers file for ssh-keygen."""

    directory: Path

    def key_file(self, key: Ed25519PrivateKey, name: str) -> Path:
        path = self.directory / name
        path.write_bytes(sshsig.private_key_to_openssh_pem(key))
        path.chmod(0o600)
        return path

    def sign(self, key: Ed25519PrivateKey, message: bytes, namespace: str, *options: str) -> str:
        key_path = self.key_file(key, "signing_key")
        extra = [arg for option in options for arg in ("-O", option)]
        result = subprocess.run(
            [str(SSH_KEYGEN), "-Y", "sign", "-f", str(key_path), "-n", namespace, *extra],
            input=message,
            capture_output=True,
            check=True,
        )
        return result.stdout.decode("ascii")

    def verify(self, armored: str, message: bytes, principal: str, namespace: str) -> bool:
        signature_path = self.directory / "file.sig"
        signature_path.write_text(armored)
        result = subprocess.run(
            [
                str(SSH_KEYGEN),
                "-Y",
                "verify",
                "-f",
                str(self.directory / "allowed_signers"),
                "-I",
                principal,
                "-n",
                namespace,
                "-s",
                str(signature_path),
            ],
            input=message,
            capture_output=True,
        )
        return result.returncode == 0


@pytest.fixture
def openssh(tmp_path: Path) -> OpenSSH:
    """ssh-keygen with alice and bob allowed to sign bundles."""
    (tmp_path / "allowed_signers").write_text(
        sshsig.allowed_signers_line("alice@la.example", ALICE.public_key())
        + "\n"
        + sshsig.allowed_signers_line("bob@office.example", BOB.public_key())
        + "\n"
    )
    return OpenSSH(tmp_path)


# --- keys --------------------------------------------------------------------------------


def test_public_key_line_matches_openssh_serialisation() -> None:
    """The key line is what cryptography (and ssh-keygen) write for a .pub file."""
    expected = ALICE.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    assert sshsig.openssh_public_key(ALICE.public_key()) == expected.decode()
    assert sshsig.openssh_public_key(ALICE.public_key(), "alice@la") == (
        expected.decode() + " alice@la"
    )


def test_public_key_line_round_trips() -> None:
    """Parsing a written line gives back the same key, comment or not."""
    for comment in ("", "alice@la with spaces"):
        line = sshsig.openssh_public_key(BOB.public_key(), comment)
        assert raw_public_key(sshsig.parse_openssh_public_key(line + "\n")) == raw_public(BOB)


def test_comment_must_be_one_line() -> None:
    """A newline in a comment would split the .pub line."""
    with pytest.raises(ValueError):
        sshsig.openssh_public_key(ALICE.public_key(), "a\nb")


@pytest.mark.parametrize(
    "line",
    [
        "",
        "ssh-ed25519",
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC",
        "ssh-ed25519 !!!!",
        "ssh-ed25519 " + base64.b64encode(ssh_string(b"ssh-rsa") + ssh_string(bytes(32))).decode(),
        "ssh-ed25519 "
        + base64.b64encode(ssh_string(b"ssh-ed25519") + ssh_string(bytes(31))).decode(),
        "ssh-ed25519 "
        + base64.b64encode(ssh_string(b"ssh-ed25519") + ssh_string(bytes(32)) + b"x").decode(),
        "ssh-ed25519 " + base64.b64encode(ssh_string(b"ssh-ed25519")).decode(),
    ],
    ids=[
        "empty",
        "no-key",
        "rsa",
        "not-base64",
        "inner-type-rsa",
        "short-key",
        "trailing-byte",
        "truncated",
    ],
)
def test_parse_public_key_refuses_anything_else(line: str) -> None:
    """Only a well-formed ssh-ed25519 line parses; the rest is InvalidInput."""
    with pytest.raises(InvalidInput):
        sshsig.parse_openssh_public_key(line)


@needs_ssh_keygen
def test_fingerprint_matches_ssh_keygen(tmp_path: Path) -> None:
    """``fingerprint`` prints what ``ssh-keygen -l`` prints."""
    pub_path = tmp_path / "alice.pub"
    pub_path.write_text(sshsig.openssh_public_key(ALICE.public_key(), "alice") + "\n")
    listed = subprocess.run(
        [str(SSH_KEYGEN), "-l", "-f", str(pub_path)], capture_output=True, check=True, text=True
    ).stdout.split()
    assert listed[1] == sshsig.fingerprint(ALICE.public_key())
    assert sshsig.fingerprint(ALICE.public_key()) != sshsig.fingerprint(BOB.public_key())


@needs_ssh_keygen
def test_private_key_file_is_readable_by_ssh_keygen(openssh: OpenSSH) -> None:
    """``ssh-keygen -y`` derives our public key line from the written private key."""
    key_path = openssh.key_file(ALICE, "alice")
    derived = subprocess.run(
        [str(SSH_KEYGEN), "-y", "-f", str(key_path)], capture_output=True, check=True, text=True
    ).stdout.split()
    assert " ".join(derived[:2]) == sshsig.openssh_public_key(ALICE.public_key())


@pytest.mark.parametrize(
    ("principal", "namespace"),
    [
        ("", NAMESPACE),
        ("two words", NAMESPACE),
        ("a,b", NAMESPACE),
        ("*", NAMESPACE),
        ("!alice", NAMESPACE),
        ('al"ice', NAMESPACE),
        ("alice", 'x",y'),
        ("alice", ""),
    ],
)
def test_allowed_signers_line_refuses_unsafe_names(principal: str, namespace: str) -> None:
    """Names that would change the meaning of an allowed_signers line are refused."""
    with pytest.raises(ValueError):
        sshsig.allowed_signers_line(principal, ALICE.public_key(), namespace)


def test_allowed_signers_line_format() -> None:
    """principal, the namespaces option, then the key line."""
    line = sshsig.allowed_signers_line("alice@la.example", ALICE.public_key())
    assert line == (
        'alice@la.example namespaces="notify-tui-bundle" '
        + sshsig.openssh_public_key(ALICE.public_key())
    )


# --- signing -------------------------------------------------------------------------------


def test_sign_writes_the_openssh_layout() -> None:
    """Armor lines, 70-column base64, SHA-512, a final newline."""
    armored = sshsig.sign(MESSAGE, ALICE, NAMESPACE)
    lines = armored.split("\n")
    assert lines[0] == "-----BEGIN SSH SIGNATURE-----"
    assert lines[-2:] == ["-----END SSH SIGNATURE-----", ""]
    assert all(len(line) == 70 for line in lines[1:-3])
    assert 0 < len(lines[-3]) <= 70
    assert dearmor(armored) == build_blob()


def test_sign_refuses_empty_namespace() -> None:
    """ssh-keygen refuses an empty namespace, so do we."""
    with pytest.raises(ValueError):
        sshsig.sign(MESSAGE, ALICE, "")


@needs_ssh_keygen
def test_sign_is_byte_identical_to_ssh_keygen(openssh: OpenSSH) -> None:
    """Ed25519 is deterministic, so ``ssh-keygen -Y sign`` writes the very same file."""
    assert sshsig.sign(MESSAGE, ALICE, NAMESPACE) == openssh.sign(ALICE, MESSAGE, NAMESPACE)


def test_verify_returns_the_allowed_key() -> None:
    """The signer's key is returned, picked from the allowed keys."""
    armored = sshsig.sign(MESSAGE, BOB, NAMESPACE)
    signer = sshsig.verify(armored, MESSAGE, NAMESPACE, [ALICE.public_key(), BOB.public_key()])
    assert raw_public_key(signer) == raw_public(BOB)
    assert sshsig.verify(armored.encode(), MESSAGE, NAMESPACE, BOB.public_key()) is not None


def test_verify_accepts_crlf_line_ends() -> None:
    """A signature file that passed through Windows still verifies."""
    armored = sshsig.sign(MESSAGE, ALICE, NAMESPACE).replace("\n", "\r\n")
    sshsig.verify(armored, MESSAGE, NAMESPACE, ALICE.public_key())


def test_verify_accepts_sha256() -> None:
    """PROTOCOL.sshsig allows sha256 as well as sha512."""
    armored = armor(build_blob(hash_name=b"sha256"))
    sshsig.verify(armored, MESSAGE, NAMESPACE, ALICE.public_key())


@needs_ssh_keygen
def test_verify_accepts_ssh_keygen_sha256_signature(openssh: OpenSSH) -> None:
    """``ssh-keygen -Y sign -O hashalg=sha256`` output verifies too."""
    armored = openssh.sign(ALICE, MESSAGE, NAMESPACE, "hashalg=sha256")
    assert ssh_string(b"sha256") in dearmor(armored)
    sshsig.verify(armored, MESSAGE, NAMESPACE, ALICE.public_key())


@pytest.mark.parametrize(
    ("armored", "reason"),
    [
        (
            lambda: sshsig.sign(MESSAGE, ALICE, "file"),
            "signature namespace is 'file', expected 'notify-tui-bundle'",
        ),
        (lambda: sshsig.sign(MESSAGE + b"!", ALICE, NAMESPACE), "signature does not match"),
        (lambda: sshsig.sign(MESSAGE, BOB, NAMESPACE), "signed by an unknown key SHA256:"),
        (lambda: armor(build_blob(namespace=b"a\nb")), r"signature namespace is 'a\nb'"),
    ],
    ids=["namespace", "altered", "unknown-key", "namespace-escaped"],
)
def test_refusal_reasons(armored: Callable[[], str], reason: str) -> None:
    """Each refusal says what is wrong in one line."""
    with pytest.raises(BundleRefused) as refused:
        sshsig.verify(armored(), MESSAGE, NAMESPACE, ALICE.public_key())
    assert reason in refused.value.message
    assert "\n" not in refused.value.message


def test_unknown_key_reason_names_its_fingerprint() -> None:
    """The unknown signer is named by the fingerprint ssh-keygen -l shows."""
    with pytest.raises(BundleRefused) as refused:
        sshsig.verify(sshsig.sign(MESSAGE, BOB, NAMESPACE), MESSAGE, NAMESPACE, [])
    assert refused.value.message == (
        f"signed by an unknown key {sshsig.fingerprint(BOB.public_key())}"
    )


# --- both verifiers agree ------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One row of the agreement table."""

    name: str
    signed_namespace: str
    verify_namespace: str
    principal: str
    altered: bool
    accepted: bool


ALLOWED_KEYS = {
    "alice@la.example": [ALICE.public_key()],
    "bob@office.example": [BOB.public_key()],
    "carol@nowhere.example": [],
}

CASES = [
    Case("good", NAMESPACE, NAMESPACE, "alice@la.example", altered=False, accepted=True),
    Case("verify-other-namespace", NAMESPACE, "file", "alice@la.example", False, False),
    Case("signed-other-namespace", "git", NAMESPACE, "alice@la.example", False, False),
    Case("wrong-principal", NAMESPACE, NAMESPACE, "bob@office.example", False, False),
    Case("unknown-principal", NAMESPACE, NAMESPACE, "carol@nowhere.example", False, False),
    Case("altered-message", NAMESPACE, NAMESPACE, "alice@la.example", True, False),
]


@needs_ssh_keygen
@pytest.mark.parametrize("signer", ["sshsig.sign", "ssh-keygen -Y sign"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_both_verifiers_agree(openssh: OpenSSH, signer: str, case: Case) -> None:
    """ssh-keygen -Y verify and sshsig.verify accept and refuse exactly the same cases."""
    if signer == "sshsig.sign":
        armored = sshsig.sign(MESSAGE, ALICE, case.signed_namespace)
    else:
        armored = openssh.sign(ALICE, MESSAGE, case.signed_namespace)
    message = MESSAGE + b" " if case.altered else MESSAGE

    ssh_keygen_accepts = openssh.verify(armored, message, case.principal, case.verify_namespace)
    try:
        sshsig.verify(armored, message, case.verify_namespace, ALLOWED_KEYS[case.principal])
        we_accept = True
    except BundleRefused:
        we_accept = False

    assert (ssh_keygen_accepts, we_accept) == (case.accepted, case.accepted)


@needs_ssh_keygen
def test_allowed_signers_namespace_option_is_enforced(openssh: OpenSSH) -> None:
    """The namespaces="…" option stops a bundle key vouching for anything else."""
    armored = sshsig.sign(MESSAGE, ALICE, "git")
    assert not openssh.verify(armored, MESSAGE, "alice@la.example", "git")


@needs_ssh_keygen
def test_nonempty_reserved_field_is_refused_where_ssh_keygen_ignores_it(
    openssh: OpenSSH,
) -> None:
    """ssh-keygen ignores the reserved field's bytes (it signs it as empty); we refuse it.

    The one deliberate difference: without it the blob could be changed and still verify.
    """
    armored = armor(build_blob(reserved=b"", trailing=b""))
    blob = dearmor(armored)
    # Same signature (over an empty reserved field), reserved field now "x".
    marker = ssh_string(NAMESPACE.encode()) + ssh_string(b"")
    tampered = armor(blob.replace(marker, ssh_string(NAMESPACE.encode()) + ssh_string(b"x")))
    assert openssh.verify(tampered, MESSAGE, "alice@la.example", NAMESPACE)
    with pytest.raises(BundleRefused, match="reserved field is not empty"):
        sshsig.verify(tampered, MESSAGE, NAMESPACE, ALICE.public_key())


# --- malformed input ----------------------------------------------------------------------


def noncanonical(armored: str) -> str:
    """Set unused low bits in the last base64 character before the padding."""
    lines = armored.split("\n")
    last = lines[-2]
    stripped = last.rstrip("=")
    assert stripped != last, "needs padding, hence unused bits"
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    bumped = alphabet[alphabet.index(stripped[-1]) | 1]
    lines[-2] = stripped[:-1] + bumped + last[len(stripped) :]
    return "\n".join(lines)


GOOD = armor(build_blob())

MALFORMED: dict[str, str | bytes] = {
    "empty": "",
    "not-armored": "hello",
    "no-end-line": GOOD.rsplit("\n", 1)[0],
    "no-begin-line": GOOD.split("\n", 1)[1],
    "no-body": "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----",
    "not-base64": "-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----",
    "space-in-body": GOOD.replace("\n", " \n", 2),
    "non-canonical-base64": noncanonical(GOOD),
    "non-ascii-text": GOOD.replace("-----END", "é----END"),
    "non-ascii-bytes": GOOD.encode() + b"\xff",
    "oversized": GOOD + "\n" * 5000,
    "bad-magic": armor(build_blob(magic=b"SSHSIH")),
    "version-2": armor(build_blob(version=2)),
    "truncated": armor(build_blob()[:-10]),
    "trailing-byte": armor(build_blob(trailing=b"\x00")),
    "rsa-key": armor(build_blob(key_type=b"ssh-rsa")),
    "short-key": armor(build_blob(key_bytes=bytes(31))),
    "md5": armor(build_blob(hash_name=b"md5")),
    "rsa-signature": armor(build_blob(sig_type=b"rsa-sha2-512")),
    "short-signature": armor(build_blob(signature=bytes(63))),
    "huge-length": armor(b"SSHSIG" + struct.pack(">II", 1, 0xFFFFFFFF)),
    "long-namespace": armor(build_blob(namespace=b"n" * 300)),
    "reserved-not-empty": armor(build_blob(reserved=b"tag")),
}


@pytest.mark.parametrize("armored", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_signatures_are_refused(armored: str | bytes) -> None:
    """Every structural fault is a one-line 'malformed signature: …' refusal."""
    with pytest.raises(BundleRefused) as refused:
        sshsig.verify(armored, MESSAGE, NAMESPACE, ALICE.public_key())
    assert refused.value.message.startswith("malformed signature: ")


def test_the_builder_makes_good_signatures() -> None:
    """The malformed table starts from a blob that verifies."""
    sshsig.verify(GOOD, MESSAGE, NAMESPACE, ALICE.public_key())


def test_zero_signature_does_not_match() -> None:
    """A well-formed but forged signature is a mismatch, not a crash."""
    with pytest.raises(BundleRefused, match="signature does not match the manifest"):
        sshsig.verify(armor(build_blob(signature=bytes(64))), MESSAGE, NAMESPACE, [])


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10_000), st.integers(0, 7)),
    st.tuples(st.just("set"), st.integers(0, 10_000), st.integers(0, 255)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.integers(0, 255)),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 8)),
    st.tuples(st.just("truncate"), st.integers(0, 10_000), st.just(0)),
    st.tuples(st.just("append"), st.integers(0, 10_000), st.integers(0, 255)),
)


def mutate(data: bytes, changes: list[tuple[str, int, int]]) -> bytes:
    buffer = bytearray(data)
    for kind, where, value in changes:
        at = where % (len(buffer) + 1)
        if kind == "flip" and at < len(buffer):
            buffer[at] ^= 1 << value
        elif kind == "set" and at < len(buffer):
            buffer[at] = value
        elif kind == "insert":
            buffer.insert(at, value)
        elif kind == "delete":
            del buffer[at : at + value]
        elif kind == "truncate":
            del buffer[at:]
        elif kind == "append":
            buffer.append(value)
    return bytes(buffer)


SIGNED = sshsig.sign(MESSAGE, ALICE, NAMESPACE)
SIGNED_BLOB = dearmor(SIGNED)
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_blob_is_refused_unless_unchanged(changes: list[tuple[str, int, int]]) -> None:
    """Any change to the signature blob is a BundleRefused; nothing else escapes."""
    blob = mutate(SIGNED_BLOB, changes)
    try:
        sshsig.verify(armor(blob), MESSAGE, NAMESPACE, ALICE.public_key())
    except BundleRefused as refused:
        assert blob != SIGNED_BLOB
        assert "\n" not in refused.message
    else:
        assert blob == SIGNED_BLOB


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=4), st.booleans())
def test_mutated_armor_is_refused_unless_unchanged(
    changes: list[tuple[str, int, int]], as_bytes: bool
) -> None:
    """Any change to the armored text, bar whitespace, is refused; nothing else escapes."""
    mutated = mutate(SIGNED.encode(), changes)
    armored: str | bytes = mutated
    if not as_bytes:
        armored = mutated.decode("latin-1")
    try:
        sshsig.verify(armored, MESSAGE, NAMESPACE, ALICE.public_key())
    except BundleRefused as refused:
        assert "\n" not in refused.message
    else:
        # Accepted only if every non-blank character is where it was.
        assert b"".join(mutated.split()) == b"".join(SIGNED.encode().split())


@FUZZ
@given(st.binary(max_size=600) | st.text(max_size=600))
def test_arbitrary_input_is_refused(junk: str | bytes) -> None:
    """Random bytes or text never raise anything but BundleRefused."""
    with pytest.raises(BundleRefused):
        sshsig.verify(junk, MESSAGE, NAMESPACE, ALICE.public_key())
