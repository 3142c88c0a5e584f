"""Reading and changing a client's consent. Every change is a new version and is audited."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Purpose, Stream
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.consent.domain import ConsentFact, ConsentState
from mindbridge.consent.models import ConsentRecord


def current(db: Session, *, client_id: int) -> ConsentState:
    return current_for(db, client_ids=[client_id])[client_id]


def current_for(db: Session, *, client_ids: Sequence[int]) -> dict[int, ConsentState]:
    """The consent in force for many clients, in one query (a client with no records gets the
    default: nothing shared)."""
    facts: dict[int, list[ConsentFact]] = {client_id: [] for client_id in client_ids}
    if facts:
        rows = db.execute(select(ConsentRecord).where(ConsentRecord.client_id.in_(facts))).scalars()
        for r in rows:
            facts[r.client_id].append(
                ConsentFact(
                    Stream(r.stream), Purpose(r.purpose), r.granted, r.version, r.recorded_at
                )
            )
    return {client_id: ConsentState.from_records(found) for client_id, found in facts.items()}


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
