"""Envelope encryption: round trips, binding to owner and field, rotation, erasure, and proof
that sensitive text written through the app never reaches the database file in plaintext."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.crypto.domain import (
    DecryptionError,
    KeyRing,
    KeyRingError,
    blind_index,
    decrypt_text,
    encrypt_text,
    new_data_key,
    unwrap_key,
    wrap_key,
)
from mindbridge.crypto.service import ERASED, Vault
from mindbridge.db import transaction
from tests.conftest import TEST_KEK, csrf_of


@given(st.text(max_size=2000))
def test_round_trip_any_text(text: str) -> None:
    key = new_data_key()
    blob = encrypt_text(key, text, owner="client:1", field="f")
    assert decrypt_text(key, blob, owner="client:1", field="f") == text


def test_ciphertext_is_bound_to_owner_and_field() -> None:
    key = new_data_key()
    blob = encrypt_text(key, "secret", owner="client:1", field="journal")
    with pytest.raises(DecryptionError):
        decrypt_text(key, blob, owner="client:2", field="journal")
    with pytest.raises(DecryptionError):
        decrypt_text(key, blob, owner="client:1", field="notes")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(DecryptionError):
        decrypt_text(key, tampered, owner="client:1", field="journal")


def test_same_text_encrypts_differently_each_time() -> None:
    key = new_data_key()
    assert encrypt_text(key, "x", owner="o", field="f") != encrypt_text(
        key, "x", owner="o", field="f"
    )


def test_wrapped_key_unwraps_only_for_its_owner() -> None:
    kek, key = new_data_key(), new_data_key()
    wrapped = wrap_key(kek, key, "client:5")
    assert unwrap_key(kek, wrapped, "client:5") == key
    with pytest.raises(DecryptionError):
        unwrap_key(kek, wrapped, "client:6")


@pytest.mark.parametrize(
    "text",
    ["", "k1:abcd", "nocolon", "k1:" + "zz" * 32, "# only a comment\n"],
)
def test_key_ring_rejects_malformed_text(text: str) -> None:
    with pytest.raises(KeyRingError):
        KeyRing.parse(text)


def test_key_ring_last_key_is_active() -> None:
    ring = KeyRing.parse(f"{TEST_KEK}\nk2:{'22' * 32}\n")
    assert ring.active_id == "k2" and set(ring.keys) == {"k1", "k2"}


def test_blind_index_matches_equal_text_only() -> None:
    assert blind_index(b"s", "Hello ") == blind_index(b"s", "hello")
    assert blind_index(b"s", "hello") != blind_index(b"s", "help")
    assert blind_index(b"s", "hello") != blind_index(b"t", "hello")


def test_rotation_rewraps_keys_without_touching_data(rt) -> None:  # type: ignore[no-untyped-def]
    owner = Vault.owner_for_client(4)
    with transaction(rt.sessions) as db:
        blob = rt.vault.encrypt(db, owner, "before rotation", field="t")
    rotated = Vault(ring=KeyRing.parse(f"{TEST_KEK}\nk2:{'22' * 32}\n"), index_secret=b"x")
    with transaction(rt.sessions) as db:
        assert rotated.rotate(db) >= 1
        assert rotated.rotate(db) == 0  # idempotent
    # Old KEK removed from the ring: data still opens because keys were re-wrapped under k2.
    only_new = Vault(ring=KeyRing.parse(f"k2:{'22' * 32}\n"), index_secret=b"x")
    with transaction(rt.sessions) as db:
        assert only_new.decrypt(db, owner, blob, field="t") == "before rotation"


def test_destroying_the_data_key_erases_the_text(rt) -> None:  # type: ignore[no-untyped-def]
    owner = Vault.owner_for_client(9)
    with transaction(rt.sessions) as db:
        blob = rt.vault.encrypt(db, owner, "to be forgotten", field="t")
    with transaction(rt.sessions) as db:
        assert rt.vault.destroy(db, owner)
    fresh = Vault(ring=rt.vault.ring, index_secret=b"x")
    with transaction(rt.sessions) as db:
        assert fresh.decrypt(db, owner, blob, field="t") == ERASED


def _raw_database_bytes(rt, settings) -> bytes:  # type: ignore[no-untyped-def]
    """Everything the database server has on disk for this database."""
    from pathlib import Path

    from sqlalchemy import text

    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        rt.engine.dispose()
        path = url.removeprefix("sqlite:///")
        files = [Path(path + suffix) for suffix in ("", "-wal", "-shm")]
    else:
        with rt.engine.connect() as conn:
            conn.execute(text("CHECKPOINT"))
            data_dir = conn.execute(text("SHOW data_directory")).scalar_one()
            oid = conn.execute(
                text("SELECT oid FROM pg_database WHERE datname = current_database()")
            ).scalar_one()
        rt.engine.dispose()
        files = [*Path(data_dir, "base", str(oid)).iterdir(), *Path(data_dir, "pg_wal").glob("0*")]
    return b"".join(f.read_bytes() for f in files if f.is_file())


def test_written_text_never_reaches_the_database_in_plaintext(  # type: ignore[no-untyped-def]
    rt, client, personas, login_as, settings
) -> None:
    sentences = [
        "Client disclosed the argument with their brother on Sunday night.",
        "Zebra-crossing marmalade sentinel 7731 appears only in this note.",
    ]
    login_as("clinician")
    for sentence in sentences:
        response = client.post(
            f"/clients/{personas.client}/notes",
            data={"body": sentence, "csrf_token": csrf_of(client, "/caseload")},
            follow_redirects=False,
        )
        assert response.status_code == 303
    page = client.get(f"/clients/{personas.client}")
    assert sentences[1] in page.text  # the clinician reads it back decrypted
    raw = _raw_database_bytes(rt, settings)
    assert len(raw) > 10_000
    assert b"clinician@test.example" in raw  # the scan does see stored plaintext columns
    for sentence in sentences:
        for fragment in (sentence, sentence[:20], "marmalade sentinel"):
            assert fragment.encode() not in raw
            assert fragment.encode("utf-16-le") not in raw
