"""Check-ins: record (screen the note first, encrypt it, queue its analysis), list, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Action, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.audit import service as audit_service
from mindbridge.checkins.domain import CheckinInput, local_time
from mindbridge.checkins.models import Checkin
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.kit.errors import Invalid, NotFound
from mindbridge.language import service as language_service
from mindbridge.safety.screening import Screening
from mindbridge.safetyplan import screening as safety_screening

NOTE_FIELD = "checkins.note"
FUTURE_SLACK = timedelta(minutes=10)  # clocks on phones drift; a check-in from the future does not
MAX_AGE = timedelta(days=30)  # late entries from an offline phone are fine, old history is not


@dataclass(frozen=True)
class Recorded:
    checkin: Checkin
    screening: Screening | None  # None when there was no note to screen
    alert_raised: bool
    duplicate: bool = False


@dataclass(frozen=True)
class CheckinView:
    id: int
    recorded_at: datetime
    local_date: date
    local_weekday: int
    local_hour: int
    mood: int
    anxiety: int
    energy: int | None
    sleep_hours: float | None
    sleep_quality: int | None
    emotions: list[str]
    tags: list[str]
    note: str
    risk_level: str

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "recorded_at": self.recorded_at.isoformat(),
            "local_date": self.local_date.isoformat(),
            "mood": self.mood,
            "anxiety": self.anxiety,
            "energy": self.energy,
            "sleep_hours": self.sleep_hours,
            "sleep_quality": self.sleep_quality,
            "emotions": self.emotions,
            "tags": self.tags,
            "note": self.note,
            "risk_level": self.risk_level,
        }


def record(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    *,
    client: User,
    data: CheckinInput,
    source: str = "web",
    client_ref: str | None = None,
    now: datetime | None = None,
) -> Recorded:
    """Store one check-in. The note is screened before anything else reads it; an elevated or
    imminent screening raises the care-team alert in this same transaction."""
    grant.require(Stream.CHECKINS, Action.WRITE)
    if client.id != grant.client_id:
        raise NotFound("No such client.")
    now = now or utcnow()
    when = data.recorded_at or now
    if when > now + FUTURE_SLACK:
        raise Invalid("recorded_at: is in the future")
    if when < now - MAX_AGE:
        raise Invalid(f"recorded_at: is more than {MAX_AGE.days} days ago")
    if client_ref is not None:
        client_ref = client_ref.strip()
        if not client_ref or len(client_ref) > 64:
            raise Invalid("client_ref: must be 1 to 64 characters")
        existing = db.execute(
            select(Checkin).where(Checkin.client_id == client.id, Checkin.client_ref == client_ref)
        ).scalar_one_or_none()
        if existing is not None:
            return Recorded(existing, None, alert_raised=False, duplicate=True)

    screened = None
    if data.note:
        screened = safety_screening.screen_and_record(
            db,
            grant.ctx,
            vault,
            client_id=client.id,
            text=data.note,
            source="checkin_note",
            stream=Stream.CHECKINS,
        )
    local = local_time(when, client.timezone)
    owner = Vault.owner_for_client(client.id)
    row = Checkin(
        client_id=client.id,
        recorded_at=when,
        timezone=client.timezone,
        local_date=local.day,
        local_weekday=local.weekday,
        local_hour=local.hour,
        mood=data.mood,
        anxiety=data.anxiety,
        energy=data.energy,
        sleep_hours=data.sleep_hours,
        sleep_quality=data.sleep_quality,
        emotions=list(data.emotions),
        tags=list(data.tags),
        note_enc=vault.encrypt(db, owner, data.note, field=NOTE_FIELD) if data.note else None,
        risk_level=screened.screening.level.value if screened else "none",
        source=source,
        client_ref=client_ref,
    )
    db.add(row)
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="checkins.create",
        resource_type="checkin",
        resource_id=row.id,
        client_id=client.id,
        purpose=grant.purpose,
    )
    if data.note:
        language_service.request_analysis(
            db,
            vault,
            client_id=client.id,
            source="checkin",
            source_id=row.id,
            text=data.note,
            written_at=when,
        )
    return Recorded(
        row,
        screened.screening if screened else None,
        alert_raised=bool(screened and screened.alert is not None),
    )


def _view(db: Session, vault: Vault, row: Checkin, *, with_note: bool = True) -> CheckinView:
    note = ""
    if with_note and row.note_enc is not None:
        note = vault.decrypt(
            db, Vault.owner_for_client(row.client_id), row.note_enc, field=NOTE_FIELD
        )
    return CheckinView(
        id=row.id,
        recorded_at=row.recorded_at,
        local_date=row.local_date,
        local_weekday=row.local_weekday,
        local_hour=row.local_hour,
        mood=row.mood,
        anxiety=row.anxiety,
        energy=row.energy,
        sleep_hours=row.sleep_hours,
        sleep_quality=row.sleep_quality,
        emotions=list(row.emotions or []),
        tags=list(row.tags or []),
        note=note,
        risk_level=row.risk_level,
    )


def list_checkins(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    *,
    since: datetime | None = None,
    limit: int | None = None,
    newest_first: bool = False,
    with_notes: bool = True,
) -> list[CheckinView]:
    """The client's check-ins (audited by the grant). `with_notes=False` skips decrypting notes
    for views that only chart the ratings."""
    grant.require(Stream.CHECKINS)
    query = select(Checkin).where(Checkin.client_id == grant.client_id)
    if since is not None:
        query = query.where(Checkin.recorded_at >= since)
    order = Checkin.recorded_at.desc() if newest_first else Checkin.recorded_at
    query = query.order_by(order, Checkin.id)
    if limit is not None:
        query = query.limit(limit)
    rows = db.execute(query).scalars().all()
    return [_view(db, vault, r, with_note=with_notes) for r in rows]


def delete_checkin(db: Session, grant: ClientGrant, *, checkin_id: int) -> None:
    """The client may remove a check-in they logged by mistake (audited)."""
    grant.require(Stream.CHECKINS, Action.WRITE)
    row = db.get(Checkin, checkin_id)
    if row is None or row.client_id != grant.client_id:
        raise NotFound("No such check-in.")
    language_service.forget(db, client_id=row.client_id, source="checkin", source_id=row.id)
    db.delete(row)
    audit_service.record(
        db,
        grant.ctx,
        action="checkins.delete",
        resource_type="checkin",
        resource_id=checkin_id,
        client_id=grant.client_id,
        purpose=grant.purpose,
    )


def last_checkin_at(db: Session, *, client_id: int) -> datetime | None:
    """For triage and reminders: when the client last checked in (no content read)."""
    return db.execute(
        select(Checkin.recorded_at)
        .where(Checkin.client_id == client_id)
        .order_by(Checkin.recorded_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def daily_ratings(
    db: Session, *, client_id: int, since: datetime, until: datetime
) -> list[tuple[date, int]]:
    """(local date, mood) per check-in, for processing on behalf of the client's care (the
    deterioration score); callers check the client shares check-ins. No note is read."""
    return [
        (day, mood)
        for day, mood in db.execute(
            select(Checkin.local_date, Checkin.mood).where(
                Checkin.client_id == client_id,
                Checkin.recorded_at >= since,
                Checkin.recorded_at < until,
            )
        )
    ]


def _exists(db: Session, client_id: int, source_id: str) -> bool:
    row = db.get(Checkin, int(source_id))
    return row is not None and row.client_id == client_id


def _load_notes(db: Session, vault: Vault, client_id: int, ids: list[str]) -> dict[str, str]:
    wanted = {int(i) for i in ids if i.isdigit()}
    if not wanted:
        return {}
    rows = db.execute(
        select(Checkin).where(Checkin.client_id == client_id, Checkin.id.in_(wanted))
    ).scalars()
    owner = Vault.owner_for_client(client_id)
    return {
        str(r.id): vault.decrypt(db, owner, r.note_enc, field=NOTE_FIELD)
        for r in rows
        if r.note_enc is not None
    }


language_service.register_source("checkin", _exists)
language_service.register_text_loader("checkin", _load_notes)
