"""The only way to read a client's data: gather the facts, apply the policy, audit the outcome.

Denials raise `NotFound`, so a client's existence is not revealed to someone who may not see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access.domain import (
    Action,
    Actor,
    Decision,
    Facts,
    Purpose,
    Record,
    Resource,
    Role,
    decide,
)
from mindbridge.access.models import BreakGlassGrant
from mindbridge.accounts.models import User
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.consent import service as consent_service
from mindbridge.db import utcnow
from mindbridge.kit.errors import Invalid, NotFound


def facts_for(db: Session, actor: Actor, client_id: int) -> Facts:
    assigned = actor.role is Role.CLINICIAN and care_service.is_assigned(
        db, clinician_id=actor.user_id, client_id=client_id
    )
    shared = (
        consent_service.current(db, client_id=client_id).shared_with(Purpose.CARE_TEAM)
        if assigned
        else frozenset()
    )
    return Facts(
        assigned=assigned, shared=shared, break_glass=has_break_glass(db, actor, client_id)
    )


def has_break_glass(db: Session, actor: Actor, client_id: int) -> bool:
    if actor.role is not Role.ADMIN:
        return False
    row = db.execute(
        select(BreakGlassGrant.id).where(
            BreakGlassGrant.admin_id == actor.user_id,
            BreakGlassGrant.client_id == client_id,
            BreakGlassGrant.expires_at > utcnow(),
        )
    ).first()
    return row is not None


def get_client(db: Session, client_id: int) -> User:
    client = db.get(User, client_id)
    if client is None or client.role != Role.CLIENT.value:
        raise NotFound("No such client.")
    return client


def check(db: Session, actor: Actor, client_id: int, resource: Resource) -> Decision:
    """Decide without auditing: for showing what exists ("not shared" badges), never for reading."""
    get_client(db, client_id)
    return decide(actor, client_id, resource, facts_for(db, actor, client_id))


@dataclass(frozen=True)
class ClientGrant:
    """Proof that `actor` was authorised (and audited) for `action` on one client's `resource`.

    Services that touch client data take a grant instead of checking access themselves, so the
    check happens exactly once, before any input is read, and cannot be forgotten.
    """

    ctx: AuditContext
    client_id: int
    resource: Resource
    action: Action
    purpose: str

    def require(self, resource: Resource, action: Action = Action.READ) -> None:
        if self.resource != resource or (
            action is Action.WRITE and self.action is not Action.WRITE
        ):
            raise PermissionError(
                f"grant for {self.resource}/{self.action} used for {resource}/{action}"
            )


def authorize(
    db: Session,
    ctx: AuditContext,
    *,
    client_id: int,
    resource: Resource,
    action: Action = Action.READ,
) -> ClientGrant:
    """Allow or raise NotFound; either way an audit row records who tried to do what."""
    if ctx.actor is None:
        raise NotFound("No such client.")
    client = db.get(User, client_id)
    if client is None or client.role != Role.CLIENT.value:
        audit_service.record(
            db,
            ctx,
            action=f"{resource.value}.{action.value}",
            resource_type=resource.value,
            client_id=None,
            outcome="denied",
            detail={"reason": "no such client", "target": client_id},
        )
        raise NotFound("No such client.")
    decision = decide(ctx.actor, client_id, resource, facts_for(db, ctx.actor, client_id), action)
    audit_service.record(
        db,
        ctx,
        action=f"{resource.value}.{action.value}",
        resource_type=resource.value,
        client_id=client_id,
        purpose=decision.purpose,
        outcome="success" if decision.allowed else "denied",
        detail={} if decision.allowed else {"reason": decision.reason},
    )
    if not decision.allowed:
        raise NotFound("No such client.")
    return ClientGrant(ctx, client_id, resource, action, decision.purpose)


def grant_break_glass(
    db: Session, ctx: AuditContext, *, client_id: int, reason: str, minutes: int
) -> BreakGlassGrant:
    if ctx.actor is None or ctx.actor.role is not Role.ADMIN:
        raise NotFound("No such page.")
    reason = reason.strip()
    if len(reason) < 10:
        raise Invalid("State the reason for break-glass access (at least 10 characters).")
    get_client(db, client_id)
    grant = BreakGlassGrant(
        admin_id=ctx.actor.user_id,
        client_id=client_id,
        reason=reason,
        expires_at=utcnow() + timedelta(minutes=minutes),
    )
    db.add(grant)
    db.flush()
    audit_service.record(
        db,
        ctx,
        action="break_glass.grant",
        resource_type=Record.CARE_RECORD.value,
        resource_id=grant.id,
        client_id=client_id,
        purpose="break_glass",
        detail={"reason": reason, "minutes": minutes},
    )
    return grant
