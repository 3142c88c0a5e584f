"""Clinicians' session notes: reached only with an access grant, stored encrypted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Action, Record
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.audit import service as audit_service
from mindbridge.crypto.service import Vault
from mindbridge.kit.errors import Invalid
from mindbridge.notes.models import SessionNote

FIELD = "session_notes.body"
MAX_LENGTH = 20_000


@dataclass(frozen=True)
class NoteView:
    id: int
    author: str
    created_at: datetime
    body: str


def add_note(db: Session, grant: ClientGrant, vault: Vault, *, body: str) -> SessionNote:
    grant.require(Record.CLINICIAN_NOTES, Action.WRITE)
    actor = grant.ctx.actor
    assert actor is not None  # the policy lets only the client's clinicians write notes
    body = body.strip()
    if not body:
        raise Invalid("The note is empty.")
    if len(body) > MAX_LENGTH:
        raise Invalid(f"Notes are limited to {MAX_LENGTH} characters.")
    note = SessionNote(
        client_id=grant.client_id,
        author_id=actor.user_id,
        body_enc=vault.encrypt(db, Vault.owner_for_client(grant.client_id), body, field=FIELD),
    )
    db.add(note)
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="clinician_notes.create",
        resource_type="session_note",
        resource_id=note.id,
        client_id=grant.client_id,
        purpose=grant.purpose,
    )
    return note


def list_notes(db: Session, grant: ClientGrant, vault: Vault) -> list[NoteView]:
    grant.require(Record.CLINICIAN_NOTES)
    rows = db.execute(
        select(SessionNote, User.display_name)
        .join(User, User.id == SessionNote.author_id)
        .where(SessionNote.client_id == grant.client_id)
        .order_by(SessionNote.created_at.desc())
    ).all()
    owner = Vault.owner_for_client(grant.client_id)
    return [
        NoteView(
            note.id, author, note.created_at, vault.decrypt(db, owner, note.body_enc, field=FIELD)
        )
        for note, author in rows
    ]
