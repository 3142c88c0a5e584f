"""Reading and changing a client's consent. Every change is a new version and is audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Purpose, Stream
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.consent.domain import ConsentFact, ConsentState
from mindbridge.consent.models import ConsentRecord


def current(db: Session, *, client_id: int) -> ConsentState:
    rows = db.execute(select(ConsentRecord).where(ConsentRecord.client_id == client_id)).scalars()
    return ConsentState.from_records(
        ConsentFact(Stream(r.stream), Purpose(r.purpose), r.granted, r.version, r.recorded_at)
        for r in rows
    )


def history(db: Session, *, client_id: int) -> list[ConsentRecord]:
    return list(
        db.execute(
            select(ConsentRecord)
            .where(ConsentRecord.client_id == client_id)
            .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
        ).scalars()
    )


def set_consent(
    db: Session,
    ctx: AuditContext,
    *,
    client_id: int,
    wanted: dict[tuple[Stream, Purpose], bool],
) -> int:
    state = current(db, client_id=client_id)
    changes = state.changes(wanted)
    for (stream, purpose), granted in changes.items():
        version = state.version(stream, purpose) + 1
        db.add(
            ConsentRecord(
                client_id=client_id,
                stream=stream.value,
                purpose=purpose.value,
                granted=granted,
                version=version,
                recorded_by=ctx.actor.user_id if ctx.actor else None,
            )
        )
        audit_service.record(
            db,
            ctx,
            action="consent.grant" if granted else "consent.revoke",
            resource_type="consent",
            resource_id=f"{stream.value}/{purpose.value}",
            client_id=client_id,
            purpose="self" if ctx.actor and ctx.actor.user_id == client_id else "administration",
            detail={"version": version},
        )
    db.flush()
    return len(changes)
