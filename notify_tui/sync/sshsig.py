"""OpenSSH signatures (SSHSIG) over bundle manifests, with Ed25519 keys only.

A bundle's manifest is signed in the format of OpenSSH's ``PROTOCOL.sshsig``, so a
council's security team can check it with a stock tool and no copy of this program::

    ssh-keygen -Y verify -f allowed_signers -I <principal> -n notify-tui-bundle \\
        -s manifest.sig < manifest.json

where ``allowed_signers`` holds the line `allowed_signers_line` writes for the sender.
`sign` writes exactly what ``ssh-keygen -Y sign -n <namespace>`` writes for the same key
(Ed25519 signatures are deterministic, so the files are byte-identical).

The signature blob, every integer big-endian and every ``string`` a uint32 length then
that many bytes::

    byte[6]  "SSHSIG"
    uint32   1                          version
    string   public key                 string "ssh-ed25519", string key (32 bytes)
    string   namespace                  "notify-tui-bundle" for bundles
    string   reserved                   empty; a non-empty one is refused
    string   hash algorithm             "sha512" when written; "sha256" also read
    string   signature                  string "ssh-ed25519", string signature (64 bytes)

and the Ed25519 signature covers ``"SSHSIG" || string namespace || string reserved ||
string hash algorithm || string H(message)``. (OpenSSH ignores the reserved field's
contents and always signs it as empty, so a non-empty one would make the blob malleable:
`verify` refuses it.) The armor is the blob in base64, wrapped
at 70 columns, between ``-----BEGIN SSH SIGNATURE-----`` and ``-----END SSH
SIGNATURE-----`` lines.

`verify` parses strictly (bounded sizes, exact magic and version, no trailing bytes,
canonical base64) and turns every failure into a one-line `BundleRefused`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Iterable
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from notify_tui.errors import BundleRefused, InvalidInput

__all__ = [
    "BUNDLE_NAMESPACE",
    "allowed_signers_line",
    "fingerprint",
    "openssh_public_key",
    "parse_openssh_public_key",
    "private_key_to_openssh_pem",
    "sign",
    "verify",
]

BUNDLE_NAMESPACE: Final = "notify-tui-bundle"
"""The SSHSIG namespace of bundle manifest signatures."""

_MAGIC: Final = b"SSHSIG"
_VERSION: Final = 1
_KEY_TYPE: Final = b"ssh-ed25519"
_BEGIN: Final = "-----BEGIN SSH SIGNATURE-----"
_END: Final = "-----END SSH SIGNATURE-----"
_WRAP: Final = 70
_HASHES: Final = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}

# An Ed25519 signature with a 255-byte namespace armors to well under 1 KiB; anything far
# larger is not ours, and is refused before any decoding work.
_MAX_ARMORED: Final = 4096
_MAX_NAMESPACE: Final = 255
_MAX_RESERVED: Final = 255
_MAX_FIELD: Final = 1024

_BASE64_BODY: Final = re.compile(r"[A-Za-z0-9+/]*={0,2}")
# Characters that mean something in allowed_signers pattern lists or option values.
_SIGNERS_SPECIAL: Final = re.compile(r"[\s,\"'*?!\\#]")


def _string(data: bytes) -> bytes:
    """Encode ``data`` as an SSH wire ``string``."""
    return struct.pack(">I", len(data)) + data


def _public_key_blob(pub: Ed25519PublicKey) -> bytes:
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _string(_KEY_TYPE) + _string(raw)


def _signed_data(namespace: bytes, reserved: bytes, hash_name: bytes, digest: bytes) -> bytes:
    return _MAGIC + _string(namespace) + _string(reserved) + _string(hash_name) + _string(digest)


class _Malformed(Exception):
    """Internal: a structural fault, reported as ``malformed signature: …``."""


class _Reader:
    """Reads SSH wire fields from a bytes buffer, refusing anything out of bounds."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def raw(self, size: int, what: str) -> bytes:
        if size > len(self._data) - self._pos:
            raise _Malformed(f"{what} is truncated")
        chunk = self._data[self._pos : self._pos + size]
        self._pos += size
        return chunk

    def uint32(self, what: str) -> int:
        value: int = struct.unpack(">I", self.raw(4, what))[0]
        return value

    def string(self, what: str, limit: int = _MAX_FIELD) -> bytes:
        size = self.uint32(what)
        if size > limit:
            raise _Malformed(f"{what} is too long ({size} bytes)")
        return self.raw(size, what)

    def end(self, what: str) -> None:
        if self._pos != len(self._data):
            raise _Malformed(f"{len(self._data) - self._pos} trailing bytes after {what}")


