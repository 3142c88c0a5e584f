"""The clinician's alert inbox and alert detail page: acknowledge and resolve."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from mindbridge.access.domain import Action, Role
from mindbridge.accounts.models import User
from mindbridge.alerts import service as alerts_service
from mindbridge.db import utcnow
from mindbridge.kit.errors import MindbridgeError
from mindbridge.web.policy import CLINICIAN, access
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import AppRuntime, Audit, DbSession, require_role

router = APIRouter()
ClinicianUser = Annotated[User, Depends(require_role(Role.CLINICIAN))]


def _in_words(minutes: float) -> str:
    if minutes >= 24 * 60 and minutes % (24 * 60) == 0:
        days = int(minutes // (24 * 60))
        return f"{days} day" + ("s" if days != 1 else "")
    if minutes >= 60 and minutes % 60 == 0:
        hours = int(minutes // 60)
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{int(minutes)} minutes"


@router.get("/alerts", response_class=HTMLResponse, **access(CLINICIAN))
def inbox(
    request: Request, db: DbSession, rt: AppRuntime, user: ClinicianUser, audit: Audit
) -> Response:
    now = utcnow()
    targets = [
        (level, _in_words(delta.total_seconds() / 60))
        for level, delta in rt.settings.alert_targets().items()
    ]
    return render(
        request,
        "alerts/inbox.html",
        {
            "rows": alerts_service.inbox(db, audit, clinician_id=user.id, now=now),
            "now": now,
            "targets": targets,
            "title": "Alerts",
        },
    )


def _detail_page(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    alert_id: int,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    alert = alerts_service.get_for(db, audit, alert_id)
    info = alerts_service.detail(db, audit, rt.vault, alert=alert, now=utcnow())
    return render(
        request,
        "alerts/detail.html",
        {"d": info, "error": error, "title": f"Alert #{alert.id}"},
        status=status,
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse, **access(CLINICIAN))
def alert_detail(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: ClinicianUser,
    audit: Audit,
    alert_id: int,
) -> Response:
    return _detail_page(request, db, rt, audit, alert_id)


@router.post("/alerts/{alert_id}/acknowledge", response_class=HTMLResponse, **access(CLINICIAN))
def acknowledge(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: ClinicianUser,
    audit: Audit,
    alert_id: int,
    back: Annotated[str, Form()] = "",
) -> Response:
    alert = alerts_service.get_for(db, audit, alert_id, Action.WRITE)
    try:
        alerts_service.acknowledge(db, audit, alert=alert, now=utcnow())
    except MindbridgeError as exc:
        return _detail_page(
            request, db, rt, audit, alert_id, error=exc.message, status=exc.status_code
        )
    return redirect("/alerts" if back == "inbox" else f"/alerts/{alert_id}")


@router.post("/alerts/{alert_id}/resolve", response_class=HTMLResponse, **access(CLINICIAN))
def resolve(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: ClinicianUser,
    audit: Audit,
    alert_id: int,
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    alert = alerts_service.get_for(db, audit, alert_id, Action.WRITE)
    try:
        alerts_service.resolve(db, audit, rt.vault, alert=alert, note=note, now=utcnow())
    except MindbridgeError as exc:
        return _detail_page(
            request, db, rt, audit, alert_id, error=exc.message, status=exc.status_code
        )
    return redirect("/alerts" if back == "inbox" else f"/alerts/{alert_id}")
