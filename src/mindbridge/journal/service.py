"""The journal: write (screened first, encrypted), edit, delete, list and search by the owner;
read by the care team only through a grant that the client's consent allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Action, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.audit import service as audit_service
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.journal.domain import EntryInput, matches, query_terms, snippet
from mindbridge.journal.models import JournalEntry
from mindbridge.kit.errors import Conflict, NotFound
from mindbridge.language import service as language_service
from mindbridge.safety.screening import Screening
from mindbridge.safetyplan import screening as safety_screening

TITLE_FIELD = "journal_entries.title"
BODY_FIELD = "journal_entries.body"


@dataclass(frozen=True)
class EntryView:
    id: int
    title: str
    body: str
    created_at: datetime
    updated_at: datetime
    version: int
    risk_level: str
    excerpt: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "version": self.version,
        }


@dataclass(frozen=True)
class Saved:
    entry: EntryView
    screening: Screening
    alert_raised: bool


def _owner(client_id: int) -> str:
    return Vault.owner_for_client(client_id)


def _view(
    db: Session, vault: Vault, row: JournalEntry, terms: list[str] | None = None
) -> EntryView:
    owner = _owner(row.client_id)
    title = vault.decrypt(db, owner, row.title_enc, field=TITLE_FIELD)
    body = vault.decrypt(db, owner, row.body_enc, field=BODY_FIELD)
    return EntryView(
        id=row.id,
        title=title,
        body=body,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        risk_level=row.risk_level,
        excerpt=snippet(body, terms or []),
    )


def _screen(
    db: Session, grant: ClientGrant, vault: Vault, data: EntryInput
) -> tuple[Screening, bool]:
    """Screen before storing: the words are read by the safety check first, alert included."""
    text = f"{data.title}\n{data.body}" if data.title else data.body
    recorded = safety_screening.screen_and_record(
        db,
        grant.ctx,
        vault,
        client_id=grant.client_id,
        text=text,
        source="journal",
        stream=Stream.JOURNAL,
    )
    return recorded.screening, recorded.alert is not None


def create(
    db: Session, grant: ClientGrant, vault: Vault, *, data: EntryInput, now: datetime | None = None
) -> Saved:
    grant.require(Stream.JOURNAL, Action.WRITE)
    screening, alerted = _screen(db, grant, vault, data)
    now = now or utcnow()
    owner = _owner(grant.client_id)
    row = JournalEntry(
        client_id=grant.client_id,
        title_enc=vault.encrypt(db, owner, data.title, field=TITLE_FIELD),
        body_enc=vault.encrypt(db, owner, data.body, field=BODY_FIELD),
        risk_level=screening.level.value,
        created_at=now,
        updated_at=now,
        version=1,
    )
    db.add(row)
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="journal.create",
        resource_type="journal_entry",
        resource_id=row.id,
        client_id=grant.client_id,
        purpose=grant.purpose,
    )
    _queue_analysis(db, vault, row, data)
    return Saved(_view(db, vault, row), screening, alerted)


def _queue_analysis(db: Session, vault: Vault, row: JournalEntry, data: EntryInput) -> None:
    text = f"{data.title}. {data.body}" if data.title else data.body
    language_service.request_analysis(
        db,
        vault,
        client_id=row.client_id,
        source="journal",
        source_id=row.id,
        text=text,
        written_at=row.created_at,
    )


def _own_row(db: Session, grant: ClientGrant, entry_id: int) -> JournalEntry:
    row = db.get(JournalEntry, entry_id)
    if row is None or row.client_id != grant.client_id:
        raise NotFound("No such journal entry.")
    return row


def update(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    *,
    entry_id: int,
    data: EntryInput,
    expected_version: int | None = None,
) -> Saved:
    """Edit an entry. `expected_version` guards against overwriting an edit made elsewhere."""
    grant.require(Stream.JOURNAL, Action.WRITE)
    row = _own_row(db, grant, entry_id)
    if expected_version is not None and expected_version != row.version:
        raise Conflict(
            "This entry was changed elsewhere since you opened it; reload it to see the changes."
        )
    screening, alerted = _screen(db, grant, vault, data)
    owner = _owner(grant.client_id)
    row.title_enc = vault.encrypt(db, owner, data.title, field=TITLE_FIELD)
    row.body_enc = vault.encrypt(db, owner, data.body, field=BODY_FIELD)
    row.risk_level = screening.level.value
    row.updated_at = utcnow()
    row.version += 1
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="journal.update",
        resource_type="journal_entry",
        resource_id=row.id,
        client_id=grant.client_id,
        purpose=grant.purpose,
    )
    _queue_analysis(db, vault, row, data)
    return Saved(_view(db, vault, row), screening, alerted)


def delete(db: Session, grant: ClientGrant, *, entry_id: int) -> None:
    grant.require(Stream.JOURNAL, Action.WRITE)
    row = _own_row(db, grant, entry_id)
    language_service.forget(db, client_id=row.client_id, source="journal", source_id=row.id)
    db.delete(row)
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="journal.delete",
        resource_type="journal_entry",
        resource_id=entry_id,
        client_id=grant.client_id,
        purpose=grant.purpose,
    )


def get(db: Session, grant: ClientGrant, vault: Vault, *, entry_id: int) -> EntryView:
    grant.require(Stream.JOURNAL)
    return _view(db, vault, _own_row(db, grant, entry_id))


def entries(
    db: Session, grant: ClientGrant, vault: Vault, *, query: str = "", limit: int = 200
) -> list[EntryView]:
    """Newest first; with a query, only entries containing every word of it.

    Search decrypts the client's entries in memory: entries are encrypted per client, so the
    database cannot search them, and one person's journal is small enough to scan."""
    grant.require(Stream.JOURNAL)
    terms = query_terms(query)
    rows = db.execute(
        select(JournalEntry)
        .where(JournalEntry.client_id == grant.client_id)
        .order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc())
    ).scalars()
    out: list[EntryView] = []
    for row in rows:
        view = _view(db, vault, row, terms)
        if matches(terms, view.title, view.body):
            out.append(view)
            if len(out) >= limit:
                break
    return out


def count(db: Session, *, client_id: int) -> int:
    """How many entries a client has (no content read), for summaries."""
    return int(
        db.execute(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.client_id == client_id)
        ).scalar_one()
    )


def _exists(db: Session, client_id: int, source_id: str) -> bool:
    row = db.get(JournalEntry, int(source_id))
    return row is not None and row.client_id == client_id


def _load(db: Session, vault: Vault, client_id: int, ids: list[str]) -> dict[str, str]:
    wanted = {int(i) for i in ids if i.isdigit()}
    if not wanted:
        return {}
    rows = db.execute(
        select(JournalEntry).where(JournalEntry.client_id == client_id, JournalEntry.id.in_(wanted))
    ).scalars()
    owner = _owner(client_id)
    out = {}
    for r in rows:
        title = vault.decrypt(db, owner, r.title_enc, field=TITLE_FIELD)
        body = vault.decrypt(db, owner, r.body_enc, field=BODY_FIELD)
        out[str(r.id)] = f"{title}. {body}" if title else body
    return out


language_service.register_source("journal", _exists)
language_service.register_text_loader("journal", _load)
