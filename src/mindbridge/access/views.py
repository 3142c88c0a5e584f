"""Break-glass: an admin states a reason and gets time-limited access to one client's record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from mindbridge.access import service as access_service
from mindbridge.access.domain import Role
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import User
from mindbridge.kit.errors import MindbridgeError
from mindbridge.web.policy import ADMIN, access
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import AppRuntime, Audit, DbSession, require_role

router = APIRouter()
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


@router.get("/admin/break-glass", response_class=HTMLResponse, **access(ADMIN))
def break_glass_page(request: Request, db: DbSession, admin: AdminUser) -> Response:
    return render(
        request,
        "access/break_glass.html",
        {
            "clients": accounts_service.list_users(db, role=Role.CLIENT),
            "title": "Break-glass access",
        },
    )


@router.post("/admin/break-glass", response_class=HTMLResponse, **access(ADMIN))
def break_glass(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    admin: AdminUser,
    audit: Audit,
    client_id: Annotated[int, Form()] = 0,
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        access_service.grant_break_glass(
            db, audit, client_id=client_id, reason=reason, minutes=rt.settings.break_glass_minutes
        )
    except MindbridgeError as exc:
        return render(
            request,
            "access/break_glass.html",
            {
                "clients": accounts_service.list_users(db, role=Role.CLIENT),
                "error": exc.message,
            },
            status=exc.status_code,
        )
    return redirect(f"/clients/{client_id}")