def _parse_key_blob(blob: bytes, what: str) -> Ed25519PublicKey:
    reader = _Reader(blob)
    key_type = reader.string(f"{what} type", 64)
    if key_type != _KEY_TYPE:
        raise _Malformed(f"{what} type is {_show(key_type)}, only 'ssh-ed25519' is accepted")
    raw = reader.string(what, 64)
    reader.end(what)
    if len(raw) != 32:
        raise _Malformed(f"{what} is {len(raw)} bytes, expected 32")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise _Malformed(f"{what} is not a valid Ed25519 key") from None


def _show(value: bytes, limit: int = 64) -> str:
    """Quote untrusted bytes for a one-line message: escaped, and cut short."""
    text = value.decode("utf-8", "backslashreplace")
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)


def openssh_public_key(pub: Ed25519PublicKey, comment: str = "") -> str:
    """Return ``pub`` as one OpenSSH public key line: ``ssh-ed25519 AAAA… comment``.

    This is the format of ``~/.ssh/id_ed25519.pub``. The comment is optional and must be
    a single line.
    """
    if "\n" in comment or "\r" in comment:
        raise ValueError("an OpenSSH key comment must be one line")
    line = "ssh-ed25519 " + base64.b64encode(_public_key_blob(pub)).decode("ascii")
    return f"{line} {comment}" if comment else line


def parse_openssh_public_key(line: str) -> Ed25519PublicKey:
    """Parse an ``ssh-ed25519 AAAA… [comment]`` line (a ``.pub`` file) into a key.

    Raises `InvalidInput` for anything but a well-formed Ed25519 public key line.
    """
    fields = line.strip().split(None, 2)
    if len(fields) < 2 or fields[0] != "ssh-ed25519":
        raise InvalidInput("not an OpenSSH ssh-ed25519 public key line")
    try:
        blob = _strict_b64decode(fields[1])
        return _parse_key_blob(blob, "public key")
    except (_Malformed, ValueError) as error:
        raise InvalidInput(f"not a valid ssh-ed25519 public key: {error}") from None


def fingerprint(pub: Ed25519PublicKey) -> str:
    """Return the key's SHA-256 fingerprint as ``ssh-keygen -l`` prints it (``SHA256:…``)."""
    digest = hashlib.sha256(_public_key_blob(pub)).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def sign(message: bytes, key: Ed25519PrivateKey, namespace: str) -> str:
    """Sign ``message`` and return the armored signature ``ssh-keygen -Y sign`` writes.

    The hash is SHA-512 and the base64 is wrapped at 70 columns, with a final newline,
    so the text is byte-identical to ``ssh-keygen -Y sign -n <namespace>`` output.
    """
    if not namespace:
        raise ValueError("an SSHSIG namespace must not be empty")
    namespace_bytes = namespace.encode("utf-8")
    if len(namespace_bytes) > _MAX_NAMESPACE:
        raise ValueError(f"an SSHSIG namespace is at most {_MAX_NAMESPACE} bytes")
    digest = hashlib.sha512(message).digest()
    signature = key.sign(_signed_data(namespace_bytes, b"", b"sha512", digest))
    blob = (
        _MAGIC
        + struct.pack(">I", _VERSION)
        + _string(_public_key_blob(key.public_key()))
        + _string(namespace_bytes)
        + _string(b"")
        + _string(b"sha512")
        + _string(_string(_KEY_TYPE) + _string(signature))
    )
    body = base64.b64encode(blob).decode("ascii")
    lines = [body[start : start + _WRAP] for start in range(0, len(body), _WRAP)]
    return "\n".join([_BEGIN, *lines, _END]) + "\n"


def _strict_b64decode(text: str) -> bytes:
    """Decode base64 that is in the standard alphabet, padded, and canonical."""
    if not _BASE64_BODY.fullmatch(text) or len(text) % 4:
        raise ValueError("base64 is not well formed")
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("base64 is not well formed") from None
    # Unused low bits in the last character would let two texts decode alike.
    if base64.b64encode(data).decode("ascii") != text:
        raise ValueError("base64 is not canonical")
    return data


def _dearmor(armored: str | bytes) -> bytes:
    if len(armored) > _MAX_ARMORED:
        raise _Malformed(f"larger than {_MAX_ARMORED} bytes")
    if isinstance(armored, bytes):
        try:
            text = armored.decode("ascii")
        except UnicodeDecodeError:
            raise _Malformed("not ASCII text") from None
    else:
        text = armored
        if not text.isascii():
            raise _Malformed("not ASCII text")
    # Lines end in LF or CRLF (a file may have passed through Windows); nothing else.
    lines = [line.removesuffix("\r") for line in text.strip(" \t\r\n").split("\n")]
    if not lines or lines[0] != _BEGIN:
        raise _Malformed(f"does not start with {_BEGIN}")
    if len(lines) < 3 or lines[-1] != _END:
        raise _Malformed(f"does not end with {_END}")
    try:
        return _strict_b64decode("".join(lines[1:-1]))
    except ValueError as error:
        raise _Malformed(str(error)) from None


