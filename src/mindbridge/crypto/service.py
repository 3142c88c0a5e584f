"""The vault: encrypts free text with per-owner data keys; rotates and destroys those keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.crypto.domain import (
    KeyRing,
    blind_index,
    decrypt_text,
    encrypt_text,
    new_data_key,
    unwrap_key,
    wrap_key,
)
from mindbridge.crypto.models import DataKey
from mindbridge.db import utcnow

SYSTEM_OWNER = "system"
ERASED = "[erased]"


class KeyDestroyed(LookupError):
    """The owner's data key was destroyed: their text is gone for good."""


@dataclass
class Vault:
    ring: KeyRing
    index_secret: bytes
    _cache: dict[tuple[str, bytes], bytes] = field(default_factory=dict, repr=False)

    @staticmethod
    def owner_for_client(client_id: int) -> str:
        return f"client:{client_id}"

    def _data_key(self, db: Session, owner: str, *, create: bool) -> bytes:
        row = db.get(DataKey, owner)
        if row is None:
            if not create:
                raise KeyDestroyed(owner)
            key = new_data_key()
            row = DataKey(
                owner=owner,
                kek_id=self.ring.active_id,
                wrapped_key=wrap_key(self.ring.active_key, key, owner),
            )
            db.add(row)
            db.flush()
            return key
        cache_key = (owner, row.wrapped_key)
        if cache_key not in self._cache:
            self._cache[cache_key] = unwrap_key(self.ring.keys[row.kek_id], row.wrapped_key, owner)
        return self._cache[cache_key]

    def encrypt(self, db: Session, owner: str, text: str, *, field: str) -> bytes:
        return encrypt_text(self._data_key(db, owner, create=True), text, owner=owner, field=field)

    def decrypt(self, db: Session, owner: str, blob: bytes, *, field: str) -> str:
        """Plaintext, or `ERASED` when the owner's key has been destroyed."""
        try:
            key = self._data_key(db, owner, create=False)
        except KeyDestroyed:
            return ERASED
        return decrypt_text(key, blob, owner=owner, field=field)

    def index(self, text: str) -> str:
        return blind_index(self.index_secret, text)

    def rotate(self, db: Session) -> int:
        """Re-wrap every data key under the active KEK; the data itself is not rewritten."""
        count = 0
        for row in db.execute(select(DataKey)).scalars():
            if row.kek_id == self.ring.active_id:
                continue
            key = unwrap_key(self.ring.keys[row.kek_id], row.wrapped_key, row.owner)
            row.wrapped_key = wrap_key(self.ring.active_key, key, row.owner)
            row.kek_id = self.ring.active_id
            row.rotated_at = utcnow()
            count += 1
        db.flush()
        self._cache.clear()
        return count

    def destroy(self, db: Session, owner: str) -> bool:
        """Crypto-erasure: without the data key the owner's ciphertexts are unrecoverable."""
        row = db.get(DataKey, owner)
        if row is None:
            return False
        db.delete(row)
        db.flush()
        self._cache = {k: v for k, v in self._cache.items() if k[0] != owner}
        return True
