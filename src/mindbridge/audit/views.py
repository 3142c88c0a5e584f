"""The admin's audit browser."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from mindbridge.access.domain import Role
from mindbridge.accounts.models import User
from mindbridge.audit import service as audit_service
from mindbridge.web.policy import ADMIN, access
from mindbridge.web.rendering import render
from mindbridge.web.security import DbSession, require_role

router = APIRouter()
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


def _date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None
    except ValueError:
        return None


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@router.get("/admin/audit", response_class=HTMLResponse, **access(ADMIN))
def audit_page(
    request: Request,
    db: DbSession,
    admin: AdminUser,
    actor: str = "",
    client: str = "",
    action: str = "",
    outcome: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
) -> Response:
    flt = audit_service.AuditFilter(
        actor_id=_int(actor),
        client_id=_int(client),
        action=action or None,
        outcome=outcome or None,
        since=_date(since),
        until=_date(until),
    )
    rows, total = audit_service.search(db, flt, page=max(page, 1))
    return render(
        request,
        "audit/audit.html",
        {
            "rows": rows,
            "total": total,
            "page": max(page, 1),
            "per_page": 50,
            "f": {
                "actor": actor,
                "client": client,
                "action": action,
                "outcome": outcome,
                "since": since,
                "until": until,
            },
            "title": "Audit log",
        },
    )