class ParsedSignature:
    """The fields of an SSHSIG blob, structurally checked (not verified).

    A fault raises this module's internal `_Malformed`; from other modules use `verify`
    or `signature_key`, which report it as a one-line `BundleRefused`.
    """

    def __init__(self, blob: bytes) -> None:
        reader = _Reader(blob)
        if reader.raw(len(_MAGIC), "magic") != _MAGIC:
            raise _Malformed("does not begin with SSHSIG")
        version = reader.uint32("version")
        if version != _VERSION:
            raise _Malformed(f"version {version} is not supported, only 1")
        self.public_key = _parse_key_blob(reader.string("public key", 256), "public key")
        self.namespace = reader.string("namespace", _MAX_NAMESPACE)
        if reader.string("reserved field", _MAX_RESERVED):
            raise _Malformed("reserved field is not empty")
        self.hash_name = reader.string("hash algorithm", 16)
        signature_blob = reader.string("signature", 256)
        reader.end("signature")

        sig_reader = _Reader(signature_blob)
        sig_type = sig_reader.string("signature type", 64)
        if sig_type != _KEY_TYPE:
            raise _Malformed(f"signature type is {_show(sig_type)}, only 'ssh-ed25519'")
        self.signature = sig_reader.string("signature bytes", 128)
        sig_reader.end("signature bytes")
        if len(self.signature) != 64:
            raise _Malformed(f"Ed25519 signature is {len(self.signature)} bytes, expected 64")


def verify(
    armored: str | bytes,
    message: bytes,
    namespace: str,
    allowed: Ed25519PublicKey | Iterable[Ed25519PublicKey],
) -> Ed25519PublicKey:
    """Check an armored SSHSIG signature over ``message``; return the signer's key.

    The signature must be in ``namespace``, use SHA-256 or SHA-512, be valid for the key it
    names, and that key must be one of ``allowed``. Anything else raises `BundleRefused`
    with a one-line reason; no other exception escapes for any input.
    """
    allowed_keys = [allowed] if isinstance(allowed, Ed25519PublicKey) else list(allowed)
    try:
        parsed = ParsedSignature(_dearmor(armored))
    except _Malformed as error:
        raise BundleRefused(f"malformed signature: {error}") from None

    if parsed.namespace != namespace.encode("utf-8"):
        raise BundleRefused(
            f"signature namespace is {_show(parsed.namespace)}, expected {namespace!r}"
        )
    hash_function = _HASHES.get(parsed.hash_name.decode("ascii", "replace"))
    if hash_function is None:
        raise BundleRefused(
            f"malformed signature: hash algorithm {_show(parsed.hash_name)} is not "
            "supported, only 'sha256' or 'sha512'"
        )
    signed = _signed_data(parsed.namespace, b"", parsed.hash_name, hash_function(message).digest())
    try:
        parsed.public_key.verify(parsed.signature, signed)
    except InvalidSignature:
        raise BundleRefused("signature does not match the manifest") from None

    signer_blob = _public_key_blob(parsed.public_key)
    for candidate in allowed_keys:
        if _public_key_blob(candidate) == signer_blob:
            return candidate
    raise BundleRefused(f"signed by an unknown key {fingerprint(parsed.public_key)}")


def signature_key(armored: str | bytes) -> Ed25519PublicKey:
    """The public key an armored signature names: not verified, so not to be trusted."""
    try:
        return ParsedSignature(_dearmor(armored)).public_key
    except _Malformed as error:
        raise BundleRefused(f"malformed signature: {error}") from None


def allowed_signers_line(
    principal: str, pub: Ed25519PublicKey, namespace: str = BUNDLE_NAMESPACE
) -> str:
    """Return an ``allowed_signers`` line that lets ``principal`` sign in ``namespace``.

    ``ssh-keygen -Y verify -f allowed_signers -I <principal> -n <namespace>`` accepts
    signatures by ``pub`` with it, and refuses them for any other principal or namespace.
    The principal and namespace must not contain whitespace, quotes, commas, ``#``,
    backslashes or the pattern characters ``* ? !``.
    """
    for what, value in (("principal", principal), ("namespace", namespace)):
        if not value or _SIGNERS_SPECIAL.search(value) or not value.isprintable():
            raise ValueError(f"{what} {value!r} cannot be written in an allowed_signers line")
    return f'{principal} namespaces="{namespace}" {openssh_public_key(pub)}'


def private_key_to_openssh_pem(key: Ed25519PrivateKey) -> bytes:
    """Return ``key`` unencrypted in the OpenSSH private key format ``ssh-keygen`` reads.

    For tests and interoperability only: the device key otherwise never leaves the vault.
    """
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
