"""Clinical sign-off of exercise flows at this service.

The shipped flows are drafts until a clinician reviews them. A service records that review here,
per flow version: a clinician reads the flow on /exercises and signs that version off. With
`companion_signed_off_only` on, clients are offered only flows whose current version is signed
off (or whose file records a review), so an edited flow waits for a new sign-off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Role
from mindbridge.accounts.models import User
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.companion.flowspec import Flow
from mindbridge.companion.models import FlowSignoff
from mindbridge.kit.errors import Invalid

MAX_NOTE = 1000
NOT_SIGNED_OFF = "not yet signed off by a clinician at this service"


@dataclass(frozen=True)
class Signoff:
    flow_id: str
    version: str
    reviewer_id: int | None
    reviewer_name: str
    note: str
    signed_at: datetime


def held(
    flows: Mapping[str, Flow], signed: Mapping[str, set[str]], *, signed_off_only: bool
) -> dict[str, str]:
    """Flows clients may not be offered, with the reason: with the gate on, those whose current
    version has neither a sign-off here nor a review recorded in the file."""
    if not signed_off_only:
        return {}
    return {
        flow_id: NOT_SIGNED_OFF
        for flow_id, flow in flows.items()
        if flow.review_status != "reviewed" and flow.version not in signed.get(flow_id, set())
    }


def signed_versions(db: Session) -> dict[str, set[str]]:
    """Flow id -> the versions signed off at least once."""
    found: dict[str, set[str]] = {}
    for flow_id, version in db.execute(select(FlowSignoff.flow_id, FlowSignoff.version)):
        found.setdefault(flow_id, set()).add(version)
    return found


def held_now(db: Session, flows: Mapping[str, Flow], *, signed_off_only: bool) -> dict[str, str]:
    if not signed_off_only:  # no query when the gate is off
        return {}
    return held(flows, signed_versions(db), signed_off_only=True)


def signoffs(db: Session, flow_id: str) -> list[Signoff]:
    """Every sign-off of one flow, newest first (all versions)."""
    rows = db.scalars(
        select(FlowSignoff)
        .where(FlowSignoff.flow_id == flow_id)
        .order_by(FlowSignoff.signed_at.desc(), FlowSignoff.id.desc())
    )
    return [
        Signoff(r.flow_id, r.version, r.reviewer_id, r.reviewer_name, r.note, r.signed_at)
        for r in rows
    ]


def sign_off(
    db: Session, ctx: AuditContext, *, flow: Flow, reviewer: User, note: str, now: datetime
) -> Signoff:
    """Record that `reviewer` (a clinician) signed off the flow's current version; audited."""
    if reviewer.role != Role.CLINICIAN.value:
        raise Invalid("Only clinicians sign off exercises.")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise Invalid(f"note: at most {MAX_NOTE} characters (got {len(note)}).")
    already = db.scalar(
        select(FlowSignoff.id).where(
            FlowSignoff.flow_id == flow.id,
            FlowSignoff.version == flow.version,
            FlowSignoff.reviewer_id == reviewer.id,
        )
    )
    if already is not None:
        raise Invalid(f"You have already signed off version {flow.version} of {flow.title}.")
    row = FlowSignoff(
        flow_id=flow.id,
        version=flow.version,
        reviewer_id=reviewer.id,
        reviewer_name=reviewer.display_name,
        note=note,
        signed_at=now,
    )
    db.add(row)
    db.flush()
    audit_service.record(
        db,
        ctx,
        action="companion.flow_signoff",
        resource_type="flow",
        resource_id=flow.id,
        detail={"version": flow.version, "signoff_id": row.id},
    )
    return Signoff(flow.id, flow.version, reviewer.id, reviewer.display_name, note, now)
