"""Envelope encryption: AES-256-GCM data keys per owner, wrapped by a key-encryption key (KEK).

Blob layout: b"\x01" | 12-byte nonce | ciphertext+tag. The associated data binds a blob to its
owner and field, so a ciphertext copied to another client's row fails to open.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
NONCE_BYTES = 12


class KeyRingError(ValueError):
    """The key ring text is malformed."""


class DecryptionError(ValueError):
    """A blob does not open with the key it claims (tampered, or the wrong owner or field)."""


@dataclass(frozen=True)
class KeyRing:
    """Key-encryption keys by id; the last one listed is active for new wraps."""

    keys: dict[str, bytes]
    active_id: str

    @classmethod
    def parse(cls, text: bytes | str) -> KeyRing:
        raw = text.decode() if isinstance(text, bytes) else text
        keys: dict[str, bytes] = {}
        active = ""
        for lineno, line in enumerate(raw.splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key_id, sep, hexkey = line.partition(":")
            if not sep or not key_id:
                raise KeyRingError(f"key ring line {lineno}: expected 'id:hex'")
            try:
                key = bytes.fromhex(hexkey)
            except ValueError as exc:
                raise KeyRingError(f"key ring line {lineno}: key is not hex") from exc
            if len(key) != 32:
                raise KeyRingError(f"key ring line {lineno}: key must be 32 bytes (64 hex digits)")
            keys[key_id] = key
            active = key_id
        if not keys:
            raise KeyRingError("key ring is empty")
        return cls(keys=keys, active_id=active)

    @property
    def active_key(self) -> bytes:
        return self.keys[self.active_id]


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != VERSION:
        raise DecryptionError("not a mindbridge ciphertext")
    nonce = blob[1 : 1 + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[1 + NONCE_BYTES :], aad)
    except InvalidTag as exc:
        raise DecryptionError("ciphertext failed authentication") from exc


def wrap_key(kek: bytes, data_key: bytes, owner: str) -> bytes:
    return _seal(kek, data_key, b"data-key:" + owner.encode())


def unwrap_key(kek: bytes, wrapped: bytes, owner: str) -> bytes:
    return _open(kek, wrapped, b"data-key:" + owner.encode())


def encrypt_text(data_key: bytes, text: str, *, owner: str, field: str) -> bytes:
    return _seal(data_key, text.encode("utf-8"), f"{field}:{owner}".encode())


def decrypt_text(data_key: bytes, blob: bytes, *, owner: str, field: str) -> str:
    return _open(data_key, blob, f"{field}:{owner}".encode()).decode("utf-8")


def blind_index(secret: bytes, text: str) -> str:
    """Equality-searchable token for an encrypted value: HMAC of its normalised form."""
    normal = unicodedata.normalize("NFKC", text).casefold().strip()
    return hmac.new(secret, normal.encode("utf-8"), hashlib.sha256).hexdigest()
