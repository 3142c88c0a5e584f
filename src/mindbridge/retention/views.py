"""The admins' retention policy page and consent overview. Plain forms; no clinical content."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from mindbridge.access.domain import Role
from mindbridge.accounts.models import User
from mindbridge.audit.service import AuditContext
from mindbridge.consent.domain import STREAM_LABELS
from mindbridge.db import utcnow
from mindbridge.retention import service as retention_service
from mindbridge.retention.domain import (
    FLOOR_DAYS,
    KEEP,
    MAX_DAYS,
    NEVER_EXPIRE,
    PURPOSE_LABELS,
    RULES,
    SMALL_CELL,
    Kind,
    display_days,
)
from mindbridge.web.policy import ADMIN, access
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import Audit, DbSession, require_role

router = APIRouter()
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


def _retention_page(
    request: Request,
    db: DbSession,
    audit: AuditContext,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    saved: int | None = None,
    status: int = 200,
) -> Response:
    current = retention_service.policy(db)
    preview = retention_service.enforce(db, audit, now=utcnow(), dry_run=True)
    return render(
        request,
        "retention/retention.html",
        {
            "kinds": list(Kind),
            "rules": RULES,
            "values": values or current.as_text(),
            "errors": errors or {},
            "preview": {r.kind: r for r in preview.results},
            "display_days": display_days,
            "never": NEVER_EXPIRE,
            "keep": KEEP,
            "floor": FLOOR_DAYS,
            "max_days": MAX_DAYS,
            "saved": saved,
            "title": "Data retention",
        },
        status=status,
    )


@router.get("/admin/retention", response_class=HTMLResponse, **access(ADMIN))
def retention_page(
    request: Request, db: DbSession, audit: Audit, user: AdminUser, saved: int | None = None
) -> Response:
    return _retention_page(request, db, audit, saved=saved)


@router.post("/admin/retention", response_class=HTMLResponse, **access(ADMIN))
async def retention_save(
    request: Request, db: DbSession, audit: Audit, user: AdminUser
) -> Response:
    form = await request.form()
    typed = {k.value: v for k in Kind if isinstance(v := form.get(k.value), str)}
    try:
        changed = retention_service.save_policy(db, audit, form=typed)
    except retention_service.PolicyInvalid as exc:
        return _retention_page(
            request, db, audit, values=typed, errors=exc.errors, status=exc.status_code
        )
    return redirect(f"/admin/retention?saved={changed}")


@router.get("/admin/consent", response_class=HTMLResponse, **access(ADMIN))
def consent_overview(request: Request, db: DbSession, audit: Audit, user: AdminUser) -> Response:
    overview = retention_service.consent_overview(db, audit)
    return render(
        request,
        "retention/consent_overview.html",
        {
            "overview": overview,
            "stream_labels": STREAM_LABELS,
            "purpose_labels": PURPOSE_LABELS,
            "small_cell": SMALL_CELL,
            "title": "Consent overview",
        },
    )
