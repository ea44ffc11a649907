"""Envelope encryption of a bundle payload to one or more recipients (HPKE, RFC 9180).

`seal` encrypts the payload once under a fresh random 256-bit content key, then seals
that content key to each recipient's X25519 public key with HPKE. `open_sealed` reverses
it for one recipient. Both bind the caller's ``aad`` (the bundle's associated data, such
as its manifest header): change one byte of it and nothing opens.

Format
------

payload
    ``nonce (12 bytes) || AES-256-GCM(content_key, nonce, plaintext, aad)``; the GCM
    output is the ciphertext followed by its 16-byte tag.

sealed key (one per recipient, 80 bytes)
    ``enc (32 bytes) || ct (48 bytes)``: the output of HPKE single-shot Seal of the
    32-byte content key, where ``enc`` is the sender's ephemeral X25519 public key and
    ``ct`` is the sealed content key with its 16-byte tag.

recipient label
    The sealed keys are listed under labels; the bundle uses `key_id` of the recipient's
    public key: the first 16 bytes of SHA-256 of the raw 32-byte X25519 public key, as
    32 lowercase hex digits.

Decrypting without this program
-------------------------------

With any RFC 9180 implementation:

1. Find the sealed key under your label and split it: ``enc = sealed[:32]``,
   ``ct = sealed[32:]``.
2. Open it in **base mode** (mode 0x00) with the suite **KEM 0x0020**
   (DHKEM(X25519, HKDF-SHA256)), **KDF 0x0001** (HKDF-SHA256), **AEAD 0x0002**
   (AES-256-GCM): ``context = SetupBaseR(enc, skR, info)``, then
   ``content_key = context.Open(aad=b"", ct)`` (the first message, sequence number 0;
   this is RFC 9180's single-shot ``Open``). The HPKE-level aad is empty.
3. ``info`` is the 53 bytes ``b"notify-tui bundle v1" || 0x00 || SHA-256(aad)``: the
   20-byte ASCII label, one zero byte, then the 32-byte SHA-256 digest of the bundle's
   associated data. The digest, not the aad itself, keeps ``info`` short (RFC 9180 only
   requires implementations to accept 64 bytes of info) while still tying every sealed
   key to this one bundle, so a sealed key cannot be moved to another bundle.
4. Decrypt the payload with AES-256-GCM: key ``content_key``, nonce ``payload[:12]``,
   ciphertext-and-tag ``payload[12:]``, associated data ``aad`` (the whole aad, not its
   digest).

In Python with a ``cryptography`` release that has ``hazmat.primitives.hpke``::

    suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
    info = b"notify-tui bundle v1\\x00" + hashlib.sha256(aad).digest()
    content_key = suite.decrypt(sealed, private_key, info=info)   # enc || ct as one
    plaintext = AESGCM(content_key).decrypt(payload[:12], payload[12:], aad)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from notify_tui.errors import BundleRefused

__all__ = [
    "HPKE_INFO_LABEL",
    "NONCE_SIZE",
    "SEALED_KEY_SIZE",
    "hpke_info",
    "key_id",
    "open_sealed",
    "seal",
    "sealed_key_for",
]

HPKE_INFO_LABEL: Final = b"notify-tui bundle v1"
"""The fixed start of the HPKE ``info``; `hpke_info` appends 0x00 and SHA-256(aad)."""

CONTENT_KEY_SIZE: Final = 32
"""Bytes in the random AES-256-GCM content key."""

NONCE_SIZE: Final = 12
"""Bytes in the payload's AES-GCM nonce, which starts the payload."""

_TAG_SIZE: Final = 16
_ENC_SIZE: Final = 32

SEALED_KEY_SIZE: Final = _ENC_SIZE + CONTENT_KEY_SIZE + _TAG_SIZE
"""Bytes in one recipient's sealed content key: enc (32) || ct (32 + 16-byte tag)."""

_SUITE: Final = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)


def key_id(pub: X25519PublicKey) -> str:
    """Return the short stable id of a recipient key: hex of SHA-256(raw key)[:16]."""
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:16].hex()


def hpke_info(aad: bytes) -> bytes:
    """Return the HPKE ``info`` for a bundle with associated data ``aad``.

    ``b"notify-tui bundle v1" || 0x00 || SHA-256(aad)``, 53 bytes.
    """
    return HPKE_INFO_LABEL + b"\x00" + hashlib.sha256(aad).digest()


def seal(
    plaintext: bytes, recipients: Mapping[str, X25519PublicKey], *, aad: bytes
) -> tuple[bytes, dict[str, bytes]]:
    """Encrypt ``plaintext`` for every recipient; return the payload and the sealed keys.

    ``recipients`` maps a label to each recipient's public key; the returned dict maps the
    same labels to that recipient's 80-byte sealed content key. Bundles label recipients
    with `key_id`, which is what `sealed_key_for` looks up. Raises `ValueError` for no
    recipients or an unusable (low-order) recipient key.
    """
    if not recipients:
        raise ValueError("a sealed payload needs at least one recipient")
    content_key = AESGCM.generate_key(bit_length=8 * CONTENT_KEY_SIZE)
    nonce = os.urandom(NONCE_SIZE)
    payload = nonce + AESGCM(content_key).encrypt(nonce, plaintext, aad)
    info = hpke_info(aad)
    sealed_keys = {
        label: _SUITE.encrypt(content_key, public_key, info=info)
        for label, public_key in recipients.items()
    }
    return payload, sealed_keys


def sealed_key_for(sealed_keys: Mapping[str, bytes], private_key: X25519PrivateKey) -> bytes:
    """Return the sealed key labelled with this device's `key_id`.

    Raises `BundleRefused` when the bundle was not sealed to this device.
    """
    my_id = key_id(private_key.public_key())
    try:
        return sealed_keys[my_id]
    except KeyError:
        raise BundleRefused(f"this device is not a recipient (no sealed key for {my_id})") from None


def open_sealed(
    payload: bytes, sealed_keys_for_me: bytes, private_key: X25519PrivateKey, *, aad: bytes
) -> bytes:
    """Decrypt a payload from `seal` with this device's sealed key and private key.

    ``aad`` must be the bytes given to `seal`. Every failure raises `BundleRefused` with a
    one-line reason; a wrong key, a changed sealed key and a changed ``aad`` cannot be told
    apart, so they share one.
    """
    if len(sealed_keys_for_me) != SEALED_KEY_SIZE:
        raise BundleRefused(
            f"sealed key is {len(sealed_keys_for_me)} bytes, expected {SEALED_KEY_SIZE}"
        )
    try:
        content_key = _SUITE.decrypt(sealed_keys_for_me, private_key, info=hpke_info(aad))
    except InvalidTag:
        raise BundleRefused("this device is not a recipient, or the bundle was altered") from None
    if len(content_key) != CONTENT_KEY_SIZE:
        raise BundleRefused("sealed key does not hold a 256-bit content key")
    if len(payload) < NONCE_SIZE + _TAG_SIZE:
        raise BundleRefused("payload is too short to be a sealed payload")
    try:
        return AESGCM(content_key).decrypt(payload[:NONCE_SIZE], payload[NONCE_SIZE:], aad)
    except InvalidTag:
        raise BundleRefused("payload does not decrypt: tampered or not for this key") from None
