"""Admins assign clients to clinicians and end assignments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response

from mindbridge.access.domain import Role
from mindbridge.accounts.models import User
from mindbridge.audit import service as audit_service
from mindbridge.care import service as care_service
from mindbridge.kit.errors import Invalid
from mindbridge.web.policy import ADMIN, access
from mindbridge.web.rendering import redirect
from mindbridge.web.security import Audit, DbSession, require_role

router = APIRouter()
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


@router.post("/admin/care", **access(ADMIN))
def assign(
    db: DbSession,
    admin: AdminUser,
    audit: Audit,
    client_id: Annotated[int, Form()] = 0,
    clinician_id: Annotated[int, Form()] = 0,
    end: Annotated[bool, Form()] = False,
) -> Response:
    client, clinician = db.get(User, client_id), db.get(User, clinician_id)
    if client is None or client.role != Role.CLIENT.value:
        raise Invalid("Choose a client.")
    if clinician is None or clinician.role != Role.CLINICIAN.value:
        raise Invalid("Choose a clinician.")
    if end:
        care_service.end(db, clinician_id=clinician_id, client_id=client_id)
    else:
        care_service.assign(db, clinician_id=clinician_id, client_id=client_id, by=admin.id)
    audit_service.record(
        db,
        audit,
        action="care.end" if end else "care.assign",
        resource_type="care_relationship",
        resource_id=f"{clinician_id}",
        client_id=client_id,
        purpose="administration",
    )
    return redirect("/admin/users")
